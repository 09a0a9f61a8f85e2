// The virtio-mmio transport: device initialisation and queue set-up, the part that is
// the same for every virtio device (the spec's "Device Initialization" sequence).
// What requests mean belongs to each driver (virtio_disk.c, hostlink.c).
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/kalloc.h"
#include "kernel/kstring.h"
#include "kernel/virtio.h"

static void add_status(uint64 base, uint32 bit)
{
  *virtio_reg(base, VIRTIO_MMIO_STATUS) = *virtio_reg(base, VIRTIO_MMIO_STATUS) | bit;
}

int virtio_mmio_offers(uint64 base, int feature)
{
  *virtio_reg(base, VIRTIO_MMIO_DEVICE_FEATURES_SEL) = VIRTIO_FEATURE_WORD(feature);
  return (*virtio_reg(base, VIRTIO_MMIO_DEVICE_FEATURES) & VIRTIO_FEATURE_MASK(feature)) != 0;
}

// Tell the device the driver uses feature and no other (both 32-bit feature words).
static void accept_only(uint64 base, int feature)
{
  for (int word = 0; word < 2; word++) {
    *virtio_reg(base, VIRTIO_MMIO_DRIVER_FEATURES_SEL) = word;
    *virtio_reg(base, VIRTIO_MMIO_DRIVER_FEATURES) =
        word == VIRTIO_FEATURE_WORD(feature) ? VIRTIO_FEATURE_MASK(feature) : 0;
  }
}

static const char *check_device(uint64 base, uint32 device_id)
{
  if (*virtio_reg(base, VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MAGIC)
    return "no virtio-mmio device there";
  if (*virtio_reg(base, VIRTIO_MMIO_VERSION) != 2)
    return "legacy virtio-mmio; run qemu with -global virtio-mmio.force-legacy=false";
  uint32 id = *virtio_reg(base, VIRTIO_MMIO_DEVICE_ID);
  if (id == VIRTIO_ID_NONE)
    return "nothing attached to this slot";
  if (id != device_id)
    return "a different kind of device is attached";
  return 0;
}

int virtio_mmio_start(uint64 base, uint32 device_id, const char **why)
{
  if ((*why = check_device(base, device_id)) != 0)
    return -1;
  *virtio_reg(base, VIRTIO_MMIO_STATUS) = 0;   // reset: forget any earlier driver's state
  add_status(base, VIRTIO_STATUS_ACKNOWLEDGE);
  add_status(base, VIRTIO_STATUS_DRIVER);
  if (!virtio_mmio_offers(base, VIRTIO_F_VERSION_1)) {
    *why = "device does not offer VIRTIO_F_VERSION_1";
    return -1;
  }
  accept_only(base, VIRTIO_F_VERSION_1);
  add_status(base, VIRTIO_STATUS_FEATURES_OK);
  // The device clears FEATURES_OK if it cannot work with what we accepted.
  if (!(*virtio_reg(base, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK)) {
    *why = "device rejected our features";
    return -1;
  }
  return 0;
}

// Write the physical address of kernel page `page` into a LOW/HIGH register pair: the
// device reads and writes physical memory.
static void set_addr(uint64 base, uint32 low_off, void *page)
{
  uint64 pa = kva2pa(page);
  *virtio_reg(base, low_off) = pa & 0xffffffff;
  *virtio_reg(base, low_off + 4) = pa >> 32;
}

static void *zeroed_page(void)
{
  void *page = kalloc();
  if (page)
    memset(page, 0, PGSIZE);
  return page;
}

int virtio_mmio_setup_queue(uint64 base, int q, int qsize, struct virtq *vq)
{
  if (VIRTQ_DESC_BYTES(qsize) > PGSIZE || VIRTQ_AVAIL_BYTES(qsize) > PGSIZE ||
      VIRTQ_USED_BYTES(qsize) > PGSIZE)
    return -1;
  *virtio_reg(base, VIRTIO_MMIO_QUEUE_SEL) = q;
  if (*virtio_reg(base, VIRTIO_MMIO_QUEUE_READY) ||
      *virtio_reg(base, VIRTIO_MMIO_QUEUE_NUM_MAX) < qsize)
    return -1;
  vq->desc = zeroed_page();
  vq->avail = zeroed_page();
  vq->used = zeroed_page();
  if (!vq->desc || !vq->avail || !vq->used) {
    if (vq->desc) kfree(vq->desc);
    if (vq->avail) kfree(vq->avail);
    if (vq->used) kfree(vq->used);
    return -1;
  }
  *virtio_reg(base, VIRTIO_MMIO_QUEUE_NUM) = qsize;
  set_addr(base, VIRTIO_MMIO_QUEUE_DESC_LOW, vq->desc);
  set_addr(base, VIRTIO_MMIO_QUEUE_DRIVER_LOW, vq->avail);
  set_addr(base, VIRTIO_MMIO_QUEUE_DEVICE_LOW, vq->used);
  *virtio_reg(base, VIRTIO_MMIO_QUEUE_READY) = 1;
  return 0;
}

void virtio_mmio_driver_ok(uint64 base)
{
  add_status(base, VIRTIO_STATUS_DRIVER_OK);
}
