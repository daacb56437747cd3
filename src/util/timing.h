/* timing.h - where the time goes: the stage each thread is in, and the time spent per stage. */
#ifndef KUMO_TIMING_H
#define KUMO_TIMING_H

#include <stdint.h>

/*
 * The stages a thread's time is counted in.  A thread starts in KUMO_STAGE_IDLE, whose time
 * is not counted (the loop waiting for events, a parse thread waiting for a body).  Stages
 * nest and are exclusive: the time of a selector query run by a callback counts in
 * KUMO_STAGE_SELECT only, not in KUMO_STAGE_CALLBACK too.
 */
typedef enum kumo_stage {
    KUMO_STAGE_IDLE,
    KUMO_STAGE_ENGINE,              /* the loop's own work: scheduling, middlewares, items */
    KUMO_STAGE_DOWNLOAD,            /* the loop inside libcurl: sockets, HTTP */
    KUMO_STAGE_CALLBACK,            /* spider callbacks and errbacks */
    KUMO_STAGE_SELECT,              /* CSS, XPath and re() queries */
    KUMO_STAGE_PARSE,               /* HTML/XML bodies into documents, on any thread */
    KUMO_STAGE_N
} kumo_stage;

/*
 * The calling thread enters stage s; returns the stage it was in, for kumo__stage_leave().
 * The time since the thread's last switch is added to the stage it leaves.  One monotonic
 * clock read (the vDSO's, no system call) and one atomic add per switch, none when the
 * thread is already in s.
 */
kumo_stage kumo__stage_enter(kumo_stage s);

/* The calling thread goes back to prev (what kumo__stage_enter() returned). */
void kumo__stage_leave(kumo_stage prev);

/* Nanoseconds counted per stage since the process started, summed over its threads
 * (ns[KUMO_STAGE_IDLE] is 0).  An open interval counts once its thread switches. */
void kumo__stage_totals(uint64_t ns[KUMO_STAGE_N]);

/* The stage's name: "idle", "engine", "download", "callback", "select", "parse". */
const char *kumo__stage_name(kumo_stage s);

#endif
