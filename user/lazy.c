// lazy CMD [ARGS...]: run CMD with the lazy sbrk policy, where sbrk (like sbrklazy) only
// moves the break and each heap page is allocated when it is first touched: the
// contract of xv6's 2020 lazy lab. Compare with `eager CMD`.
#include "kernel/types.h"
#include "user/user.h"
#include "user/lib/policywrap.h"

int
main(int argc, char *argv[])
{
  policy_wrap("lazy", mempolicy, MEMPOLICY_LAZY, argc, argv);
}
