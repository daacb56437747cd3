/* telnet.c - the telnet console transport: listener, IAC negotiation, login, bounded lines. */
#include "console/telnet.h"
#include "console/complete.h"
#include "console/repl.h"
#include "core/spider.h"
#include "util/bev.h"
#include "util/buf.h"
#include "util/random.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>

/* RFC 854 commands and the options we talk about. */
enum {
    T_SE = 240, T_NOP = 241, T_DM = 242, T_BRK = 243, T_IP = 244, T_AO = 245, T_AYT = 246,
    T_EC = 247, T_EL = 248, T_GA = 249, T_SB = 250, T_WILL = 251, T_WONT = 252, T_DO = 253,
    T_DONT = 254, T_IAC = 255, T_XEOF = 236,
};
#define OPT_ECHO 1

#define LOGGER "kumo.extensions.telnet"
#define PROMPT ">>> "
#define READ_HIGH (64u * 1024)      /* input bytes held before reading pauses */

/* ST_WAIT: a password waits before it is checked (its address failed lately) */
typedef enum { ST_USER, ST_PASS, ST_WAIT, ST_READY, ST_CLOSING } client_state;
typedef enum { P_DATA, P_IAC, P_OPT, P_SB, P_SB_IAC } parse_state;
/* RFC 1143 states of our side of ECHO, the one option we ever enable. */
typedef enum { Q_NO, Q_WANTYES, Q_YES, Q_WANTNO } q_state;

typedef struct client {
    kumo_telnet *t;
    struct bufferevent *bev;
    struct client *prev, *next;
    client_state state;
    parse_state ps;
    unsigned char cmd;          /* WILL/WONT/DO/DONT waiting for its option byte */
    q_state echo;
    bool cr;                    /* last data byte was CR: a following LF or NUL belongs to it */
    bool overlong;              /* the line passed its limit: discard up to the newline */
    bool blocked;               /* input paused until the output drains */
    bool eof;                   /* the client closed its side */
    bool dead;                  /* freed once the callback running for it returns */
    int busy;                   /* callbacks running for it */
    size_t sb_len;              /* bytes of the subnegotiation being read */
    unsigned ncmds;             /* telnet commands since the last line */
    kumo_buf line;
    char *user;                 /* the username given, while asking the password */
    char *pass;                 /* the password given, while it waits (ST_WAIT) */
    size_t pass_len;
    struct event *wait;         /* ends ST_WAIT */
    kumo_repl *repl;
    char host[INET6_ADDRSTRLEN];    /* the client's address: failures are counted per host */
    char addr[INET6_ADDRSTRLEN + 8];    /* "host:port", for the log */
} client;

/* Failed logins from one address, in a row and lately. */
typedef struct fail {
    char host[INET6_ADDRSTRLEN];
    unsigned n;                 /* 0: a free slot */
    double last;                /* kumo_now() of the last one */
} fail;

struct kumo_telnet {
    struct event_base *base;
    kumo_crawler *c;
    struct evconnlistener *lst;
    char host[INET6_ADDRSTRLEN];
    int port;
    bool loopback;
    char *username, *password;
    size_t max_line, max_output, max_clients, max_pending;
    double login_delay;
    fail fails[KUMO_TELNET_FAIL_SLOTS];
    client *clients;
    kumo_telnet_info info;
};

static kumo_tag tag_console(void)
{
    static kumo_tag t;
    if (!t)
        t = kumo_type_intern("kumo.extensions.telnet.TelnetConsole");
    return t;
}

static kumo_tag via_line(void)
{
    static kumo_tag v;
    if (!v)
        v = kumo_via_intern("'.line'");
    return v;
}

/* ---- ports and passwords ---- */

static int parse_port(const char **p, unsigned *out)
{
    while (**p == ' ' || **p == '\t' || **p == '"')
        (*p)++;
    if (**p < '0' || **p > '9')
        return KUMO_EINVAL;
    unsigned long v = 0;
    while (**p >= '0' && **p <= '9') {
        v = v * 10 + (unsigned long)(**p - '0');
        if (v > 65535)
            return KUMO_EINVAL;
        (*p)++;
    }
    while (**p == ' ' || **p == '\t' || **p == '"')
        (*p)++;
    *out = (unsigned)v;
    return KUMO_OK;
}

