// A small strict JSON parser (RFC 8259) for checking trace files: values become a tree
// of nodes in an arena that is reset between trace events, so a large "traceEvents"
// array is checked one event at a time in memory proportional to one event.
#ifndef FAULTLINE_JSON_PARSE_H
#define FAULTLINE_JSON_PARSE_H

#include <stddef.h>

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jval {
  enum jtype type;
  int boolean;                  // J_BOOL
  int is_int;                   // J_NUM written without fraction or exponent
  double num;                   // J_NUM
  const char *text;             // J_NUM: its text in the input
  size_t textlen;
  char *str;                    // J_STR: decoded, NUL-terminated (may hold NULs)
  size_t len;
  const char *key;              // member of an object: its decoded key
  size_t keylen;
  struct jval *first, *next;    // J_ARR/J_OBJ children; next sibling
  size_t off;                   // input offset where the value starts
};

struct jarena {
  struct jblock *head;
};

struct jparser {
  const char *start, *p, *end;
  struct jarena arena;
  int depth;
  char err[160];                // "offset N: what is wrong"
};

void jp_init(struct jparser *jp, const char *buf, size_t len);
void jp_free(struct jparser *jp);
void jp_reset_arena(struct jparser *jp);  // forget every value parsed so far

// Parses one value at the current position into *out. 0, or -1 with jp->err set.
int jp_value(struct jparser *jp, struct jval **out);
// Skips whitespace; returns the next byte, or -1 at the end of input.
int jp_peek(struct jparser *jp);
// Consumes byte c (after whitespace) or fails with a message naming it.
int jp_expect(struct jparser *jp, char c);
int jp_fail(struct jparser *jp, const char *what);

const struct jval *jv_get(const struct jval *obj, const char *key);
int jv_is_str(const struct jval *v, const char *s);

#endif
