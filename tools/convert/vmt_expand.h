// The records a version-3 record implies, spelled out (tracing/vmtrace_format.h says
// which and where): a fault's end that says its page's kalloc and map, a map that says
// its page's kalloc, an unmap that says its page's kfree. Each record goes in; out come,
// in order, the records it stands for, each as the kernel would have written it apart,
// and the record itself with its implication bits cleared. So every reader after this
// sees what a version-2 kernel wrote for the same events. A version-4 fault end keeps
// what is not an implication (VMT_END_COW and the references found): a reader takes its
// outcome as arg & VMT_END_OUTCOME. A version-5 unmap of several pages (VMT_UNMAP_PAGES)
// gives one plain unmap per page, each followed by its implied kfree if the record says
// the frames were freed: what a version-4 kernel wrote for the same pages. Records of
// versions 1 and 2 pass through unchanged.
#ifndef FAULTLINE_VMT_EXPAND_H
#define FAULTLINE_VMT_EXPAND_H

#include "tracing/vmtrace_format.h"

// The most records one record stands for, itself included: a packed unmap of the most
// pages, each page's unmap and kfree.
#define VMT_EXPAND_MAX (2 * VMT_UNMAP_PAGES_MAX)

struct vmt_expand {
  uint32 version, page_size;
  struct vmt_record out[VMT_EXPAND_MAX];
  int implied[VMT_EXPAND_MAX];   // out[i] was implied, not written
  unsigned n, next;
};

void vmt_expand_init(struct vmt_expand *e, const struct vmt_header *h);
// Takes the next written record; the previous one's records must all have been taken.
// The record should be one the reader accepted (vmt_reader.h); a packed unmap's count
// is bounded to VMT_UNMAP_PAGES_MAX all the same, so no record can overrun out[].
void vmt_expand_push(struct vmt_expand *e, const struct vmt_record *r);
// 1 with the next record of the one pushed (*implied: it was not written itself, so it
// has no sequence number of its own), 0 when none is left.
int vmt_expand_next(struct vmt_expand *e, struct vmt_record *r, int *implied);

#endif