int kumo__telnet_parse_ports(const char *spec, unsigned *lo, unsigned *hi)
{
    if (!spec)
        return KUMO_EINVAL;
    const char *p = spec;
    while (*p == ' ')
        p++;
    bool bracket = *p == '[';
    if (bracket)
        p++;
    unsigned a, b;
    if (parse_port(&p, &a))
        return KUMO_EINVAL;
    b = a;
    if (*p == ',' || *p == '-') {
        p++;
        if (parse_port(&p, &b))
            return KUMO_EINVAL;
    }
    if (bracket && *p++ != ']')
        return KUMO_EINVAL;
    while (*p == ' ')
        p++;
    if (*p || a > b || (a == 0 && b != 0))
        return KUMO_EINVAL;
    *lo = a;
    *hi = b;
    return KUMO_OK;
}

int kumo__telnet_random_password(char out[17])
{
    return kumo__random_hex(out, 8);
}

/* ---- output ---- */

static struct evbuffer *output(client *cl)
{
    return bufferevent_get_output(cl->bev);
}

/* Past the bound, stop reading this client until write_cb sees its output drain. */
static void check_pending(client *cl)
{
    if (cl->blocked || evbuffer_get_length(output(cl)) <= cl->t->max_pending)
        return;
    cl->blocked = true;
    cl->t->info.paused++;
    bufferevent_disable(cl->bev, EV_READ);
}

static void send_raw(client *cl, const void *p, size_t n)
{
    evbuffer_add(output(cl), p, n);
    check_pending(cl);
}

static void send_cmd(client *cl, unsigned char cmd, unsigned char opt)
{
    unsigned char b[3] = {T_IAC, cmd, opt};
    send_raw(cl, b, 3);
}

/* Text as NVT: "\n" becomes CR LF, a lone CR becomes CR NUL, 255 is doubled. */
static void send_text(client *cl, const char *s, size_t n)
{
    struct evbuffer *out = output(cl);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        const char *rep;
        size_t replen;
        if (ch == '\n' && !(i > 0 && s[i - 1] == '\r'))
            rep = "\r\n", replen = 2;
        else if (ch == '\r' && !(i + 1 < n && s[i + 1] == '\n'))
            rep = "\r\0", replen = 2;
        else if (ch == T_IAC)
            rep = "\xff\xff", replen = 2;
        else
            continue;
        evbuffer_add(out, s + run, i - run);
        evbuffer_add(out, rep, replen);
        run = i + 1;
    }
    evbuffer_add(out, s + run, n - run);
    check_pending(cl);
}

static void send_str(client *cl, const char *s)
{
    send_text(cl, s, strlen(s));
}

/* ---- clients ---- */

static size_t line_cap(const kumo_telnet *t)
{
    return KUMO_MAX(t->max_line, (size_t)KUMO_TELNET_LOGIN_MAX);
}

static void forget_password(client *cl)
{
    if (cl->pass) {
        memset(cl->pass, 0, cl->pass_len);
        kumo_free(cl->pass);
    }
    cl->pass = NULL;
    cl->pass_len = 0;
}

static void count(kumo_telnet *t, const char *stat)
{
    if (t->c)
        kumo_crawler_stats_inc(t->c, stat, 1);
}

static void client_destroy(client *cl)
{
    kumo_telnet *t = cl->t;
    if (cl->prev)
        cl->prev->next = cl->next;
    else
        t->clients = cl->next;
    if (cl->next)
        cl->next->prev = cl->prev;
    t->info.clients--;
    bufferevent_free(cl->bev);
    if (cl->repl)
        kumo__repl_free(cl->repl);
    kumo__buf_release(&cl->line);
    kumo_free(cl->user);
    if (cl->wait)
        event_free(cl->wait);
    forget_password(cl);
    kumo_free(cl);
}

/* Free now, or when the callback running for it returns. */
static void client_release(client *cl)
{
    if (cl->busy)
        cl->dead = true;
    else
        client_destroy(cl);
}

/* Callbacks hold the client so that what they call may release it. */
static void hold(client *cl)
{
    cl->busy++;
    cl->t->info.wakeups++;
}

static void unhold(client *cl)
{
    if (--cl->busy == 0 && cl->dead)
        client_destroy(cl);
}

/* Send what is queued, then close; nothing more is read. */
static void start_closing(client *cl)
{
    cl->state = ST_CLOSING;
    bufferevent_disable(cl->bev, EV_READ);
    evbuffer_drain(bufferevent_get_input(cl->bev), SIZE_MAX);
    if (evbuffer_get_length(output(cl)) == 0) {
        client_release(cl);
        return;
    }
    bufferevent_setwatermark(cl->bev, EV_WRITE, 0, 0);
    bufferevent_enable(cl->bev, EV_WRITE);
}

