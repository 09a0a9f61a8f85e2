// File-system system calls: argument checking, file descriptors, and the directory
// operations (create, link, unlink) built on the inode layer.
//
// Every argument comes from user space and is checked before use; a bad one makes
// the call return -1 and leaves nothing changed. Any call that may write the disk
// runs its inode work between begin_op() and end_op(), and must leave the
// transaction on every path out.

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/stat.h"
#include "kernel/fs.h"
#include "kernel/fcntl.h"
#include "kernel/spinlock.h"
#include "kernel/sleeplock.h"
#include "kernel/proc.h"
#include "kernel/inode.h"
#include "kernel/log.h"
#include "kernel/file.h"
#include "kernel/pipe.h"
#include "kernel/exec.h"
#include "kernel/kalloc.h"
#include "kernel/kstring.h"
#include "kernel/printf.h"
#include "kernel/sysarg.h"
#include "kernel/usercopy.h"

// ---- File descriptors -------------------------------------------------------------

// Fetch argument n as a file descriptor that is open in this process.
// Returns 0 and sets *pfd and *pf (either may be 0 if not wanted), or -1.
static int
argfd(int n, int *pfd, struct file **pf)
{
  int fd;
  struct file *f;

  argint(n, &fd);
  if (fd < 0 || fd >= NOFILE)
    return -1;
  f = myproc()->ofile[fd];
  if (f == 0)
    return -1;
  if (pfd)
    *pfd = fd;
  if (pf)
    *pf = f;
  return 0;
}

// Install f in the lowest free descriptor. The caller's reference to f moves to the
// descriptor. Returns the descriptor, or -1 if the process has NOFILE open.
static int
fdalloc(struct file *f)
{
  struct proc *p = myproc();

  for (int fd = 0; fd < NOFILE; fd++) {
    if (p->ofile[fd] == 0) {
      p->ofile[fd] = f;
      return fd;
    }
  }
  return -1;
}

uint64
sys_dup(void)
{
  struct file *f;
  int fd;

  if (argfd(0, 0, &f) < 0)
    return -1;
  fd = fdalloc(f);
  if (fd < 0)
    return -1;
  filedup(f);
  return fd;
}

// Fetch the (fd, buffer, count) arguments shared by read and write.
static int
argrw(struct file **pf, uint64 *paddr, int *pn)
{
  if (argfd(0, 0, pf) < 0)
    return -1;
  argaddr(1, paddr);
  argint(2, pn);
  if (*pn < 0)
    return -1;
  return 0;
}

uint64
sys_read(void)
{
  struct file *f;
  uint64 addr;
  int n;

  if (argrw(&f, &addr, &n) < 0)
    return -1;
  return fileread(f, addr, n);
}

uint64
sys_write(void)
{
  struct file *f;
  uint64 addr;
  int n;

  if (argrw(&f, &addr, &n) < 0)
    return -1;
  return filewrite(f, addr, n);
}

uint64
sys_close(void)
{
  struct file *f;
  int fd;

  if (argfd(0, &fd, &f) < 0)
    return -1;
  myproc()->ofile[fd] = 0;
  fileclose(f);
  return 0;
}

uint64
sys_fstat(void)
{
  struct file *f;
  uint64 st;

  if (argfd(0, 0, &f) < 0)
    return -1;
  argaddr(1, &st);
  return filestat(f, st);
}

// ---- Directories ------------------------------------------------------------------

// Does directory dp hold nothing but "." and ".."? Caller holds dp's lock.
// An entry that cannot be read counts as present: refusing an unlink is safe,
// orphaning a directory's contents is not.
static int
dir_is_empty(struct inode *dp)
{
  struct dirent de;

  for (uint off = 2 * sizeof(de); off < dp->size; off += sizeof(de)) {
    if (readi(dp, 0, (uint64)&de, off, sizeof(de)) != sizeof(de))
      return 0;
    if (de.inum != 0)
      return 0;
  }
  return 1;
}

