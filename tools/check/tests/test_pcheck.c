// Unit tests of the JSON writer, the strict JSON parser and the trace-event rules.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/check/json_parse.h"
#include "tools/convert/json_writer.h"
#include "tools/check/pcheck.h"
#include "tools/convert/tests/test_util.h"

// Text written by fn through a json writer.
static char *written(void (*fn)(struct jw *))
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  struct jw w;
  jw_init(&w, f);
  fn(&w);
  jw_flush(&w);
  jw_free(&w);
  fclose(f);
  return buf;
}

static void w_numbers(struct jw *w)
{
  jw_us(w, 0);
  jw_ch(w, ' ');
  jw_us(w, 1234567);
  jw_ch(w, ' ');
  jw_us(w, 5);
  jw_ch(w, ' ');
  jw_us(w, 1234500);
  jw_ch(w, ' ');
  jw_us(w, 1234560);
  jw_ch(w, ' ');
  jw_us(w, 1230000);
  jw_ch(w, ' ');
  jw_us(w, 100);
  jw_ch(w, ' ');
  jw_u64(w, 18446744073709551615ull);
  jw_ch(w, ' ');
  jw_i64(w, -42);
  jw_ch(w, ' ');
  jw_hex(w, 0);
  jw_hex(w, 0x80001000);
}

static void w_strings(struct jw *w)
{
  jw_str(w, "a\"b\\c\n\x01\x7f\xe9", 9);
}

static void w_big(struct jw *w)
{
  static char big[3 * JW_BUF];
  memset(big, 'x', sizeof big);
  jw_raw(w, big, sizeof big);
  for (int i = 0; i < 300000; i++)
    jw_lit(w, "0123456789");
}

static void writer(void)
{
  char *s = written(w_numbers);
  CHECK(strcmp(s, "0 1234.567 0.005 1234.5 1234.56 1230 0.1 18446744073709551615 -42 "
                   "\"0x0\"\"0x80001000\"") == 0, "numbers (no trailing zeros): %s", s);
  free(s);
  s = written(w_strings);
  CHECK(strcmp(s, "\"a\\\"b\\\\c\\u000a\\u0001\\u007f\xc3\xa9\"") == 0, "escapes: %s", s);
  free(s);
  s = written(w_big);
  CHECK(strlen(s) == 3 * JW_BUF + 3000000, "long output across buffer flushes");
  free(s);
}

static int parses(const char *text)
{
  struct jparser jp;
  struct jval *v;
  jp_init(&jp, text, strlen(text));
  int ok = jp_value(&jp, &v) == 0 && jp_peek(&jp) == -1;
  jp_free(&jp);
  return ok;
}

static void parser(void)
{
  static const char *const good[] = {
    "{}", "[]", "0", "-0.5e+3", "\"\\u00e9\\ud83d\\ude00\"", "{\"a\":[1,{\"b\":null}],\"c\":true}",
    "\"\xc3\xa9\xf0\x9f\x98\x80\"",
  };
  static const char *const bad[] = {
    "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", "\"\\x\"", "\"a\nb\"", "\"\xc3\"", "\"\xed\xa0\x80\"",
    "\"\\ud800\"", "tru", "{\"a\" 1}", "[1 2]", "\"\xc0\xaf\"", "{} {}", "",
  };
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
    CHECK(parses(good[i]), "rejected good JSON %s", good[i]);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    CHECK(!parses(bad[i]), "accepted bad JSON '%s'", bad[i]);
  struct jparser jp;
  struct jval *v;
  const char *text = "{\"k\":\"a\\u00e9\\n\",\"n\":12.5}";
  jp_init(&jp, text, strlen(text));
  CHECK(jp_value(&jp, &v) == 0, "parse");
  CHECK(jv_is_str(jv_get(v, "k"), "a\xc3\xa9\n") && jv_get(v, "n")->num == 12.5, "values");
  jp_free(&jp);
}

// Violations perfetto_check finds in a trace made of these events.
static size_t violations(const char *events)
{
  size_t len = strlen(events) + 32;
  char *doc = malloc(len), err[256];
  struct pcheck pc;
  snprintf(doc, len, "{\"traceEvents\":[%s]}", events);
  pcheck_init(&pc, "unit", 0);
  size_t v = pcheck_buffer(&pc, doc, strlen(doc), err, sizeof err) < 0 ? 1000 : pc.violations;
  pcheck_free(&pc);
  free(doc);
  return v;
}

#define X(ts, dur) "{\"ph\":\"X\",\"name\":\"s\",\"pid\":1,\"tid\":1,\"ts\":" #ts ",\"dur\":" #dur "}"

static void rules_clean(void)
{
  CHECK(violations("") == 0, "empty");
  CHECK(violations(X(1, 10) "," X(2, 3) "," X(5, 6) "," X(11, 1) "," X(1.5, 0)) == 0,
        "nested and adjacent slices");
  CHECK(violations("{\"ph\":\"B\",\"name\":\"a\",\"pid\":1,\"tid\":1,\"ts\":1},"
                   "{\"ph\":\"E\",\"pid\":1,\"tid\":1,\"ts\":2}") == 0, "B/E pair");
  CHECK(violations("{\"ph\":\"X\",\"name\":\"f\",\"pid\":1,\"tid\":1,\"ts\":1,\"dur\":2,"
                   "\"bind_id\":7,\"flow_out\":true},"
                   "{\"ph\":\"X\",\"name\":\"m\",\"pid\":2,\"tid\":2,\"ts\":2,\"dur\":0,"
                   "\"bind_id\":7,\"flow_in\":true}") == 0, "flow v2");
  CHECK(violations("{\"ph\":\"C\",\"name\":\"c\",\"pid\":1,\"ts\":1,\"args\":{\"v\":1.5}},"
                   "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":4294967295,"
                   "\"args\":{\"name\":\"x\"}},{\"ph\":\"I\",\"s\":\"g\",\"name\":\"i\","
                   "\"pid\":1,\"tid\":1,\"ts\":0}") == 0, "counter, metadata, global instant");
}

