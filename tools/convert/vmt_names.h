// Human names for the numbers in a recording (event types, fault causes and outcomes,
// sbrk policies, PTE bits), shared by every tool so that the converter's JSON, the
// checker's report and the command-line options all spell things the same way.
#ifndef FAULTLINE_VMT_NAMES_H
#define FAULTLINE_VMT_NAMES_H

#include <stddef.h>

#include "tracing/vmtrace_format.h"

// RISC-V Sv39 PTE permission bits as they appear in VMT_MAP/UNMAP's arg. Spelled out here
// because kernel/riscv.h carries RISC-V inline assembly that a host compiler must not see.
#define VMT_PTE_R 0x02
#define VMT_PTE_W 0x04
#define VMT_PTE_X 0x08
#define VMT_PTE_U 0x10
#define VMT_PTE_COW 0x100   // copy-on-write (kernel/riscv.h's PTE_COW, a software bit)

// Name of an event type ("fault_begin", "kalloc", ...), or NULL if out of range.
const char *vmt_type_name(unsigned type);
// The type named s, or 0 if there is none.
unsigned vmt_type_parse(const char *s, size_t n);

// Parses a comma-separated list of type names into a bit mask (bit t = type t). "fault"
// stands for fault_begin and fault_end, "all" for every type. Returns 0 on success, -1
// with the offending name copied into bad (NUL-terminated, truncated) otherwise.
int vmt_types_parse_list(const char *list, unsigned *mask, char *bad, size_t badlen);

const char *vmt_outcome_name(unsigned outcome);   // "mapped", ... or "unknown"
const char *vmt_source_name(unsigned source);     // "user", "kernel" or "unknown"
const char *vmt_access_name(unsigned access);     // "read", "write", "exec" or "unknown"
const char *vmt_cause_name(unsigned scause);      // "store page fault", ... or "other"
const char *vmt_policy_name(unsigned policy);     // "lazy", "eager" or "unknown"
const char *vmt_page_use_name(unsigned use);      // "data", "page table" or "unknown"

// Writes permission bits as "rwxu" with '-' for a clear bit; out must hold 5 bytes.
void vmt_perm_string(unsigned perm, char *out);

#endif
