// Numbers in text (user/lib/number.c). Not in user/user.h, which keeps to xv6's names
// and faultline's system calls: a program written for xv6 may define these names itself.
// Include kernel/types.h first.
#ifndef FAULTLINE_USER_NUMBER_H
#define FAULTLINE_USER_NUMBER_H

// The number at s, decimal or hexadecimal after "0x" (digits 0-9, a-f); the digits end
// at the first character that is not one, which *end is set to (if end is not 0). No
// digits at all read as 0.
uint64 number_at(const char *s, const char **end);

// Each appends at d, NUL-terminates, and returns the new end (the NUL), so that calls
// chain: append_num(append_str(buf, "bufsize "), n, 10). The caller provides the room.
char *append_str(char *d, const char *s);
// n's digits in base 10 or 16; base 16 gets a "0x" prefix.
char *append_num(char *d, uint64 n, int base);

#endif
