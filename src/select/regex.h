/* regex.h - Python-compatible regular expressions (PCRE2) for re(), re_first() and re:. */
#ifndef KUMO_REGEX_H
#define KUMO_REGEX_H

#include "kumo-int.h"

typedef struct kumo_regex kumo_regex;

/* Compile flags: Python's re.IGNORECASE. */
#define KUMO_RE_I 1u

/*
 * Returns the compiled pattern (Python re syntax, Unicode), compiling it on first use.
 * Borrowed, valid until the next kumo__regex_get() (the cache is flushed when it grows past
 * its cap) or kumo__regex_cleanup().  NULL when the pattern is invalid, with *error (may be
 * NULL) pointing at a one-line reason, static until the next call.
 */
const kumo_regex *kumo__regex_get(const char *pattern, unsigned flags, const char **error);

/* Called with each string found: s is not NUL-terminated. */
typedef void (*kumo_regex_emit)(void *ctx, const char *s, size_t n);

/*
 * parsel's extract_regex() without the entity step: the group named "extract" of the first
 * match when the pattern has one; else, for every match (Python's findall), the whole match
 * when there are no groups, or each group in order ("" when a group did not take part).
 */
void kumo__regex_extract(const kumo_regex *re, const char *s, size_t n, kumo_regex_emit emit,
                         void *ctx);

/* Python's findall() strings, groups joined (lxml's re:match with the 'g' flag). */
void kumo__regex_findall_joined(const kumo_regex *re, const char *s, size_t n,
                                kumo_regex_emit emit, void *ctx);

/* Python's search(): true when the pattern matches somewhere in s. */
bool kumo__regex_search(const kumo_regex *re, const char *s, size_t n);

/*
 * Python's search() then [group(0)] + groups(''): every group of the first match; returns
 * false (nothing emitted) when there is none.
 */
bool kumo__regex_search_groups(const kumo_regex *re, const char *s, size_t n,
                               kumo_regex_emit emit, void *ctx);

/*
 * Python's re.sub(pattern, repl, s, count) (count 0: all, negative: none) into a new string
 * (kumo_free): repl is Python's template (kumo_re_sub() in kumo/re.h), checked before any
 * search.  NULL when it is invalid: a group that does not exist, a bad escape (*error says).
 */
char *kumo__regex_sub(const kumo_regex *re, const char *repl, const char *s, size_t n,
                      int count, const char **error);

/* w3lib's replace_entities(s, keep=['lt', 'amp']) as parsel's re() applies it; appends to b. */
struct kumo_buf;
void kumo__replace_entities(const char *s, size_t n, struct kumo_buf *b);

/* w3lib's remove_comments(s): s[0..n) without its "<!--...-->" (an unclosed one runs to
 * the end), as a new string; NULL when s has no "<!--" (nothing to remove). */
char *kumo__remove_comments(const char *s, size_t n);

/* Free the pattern cache. */
void kumo__regex_cleanup(void);

/*
 * True when patterns may be JIT-compiled: always, unless the process runs under valgrind,
 * which cannot follow JIT code (it reports uninitialised reads in it).  Without JIT PCRE2
 * interprets: the same results, slower.
 */
bool kumo__regex_jit_ok(void);

/* Number of patterns cached (tests). */
size_t kumo__regex_cached(void);

#endif