static void echo_off(client *cl)
{
    if (cl->echo == Q_YES || cl->echo == Q_WANTYES) {
        cl->echo = Q_WANTNO;
        send_cmd(cl, T_WONT, OPT_ECHO);
    }
}

/* Answer the client's WILL/WONT/DO/DONT opt: we only ever enable ECHO, and only while
 * asking the password; the client may enable nothing.  Never answers a confirmation. */
static void negotiate(client *cl, unsigned char cmd, unsigned char opt)
{
    bool echo = opt == OPT_ECHO;
    switch (cmd) {
    case T_DO:
        if (echo && cl->echo == Q_WANTYES)
            cl->echo = Q_YES;
        else if (echo && cl->echo == Q_WANTNO)
            cl->echo = Q_NO;
        else if (!(echo && cl->echo == Q_YES))
            send_cmd(cl, T_WONT, opt);
        break;
    case T_DONT:
        if (echo && cl->echo == Q_YES)
            send_cmd(cl, T_WONT, opt);
        if (echo)
            cl->echo = Q_NO;
        break;
    case T_WILL:
        send_cmd(cl, T_DONT, opt);
        break;
    default:                    /* WONT: the client's side is off already */
        break;
    }
}

static bool same_secret(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    unsigned char diff = (unsigned char)(alen != blen);
    for (size_t i = 0; i < alen; i++)
        diff |= (unsigned char)(a[i] ^ b[i % (blen ? blen : 1)]);
    return diff == 0 && blen;
}

static void eval_line(client *cl, const char *s, size_t n)
{
    kumo_telnet *t = cl->t;
    kumo_buf out;
    kumo__buf_init(&out, t->max_output, KUMO_T_STR, KUMO_V_NONE);
    t->info.lines++;
    /* no callback runs on a parse thread while a command reads the crawl's objects (the
     * console never runs the loop inside a command, unlike the shell's fetch()) */
    kumo_spider *sp = t->c ? kumo_crawler_spider(t->c) : NULL;
    kumo__spider_lock(sp);
    int rc = kumo__repl_eval(cl->repl, s, n, &out);
    kumo__spider_unlock(sp);
    if (cl->dead || cl->state == ST_CLOSING) {
        kumo__buf_release(&out);
        return;
    }
    if (out.len) {
        send_text(cl, out.s, out.len);
        if (out.s[out.len - 1] != '\n')
            send_raw(cl, "\r\n", 2);
    }
    kumo__buf_release(&out);
    if (rc == KUMO_EDONE)
        start_closing(cl);
    else
        send_raw(cl, PROMPT, strlen(PROMPT));
}

/* A line with a Tab in it: telnet clients send a line only at Enter, so the Tab asks for
 * the completions of the word before it, sent on one line instead of running the line. */
static void complete_line(client *cl, const char *s, size_t n)
{
    char **v;
    kumo_spider *sp = cl->t->c ? kumo_crawler_spider(cl->t->c) : NULL;
    kumo__spider_lock(sp);          /* the names of live objects' attributes, as eval_line */
    size_t start, k = kumo__complete(cl->repl, s, (size_t)((const char *)memchr(s, '\t', n) - s),
                                     &start, &v);
    kumo__spider_unlock(sp);
    kumo_buf out;
    kumo__buf_init(&out, cl->t->max_output, KUMO_T_STR, KUMO_V_NONE);
    for (size_t i = 0; i < k; i++)
        kumo__buf_printf(&out, "%s%s", i ? "  " : "", v[i]);
    kumo__buf_add(&out, k ? "\n" : "(no completions)\n", k ? 1 : 17);
    kumo__complete_free(v, k);
    send_text(cl, out.s, out.len);
    kumo__buf_release(&out);
    send_raw(cl, PROMPT, strlen(PROMPT));
}

/* ---- failed logins, per address ---- */

double kumo__telnet_login_delay(double base, unsigned n)
{
    if (n == 0 || !(base > 0))
        return 0;
    double d = base;
    for (unsigned i = 1; i < n && d < KUMO_TELNET_LOGIN_DELAY_MAX; i++)
        d *= 2;
    return KUMO_MIN(d, KUMO_TELNET_LOGIN_DELAY_MAX);
}

