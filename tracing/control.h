// The control device /dev/vmtracectl (tracing/control.c): the commands that choose what
// is recorded and how, the status text, and tracing's set-up at boot.
#ifndef FAULTLINE_TRACE_CONTROL_H
#define FAULTLINE_TRACE_CONTROL_H

#include "kernel/types.h"

#ifdef FAULTLINE_NO_TRACE
static inline void trace_init(void) { }   // no trace devices at all
#else
struct spinlock;

void trace_init(void);        // boot, before tracing can be enabled

// Held by each control command, and by the reader device (tracing/vmtrace_dev.c) while
// it opens, closes, sleeps, drains or holds back a producer: a reset or disable cannot
// move the rings under a read, and a wakeup cannot fall between a test and a sleep.
extern struct spinlock trace_lock;
#endif

#endif
