/* fuzz.h - what every libFuzzer harness shares: the entry points, one global init and
 * teardown, and the input cut into NUL-terminated fields. */
#ifndef KUMO_FUZZ_H
#define KUMO_FUZZ_H

#include "kumo-int.h"
#include "select/css.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* At exit: drop the caches the selectors and classes keep, so that LeakSanitizer reports
 * only what an input really lost. */
static void fuzz_teardown(void)
{
    kumo__select_cleanup();
    kumo_class_cleanup();
}

/* Register the built-in classes (before any object exists), silence the log (a harness
 * feeds garbage on purpose: every refusal would be a line), clean up at exit. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    kumo_class_first();
    kumo__log_set_level((kumo_loglevel)(KUMO_LOG_CRITICAL + 10));
    atexit(fuzz_teardown);
    return 0;
}

/* The input cut at its NUL bytes: fuzz_field() returns the next field as a new
 * NUL-terminated string (free() it), or NULL when the input is used up. */
typedef struct fuzz_in {
    const uint8_t *p, *end;
} fuzz_in;

static inline fuzz_in fuzz_in_make(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, data + size};
    return in;
}

static inline char *fuzz_field(fuzz_in *in)
{
    if (!in->p || in->p > in->end)
        return NULL;
    const uint8_t *nul = memchr(in->p, '\0', (size_t)(in->end - in->p));
    size_t n = nul ? (size_t)(nul - in->p) : (size_t)(in->end - in->p);
    char *s = malloc(n + 1);
    if (!s)
        abort();
    memcpy(s, in->p, n);
    s[n] = '\0';
    in->p = nul ? nul + 1 : in->end + 1;
    return s;
}

/* The whole input as a new NUL-terminated string (free() it); NUL bytes inside end it. */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
    fuzz_in in = fuzz_in_make(data, size);
    return fuzz_field(&in);
}

#endif
