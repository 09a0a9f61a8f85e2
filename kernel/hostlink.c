// The host link (kernel/hostlink.h): /dev/hostlink, major HOSTLINK.
//
// QEMU attaches a virtio console (virtio-serial-device, with a virtconsole on a file
// chardev) to virtio-mmio slot 1. Without the multiport feature the device has one port,
// whose transmit queue is queue 1. A write() is cut into page-sized pieces; each is
// copied into one of NBOUNCE bounce pages and offered to the device as one descriptor,
// so the copy of the next piece overlaps the device draining the previous ones. Writers
// are serialised so that one write() lands in the file in one piece.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "kernel/spinlock.h"
#include "kernel/sleeplock.h"
#include "kernel/kalloc.h"
#include "kernel/kstring.h"
#include "kernel/printf.h"
#include "kernel/proc.h"
#include "kernel/file.h"
#include "kernel/usercopy.h"
#include "kernel/virtio.h"
#include "kernel/hostlink.h"

#define TRANSMITQ 1   // port 0's transmit queue
#define QSIZE     8
#define NBOUNCE   4   // pages in flight at most (<= QSIZE)

static struct {
  struct spinlock lock;      // the queue and the in-flight count
  struct sleeplock writer;   // one write() at a time
  int present;
  struct virtq vq;
  char *bounce[NBOUNCE];
  uint16 used_seen;          // used ring entries already reclaimed
  int in_flight;
  uint64 bytes;              // written since boot
} link;

static volatile uint32 *reg(uint32 off)
{
  return virtio_reg(VIRTIO1, off);
}

// Reclaim descriptors the device has finished with. Caller holds link.lock.
static void reclaim(void)
{
  volatile uint16 *used_idx = &link.vq.used->idx;
  while (link.used_seen != *used_idx) {
    __sync_synchronize();
    link.used_seen++;
    link.in_flight--;
  }
}

// Offer len bytes of bounce page slot to the device. Caller holds link.lock and has
// made sure fewer than NBOUNCE pieces are in flight. Descriptor i always points at
// bounce page i, and pieces complete in order, so the slot is free to reuse.
static void submit(int slot, uint32 len)
{
  struct virtq_desc *d = &link.vq.desc[slot];
  d->addr = kva2pa(link.bounce[slot]);   // the device reads physical memory
  d->len = len;
  d->flags = 0;   // the device reads it
  d->next = 0;
  link.vq.avail->ring[link.vq.avail->idx % QSIZE] = slot;
  __sync_synchronize();
  link.vq.avail->idx += 1;
  __sync_synchronize();
  link.in_flight++;
  *reg(VIRTIO_MMIO_QUEUE_NOTIFY) = TRANSMITQ;
}

// Wait until at most `most` pieces are in flight. Caller holds link.lock.
static void wait_in_flight(int most)
{
  reclaim();
  while (link.in_flight > most) {
    sleep(&link, &link.lock);
    reclaim();
  }
}

static int hostlink_write(int user_src, uint64 src, int n)
{
  if (!link.present)
    return -1;
  acquiresleep(&link.writer);
  int done = 0;
  while (done < n) {
    acquire(&link.lock);
    wait_in_flight(NBOUNCE - 1);
    // Pieces finish in submission order, so the next free slot is the avail index's.
    int slot = link.vq.avail->idx % NBOUNCE;
    release(&link.lock);
    int len = n - done < PGSIZE ? n - done : PGSIZE;
    if (either_copyin(link.bounce[slot], user_src, src + done, len) < 0)
      break;
    acquire(&link.lock);
    submit(slot, len);
    release(&link.lock);
    done += len;
  }
  acquire(&link.lock);
  wait_in_flight(0);   // when write() returns, the bytes are in the host's file
  link.bytes += done;
  release(&link.lock);
  releasesleep(&link.writer);
  return done > 0 || n == 0 ? done : -1;
}

void hostlink_intr(void)
{
  acquire(&link.lock);
  *reg(VIRTIO_MMIO_INTERRUPT_ACK) =
      *reg(VIRTIO_MMIO_INTERRUPT_STATUS) & (VIRTIO_INT_USED_RING | VIRTIO_INT_CONFIG);
  __sync_synchronize();
  reclaim();
  wakeup(&link);
  release(&link.lock);
}

void hostlink_init(void)
{
  const char *why;
  initlock(&link.lock, "hostlink");
  initsleeplock(&link.writer, "hostlink writer");
  devsw[HOSTLINK].write = hostlink_write;
  if (virtio_mmio_start(VIRTIO1, VIRTIO_ID_CONSOLE, &why) < 0)
    return;   // no host link on this boot: /dev/hostlink writes fail
  if (virtio_mmio_setup_queue(VIRTIO1, TRANSMITQ, QSIZE, &link.vq) < 0)
    panic("hostlink: cannot set up the transmit queue");
  for (int i = 0; i < NBOUNCE; i++)
    if ((link.bounce[i] = kalloc()) == 0)
      panic("hostlink: out of memory");
  virtio_mmio_driver_ok(VIRTIO1);
  link.present = 1;
  printf("hostlink: virtio console on slot 1\n");
}
