/* plugin.c - find spider plugins, dlopen them, check their ABI; order their components. */
#include "core/plugin.h"
#include "core/settings.h"
#include "core/spider.h"
#include "util/json.h"

#include <dirent.h>
#include <dlfcn.h>
#include <unistd.h>

#ifndef KUMO_SPIDER_LIBDIR
#define KUMO_SPIDER_LIBDIR "/usr/local/lib/kumo/spiders"
#endif

struct kumo_plugin {
    void *handle;
    const kumo_spider_def *def;
    char *path;
};

/*
 * The spiders of the running binary, into buf: "spiders" beside it (a build tree), else
 * "../lib/kumo/spiders" from it (an installed tree, whatever its PREFIX).  NULL when unknown.
 */
static const char *beside_binary(char *buf, size_t len)
{
    static const char *const rel[] = {"/spiders", "/../lib/kumo/spiders"};
    ssize_t n = readlink("/proc/self/exe", buf, len - 1);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    char *slash = strrchr(buf, '/');
    for (size_t i = 0; slash && i < KUMO_ARRAY_LEN(rel); i++) {
        if ((size_t)(slash - buf) + strlen(rel[i]) + 1 > len)
            return NULL;
        strcpy(slash, rel[i]);
        if (access(buf, R_OK) == 0)
            return buf;
    }
    return NULL;
}

/*
 * The search path, in order: $KUMO_SPIDER_DIR, ./spiders, spiders/ beside the kumo binary,
 * the installed directory.  Returns how many directories were written to dirs.
 */
static size_t search_dirs(const char **dirs, size_t max, char *envbuf, size_t envlen)
{
    static char exe_dir[PATH_MAX];
    size_t n = 0;
    const char *env = getenv("KUMO_SPIDER_DIR");
    if (env && *env) {
        snprintf(envbuf, envlen, "%s", env);
        for (char *save, *d = strtok_r(envbuf, ":", &save); d && n < max;
             d = strtok_r(NULL, ":", &save))
            dirs[n++] = d;
    }
    if (n < max)
        dirs[n++] = "spiders";
    const char *exe = beside_binary(exe_dir, sizeof(exe_dir));
    char here[PATH_MAX], there[PATH_MAX];
    bool same = exe && realpath("spiders", here) && realpath(exe, there) &&
                strcmp(here, there) == 0;
    if (exe && !same && n < max && access(exe, R_OK) == 0)
        dirs[n++] = exe;
    if (n < max)
        dirs[n++] = KUMO_SPIDER_LIBDIR;
    return n;
}

/* Load the plugin at path; messages name shown (the file the user wrote), else path. */
static int load(const char *path, const char *shown, kumo_plugin **out, char *err,
                size_t errlen)
{
    char full[PATH_MAX];
    if (!shown)
        shown = path;
    /* dlopen searches the library path for names without a slash: always give one. */
    snprintf(full, sizeof(full), "%s%s", strchr(path, '/') ? "" : "./", path);
    void *h = dlopen(full, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        snprintf(err, errlen, "cannot load spider '%s': %s", shown, why ? why : "unknown error");
        return access(full, F_OK) == 0 ? KUMO_EINVAL : KUMO_ENOENT;
    }
    const kumo_spider_def *def = dlsym(h, KUMO_ABI_STR(KUMO_SPIDER_SYMBOL));
    if (!def) {
        snprintf(err, errlen, "'%s' is not a kumo spider: it defines no KUMO_SPIDER (symbol "
                 "'%s')", shown, KUMO_ABI_STR(KUMO_SPIDER_SYMBOL));
        dlclose(h);
        return KUMO_EINVAL;
    }
    int rc = kumo__spider_def_check(def, shown, err, errlen);
    if (rc != KUMO_OK) {
        dlclose(h);
        return rc;
    }
    kumo_plugin *p = kumo_calloc(1, sizeof(*p), KUMO_T_SPIDER, KUMO_V_NONE);
    p->handle = h;
    p->def = def;
    p->path = kumo_strdup(path, KUMO_T_STR, KUMO_V_NONE);
    *out = p;
    return KUMO_OK;
}

static bool is_path(const char *spec)
{
    size_t n = strlen(spec);
    return strchr(spec, '/') || (n > 3 && strcmp(spec + n - 3, ".so") == 0);
}

typedef struct find_ctx {
    const char *name;
    char path[PATH_MAX];
    bool found;
} find_ctx;

