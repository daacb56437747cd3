/* settings.c - settings with priorities, typed checks at set time, the conf file reader. */
#include "core/settings.h"
#include "util/json.h"

typedef struct entry {
    char *name;
    char *value;                /* NULL: unset */
    kumo_setting_type type;
    kumo_setting_prio prio;
} entry;

struct kumo_settings {
    entry *e;                   /* sorted by name */
    size_t len, cap;
};

#define T KUMO_T_SETTINGS

static int cmp_name(const void *key, const void *elem)
{
    return strcmp(key, ((const entry *)elem)->name);
}

static entry *find(const kumo_settings *s, const char *name)
{
    return bsearch(name, s->e, s->len, sizeof(entry), cmp_name);
}

static entry *insert(kumo_settings *s, const char *name, kumo_setting_type type)
{
    size_t i = 0;
    while (i < s->len && strcmp(s->e[i].name, name) < 0)
        i++;
    if (s->len == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->e = kumo_realloc(s->e, s->cap * sizeof(entry), T, KUMO_V_DICT);
    }
    memmove(&s->e[i + 1], &s->e[i], (s->len - i) * sizeof(entry));
    s->len++;
    s->e[i] = (entry){kumo_strdup(name, KUMO_T_STR, KUMO_V_DICT), NULL, type, KUMO_PRIO_DEFAULT};
    return &s->e[i];
}

kumo_settings *kumo__settings_new(void)
{
    kumo_settings *s = kumo_calloc(1, sizeof(*s), T, KUMO_V_NONE);
    for (const kumo_setting_info *i = kumo__setting_infos; i->name; i++) {
        entry *e = insert(s, i->name, i->type);
        if (i->def)
            e->value = kumo_strdup(i->def, KUMO_T_STR, KUMO_V_DICT);
    }
    return s;
}

void kumo__settings_free(kumo_settings *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->len; i++) {
        kumo_free(s->e[i].name);
        kumo_free(s->e[i].value);
    }
    kumo_free(s->e);
    kumo_free(s);
}

static bool parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"1", "true", "True", "TRUE", "yes", "on"};
    static const char *const no[] = {"0", "false", "False", "FALSE", "no", "off", ""};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(yes); i++)
        if (strcmp(v, yes[i]) == 0)
            return *out = true;
    for (size_t i = 0; i < KUMO_ARRAY_LEN(no); i++)
        if (strcmp(v, no[i]) == 0) {
            *out = false;
            return true;
        }
    return false;
}

static const char *check(kumo_setting_type type, const char *v)
{
    char *end;
    bool b;
    switch (type) {
    case KUMO_SET_INT:
        errno = 0;
        (void)strtoll(v, &end, 10);
        return *v && !*end && !errno ? NULL : "expected an integer";
    case KUMO_SET_AUTO_INT: {
        if (strcmp(v, "auto") == 0)
            return NULL;
        errno = 0;
        long long n = strtoll(v, &end, 10);
        return *v && !*end && !errno && n >= 0 ? NULL : "expected auto or an integer >= 0";
    }
    case KUMO_SET_FLOAT:
        errno = 0;
        (void)strtod(v, &end);
        return *v && !*end && !errno ? NULL : "expected a number";
    case KUMO_SET_BOOL:
        return parse_bool(v, &b) ? NULL : "expected 0, 1, true or false";
    case KUMO_SET_DICT: {
        kumo_value val;
        char msg[128];
        if (kumo__json_parse(v, strlen(v), &val, msg, sizeof(msg)))
            return "expected a JSON object such as {\"Name\": 100}";
        kumo_val_clear(&val);
        bool ok = v[strspn(v, " \t")] == '{';   /* objects parse to lists of pairs */
        return ok ? NULL : "expected a JSON object such as {\"Name\": 100}";
    }
    default:
        return NULL;
    }
}

