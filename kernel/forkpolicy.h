// fork policies: how fork gives the child its memory. Shared by the kernel, user
// programs and the host tools.
//
// Under FORKPOLICY_COW (the default) fork shares every present page of the parent with
// the child: writable ones read-only and marked copy-on-write, so that the first write
// by either process copies the page (or takes it over when no one else holds it any
// more); text is shared for good. FORKPOLICY_COPY is xv6's fork: every present page is
// copied at once. A policy is per process, inherited by fork and kept by exec; it is
// independent of the sbrk policy (kernel/mempolicy.h), and the two compose: a lazy heap
// page never touched is absent, so it is neither shared nor copied.
#ifndef FAULTLINE_FORKPOLICY_H
#define FAULTLINE_FORKPOLICY_H

#define FORKPOLICY_QUERY (-1)  // forkpolicy(FORKPOLICY_QUERY) only reads the policy
#define FORKPOLICY_COW    0    // share pages copy-on-write
#define FORKPOLICY_COPY   1    // copy every present page (xv6)
#define FORKPOLICY_COUNT  2

// Their names, indexed by policy: for the boot's fork= word, the wrappers, ^P and the
// test scripts.
#define FORKPOLICY_NAMES { [FORKPOLICY_COW] = "cow", [FORKPOLICY_COPY] = "copy" }

#endif
