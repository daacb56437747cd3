/* lecases.c - LinkExtractor option sets from JSON and links as JSON, for the parity table. */
#include "lecases.h"
#include "util/json.h"

/* The process_value hooks of scripts/linkextractor-diff.py's HOOKS, in C. */
static char *hook_js(const char *value)
{
    kumo_re_match *m = kumo_re_search("javascript:goToPage\\('(.*?)'", value, NULL);
    char *r = kumo_strdup(m ? kumo_re_match_group(m, 1) : value, KUMO_T_STR, KUMO_V_URL);
    kumo_re_match_free(m);
    return r;
}

static char *hook_drop_skip(const char *value)
{
    return strstr(value, "skip") ? NULL : kumo_strdup(value, KUMO_T_STR, KUMO_V_URL);
}

static const char *const *list_of(lecase_opts *o, const kumo_value *v)
{
    size_t n = v->type == KUMO_VAL_LIST ? v->u.list->len : 1;
    const char **l = kumo_calloc(n + 1, sizeof(char *), KUMO_T_LIST, KUMO_V_NONE);
    for (size_t i = 0; i < n; i++) {
        const kumo_value *e = v->type == KUMO_VAL_LIST ? &v->u.list->v[i] : v;
        l[i] = e->type == KUMO_VAL_STR ? e->u.str.s : "";
    }
    kumo_assert(o->nlists < KUMO_ARRAY_LEN(o->lists));
    o->lists[o->nlists++] = l;
    return l;
}

int lecase_opts_from_json(const kumo_value *obj, lecase_opts *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof(*o));
    for (size_t i = 0; obj->type == KUMO_VAL_LIST && i < obj->u.list->len; i++) {
        const kumo_value *pair = &obj->u.list->v[i];
        const char *k = pair->u.list->v[0].u.str.s;
        const kumo_value *v = &pair->u.list->v[1];
        kumo_link_extractor *le = &o->le;
        if (strcmp(k, "allow") == 0)
            le->allow = list_of(o, v);
        else if (strcmp(k, "deny") == 0)
            le->deny = list_of(o, v);
        else if (strcmp(k, "allow_domains") == 0)
            le->allow_domains = list_of(o, v);
        else if (strcmp(k, "deny_domains") == 0)
            le->deny_domains = list_of(o, v);
        else if (strcmp(k, "restrict_xpaths") == 0)
            le->restrict_xpaths = list_of(o, v);
        else if (strcmp(k, "restrict_css") == 0)
            le->restrict_css = list_of(o, v);
        else if (strcmp(k, "restrict_text") == 0)
            le->restrict_text = list_of(o, v);
        else if (strcmp(k, "tags") == 0)
            le->tags = list_of(o, v);
        else if (strcmp(k, "attrs") == 0)
            le->attrs = list_of(o, v);
        else if (strcmp(k, "deny_extensions") == 0)
            le->deny_extensions = list_of(o, v);
        else if (strcmp(k, "canonicalize") == 0)
            le->canonicalize = v->u.b;
        else if (strcmp(k, "unique") == 0)
            le->unique = v->u.b ? KUMO_YES : KUMO_NO;
        else if (strcmp(k, "strip") == 0)
            le->strip = v->u.b ? KUMO_YES : KUMO_NO;
        else if (strcmp(k, "process_value") == 0 && v->type == KUMO_VAL_STR &&
                 (strcmp(v->u.str.s, "js") == 0 || strcmp(v->u.str.s, "drop_skip") == 0))
            le->process_value = strcmp(v->u.str.s, "js") == 0 ? hook_js : hook_drop_skip;
        else {
            snprintf(err, errlen, "unknown option or hook '%s'", k);
            lecase_opts_release(o);
            return KUMO_EINVAL;
        }
    }
    return KUMO_OK;
}

void lecase_opts_release(lecase_opts *o)
{
    for (size_t i = 0; i < o->nlists; i++)
        kumo_free(o->lists[i]);
    memset(o, 0, sizeof(*o));
}

void lecase_link_json(kumo_buf *b, const kumo_link *l)
{
    kumo__buf_addc(b, '[');
    kumo__json_str(b, l->url, strlen(l->url));
    kumo__buf_addc(b, ',');
    kumo__json_str(b, l->text, strlen(l->text));
    kumo__buf_addc(b, ',');
    kumo__json_str(b, l->fragment, strlen(l->fragment));
    kumo__buf_adds(b, l->nofollow ? ",true]" : ",false]");
}
