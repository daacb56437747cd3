/* pty.h - `kumo shell` on a pseudo-terminal for the tests: start it, read until a text
 * comes, end it. */
#ifndef KUMO_TEST_PTY_H
#define KUMO_TEST_PTY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct kumo_pty {
    pid_t pid;
    int fd;                     /* the terminal's master side */
    char buf[65536];            /* what it wrote since the last take, NUL-terminated */
    size_t len;
} kumo_pty;

/* Start $KUMO_BIN shell (make test sets it) on a new 200x40 terminal, TERM=xterm and each
 * "NAME=VALUE" of env (NULL-terminated, may be NULL) in its environment. */
void kumo_pty_shell(kumo_pty *t, const char *const *env);

/* Read until the output since the last take holds want: at most 30 s (a loaded machine, a
 * sanitizer build).  False when it did not come. */
bool kumo_pty_wait(kumo_pty *t, const char *want);

/* Wait at most 60 s for the shell's exit (a sanitizer's exit checks take a while), reading
 * what it still writes so that it never blocks on a full terminal, then close the terminal.
 * Its exit code, or -1 (killed when it did not end). */
int kumo_pty_end(kumo_pty *t);

#endif
