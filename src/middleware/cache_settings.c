/* cache_settings.c - the HttpCache middleware's settings read into an http cache policy: the
 * policy (http) knows no settings. */
#include "middleware/cache_settings.h"
#include "kumo/plugin.h"

/* The items of list setting name as new strings (kumo_free() each, then the array), or
 * NULL with *n 0. */
static char **list_dup(kumo_crawler *c, const char *name, size_t *n)
{
    size_t want = kumo_crawler_setting_list(c, name, NULL, 0);
    *n = 0;
    if (!want)
        return NULL;
    char **v = kumo_calloc(want, sizeof(char *), KUMO_T_LIST, KUMO_V_NONE);
    *n = KUMO_MIN(kumo_crawler_setting_list(c, name, v, want), want);
    return v;
}

static void list_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kumo_free(v[i]);
    kumo_free(v);
}

int kumo__cache_policy_init(kumo_cache_policy *p, kumo_crawler *c, char *err, size_t errlen)
{
    memset(p, 0, sizeof(*p));
    const char *name = kumo_crawler_setting(c, "HTTPCACHE_POLICY");
    if (!name || !*name)
        name = "Dummy";
    if (kumo__cache_policy_kind_parse(name, &p->kind) != KUMO_OK) {
        snprintf(err, errlen, "unknown HTTPCACHE_POLICY '%s': expected Dummy or RFC2616", name);
        return KUMO_EINVAL;
    }
    p->always_store = kumo_crawler_setting_bool(c, "HTTPCACHE_ALWAYS_STORE");
    p->ignore_schemes = list_dup(c, "HTTPCACHE_IGNORE_SCHEMES", &p->nschemes);
    p->ignore_cc = list_dup(c, "HTTPCACHE_IGNORE_RESPONSE_CACHE_CONTROLS", &p->ncc);
    size_t ncodes;
    char **codes = list_dup(c, "HTTPCACHE_IGNORE_HTTP_CODES", &ncodes);
    p->ignore_codes = kumo_calloc(ncodes ? ncodes : 1, sizeof(int), KUMO_T_LIST, KUMO_V_DICT);
    int rc = KUMO_OK;
    for (size_t i = 0; i < ncodes; i++) {
        char *end;
        errno = 0;
        long v = strtol(codes[i], &end, 10);
        while (*end == ' ')
            end++;
        if (end == codes[i] || *end || errno || v < INT_MIN || v > INT_MAX) {
            snprintf(err, errlen, "invalid HTTPCACHE_IGNORE_HTTP_CODES entry '%s': expected "
                     "a status code", codes[i]);
            rc = KUMO_EINVAL;
            break;
        }
        p->ignore_codes[p->ncodes++] = (int)v;
    }
    list_free(codes, ncodes);
    if (rc != KUMO_OK)
        kumo__cache_policy_release(p);
    return rc;
}
