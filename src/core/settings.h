/* settings.h - settings with priorities: defaults < conf file < spider < command line. */
#ifndef KUMO_SETTINGS_H
#define KUMO_SETTINGS_H

#include "kumo-int.h"
#include "util/buf.h"

typedef enum kumo_setting_prio {
    KUMO_PRIO_DEFAULT,
    KUMO_PRIO_CONF,         /* conf/kumo.conf */
    KUMO_PRIO_SPIDER,       /* the spider's .settings */
    KUMO_PRIO_CMDLINE,      /* -s KEY=VALUE, -o, --jobdir */
} kumo_setting_prio;

typedef enum kumo_setting_type {
    KUMO_SET_STR,
    KUMO_SET_INT,
    KUMO_SET_FLOAT,
    KUMO_SET_BOOL,
    KUMO_SET_LIST,          /* comma-separated, or a JSON list */
    KUMO_SET_DICT,          /* a JSON object: {"Retry": null, "UserAgent": 400} */
    KUMO_SET_AUTO_INT,      /* an integer >= 0 or "auto", which kumo__settings_int() reads
                             * as -1 (the reader decides what auto means) */
} kumo_setting_type;

/* One built-in setting: the defaults table in settings_defaults.c, also conf/kumo.conf. */
typedef struct kumo_setting_info {
    const char *name;
    kumo_setting_type type;
    const char *def;        /* default as text, NULL: unset */
    const char *doc;        /* one line */
} kumo_setting_info;

/* The built-in settings, {NULL}-terminated. */
extern const kumo_setting_info kumo__setting_infos[];

/* Returns a new settings object holding every default; free with kumo__settings_free(). */
kumo_settings *kumo__settings_new(void);
void kumo__settings_free(kumo_settings *s);

/*
 * Set name to value (copied) at prio; a lower prio never overrides a higher one.
 * Returns KUMO_EINVAL when value does not parse as the setting's type, with a one-line
 * message in err ("invalid value 'x' for RETRY_TIMES: expected an integer").
 * Unknown names are accepted (spiders and plugins have their own) as strings.
 */
int kumo__settings_set(kumo_settings *s, const char *name, const char *value,
                      kumo_setting_prio prio, char *err, size_t errlen);

/*
 * Read "KEY = value" lines ('#' comments, blank lines) from path at KUMO_PRIO_CONF.
 * Returns KUMO_ENOENT when path does not exist, KUMO_EINVAL with "path:line: ..." in err.
 */
int kumo__settings_load_file(kumo_settings *s, const char *path, char *err, size_t errlen);

/* Append conf/kumo.conf as generated from kumo__setting_infos: a header, then per setting
 * "# NAME (type): doc" and its commented-out default ("# NAME = default"). */
void kumo__settings_conf(kumo_buf *out);

/* The value as text, or NULL when unset.  Borrowed, valid until the setting changes. */
const char *kumo__settings_get(const kumo_settings *s, const char *name);

/* Returns the table row of a built-in setting, or NULL for any other name.  Borrowed. */
const kumo_setting_info *kumo__setting_info_find(const char *name);

/*
 * Typed reads of a built-in setting (its default lives only in kumo__setting_infos) or of a
 * name that was set: asking for any other name is a programming error (kumo_assert).
 * 0 / 0.0 / false when unset (values were checked at set time).
 */
int64_t kumo__settings_int(const kumo_settings *s, const char *name);
double kumo__settings_float(const kumo_settings *s, const char *name);
bool kumo__settings_bool(const kumo_settings *s, const char *name);

/*
 * Split a LIST setting into items (a JSON list or comma-separated text): returns how many,
 * storing at most max borrowed pointers into out... as new strings the caller frees with
 * kumo_free() each.
 */
size_t kumo__settings_list(const kumo_settings *s, const char *name, char **out, size_t max);

/* The whole LIST setting as a new array of new strings (NULL when empty), *n items; free
 * it with kumo__settings_list_free(). */
char **kumo__settings_list_dup(const kumo_settings *s, const char *name, size_t *n);
void kumo__settings_list_free(char **v, size_t n);

/*
 * For a DICT setting ({"Name": order|null}): returns 1 and sets *order when name is in it
 * with a number, 1 and *disabled = true with null, 0 when not mentioned.
 */
int kumo__settings_dict_order(const kumo_settings *s, const char *setting, const char *name,
                             int *order, bool *disabled);

/* Iterate every setting with a value, in name order: i from 0 until it returns 0. */
int kumo__settings_at(const kumo_settings *s, size_t i, const char **name, const char **value);

#endif
