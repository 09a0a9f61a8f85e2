#include "tools/convert/vmt_stream.h"

int vmt_stream_open(struct vmt_stream *s, FILE *f, uint32 window)
{
  s->input_done = 0;
  s->implied = 0;
  s->err = NULL;
  s->ex.n = s->ex.next = 0;
  vmt_merge_init(&s->mg, 1, 0, window);   // harmless until the header is known
  if (vmt_reader_open(&s->rd, f) < 0) {
    s->err = s->rd.err;
    return -1;
  }
  vmt_expand_init(&s->ex, &s->rd.hdr);
  return vmt_merge_init(&s->mg, s->rd.hdr.ncpu, s->rd.hdr.start_ts, window);
}

// The next record in time order, as written.
static int next_written(struct vmt_stream *s, struct vmt_record *rec, uint64 *off)
{
  for (;;) {
    if (vmt_merge_pop(&s->mg, s->input_done, rec, off))
      return 1;
    if (s->input_done)
      return 0;
    int got = vmt_reader_next(&s->rd, rec, off);
    if (got < 0) {
      s->err = s->rd.err;
      return -1;
    }
    if (got == 0)
      s->input_done = 1;
    else if (vmt_merge_push(&s->mg, rec, *off) < 0) {
      s->err = s->mg.err;
      return -1;
    }
  }
}

int vmt_stream_next(struct vmt_stream *s, struct vmt_record *rec, uint64 *off)
{
  if (!vmt_expand_next(&s->ex, rec, &s->implied)) {
    int got = next_written(s, rec, &s->ex_off);
    if (got <= 0)
      return got;
    vmt_expand_push(&s->ex, rec);
    vmt_expand_next(&s->ex, rec, &s->implied);
  }
  *off = s->ex_off;
  return 1;
}

void vmt_stream_close(struct vmt_stream *s)
{
  vmt_reader_close(&s->rd);
  vmt_merge_free(&s->mg);
}
