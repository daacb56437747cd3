/* value.c - typed values, small insertion-ordered maps, and the class hooks values use. */
#include "kumo-int.h"

kumo_value kumo_val_none(void)
{
    return (kumo_value){.type = KUMO_VAL_NONE};
}

kumo_value kumo_val_bool(int b)
{
    return (kumo_value){.type = KUMO_VAL_BOOL, .u.b = !!b};
}

kumo_value kumo_val_int(int64_t i)
{
    return (kumo_value){.type = KUMO_VAL_INT, .u.i = i};
}

kumo_value kumo_val_float(double f)
{
    return (kumo_value){.type = KUMO_VAL_FLOAT, .u.f = f};
}

kumo_value kumo_val_strn(const char *s, size_t len)
{
    kumo_value v = {.type = KUMO_VAL_STR};
    v.u.str.s = kumo_strndup(s, len, KUMO_T_STR, KUMO_V_DICT);
    v.u.str.len = len;
    return v;
}

kumo_value kumo_val_str(const char *s)
{
    return kumo_val_strn(s, strlen(s));
}

kumo_value kumo_val_obj(kumo_ref *obj)
{
    kumo_assert(obj && obj->cls);
    const kumo_class *c = obj->cls;
    while (c && !c->retain)
        c = c->parent;
    kumo_assert(c && "object values must be of a shared class");
    c->retain(obj);
    return (kumo_value){.type = KUMO_VAL_OBJ, .u.obj = obj};
}

kumo_value kumo_val_list(void)
{
    kumo_value v = {.type = KUMO_VAL_LIST};
    v.u.list = kumo_calloc(1, sizeof(*v.u.list), KUMO_T_LIST, KUMO_V_DICT);
    return v;
}

void kumo_val_list_push(kumo_value *list, kumo_value v)
{
    kumo_assert(list->type == KUMO_VAL_LIST);
    kumo_vlist *l = list->u.list;
    if (l->len == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 4;
        l->v = kumo_realloc(l->v, l->cap * sizeof(*l->v), KUMO_T_LIST, KUMO_V_DICT);
    }
    l->v[l->len++] = v;
}

static void release_obj(kumo_ref *obj)
{
    const kumo_class *c = obj->cls;
    while (c && !c->release)
        c = c->parent;
    kumo_assert(c);
    c->release(obj);
}

size_t kumo_ref_repr(const kumo_ref *obj, char *out, size_t cap)
{
    const kumo_class *c = obj->cls;
    while (c && !c->repr)
        c = c->parent;
    if (c)
        return c->repr(obj, out, cap);
    int n = snprintf(out, cap, "<%s>", obj->cls->name);
    return n < 0 ? 0 : (size_t)n;
}

bool kumo_val_holds_object(const kumo_value *v)
{
    if (v->type == KUMO_VAL_OBJ)
        return true;
    for (size_t i = 0; v->type == KUMO_VAL_LIST && i < v->u.list->len; i++)
        if (kumo_val_holds_object(&v->u.list->v[i]))
            return true;
    return false;
}

kumo_value kumo_val_copy(const kumo_value *v)
{
    switch (v->type) {
    case KUMO_VAL_STR:
        return kumo_val_strn(v->u.str.s, v->u.str.len);
    case KUMO_VAL_OBJ:
        return kumo_val_obj(v->u.obj);
    case KUMO_VAL_LIST: {
        kumo_value l = kumo_val_list();
        for (size_t i = 0; i < v->u.list->len; i++)
            kumo_val_list_push(&l, kumo_val_copy(&v->u.list->v[i]));
        return l;
    }
    default:
        return *v;
    }
}

void kumo_val_clear(kumo_value *v)
{
    switch (v->type) {
    case KUMO_VAL_STR:
        kumo_free(v->u.str.s);
        break;
    case KUMO_VAL_OBJ:
        release_obj(v->u.obj);
        break;
    case KUMO_VAL_LIST:
        for (size_t i = 0; i < v->u.list->len; i++)
            kumo_val_clear(&v->u.list->v[i]);
        kumo_free(v->u.list->v);
        kumo_free(v->u.list);
        break;
    default:
        break;
    }
    *v = kumo_val_none();
}

void kumo_map_init(kumo_map *m, uint16_t type, uint16_t via)
{
    *m = (kumo_map){.type = type, .via = via};
}

void kumo_map_release(kumo_map *m)
{
    for (size_t i = 0; i < m->len; i++) {
        kumo_free(m->e[i].key);
        kumo_val_clear(&m->e[i].val);
    }
    kumo_free(m->e);
    m->e = NULL;
    m->len = m->cap = 0;
}

static kumo_map_entry *find(const kumo_map *m, const char *key)
{
    for (size_t i = 0; i < m->len; i++)
        if (strcmp(m->e[i].key, key) == 0)
            return &m->e[i];
    return NULL;
}

