// eager CMD [ARGS...]: run CMD with the xv6 sbrk policy, where sbrk allocates and maps
// every page of the new heap at once. Compare with `lazy CMD`.
#include "kernel/types.h"
#include "user/user.h"
#include "user/lib/policywrap.h"

int
main(int argc, char *argv[])
{
  policy_wrap("eager", MEMPOLICY_EAGER, argc, argv);
}
