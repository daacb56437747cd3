/* headers.c - Headers: ordered (name, value) pairs, names matched case-insensitively. */
#include "http/headers.h"

#define T KUMO_T_HEADERS
#define V KUMO_V_HEADERS

kumo_headers *kumo__headers_new(void)
{
    return kumo_calloc(1, sizeof(kumo_headers), T, V);
}

void kumo__headers_free(kumo_headers *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < 2 * h->len; i++)
        kumo_free(h->kv[i]);
    kumo_free(h->kv);
    kumo_free(h);
}

kumo_headers *kumo__headers_copy(const kumo_headers *h)
{
    if (!h)
        return NULL;
    kumo_headers *c = kumo__headers_new();
    for (size_t i = 0; i < h->len; i++)
        kumo_headers_add(c, h->kv[2 * i], h->kv[2 * i + 1]);
    return c;
}

const char *kumo_headers_get(const kumo_headers *h, const char *name)
{
    for (size_t i = 0; h && i < h->len; i++)
        if (strcasecmp(h->kv[2 * i], name) == 0)
            return h->kv[2 * i + 1];
    return NULL;
}

void kumo_headers_add(kumo_headers *h, const char *name, const char *value)
{
    if (h->len == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 8;
        h->kv = kumo_realloc(h->kv, 2 * h->cap * sizeof(*h->kv), T, V);
    }
    h->kv[2 * h->len] = kumo_strdup(name, KUMO_T_STR, V);
    h->kv[2 * h->len + 1] = kumo_strdup(value, KUMO_T_STR, V);
    h->len++;
}

void kumo_headers_set(kumo_headers *h, const char *name, const char *value)
{
    size_t j = 0;
    for (size_t i = 0; i < h->len; i++) {
        if (strcasecmp(h->kv[2 * i], name) == 0) {
            kumo_free(h->kv[2 * i]);
            kumo_free(h->kv[2 * i + 1]);
            continue;
        }
        h->kv[2 * j] = h->kv[2 * i];
        h->kv[2 * j + 1] = h->kv[2 * i + 1];
        j++;
    }
    h->len = j;
    if (value)
        kumo_headers_add(h, name, value);
}

size_t kumo_headers_count(const kumo_headers *h)
{
    return h ? h->len : 0;
}

void kumo_headers_at(const kumo_headers *h, size_t i, const char **name, const char **value)
{
    kumo_assert(h && i < h->len);
    *name = h->kv[2 * i];
    *value = h->kv[2 * i + 1];
}

size_t kumo__headers_bytes(const kumo_headers *h)
{
    size_t n = 0;
    for (size_t i = 0; h && i < h->len; i++)
        n += strlen(h->kv[2 * i]) + strlen(h->kv[2 * i + 1]) + 4;   /* ": " and CRLF */
    return n;
}

bool kumo__headers_add_line(kumo_headers *h, const char *line, size_t len)
{
    const char *colon = memchr(line, ':', len);
    if (!colon || colon == line)
        return false;
    const char *v = colon + 1, *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    char name[256];
    size_t nl = (size_t)(colon - line);
    if (nl >= sizeof(name))
        return false;
    memcpy(name, line, nl);
    name[nl] = '\0';
    char *value = kumo_strndup(v, (size_t)(end - v), KUMO_T_STR, V);
    kumo_headers_add(h, name, value);
    kumo_free(value);
    return true;
}
