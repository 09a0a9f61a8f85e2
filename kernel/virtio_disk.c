// The file system disk: a virtio block device in virtio-mmio slot 0 (kernel/virtio.h).
//
// A request is a chain of three descriptors: a header the device reads (read or write,
// which sector), the block's data (read by the device for a write, written for a read)
// and one status byte the device writes. Requests from several processes may be in
// flight at once; each caller sleeps on its buf until the interrupt handler sees the
// device hand the chain back in the used ring.
//
// disk.lock protects everything in struct disk and the disk flag of every buf in flight.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "kernel/spinlock.h"
#include "kernel/sleeplock.h"
#include "kernel/fs.h"
#include "kernel/buf.h"
#include "kernel/kalloc.h"
#include "kernel/kstring.h"
#include "kernel/printf.h"
#include "kernel/proc.h"
#include "kernel/virtio.h"
#include "kernel/virtio_disk.h"

// Descriptors in the queue: a power of two (the spec requires it of split queues) and
// small enough that each ring fits in one page. Three per request gives ten in flight.
#define QSIZE 32
#define DESCS_PER_REQ 3

// Block-device facts from the virtio spec, section "Block Device".
#define VIRTIO_BLK_F_RO 5          // feature: the device refuses writes
#define VIRTIO_BLK_T_IN  0         // request type: read sectors
#define VIRTIO_BLK_T_OUT 1         // request type: write sectors
#define VIRTIO_BLK_S_OK  0         // status byte: success
#define VIRTIO_BLK_CFG_CAPACITY 0  // config offset of the 64-bit size, in sectors
#define SECTOR_SIZE 512            // virtio block sectors are always 512 bytes
#define SECTORS_PER_BLOCK (BSIZE / SECTOR_SIZE)

// The header the device reads at the start of every request.
struct blk_req_header {
  uint32 type;       // VIRTIO_BLK_T_IN or _OUT
  uint32 reserved;
  uint64 sector;
};

// What the driver remembers about a request, indexed by its head descriptor. The header
// and status are read and written by the device, so they must stay put until it is done.
struct request {
  struct blk_req_header hdr;
  uint8 status;
  struct buf *b;     // 0 when no request starts at this descriptor
};

static struct disk {
  struct spinlock lock;
  struct virtq_desc *desc;     // QSIZE descriptors, one kalloc'd page
  struct virtq_avail *avail;   // one kalloc'd page
  struct virtq_used *used;     // one kalloc'd page
  char desc_free[QSIZE];       // desc_free[i]: descriptor i is not part of a request
  uint16 used_seen;            // used ring entries before this index are handled
  uint64 capacity;             // disk size in sectors
  struct request req[QSIZE];
} disk;

static volatile uint32 *
reg(uint32 off)
{
  return virtio_reg(VIRTIO0, off);
}

// ---- Initialisation ---------------------------------------------------------------------

// The 64-bit capacity may change between the two 32-bit reads; the config generation
// counter tells us to read again if it did.
static uint64
read_capacity(void)
{
  uint32 gen, lo, hi;
  do {
    gen = *reg(VIRTIO_MMIO_CONFIG_GENERATION);
    lo = *reg(VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_CAPACITY);
    hi = *reg(VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_CAPACITY + 4);
  } while (gen != *reg(VIRTIO_MMIO_CONFIG_GENERATION));
  return ((uint64)hi << 32) | lo;
}

// Without the disk there is no root file system: panic with the reason rather than hang
// on the first read.
void
virtio_disk_init(void)
{
  const char *why;
  initlock(&disk.lock, "virtio_disk");
  if (virtio_mmio_start(VIRTIO0, VIRTIO_ID_BLOCK, &why) < 0) {
    printf("virtio disk: %s (is fs.img attached to virtio-mmio-bus.0?)\n", why);
    panic("virtio_disk_init");
  }
  // Declining VIRTIO_BLK_F_FLUSH and VIRTIO_BLK_F_CONFIG_WCE (virtio_mmio_start accepts
  // only VERSION_1) makes the device run without a write-back cache, so a completed
  // write is durable. The log's crash safety depends on that: this driver never flushes.
  if (virtio_mmio_offers(VIRTIO0, VIRTIO_BLK_F_RO))
    panic("virtio disk: disk is read-only");
  struct virtq vq;
  if (virtio_mmio_setup_queue(VIRTIO0, 0, QSIZE, &vq) < 0)
    panic("virtio disk: cannot set up queue 0");
  disk.desc = vq.desc;
  disk.avail = vq.avail;
  disk.used = vq.used;
  for (int i = 0; i < QSIZE; i++)
    disk.desc_free[i] = 1;
  disk.capacity = read_capacity();
  virtio_mmio_driver_ok(VIRTIO0);
}

// ---- Descriptors ------------------------------------------------------------------------

