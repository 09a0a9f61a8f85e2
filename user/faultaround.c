// faultaround CMD [ARGS...]: run CMD with the fault-around sbrk policy, for sbrk and
// sbrklazy alike: lazy, but a fault that continues a sequential run of faults also maps
// a growing window of the pages after it. Compare with `lazy CMD` and `eager CMD`.
#include "kernel/types.h"
#include "user/user.h"
#include "user/lib/policywrap.h"

int
main(int argc, char *argv[])
{
  policy_wrap("faultaround", mempolicy, MEMPOLICY_FAULTAROUND, argc, argv);
}
