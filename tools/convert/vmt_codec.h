// Byte layout of a vmtrace recording: turns the little-endian wire form of the header and
// of one record into the C structs of tracing/vmtrace_format.h and back. Kept apart from
// the reader so that the generator and the tests encode with exactly the code that decodes.
#ifndef FAULTLINE_VMT_CODEC_H
#define FAULTLINE_VMT_CODEC_H

#include "tracing/vmtrace_format.h"

void vmt_decode_header(const unsigned char *b, struct vmt_header *h);
void vmt_encode_header(const struct vmt_header *h, unsigned char *b);
void vmt_decode_record(const unsigned char *b, struct vmt_record *r);
void vmt_encode_record(const struct vmt_record *r, unsigned char *b);

#endif
