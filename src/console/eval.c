/* eval.c - the console's evaluator: names, assignment, calls, comparisons, comprehensions
 * and import statements.  What a value can do is asked of the object protocol. */
#include "console/eval.h"
#include "console/dict.h"
#include "console/func.h"
#include "console/num.h"
#include "console/seq.h"
#include "console/str.h"

void ce_init(void)
{
    cv_type_register(CV_NONE, &cv_none_type);
    cv_type_register(CV_BOOL, &cv_bool_type);
    cv_type_register(CV_INT, &cv_int_type);
    cv_type_register(CV_FLOAT, &cv_float_type);
    cv_type_register(CV_STR, &cv_str_type);
    cv_type_register(CV_BYTES, &cv_bytes_type);
    cv_type_register(CV_LIST, &cv_list_type);
    cv_type_register(CV_TUPLE, &cv_tuple_type);
    cv_type_register(CV_DICT, &cv_dict_type);
    cv_type_register(CV_SLICE, &cv_slice_type);
    cv_type_register(CV_FUNC, &cv_func_type);
}

static const ce_names *names_of;

void ce_set_names(const ce_names *n)
{
    names_of = n;
}

static cval *eval(cv_ctx *c, ce_scope *sc, const cp_node *n);

/* ---------------------------------------------------------------- variables */

static cval *var_get(struct kumo_repl *r, const char *name)
{
    for (size_t i = 0; i < r->nvars; i++)
        if (strcmp(r->names[i], name) == 0)
            return r->vals[i];
    return NULL;
}

int ce_var_set(cv_ctx *c, const char *name, cval *v)
{
    struct kumo_repl *r = c->repl;
    for (size_t i = 0; i < r->nvars; i++)
        if (strcmp(r->names[i], name) == 0) {
            cval *old = r->vals[i];
            r->vals[i] = v;
            cv_unref(old);
            return KUMO_OK;
        }
    if (r->nvars >= CE_VARS_MAX) {
        cv_unref(v);
        return cv_raisei(c, "MemoryError", "too many variables in this session (max %d)",
                         CE_VARS_MAX);
    }
    if (r->nvars == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->names = kumo_realloc(r->names, r->cap * sizeof(*r->names), cv_tag(), KUMO_V_DICT);
        r->vals = kumo_realloc(r->vals, r->cap * sizeof(*r->vals), cv_tag(), KUMO_V_DICT);
    }
    r->names[r->nvars] = kumo_strdup(name, cv_tag(), KUMO_V_DICT);
    r->vals[r->nvars++] = v;
    return KUMO_OK;
}

static cval **scope_slot(ce_scope *sc, const char *name)
{
    for (; sc; sc = sc->up)
        for (size_t i = 0; i < sc->n; i++)
            if (strcmp(sc->names[i], name) == 0)
                return &sc->vals[i];
    return NULL;
}

static cval *lookup(cv_ctx *c, ce_scope *sc, const char *name)
{
    cval **slot = scope_slot(sc, name);
    if (slot) {
        if (!*slot)
            return cv_raise(c, "NameError", "cannot access free variable '%s'", name);
        return cv_ref(*slot);
    }
    cval *v = var_get(c->repl, name);
    if (v)
        return cv_ref(v);
    v = names_of ? names_of->builtin(c, name) : NULL;
    if (v || c->etype)
        return v;
    return cv_raise(c, "NameError", "name '%s' is not defined", name);
}

/* Returns 1, 0, or CV_RAISED. */
static int compare(cv_ctx *c, cp_op op, cval *a, cval *b)
{
    int r, cmp;
    switch (op) {
    case CP_OP_EQ:
        return cv_equal(c, a, b);
    case CP_OP_NE:
        r = cv_equal(c, a, b);
        return r < 0 ? r : !r;
    case CP_OP_IN:
        return cv_contains(c, b, a);
    case CP_OP_NOTIN:
        r = cv_contains(c, b, a);
        return r < 0 ? r : !r;
    case CP_OP_IS:
        return cv_is(a, b);
    case CP_OP_ISNOT:
        return !cv_is(a, b);
    default:
        if (cv_compare(c, a, b, cp_op_name(op), &cmp))
            return CV_RAISED;
        if (cmp == 2)
            return 0;       /* nan */
        return op == CP_OP_LT ? cmp < 0 : op == CP_OP_LE ? cmp <= 0 : op == CP_OP_GT ? cmp > 0
                                                                                      : cmp >= 0;
    }
}

/* ---------------------------------------------------------------- assignment */

static int assign(cv_ctx *c, ce_scope *sc, const cp_node *t, cval *v);

