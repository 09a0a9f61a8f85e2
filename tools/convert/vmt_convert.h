// The whole conversion, recording in and JSON out, as one call that reports failure
// instead of exiting: shared by the command-line converter and the fuzz target.
#ifndef FAULTLINE_VMT_CONVERT_H
#define FAULTLINE_VMT_CONVERT_H

#include <stdio.h>

#include "tools/convert/vmt_perfetto.h"

// 0 on success; -1 with a one-line message ("offset N: ...") in err. On failure, part
// of the JSON may already be written to out: callers write to a temporary file.
int vmt_convert(FILE *in, FILE *out, const char *source, const struct vmt_filter *o,
                uint32 window, char *err, size_t errlen);

#endif