static void find_fn(void *ctx, const kumo_spider_def *def, const char *path)
{
    find_ctx *f = ctx;
    if (!f->found && strcmp(def->name, f->name) == 0) {
        snprintf(f->path, sizeof(f->path), "%s", path);
        f->found = true;
    }
}

int kumo__plugin_open(const char *spec, kumo_plugin **out, char *err, size_t errlen)
{
    return kumo__plugin_open_as(spec, NULL, out, err, errlen);
}

int kumo__plugin_open_as(const char *spec, const char *shown, kumo_plugin **out, char *err,
                        size_t errlen)
{
    *out = NULL;
    if (is_path(spec))
        return load(spec, shown, out, err, errlen);
    const char *dirs[8];
    char envbuf[4096];
    size_t n = search_dirs(dirs, KUMO_ARRAY_LEN(dirs), envbuf, sizeof(envbuf));
    for (size_t i = 0; i < n; i++) {       /* the usual case: NAME.so holds spider NAME */
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s.so", dirs[i], spec);
        if (access(path, R_OK) != 0)
            continue;
        int rc = load(path, shown, out, err, errlen);
        if (rc != KUMO_OK)
            return rc;
        if (strcmp((*out)->def->name, spec) == 0)
            return KUMO_OK;
        kumo__plugin_close(*out);
        *out = NULL;
    }
    find_ctx f = {.name = spec};
    kumo__plugin_list(find_fn, NULL, &f);
    if (f.found)
        return load(f.path, shown, out, err, errlen);
    snprintf(err, errlen, "spider not found: %s (try 'kumo list')", spec);
    return KUMO_ENOENT;
}

const kumo_spider_def *kumo__plugin_def(const kumo_plugin *p)
{
    return p->def;
}

const char *kumo__plugin_path(const kumo_plugin *p)
{
    return p->path;
}

void kumo__plugin_close(kumo_plugin *p)
{
    if (!p)
        return;
    dlclose(p->handle);
    kumo_free(p->path);
    kumo_free(p);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void kumo__plugin_list(void (*fn)(void *ctx, const kumo_spider_def *def, const char *path),
                      void (*err_fn)(void *ctx, const char *msg), void *ctx)
{
    const char *dirs[8];
    char envbuf[4096];
    size_t n = search_dirs(dirs, KUMO_ARRAY_LEN(dirs), envbuf, sizeof(envbuf));
    for (size_t i = 0; i < n; i++) {
        DIR *d = opendir(dirs[i]);
        if (!d)
            continue;
        char *names[512];
        size_t k = 0;
        struct dirent *de;
        while ((de = readdir(d)) && k < KUMO_ARRAY_LEN(names)) {
            size_t len = strlen(de->d_name);
            if (len > 3 && strcmp(de->d_name + len - 3, ".so") == 0)
                names[k++] = kumo_strdup(de->d_name, KUMO_T_STR, KUMO_V_NONE);
        }
        closedir(d);
        qsort(names, k, sizeof(*names), by_name);
        for (size_t j = 0; j < k; j++) {
            char path[PATH_MAX], err[512];
            snprintf(path, sizeof(path), "%s/%s", dirs[i], names[j]);
            kumo_plugin *p;
            if (load(path, NULL, &p, err, sizeof(err)) == KUMO_OK) {
                fn(ctx, p->def, path);
                kumo__plugin_close(p);
            } else if (err_fn) {
                err_fn(ctx, err);
            }
            kumo_free(names[j]);
        }
    }
}

/* ---- component lists (Scrapy's build_component_list) ---- */

/* The candidate key names: its exact name, or for "scrapy.x.y.NameMiddleware" (Scrapy's
 * class path; scrapy-redis's "scrapy_redis.x.Name" too) the last part with or without
 * "Middleware".  n when none. */
static size_t find_component(const kumo_component *cands, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(cands[i].name, key) == 0)
            return i;
    if (strncmp(key, "scrapy.", 7) != 0 && strncmp(key, "scrapy_redis.", 13) != 0)
        return n;
    const char *last = strrchr(key, '.') + 1;
    size_t len = strlen(last);
    static const char suffix[] = "Middleware";
    size_t slen = sizeof(suffix) - 1;
    bool has_suffix = len > slen && strcmp(last + len - slen, suffix) == 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(cands[i].name, last) == 0)
            return i;
        if (has_suffix && strlen(cands[i].name) == len - slen &&
            strncmp(cands[i].name, last, len - slen) == 0)
            return i;
    }
    return n;
}