static int unpack(cv_ctx *c, ce_scope *sc, const cp_node *t, cval *v)
{
    cval *l = cv_iter_list(c, v);
    if (!l) {
        if (c->etype && !strcmp(c->etype, "TypeError")) {
            c->etype = NULL;
            cv_raise(c, "TypeError", "cannot unpack non-iterable %s object", cv_type_name(v));
        }
        return KUMO_EINVAL;
    }
    int rc = KUMO_OK;
    if (l->u.seq.len > t->nkids)
        rc = cv_raisei(c, "ValueError", "too many values to unpack (expected %zu)", t->nkids);
    else if (l->u.seq.len < t->nkids)
        rc = cv_raisei(c, "ValueError", "not enough values to unpack (expected %zu, got %zu)",
                       t->nkids, l->u.seq.len);
    for (size_t i = 0; !rc && i < t->nkids; i++)
        rc = assign(c, sc, t->kids[i], cv_ref(l->u.seq.v[i]));
    cv_unref(l);
    return rc;
}

/* Bind target t to v; takes ownership of v. */
static int assign(cv_ctx *c, ce_scope *sc, const cp_node *t, cval *v)
{
    int rc = KUMO_OK;
    cval *obj;
    switch (t->kind) {
    case CP_NAME: {
        cval **slot = scope_slot(sc, t->name);
        if (slot) {
            cv_unref(*slot);
            *slot = v;
            return KUMO_OK;
        }
        return ce_var_set(c, t->name, v);
    }
    case CP_TUPLE:
    case CP_LIST:
        rc = unpack(c, sc, t, v);
        break;
    case CP_ATTR:
        obj = eval(c, sc, t->kids[0]);
        if (obj) {
            rc = cv_raisei(c, "AttributeError", "'%s' object attribute '%s' is read-only in the "
                           "console", cv_type_name(obj), t->name);
            cv_unref(obj);
        }
        break;
    default:
        obj = eval(c, sc, t->kids[0]);
        if (obj) {
            rc = cv_raisei(c, "TypeError", "'%s' object does not support item assignment in the "
                           "console", cv_type_name(obj));
            cv_unref(obj);
        }
        break;
    }
    cv_unref(v);
    return c->etype ? KUMO_EINVAL : rc;
}

/* ---------------------------------------------------------------- comprehensions */

static void scope_names(ce_scope *sc, const cp_node *t)
{
    if (t->kind == CP_NAME) {
        for (size_t i = 0; i < sc->n; i++)
            if (strcmp(sc->names[i], t->name) == 0)
                return;
        if (sc->n == sc->cap) {
            sc->cap = sc->cap ? sc->cap * 2 : 4;
            sc->names = kumo_realloc(sc->names, sc->cap * sizeof(*sc->names), cv_tag(),
                                     KUMO_V_NONE);
            sc->vals = kumo_realloc(sc->vals, sc->cap * sizeof(*sc->vals), cv_tag(),
                                    KUMO_V_NONE);
        }
        sc->names[sc->n] = t->name;
        sc->vals[sc->n++] = NULL;
        return;
    }
    for (size_t i = 0; i < t->nkids; i++)
        scope_names(sc, t->kids[i]);
}

/* Run clause k of comprehension n and the ones after it, appending to out. */
static int comp_run(cv_ctx *c, ce_scope *sc, const cp_node *n, size_t k, cval *out)
{
    if (k == n->nkids) {
        cval *v = eval(c, sc, n->kids[0]);
        return v ? cv_seq_push(c, out, v) : KUMO_EINVAL;
    }
    const cp_node *cl = n->kids[k];
    if (cl->kind == CP_IF) {
        cval *cond = eval(c, sc, cl->kids[0]);
        if (!cond)
            return KUMO_EINVAL;
        int t = cv_truthy(c, cond);
        cv_unref(cond);
        if (t < 0)
            return KUMO_EINVAL;
        return t ? comp_run(c, sc, n, k + 1, out) : KUMO_OK;
    }
    cval *it = eval(c, sc, cl->kids[1]);
    if (!it)
        return KUMO_EINVAL;
    cval *items = cv_iter_list(c, it);
    cv_unref(it);
    if (!items)
        return KUMO_EINVAL;
    int rc = KUMO_OK;
    for (size_t i = 0; !rc && i < items->u.seq.len; i++) {
        if (++c->steps > CV_STEPS_MAX) {
            rc = cv_raisei(c, "RuntimeError", "evaluation step limit exceeded (%llu)",
                           (unsigned long long)CV_STEPS_MAX);
            break;
        }
        rc = assign(c, sc, cl->kids[0], cv_ref(items->u.seq.v[i]));
        if (!rc)
            rc = comp_run(c, sc, n, k + 1, out);
    }
    cv_unref(items);
    return rc;
}