/* The failures of host, or NULL when it has none lately; with add, a slot for it (the
 * least recently failed one when all are taken). */
static fail *fail_find(kumo_telnet *t, const char *host, bool add)
{
    double now = kumo_now();
    fail *free_slot = NULL, *oldest = NULL;
    for (size_t i = 0; i < KUMO_TELNET_FAIL_SLOTS; i++) {
        fail *f = &t->fails[i];
        if (f->n && now - f->last > KUMO_TELNET_FAIL_FORGET)
            f->n = 0;
        if (f->n && strcmp(f->host, host) == 0)
            return f;
        if (!f->n && !free_slot)
            free_slot = f;
        else if (f->n && (!oldest || f->last < oldest->last))
            oldest = f;
    }
    if (!add)
        return NULL;
    fail *f = free_slot ? free_slot : oldest;
    snprintf(f->host, sizeof(f->host), "%s", host);
    f->n = 0;
    return f;
}

/* A login from cl failed (user: the name given, NULL when none was read; why: what was
 * wrong): one WARNING with the address, a stat, and the address's next password waits. */
static void login_failed(client *cl, const char *user, const char *why)
{
    kumo_telnet *t = cl->t;
    t->info.failed_logins++;
    count(t, "telnetconsole/login_failed");
    fail *f = fail_find(t, cl->host, true);
    f->n++;
    f->last = kumo_now();
    char name[72];
    size_t k = 0;
    for (const char *p = user ? user : ""; *p && k < 64; p++)
        name[k++] = (unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f || *p == '\''
                        ? '?' : *p;
    name[k] = '\0';
    KUMO_WARN(LOGGER, "Telnet console login failed for user '%s%s' from %s: %s (%u in a row "
              "from this address; its next password waits %.3g s)", name,
              user && strlen(user) > k ? "..." : "", cl->addr, why, f->n,
              kumo__telnet_login_delay(t->login_delay, f->n));
    send_str(cl, "\nAuthentication failed\n");
    start_closing(cl);
}

static void login(client *cl, const char *pass, size_t n)
{
    kumo_telnet *t = cl->t;
    bool user_ok = cl->user && same_secret(cl->user, strlen(cl->user), t->username);
    bool ok = same_secret(pass, n, t->password) && user_ok;
    char *user = cl->user;
    cl->user = NULL;
    echo_off(cl);
    if (!ok) {
        login_failed(cl, user, user_ok ? "wrong password" : "unknown user");
        kumo_free(user);
        return;
    }
    kumo_free(user);
    fail *f = fail_find(t, cl->host, false);
    if (f)
        f->n = 0;
    t->info.logins++;
    count(t, "telnetconsole/logins");
    cl->repl = kumo__repl_new(t->c);
    cl->state = ST_READY;
    send_str(cl, "\n" PROMPT);
}

static void pump(client *cl);

/* The wait of a password is over: check it, then read on. */
static void on_wait(evutil_socket_t fd, short what, void *arg)
{
    client *cl = arg;
    hold(cl);
    cl->state = ST_PASS;
    login(cl, cl->pass, cl->pass_len);
    forget_password(cl);
    if (!cl->dead && cl->state == ST_READY) {
        if (!cl->blocked && !cl->eof)
            bufferevent_enable(cl->bev, EV_READ);
        pump(cl);
    }
    unhold(cl);
}

/* Check the password now, or after the wait its address earned by failing lately (a
 * timer: the loop goes on; nothing the client sends meanwhile is read). */
static void check_password(client *cl, const char *s, size_t n)
{
    kumo_telnet *t = cl->t;
    fail *f = fail_find(t, cl->host, false);
    double wait = kumo__telnet_login_delay(t->login_delay, f ? f->n : 0);
    if (wait <= 0) {
        login(cl, s, n);
        return;
    }
    t->info.delayed_logins++;
    cl->pass = kumo_strndup(s, n, KUMO_T_STR, via_line());
    cl->pass_len = n;
    if (!cl->wait)
        cl->wait = evtimer_new(t->base, on_wait, cl);
    if (!cl->wait)
        kumo_oom(sizeof(void *));
    struct timeval tv = {(time_t)wait, (suseconds_t)((wait - (double)(time_t)wait) * 1e6)};
    cl->state = ST_WAIT;
    bufferevent_disable(cl->bev, EV_READ);
    evtimer_add(cl->wait, &tv);
}

/* One complete line (without its end) in cl->line. */
static void end_line(client *cl)
{
    const char *s = cl->line.s ? cl->line.s : "";
    size_t n = cl->line.len;
    if (cl->overlong) {
        cl->overlong = false;
        kumo__buf_reset(&cl->line);
        if (cl->state != ST_READY) {
            echo_off(cl);
            char why[64];
            snprintf(why, sizeof(why), "name or password longer than %u bytes",
                     KUMO_TELNET_LOGIN_MAX);
            login_failed(cl, cl->user, why);
            return;
        }
        char msg[96];
        snprintf(msg, sizeof(msg), "error: line too long (more than %zu bytes), discarded\n",
                 cl->t->max_line);
        send_str(cl, msg);
        send_raw(cl, PROMPT, strlen(PROMPT));
        return;
    }
    switch (cl->state) {
    case ST_USER:
        cl->user = kumo_strndup(s, n, KUMO_T_STR, via_line());
        cl->state = ST_PASS;
        if (cl->echo == Q_NO) {
            cl->echo = Q_WANTYES;
            send_cmd(cl, T_WILL, OPT_ECHO);
        }
        send_str(cl, "Password: ");
        break;
    case ST_PASS:
        check_password(cl, s, n);
        break;
    case ST_READY:
        if (n == 1 && s[0] == 4) {          /* ^D alone ends the session */
            start_closing(cl);
            break;
        }
        if (memchr(s, '\t', n))
            complete_line(cl, s, n);
        else
            eval_line(cl, s, n);
        break;
    case ST_WAIT:
    case ST_CLOSING:
        break;
    }
    cl->ncmds = 0;
    if (cl->dead || cl->state == ST_CLOSING)
        return;
    kumo__buf_reset(&cl->line);
    if (cl->line.cap > 4096) {          /* an idle client keeps a small buffer */
        kumo__buf_release(&cl->line);
        kumo__buf_init(&cl->line, line_cap(cl->t), KUMO_T_STR, via_line());
    }
}

static void add_data(client *cl, const char *s, size_t n)
{
    if (cl->overlong || n == 0)
        return;
    size_t limit = cl->state == ST_READY ? cl->t->max_line : KUMO_TELNET_LOGIN_MAX;
    if (n > limit - KUMO_MIN(limit, cl->line.len)) {
        cl->overlong = true;
        kumo__buf_release(&cl->line);
        kumo__buf_init(&cl->line, line_cap(cl->t), KUMO_T_STR, via_line());
        if (cl->state != ST_READY)      /* no name or password is that long */
            end_line(cl);
        return;
    }
    kumo__buf_add(&cl->line, s, n);
}

/* Telnet commands other than option negotiation. */
static void command(client *cl, unsigned char b)
{
    switch (b) {
    case T_AYT:
        send_str(cl, "\n[yes]\n");
        break;
    case T_IP:
    case T_BRK:
        kumo__buf_reset(&cl->line);
        cl->overlong = false;
        if (cl->state == ST_READY)
            send_str(cl, "\nKeyboardInterrupt\n" PROMPT);
        break;
    case T_EC:
        if (cl->line.len)
            cl->line.s[--cl->line.len] = '\0';
        break;
    case T_EL:
        kumo__buf_reset(&cl->line);
        break;
    case T_XEOF:
        if (cl->state == ST_READY)
            start_closing(cl);
        break;
    default:                    /* NOP, DM, GA, AO, a stray SE */
        break;
    }
}

static bool stopped(const client *cl)
{
    return cl->dead || cl->blocked || cl->state == ST_CLOSING || cl->state == ST_WAIT;
}

/* The client broke a telnet bound (why, with %u for bound): one line to it and one WARNING;
 * then it is closed (what NULL) or told what happens instead. */
static void protocol_error(client *cl, const char *fmt, unsigned bound, const char *what)
{
    char why[96];
    snprintf(why, sizeof(why), fmt, bound);
    cl->t->info.protocol_errors++;
    count(cl->t, "telnetconsole/protocol_errors");
    KUMO_WARN(LOGGER, "Telnet console %s from %s: %s", what ? "ignores input" :
              "closes the connection", cl->addr, why);
    send_str(cl, "\nerror: ");
    send_str(cl, why);
    send_str(cl, what ? what : ", closing");
    send_str(cl, "\n");
    if (!what)
        start_closing(cl);
}

/* One more byte of a subnegotiation: none is kept, and past the bound the client is told
 * once that the rest is ignored up to its IAC SE. */
static void sb_byte(client *cl)
{
    if (++cl->sb_len == KUMO_TELNET_MAX_SUBNEG + 1)
        protocol_error(cl, "telnet subnegotiation longer than %u bytes",
                       KUMO_TELNET_MAX_SUBNEG, ": ignored up to its IAC SE");
}

/*
 * Parse p[0..n): strip and answer telnet commands, cut lines at CR LF, CR NUL, CR or LF
 * and act on each.  Returns how many bytes were used: it stops after the step that
 * paused, closed or freed the client, leaving the rest in the input buffer.
 */
static size_t feed(client *cl, const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n && !stopped(cl)) {
        unsigned char b = p[i];
        switch (cl->ps) {
        case P_DATA: {
            if (cl->cr) {
                cl->cr = false;
                if (b == '\n' || b == '\0') {
                    i++;
                    continue;
                }
            }
            size_t j = i;
            while (j < n && p[j] != T_IAC && p[j] != '\r' && p[j] != '\n' && p[j] != '\0')
                j++;
            add_data(cl, (const char *)p + i, j - i);
            i = j;
            if (i == n || stopped(cl))
                break;
            b = p[i++];
            if (b == T_IAC)
                cl->ps = P_IAC;
            else if (b == '\r' || b == '\n') {
                cl->cr = b == '\r';
                end_line(cl);
            }
            break;
        }
        case P_IAC:
            i++;
            cl->ps = P_DATA;
            if (b != T_IAC && ++cl->ncmds > KUMO_TELNET_MAX_COMMANDS) {
                protocol_error(cl, "more than %u telnet commands without a line",
                               KUMO_TELNET_MAX_COMMANDS, NULL);
                break;
            }
            if (b == T_IAC)
                add_data(cl, "\xff", 1);
            else if (b >= T_WILL)
                cl->cmd = b, cl->ps = P_OPT;
            else if (b == T_SB)
                cl->ps = P_SB, cl->sb_len = 0;
            else
                command(cl, b);
            break;
        case P_OPT:
            i++;
            cl->ps = P_DATA;
            negotiate(cl, cl->cmd, b);
            break;
        case P_SB:
            i++;
            if (b == T_IAC)
                cl->ps = P_SB_IAC;
            else
                sb_byte(cl);
            break;
        case P_SB_IAC:
            i++;
            cl->ps = b == T_SE ? P_DATA : P_SB;
            if (b != T_SE)
                sb_byte(cl);
            break;
        }
    }
    return i;
}

