/* fuzz_cookies.c - Set-Cookie values and cookie dates through a cookie jar.
 * Input: Set-Cookie lines (\n between them); the first is also parsed as a cookie date. */
#include "fuzz.h"
#include "http/cookiejar.h"

#define NOW 1700000000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_str(data, size);
    int64_t t;
    kumo__cookie_date_parse(s, &t);
    kumo_cookiejar *jar = kumo__cookiejar_new();
    static const char *const urls[] = {"http://example.com/a/b", "https://sub.example.com/",
                                       "http://127.0.0.1:8080/x"};
    size_t i = 0;
    for (char *line = s, *next; line; line = next, i++) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        kumo__cookiejar_set(jar, urls[i % KUMO_ARRAY_LEN(urls)], line, NOW);
    }
    for (i = 0; i < KUMO_ARRAY_LEN(urls); i++)
        kumo_free(kumo__cookiejar_header(jar, urls[i], NOW + 3600));
    kumo_cookie_info info;
    for (i = 0; kumo__cookiejar_at(jar, i, &info); i++)
        ;
    kumo_assert(i == kumo__cookiejar_count(jar));
    kumo__cookiejar_free(jar);
    free(s);
    return 0;
}
