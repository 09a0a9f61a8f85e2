// The policy wrappers' shared body (user/lib/policywrap.c), for `eager`, `lazy`,
// `copyfork` and any other CMD-under-a-policy program. Include kernel/types.h first.
#ifndef FAULTLINE_USER_POLICYWRAP_H
#define FAULTLINE_USER_POLICYWRAP_H

// Run argv[1] with argv[1..] after set(policy): mempolicy for an sbrk policy
// (kernel/mempolicy.h), forkpolicy for a fork policy (kernel/forkpolicy.h); name is the
// wrapper's, for messages. Never returns.
void policy_wrap(const char *name, int (*set)(int), int policy, int argc, char *argv[])
  __attribute__((noreturn));

#endif