// Take n free descriptors into idx[]. All or nothing: returns 0 and takes none if fewer
// than n are free. Caller holds disk.lock.
static int
alloc_descs(int *idx, int n)
{
  int got = 0;
  for (int i = 0; i < QSIZE && got < n; i++) {
    if (disk.desc_free[i]) {
      disk.desc_free[i] = 0;
      idx[got++] = i;
    }
  }
  if (got == n)
    return 1;
  while (got > 0)
    disk.desc_free[idx[--got]] = 1;
  return 0;
}

// Return the chain starting at head to the free pool and wake anyone waiting for
// descriptors. Caller holds disk.lock.
static void
free_chain(int head)
{
  int i = head;
  for (;;) {
    if (disk.desc_free[i])
      panic("virtio disk: freeing a free descriptor");
    int flags = disk.desc[i].flags;
    int next = disk.desc[i].next;
    memset(&disk.desc[i], 0, sizeof(disk.desc[i]));
    disk.desc_free[i] = 1;
    if (!(flags & VIRTQ_DESC_F_NEXT))
      break;
    i = next;
  }
  wakeup(&disk.desc_free);
}

static void
set_desc(int i, void *addr, uint32 len, uint16 flags, uint16 next)
{
  disk.desc[i].addr = kva2pa(addr);   // the device reads and writes physical memory
  disk.desc[i].len = len;
  disk.desc[i].flags = flags;
  disk.desc[i].next = next;
}

// ---- Requests ---------------------------------------------------------------------------

// Fill the three descriptors idx[] with a request to move b's block. Caller holds
// disk.lock and owns idx[].
static void
build_request(int *idx, struct buf *b, int write)
{
  struct request *r = &disk.req[idx[0]];
  r->hdr.type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
  r->hdr.reserved = 0;
  r->hdr.sector = (uint64)b->blockno * SECTORS_PER_BLOCK;
  r->status = 0xff;   // not a valid status: a device that never writes it is caught
  r->b = b;

  set_desc(idx[0], &r->hdr, sizeof(r->hdr), VIRTQ_DESC_F_NEXT, idx[1]);
  set_desc(idx[1], b->data, BSIZE,
           VIRTQ_DESC_F_NEXT | (write ? 0 : VIRTQ_DESC_F_WRITE), idx[2]);
  set_desc(idx[2], &r->status, 1, VIRTQ_DESC_F_WRITE, 0);
}

// Offer the chain at head to the device. The fences make the device see the
// descriptors before the ring entry, and the ring entry before the new index.
static void
submit(int head)
{
  disk.avail->ring[disk.avail->idx % QSIZE] = head;
  __sync_synchronize();
  disk.avail->idx += 1;
  __sync_synchronize();
  *reg(VIRTIO_MMIO_QUEUE_NOTIFY) = 0;   // queue 0
}

void
virtio_disk_rw(struct buf *b, int write)
{
  if ((uint64)b->blockno * SECTORS_PER_BLOCK + SECTORS_PER_BLOCK > disk.capacity) {
    printf("virtio disk: block %u is past the end of the disk\n", b->blockno);
    panic("virtio_disk_rw");
  }

  acquire(&disk.lock);

  int idx[DESCS_PER_REQ];
  while (!alloc_descs(idx, DESCS_PER_REQ))
    sleep(&disk.desc_free, &disk.lock);

  build_request(idx, b, write);
  b->disk = 1;
  submit(idx[0]);

  // virtio_disk_intr clears b->disk; it needs disk.lock to do so, and sleep releases
  // the lock only once this process is asleep, so the wakeup cannot be missed.
  while (b->disk)
    sleep(b, &disk.lock);

  struct request *r = &disk.req[idx[0]];
  if (r->status != VIRTIO_BLK_S_OK) {
    printf("virtio disk: %s of block %u failed, status %d\n",
           write ? "write" : "read", b->blockno, r->status);
    panic("virtio_disk_rw");
  }
  r->b = 0;
  free_chain(idx[0]);

  release(&disk.lock);
}

// Called from the trap handler when the PLIC reports VIRTIO0_IRQ.
void
virtio_disk_intr(void)
{
  acquire(&disk.lock);

  // Acknowledge first: a completion that lands after this raises a new interrupt, so
  // none is lost between the ack and the ring scan below.
  *reg(VIRTIO_MMIO_INTERRUPT_ACK) =
      *reg(VIRTIO_MMIO_INTERRUPT_STATUS) & (VIRTIO_INT_USED_RING | VIRTIO_INT_CONFIG);
  __sync_synchronize();

  // The device advances used->idx behind the compiler's back; read it through volatile.
  volatile uint16 *used_idx = &disk.used->idx;
  while (disk.used_seen != *used_idx) {
    __sync_synchronize();   // read the entry only after seeing the index that covers it
    uint32 head = disk.used->ring[disk.used_seen % QSIZE].id;
    if (head >= QSIZE || disk.req[head].b == 0)
      panic("virtio disk: device completed an unknown request");
    struct buf *b = disk.req[head].b;
    b->disk = 0;
    wakeup(b);
    disk.used_seen += 1;
  }

  release(&disk.lock);
}