/* Work through the buffered input as far as the client's state allows. */
static void pump(client *cl)
{
    struct evbuffer *in = bufferevent_get_input(cl->bev);
    while (!stopped(cl)) {
        struct evbuffer_iovec v;
        if (evbuffer_peek(in, -1, NULL, &v, 1) < 1 || v.iov_len == 0)
            break;
        size_t used = feed(cl, v.iov_base, v.iov_len);
        if (cl->dead)
            return;
        if (cl->state != ST_CLOSING)
            evbuffer_drain(in, used);
    }
    if (cl->eof && !stopped(cl) && evbuffer_get_length(in) == 0) {
        if (cl->line.len || cl->overlong)
            end_line(cl);
        if (!cl->dead && cl->state != ST_CLOSING)
            start_closing(cl);
    }
}

static void read_cb(struct bufferevent *bev, void *arg)
{
    client *cl = arg;
    hold(cl);
    pump(cl);
    unhold(cl);
}

static void write_cb(struct bufferevent *bev, void *arg)
{
    client *cl = arg;
    hold(cl);
    size_t left = evbuffer_get_length(output(cl));
    if (cl->state == ST_CLOSING) {
        if (left == 0)
            client_release(cl);
    } else if (cl->blocked && left <= cl->t->max_pending / 2) {
        cl->blocked = false;
        if (!cl->eof)
            bufferevent_enable(bev, EV_READ);
        pump(cl);
    }
    unhold(cl);
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
    client *cl = arg;
    hold(cl);
    if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR) && cl->state != ST_CLOSING) {
        cl->eof = true;
        pump(cl);
    } else {
        client_release(cl);
    }
    unhold(cl);
}

