// eager CMD [ARGS...]: run CMD with the eager sbrk policy, where sbrk (and sbrklazy too)
// allocates and maps every page of the new heap at once. Compare with `lazy CMD`.
#include "kernel/types.h"
#include "user/user.h"
#include "user/lib/policywrap.h"

int
main(int argc, char *argv[])
{
  policy_wrap("eager", mempolicy, MEMPOLICY_EAGER, argc, argv);
}
