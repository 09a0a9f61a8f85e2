// Virtio over memory-mapped I/O, "modern" interface (virtio 1.x, MMIO version 2), and the
// split virtqueue. Only transport-level facts live here, so that every virtio driver (the
// disk in slot 0, the host link in slot 1) shares them; what a request means to a block
// or console device belongs in that device's driver.
//
// QEMU must run with -global virtio-mmio.force-legacy=false, or it presents version 1
// (legacy) registers, which these offsets do not describe.
#ifndef FAULTLINE_VIRTIO_H
#define FAULTLINE_VIRTIO_H

#include "kernel/types.h"
#include "kernel/kaddr.h"

// ---- MMIO registers: byte offsets from a slot's base (VIRTIO0, VIRTIO1, ...) ----------
// All registers are 32 bits wide and must be accessed as 32-bit loads and stores.
#define VIRTIO_MMIO_MAGIC_VALUE         0x000  // reads VIRTIO_MAGIC
#define VIRTIO_MMIO_VERSION             0x004  // 2 for the modern interface
#define VIRTIO_MMIO_DEVICE_ID           0x008  // VIRTIO_ID_*; 0 means an empty slot
#define VIRTIO_MMIO_VENDOR_ID           0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES     0x010  // 32 feature bits, chosen by ..._SEL
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014  // 0: bits 0-31, 1: bits 32-63
#define VIRTIO_MMIO_DRIVER_FEATURES     0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL           0x030  // the queue the QUEUE_* registers refer to
#define VIRTIO_MMIO_QUEUE_NUM_MAX       0x034  // largest size the device accepts; 0: no queue
#define VIRTIO_MMIO_QUEUE_NUM           0x038  // size the driver chose
#define VIRTIO_MMIO_QUEUE_READY         0x044  // write 1 once the ring addresses are set
#define VIRTIO_MMIO_QUEUE_NOTIFY        0x050  // write a queue number: "new buffers available"
#define VIRTIO_MMIO_INTERRUPT_STATUS    0x060  // VIRTIO_INT_* bits
#define VIRTIO_MMIO_INTERRUPT_ACK       0x064  // write back the bits that were handled
#define VIRTIO_MMIO_STATUS              0x070  // VIRTIO_STATUS_* bits; write 0 to reset
#define VIRTIO_MMIO_QUEUE_DESC_LOW      0x080  // physical address of the descriptor table
#define VIRTIO_MMIO_QUEUE_DESC_HIGH     0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW    0x090  // physical address of the available ring
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH   0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW    0x0a0  // physical address of the used ring
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH   0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION   0x0fc
#define VIRTIO_MMIO_CONFIG              0x100  // device-specific configuration starts here

#define VIRTIO_MAGIC 0x74726976   // "virt", little-endian

// Device IDs (VIRTIO_MMIO_DEVICE_ID).
#define VIRTIO_ID_NONE    0
#define VIRTIO_ID_NET     1
#define VIRTIO_ID_BLOCK   2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RNG     4

// Device status bits, set by the driver one step at a time during initialisation.
#define VIRTIO_STATUS_ACKNOWLEDGE  1    // the driver has seen the device
#define VIRTIO_STATUS_DRIVER       2    // and knows how to drive it
#define VIRTIO_STATUS_DRIVER_OK    4    // the driver is ready: the device may start
#define VIRTIO_STATUS_FEATURES_OK  8    // feature negotiation is over (device may refuse)
#define VIRTIO_STATUS_NEEDS_RESET  64   // the device hit an error it cannot recover from
#define VIRTIO_STATUS_FAILED       128  // the driver gave up on the device

// Interrupt status bits.
#define VIRTIO_INT_USED_RING  1   // the device added entries to a used ring
#define VIRTIO_INT_CONFIG     2   // the device configuration changed

// Feature bits common to all device types, numbered 0-63 as in the spec. Use the
// helpers below to find the 32-bit word (the FEATURES_SEL value) and the bit inside it.
#define VIRTIO_F_INDIRECT_DESC   28
#define VIRTIO_F_EVENT_IDX       29
#define VIRTIO_F_VERSION_1       32   // a modern driver must accept it
#define VIRTIO_F_ACCESS_PLATFORM 33
#define VIRTIO_F_RING_PACKED     34