int kumo__settings_set(kumo_settings *s, const char *name, const char *value,
                      kumo_setting_prio prio, char *err, size_t errlen)
{
    entry *e = find(s, name);
    kumo_setting_type type = e ? e->type : KUMO_SET_STR;
    const char *why = value ? check(type, value) : NULL;
    if (why) {
        snprintf(err, errlen, "invalid value '%s' for %s: %s", value, name, why);
        return KUMO_EINVAL;
    }
    if (!e)
        e = insert(s, name, KUMO_SET_STR);
    if (prio < e->prio)
        return KUMO_OK;
    kumo_free(e->value);
    e->value = value ? kumo_strdup(value, KUMO_T_STR, KUMO_V_DICT) : NULL;
    e->prio = prio;
    return KUMO_OK;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

int kumo__settings_load_file(kumo_settings *s, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
        return errno == ENOENT ? KUMO_ENOENT : KUMO_EIO;
    }
    char line[4096], msg[512];
    int lineno = 0, rc = KUMO_OK;
    while (rc == KUMO_OK && fgets(line, sizeof(line), f)) {
        lineno++;
        char *p = trim(line);
        if (!*p || *p == '#')
            continue;
        char *eq = strchr(p, '=');
        if (!eq) {
            snprintf(err, errlen, "%s:%d: expected 'NAME = value'", path, lineno);
            rc = KUMO_EINVAL;
            break;
        }
        *eq = '\0';
        char *name = trim(p), *value = trim(eq + 1);
        if (kumo__settings_set(s, name, value, KUMO_PRIO_CONF, msg, sizeof(msg))) {
            snprintf(err, errlen, "%s:%d: %s", path, lineno, msg);
            rc = KUMO_EINVAL;
        }
    }
    fclose(f);
    return rc;
}

const char *kumo__settings_get(const kumo_settings *s, const char *name)
{
    entry *e = find(s, name);
    return e ? e->value : NULL;
}

const kumo_setting_info *kumo__setting_info_find(const char *name)
{
    for (const kumo_setting_info *i = kumo__setting_infos; name && i->name; i++)
        if (strcmp(i->name, name) == 0)
            return i;
    return NULL;
}

/* The value of a name that must be known: a built-in (in the table, set or not) or one a
 * spider, the conf file or -s set.  Any other name is a programming error. */
static const char *known(const kumo_settings *s, const char *name)
{
    entry *e = find(s, name);
    if (!e)
        fprintf(stderr, "kumo: setting '%s' is neither built-in nor set\n", name);
    kumo_assert(e != NULL);
    return e->value;
}

int64_t kumo__settings_int(const kumo_settings *s, const char *name)
{
    const char *v = known(s, name);
    if (!v || !*v)
        return 0;
    if (strcmp(v, "auto") == 0)     /* KUMO_SET_AUTO_INT */
        return -1;
    char *end;
    long long n = strtoll(v, &end, 10);
    return *end ? 0 : n;
}

double kumo__settings_float(const kumo_settings *s, const char *name)
{
    const char *v = known(s, name);
    if (!v || !*v)
        return 0;
    char *end;
    double d = strtod(v, &end);
    return *end ? 0 : d;
}

bool kumo__settings_bool(const kumo_settings *s, const char *name)
{
    const char *v = known(s, name);
    bool b;
    return v && parse_bool(v, &b) ? b : false;
}

static size_t list_from_json(const char *v, char **out, size_t max)
{
    kumo_value val;
    char msg[64];
    size_t n = 0;
    if (kumo__json_parse(v, strlen(v), &val, msg, sizeof(msg)) || val.type != KUMO_VAL_LIST)
        return 0;
    for (size_t i = 0; i < val.u.list->len; i++) {
        const kumo_value *x = &val.u.list->v[i];
        char num[64];
        const char *s = NULL;
        if (x->type == KUMO_VAL_STR)
            s = x->u.str.s;
        else if (x->type == KUMO_VAL_INT)
            snprintf(num, sizeof(num), "%lld", (long long)x->u.i), s = num;
        else if (x->type == KUMO_VAL_FLOAT)
            snprintf(num, sizeof(num), "%g", x->u.f), s = num;
        if (!s)
            continue;
        if (n < max)
            out[n] = kumo_strdup(s, KUMO_T_STR, KUMO_V_NONE);
        n++;
    }
    kumo_val_clear(&val);
    return n;
}

