/* fs.c - small file-system helpers. */
#include "util/fs.h"
#include <sys/stat.h>

int kumo__mkdirs(const char *dir)
{
    char *d = kumo_strdup(dir, KUMO_T_STR, KUMO_V_NONE);
    int rc = 0;
    for (char *p = d + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char ch = *p;
        *p = '\0';
        if (mkdir(d, 0777) != 0 && errno != EEXIST) {
            rc = errno;
            break;
        }
        *p = ch;
        if (ch == '\0')
            break;
    }
    kumo_free(d);
    struct stat st;
    if (rc == 0 && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)))
        rc = ENOTDIR;
    return rc;
}