static cval *listcomp(cv_ctx *c, ce_scope *up, const cp_node *n)
{
    ce_scope sc = {.up = up};
    for (size_t k = 1; k < n->nkids; k++)
        if (n->kids[k]->kind == CP_FOR)
            scope_names(&sc, n->kids[k]->kids[0]);
    cval *out = cv_list_new();
    int rc = comp_run(c, &sc, n, 1, out);
    for (size_t i = 0; i < sc.n; i++)
        cv_unref(sc.vals[i]);
    kumo_free(sc.names);
    kumo_free(sc.vals);
    if (rc) {
        cv_unref(out);
        return NULL;
    }
    return out;
}

/* ---------------------------------------------------------------- expressions */

static cval *call(cv_ctx *c, ce_scope *sc, const cp_node *n)
{
    cval *f = eval(c, sc, n->kids[0]);
    if (!f)
        return NULL;
    size_t nargs = n->nkids - 1;
    cval *stackv[8];
    cv_kw stackk[8];
    cval **v = nargs <= 8 ? stackv : kumo_alloc(nargs * sizeof(*v), cv_tag(), KUMO_V_NONE);
    cv_kw *kw = nargs <= 8 ? stackk : kumo_alloc(nargs * sizeof(*kw), cv_tag(), KUMO_V_NONE);
    cv_args a = {.v = v, .kw = kw};
    cval *r = NULL;
    for (size_t i = 1; i < n->nkids; i++) {
        const cp_node *arg = n->kids[i];
        cval *x = eval(c, sc, arg->kind == CP_KWARG ? arg->kids[0] : arg);
        if (!x)
            goto out;
        if (arg->kind == CP_KWARG)
            kw[a.nkw++] = (cv_kw){.name = arg->name, .v = x};
        else
            v[a.n++] = x;
    }
    r = cv_call(c, f, &a);
out:
    for (size_t i = 0; i < a.n; i++)
        cv_unref(v[i]);
    for (size_t i = 0; i < a.nkw; i++)
        cv_unref(kw[i].v);
    if (v != stackv)
        kumo_free(v);
    if (kw != stackk)
        kumo_free(kw);
    cv_unref(f);
    return r;
}

static cval *display(cv_ctx *c, ce_scope *sc, const cp_node *n, cval *out)
{
    for (size_t i = 0; i < n->nkids; i++) {
        cval *x = n->kids[i] ? eval(c, sc, n->kids[i]) : cv_none();
        if (!x || cv_seq_push(c, out, x)) {
            cv_unref(out);
            return NULL;
        }
    }
    return out;
}

static cval *dict_display(cv_ctx *c, ce_scope *sc, const cp_node *n)
{
    cval *d = cv_dict_new();
    for (size_t i = 0; i + 1 < n->nkids; i += 2) {
        cval *k = eval(c, sc, n->kids[i]);
        if (!k)
            goto fail;
        if (cv_dict_check_key(c, k)) {
            cv_unref(k);
            goto fail;
        }
        cval *v = eval(c, sc, n->kids[i + 1]);
        if (!v) {
            cv_unref(k);
            goto fail;
        }
        if (cv_dict_set(c, d, k, v))
            goto fail;
    }
    return d;
fail:
    cv_unref(d);
    return NULL;
}

static cval *eval(cv_ctx *c, ce_scope *sc, const cp_node *n)
{
    if (++c->steps > CV_STEPS_MAX)
        return cv_raise(c, "RuntimeError", "evaluation step limit exceeded (%llu)",
                        (unsigned long long)CV_STEPS_MAX);
    cval *a, *b, *r;
    int t;
    switch (n->kind) {
    case CP_CONST:
        return cv_ref(n->val);
    case CP_NAME:
        return lookup(c, sc, n->name);
    case CP_ATTR:
        a = eval(c, sc, n->kids[0]);
        if (!a)
            return NULL;
        r = cv_getattr(c, a, n->name);
        cv_unref(a);
        return r;
    case CP_CALL:
        return call(c, sc, n);
    case CP_INDEX:
        a = eval(c, sc, n->kids[0]);
        if (!a)
            return NULL;
        b = eval(c, sc, n->kids[1]);
        r = b ? cv_getitem(c, a, b) : NULL;
        cv_unref(a);
        cv_unref(b);
        return r;
    case CP_SLICE:
        return display(c, sc, n, cv_slice_new());
    case CP_BINOP:
        a = eval(c, sc, n->kids[0]);
        if (!a)
            return NULL;
        b = eval(c, sc, n->kids[1]);
        r = b ? cv_binop(c, n->op, a, b) : NULL;
        cv_unref(a);
        cv_unref(b);
        return r;
    case CP_UNARY:
        a = eval(c, sc, n->kids[0]);
        r = a ? cv_unary(c, n->op, a) : NULL;
        cv_unref(a);
        return r;
    case CP_NOT:
        a = eval(c, sc, n->kids[0]);
        if (!a)
            return NULL;
        t = cv_truthy(c, a);
        cv_unref(a);
        return t < 0 ? NULL : cv_bool(!t);
    case CP_AND:
    case CP_OR:
        for (size_t i = 0; i < n->nkids; i++) {
            a = eval(c, sc, n->kids[i]);
            if (!a || i + 1 == n->nkids)
                return a;
            t = cv_truthy(c, a);
            if (t < 0 || (n->kind == CP_AND ? !t : t))
                return t < 0 ? (cv_unref(a), NULL) : a;
            cv_unref(a);
        }
        return cv_none();
    case CP_CMP:
        a = eval(c, sc, n->kids[0]);
        for (size_t i = 1; a && i < n->nkids; i++) {
            b = eval(c, sc, n->kids[i]);
            if (!b) {
                cv_unref(a);
                return NULL;
            }
            t = compare(c, n->ops[i - 1], a, b);
            cv_unref(a);
            a = b;
            if (t <= 0) {
                cv_unref(a);
                return t < 0 ? NULL : cv_bool(0);
            }
        }
        if (!a)
            return NULL;
        cv_unref(a);
        return cv_bool(1);
    case CP_IFEXP:
        a = eval(c, sc, n->kids[0]);
        if (!a)
            return NULL;
        t = cv_truthy(c, a);
        cv_unref(a);
        if (t < 0)
            return NULL;
        return eval(c, sc, n->kids[t ? 1 : 2]);
    case CP_TUPLE:
        return display(c, sc, n, cv_tuple_new());
    case CP_LIST:
        return display(c, sc, n, cv_list_new());
    case CP_DICT:
        return dict_display(c, sc, n);
    case CP_LISTCOMP:
        return listcomp(c, sc, n);
    default:
        return cv_raise(c, "SyntaxError", "invalid syntax");
    }
}

