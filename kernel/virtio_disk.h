// The virtio block driver for the file system disk (virtio-mmio slot 0).
#ifndef FAULTLINE_VIRTIO_DISK_H
#define FAULTLINE_VIRTIO_DISK_H

#include "kernel/param.h"   // LOGSIZE

struct buf;

void virtio_disk_init(void);
// Read or write b's block and sleep until the device is done. Caller holds b->lock.
void virtio_disk_rw(struct buf *b, int write);
// Write each bs[i]'s data to block blocknos[i] (not necessarily bs[i]->blockno: the log
// writes a cached block to its log slot), all submitted before any is waited for, and
// sleep until every one is done. Caller holds each bs[i]->lock; n <= VIRTIO_BATCH_MAX.
#define VIRTIO_BATCH_MAX LOGSIZE
void virtio_disk_write_many(struct buf **bs, uint *blocknos, int n);
void virtio_disk_intr(void);

#endif
