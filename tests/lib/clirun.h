/* clirun.h - run the kumo binary ($KUMO_BIN, set by make test) and read what it printed. */
#ifndef KUMO_CLIRUN_H
#define KUMO_CLIRUN_H

#include <stddef.h>

typedef struct kumo_clirun {
    int code;                   /* the exit code, -1 when it did not exit */
    char out[65536];            /* stdout, NUL-terminated (cut at the size) */
    char err[65536];            /* stderr, likewise */
} kumo_clirun;

/*
 * Run "cd DIR && ENV $KUMO_BIN ARGS" through the shell (dir and env may be NULL; args are
 * shell words, quote them) with KUMO_CONF=/dev/null unless env sets it, and fill r.
 * Returns r->code.
 */
int kumo_clirun_run(kumo_clirun *r, const char *dir, const char *env, const char *args);

#endif
