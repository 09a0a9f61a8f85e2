// The vmtrace event format: the one contract between the kernel (which emits records),
// the recorder in user space (which streams them out) and the host tools (which check
// and convert them). Kernel, user and host code all include this file.
//
// A recording is one stream:
//
//   struct vmt_header                      (header_size bytes)
//   struct vmt_record, struct vmt_record, ...   (record_size bytes each, to end of file)
//
// All integers are little-endian. Records from different CPUs are interleaved in the
// order the recorder drained them, NOT in time order: a reader merges by ts. Within one
// CPU, seq counts up by one per record the kernel tried to write; a gap is explained by a
// VMT_LOST record on that CPU whose count covers it.
//
// Versioning: any change to the meaning or layout of a field, or a new record type,
// bumps VMT_VERSION. Writers write VMT_VERSION; readers accept VMT_VERSION_OLDEST ..
// VMT_VERSION and refuse anything else with a one-line message. Version 1 had no
// VMT_FAULT_CHAIN (a version 1 recording holding one is refused); version 2 added it.
// Version 3 lets one record stand for others it implies, so that a page's life costs
// fewer records (VMT_FAULT_END's VMT_END_KALLOC and VMT_END_MAP, VMT_MAP_ALLOCATED,
// VMT_UNMAP_FREED below). A reader expands each into the records it replaces, so the
// timeline and every count are what they would have been with the records written out:
//   - an implied kalloc comes just before its map, with the map's ts, cpu, pid and seq;
//   - a fault's implied kalloc and map come, in that order, just before its end, with
//     the end's ts, cpu, pid and seq (the map: va = a rounded down to the page);
//   - an implied kfree comes just after its unmap, with the unmap's ts, cpu, pid, seq;
//   - the record itself keeps its fields but for the implication bits, which are cleared.
// An implied record has no seq of its own: sequence checks look at written records only.
// The kernel folds a part in only while that part's own type is being recorded, so
// every event selection still gives the records it gave before. In versions 1 and 2
// those bits are 0.
// Version 4 adds copy-on-write fork (kernel/vm.c's uvmshare): VMT_SHARE, the outcomes
// VMT_OUT_COPIED and VMT_OUT_TAKEN, and VMT_END_COW with the reference count in
// VMT_FAULT_END's arg. A fork whose pages are shared writes one VMT_SHARE per run of
// pages in place of one VMT_MAP per page (while shares are recorded; with VMT_SHARE off
// and VMT_MAP on, the per-page maps go out as before). A share names no frames: each
// page of the child maps the frame the parent maps at the same va, which a reader that
// followed the parent's maps knows.
// Version 5 lets one VMT_UNMAP stand for the unmaps of up to VMT_UNMAP_PAGES_MAX pages
// in a row that share their permission bits and fate (VMT_UNMAP_PAGES below), so that
// an exit, an exec or a shrink writes a record per five pages, not one per page. A
// reader expands it into one unmap per page (each followed by its implied kfree with
// VMT_UNMAP_FREED), in va order, all with the record's ts, cpu and pid; the first keeps
// the record's seq. Every frame is named, as in a record of its own.
#ifndef FAULTLINE_VMTRACE_FORMAT_H
#define FAULTLINE_VMTRACE_FORMAT_H

#include "kernel/types.h"

#define VMT_MAGIC   "VMTRACE1"   // 8 bytes, no NUL
#define VMT_VERSION 5
#define VMT_VERSION_OLDEST 1   // the oldest version a reader still understands

struct vmt_header {
  char   magic[8];       // VMT_MAGIC
  uint32 version;        // VMT_VERSION
  uint32 header_size;    // sizeof(struct vmt_header)
  uint32 record_size;    // sizeof(struct vmt_record)
  uint32 ncpu;           // CPUs that may appear in records (0 .. ncpu-1)
  uint64 timer_hz;       // ticks per second of ts (10,000,000 on QEMU virt)
  uint32 page_size;      // bytes per page (4096)
  uint32 flags;          // reserved, 0
  uint64 free_pages;     // free physical pages when recording started
  uint64 start_ts;       // ts when recording started
};