void kumo_map_set(kumo_map *m, const char *key, kumo_value v)
{
    kumo_map_entry *e = find(m, key);
    if (e) {
        kumo_val_clear(&e->val);
        e->val = v;
        return;
    }
    if (m->len == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 4;
        m->e = kumo_realloc(m->e, m->cap * sizeof(*m->e), m->type, m->via);
    }
    m->e[m->len++] = (kumo_map_entry){kumo_strdup(key, KUMO_T_STR, m->via), v};
}

kumo_value *kumo_map_get(const kumo_map *m, const char *key)
{
    kumo_map_entry *e = find(m, key);
    return e ? &e->val : NULL;
}

int kumo_map_del(kumo_map *m, const char *key)
{
    kumo_map_entry *e = find(m, key);
    if (!e)
        return 0;
    kumo_free(e->key);
    kumo_val_clear(&e->val);
    size_t i = (size_t)(e - m->e);
    memmove(e, e + 1, (m->len - i - 1) * sizeof(*e));
    m->len--;
    return 1;
}

int64_t kumo_val_as_int(const kumo_value *v, int64_t def)
{
    if (!v)
        return def;
    if (v->type == KUMO_VAL_INT)
        return v->u.i;
    if (v->type == KUMO_VAL_FLOAT)
        return (int64_t)v->u.f;
    if (v->type == KUMO_VAL_BOOL)
        return v->u.b;
    return def;
}

int64_t kumo_map_get_int(const kumo_map *m, const char *key, int64_t def)
{
    return kumo_val_as_int(kumo_map_get(m, key), def);
}

const char *kumo_map_get_str(const kumo_map *m, const char *key, const char *def)
{
    const kumo_value *v = kumo_map_get(m, key);
    return v && v->type == KUMO_VAL_STR ? v->u.str.s : def;
}

void kumo_map_copy(kumo_map *dst, const kumo_map *src)
{
    for (size_t i = 0; i < src->len; i++)
        kumo_map_set(dst, src->e[i].key, kumo_val_copy(&src->e[i].val));
}

/* ---- who holds what: the references values hold (kumo_val_refs) ---- */

#define PLACE_MAX 256

/* Append Python's repr of key as a dict subscript, ['key'], to p (cut at PLACE_MAX). */
static size_t place_key(char *p, size_t len, const char *key)
{
    int n = snprintf(p + len, PLACE_MAX - len, "['");
    len = KUMO_MIN(PLACE_MAX - 1, len + (size_t)(n > 0 ? n : 0));
    for (const char *k = key; *k && len + 4 < PLACE_MAX; k++) {
        if (*k == '\'' || *k == '\\')
            p[len++] = '\\';
        p[len++] = *k;
    }
    n = snprintf(p + len, PLACE_MAX - len, "']");
    return KUMO_MIN(PLACE_MAX - 1, len + (size_t)(n > 0 ? n : 0));
}

static void val_refs(const kumo_value *v, char *place, size_t len, kumo_ref_visit_fn visit,
                     void *ctx)
{
    if (v->type == KUMO_VAL_OBJ) {
        visit(ctx, place, v->u.obj);
        return;
    }
    if (v->type != KUMO_VAL_LIST)
        return;
    for (size_t i = 0; i < v->u.list->len; i++) {
        int n = snprintf(place + len, PLACE_MAX - len, "[%zu]", i);
        size_t end = KUMO_MIN(PLACE_MAX - 1, len + (size_t)(n > 0 ? n : 0));
        val_refs(&v->u.list->v[i], place, end, visit, ctx);
        place[len] = '\0';
    }
}

void kumo_val_refs(const kumo_value *v, const char *place, kumo_ref_visit_fn visit, void *ctx)
{
    char p[PLACE_MAX];
    int n = snprintf(p, sizeof(p), "%s", place ? place : "");
    val_refs(v, p, KUMO_MIN(PLACE_MAX - 1, (size_t)(n > 0 ? n : 0)), visit, ctx);
}

void kumo_map_refs(const kumo_map *m, const char *prefix, kumo_ref_visit_fn visit, void *ctx)
{
    char p[PLACE_MAX];
    int n = snprintf(p, sizeof(p), "%s", prefix ? prefix : "");
    size_t base = KUMO_MIN(PLACE_MAX - 1, (size_t)(n > 0 ? n : 0));
    for (size_t i = 0; i < m->len; i++) {
        if (m->e[i].val.type != KUMO_VAL_OBJ && m->e[i].val.type != KUMO_VAL_LIST)
            continue;
        size_t len = place_key(p, base, m->e[i].key);
        p[len] = '\0';
        val_refs(&m->e[i].val, p, len, visit, ctx);
        p[base] = '\0';
    }
}
