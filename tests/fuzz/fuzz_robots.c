/* fuzz_robots.c - robots.txt parsing and matching.  Input: the robots.txt body; the urls and
 * agents asked are fixed, plus the body's first line as a path. */
#include "fuzz.h"
#include "http/robots.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kumo_robots *r = kumo__robots_parse((const char *)data, size);
    if (!r)
        return 0;
    static const char *const agents[] = {"kumo", "Googlebot", "*", ""};
    const uint8_t *nl = memchr(data, '\n', size);
    size_t n = nl ? (size_t)(nl - data) : size;
    char *url = malloc(n + 32);
    if (!url)
        abort();
    int len = snprintf(url, 32, "http://example.com/");
    memcpy(url + len, data, n);
    url[len + (int)n] = '\0';
    for (size_t i = 0; i < KUMO_ARRAY_LEN(agents); i++) {
        kumo__robots_allowed(r, agents[i], url);
        kumo__robots_allowed(r, agents[i], "http://example.com/a/b.html?x=1");
        kumo__robots_crawl_delay(r, agents[i]);
    }
    for (size_t i = 0; i < kumo__robots_sitemap_count(r); i++)
        kumo_assert(kumo__robots_sitemap(r, i));
    kumo__robots_rule_count(r);
    kumo__robots_size(r);
    free(url);
    kumo__robots_free(r);
    return 0;
}
