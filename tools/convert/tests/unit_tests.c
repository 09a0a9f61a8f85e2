// The tools' unit tests: one line per test (PASS/FAIL name), then a count. Built and run
// under AddressSanitizer and UBSan by make test-tools.
#include "tools/convert/tests/test_util.h"

void tests_reader(void);
void tests_convert(void);
void tests_expand(void);
void tests_cow(void);
void tests_thin(void);
void tests_compact(void);
void tests_pcheck(void);

int main(void)
{
  tests_reader();
  tests_convert();
  tests_expand();
  tests_cow();
  tests_thin();
  tests_compact();
  tests_pcheck();
  t_summary();
  return t_any_failed();
}
