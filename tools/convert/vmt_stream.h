// A recording as one stream of checked records in time order: the reader feeding the
// per-CPU merge, then the expansion of what records imply since version 3 (vmt_expand.h).
// Every tool that looks at records reads them through this, and so sees the records
// of every version alike.
#ifndef FAULTLINE_VMT_STREAM_H
#define FAULTLINE_VMT_STREAM_H

#include "tools/convert/vmt_expand.h"
#include "tools/convert/vmt_merge.h"
#include "tools/convert/vmt_reader.h"

struct vmt_stream {
  struct vmt_reader rd;
  struct vmt_merge mg;
  struct vmt_expand ex;
  uint64 ex_off;            // input offset of the record being expanded
  int input_done;
  int implied;              // the last record handed out was implied by a written one
                            // (same input offset): it has no sequence number of its own
  const char *err;          // points at the reader's or the merge's message on failure
};

// Reads the header (then in s->rd.hdr). 0, or -1 with s->err set; close either way.
int vmt_stream_open(struct vmt_stream *s, FILE *f, uint32 window);
// 1 with the next record in time order and its input offset (an implied record: that of
// the record implying it; s->implied says which), 0 at the end, -1 on error.
int vmt_stream_next(struct vmt_stream *s, struct vmt_record *rec, uint64 *off);
void vmt_stream_close(struct vmt_stream *s);

#endif
