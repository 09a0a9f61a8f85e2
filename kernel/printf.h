// Kernel console output.
#ifndef FAULTLINE_PRINTF_H
#define FAULTLINE_PRINTF_H

void printfinit(void);
// Supports %d %u %x %p %s %c %%, with an optional l (64-bit) for d, u and x.
int  printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void panic(const char *msg) __attribute__((noreturn));

extern volatile int panicked;   // set once a hart panics: the others stop printing

#endif
