/* feed_repair.c - cut a JSON Lines feed torn by a kill back to its last newline, before a
 * resumed job appends to it. */
#include "pipeline/feed.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int kumo__feed_repair_jsonl(const char *path, size_t *dropped)
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
