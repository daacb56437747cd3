/* telnet.h - the telnet console transport: a listener on the crawl's loop, telnet
 * negotiation, login, and one repl session per client, every buffer bounded. */
#ifndef KUMO_TELNET_H
#define KUMO_TELNET_H

#include "kumo-int.h"

struct event_base;

typedef struct kumo_telnet kumo_telnet;

#define KUMO_TELNET_MAX_LINE (64u * 1024)         /* bytes of one command line */
#define KUMO_TELNET_MAX_OUTPUT (1024u * 1024)     /* bytes one command may print */
#define KUMO_TELNET_MAX_CLIENTS 16u
#define KUMO_TELNET_MAX_PENDING (256u * 1024)     /* queued output before input pauses */
#define KUMO_TELNET_LOGIN_MAX 1024u               /* bytes of a username or password */
#define KUMO_TELNET_LOGIN_DELAY 1.0               /* seconds, after one failed login */
#define KUMO_TELNET_LOGIN_DELAY_MAX 30.0          /* seconds, however many failed */
#define KUMO_TELNET_FAIL_SLOTS 64u                /* addresses whose failures are kept */
#define KUMO_TELNET_FAIL_FORGET 600.0             /* seconds after which they are forgotten */
#define KUMO_TELNET_MAX_SUBNEG 1024u              /* bytes of one telnet subnegotiation */
#define KUMO_TELNET_MAX_COMMANDS 1000u            /* telnet commands in a row without a line */

typedef struct kumo_telnet_config {
    const char *host;           /* numeric address or host name; NULL: "127.0.0.1" */
    unsigned port_lo, port_hi;  /* the first free port of [lo, hi]; 0, 0: any free port */
    const char *username;       /* NULL: "kumo" */
    const char *password;       /* NULL or "": a random one (kumo__telnet_password()) */
    size_t max_line;            /* 0: KUMO_TELNET_MAX_LINE */
    size_t max_output;          /* 0: KUMO_TELNET_MAX_OUTPUT */
    size_t max_clients;         /* 0: KUMO_TELNET_MAX_CLIENTS */
    size_t max_pending;         /* 0: KUMO_TELNET_MAX_PENDING */
    /* seconds a password waits before it is checked when its address failed once lately
     * (doubled per further failure, at most KUMO_TELNET_LOGIN_DELAY_MAX); 0:
     * KUMO_TELNET_LOGIN_DELAY, below 0: no wait */
    double login_delay;
} kumo_telnet_config;

/* What the console did so far, for tests and status. */
typedef struct kumo_telnet_info {
    size_t clients;             /* connected now */
    size_t buffered;            /* bytes held for all clients: input, line, output */
    uint64_t accepted;          /* connections taken */
    uint64_t refused;           /* connections turned away: too many */
    uint64_t logins, failed_logins;
    uint64_t delayed_logins;    /* passwords that waited (their address failed lately) */
    uint64_t protocol_errors;   /* clients closed for a telnet command flood or an
                                 * overlong subnegotiation */
    uint64_t lines;             /* lines evaluated */
    uint64_t paused;            /* times a client's input paused on a full output */
    uint64_t wakeups;           /* callbacks the loop ran for the console */
} kumo_telnet_info;

/*
 * Parse a TELNETCONSOLE_PORT value: "6023,6073" or "6023-6073" or "[6023, 6073]" (a
 * range), "6023" (one port), "0" (any free port).  Returns KUMO_EINVAL on anything else
 * (lo > hi, a port above 65535, junk).
 */
int kumo__telnet_parse_ports(const char *spec, unsigned *lo, unsigned *hi);

/*
 * Write a new random password, 16 lowercase hex characters from the kernel's random
 * source, into out[17].  Returns KUMO_EIO when no random bytes could be read.
 */
int kumo__telnet_random_password(char out[17]);

/*
 * Seconds the password of a client wait when its address failed n times in a row lately,
 * base being the config's login_delay (resolved): 0 for n == 0, then base, 2 base, 4 base...
 * at most KUMO_TELNET_LOGIN_DELAY_MAX.
 */
double kumo__telnet_login_delay(double base, unsigned n);

/*
 * Returns a new console listening on cfg's host at the first free port of its range,
 * served by base; each client that logs in gets kumo__repl_new(c) (c may be NULL).
 * Refused connections and failed logins are logged (WARNING, with the client's address)
 * and counted in c's stats (telnetconsole/refused, telnetconsole/login_failed).
 * Returns NULL with a one-line message in err when the host does not resolve or no port
 * of the range could be bound.  Ignores SIGPIPE when it still has its default action (a
 * client that goes away must not kill the crawl).
 */
kumo_telnet *kumo__telnet_new(struct event_base *base, kumo_crawler *c,
                             const kumo_telnet_config *cfg, char *err, size_t errlen);

/* The bound port and address ("127.0.0.1", "::1"); the address is borrowed, valid until
 * kumo__telnet_free(). */
int kumo__telnet_port(const kumo_telnet *t);
const char *kumo__telnet_host(const kumo_telnet *t);

/* True when the bound address is a loopback one (127.0.0.0/8, ::1). */
bool kumo__telnet_loopback(const kumo_telnet *t);

/* The password clients must give.  Borrowed, valid until kumo__telnet_free(). */
const char *kumo__telnet_password(const kumo_telnet *t);

/* Stop accepting connections; clients already connected stay. */
void kumo__telnet_stop_listening(kumo_telnet *t);

void kumo__telnet_info_get(const kumo_telnet *t, kumo_telnet_info *out);

/* Close every client (trying once to send what is queued for it) and the listener.
 * t may be NULL. */
void kumo__telnet_free(kumo_telnet *t);

#endif