// Event types. Fields not listed are 0.
enum vmt_type {
  VMT_FAULT_BEGIN = 1,  // a = va, b = epc, arg = scause, flags = source | access << 4
  VMT_FAULT_END   = 2,  // a = va, b = pa mapped (0 unless outcome is MAPPED),
                        // arg = outcome (enum vmt_outcome) | VMT_END_* implications,
                        // flags = source | pages fault-around mapped after va <<
                        // VMT_AROUND_SHIFT
  VMT_KALLOC      = 3,  // a = pa, flags = what the page is for (enum vmt_page_use)
  VMT_KFREE       = 4,  // a = pa, flags = enum vmt_page_use
  VMT_MAP         = 5,  // a = va, b = pa, arg = PTE permission bits (PTE_R/W/X/U),
                        // flags = VMT_MAP_ALLOCATED or 0
  VMT_UNMAP       = 6,  // a = va, b = pa, arg = PTE permission bits,
                        // flags = VMT_UNMAP_FREED or 0; with VMT_UNMAP_PAGES (version 5)
                        // several pages at once, laid out below
  VMT_SBRK        = 7,  // a = old break, b = new break, arg = policy (kernel/mempolicy.h)
  VMT_FORK        = 8,  // arg = child pid (pid is the parent)
  VMT_EXEC        = 9,  // a, b = program name, 16 bytes, NUL-padded;
                        // arg = the new image's size in bytes (its first break)
  VMT_EXIT        = 10, // arg = exit status (as int32)
  VMT_KILL        = 11, // arg = pid killed (pid is the killer, 0 for the kernel)
  VMT_SWITCH      = 12, // pid = process now running on this CPU, 0 for idle
  VMT_MARKER      = 13, // a, b = up to 16 bytes of text, NUL-padded; flags = VMT_MORE if
                        // the next marker record on this CPU continues the text
  VMT_LOST        = 14, // a = records dropped on this CPU since the previous VMT_LOST
  VMT_FAULT_CHAIN = 15, // the user call chain of the fault begun just before on this CPU
                        // (written right after its VMT_FAULT_BEGIN: same cpu and pid, next
                        // seq; only when both types are on, so a fault may have none).
                        // Return addresses, innermost first, 32 bits each, in the slots
                        // arg, a & 0xffffffff, a >> 32, b & 0xffffffff, b >> 32; flags =
                        // how many slots are used (0 .. VMT_CHAIN_MAX) | VMT_CHAIN_TRUNCATED.
                        // The faulting pc itself is VMT_FAULT_BEGIN's epc. For a fault in
                        // user code, slot 0 returns into the caller of epc's function; for
                        // one in copyin/copyout (source KERNEL) epc lies in the system
                        // call's user stub and slot 0 returns into the stub's caller. A
                        // return address points after the call (the jal), as in any
                        // unwinder: look up ret - 1 to name the calling line.
  VMT_SHARE       = 16, // a copy-on-write fork mapped a run of the parent's pages into
                        // the child: pid = the child (written before VMT_FORK, as the
                        // child's own maps were), arg = the parent's pid, a = first va,
                        // b = pages in the run, flags = VMT_SHARE_COW if they are now
                        // copy-on-write in both (they were writable), else 0 (read-only
                        // pages, text: shared as they are and never copied). Every page
                        // of [a, a + b pages) is mapped in the child.
  VMT_NTYPES
};

// Every event type, as a mask of bits (1 << type): the kernel's default selection (the
// `events` command of /dev/vmtracectl takes subsets of it), the converter's default
// filter, and the test programs' "everything". Type 0 does not exist.
#define VMT_EVENTS_ALL (((1u << VMT_NTYPES) - 1) & ~1u)

// Short names of the event types, indexed by enum vmt_type: one spelling for every tool
// (the recorder's -e option, the checker's report, the converter's JSON).
#define VMT_TYPE_NAMES {                                              \
  [VMT_FAULT_BEGIN] = "fault_begin", [VMT_FAULT_END] = "fault_end",   \
  [VMT_KALLOC] = "kalloc",           [VMT_KFREE] = "kfree",           \
  [VMT_MAP] = "map",                 [VMT_UNMAP] = "unmap",           \
  [VMT_SBRK] = "sbrk",               [VMT_FORK] = "fork",             \
  [VMT_EXEC] = "exec",               [VMT_EXIT] = "exit",             \
  [VMT_KILL] = "kill",               [VMT_SWITCH] = "switch",         \
  [VMT_MARKER] = "marker",           [VMT_LOST] = "lost",             \
  [VMT_FAULT_CHAIN] = "chain",       [VMT_SHARE] = "share",           \
}