static int cmp_component(const void *a, const void *b)
{
    const kumo_component *x = a, *y = b;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

#define BAD_DICT "invalid %s: expected a JSON object {\"Name\": order|null}"

/* Apply the setting's pairs to cands: new orders, disabled[i], seen[i] (the key that
 * named it).  Returns KUMO_EINVAL with a message in err. */
static int apply_pairs(const kumo_value *val, const char *setting, const char *what,
                       kumo_component *cands, size_t n, bool *disabled, const char **seen,
                       char *err, size_t errlen)
{
    if (val->type != KUMO_VAL_LIST) {
        snprintf(err, errlen, BAD_DICT, setting);
        return KUMO_EINVAL;
    }
    for (size_t i = 0; i < val->u.list->len; i++) {
        const kumo_value *pair = &val->u.list->v[i];
        if (pair->type != KUMO_VAL_LIST || pair->u.list->len != 2 ||
            pair->u.list->v[0].type != KUMO_VAL_STR) {
            snprintf(err, errlen, BAD_DICT, setting);
            return KUMO_EINVAL;
        }
        const char *key = pair->u.list->v[0].u.str.s;
        const kumo_value *o = &pair->u.list->v[1];
        size_t j = find_component(cands, n, key);
        int64_t order;
        if (j == n) {
            snprintf(err, errlen, "unknown %s '%s' in %s", what, key, setting);
            return KUMO_EINVAL;
        }
        if (seen[j]) {
            snprintf(err, errlen, "'%s' and '%s' in %s name the same %s '%s'", seen[j], key,
                     setting, what, cands[j].name);
            return KUMO_EINVAL;
        }
        seen[j] = key;
        if (o->type == KUMO_VAL_NONE) {
            disabled[j] = true;
            continue;
        }
        if (o->type == KUMO_VAL_INT)
            order = o->u.i;
        else if (o->type == KUMO_VAL_FLOAT && o->u.f >= INT_MIN && o->u.f <= INT_MAX &&
                 o->u.f == (double)(int)o->u.f)
            order = (int)o->u.f;
        else
            order = INT64_MAX;
        if (order < INT_MIN || order > INT_MAX) {
            snprintf(err, errlen, "invalid order for %s '%s' in %s: expected an integer or "
                     "null", what, key, setting);
            return KUMO_EINVAL;
        }
        disabled[j] = order == -1;
        cands[j].order = (int)order;
    }
    return KUMO_OK;
}

int kumo__components_build(const kumo_settings *s, const char *setting, const char *what,
                          kumo_component *cands, size_t *n, char *err, size_t errlen)
{
    size_t len = *n;
    for (size_t i = 0; i < len; i++) {
        cands[i].index = i;
        for (size_t j = 0; j < i; j++) {
            if (strcmp(cands[i].name, cands[j].name) == 0) {
                snprintf(err, errlen, "two %ss named '%s'", what, cands[i].name);
                return KUMO_EINVAL;
            }
        }
    }
    const char *text = s ? kumo__settings_get(s, setting) : NULL;
    if (text && text[strspn(text, " \t\r\n")]) {
        kumo_value val;
        char msg[128];
        if (kumo__json_parse(text, strlen(text), &val, msg, sizeof(msg)) != KUMO_OK) {
            snprintf(err, errlen, "invalid %s: %s", setting, msg);
            return KUMO_EINVAL;
        }
        bool *disabled = kumo_calloc(len ? len : 1, sizeof(bool), KUMO_T_MIDDLEWARE,
                                     KUMO_V_DICT);
        const char **seen = kumo_calloc(len ? len : 1, sizeof(char *), KUMO_T_MIDDLEWARE,
                                        KUMO_V_DICT);
        int rc = apply_pairs(&val, setting, what, cands, len, disabled, seen, err, errlen);
        size_t m = 0;
        for (size_t i = 0; rc == KUMO_OK && i < len; i++)
            if (!disabled[i])
                cands[m++] = cands[i];
        kumo_free(seen);
        kumo_free(disabled);
        kumo_val_clear(&val);
        if (rc != KUMO_OK)
            return rc;
        len = m;
    }
    qsort(cands, len, sizeof(*cands), cmp_component);
    *n = len;
    return KUMO_OK;
}