#define VIRTIO_FEATURE_WORD(f) ((f) / 32)
#define VIRTIO_FEATURE_MASK(f) (1U << ((f) % 32))

// The 32-bit register at byte offset off of the device at physical address base (VIRTIO0,
// ...), through the direct map. Device memory: volatile, so every access really reaches
// the device, in program order.
static inline volatile uint32 *
virtio_reg(uint64 base, uint32 off)
{
  return (volatile uint32 *)pa2kva(base + off);
}

// ---- Split virtqueue ------------------------------------------------------------------
// A queue is three areas the driver allocates and hands to the device by physical
// address: a descriptor table, an available ring (driver -> device) and a used ring
// (device -> driver). Their layouts are fixed by the spec; the structs below match it
// byte for byte (all fields little-endian, which RISC-V is natively).
//
// Alignment the device requires: descriptor table 16 bytes, available ring 2, used ring 4.
// A page from kalloc() satisfies all three.

// One buffer the device may read or write. Chaining descriptors with NEXT gives one
// request several buffers, e.g. a header the device reads and a status it writes.
struct virtq_desc {
  uint64 addr;    // physical address
  uint32 len;     // bytes
  uint16 flags;   // VIRTQ_DESC_F_*
  uint16 next;    // the following descriptor, if flags has VIRTQ_DESC_F_NEXT
};

#define VIRTQ_DESC_F_NEXT     1   // the chain continues at next
#define VIRTQ_DESC_F_WRITE    2   // the device writes this buffer (otherwise it reads it)
#define VIRTQ_DESC_F_INDIRECT 4   // addr points to a table of descriptors (not used here)

// Driver -> device: heads of descriptor chains ready for the device. ring[] has as many
// entries as the queue size; the driver writes ring[idx % size], then advances idx.
// idx only ever grows (it wraps at 2^16), so the device can tell new entries from old.
struct virtq_avail {
  uint16 flags;   // VIRTQ_AVAIL_F_NO_INTERRUPT: the driver polls instead
  uint16 idx;     // where the driver will put the next entry
  uint16 ring[];  // queue-size entries, followed by a used_event field (EVENT_IDX only)
};

#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

// Device -> driver: one finished chain.
struct virtq_used_elem {
  uint32 id;      // head descriptor of the chain
  uint32 len;     // bytes the device wrote into the chain's buffers
};

struct virtq_used {
  uint16 flags;   // VIRTQ_USED_F_NO_NOTIFY: the driver need not write QUEUE_NOTIFY
  uint16 idx;     // where the device will put the next entry; grows like avail's
  struct virtq_used_elem ring[];  // queue-size entries, then avail_event (EVENT_IDX only)
};

#define VIRTQ_USED_F_NO_NOTIFY 1

// Bytes each area occupies for a queue of qsize entries (the trailing event fields
// included, so a driver may check that its choice of qsize fits its allocation).
#define VIRTQ_DESC_BYTES(qsize)  ((uint64)(qsize) * sizeof(struct virtq_desc))
#define VIRTQ_AVAIL_BYTES(qsize) (sizeof(struct virtq_avail) + (uint64)(qsize) * 2 + 2)
#define VIRTQ_USED_BYTES(qsize) \
  (sizeof(struct virtq_used) + (uint64)(qsize) * sizeof(struct virtq_used_elem) + 2)

// ---- Transport helpers (kernel/virtio_mmio.c), shared by every virtio driver ----------

// A split virtqueue's three areas, one zeroed kalloc'd page each.
struct virtq {
  struct virtq_desc *desc;
  struct virtq_avail *avail;
  struct virtq_used *used;
};

// Reset the device at base and negotiate features up to FEATURES_OK, accepting
// VIRTIO_F_VERSION_1 and nothing else. Returns 0, or -1 with *why saying what is wrong
// (no device, legacy interface, another device type, features refused).
int  virtio_mmio_start(uint64 base, uint32 device_id, const char **why);
// Does the device offer feature (bit number 0-63)?
int  virtio_mmio_offers(uint64 base, int feature);
// Give queue q qsize entries in fresh pages. 0, or -1 if the device cannot or memory
// is short (nothing is left allocated then).
int  virtio_mmio_setup_queue(uint64 base, int q, int qsize, struct virtq *vq);
// Initialisation is over: the device may start using the queues.
void virtio_mmio_driver_ok(uint64 base);

#endif