// flags of VMT_FAULT_*: who touched the page
enum vmt_source { VMT_SRC_USER = 0, VMT_SRC_KERNEL = 1 };
// flags of VMT_FAULT_END: bit 0 is the source; the bits above count the pages after the
// faulting one that fault-around (MEMPOLICY_FAULTAROUND) mapped inside this fault, each
// with its own kalloc and map between the fault's begin and end (from version 3 one
// VMT_MAP_ALLOCATED record says both). 0 under the other
// policies, and in every recording made before fault-around existed, which is why this
// did not bump VMT_VERSION: old recordings read correctly as "no extra pages".
#define VMT_FAULT_SOURCE 0x01
#define VMT_AROUND_SHIFT 1
#define VMT_AROUND_MAX   127   // the most the 7 bits hold; the kernel's window stays within
// flags >> 4 of VMT_FAULT_BEGIN: what kind of access
enum vmt_access { VMT_ACC_READ = 0, VMT_ACC_WRITE = 1, VMT_ACC_EXEC = 2 };

enum vmt_outcome {
  VMT_OUT_MAPPED     = 0,  // lazy page allocated and mapped (or already present)
  VMT_OUT_ILLEGAL    = 1,  // no mapping may exist there: killed or -1
  VMT_OUT_PROTECTION = 2,  // mapping forbids the access: killed or -1
  VMT_OUT_NOMEM      = 3,  // out of memory: killed or -1
  VMT_OUT_SPURIOUS   = 4,  // the entry already allowed the access: the hart had cached a
                           // stale translation, now flushed; nothing mapped, b = its pa.
                           // Recordings made before this existed count such faults as
                           // MAPPED, and read as they always did.
  VMT_OUT_COPIED     = 5,  // copy-on-write: the shared frame was copied into a new frame
                           // b, now mapped writable. Inside the fault, before its end:
                           // the old frame's VMT_UNMAP (VMT_UNMAP_FREED if the other
                           // holders dropped it meanwhile); the new frame's kalloc and
                           // map are said by the end (VMT_END_KALLOC, VMT_END_MAP) as a
                           // lazy fault's are. Version 4.
  VMT_OUT_TAKEN      = 6,  // copy-on-write: the faulting process held the frame's last
                           // reference, so frame b is now its own, made writable in
                           // place: nothing allocated, copied, mapped or unmapped.
};

// arg of VMT_FAULT_END, from version 3: the outcome in the low bits; above it, for a
// fault that allocated and mapped its own page b (outcome MAPPED) and wrote no record of
// its own for either, which of the two this end stands for, and the map's permission
// bits. arg = outcome | VMT_END_KALLOC? | VMT_END_MAP? | perm << VMT_END_PERM_SHIFT
// (perm: PTE_R/W/X/U, as VMT_MAP's arg; 0 without VMT_END_MAP).
#define VMT_END_OUTCOME    0x0f   // arg & VMT_END_OUTCOME: enum vmt_outcome
#define VMT_END_KALLOC     0x10   // implied: VMT_KALLOC of b, VMT_PAGE_DATA
#define VMT_END_MAP        0x20   // implied: VMT_MAP of a's page to b with perm
#define VMT_END_PERM_SHIFT 8      // (arg >> VMT_END_PERM_SHIFT) & VMT_END_PERM_MASK: perm
#define VMT_END_PERM_MASK  0x3ff
// From version 4: the fault was a write to a copy-on-write page (outcome COPIED, TAKEN
// or NOMEM), and how many processes mapped its frame when the fault found it (1 for a
// take-over; saturates at VMT_END_REFS_MAX). Readers keep both in the expanded end.
#define VMT_END_COW        0x40
#define VMT_END_REFS_SHIFT 20     // (arg >> VMT_END_REFS_SHIFT): references found
#define VMT_END_REFS_MAX   0xfff

