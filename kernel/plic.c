// The PLIC routes device interrupts (UART, virtio) to harts' supervisor mode.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/proc.h"
#include "kernel/plic.h"
#include "kernel/kaddr.h"

// The register at physical address addr, through the direct map.
#define REG(addr) (*(volatile uint32 *)pa2kva(addr))

static const int irqs[] = { UART0_IRQ, VIRTIO0_IRQ, VIRTIO1_IRQ };
#define NIRQS ((int)(sizeof(irqs) / sizeof(irqs[0])))

void plicinit(void)
{
  for (int i = 0; i < NIRQS; i++)
    REG(PLIC_PRIORITY + 4 * irqs[i]) = 1;   // 0 would mean "never"
}

void plicinithart(void)
{
  int hart = cpuid();
  uint32 enable = 0;
  for (int i = 0; i < NIRQS; i++)
    enable |= 1u << irqs[i];
  REG(PLIC_SENABLE(hart)) = enable;
  REG(PLIC_SPRIORITY(hart)) = 0;   // threshold: accept every priority above 0
}

int plic_claim(void)
{
  return REG(PLIC_SCLAIM(cpuid()));
}

void plic_complete(int irq)
{
  REG(PLIC_SCLAIM(cpuid())) = irq;
}
