/* namespace.c - the console's namespace: the tables of names builtins.c and the views
 * register, help(), the modules `import` accepts, and classes and modules as values. */
#include "console/namespace.h"

/* ---------------------------------------------------------------- the registered names */

#define TABLES_MAX 16

typedef struct table {
    const cn_entry *tab;        /* borrowed */
    size_t n;
    int order;
} table;

static table tables[TABLES_MAX];
static size_t ntables;

void cn_register(const cn_entry *tab, size_t n, int order)
{
    for (size_t t = 0; t < ntables; t++)
        if (tables[t].tab == tab)
            return;
    kumo_assert(ntables < TABLES_MAX);
    size_t at = ntables;
    while (at > 0 && tables[at - 1].order > order) {
        tables[at] = tables[at - 1];
        at--;
    }
    tables[at] = (table){tab, n, order};
    ntables++;
}

void cn_each(void (*fn)(const cn_entry *e, void *ctx), void *ctx)
{
    for (size_t t = 0; t < ntables; t++)
        for (size_t i = 0; i < tables[t].n; i++)
            fn(&tables[t].tab[i], ctx);
}

const cn_entry *cn_find(const char *name)
{
    for (size_t t = 0; t < ntables; t++)
        for (size_t i = 0; i < tables[t].n; i++)
            if (!strcmp(tables[t].tab[i].name, name))
                return &tables[t].tab[i];
    return NULL;
}

cval *cn_value(cv_ctx *c, const cn_entry *e)
{
    if (e->fn)
        return cv_func(e->name, e->fn, NULL);
    if (e->cls)
        return cn_class(e->cls);
    return e->make(c);
}

cval *cn_help(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"obj"};
    cval *arg[1];
    if (cv_args_parse(c, "help", a, names, 1, 0, arg))
        return NULL;
    if (!arg[0]) {
        for (size_t t = 0; t < ntables; t++)
            for (size_t i = 0; i < tables[t].n; i++) {
                const cn_entry *b = &tables[t].tab[i];
                if (b->hidden)
                    continue;
                if (cv_writef(c, c->out, "%-34s %s\n", b->usage ? b->usage : b->name,
                              b->help))
                    return cv_none();
            }
        return cv_none();
    }
    cval *v = arg[0];
    if (v->type == CV_FUNC && !v->u.fn.self) {
        for (size_t t = 0; t < ntables; t++)
            for (size_t i = 0; i < tables[t].n; i++) {
                const cn_entry *b = &tables[t].tab[i];
                if (b->fn == v->u.fn.fn) {
                    cv_writef(c, c->out, "%s: %s\n", b->usage, b->help);
                    return cv_none();
                }
            }
    }
    cval *attrs = cv_dir(c, v);
    if (!attrs)
        return NULL;
    cv_writef(c, c->out, "%s object; attributes: ", cv_type_name(v));
    for (size_t i = 0; i < attrs->u.seq.len; i++)
        cv_writef(c, c->out, "%s%s", i ? ", " : "", attrs->u.seq.v[i]->u.s.s);
    cv_writes(c, c->out, attrs->u.seq.len ? "\n" : "(none)\n");
    cv_unref(attrs);
    return cv_none();
}

/* ---------------------------------------------------------------- classes */

/* Scrapy's module paths for the built-in classes (their repr). */
static const struct {
    const char *name, *path;
} class_paths[] = {
    {"Request", "scrapy.http.request.Request"},
    {"FormRequest", "scrapy.http.request.form.FormRequest"},
    {"JsonRequest", "scrapy.http.request.json_request.JsonRequest"},
    {"Response", "scrapy.http.response.Response"},
    {"TextResponse", "scrapy.http.response.text.TextResponse"},
    {"HtmlResponse", "scrapy.http.response.html.HtmlResponse"},
    {"XmlResponse", "scrapy.http.response.xml.XmlResponse"},
    {"Item", "scrapy.item.Item"},
    {"Selector", "scrapy.selector.unified.Selector"},
    {"SelectorList", "scrapy.selector.unified.SelectorList"},
    {"Spider", "scrapy.spiders.Spider"},
};

