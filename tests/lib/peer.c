/* peer.c - loads the public conformance suites' case tables for the unit tests. */
#include "lib/peer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kumo-int.h"
#include "util/buf.h"
#include "util/json.h"

bool kumo_peer_load(const char *file, kumo_value *doc, const kumo_value **cases, char *why,
                    size_t whylen)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", KUMO_PEER_DIR, file);
    *doc = kumo_val_none();
    *cases = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, whylen, "cannot open '%s' (%s): suite not run", path, strerror(errno));
        return false;
    }
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        kumo__buf_add(&b, chunk, n);
    fclose(f);
    char err[128];
    int rc = kumo__json_parse(b.s, b.len, doc, err, sizeof(err));
    kumo__buf_release(&b);
    if (rc != KUMO_OK) {
        snprintf(why, whylen, "'%s' is not JSON: %s", path, err);
        return false;
    }
    const kumo_value *list = kumo__json_get(doc, "cases");
    if (!list || list->type != KUMO_VAL_LIST) {
        kumo_val_clear(doc);
        snprintf(why, whylen, "'%s' has no \"cases\" list", path);
        return false;
    }
    *cases = list;
    return true;
}

const char *kumo_peer_str(const kumo_value *c, const char *key, const char *def)
{
    const kumo_value *v = kumo__json_get(c, key);
    return v && v->type == KUMO_VAL_STR ? v->u.str.s : def;
}

bool kumo_peer_listed(const char *const *list, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], name) == 0)
            return true;
    return false;
}
