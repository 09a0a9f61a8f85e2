// The 16550 UART at UART0.
#ifndef FAULTLINE_UART_H
#define FAULTLINE_UART_H

void uartinit(void);
void uartputc(int c);        // may sleep until there is room in the transmit buffer
void uartputc_sync(int c);   // spins; usable with interrupts off
void uartintr(void);

#endif
