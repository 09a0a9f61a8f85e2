// Machine-mode start: the only code that runs in M mode. Each hart configures what
// supervisor mode needs (trap delegation, PMP, the timer) and drops into main().
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/fdt.h"

void supervisor_entry(void);   // entry.S: turns paging on, then main()

__attribute__((aligned(16))) char boot_stacks[BOOT_STACK * NCPU];

// Let supervisor mode own the timer (Sstc): it arms stimecmp itself, and the time CSR
// is readable from S and U mode (tracing timestamps, user benchmarks).
static void timer_to_supervisor(void)
{
  w_menvcfg(r_menvcfg() | MENVCFG_STCE);
  w_mcounteren(r_mcounteren() | MCOUNTEREN_TM);
  w_scounteren(r_scounteren() | MCOUNTEREN_TM);   // same bit position in scounteren
  w_stimecmp(r_time() + 1);   // first tick straight away; trap.c re-arms it
}

// Supervisor mode may touch all of physical memory; paging still guards it.
static void open_pmp(void)
{
  w_pmpaddr0(0x3fffffffffffffull);
  w_pmpcfg0(0xf);   // TOR, read/write/execute
}

// QEMU enters every hart with its id in a0 and the device tree's address in a1;
// _entry leaves both alone.
void start(uint64 hartid, uint64 fdt)
{
  boot_fdt = fdt;                // the same on every hart
  uint64 status = r_mstatus();
  status = (status & ~MSTATUS_MPP_MASK) | MSTATUS_MPP_S;
  w_mstatus(status);             // mret goes to supervisor mode ...
  // ... at supervisor_entry's physical address: code compiled with -mcmodel=medany
  // takes addresses pc-relatively, and this code runs at its physical address.
  w_mepc((uint64)supervisor_entry);

  w_satp(0);                     // no paging until supervisor_entry

  // Every exception and interrupt is handled in supervisor mode.
  w_medeleg(0xffff);
  w_mideleg(0xffff);
  w_sie(r_sie() | SIE_SEIE | SIE_STIE | SIE_SSIE);

  open_pmp();
  timer_to_supervisor();

  w_tp(r_mhartid());             // cpuid() reads tp from now on
  asm volatile("mret");
}