static void str_free(void *p)
{
    kumo_free(p);
}

static const char *class_tname(cval *self)
{
    return self->u.nat.p;
}

static int class_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    const char *name = self->u.nat.p;
    for (size_t i = 0; i < KUMO_ARRAY_LEN(class_paths); i++)
        if (!strcmp(class_paths[i].name, name))
            return cv_writef(c, b, "<class '%s'>", class_paths[i].path);
    return cv_writef(c, b, "<class '%s'>", name);
}

static cval *class_getattr(cv_ctx *c, cval *self, const char *name)
{
    if (!strcmp(name, "__name__"))
        return cv_str(self->u.nat.p);
    if (cn_class_of(self))
        return cv_raise(c, "AttributeError", "type object '%s' has no attribute '%s'",
                        cv_type_name(self), name);
    return NULL;
}

static cval *class_getitem(cv_ctx *c, cval *self, cval *key)
{
    if (cn_class_of(self))
        return cv_raise(c, "TypeError", "type '%s' is not subscriptable", cv_type_name(self));
    return cv_raise(c, "TypeError", "'%s' object is not subscriptable", cv_type_name(self));
}

static cval *class_call(cv_ctx *c, cval *self, const cv_args *a)
{
    return cv_raise(c, "TypeError", "cannot create '%s' instances from the console",
                    (const char *)self->u.nat.p);
}

static int class_same(cval *a, cval *b)
{
    return strcmp(a->u.nat.p, b->u.nat.p) == 0;
}

static const char *const class_attrs[] = {"__name__", NULL};
static const cv_vtable class_vt = {
    .name = "type", .tname = class_tname, .getattr = class_getattr, .getitem = class_getitem,
    .repr = class_repr, .call = class_call,
    .same = class_same, .free = str_free, .attrs = class_attrs,
};

cval *cn_class(kumo_class *cls)
{
    return cv_native(&class_vt, kumo_strdup(cls->name, cv_tag(), KUMO_V_NONE), NULL);
}

cval *cn_type_of(cval *v)
{
    return cv_native(&class_vt, kumo_strdup(cv_type_name(v), cv_tag(), KUMO_V_NONE), NULL);
}

bool cn_is_class(cval *v)
{
    return cv_type_of(v) == &class_vt;
}

kumo_class *cn_class_of(cval *v)
{
    if (!cn_is_class(v))
        return NULL;
    return kumo_class_find(v->u.nat.p);
}

bool cn_isinstance(cval *v, const kumo_class *cls)
{
    if (!cv_type_of(v)->ref)
        return false;
    kumo_class *own = kumo_class_find(cv_type_name(v));
    return own && kumo_class_is(own, cls);
}

/* ---------------------------------------------------------------- modules */

static cval *module_getattr(cv_ctx *c, cval *self, const char *name)
{
    const char *path = self->u.nat.p;
    char sub[256];
    snprintf(sub, sizeof(sub), "%s.%s", path, name);
    cval *m = cn_import_module(c, sub);
    if (m)
        return m;
    c->etype = NULL;
    cval *v = cn_import_name(c, path, name);
    if (v)
        return v;
    c->etype = NULL;
    return cv_raise(c, "AttributeError", "module '%s' has no attribute '%s'", path, name);
}

static int module_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    return cv_writef(c, b, "<module '%s'>", (const char *)self->u.nat.p);
}

static const cv_vtable module_vt = {
    .name = "module", .getattr = module_getattr, .repr = module_repr, .same = class_same,
    .free = str_free,
};

static cval *module_value(const char *path)
{
    return cv_native(&module_vt, kumo_strdup(path, cv_tag(), KUMO_V_NONE), NULL);
}

typedef struct module {
    const char *path;
    const char *const *names;       /* builtin names it exports, NULL-terminated */
} module;

