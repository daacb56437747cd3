/* kumo/re.h - Python's re on plain strings, for spider code: search, groups and sub. */
#ifndef KUMO_RE_H
#define KUMO_RE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Patterns are Python re syntax, translated to PCRE2 exactly as the selectors' re() does
 * (kumo/select.h): Unicode, so \w \d \s match non-ASCII letters, digits and spaces; \Z,
 * {,n}, \uXXXX and \UXXXXXXXX as Python reads them; inline flags (?i) (?m) (?s) (?x).
 * A pattern is compiled on first use and cached with the selectors' patterns (512 at most:
 * the cache starts over when it is full), so calling these in a loop compiles it once.
 *
 * Subjects are NUL-terminated UTF-8 (kumo_response_text(), a selector's text); one that is
 * not valid UTF-8 matches nowhere.  Offsets are in bytes, where Python counts characters.
 *
 * Errors: an invalid pattern (or replacement) logs one ERROR line naming it and why, and
 * sets *err (err may be NULL) to KUMO_ESYNTAX; otherwise *err is KUMO_OK.
 */

typedef struct kumo_re_match kumo_re_match;

/*
 * Python's re.search(pattern, s): the first match of pattern anywhere in s.  Returns a new
 * match that the caller frees with kumo_re_match_free() (it copies what it needs: s may
 * change or go afterwards), or NULL when pattern matches nowhere (*err KUMO_OK) or is
 * invalid (*err KUMO_ESYNTAX).
 */
kumo_re_match *kumo_re_search(const char *pattern, const char *s, int *err);

/*
 * Python's m.group(n) (0: the whole match) and m.group(name): the text of that group as a
 * NUL-terminated string.  Borrowed, valid until kumo_re_match_free().  NULL when the group
 * did not take part in the match (Python's None) or does not exist (Python raises).
 */
const char *kumo_re_match_group(const kumo_re_match *m, size_t n);
const char *kumo_re_match_named(const kumo_re_match *m, const char *name);

/* Python's len(m.groups()): how many groups the pattern has (0 for none). */
size_t kumo_re_match_groups(const kumo_re_match *m);

/*
 * Python's m.span(n) in bytes of s: true with *start and *end (either may be NULL) set,
 * or false when group n did not take part or does not exist.
 */
bool kumo_re_match_span(const kumo_re_match *m, size_t n, size_t *start, size_t *end);

/* Free a match from kumo_re_search(); NULL is ignored. */
void kumo_re_match_free(kumo_re_match *m);

/*
 * Python's re.sub(pattern, repl, s, count): s with the first count matches (0: all of them;
 * a negative count: none) replaced by repl.  repl is Python's template: \1..\99 and
 * \g<n> / \g<name> insert a group ("" when it did not take part), \g<0> the whole match,
 * \a \b \f \n \r \t \v \\ are escapes, \0 and three octal digits (\101) a character, any
 * other escaped character but an ASCII letter stays as it is ("\&" is two characters).
 * Empty matches count as in Python 3.7 and later (sub("x*", "-", "abc") is "-a-b-c-").
 * Returns a new string (kumo_free()), or NULL when pattern or repl is invalid (a group
 * that does not exist, \q, a trailing backslash): *err KUMO_ESYNTAX and an ERROR line.
 */
char *kumo_re_sub(const char *pattern, const char *repl, const char *s, int count, int *err);

#endif
