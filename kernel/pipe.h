// Pipes: a bounded byte buffer between a reading and a writing file.
#ifndef FAULTLINE_PIPE_H
#define FAULTLINE_PIPE_H

#include "kernel/types.h"

struct file;
struct pipe;

int  pipealloc(struct file **rf, struct file **wf);   // 0, or -1 with nothing allocated
void pipeclose(struct pipe *pi, int writable);
int  pipewrite(struct pipe *pi, uint64 addr, int n);  // addr: user address
int  piperead(struct pipe *pi, uint64 addr, int n);

#endif
