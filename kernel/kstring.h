// Byte and string helpers for the kernel (there is no libc in here).
#ifndef FAULTLINE_KSTRING_H
#define FAULTLINE_KSTRING_H

#include "kernel/types.h"

void *memset(void *dst, int c, uint n);
int   memcmp(const void *a, const void *b, uint n);
void *memmove(void *dst, const void *src, uint n);
void *memcpy(void *dst, const void *src, uint n);   // the compiler may emit calls to it
int   strncmp(const char *p, const char *q, uint n);
char *strncpy(char *dst, const char *src, int n);
// Like strncpy, but always NUL-terminates dst (n > 0).
char *safestrcpy(char *dst, const char *src, int n);
int   strlen(const char *s);

#endif
