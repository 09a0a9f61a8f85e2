// The platform-level interrupt controller.
#ifndef FAULTLINE_PLIC_H
#define FAULTLINE_PLIC_H

void plicinit(void);
void plicinithart(void);
int  plic_claim(void);         // the pending IRQ for this hart, or 0
void plic_complete(int irq);

#endif
