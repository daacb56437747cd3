/* complete.c - completion of the word before the cursor: names from the session, the
 * namespace and the language, attributes through the object protocol (dir()). */
#include "console/complete.h"
#include "console/namespace.h"
#include "console/object.h"
#include "select/pool.h"
#include <ctype.h>

#define WORD_MAX 256            /* bytes of the word completed */
#define CHAIN_MAX 16            /* names in a dotted chain */

/* The keywords and constants a line may start a word with. */
static const char *const keywords[] = {
    "False", "None", "True", "and", "else", "for", "from", "if", "import", "in", "is",
    "lambda", "not", "or", NULL,
};

/* The candidates found so far: base (the chain and its dot, or "") + a matching name. */
typedef struct found {
    char **v;                   /* owned, each owned */
    size_t n;
    const char *base;
    size_t blen;
    const char *prefix;         /* what the last name must start with */
    size_t plen;
} found;

static void add(found *f, const char *name)
{
    if (f->n >= KUMO_COMPLETE_MAX || strncmp(name, f->prefix, f->plen) != 0)
        return;
    if (name[0] == '_' && (f->plen == 0 || f->prefix[0] != '_'))
        return;
    if (!f->v)
        f->v = kumo_calloc(KUMO_COMPLETE_MAX, sizeof(char *), cv_tag(), KUMO_V_TEXT);
    size_t nlen = strlen(name);
    char *s = kumo_alloc(f->blen + nlen + 1, cv_tag(), KUMO_V_TEXT);
    memcpy(s, f->base, f->blen);
    memcpy(s + f->blen, name, nlen + 1);
    f->v[f->n++] = s;
}

static void add_entry(const cn_entry *e, void *ctx)
{
    add(ctx, e->name);
}

static bool is_word_byte(unsigned char ch)
{
    return isalnum(ch) || ch == '_' || ch == '.' || ch >= 0x80;
}

static bool is_name(const char *s, size_t n)
{
    if (n == 0 || isdigit((unsigned char)s[0]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_')
            return false;
    return true;
}

/* The value of name in the session, else in the namespace: a new reference, or NULL. */
static cval *lookup(cv_ctx *c, const char *name)
{
    struct kumo_repl *r = c->repl;
    for (size_t i = r->nvars; i-- > 0;)
        if (strcmp(r->names[i], name) == 0)
            return cv_ref(r->vals[i]);
    const cn_entry *e = cn_find(name);
    return e ? cn_value(c, e) : NULL;
}

/* The value of the chain chain[0..n) ("response.request"): a new reference, or NULL. */
static cval *resolve(cv_ctx *c, const char *chain, size_t n)
{
    char buf[WORD_MAX];
    memcpy(buf, chain, n);
    buf[n] = '\0';
    char *save, *name = strtok_r(buf, ".", &save);
    cval *v = name && is_name(name, strlen(name)) ? lookup(c, name) : NULL;
    size_t depth = 1;
    while (v && (name = strtok_r(NULL, ".", &save))) {
        cval *next = is_name(name, strlen(name)) && ++depth <= CHAIN_MAX
                         ? cv_getattr(c, v, name) : NULL;
        cv_unref(v);
        v = next;
    }
    return c->etype ? (cv_unref(v), NULL) : v;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t kumo__complete(struct kumo_repl *r, const char *line, size_t len, size_t *start,
                      char ***out)
{
    size_t at = len;
    while (at > 0 && len - at < WORD_MAX - 1 && is_word_byte((unsigned char)line[at - 1]))
        at--;
    *start = at;
    *out = NULL;
    const char *word = line + at;
    size_t wlen = len - at;
    if (at > 0 && is_word_byte((unsigned char)line[at - 1]))
        return 0;                   /* a word longer than any name */
    if (wlen && isdigit((unsigned char)word[0]))
        return 0;                   /* a number: 1.5, 1.e */
    const char *dot = memrchr(word, '.', wlen);
    found f = {.base = word, .blen = dot ? (size_t)(dot + 1 - word) : 0};
    f.prefix = word + f.blen;
    f.plen = wlen - f.blen;

    kumo_buf scratch;
    kumo__buf_init(&scratch, 4096, cv_tag(), KUMO_V_TEXT);
    cv_ctx c = {.repl = r, .crawler = r->crawler, .out = &scratch};
    size_t mark = kumo__pool_mark();
    if (!dot) {
        for (size_t i = 0; i < r->nvars; i++)
            add(&f, r->names[i]);
        cn_each(add_entry, &f);
        for (const char *const *k = keywords; *k; k++)
            add(&f, *k);
    } else {
        cval *v = resolve(&c, word, (size_t)(dot - word));
        cval *names = v ? cv_dir(&c, v) : NULL;
        for (size_t i = 0; names && i < names->u.seq.len; i++)
            if (names->u.seq.v[i]->type == CV_STR)
                add(&f, names->u.seq.v[i]->u.s.s);
        cv_unref(names);
        cv_unref(v);
    }
    kumo__pool_drain(mark);
    kumo__buf_release(&scratch);

    if (f.n > 1)
        qsort(f.v, f.n, sizeof(char *), cmp_str);
    size_t n = 0;
    for (size_t i = 0; i < f.n; i++) {
        if (n && strcmp(f.v[n - 1], f.v[i]) == 0)
            kumo_free(f.v[i]);
        else
            f.v[n++] = f.v[i];
    }
    if (n == 0) {
        kumo_free(f.v);
        f.v = NULL;
    }
    *out = f.v;
    return n;
}

void kumo__complete_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kumo_free(v[i]);
    kumo_free(v);
}
