#include <errno.h>
#include <string.h>

#include "tools/convert/vmt_convert.h"
#include "tools/convert/vmt_stream.h"

static int pump(struct vmt_stream *s, struct vmt_conv *c, struct jw *w, const char *source,
                char *err, size_t errlen)
{
  struct vmt_record rec;
  uint64 off;
  int got;
  while ((got = vmt_stream_next(s, &rec, &off)) > 0)
    vmt_conv_record(c, &rec);
  if (got < 0) {
    snprintf(err, errlen, "%s", s->err);
    return -1;
  }
  vmt_conv_finish(c, source);
  if (jw_flush(w) < 0) {
    snprintf(err, errlen, "write error: %s", strerror(errno));
    return -1;
  }
  return 0;
}

int vmt_convert(FILE *in, FILE *out, const char *source, const struct vmt_filter *o,
                uint32 window, char *err, size_t errlen)
{
  struct vmt_stream s;
  struct vmt_conv *c = NULL;
  struct jw w;
  int rc = -1;
  if (vmt_stream_open(&s, in, window) < 0) {
    snprintf(err, errlen, "%s", s.err);
  } else if (jw_init(&w, out) < 0 || !(c = vmt_conv_new(&w, &s.rd.hdr, o))) {
    snprintf(err, errlen, "out of memory");
    jw_free(&w);
  } else {
    rc = pump(&s, c, &w, source, err, errlen);
    jw_free(&w);
  }
  vmt_conv_free(c);
  vmt_stream_close(&s);
  return rc;
}