static void rules_broken(void)
{
  static const struct { const char *events, *why; } cases[] = {
    { X(1, 10) "," X(5, 10), "overlap on one track" },
    { "{\"ph\":\"I\",\"s\":\"t\",\"name\":\"i\",\"pid\":1,\"tid\":1,\"ts\":5}," X(1, 10) ","
      X(2, 10), "overlap, sorted by time first" },
    { "{\"ph\":\"X\",\"name\":\"x\",\"pid\":1,\"tid\":1,\"ts\":1}", "X without dur" },
    { "{\"ph\":\"B\",\"name\":\"a\",\"pid\":1,\"tid\":1,\"ts\":1}", "B without E" },
    { "{\"ph\":\"E\",\"pid\":1,\"tid\":1,\"ts\":1}", "E without B" },
    { "{\"ph\":\"B\",\"name\":\"a\",\"pid\":1,\"tid\":1,\"ts\":1},"
      "{\"ph\":\"E\",\"name\":\"b\",\"pid\":1,\"tid\":1,\"ts\":2}", "E closes another name" },
    { "{\"ph\":\"X\",\"name\":\"x\",\"pid\":-1,\"tid\":1,\"ts\":1,\"dur\":1}", "negative pid" },
    { "{\"ph\":\"X\",\"name\":\"x\",\"pid\":4294967296,\"tid\":1,\"ts\":1,\"dur\":1}",
      "pid past 2^32" },
    { "{\"ph\":\"X\",\"name\":\"x\",\"pid\":1.5,\"tid\":1,\"ts\":1,\"dur\":1}", "fractional pid" },
    { "{\"ph\":\"X\",\"name\":\"x\",\"pid\":\"1\",\"tid\":1,\"ts\":1,\"dur\":1}", "string pid" },
    { "{\"ph\":\"X\",\"name\":\"x\",\"pid\":1,\"tid\":1,\"ts\":-1,\"dur\":1}", "negative ts" },
    { "{\"ph\":\"X\",\"name\":\"x\",\"pid\":1,\"tid\":1,\"ts\":\"1\",\"dur\":1}", "string ts" },
    { "{\"ph\":\"C\",\"name\":\"c\",\"pid\":1,\"ts\":1,\"args\":{\"v\":\"3\"}}", "string counter" },
    { "{\"ph\":\"C\",\"name\":\"c\",\"pid\":1,\"ts\":1,\"args\":{}}", "empty counter" },
    { "{\"ph\":\"X\",\"name\":\"x\",\"pid\":1,\"tid\":1,\"ts\":1,\"dur\":1,"
      "\"args\":{\"bind_id\":3,\"flow_out\":true}}", "flow keys inside args" },
    { "{\"ph\":\"X\",\"name\":\"x\",\"pid\":1,\"tid\":1,\"ts\":1,\"dur\":1,\"bind_id\":3,"
      "\"flow_out\":true}", "flow that never ends" },
    { "{\"ph\":\"I\",\"name\":\"x\",\"pid\":1,\"tid\":1,\"ts\":1,\"bind_id\":3,"
      "\"flow_out\":true}", "flow on an instant" },
    { "{\"ph\":\"X\",\"name\":\"x\",\"pid\":1,\"tid\":1,\"ts\":5,\"dur\":1,\"bind_id\":3,"
      "\"flow_out\":true},{\"ph\":\"X\",\"name\":\"y\",\"pid\":1,\"tid\":1,\"ts\":1,\"dur\":1,"
      "\"bind_id\":3,\"flow_in\":true}", "flow ending before it starts" },
    { "{\"ph\":\"s\",\"id\":1,\"name\":\"x\",\"pid\":1,\"tid\":1,\"ts\":1},"
      "{\"ph\":\"f\",\"id\":1,\"name\":\"x\",\"pid\":1,\"tid\":1,\"ts\":2}", "v1 flow outside slices" },
    { "{\"ph\":\"X\",\"name\":\"x\",\"pid\":1,\"tid\":1,\"ts\":1,\"dur\":1,"
      "\"args\":{\"big\":9223372036854775808}}", "integer past 2^63" },
    { "{\"ph\":\"Q\",\"pid\":1,\"tid\":1,\"ts\":1}", "unknown phase" },
    { "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":1,\"args\":{}}", "unnamed thread" },
    { "{\"ph\":\"I\",\"s\":\"x\",\"name\":\"x\",\"pid\":1,\"tid\":1,\"ts\":1}", "bad scope" },
    { "[1]", "event that is not an object" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    CHECK(violations(cases[i].events) > 0, "not caught: %s", cases[i].why);
}

void tests_pcheck(void)
{
  t_run("json writer: numbers, hex, escapes, long output", writer);
  t_run("json parser: strict grammar, UTF-8, escapes", parser);
  t_run("perfetto_check: valid traces pass", rules_clean);
  t_run("perfetto_check: each rule catches its violation", rules_broken);
}