#define NAMES(...) ((const char *const[]){__VA_ARGS__, NULL})
#define TRACKREF NAMES("print_live_refs", "format_live_refs", "get_oldest", "iter_all")
#define HTTP NAMES("Request", "FormRequest", "JsonRequest", "Response", "TextResponse", \
                   "HtmlResponse", "XmlResponse")

static const module modules[] = {
    {"scrapy", NAMES("Request", "FormRequest", "Spider", "Item", "Selector")},
    {"scrapy.utils", NAMES("trackref")},
    {"scrapy.utils.trackref", TRACKREF},
    {"scrapy.utils.engine", NAMES("print_engine_status")},
    {"scrapy.spiders", NAMES("Spider")},
    {"scrapy.http", HTTP},
    {"scrapy.item", NAMES("Item")},
    {"scrapy.selector", NAMES("Selector", "SelectorList")},
    {"scrapy.linkextractors", NAMES("LinkExtractor")},
    {"kumo", NAMES("Request", "FormRequest", "Spider", "Item", "Selector")},
    {"kumo.utils", NAMES("trackref")},
    {"kumo.utils.trackref", TRACKREF},
    {"kumo.utils.engine", NAMES("print_engine_status")},
    {"kumo.trackref", TRACKREF},
    {"kumo.spiders", NAMES("Spider")},
    {"kumo.http", HTTP},
    {"kumo.item", NAMES("Item")},
    {"kumo.selector", NAMES("Selector", "SelectorList")},
    {"kumo.linkextractors", NAMES("LinkExtractor")},
    {"kumo.mem", NAMES("hpy", "mem", "trim")},
    {"guppy", NAMES("hpy")},
};

static const module *module_find(const char *path)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(modules); i++)
        if (!strcmp(modules[i].path, path))
            return &modules[i];
    return NULL;
}

cval *cn_import_module(cv_ctx *c, const char *path)
{
    if (!module_find(path))
        return cv_raise(c, "ModuleNotFoundError", "No module named '%s'", path);
    return module_value(path);
}

cval *cn_import_name(cv_ctx *c, const char *path, const char *name)
{
    const module *m = module_find(path);
    if (!m)
        return cv_raise(c, "ModuleNotFoundError", "No module named '%s'", path);
    char sub[256];
    snprintf(sub, sizeof(sub), "%s.%s", path, name);
    for (const char *const *n = m->names; *n; n++) {
        if (strcmp(*n, name) != 0)
            continue;
        if (module_find(sub))
            return module_value(sub);
        const cn_entry *e = cn_find(name);
        if (e)
            return cn_value(c, e);
        break;      /* a view that is not registered */
    }
    if (module_find(sub))
        return module_value(sub);
    return cv_raise(c, "ImportError", "cannot import name '%s' from '%s'",
                    name, path);
}

int cn_import_star(cv_ctx *c, const char *path)
{
    const module *m = module_find(path);
    if (!m)
        return cv_raisei(c, "ModuleNotFoundError", "No module named '%s'", path);
    for (const char *const *n = m->names; *n; n++) {
        cval *v = cn_import_name(c, path, *n);
        if (!v || ce_var_set(c, *n, v))
            return KUMO_EINVAL;
    }
    return KUMO_OK;
}

/* ---------------------------------------------------------------- the evaluator's hook */

/* A name the session does not hold: a registered entry, or a class by name (a spider's
 * own class: QuotesSpider).  NULL without raising: neither. */
static cval *builtin(cv_ctx *c, const char *name)
{
    const cn_entry *e = cn_find(name);
    if (e)
        return cn_value(c, e);
    kumo_class *cls = kumo_class_find(name);
    return cls ? cn_class(cls) : NULL;
}

static const ce_names names = {
    .builtin = builtin,
    .import_module = cn_import_module,
    .import_name = cn_import_name,
    .import_star = cn_import_star,
};

void cn_init(void)
{
    ce_init();
    ce_set_names(&names);
}
