/* proc.c - the kumo binary as child processes (proc.h). */
#include "lib/proc.h"
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGS 48
#define MAX_PROCS 16

double kumo_proc_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void kumo_proc_start(kumo_proc *p, const char *const *args)
{
    const char *bin = getenv("KUMO_BIN");
    cr_assert(bin, "make test sets KUMO_BIN");
    const char *argv[MAX_ARGS + 2] = {bin};
    size_t n = 1;
    for (; args[n - 1]; n++) {
        cr_assert_lt(n, MAX_ARGS);
        argv[n] = args[n - 1];
    }
    argv[n] = NULL;
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        setenv("KUMO_CONF", "/dev/null", 1);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    *p = (kumo_proc){.pid = pid, .fd = fds[0]};
    kumo__buf_init(&p->log, 0, KUMO_T_STR, KUMO_V_NONE);
}

bool kumo_procs_read(kumo_proc *ps, size_t n, double deadline)
{
    struct pollfd pfd[MAX_PROCS];
    size_t idx[MAX_PROCS], k = 0;
    cr_assert_leq(n, MAX_PROCS);
    for (size_t i = 0; i < n; i++)
        if (!ps[i].eof) {
            pfd[k] = (struct pollfd){.fd = ps[i].fd, .events = POLLIN};
            idx[k++] = i;
        }
    double left = deadline - kumo_proc_now();
    if (k == 0 || left <= 0 || poll(pfd, k, (int)(left * 1000) + 1) <= 0)
        return false;
    for (size_t j = 0; j < k; j++) {
        if (!(pfd[j].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        kumo_proc *p = &ps[idx[j]];
        char chunk[8192];
        ssize_t r = read(p->fd, chunk, sizeof(chunk));
        if (r <= 0)
            p->eof = true;
        else
            kumo__buf_add(&p->log, chunk, (size_t)r);
    }
    return true;
}

size_t kumo_count_of(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *s = hay; (s = strstr(s, needle)); s += strlen(needle))
        n++;
    return n;
}

bool kumo_proc_wait_for(kumo_proc *p, const char *needle, size_t count, double timeout)
{
    double deadline = kumo_proc_now() + timeout;
    while (kumo_count_of(kumo__buf_str(&p->log), needle) < count)
        if (!kumo_procs_read(p, 1, deadline))
            return false;
    return true;
}

void kumo_procs_finish(kumo_proc *ps, size_t n, int *codes, double timeout)
{
    double deadline = kumo_proc_now() + timeout;
    for (;;) {
        bool open = false;
        for (size_t i = 0; i < n; i++)
            open |= !ps[i].eof;
        if (!open)
            break;
        if (!kumo_procs_read(ps, n, deadline) && kumo_proc_now() >= deadline) {
            for (size_t i = 0; i < n; i++)
                if (!ps[i].eof)
                    kill(ps[i].pid, SIGKILL);
            cr_expect(false, "kumo did not finish in %.0f s:\n%s", timeout,
                      kumo__buf_str(&ps[0].log));
            break;
        }
    }
    for (size_t i = 0; i < n; i++) {
        close(ps[i].fd);
        int st = 0;
        while (waitpid(ps[i].pid, &st, 0) < 0 && errno == EINTR)
            ;
        codes[i] = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
}

int kumo_proc_finish(kumo_proc *p, double timeout)
{
    int code;
    kumo_procs_finish(p, 1, &code, timeout);
    return code;
}

void kumo_proc_release(kumo_proc *p)
{
    kumo__buf_release(&p->log);
}