/* ---------------------------------------------------------------- statements */

static cval *import_module(cv_ctx *c, const char *path)
{
    if (!names_of)
        return cv_raise(c, "ModuleNotFoundError", "No module named '%s'", path);
    return names_of->import_module(c, path);
}

static int import_from(cv_ctx *c, const cp_node *n)
{
    if (!names_of)
        return cv_raisei(c, "ModuleNotFoundError", "No module named '%s'", n->name);
    if (n->name2)
        return names_of->import_star(c, n->name);
    for (size_t i = 0; i < n->nkids; i++) {
        const cp_node *a = n->kids[i];
        cval *v = names_of->import_name(c, n->name, a->name);
        if (!v || ce_var_set(c, a->name2 ? a->name2 : a->name, v))
            return KUMO_EINVAL;
    }
    return KUMO_OK;
}

static int import(cv_ctx *c, const cp_node *n)
{
    for (size_t i = 0; i < n->nkids; i++) {
        const cp_node *a = n->kids[i];
        cval *full = import_module(c, a->name);
        if (!full)
            return KUMO_EINVAL;
        if (a->name2) {
            if (ce_var_set(c, a->name2, full))
                return KUMO_EINVAL;
            continue;
        }
        cv_unref(full);
        char top[128];
        snprintf(top, sizeof(top), "%.*s", (int)strcspn(a->name, "."), a->name);
        cval *m = import_module(c, top);
        if (!m || ce_var_set(c, top, m))
            return KUMO_EINVAL;
    }
    return KUMO_OK;
}

int ce_exec(cv_ctx *c, const cp_node *stmt, cval **result)
{
    *result = NULL;
    cval *v;
    switch (stmt->kind) {
    case CP_PASS:
        return KUMO_OK;
    case CP_EXPR:
        v = eval(c, NULL, stmt->kids[0]);
        if (!v)
            return KUMO_EINVAL;
        *result = v;
        return KUMO_OK;
    case CP_ASSIGN:
        if (stmt->op != CP_OP_NONE) {
            cval *old = eval(c, NULL, stmt->kids[0]);
            if (!old)
                return KUMO_EINVAL;
            cval *rhs = eval(c, NULL, stmt->kids[1]);
            v = rhs ? cv_binop(c, stmt->op, old, rhs) : NULL;
            cv_unref(old);
            cv_unref(rhs);
            if (!v)
                return KUMO_EINVAL;
            return assign(c, NULL, stmt->kids[0], v);
        }
        v = eval(c, NULL, stmt->kids[stmt->nkids - 1]);
        if (!v)
            return KUMO_EINVAL;
        for (size_t i = 0; i + 1 < stmt->nkids; i++)
            if (assign(c, NULL, stmt->kids[i], cv_ref(v))) {
                cv_unref(v);
                return KUMO_EINVAL;
            }
        cv_unref(v);
        return KUMO_OK;
    case CP_FROM:
        return import_from(c, stmt);
    case CP_IMPORT:
        return import(c, stmt);
    default:
        return cv_raisei(c, "SyntaxError", "invalid syntax");
    }
}
