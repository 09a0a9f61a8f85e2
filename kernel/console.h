// The console device (major CONSOLE): line editing on input, UART on output.
#ifndef FAULTLINE_CONSOLE_H
#define FAULTLINE_CONSOLE_H

void consoleinit(void);
// Called by the UART interrupt handler for each received character.
void consoleintr(int c);
// Write one character, without sleeping (kernel printf uses this).
void consputc(int c);

#endif
