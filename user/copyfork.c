// copyfork CMD [ARGS...]: run CMD with the copy fork policy, xv6's fork: every fork by
// CMD or its descendants copies every present page of the parent at once, instead of
// sharing them copy-on-write (the default; kernel/forkpolicy.h).
#include "kernel/types.h"
#include "user/user.h"
#include "user/lib/policywrap.h"

int
main(int argc, char *argv[])
{
  policy_wrap("copyfork", forkpolicy, FORKPOLICY_COPY, argc, argv);
}