/* The address of sa into host, and with its port into addr ("::1" and "[::1]:5000"). */
static void format_addr(const struct sockaddr *sa, char host[INET6_ADDRSTRLEN],
                        char addr[INET6_ADDRSTRLEN + 8])
{
    unsigned port = 0;
    snprintf(host, INET6_ADDRSTRLEN, "?");
    if (sa && sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        evutil_inet_ntop(AF_INET, &in->sin_addr, host, INET6_ADDRSTRLEN);
        port = ntohs(in->sin_port);
    } else if (sa && sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        evutil_inet_ntop(AF_INET6, &in6->sin6_addr, host, INET6_ADDRSTRLEN);
        port = ntohs(in6->sin6_port);
    }
    bool v6 = strchr(host, ':') != NULL;
    snprintf(addr, INET6_ADDRSTRLEN + 8, "%s%s%s:%u", v6 ? "[" : "", host, v6 ? "]" : "",
             port);
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
                      int salen, void *arg)
{
    kumo_telnet *t = arg;
    t->info.wakeups++;
    char host[INET6_ADDRSTRLEN], addr[INET6_ADDRSTRLEN + 8];
    format_addr(sa, host, addr);
    if (t->info.clients >= t->max_clients) {
        char msg[64];
        int len = snprintf(msg, sizeof(msg), "too many connections (max %zu)\r\n",
                           t->max_clients);
        t->info.refused++;
        count(t, "telnetconsole/refused");
        KUMO_WARN(LOGGER, "Telnet console refused a connection from %s: too many connections "
                  "(max %zu)", addr, t->max_clients);
        if (send(fd, msg, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
            /* nothing to do: the client is turned away either way */
        }
        shutdown(fd, SHUT_WR);
        evutil_closesocket(fd);
        return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    struct bufferevent *bev = bufferevent_socket_new(t->base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (!bev) {
        evutil_closesocket(fd);
        return;
    }
    client *cl = kumo_calloc(1, sizeof(*cl), tag_console(), KUMO_V_NONE);
    cl->t = t;
    cl->bev = bev;
    memcpy(cl->host, host, sizeof(cl->host));
    memcpy(cl->addr, addr, sizeof(cl->addr));
    kumo__buf_init(&cl->line, line_cap(t), KUMO_T_STR, via_line());
    cl->next = t->clients;
    if (t->clients)
        t->clients->prev = cl;
    t->clients = cl;
    t->info.clients++;
    t->info.accepted++;
    bufferevent_setcb(bev, read_cb, write_cb, event_cb, cl);
    bufferevent_setwatermark(bev, EV_READ, 0, READ_HIGH);
    bufferevent_setwatermark(bev, EV_WRITE, t->max_pending / 2, 0);
    bufferevent_enable(bev, EV_READ | EV_WRITE);
    send_str(cl, "Username: ");
}

/* ---- the console ---- */

static bool is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        if (IN6_IS_ADDR_LOOPBACK(a))
            return true;
        return IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127;
    }
    return false;
}

static void set_port(struct sockaddr_storage *ss, unsigned port)
{
    if (ss->ss_family == AF_INET)
        ((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
}

static int resolve(const char *host, struct sockaddr_storage *ss, socklen_t *len)
{
    struct evutil_addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = EVUTIL_AI_PASSIVE | EVUTIL_AI_ADDRCONFIG;
    if (evutil_getaddrinfo(host, NULL, &hints, &res) != 0 || !res)
        return KUMO_EINVAL;
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = (socklen_t)res->ai_addrlen;
    evutil_freeaddrinfo(res);
    return KUMO_OK;
}

static void ignore_sigpipe(void)
{
    struct sigaction sa;
    if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL) {
        sa.sa_handler = SIG_IGN;
        sigaction(SIGPIPE, &sa, NULL);
    }
}

kumo_telnet *kumo__telnet_new(struct event_base *base, kumo_crawler *c,
                             const kumo_telnet_config *cfg, char *err, size_t errlen)
{
    const char *host = cfg->host && *cfg->host ? cfg->host : "127.0.0.1";
    struct sockaddr_storage ss;
    socklen_t sslen;
    if (resolve(host, &ss, &sslen) != KUMO_OK) {
        snprintf(err, errlen, "cannot resolve TELNETCONSOLE_HOST '%s'", host);
        return NULL;
    }
    unsigned lo = cfg->port_lo, hi = KUMO_MAX(cfg->port_lo, cfg->port_hi);
    struct evconnlistener *lst = NULL;
    int last = 0;
    for (unsigned port = lo; port <= hi && !lst; port++) {
        set_port(&ss, port);
        lst = evconnlistener_new_bind(base, accept_cb, NULL,
                                      LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE |
                                          LEV_OPT_CLOSE_ON_EXEC,
                                      16, (struct sockaddr *)&ss, (int)sslen);
        if (!lst)
            last = errno;
    }
    if (!lst) {
        if (lo == hi)
            snprintf(err, errlen, "cannot listen on %s:%u: %s", host, lo, strerror(last));
        else
            snprintf(err, errlen, "cannot listen on %s at any port from %u to %u: %s", host,
                     lo, hi, strerror(last));
        return NULL;
    }
    ignore_sigpipe();
    kumo_telnet *t = kumo_calloc(1, sizeof(*t), tag_console(), KUMO_V_NONE);
    t->base = base;
    t->c = c;
    t->lst = lst;
    struct sockaddr_storage bound;
    socklen_t blen = sizeof(bound);
    if (getsockname(evconnlistener_get_fd(lst), (struct sockaddr *)&bound, &blen) != 0)
        bound = ss;
    const void *addr = bound.ss_family == AF_INET
                           ? (const void *)&((struct sockaddr_in *)&bound)->sin_addr
                           : (const void *)&((struct sockaddr_in6 *)&bound)->sin6_addr;
    evutil_inet_ntop(bound.ss_family, addr, t->host, sizeof(t->host));
    t->port = ntohs(bound.ss_family == AF_INET ? ((struct sockaddr_in *)&bound)->sin_port
                                               : ((struct sockaddr_in6 *)&bound)->sin6_port);
    t->loopback = is_loopback((struct sockaddr *)&bound);
    t->username = kumo_strdup(cfg->username ? cfg->username : "kumo", tag_console(),
                              KUMO_V_NONE);
    if (cfg->password && *cfg->password) {
        t->password = kumo_strdup(cfg->password, tag_console(), KUMO_V_NONE);
    } else {
        char pw[17];
        if (kumo__telnet_random_password(pw) != KUMO_OK) {
            snprintf(err, errlen, "cannot make a telnet console password: %s",
                     strerror(errno));
            kumo__telnet_free(t);
            return NULL;
        }
        t->password = kumo_strdup(pw, tag_console(), KUMO_V_NONE);
    }
    t->max_line = cfg->max_line ? cfg->max_line : KUMO_TELNET_MAX_LINE;
    t->max_output = cfg->max_output ? cfg->max_output : KUMO_TELNET_MAX_OUTPUT;
    t->max_clients = cfg->max_clients ? cfg->max_clients : KUMO_TELNET_MAX_CLIENTS;
    t->max_pending = cfg->max_pending ? cfg->max_pending : KUMO_TELNET_MAX_PENDING;
    t->login_delay = cfg->login_delay != 0 ? cfg->login_delay : KUMO_TELNET_LOGIN_DELAY;
    evconnlistener_set_cb(lst, accept_cb, t);
    return t;
}

int kumo__telnet_port(const kumo_telnet *t)
{
    return t->port;
}

const char *kumo__telnet_host(const kumo_telnet *t)
{
    return t->host;
}

bool kumo__telnet_loopback(const kumo_telnet *t)
{
    return t->loopback;
}

const char *kumo__telnet_password(const kumo_telnet *t)
{
    return t->password;
}

void kumo__telnet_stop_listening(kumo_telnet *t)
{
    if (t && t->lst) {
        evconnlistener_free(t->lst);
        t->lst = NULL;
    }
}

void kumo__telnet_info_get(const kumo_telnet *t, kumo_telnet_info *out)
{
    *out = t->info;
    out->buffered = 0;
    for (const client *cl = t->clients; cl; cl = cl->next)
        out->buffered += evbuffer_get_length(bufferevent_get_input(cl->bev)) +
                         evbuffer_get_length(bufferevent_get_output(cl->bev)) + cl->line.cap;
}

void kumo__telnet_free(kumo_telnet *t)
{
    if (!t)
        return;
    kumo__telnet_stop_listening(t);
    while (t->clients) {
        client *cl = t->clients;
        /* what is queued ("Authentication failed", the last output), as far as it goes */
        kumo__bev_flush_now(cl->bev, false);
        cl->busy = 0;
        client_destroy(cl);
    }
    kumo_free(t->username);
    kumo_free(t->password);
    kumo_free(t);
}
