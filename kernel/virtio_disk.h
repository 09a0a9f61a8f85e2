// The virtio block driver for the file system disk (virtio-mmio slot 0).
#ifndef FAULTLINE_VIRTIO_DISK_H
#define FAULTLINE_VIRTIO_DISK_H

struct buf;

void virtio_disk_init(void);
// Read or write b's block and sleep until the device is done. Caller holds b->lock.
void virtio_disk_rw(struct buf *b, int write);
void virtio_disk_intr(void);

#endif
