/* fuzz_url.c - url canonicalisation, joining, kumo__url_safe and the helpers around them.
 * Input: base \0 href (without a NUL, the whole input is both). */
#include "fuzz.h"
#include "http/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = fuzz_in_make(data, size);
    char *a = fuzz_field(&in), *b = fuzz_field(&in);
    const char *href = b ? b : a;
    kumo__url_check(a);
    kumo_free(kumo__url_canonicalize(a));
    char *safe = kumo__url_safe(a);
    if (safe) {
        /* from a valid url, a valid url that comes back unchanged; as in w3lib, other
         * results may not ("http://://h:65536" loses its empty netloc, "/////x" two
         * slashes a turn) */
        char *again = kumo__url_safe(safe);
        if (kumo__url_check(a) == KUMO_OK && kumo__url_check(safe) == KUMO_OK)
            kumo_assert(again && strcmp(again, safe) == 0);
        kumo_free(again);
        kumo_free(kumo__url_canonicalize(safe));
    }
    kumo_free(safe);
    kumo_free(kumo_url_host(a));
    kumo_free(kumo__url_scheme(href));
    kumo_free(kumo__url_join(a, href));
    kumo_free(kumo__url_join("http://example.com/a/b;p?q#f", href));
    kumo_url_parts parts;
    kumo__url_fast_split(a, &parts);
    /* the fast path, where it answers, agrees with libcurl's */
    char *fast = kumo__url_fast_join(a, href);
    if (fast) {
        char *slow = kumo__url_join_curl(a, href);
        if (!slow || strcmp(fast, slow) != 0) {
            fprintf(stderr, "fast join '%s' + '%s': '%s', curl: '%s'\n", a, href, fast,
                    slow ? slow : "(null)");
            abort();
        }
        kumo_free(slow);
    }
    kumo_free(fast);
    free(a);
    free(b);
    return 0;
}
