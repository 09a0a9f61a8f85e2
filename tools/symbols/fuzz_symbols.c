// libFuzzer target for the ELF and DWARF readers: any bytes, loaded as an executable and
// looked up at a few addresses, must give a result or a clean refusal, never a crash or
// a sanitizer report.
#include <stddef.h>
#include <stdint.h>

#include "tools/symbols/symbols.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct sym_image im;
  char err[256], out[256];
  if (sym_load_mem(&im, data, size, err, sizeof err) < 0)
    return 0;
  uint64_t probes[] = { 0, 1, im.elf.text_lo, im.elf.text_hi - 1,
                        (im.elf.text_lo + im.elf.text_hi) / 2 };
  for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
    sym_format(&im, probes[i], out, sizeof out);
  for (size_t i = 0; i < im.funcs.n && i < 64; i++)
    sym_format(&im, im.funcs.func[i].lo, out, sizeof out);
  sym_free(&im);
  return 0;
}
