/* buf.c - growable byte buffers with a hard cap. */
#include "util/buf.h"

void kumo__buf_init(kumo_buf *b, size_t max, kumo_tag type, kumo_tag via)
{
    *b = (kumo_buf){.max = max ? max : SIZE_MAX - 1, .type = type, .via = via};
}

void kumo__buf_release(kumo_buf *b)
{
    kumo_free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

static int grow(kumo_buf *b, size_t n)
{
    if (n > b->max - b->len)
        return KUMO_ETOOBIG;
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return KUMO_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    b->s = kumo_realloc(b->s, cap, b->type, b->via);
    b->cap = cap;
    return KUMO_OK;
}

int kumo__buf_reserve(kumo_buf *b, size_t n)
{
    if (n > b->max - b->len)
        return KUMO_ETOOBIG;
    size_t need = b->len + n + 1;
    if (need > b->cap) {
        b->s = kumo_realloc(b->s, need, b->type, b->via);
        b->cap = need;
    }
    return KUMO_OK;
}

int kumo__buf_add(kumo_buf *b, const void *p, size_t n)
{
    int rc = grow(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->s + b->len, p, n);
    b->len += n;
    b->s[b->len] = '\0';
    return KUMO_OK;
}

int kumo__buf_adds(kumo_buf *b, const char *s)
{
    return kumo__buf_add(b, s, strlen(s));
}

int kumo__buf_addc(kumo_buf *b, char c)
{
    return kumo__buf_add(b, &c, 1);
}

int kumo__buf_printf(kumo_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return KUMO_EINVAL;
    if ((size_t)n < sizeof(small))
        return kumo__buf_add(b, small, (size_t)n);
    int rc = grow(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return KUMO_OK;
}

int kumo__buf_add_repr(kumo_buf *b, const kumo_ref *obj)
{
    char small[256];
    size_t n = kumo_ref_repr(obj, small, sizeof(small));
    if (n < sizeof(small))
        return kumo__buf_add(b, small, n);
    int rc = grow(b, n);
    if (rc)
        return rc;
    b->len += KUMO_MIN(n, kumo_ref_repr(obj, b->s + b->len, n + 1));
    b->s[b->len] = '\0';
    return KUMO_OK;
}

void kumo__buf_reset(kumo_buf *b)
{
    b->len = 0;
    if (b->s)
        b->s[0] = '\0';
}

char *kumo__buf_detach(kumo_buf *b, size_t *len)
{
    char *s = b->s ? b->s : kumo_strdup("", b->type, b->via);
    if (len)
        *len = b->len;
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

char *kumo__buf_detach_fit(kumo_buf *b, size_t *len)
{
    if (b->s && b->cap - (b->len + 1) > b->cap / 8) {
        b->s = kumo_realloc(b->s, b->len + 1, b->type, b->via);
        b->cap = b->len + 1;
    }
    return kumo__buf_detach(b, len);
}

const char *kumo__buf_str(const kumo_buf *b)
{
    return b->s ? b->s : "";
}
