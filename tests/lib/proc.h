/* proc.h - the kumo binary ($KUMO_BIN, set by make test) as child processes: their stderr
 * read as they run, waited for with a deadline, reaped. */
#ifndef KUMO_TEST_PROC_H
#define KUMO_TEST_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "util/buf.h"

typedef struct kumo_proc {
    pid_t pid;
    int fd;                     /* its stderr */
    kumo_buf log;               /* what it wrote there so far */
    bool eof;
} kumo_proc;

/* CLOCK_MONOTONIC in seconds. */
double kumo_proc_now(void);

/* Start $KUMO_BIN with args (NULL-terminated, at most 48), KUMO_CONF=/dev/null, stdout to
 * /dev/null. */
void kumo_proc_start(kumo_proc *p, const char *const *args);

/* Read what any of ps[0..n) (at most 16) wrote, waiting at most until deadline
 * (kumo_proc_now()); false when none did. */
bool kumo_procs_read(kumo_proc *ps, size_t n, double deadline);

/* Wait until p's log holds needle count times; false when it did not within timeout s. */
bool kumo_proc_wait_for(kumo_proc *p, const char *needle, size_t count, double timeout);

/* Read ps[0..n) to the end and reap them into codes (exit code, or 128 + signal); those
 * still running after timeout s are killed, and the test fails. */
void kumo_procs_finish(kumo_proc *ps, size_t n, int *codes, double timeout);

/* The same for one process; returns its code. */
int kumo_proc_finish(kumo_proc *p, double timeout);

void kumo_proc_release(kumo_proc *p);

/* Times needle occurs in hay. */
size_t kumo_count_of(const char *hay, const char *needle);

#endif