// Fill in a new directory ip (locked) with "." and "..", parent dp.
// "." does not count as a link to ip; ".." does count as a link to dp, which the
// caller adds once the new directory is linked into dp.
static int
dir_init(struct inode *ip, struct inode *dp)
{
  if (dirlink(ip, ".", ip->inum) < 0)
    return -1;
  if (dirlink(ip, "..", dp->inum) < 0)
    return -1;
  return 0;
}

// Make a new inode of type in dp (locked) under name, and link it there.
// Returns it locked, or 0 with nothing left allocated (a half-made inode is given
// nlink 0, so iput frees it).
static struct inode *
create_in(struct inode *dp, char *name, short type, short major, short minor)
{
  struct inode *ip = ialloc(dp->dev, type);

  if (ip == 0)
    return 0;   // out of inodes
  ilock(ip);
  ip->major = major;
  ip->minor = minor;
  ip->nlink = 1;
  iupdate(ip);

  if ((type == T_DIR && dir_init(ip, dp) < 0) || dirlink(dp, name, ip->inum) < 0) {
    ip->nlink = 0;
    iupdate(ip);
    iunlockput(ip);
    return 0;
  }
  if (type == T_DIR) {
    dp->nlink++;   // the new directory's ".."
    iupdate(dp);
  }
  return ip;
}

// Find or make path as an inode of type. An existing path is accepted only when
// opening a file with O_CREATE (type T_FILE) finds a file or device, as open(2)
// does; mkdir and mknod of an existing name fail. Must run inside a transaction.
// Returns the inode locked, or 0.
static struct inode *
create(char *path, short type, short major, short minor)
{
  char name[DIRSIZ];
  struct inode *dp, *ip;

  dp = nameiparent(path, name);
  if (dp == 0)
    return 0;
  ilock(dp);
  if (dp->nlink < 1) {
    // A removed directory someone still has as cwd: an entry made now would be lost
    // with its blocks when the directory is finally freed (found by sysfuzz -r rmcwd).
    iunlockput(dp);
    return 0;
  }

  ip = dirlookup(dp, name, 0);
  if (ip != 0) {
    iunlockput(dp);
    ilock(ip);
    if (type == T_FILE && (ip->type == T_FILE || ip->type == T_DEVICE))
      return ip;
    iunlockput(ip);
    return 0;
  }

  ip = create_in(dp, name, type, major, minor);
  iunlockput(dp);
  return ip;
}

// ---- link and unlink --------------------------------------------------------------

// Give the inode at old a second name, new. Directories cannot be linked (that
// would allow cycles), nor can names cross devices.
uint64
sys_link(void)
{
  char old[MAXPATH], new[MAXPATH], name[DIRSIZ];
  struct inode *ip, *dp;

  if (argstr(0, old, MAXPATH) < 0 || argstr(1, new, MAXPATH) < 0)
    return -1;

  begin_op();
  ip = namei(old);
  if (ip == 0) {
    end_op();
    return -1;
  }
  ilock(ip);
  if (ip->type == T_DIR) {
    iunlockput(ip);
    end_op();
    return -1;
  }
  // Count the link before making it, so a crash in between leaves an inode with too
  // many links (harmless) rather than a name for a freed inode.
  ip->nlink++;
  iupdate(ip);
  iunlock(ip);

  dp = nameiparent(new, name);
  if (dp != 0) {
    ilock(dp);
    // dp->nlink > 0: never link into a removed directory (see create).
    if (dp->dev == ip->dev && dp->nlink > 0 && dirlink(dp, name, ip->inum) == 0) {
      iunlockput(dp);
      iput(ip);
      end_op();
      return 0;
    }
    iunlockput(dp);
  }

  ilock(ip);
  ip->nlink--;
  iupdate(ip);
  iunlockput(ip);
  end_op();
  return -1;
}

