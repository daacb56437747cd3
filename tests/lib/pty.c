/* pty.c - `kumo shell` on a pseudo-terminal for the tests (pty.h). */
#include "pty.h"
#include <criterion/criterion.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void kumo_pty_shell(kumo_pty *t, const char *const *env)
{
    const char *bin = getenv("KUMO_BIN");
    cr_assert(bin, "KUMO_BIN is not set (run through make test)");
    struct winsize ws = {.ws_row = 40, .ws_col = 200};
    t->len = 0;
    t->buf[0] = '\0';
    t->pid = forkpty(&t->fd, NULL, NULL, &ws);
    cr_assert_neq(t->pid, -1);
    if (t->pid == 0) {
        setenv("TERM", "xterm", 1);
        for (size_t i = 0; env && env[i]; i++)
            putenv((char *)env[i]);
        execl(bin, "kumo", "shell", (char *)NULL);
        _exit(127);
    }
}

bool kumo_pty_wait(kumo_pty *t, const char *want)
{
    for (int i = 0; i < 300; i++) {
        t->buf[t->len] = '\0';
        if (strstr(t->buf, want))
            return true;
        struct pollfd p = {t->fd, POLLIN, 0};
        if (poll(&p, 1, 100) == 1) {
            ssize_t n = read(t->fd, t->buf + t->len, sizeof(t->buf) - 1 - t->len);
            if (n <= 0)
                return false;
            t->len += (size_t)n;
        }
    }
    return false;
}

int kumo_pty_end(kumo_pty *t)
{
    int st = -1;
    for (int i = 0; i < 1200 && waitpid(t->pid, &st, WNOHANG) == 0; i++) {
        struct pollfd p = {t->fd, POLLIN, 0};
        if (poll(&p, 1, 50) != 1)
            continue;
        size_t room = sizeof(t->buf) - 1 - t->len;
        ssize_t n = read(t->fd, t->buf + t->len, room ? room : 1);
        if (n > 0 && room)
            t->len += (size_t)n;
        else
            usleep(50000);
    }
    if (waitpid(t->pid, &st, WNOHANG) == 0) {
        kill(t->pid, SIGKILL);
        waitpid(t->pid, &st, 0);
    }
    close(t->fd);
    t->buf[t->len] = '\0';
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
