// Driver for the 16550-compatible UART QEMU provides at UART0.
// Output goes through a small ring buffer drained by the transmit interrupt, so a
// writer sleeps instead of spinning while the line is busy.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/spinlock.h"
#include "kernel/proc.h"
#include "kernel/printf.h"
#include "kernel/console.h"
#include "kernel/uart.h"

// Register offsets (16550 data sheet).
#define RHR 0   // receive holding (read)
#define THR 0   // transmit holding (write)
#define DLL 0   // divisor latch low, while LCR_DLAB
#define IER 1   // interrupt enable
#define DLM 1   // divisor latch high, while LCR_DLAB
#define FCR 2   // FIFO control (write)
#define LCR 3   // line control
#define LSR 5   // line status

#define IER_RX     0x01
#define IER_TX     0x02
#define FCR_ENABLE 0x01
#define FCR_CLEAR  0x06   // reset both FIFOs
#define LCR_8N1    0x03
#define LCR_DLAB   0x80
#define LSR_RX_READY 0x01
#define LSR_TX_IDLE  0x20

// Its registers through the direct map (kernel/kaddr.h's pa2kva, spelled as a constant).
static volatile uchar *const uart = (volatile uchar *)(DIRECTMAP + UART0);

#define TXBUF 32
static struct spinlock tx_lock;
static char tx_buf[TXBUF];
static uint64 tx_w;   // next slot to fill
static uint64 tx_r;   // next slot to send

void uartinit(void)
{
  uart[IER] = 0;
  uart[LCR] = LCR_DLAB;
  uart[DLL] = 3;        // 38.4K baud; QEMU ignores the rate but real 16550s do not
  uart[DLM] = 0;
  uart[LCR] = LCR_8N1;
  uart[FCR] = FCR_ENABLE | FCR_CLEAR;
  uart[IER] = IER_RX | IER_TX;
  initlock(&tx_lock, "uart");
}

// Move buffered bytes into the transmitter while it has room. Caller holds tx_lock.
static void uart_kick(void)
{
  while (tx_r != tx_w && (uart[LSR] & LSR_TX_IDLE)) {
    uart[THR] = tx_buf[tx_r % TXBUF];
    tx_r++;
    wakeup(&tx_r);   // a writer may be waiting for space
  }
}

void uartputc(int c)
{
  acquire(&tx_lock);
  while (panicked)
    ;   // a hart has panicked and printed why: freeze so that message stays last
  while (tx_w == tx_r + TXBUF)
    sleep(&tx_r, &tx_lock);
  tx_buf[tx_w % TXBUF] = c;
  tx_w++;
  uart_kick();
  release(&tx_lock);
}

void uartputc_sync(int c)
{
  push_off();
  while (panicked)
    ;   // see uartputc
  while ((uart[LSR] & LSR_TX_IDLE) == 0)
    ;
  uart[THR] = c;
  pop_off();
}

// Receive everything that arrived, then refill the transmitter.
void uartintr(void)
{
  while (uart[LSR] & LSR_RX_READY)
    consoleintr(uart[RHR]);
  acquire(&tx_lock);
  uart_kick();
  release(&tx_lock);
}