// Remove the directory entry at byte offset off of dp (locked), and the link it held
// to ip (locked). Both stay locked.
static void
drop_entry(struct inode *dp, uint off, struct inode *ip)
{
  struct dirent empty;

  memset(&empty, 0, sizeof(empty));
  // The entry was just read at off, inside dp's size: rewriting it cannot fail
  // unless the file system is broken.
  if (writei(dp, 0, (uint64)&empty, off, sizeof(empty)) != sizeof(empty))
    panic("unlink: cannot clear directory entry");

  if (ip->type == T_DIR) {
    dp->nlink--;   // ip's ".." no longer points at dp
    iupdate(dp);
  }
  ip->nlink--;
  iupdate(ip);
}

uint64
sys_unlink(void)
{
  char path[MAXPATH], name[DIRSIZ];
  struct inode *dp, *ip;
  uint off;

  if (argstr(0, path, MAXPATH) < 0)
    return -1;

  begin_op();
  dp = nameiparent(path, name);
  if (dp == 0) {
    end_op();
    return -1;
  }
  ilock(dp);

  // "." and ".." are part of the directory itself, not names that can go.
  if (namecmp(name, ".") == 0 || namecmp(name, "..") == 0)
    goto refuse;
  ip = dirlookup(dp, name, &off);
  if (ip == 0)
    goto refuse;
  ilock(ip);
  if (ip->nlink < 1)
    panic("unlink: inode with no links");
  if (ip->type == T_DIR && !dir_is_empty(ip)) {
    iunlockput(ip);
    goto refuse;
  }

  drop_entry(dp, off, ip);
  iunlockput(ip);
  iunlockput(dp);
  end_op();
  return 0;

refuse:
  iunlockput(dp);
  end_op();
  return -1;
}

// ---- open, mkdir, mknod, chdir ----------------------------------------------------

// Let a device driver accept or refuse an open. Devices without an open hook accept.
static int
device_open(short major, int readable, int writable)
{
  if (devsw[major].open == 0)
    return 0;
  return devsw[major].open(readable, writable) < 0 ? -1 : 0;
}

// The inode for open(path, omode), locked, or 0. Must run inside a transaction.
static struct inode *
open_inode(char *path, int omode)
{
  struct inode *ip;

  if (omode & O_CREATE)
    return create(path, T_FILE, 0, 0);

  ip = namei(path);
  if (ip == 0)
    return 0;
  ilock(ip);
  return ip;
}

uint64
sys_open(void)
{
  char path[MAXPATH];
  int omode, fd, readable, writable;
  struct inode *ip;
  struct file *f;

  if (argstr(0, path, MAXPATH) < 0)
    return -1;
  argint(1, &omode);
  readable = !(omode & O_WRONLY);
  writable = (omode & O_WRONLY) || (omode & O_RDWR);

  begin_op();
  ip = open_inode(path, omode);
  if (ip == 0) {
    end_op();
    return -1;
  }
  // A directory changes only through mkdir/link/unlink, never by write().
  if (ip->type == T_DIR && (writable || (omode & O_TRUNC)))
    goto fail;
  if (ip->type == T_DEVICE && (ip->major < 0 || ip->major >= NDEV))
    goto fail;

  // Until f->type is set, fileclose(f) only frees the slot (see filealloc).
  f = filealloc();
  if (f == 0)
    goto fail;
  fd = fdalloc(f);
  if (fd < 0) {
    fileclose(f);
    goto fail;
  }
  if (ip->type == T_DEVICE && device_open(ip->major, readable, writable) < 0) {
    myproc()->ofile[fd] = 0;
    fileclose(f);
    goto fail;
  }

  // Nothing can fail from here on.
  if (ip->type == T_DEVICE) {
    f->type = FD_DEVICE;
    f->major = ip->major;
  } else {
    f->type = FD_INODE;
    f->off = 0;
  }
  f->ip = ip;
  f->readable = readable;
  f->writable = writable;
  if ((omode & O_TRUNC) && ip->type == T_FILE)
    itrunc(ip);

  iunlock(ip);
  end_op();
  return fd;

fail:
  iunlockput(ip);
  end_op();
  return -1;
}

