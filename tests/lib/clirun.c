/* clirun.c - run the kumo binary with its stdout and stderr kept apart. */
#include "lib/clirun.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Read path into buf (n bytes with the NUL) and remove it. */
static void slurp(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "r");
    size_t len = f ? fread(buf, 1, n - 1, f) : 0;
    if (f)
        fclose(f);
    buf[len] = '\0';
    unlink(path);
}

int kumo_clirun_run(kumo_clirun *r, const char *dir, const char *env, const char *args)
{
    const char *bin = getenv("KUMO_BIN");
    cr_assert_not_null(bin, "make test sets KUMO_BIN");
    char abs[4096];
    if (bin[0] != '/') {
        cr_assert_not_null(getcwd(abs, sizeof(abs) - strlen(bin) - 2));
        strcat(abs, "/");
        strcat(abs, bin);
        bin = abs;
    }
    char out[64], err[64], cmd[16384];
    snprintf(out, sizeof(out), "/tmp/kumo-clirun-%d.out", (int)getpid());
    snprintf(err, sizeof(err), "/tmp/kumo-clirun-%d.err", (int)getpid());
    snprintf(cmd, sizeof(cmd), "cd '%s' && KUMO_CONF=/dev/null %s %s %s >%s 2>%s",
             dir ? dir : ".", env ? env : "", bin, args, out, err);
    int st = system(cmd);
    r->code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    slurp(out, r->out, sizeof(r->out));
    slurp(err, r->err, sizeof(r->err));
    return r->code;
}
