/* feedrepair.c - on resume, cut a JSON Lines feed torn by a kill back to its last newline. */
#include "jobs/jobdb.h"
#include "core/settings.h"
#include "pipeline/feed.h"
#include "util/json.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOGGER "kumo.jobs"

int kumo_feed_repair_jsonl(const char *path, size_t *dropped)
{
    *dropped = 0;
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? KUMO_OK : KUMO_EIO;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return KUMO_OK;
    }
    off_t end = st.st_size, keep = 0;
    char chunk[64 * 1024];
    bool found = false;
    while (end > 0 && !found) {
        off_t from = end > (off_t)sizeof(chunk) ? end - (off_t)sizeof(chunk) : 0;
        ssize_t n = pread(fd, chunk, (size_t)(end - from), from);
        if (n != end - from) {
            close(fd);
            return KUMO_EIO;
        }
        for (ssize_t i = n; i-- > 0;) {
            if (chunk[i] == '\n') {
                keep = from + i + 1;
                found = true;
                break;
            }
        }
        end = from;
    }
    int rc = KUMO_OK;
    if (keep < st.st_size) {
        if (ftruncate(fd, keep) != 0)
            rc = KUMO_EIO;
        else
            *dropped = (size_t)(st.st_size - keep);
    }
    close(fd);
    return rc;
}

/* True when the FEEDS entry (path, options) is a JSON Lines file appended to. */
static bool appended_jsonl(const char *path, const kumo_value *opts)
{
    const char *format;
    bool overwrite;
    kumo_feed_options(opts, &format, &overwrite);
    if (overwrite || strcmp(path, "-") == 0)
        return false;
    if (!format) {
        const char *slash = strrchr(path, '/');
        const char *dot = strrchr(slash ? slash : path, '.');
        format = dot ? dot + 1 : "";
    }
    return strcmp(format, "jsonlines") == 0 || strcmp(format, "jsonl") == 0 ||
           strcmp(format, "jl") == 0;
}

void kumo_feed_repair_all(const kumo_settings *s)
{
    const char *feeds = kumo_settings_get(s, "FEEDS");
    kumo_value v;
    if (!feeds || kumo_json_parse(feeds, strlen(feeds), &v, NULL, 0) != KUMO_OK)
        return;
    for (size_t i = 0; v.type == KUMO_VAL_LIST && i < v.u.list->len; i++) {
        const kumo_value *pair = &v.u.list->v[i];
        if (pair->type != KUMO_VAL_LIST || pair->u.list->len != 2 ||
            pair->u.list->v[0].type != KUMO_VAL_STR)
            continue;
        const char *path = pair->u.list->v[0].u.str.s;
        if (!appended_jsonl(path, &pair->u.list->v[1]))
            continue;
        size_t dropped;
        if (kumo_feed_repair_jsonl(path, &dropped) != KUMO_OK)
            KUMO_ERROR(LOGGER, "cannot repair feed '%s': %s", path, strerror(errno));
        else if (dropped)
            KUMO_WARN(LOGGER, "Repaired feed '%s': dropped its torn last line (%zu bytes)",
                      path, dropped);
    }
    kumo_val_clear(&v);
}