size_t kumo__settings_list(const kumo_settings *s, const char *name, char **out, size_t max)
{
    const char *v = kumo__settings_get(s, name);
    if (!v)
        return 0;
    while (*v == ' ')
        v++;
    if (*v == '[')
        return list_from_json(v, out, max);
    size_t n = 0;
    while (*v) {
        size_t len = strcspn(v, ",");
        const char *a = v, *b = v + len;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        if (b > a) {
            if (n < max)
                out[n] = kumo_strndup(a, (size_t)(b - a), KUMO_T_STR, KUMO_V_NONE);
            n++;
        }
        v += len + (v[len] == ',');
    }
    return n;
}

char **kumo__settings_list_dup(const kumo_settings *s, const char *name, size_t *n)
{
    size_t want = kumo__settings_list(s, name, NULL, 0);
    *n = 0;
    if (!want)
        return NULL;
    char **v = kumo_calloc(want, sizeof(char *), KUMO_T_LIST, KUMO_V_NONE);
    *n = KUMO_MIN(kumo__settings_list(s, name, v, want), want);
    return v;
}

void kumo__settings_list_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kumo_free(v[i]);
    kumo_free(v);
}

int kumo__settings_dict_order(const kumo_settings *s, const char *setting, const char *name,
                             int *order, bool *disabled)
{
    const char *v = kumo__settings_get(s, setting);
    kumo_value val;
    char msg[64];
    int found = 0;
    *disabled = false;
    if (!v || kumo__json_parse(v, strlen(v), &val, msg, sizeof(msg)))
        return 0;
    if (val.type == KUMO_VAL_LIST) {
        for (size_t i = 0; i < val.u.list->len && !found; i++) {
            const kumo_value *pair = &val.u.list->v[i];
            if (pair->type != KUMO_VAL_LIST || pair->u.list->len != 2)
                continue;
            const kumo_value *k = &pair->u.list->v[0], *o = &pair->u.list->v[1];
            if (k->type != KUMO_VAL_STR || strcmp(k->u.str.s, name) != 0)
                continue;
            found = 1;
            if (o->type == KUMO_VAL_INT)
                *order = (int)o->u.i;
            else if (o->type == KUMO_VAL_FLOAT)
                *order = (int)o->u.f;
            else
                *disabled = true;
        }
    }
    kumo_val_clear(&val);
    return found;
}

int kumo__settings_at(const kumo_settings *s, size_t i, const char **name, const char **value)
{
    for (size_t j = 0; j < s->len; j++) {
        if (!s->e[j].value)
            continue;
        if (i-- == 0) {
            *name = s->e[j].name;
            *value = s->e[j].value;
            return 1;
        }
    }
    return 0;
}

/* The type names conf/kumo.conf gives each kumo_setting_type. */
static const char *const type_names[] = {
    [KUMO_SET_STR] = "string", [KUMO_SET_INT] = "integer", [KUMO_SET_FLOAT] = "number",
    [KUMO_SET_BOOL] = "bool",  [KUMO_SET_LIST] = "list",   [KUMO_SET_DICT] = "JSON object",
    [KUMO_SET_AUTO_INT] = "integer or auto",
};

void kumo__settings_conf(kumo_buf *out)
{
    kumo__buf_adds(out,
                  "# kumo.conf - every built-in setting with its default and one line of doc.\n"
                  "# Priority: built-in defaults < this file < the spider's settings < "
                  "-s NAME=VALUE.\n"
                  "# kumo reads $KUMO_CONF, else ./conf/kumo.conf, else "
                  "PREFIX/etc/kumo/kumo.conf.\n"
                  "# Lines are NAME = value; '#' starts a comment.  Uncomment a line to "
                  "change it.\n");
    for (const kumo_setting_info *i = kumo__setting_infos; i->name; i++) {
        kumo__buf_printf(out, "\n# %s (%s): %s\n# %s =", i->name, type_names[i->type], i->doc,
                        i->name);
        if (i->def)
            kumo__buf_printf(out, " %s", i->def);
        kumo__buf_addc(out, '\n');
    }
}
