/* fs.h - small file-system helpers. */
#ifndef KUMO_FS_H
#define KUMO_FS_H

#include "kumo-int.h"

/* mkdir -p: create dir and its missing parents.  Returns 0, or the errno of the failure
 * (ENOTDIR when dir exists and is not a directory). */
int kumo__mkdirs(const char *dir);

#endif
