// Strict format checking for faultline's own programs: include this after user/user.h.
// It redeclares printf and fprintf with GCC's format attribute (a later declaration may
// add attributes), so that -Wall -Werror turns every mismatch between a format string and
// its arguments into an error. user/user.h leaves the attribute out on purpose: programs
// written for xv6 contain slips xv6 accepts, and they must build here unchanged.
#ifndef FAULTLINE_PRINTF_CHECK_H
#define FAULTLINE_PRINTF_CHECK_H

void fprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
