#include <stdio.h>
#include <string.h>

#include "tools/check/vmt_balance.h"

void bal_init(struct bal_check *k)
{
  memset(k, 0, sizeof *k);
}

// pid's entry, made on its first record; NULL for pid 0 or a full table.
static struct bal_proc *entry(struct bal_check *k, uint32 pid)
{
  if (!pid)
    return NULL;
  for (uint32 n = 0, i = pid * 2654435761u % BAL_PIDS; n < BAL_PIDS; n++, i = (i + 1) % BAL_PIDS) {
    if (k->proc[i].pid == pid)
      return &k->proc[i];
    if (!k->proc[i].pid) {
      k->proc[i] = (struct bal_proc){ .pid = pid };
      return &k->proc[i];
    }
  }
  return NULL;
}

void bal_record(struct bal_check *k, const struct vmt_record *r, uint64 off)
{
  struct bal_proc *p;
  if (r->type == VMT_LOST)
    k->lost = 1;
  else if (r->type == VMT_FORK && (p = entry(k, r->arg)) != NULL)
    p->born = 1;
  else if ((r->type == VMT_MAP || r->type == VMT_SHARE) && (p = entry(k, r->pid)) != NULL)
    p->pages += r->type == VMT_MAP ? 1 : (long long)r->b;
  else if (r->type == VMT_UNMAP && (p = entry(k, r->pid)) != NULL && --p->pages < 0 &&
           p->born && !k->bad_off) {
    k->bad_off = off;
    k->bad_pid = r->pid;
  }
}

int bal_finish(const struct bal_check *k, char *msg, size_t n)
{
  if (k->lost || !k->bad_off)
    return 0;
  snprintf(msg, n, "offset %llu: pid %u unmaps more pages than it mapped or was shared",
           (unsigned long long)k->bad_off, k->bad_pid);
  return -1;
}
