// libFuzzer target for the converter: any byte string goes through the whole pipeline
// (reader, merge, mapping, JSON writer). Bad input must be rejected cleanly; input that
// converts must give JSON that passes perfetto_check's rules, so the fuzzer also hunts
// for output that Perfetto or DevTools would mis-load. Built by `make fuzz-converter`.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tools/check/pcheck.h"
#include "tools/convert/vmt_convert.h"

// A small merge window so that late records (the merge's error path) are reachable.
#define FUZZ_WINDOW 64

static void check_output(const char *json, size_t len)
{
  struct pcheck pc;
  char err[256];
  pcheck_init(&pc, "fuzz output", 5);
  if (pcheck_buffer(&pc, json, len, err, sizeof err) < 0 || pc.violations) {
    fprintf(stderr, "converter output breaks the trace rules: %s\n", err);
    abort();
  }
  pcheck_free(&pc);
}

// The filters take their settings from the input's last bytes (which are still part of
// the recording), so that every filter path is fuzzed too.
static void pick_filter(const uint8_t *data, size_t size, struct vmt_filter *o)
{
  vmt_filter_all(o);
  if (size < 60)
    return;
  uint8_t how = data[size - 1], arg = data[size - 2];
  if (how & 1)
    o->pids[o->npids++] = arg & 7;
  if (how & 2)
    o->types &= 0x2a56u ^ (unsigned)arg << 3;
  if (how & 4) {
    o->from_ns = (uint64)arg * 100;
    o->to_ns = o->from_ns + (uint64)data[size - 3] * 1000;
  }
  if (how & 8)
    o->counter_ns = (uint64)data[size - 4] * 1000;   // counter thinning, up to 255 us
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static char empty[1];
  struct vmt_filter o;
  char *json = NULL, err[512];
  size_t len = 0;
  pick_filter(data, size, &o);
  // fmemopen refuses a zero-length buffer; an empty stream stands in for it.
  FILE *in = size ? fmemopen((void *)data, size, "rb") : fmemopen(empty, 1, "r");
  FILE *out = open_memstream(&json, &len);
  if (!in || !out)
    abort();
  if (!size)
    fgetc(in);
  int rc = vmt_convert(in, out, "fuzz", &o, FUZZ_WINDOW, err, sizeof err);
  fclose(out);
  fclose(in);
  if (rc == 0)
    check_output(json, len);
  free(json);
  return 0;
}
