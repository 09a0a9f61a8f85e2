// RISC-V privileged architecture facts the kernel relies on: CSR accessors, status bits,
// Sv39 page-table entry layout. User programs include this file for PGSIZE and friends,
// so the accessors are plain static inlines that cost nothing unless called.
#ifndef FAULTLINE_RISCV_H
#define FAULTLINE_RISCV_H

#ifndef __ASSEMBLER__
#include "kernel/types.h"
#endif

// ---- Pages and Sv39 translation ---------------------------------------------------------

#define PGSIZE  4096
#define PGSHIFT 12

#define PGROUNDUP(a)   (((a) + PGSIZE - 1) & ~(uint64)(PGSIZE - 1))
#define PGROUNDDOWN(a) (((a)) & ~(uint64)(PGSIZE - 1))

#define PTE_V (1L << 0)   // valid
#define PTE_R (1L << 1)
#define PTE_W (1L << 2)
#define PTE_X (1L << 3)
#define PTE_U (1L << 4)   // reachable from user mode
#define PTE_A (1L << 6)
#define PTE_D (1L << 7)
// Software bit (RSW, ignored by the hardware): a page shared by copy-on-write fork. Its
// entry lacks PTE_W; a write faults and gets the process a frame of its own
// (kernel/vmfault.c). A read-only page (text) is shared without it: never copied.
#define PTE_COW (1L << 8)

// A PTE holds the physical page number at bit 10; a physical address holds it at bit 12.
#define PA2PTE(pa)    ((((uint64)(pa)) >> 12) << 10)
#define PTE2PA(pte)   (((pte) >> 10) << 12)
#define PTE_FLAGS(pte) ((pte) & 0x3FF)

// Three levels of 9-bit indices above the 12-bit page offset.
#define PXMASK        0x1FF
#define PXSHIFT(level) (PGSHIFT + (9 * (level)))
#define PX(level, va) ((((uint64)(va)) >> PXSHIFT(level)) & PXMASK)

// One bit less than Sv39 allows, so that no virtual address needs sign extension.
#define MAXVA (1L << (9 + 9 + 9 + 12 - 1))

#define SATP_SV39 (8L << 60)
// satp for the page table whose root page is at physical address pa (kernel/vm.h's
// satp_of takes the kernel's pointer to it).
#define MAKE_SATP(pa) (SATP_SV39 | (((uint64)(pa)) >> 12))

// ---- Status and interrupt bits ----------------------------------------------------------

#define MSTATUS_MPP_MASK (3L << 11)
#define MSTATUS_MPP_S    (1L << 11)
#define MSTATUS_MIE      (1L << 3)

#define SSTATUS_SPP  (1L << 8)   // trap came from supervisor mode
#define SSTATUS_SPIE (1L << 5)   // interrupts were enabled before the trap
#define SSTATUS_SIE  (1L << 1)   // supervisor interrupts enabled

#define SIE_SEIE (1L << 9)   // external
#define SIE_STIE (1L << 5)   // timer
#define SIE_SSIE (1L << 1)   // software
#define SIP_SSIP (1L << 1)   // supervisor software interrupt pending

#define MENVCFG_STCE (1L << 63)  // Sstc: supervisor owns stimecmp
#define MCOUNTEREN_TM (1L << 1)  // lower modes may read the time CSR

// scause values
#define SCAUSE_INTR        (1UL << 63)
#define SCAUSE_S_SOFT      (SCAUSE_INTR | 1)
#define SCAUSE_S_TIMER     (SCAUSE_INTR | 5)
#define SCAUSE_S_EXTERNAL  (SCAUSE_INTR | 9)
#define SCAUSE_ILLEGAL_INSN 2
#define SCAUSE_ECALL_U     8
#define SCAUSE_INSN_PAGE   12
#define SCAUSE_LOAD_PAGE   13
#define SCAUSE_STORE_PAGE  15

#ifndef __ASSEMBLER__

typedef uint64 pte_t;
typedef uint64 *pagetable_t;   // 512 PTEs

// ---- CSR access ---------------------------------------------------------------------------
// One accessor pair per CSR, generated so that every CSR is read and written the same way.

#define CSR_READER(csr) \
  static inline uint64 r_##csr(void) { uint64 x; asm volatile("csrr %0, " #csr : "=r"(x)); return x; }
#define CSR_WRITER(csr) \
  static inline void w_##csr(uint64 x) { asm volatile("csrw " #csr ", %0" : : "r"(x)); }
#define CSR_ACCESSORS(csr) CSR_READER(csr) CSR_WRITER(csr)

CSR_READER(mhartid)
CSR_ACCESSORS(mstatus)
CSR_ACCESSORS(mepc)
CSR_ACCESSORS(medeleg)
CSR_ACCESSORS(mideleg)
CSR_ACCESSORS(mie)
CSR_ACCESSORS(mcounteren)
CSR_ACCESSORS(menvcfg)
CSR_ACCESSORS(pmpcfg0)
CSR_ACCESSORS(pmpaddr0)
CSR_ACCESSORS(sstatus)
CSR_ACCESSORS(sip)
CSR_ACCESSORS(sie)
CSR_ACCESSORS(sepc)
CSR_ACCESSORS(stvec)
CSR_ACCESSORS(satp)
CSR_ACCESSORS(scounteren)
CSR_ACCESSORS(stimecmp)
CSR_READER(scause)
CSR_READER(stval)
CSR_READER(time)

#undef CSR_ACCESSORS
#undef CSR_WRITER
#undef CSR_READER

static inline uint64 r_tp(void) { uint64 x; asm volatile("mv %0, tp" : "=r"(x)); return x; }
static inline void w_tp(uint64 x) { asm volatile("mv tp, %0" : : "r"(x)); }
static inline uint64 r_sp(void) { uint64 x; asm volatile("mv %0, sp" : "=r"(x)); return x; }
static inline uint64 r_fp(void) { uint64 x; asm volatile("mv %0, s0" : "=r"(x)); return x; }
static inline uint64 r_ra(void) { uint64 x; asm volatile("mv %0, ra" : "=r"(x)); return x; }

static inline void intr_on(void)  { w_sstatus(r_sstatus() | SSTATUS_SIE); }
// Writes sstatus only if interrupts are on: under QEMU a CSR write ends a translated block.
static inline void intr_off(void)
{
  uint64 s = r_sstatus();
  if (s & SSTATUS_SIE)
    w_sstatus(s & ~SSTATUS_SIE);
}
static inline int  intr_get(void) { return (r_sstatus() & SSTATUS_SIE) != 0; }

// Flush every TLB entry of this hart.
static inline void sfence_vma(void) { asm volatile("sfence.vma zero, zero"); }
// Flush this hart's translations of the page holding va, in every address space.
static inline void sfence_vma_page(uint64 va) { asm volatile("sfence.vma %0, zero" : : "r"(va)); }

#endif // __ASSEMBLER__
#endif
