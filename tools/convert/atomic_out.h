// An output file that appears only when complete: written under a temporary name in the
// same directory and renamed over the target at the end, so a failed run never leaves a
// half-written file that looks like a good one. "-" means standard output, which cannot
// be taken back; a failure there is still reported by the exit status.
#ifndef FAULTLINE_ATOMIC_OUT_H
#define FAULTLINE_ATOMIC_OUT_H

#include <stdio.h>

struct aout {
  FILE *f;
  const char *path;
  char *tmp;            // NULL for standard output
};

int aout_open(struct aout *o, const char *path, char *err, size_t errlen);
int aout_commit(struct aout *o, char *err, size_t errlen);   // 0, or -1 (file removed)
void aout_abort(struct aout *o);                             // removes the temporary file

#endif
