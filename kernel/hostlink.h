// The host link: a write-only byte stream from the guest to a file on the host, over a
// virtio console port in virtio-mmio slot 1. Recordings leave the machine this way so
// that they never mix with console output.
#ifndef FAULTLINE_HOSTLINK_H
#define FAULTLINE_HOSTLINK_H

void hostlink_init(void);   // the device is optional: without it, writes fail
void hostlink_intr(void);

#endif
