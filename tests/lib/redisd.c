/* redisd.c - a real redis-server for the tests (see redisd.h). */
#include "lib/redisd.h"

#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "core/settings.h"
#include "lib/leakcheck.h"

bool kumo_redisd_available(void)
{
    return system("command -v redis-server >/dev/null 2>&1 && "
                  "command -v redis-cli >/dev/null 2>&1") == 0;
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    int port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static void pause_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int kumo_redisd_start(kumo_redisd *r)
{
    if (!r->port) {
        r->port = free_port();
        snprintf(r->dir, sizeof(r->dir), "/tmp/kumo-redis-XXXXXX");
        if (r->port < 0 || !mkdtemp(r->dir))
            return -1;
        snprintf(r->url, sizeof(r->url), "redis://127.0.0.1:%d/0", r->port);
    }
    char port[16];
    snprintf(port, sizeof(port), "%d", r->port);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR);
        dup2(devnull, 0);
        dup2(devnull, 1);
        dup2(devnull, 2);
        char cmd[512];
        snprintf(cmd, sizeof(cmd),
                 "exec redis-server --port %s --bind 127.0.0.1 --dir %s --save '' "
                 "--appendonly no %s", port, r->dir, r->extra);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    r->pid = pid;
    char out[64];
    for (int i = 0; i < 200; i++) {
        if (kumo_redisd_cli(r, out, sizeof(out), "PING") == 0 &&
            (strcmp(out, "PONG") == 0 || strstr(out, "NOAUTH")))
            return 0;
        if (waitpid(pid, NULL, WNOHANG) == pid) {
            r->pid = 0;
            return -1;
        }
        pause_ms(50);
    }
    kumo_redisd_stop(r, true);
    return -1;
}

void kumo_redisd_stop(kumo_redisd *r, bool keep_dir)
{
    if (r->pid > 0) {
        kill(r->pid, SIGTERM);
        int st;
        for (int i = 0; i < 100 && waitpid(r->pid, &st, WNOHANG) == 0; i++)
            pause_ms(50);
        if (waitpid(r->pid, &st, WNOHANG) == 0) {
            kill(r->pid, SIGKILL);
            waitpid(r->pid, &st, 0);
        }
        r->pid = 0;
    }
    if (!keep_dir && r->dir[0]) {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", r->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "redisd: cannot remove %s\n", r->dir);
        r->dir[0] = '\0';
    }
}

int kumo_redisd_cli(const kumo_redisd *r, char *out, size_t n, const char *fmt, ...)
{
    char args[4096], cmd[4352];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof(args), fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof(cmd), "redis-cli -h 127.0.0.1 -p %d %s 2>&1", r->port, args);
    FILE *f = popen(cmd, "r");
    if (!f)
        return -1;
    if (n)
        out[0] = '\0';
    if (n && fgets(out, (int)n, f))
        out[strcspn(out, "\n")] = '\0';
    char sink[256];
    while (fgets(sink, sizeof(sink), f))
        ;
    int st = pclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void kumo_redisd_start_or_skip(kumo_redisd *r)
{
    if (!kumo_redisd_available())
        cr_skip_test("redis-server is not installed (apt-get install redis-server): skipped");
    cr_assert_eq(kumo_redisd_start(r), 0, "redis-server did not start");
}

kumo_redisd kumo_test_redis;

void kumo_redisd_suite_init(void)
{
    memset(&kumo_test_redis, 0, sizeof(kumo_test_redis));
    kumo_redisd_start_or_skip(&kumo_test_redis);
    kumo_leakcheck_start();
}

void kumo_redisd_suite_fini(void)
{
    kumo_redisd_stop(&kumo_test_redis, false);
    kumo_leakcheck_end();
}

static void do_nothing(kumo_response *res, kumo_out *out)
{
    (void)res, (void)out;
}

const kumo_spider_def kumo_redisd_spider = {
    KUMO_SPIDER_HEADER,
    .name = "rt",
    .callbacks = KUMO_CALLBACKS(do_nothing),
};

void kumo_test_set(kumo_settings *st, const char *key, const char *value)
{
    char err[256];
    cr_assert_eq(kumo__settings_set(st, key, value, KUMO_PRIO_CMDLINE, err, sizeof(err)),
                 KUMO_OK, "%s", err);
}
