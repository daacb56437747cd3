/* redisd.h - a real redis-server for the tests: its own free loopback port, a temporary
 * directory, no persistence (--save ''); stopped (and its directory removed) at the end. */
#ifndef KUMO_TEST_REDISD_H
#define KUMO_TEST_REDISD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "kumo-int.h"

typedef struct kumo_redisd {
    pid_t pid;
    int port;
    char dir[64];
    char url[96];               /* redis://127.0.0.1:PORT/0 */
    char extra[128];            /* more redis-server arguments (--requirepass x) */
} kumo_redisd;

/* True when redis-server can be run (else tests skip with a message saying so). */
bool kumo_redisd_available(void);

/*
 * Start redis-server (with r->extra, which the caller may set before) and wait until it
 * answers PING, at most 10 s.  Returns 0, or -1 when it did not start.  Restarting a stopped
 * server (kumo_redisd_stop(r, false)) keeps its port.
 */
int kumo_redisd_start(kumo_redisd *r);

/* A test's start: skip the test (saying why) when redis-server is not installed, else start
 * r as kumo_redisd_start() does and fail the test when it does not answer. */
void kumo_redisd_start_or_skip(kumo_redisd *r);

/* Stop it (SIGTERM, then SIGKILL after 5 s); keep_dir false removes its directory. */
void kumo_redisd_stop(kumo_redisd *r, bool keep_dir);

/*
 * Run one command with redis-cli against r (args are shell words) and return its first
 * output line in out[0..n) (without the newline).  Returns the exit code.
 */
int kumo_redisd_cli(const kumo_redisd *r, char *out, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * The suites of bare crawlers on Redis (the queue, RedisPipeline, the cluster stats): one
 * fresh server per test, kumo_test_redis, started by the suite's .init (the test skipped
 * without redis-server) before kumo_leakcheck_start(), and stopped by its .fini before
 * kumo_leakcheck_end(), so that a failing leak check never leaves it running:
 *     TestSuite(queue_redis, KUMO_REDISD_SUITE, .timeout = 60);
 */
extern kumo_redisd kumo_test_redis;
void kumo_redisd_suite_init(void);
void kumo_redisd_suite_fini(void);
#define KUMO_REDISD_SUITE .init = kumo_redisd_suite_init, .fini = kumo_redisd_suite_fini

/* Those suites' spider: "rt" (their Redis keys start "rt:"), one callback that does nothing. */
extern const kumo_spider_def kumo_redisd_spider;

/* Set key to value in st at the command line's priority; fail the test when it is refused. */
void kumo_test_set(kumo_settings *st, const char *key, const char *value);

#endif