// mkdir and mknod: make path as a new inode of type, and keep no reference to it.
static int
make_node(char *path, short type, short major, short minor)
{
  struct inode *ip;

  begin_op();
  ip = create(path, type, major, minor);
  if (ip == 0) {
    end_op();
    return -1;
  }
  iunlockput(ip);
  end_op();
  return 0;
}

uint64
sys_mkdir(void)
{
  char path[MAXPATH];

  if (argstr(0, path, MAXPATH) < 0)
    return -1;
  return make_node(path, T_DIR, 0, 0);
}

// Device numbers are stored on disk as shorts; refuse what would not survive that.
// Whether the major names a driver is checked at open, not here.
static int
fits_device_number(int v)
{
  return v >= 0 && v <= 0x7fff;
}

uint64
sys_mknod(void)
{
  char path[MAXPATH];
  int major, minor;

  if (argstr(0, path, MAXPATH) < 0)
    return -1;
  argint(1, &major);
  argint(2, &minor);
  if (!fits_device_number(major) || !fits_device_number(minor))
    return -1;
  return make_node(path, T_DEVICE, major, minor);
}

uint64
sys_chdir(void)
{
  char path[MAXPATH];
  struct inode *ip;
  struct proc *p = myproc();

  if (argstr(0, path, MAXPATH) < 0)
    return -1;

  begin_op();
  ip = namei(path);
  if (ip == 0) {
    end_op();
    return -1;
  }
  ilock(ip);
  if (ip->type != T_DIR) {
    iunlockput(ip);
    end_op();
    return -1;
  }
  iunlock(ip);
  // Putting the old cwd may free it (if it was unlinked), hence inside the transaction.
  iput(p->cwd);
  end_op();
  p->cwd = ip;
  return 0;
}

// ---- exec -------------------------------------------------------------------------

static void
free_args(char **argv)
{
  for (int i = 0; argv[i] != 0; i++)
    kfree(argv[i]);
}

// Copy the user's 0-terminated argv array (at user address uargv) into argv, one
// kalloc'd page per string. argv has room for MAXARG strings and the terminator and
// must start all zero. On failure the pages copied so far stay in argv, for the
// caller to free.
static int
fetch_args(uint64 uargv, char **argv)
{
  for (int i = 0; ; i++) {
    uint64 uarg;

    if (fetchaddr(uargv + i * sizeof(uint64), &uarg) < 0)
      return -1;
    if (uarg == 0)
      return 0;
    if (i == MAXARG)
      return -1;   // too many arguments
    argv[i] = kalloc();
    if (argv[i] == 0)
      return -1;
    if (fetchstr(uarg, argv[i], PGSIZE) < 0)
      return -1;
  }
}

uint64
sys_exec(void)
{
  char path[MAXPATH];
  char *argv[MAXARG + 1];
  uint64 uargv;
  int r = -1;

  if (argstr(0, path, MAXPATH) < 0)
    return -1;
  argaddr(1, &uargv);

  memset(argv, 0, sizeof(argv));
  if (fetch_args(uargv, argv) == 0)
    r = kexec(path, argv);
  free_args(argv);
  return r;
}

// ---- pipe -------------------------------------------------------------------------

// pipe(fds): make a pipe and store its read and write descriptors in the user's
// int fds[2]. On any failure neither descriptor stays open.
uint64
sys_pipe(void)
{
  uint64 ufds;
  struct file *rf, *wf;
  int fds[2];
  struct proc *p = myproc();

  argaddr(0, &ufds);
  if (pipealloc(&rf, &wf) < 0)
    return -1;

  fds[0] = fdalloc(rf);
  fds[1] = fds[0] < 0 ? -1 : fdalloc(wf);
  if (fds[1] < 0 ||
      copyout(p->pagetable, ufds, (char *)fds, sizeof(fds)) < 0) {
    if (fds[0] >= 0)
      p->ofile[fds[0]] = 0;
    if (fds[1] >= 0)
      p->ofile[fds[1]] = 0;
    fileclose(rf);
    fileclose(wf);
    return -1;
  }
  return 0;
}