// flags of VMT_MAP, from version 3: b was allocated for this mapping and the kernel wrote
// no VMT_KALLOC for it; implied: VMT_KALLOC of b, VMT_PAGE_DATA, just before the map.
#define VMT_MAP_ALLOCATED  0x01
// flags of VMT_UNMAP, from version 3: b was freed with this unmap and the kernel wrote no
// VMT_KFREE for it; implied: VMT_KFREE of b, VMT_PAGE_DATA, just after the unmap.
#define VMT_UNMAP_FREED    0x01
// flags of VMT_UNMAP, from version 5: the record stands for the unmaps of n pages in a
// row, n = (flags >> VMT_UNMAP_COUNT_SHIFT) & VMT_UNMAP_COUNT_MASK, 1 ..
// VMT_UNMAP_PAGES_MAX, each with the
// permission bits arg & VMT_UNMAP_PERM_MASK, each frame freed if VMT_UNMAP_FREED (else
// none). Page i (0 .. n-1) is va (a & VMT_UNMAP_VA_MASK) + i pages; its frame number
// (pa / page size, VMT_UNMAP_PFN_BITS wide) lies in slot i: slots 0, 1, 2 are b's bits
// from 0, 21 and 42, slot 3 is a's bits from 39 (above every user va), slot 4 arg's
// bits from 10 (above the permissions). Unused slots are 0. VMT_UNMAP_SLOT and
// VMT_UNMAP_PUT are the one definition of that layout.
#define VMT_UNMAP_PAGES        0x02
#define VMT_UNMAP_COUNT_SHIFT  4
#define VMT_UNMAP_COUNT_MASK   7
#define VMT_UNMAP_PAGES_MAX    5
#define VMT_UNMAP_PFN_BITS     21
#define VMT_UNMAP_PFN_MASK     ((1ull << VMT_UNMAP_PFN_BITS) - 1)
#define VMT_UNMAP_VA_BITS      39
#define VMT_UNMAP_VA_MASK      ((1ull << VMT_UNMAP_VA_BITS) - 1)
#define VMT_UNMAP_PERM_MASK    0x3ff
#define VMT_UNMAP_ARG_SHIFT    10
// The frame number in slot i of a packed unmap's arg, a and b.
#define VMT_UNMAP_SLOT(i, arg, a, b)                                           \
  ((i) < 3 ? ((b) >> (21 * (i))) & VMT_UNMAP_PFN_MASK                          \
   : (i) == 3 ? ((a) >> VMT_UNMAP_VA_BITS) & VMT_UNMAP_PFN_MASK                \
   : ((uint64)(arg) >> VMT_UNMAP_ARG_SHIFT) & VMT_UNMAP_PFN_MASK)
// Put frame number pfn (at most VMT_UNMAP_PFN_MASK) into slot i of *arg, *a, *b.
#define VMT_UNMAP_PUT(i, pfn, arg, a, b)                                       \
  do {                                                                         \
    if ((i) < 3)                                                               \
      *(b) |= (uint64)(pfn) << (21 * (i));                                     \
    else if ((i) == 3)                                                         \
      *(a) |= (uint64)(pfn) << VMT_UNMAP_VA_BITS;                              \
    else                                                                       \
      *(arg) |= (uint32)(pfn) << VMT_UNMAP_ARG_SHIFT;                          \
  } while (0)
// flags of VMT_SHARE: the run's pages are copy-on-write (PTE_COW) in parent and child.
#define VMT_SHARE_COW      0x01

// flags of VMT_KALLOC and VMT_KFREE. A fault that needs a new page-table page makes two
// kallocs: the data page it maps and the page-table page that holds the mapping.
enum vmt_page_use { VMT_PAGE_DATA = 0, VMT_PAGE_TABLE = 1 };

#define VMT_MORE 0x1       // VMT_MARKER flags

// The event group "fault" of the tools' event lists: a fault's begin, end and chain.
#define VMT_FAULT_EVENTS (1u << VMT_FAULT_BEGIN | 1u << VMT_FAULT_END | 1u << VMT_FAULT_CHAIN)

// VMT_FAULT_CHAIN: at most this many return addresses (one record's five 32-bit slots;
// user text lies below 4 GiB). A walk that stopped at the bound with frames left sets
// VMT_CHAIN_TRUNCATED; one that met a frame pointer outside the user stack, an unmapped
// frame, a return address of 0 (the outermost frame) or one outside user text just
// ends there.
#define VMT_CHAIN_MAX       5
#define VMT_CHAIN_COUNT     0x0f   // flags & VMT_CHAIN_COUNT: slots used
#define VMT_CHAIN_TRUNCATED 0x10

struct vmt_record {
  uint64 ts;      // time CSR
  uint32 seq;     // per-CPU sequence number
  uint32 pid;     // current process, 0 if none
  uint16 type;    // enum vmt_type
  uint8  cpu;
  uint8  flags;   // type-specific
  uint32 arg;     // type-specific
  uint64 a;       // type-specific
  uint64 b;       // type-specific
};

#define VMT_RECORD_SIZE 40

typedef char vmt_record_size_check[sizeof(struct vmt_record) == VMT_RECORD_SIZE ? 1 : -1];
typedef char vmt_header_size_check[sizeof(struct vmt_header) == 56 ? 1 : -1];

#endif
