// Replacing a process's image with an ELF program.
#ifndef FAULTLINE_EXEC_H
#define FAULTLINE_EXEC_H

// argv: kernel copies of the arguments, 0-terminated. Returns argc (the new program's a0),
// or -1 with the old image untouched.
int kexec(char *path, char **argv);

#endif
