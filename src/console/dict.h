/* dict.h - the console's dict type: insertion-ordered, keyed by the protocol's equality. */
#ifndef KUMO_CONSOLE_DICT_H
#define KUMO_CONSOLE_DICT_H

#include "console/object.h"

extern const cv_vtable cv_dict_type;

/* Set d[k] = v; takes ownership of both.  KUMO_OK or an error raised. */
int cv_dict_set(cv_ctx *c, cval *d, cval *k, cval *v);
/* Set d[key] = v with a str key; takes ownership of v. */
int cv_dict_sets(cv_ctx *c, cval *d, const char *key, cval *v);
/* Returns d[k] (borrowed) or NULL. */
cval *cv_dict_get(cval *d, cval *k);
/* KUMO_OK when k may key a dict; TypeError raised for a list or a dict ("unhashable"). */
int cv_dict_check_key(cv_ctx *c, cval *k);

#endif
