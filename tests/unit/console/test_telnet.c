/* test_telnet.c - the telnet console through real sockets: negotiation bytes, login, line
 * ends, bounds (long lines, silent clients, too many clients), idle cost, and a crawl
 * stopped from the console. */
#include <criterion/criterion.h>
#include <poll.h>
#include <regex.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <event2/event.h>

#include "kumo-int.h"
#include "console/telnet.h"
#include "lib/crawl.h"
#include "lib/leakcheck.h"
#include "lib/redisd.h"

#define PW "s3cret-pw"
#define IAC "\xff"
#define WILL "\xfb"
#define WONT "\xfc"
#define DO "\xfd"
#define DONT "\xfe"
#define ECHO "\x01"
#define SGA "\x03"
#define NAWS "\x1f"
#define LIT(s) s, sizeof(s) - 1

/* The loop the console runs on, driven by the test; NULL in a client thread. */
static struct event_base *base;
static kumo_telnet *tn;

/* ---- a client speaking raw bytes ---- */

typedef struct conn {
    int fd;
    char *buf;
    size_t len, cap;
    bool eof;
} conn;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Let the console run a little (or wait for fd in a thread). */
static void turn(int fd)
{
    if (base) {
        event_base_loop(base, EVLOOP_NONBLOCK);
        struct pollfd p = {fd, POLLIN, 0};
        poll(&p, 1, 1);
    } else {
        struct pollfd p = {fd, POLLIN, 0};
        poll(&p, 1, 10);
    }
}

static void spin(double ms)
{
    double end = now_ms() + ms;
    while (now_ms() < end)
        turn(-1);
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sa);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || getsockname(fd, (void *)&sa, &len))
        return -1;
    close(fd);
    return ntohs(sa.sin_port);
}

static bool conn_open(conn *c, int port, int rcvbuf)
{
    *c = (conn){.fd = socket(AF_INET, SOCK_STREAM, 0)};
    if (rcvbuf)
        setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(c->fd);
        c->fd = -1;
        return false;
    }
    fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
    return true;
}

static void conn_close(conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    free(c->buf);
    *c = (conn){.fd = -1};
}

/* Read what is there; returns how many bytes came. */
static size_t conn_read(conn *c)
{
    size_t got = 0;
    for (int i = 0; i < 64 && !c->eof; i++) {
        if (c->cap - c->len < 65536) {
            c->cap = c->cap * 2 + 65536;
            c->buf = realloc(c->buf, c->cap + 1);
        }
        ssize_t n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
        if (n > 0) {
            c->len += (size_t)n;
            got += (size_t)n;
            c->buf[c->len] = '\0';
        } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
            c->eof = true;
        } else {
            break;
        }
    }
    return got;
}

static bool has(const conn *c, const char *needle, size_t n)
{
    return c->len >= n && memmem(c->buf, c->len, needle, n);
}

/* Read until needle[0..n) arrived (true) or EOF or the time is up (false). */
static bool wait_for(conn *c, const char *needle, size_t n, double ms)
{
    double end = now_ms() + ms;
    while (!has(c, needle, n) && !c->eof && now_ms() < end) {
        turn(c->fd);
        conn_read(c);
    }
    return has(c, needle, n);
}

static bool wait_eof(conn *c, double ms)
{
    double end = now_ms() + ms;
    while (!c->eof && now_ms() < end) {
        turn(c->fd);
        conn_read(c);
    }
    return c->eof;
}

/* Forget what was read so far. */
static void take(conn *c)
{
    c->len = 0;
}

/* Send everything (the console runs meanwhile), unless it stalls for stall_ms. */
static size_t conn_send(conn *c, const void *p, size_t n, double stall_ms)
{
    size_t done = 0;
    double last = now_ms();
    while (done < n && now_ms() - last < stall_ms) {
        ssize_t k = send(c->fd, (const char *)p + done, n - done, MSG_NOSIGNAL);
        if (k > 0) {
            done += (size_t)k;
            last = now_ms();
        } else if (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            break;
        }
        if (base)
            event_base_loop(base, EVLOOP_NONBLOCK);
        else if (done < n)
            poll(&(struct pollfd){c->fd, POLLOUT, 0}, 1, 10);
    }
    return done;
}

static bool conn_sends(conn *c, const char *s)
{
    size_t n = strlen(s);
    return conn_send(c, s, n, 2000) == n;
}

/* Username, password (telnetlib-style: refuses ECHO), prompt; the buffer is emptied. */
static bool conn_login(conn *c)
{
    bool ok = wait_for(c, LIT("Username: "), 3000) && conn_sends(c, "kumo\r\n") &&
              wait_for(c, LIT("Password: "), 3000) && conn_sends(c, PW "\r\n") &&
              wait_for(c, LIT(">>> "), 3000);
    take(c);
    return ok;
}

/* ---- the console on a private loop ---- */

static void start(const kumo_telnet_config *cfg)
{
    kumo_telnet_config def = {.port_lo = 0, .port_hi = 0, .password = PW, .login_delay = 0.01};
    char err[256];
    tn = kumo__telnet_new(base, NULL, cfg ? cfg : &def, err, sizeof(err));
    cr_assert(tn, "%s", err);
}

static kumo_telnet_info info(void)
{
    kumo_telnet_info i;
    kumo__telnet_info_get(tn, &i);
    return i;
}

static void setup(void)
{
    kumo_leakcheck_start();
    base = event_base_new();
}

static void teardown(void)
{
    kumo__telnet_free(tn);
    tn = NULL;
    event_base_free(base);
    base = NULL;
    kumo_leakcheck_end();
}

TestSuite(telnet, .init = setup, .fini = teardown, .timeout = 60);

Test(telnet, parse_ports)
{
    static const struct {
        const char *spec;
        int rc;
        unsigned lo, hi;
    } cases[] = {
        {"6023,6073", KUMO_OK, 6023, 6073}, {"6023-6073", KUMO_OK, 6023, 6073},
        {"[6023, 6073]", KUMO_OK, 6023, 6073}, {"6023", KUMO_OK, 6023, 6023},
        {" 0 ", KUMO_OK, 0, 0}, {"65535", KUMO_OK, 65535, 65535},
        {"", KUMO_EINVAL, 0, 0}, {"abc", KUMO_EINVAL, 0, 0}, {"65536", KUMO_EINVAL, 0, 0},
        {"6073,6023", KUMO_EINVAL, 0, 0}, {"6023,", KUMO_EINVAL, 0, 0},
        {"6023,6073,6080", KUMO_EINVAL, 0, 0}, {"[6023", KUMO_EINVAL, 0, 0},
        {"0,10", KUMO_EINVAL, 0, 0}, {"-1", KUMO_EINVAL, 0, 0},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        unsigned lo = 1, hi = 1;
        cr_assert_eq(kumo__telnet_parse_ports(cases[i].spec, &lo, &hi), cases[i].rc, "'%s'",
                     cases[i].spec);
        if (cases[i].rc == KUMO_OK)
            cr_assert(lo == cases[i].lo && hi == cases[i].hi, "'%s'", cases[i].spec);
    }
}

Test(telnet, random_password)
{
    char a[17], b[17];
    cr_assert_eq(kumo__telnet_random_password(a), KUMO_OK);
    cr_assert_eq(kumo__telnet_random_password(b), KUMO_OK);
    cr_assert_eq(strlen(a), 16);
    cr_assert_eq(strspn(a, "0123456789abcdef"), 16);
    cr_assert_str_neq(a, b);
    /* Without a password in the config the console makes one. */
    start(&(kumo_telnet_config){.port_lo = 0});
    cr_assert_eq(strspn(kumo__telnet_password(tn), "0123456789abcdef"), 16);
    cr_assert_str_eq(kumo__telnet_host(tn), "127.0.0.1");
    cr_assert(kumo__telnet_loopback(tn));
    cr_assert_gt(kumo__telnet_port(tn), 0);
}

/* The first free port of the range; a range with none free is an error, not a crash. */
Test(telnet, port_range)
{
    int busy = socket(AF_INET, SOCK_STREAM, 0), p = 0;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    for (int tries = 0; tries < 50 && !p; tries++) {
        int cand = free_port(), probe = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in next = sa;
        next.sin_port = htons((uint16_t)(cand + 1));
        sa.sin_port = htons((uint16_t)cand);
        if (cand > 0 && cand < 65535 && !bind(probe, (struct sockaddr *)&next, sizeof(next)) &&
            !bind(busy, (struct sockaddr *)&sa, sizeof(sa)) && !listen(busy, 1))
            p = cand;
        close(probe);
    }
    cr_assert(p, "no two free ports in a row");
    char err[256];
    kumo_telnet_config cfg = {.port_lo = (unsigned)p, .port_hi = (unsigned)p + 1};
    tn = kumo__telnet_new(base, NULL, &cfg, err, sizeof(err));
    cr_assert(tn, "%s", err);
    cr_assert_eq(kumo__telnet_port(tn), p + 1);
    kumo_telnet_config one = {.port_lo = (unsigned)p, .port_hi = (unsigned)p};
    cr_assert_null(kumo__telnet_new(base, NULL, &one, err, sizeof(err)));
    char want[64];
    snprintf(want, sizeof(want), "cannot listen on 127.0.0.1:%d: ", p);
    cr_assert(strstr(err, want), "%s", err);
    close(busy);
    kumo_telnet *local = kumo__telnet_new(base, NULL, &(kumo_telnet_config){.host = "localhost"},
                                         err, sizeof(err));
    cr_assert(local, "%s", err);
    cr_assert(kumo__telnet_loopback(local));
    kumo__telnet_free(local);
}

/* The exact bytes of a login with a real telnet client: it agrees to ECHO. */
Test(telnet, negotiation_bytes)
{
    start(NULL);
    conn c;
    cr_assert(conn_open(&c, kumo__telnet_port(tn), 0));
    cr_assert(wait_for(&c, LIT("Username: "), 3000));
    cr_assert_eq(c.len, 10, "nothing before the prompt");
    take(&c);
    conn_sends(&c, "kumo\r\n");
    cr_assert(wait_for(&c, LIT("Password: "), 3000));
    cr_assert_eq(c.len, 13);
    cr_assert(!memcmp(c.buf, IAC WILL ECHO "Password: ", 13), "WILL ECHO before the password");
    take(&c);
    conn_sends(&c, IAC DO ECHO PW "\r\n");
    cr_assert(wait_for(&c, LIT(">>> "), 3000));
    cr_assert_eq(c.len, 9);
    cr_assert(!memcmp(c.buf, IAC WONT ECHO "\r\n>>> ", 9));
    take(&c);
    conn_sends(&c, IAC DONT ECHO);
    /* Options the client offers or asks for are refused, subnegotiation skipped, and the
     * line around them is what is left. */
    conn_send(&c, LIT(IAC WILL NAWS IAC DO SGA IAC "\xfa" NAWS "\x00\x50\x00\x18" IAC "\xf0"
                      "'a" IAC "\xf1" "bc'" IAC WONT "\x18" IAC DONT "\x18\r\n"), 2000);
    static const char want[] = IAC DONT NAWS IAC WONT SGA "'abc'\r\n>>> ";
    cr_assert(wait_for(&c, LIT(want), 3000), "got %zu bytes", c.len);
    cr_assert_eq(c.len, sizeof(want) - 1, "nothing answers DONT ECHO, WONT or DONT");
    take(&c);
    conn_sends(&c, IAC "\xf6");
    cr_assert(wait_for(&c, LIT("\r\n[yes]\r\n"), 3000), "AYT");
    cr_assert_eq(info().logins, 1);
    cr_assert_eq(info().lines, 1);
    conn_close(&c);
}

/* Python's telnetlib refuses every option: no WONT ECHO after it said DONT ECHO. */
Test(telnet, client_refusing_every_option)
{
    start(NULL);
    conn c;
    cr_assert(conn_open(&c, kumo__telnet_port(tn), 0));
    cr_assert(wait_for(&c, LIT("Username: "), 3000));
    conn_sends(&c, "kumo\r\n");
    cr_assert(wait_for(&c, LIT("Password: "), 3000));
    take(&c);
    conn_sends(&c, IAC DONT ECHO PW "\r\n");
    cr_assert(wait_for(&c, LIT(">>> "), 3000));
    cr_assert_eq(c.len, 6);
    cr_assert(!memcmp(c.buf, "\r\n>>> ", 6));
    take(&c);
    conn_sends(&c, "'x'\n");
    cr_assert(wait_for(&c, LIT("'x'\r\n>>> "), 3000));
    conn_close(&c);
}

/* nc answers nothing and ends lines with a bare LF. */
Test(telnet, client_sending_no_options)
{
    start(NULL);
    conn c;
    cr_assert(conn_open(&c, kumo__telnet_port(tn), 0));
    conn_sends(&c, "kumo\n" PW "\n'hello'\n");
    static const char want[] = "Username: " IAC WILL ECHO "Password: " IAC WONT ECHO
                               "\r\n>>> 'hello'\r\n>>> ";
    cr_assert(wait_for(&c, LIT(want), 3000));
    cr_assert_eq(c.len, sizeof(want) - 1);
    conn_close(&c);
}

/* A byte 255 in the data comes as IAC IAC, and is one byte of the line. */
Test(telnet, iac_iac_is_data)
{
    start(&(kumo_telnet_config){.username = "k\xffu", .password = PW});
    conn c;
    cr_assert(conn_open(&c, kumo__telnet_port(tn), 0));
    conn_sends(&c, "k" IAC IAC "u\r\n" PW "\r\n");
    cr_assert(wait_for(&c, LIT(">>> "), 3000));
    cr_assert_eq(info().logins, 1);
    conn_close(&c);
}

Test(telnet, wrong_login_closes_before_any_command)
{
    static const char *const sends[] = {
        "kumo\r\nwrong\r\n'x'\r\n'y'\r\n",
        "root\r\n" PW "\r\n'x'\r\n",
        "'x'\r\n'y'\r\n'z'\r\n",
        "kumo\r\n\r\n'x'\r\n",
    };
    start(NULL);
    for (size_t i = 0; i < KUMO_ARRAY_LEN(sends); i++) {
        conn c;
        cr_assert(conn_open(&c, kumo__telnet_port(tn), 0));
        conn_sends(&c, sends[i]);
        cr_assert(wait_eof(&c, 3000), "case %zu: closed", i);
        cr_assert(has(&c, LIT("\r\nAuthentication failed\r\n")), "case %zu", i);
        cr_assert(!has(&c, LIT(">>>")), "case %zu", i);
        conn_close(&c);
    }
    cr_assert_eq(info().lines, 0, "nothing evaluated");
    cr_assert_eq(info().failed_logins, KUMO_ARRAY_LEN(sends));
    cr_assert_eq(info().logins, 0);
    cr_assert_eq(info().delayed_logins, KUMO_ARRAY_LEN(sends) - 1, "all but the first waited");
    spin(20);
    cr_assert_eq(info().clients, 0);
}

/* The wait grows per failure of an address, up to its bound; a success forgets the
 * failures. */
Test(telnet, login_delay_grows)
{
    cr_assert_float_eq(kumo__telnet_login_delay(1, 0), 0, 1e-9);
    cr_assert_float_eq(kumo__telnet_login_delay(1, 1), 1, 1e-9);
    cr_assert_float_eq(kumo__telnet_login_delay(1, 2), 2, 1e-9);
    cr_assert_float_eq(kumo__telnet_login_delay(1, 4), 8, 1e-9);
    cr_assert_float_eq(kumo__telnet_login_delay(1, 6), KUMO_TELNET_LOGIN_DELAY_MAX, 1e-9);
    cr_assert_float_eq(kumo__telnet_login_delay(1, 4000000000u), KUMO_TELNET_LOGIN_DELAY_MAX,
                       1e-9);
    cr_assert_float_eq(kumo__telnet_login_delay(-1, 5), 0, 1e-9);
    cr_assert_float_eq(kumo__telnet_login_delay(0.01, 3), 0.04, 1e-9);

    start(NULL);
    conn c;
    cr_assert(conn_open(&c, kumo__telnet_port(tn), 0));
    conn_sends(&c, "kumo\r\nwrong\r\n");
    cr_assert(wait_eof(&c, 3000));
    conn_close(&c);
    /* the next password waits (the loop runs meanwhile), then gets in; typed-ahead lines
     * run after it */
    cr_assert(conn_open(&c, kumo__telnet_port(tn), 0));
    conn_sends(&c, "kumo\r\n" PW "\r\n'ahead'\r\n");
    cr_assert(wait_for(&c, LIT("'ahead'\r\n>>> "), 3000));
    cr_assert_eq(info().delayed_logins, 1);
    conn_close(&c);
    /* forgotten: the next one does not wait */
    cr_assert(conn_open(&c, kumo__telnet_port(tn), 0));
    cr_assert(conn_login(&c));
    cr_assert_eq(info().delayed_logins, 1);
    cr_assert_eq(info().logins, 2);
    conn_close(&c);
}

/* CR LF, CR NUL, bare LF, bare CR, and CR LF split over two packets: one line each. */
Test(telnet, line_endings)
{
    start(NULL);
    conn c;
    cr_assert(conn_open(&c, kumo__telnet_port(tn), 0));
    cr_assert(conn_login(&c));
    conn_sends(&c, "'a'\r\n'b'\r");
    conn_send(&c, "\0'c'\n'd'\r", 9, 2000);
    static const char want[] = "'a'\r\n>>> 'b'\r\n>>> 'c'\r\n>>> 'd'\r\n>>> ";
    cr_assert(wait_for(&c, LIT(want), 3000), "got '%.*s'", (int)c.len, c.buf);
    spin(50);
    conn_sends(&c, "\n");
    spin(100);
    conn_read(&c);
    cr_assert_eq(c.len, sizeof(want) - 1, "the LF after a CR is no new line");
    cr_assert_eq(info().lines, 4);
    take(&c);
    /* An empty line evaluates to nothing and prompts again. */
    conn_sends(&c, "\r\n");
    cr_assert(wait_for(&c, LIT(">>> "), 3000));
    cr_assert_eq(c.len, 4);
    conn_close(&c);
}

/* A line with a Tab asks for completions: they come back on one line, nothing runs. */
Test(telnet, tab_completes_instead_of_running)
{
    start(NULL);
    conn c;
    cr_assert(conn_open(&c, kumo__telnet_port(tn), 0));
    cr_assert(conn_login(&c));
    take(&c);
    conn_sends(&c, "request_total = 1\r\nrequest_t\t\r\n");
    static const char want[] = ">>> request_total\r\n>>> ";
    cr_assert(wait_for(&c, LIT(want), 3000), "got '%.*s'", (int)c.len, c.buf);
    take(&c);
    conn_sends(&c, "print(get_o\t + 1\r\n");
    cr_assert(wait_for(&c, LIT("get_oldest\r\n>>> "), 3000), "got '%.*s'", (int)c.len, c.buf);
    take(&c);
    conn_sends(&c, "zzz\t\r\n");
    cr_assert(wait_for(&c, LIT("(no completions)\r\n>>> "), 3000), "got '%.*s'", (int)c.len,
              c.buf);
    cr_assert_eq(info().lines, 1, "only the assignment ran");
    conn_close(&c);
}

Test(telnet, exit_and_eof_close)
{
    start(NULL);
    conn c;
    cr_assert(conn_open(&c, kumo__telnet_port(tn), 0));
    cr_assert(conn_login(&c));
    conn_sends(&c, "exit()\r\n");
    cr_assert(wait_eof(&c, 3000));
    conn_close(&c);
    /* A client that half-closes still gets the answers to what it sent, even to a last
     * line without its newline. */
    cr_assert(conn_open(&c, kumo__telnet_port(tn), 0));
    conn_sends(&c, "kumo\n" PW "\n'one'\n'two'");
    shutdown(c.fd, SHUT_WR);
    cr_assert(wait_eof(&c, 3000));
    cr_assert(has(&c, LIT(">>> 'one'\r\n>>> 'two'\r\n")), "got '%.*s'", (int)c.len, c.buf);
    conn_close(&c);
    spin(20);
    cr_assert_eq(info().clients, 0);
}

/* Random bytes, before and after login, never crash it; it keeps serving. */
Test(telnet, garbage_bytes)
{
    start(NULL);
    static unsigned char junk[64 * 1024];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof(junk); i++) {
        x = x * 1103515245u + 12345u;
        junk[i] = (unsigned char)(x >> 16);
        if (junk[i] == 236 || junk[i] == 4)     /* IAC EOF and ^D end a session */
            junk[i]++;
    }
    conn c;
    cr_assert(conn_open(&c, kumo__telnet_port(tn), 0));
    conn_send(&c, junk, sizeof(junk), 2000);
    wait_eof(&c, 3000);
    conn_close(&c);
    cr_assert_eq(info().lines, 0);

    cr_assert(conn_open(&c, kumo__telnet_port(tn), 0));
    cr_assert(conn_login(&c));
    for (int round = 0; round < 4; round++) {
        for (size_t off = 0; off < sizeof(junk); off += 4096) {
            cr_assert_eq(conn_send(&c, junk + off, 4096, 3000), 4096);
            conn_read(&c);
        }
    }
    /* Whatever state the junk left the parser in (option, subnegotiation), this ends it. */
    conn_send(&c, LIT(IAC "\xf0" IAC "\xf0\r\n'resync'\r\n"), 3000);
    cr_assert(wait_for(&c, LIT("'resync'\r\n>>> "), 10000));
    cr_assert_eq(info().clients, 1);
    conn_close(&c);
}

/* A 1 MB line: one error line, discarded up to its newline, bounded memory. */
Test(telnet, long_line)
{
    start(NULL);
    conn c;
    cr_assert(conn_open(&c, kumo__telnet_port(tn), 0));
    cr_assert(conn_login(&c));
    size_t n = 1024 * 1024;
    char *line = malloc(n + 2);
    line[0] = '\'';
    memset(line + 1, 'a', n - 1);
    line[n] = '\'';
    line[n + 1] = '\n';
    size_t peak = 0;
    for (size_t done = 0; done < n + 2;) {
        size_t k = conn_send(&c, line + done, KUMO_MIN((size_t)4096, n + 2 - done), 3000);
        cr_assert_gt(k, 0);
        done += k;
        peak = KUMO_MAX(peak, info().buffered);
        conn_read(&c);
    }
    free(line);
    conn_sends(&c, "'ok'\r\n");
    cr_assert(wait_for(&c, LIT("'ok'\r\n>>> "), 5000));
    static const char err[] = "error: line too long (more than 65536 bytes), discarded\r\n>>> ";
    char *first = memmem(c.buf, c.len, LIT(err));
    cr_assert(first, "got '%.*s'", (int)KUMO_MIN(c.len, (size_t)200), c.buf);
    const char *rest = first + sizeof(err) - 1;
    cr_assert_null(memmem(rest, c.len - (size_t)(rest - c.buf), LIT("too long")),
                   "one error line");
    cr_assert_eq(info().lines, 1, "only 'ok' was evaluated");
    cr_assert_lt(peak, 300 * 1024, "buffered %zu bytes", peak);
    /* Before login the bound is much smaller, and too long a name ends the connection. */
    conn d;
    cr_assert(conn_open(&d, kumo__telnet_port(tn), 0));
    char name[4096];
    memset(name, 'u', sizeof(name));
    conn_send(&d, name, sizeof(name), 2000);
    cr_assert(wait_eof(&d, 3000));
    cr_assert(has(&d, LIT("Authentication failed")));
    conn_close(&d);
    conn_close(&c);
}

/* A client that sends commands and never reads: its input pauses, memory stays bounded,
 * and the loop goes on serving others. */
Test(telnet, client_that_never_reads)
{
    start(&(kumo_telnet_config){.password = PW, .max_pending = 64 * 1024});
    conn slow, other;
    cr_assert(conn_open(&slow, kumo__telnet_port(tn), 4096));
    cr_assert(conn_login(&slow));
    /* Each line prints 16 KB (the language reads lines up to 16 KiB); send far more than
     * the socket buffers hold. */
    size_t n = 16000;
    char *line = malloc(n + 3);
    line[0] = '\'';
    memset(line + 1, 'z', n);
    line[n + 1] = '\'';
    line[n + 2] = '\n';
    size_t sent = 0, peak = 0;
    double end = now_ms() + 15000;
    for (int i = 0; i < 2000 && now_ms() < end; i++) {
        size_t k = conn_send(&slow, line, n + 3, 300);
        sent += k;
        peak = KUMO_MAX(peak, info().buffered);
        if (k < n + 3)
            break;
    }
    free(line);
    spin(100);
    peak = KUMO_MAX(peak, info().buffered);
    cr_assert_gt(info().paused, 0, "input paused (sent %zu bytes)", sent);
    cr_assert_lt(sent, 2000 * (n + 3), "the sender was stopped");
    cr_assert_lt(peak, 64 * 1024 + 2 * (n + 3) + 128 * 1024 + 16 * 1024,
                 "buffered %zu bytes", peak);
    /* Another client is served at once. */
    double t0 = now_ms();
    cr_assert(conn_open(&other, kumo__telnet_port(tn), 0));
    cr_assert(conn_login(&other));
    conn_sends(&other, "'still here'\r\n");
    cr_assert(wait_for(&other, LIT("'still here'\r\n>>> "), 3000));
    cr_assert_lt(now_ms() - t0, 2000);
    /* The silent one reads at last: the answer to every whole line it sent comes. */
    size_t lines = sent / (n + 3), want = lines * (n + 8);
    for (double e2 = now_ms() + 20000; now_ms() < e2 && slow.len < want && !slow.eof;) {
        turn(slow.fd);
        conn_read(&slow);
    }
    cr_assert_eq(slow.len, want, "%zu lines", lines);
    cr_assert_eq(info().lines, lines + 1, "and 'still here'");
    cr_assert(!memcmp(slow.buf + want - n - 8, "'zzz", 4));
    conn_close(&slow);
    conn_close(&other);
    spin(50);
    cr_assert_eq(info().clients, 0);
}

Test(telnet, ten_clients_at_once)
{
    start(NULL);
    conn c[10];
    for (int i = 0; i < 10; i++)
        cr_assert(conn_open(&c[i], kumo__telnet_port(tn), 0));
    for (int i = 0; i < 10; i++)
        conn_sends(&c[i], "kumo\r\n" PW "\r\n");
    for (int i = 0; i < 10; i++) {
        cr_assert(wait_for(&c[i], LIT(">>> "), 3000), "client %d", i);
        take(&c[i]);
    }
    cr_assert_eq(info().clients, 10);
    for (int round = 0; round < 3; round++) {
        char cmd[64], want[64];
        for (int i = 0; i < 10; i++) {
            snprintf(cmd, sizeof(cmd), "'client %d round %d'\r\n", i, round);
            conn_sends(&c[i], cmd);
        }
        for (int i = 9; i >= 0; i--) {
            snprintf(want, sizeof(want), "'client %d round %d'\r\n>>> ", i, round);
            cr_assert(wait_for(&c[i], want, strlen(want), 3000), "client %d", i);
            cr_assert_eq(c[i].len, strlen(want), "client %d got only its own", i);
            take(&c[i]);
        }
    }
    cr_assert_eq(info().lines, 30);
    for (int i = 0; i < 10; i++)
        conn_close(&c[i]);
    spin(50);
    cr_assert_eq(info().clients, 0);
}

Test(telnet, too_many_connections)
{
    start(NULL);
    conn c[KUMO_TELNET_MAX_CLIENTS + 1];
    for (size_t i = 0; i < KUMO_TELNET_MAX_CLIENTS; i++) {
        cr_assert(conn_open(&c[i], kumo__telnet_port(tn), 0));
        cr_assert(wait_for(&c[i], LIT("Username: "), 3000));
    }
    conn *extra = &c[KUMO_TELNET_MAX_CLIENTS];
    cr_assert(conn_open(extra, kumo__telnet_port(tn), 0));
    cr_assert(wait_eof(extra, 3000));
    cr_assert(has(extra, LIT("too many connections (max 16)\r\n")));
    cr_assert_eq(extra->len, 31);
    cr_assert_eq(info().refused, 1);
    conn_close(extra);
    /* One leaves: there is room again. */
    conn_close(&c[0]);
    spin(50);
    cr_assert(conn_open(&c[0], kumo__telnet_port(tn), 0));
    cr_assert(wait_for(&c[0], LIT("Username: "), 3000));
    for (size_t i = 0; i < KUMO_TELNET_MAX_CLIENTS; i++)
        conn_close(&c[i]);
}

static void on_break(evutil_socket_t fd, short what, void *arg)
{
    event_base_loopbreak(arg);
}

/* An idle client costs no wakeup: no timers, nothing polled. */
Test(telnet, idle_console_costs_nothing)
{
    start(NULL);
    conn c;
    cr_assert(conn_open(&c, kumo__telnet_port(tn), 0));
    cr_assert(conn_login(&c));
    spin(50);
    uint64_t before = info().wakeups;
    struct event *ev = evtimer_new(base, on_break, base);
    struct timeval tv = {0, 300 * 1000};
    evtimer_add(ev, &tv);
    event_base_dispatch(base);
    event_free(ev);
    cr_assert_eq(info().wakeups, before, "%llu wakeups while idle",
                 (unsigned long long)(info().wakeups - before));
    /* and it still answers */
    conn_sends(&c, "'awake'\r\n");
    cr_assert(wait_for(&c, LIT("'awake'\r\n>>> "), 3000));
    conn_close(&c);
}

/* ---- in a real crawl ---- */

static kumo_testcrawl tc;

static void crawl_setup(void)
{
    kumo_testcrawl_init(&tc);
}

static void crawl_teardown(void)
{
    kumo_testcrawl_fini(&tc);
}

TestSuite(telnet_crawl, .init = crawl_setup, .fini = crawl_teardown, .timeout = 60);

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})

typedef struct operator {
    int port;
    bool logged_in, prefs_ok, sent_stop;
    bool pause_first, paused;   /* engine.pause() before engine.stop(), and its prompt back */
    int done;                   /* set by the crawl's thread once the crawl ended */
    char got[256];
} operator;

/* The console's user, in its own thread (libc only: the crawl owns the kumo heap). */
static void *operate(void *arg)
{
    operator *op = arg;
    conn c = {.fd = -1};
    for (double end = now_ms() + 10000; now_ms() < end; usleep(20 * 1000))
        if (conn_open(&c, op->port, 0))
            break;
    if (c.fd < 0)
        return NULL;
    op->logged_in = conn_login(&c);
    if (op->logged_in) {
        conn_sends(&c, "prefs()\r\n");
        op->prefs_ok = wait_for(&c, LIT("Live References\r\n"), 5000) &&
                       wait_for(&c, LIT(">>> "), 5000);
        snprintf(op->got, sizeof(op->got), "%.*s", (int)c.len, c.buf ? c.buf : "");
        if (op->pause_first)
            op->paused = conn_sends(&c, "engine.pause()\r\n") &&
                         wait_for(&c, LIT(">>> "), 5000);
        op->sent_stop = conn_sends(&c, "engine.stop()\r\n");
        /* Stay connected until the crawl is over (the loop stops with the crawl). */
        for (double end = now_ms() + 20000; !__atomic_load_n(&op->done, __ATOMIC_ACQUIRE) &&
                                            now_ms() < end;)
            usleep(10 * 1000);
    }
    conn_close(&c);
    return NULL;
}

/* An endless crawl operated from the console by op in its own thread: only the console (or
 * the safety timeout) ends it.  Returns the crawl's result. */
static int operated_crawl(operator *op)
{
    cr_assert_gt(op->port, 0);
    char port[16];
    snprintf(port, sizeof(port), "%d", op->port);
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, operate, op), 0);
    int rc = kumo_testcrawl_run(&tc, &kumo_test_probe_spider,
                                SET("TELNETCONSOLE_PORT", port, "TELNETCONSOLE_PASSWORD", PW,
                                    "DOWNLOAD_DELAY", "0.05", "RANDOMIZE_DOWNLOAD_DELAY", "0",
                                    "CLOSESPIDER_TIMEOUT", "20"),
                                SET("urls", "/depth/1"));
    __atomic_store_n(&op->done, 1, __ATOMIC_RELEASE);
    pthread_join(th, NULL);
    return rc;
}

Test(telnet_crawl, engine_stop_from_console)
{
    operator op = {.port = free_port()};
    int rc = operated_crawl(&op);
    cr_assert_eq(rc, KUMO_OK, "%s", tc.err);
    cr_assert(op.logged_in);
    cr_assert(op.prefs_ok, "prefs() answered '%s'", op.got);
    cr_assert(op.sent_stop);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&tc, "finish_reason"), "shutdown");
}

/* engine.stop() on a paused crawl stops it, as Scrapy's does: a pause holds new requests,
 * not the close. */
Test(telnet_crawl, engine_stop_after_pause)
{
    operator op = {.port = free_port(), .pause_first = true};
    int rc = operated_crawl(&op);
    cr_assert_eq(rc, KUMO_OK, "%s", tc.err);
    cr_assert(op.logged_in);
    cr_assert(op.paused, "engine.pause() answered");
    cr_assert(op.sent_stop);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&tc, "finish_reason"), "shutdown",
                     "stopped, not ended by CLOSESPIDER_TIMEOUT");
}

/* The operator of a crawl with SCHEDULER=redis: est() until its cluster block has figures,
 * then stats.get_value() of a cluster figure, then engine.stop(). */
typedef struct cluster_op {
    int port;
    bool est_ok, stats_ok;
    int done;
    char got[2048];
} cluster_op;

static void *operate_cluster(void *arg)
{
    cluster_op *op = arg;
    conn c = {.fd = -1};
    for (double end = now_ms() + 10000; now_ms() < end; usleep(20 * 1000))
        if (conn_open(&c, op->port, 0))
            break;
    if (c.fd < 0 || !conn_login(&c))
        goto out;
    for (double end = now_ms() + 15000; !op->est_ok && now_ms() < end; usleep(200 * 1000)) {
        take(&c);
        conn_sends(&c, "est()\r\n");
        op->est_ok = wait_for(&c, LIT("results waiting for Redis"), 5000) &&
                     wait_for(&c, LIT(">>> "), 5000) && has(&c, LIT(" s old)\r\n")) &&
                     has(&c, LIT("\r\nworkers alive                                   : "
                                 "local 1  cluster 1\r\n"));
        snprintf(op->got, sizeof(op->got), "%.*s", (int)c.len, c.buf ? c.buf : "");
    }
    for (double end = now_ms() + 5000; !op->stats_ok && now_ms() < end; usleep(200 * 1000)) {
        take(&c);
        conn_sends(&c, "stats.get_value('redis/cluster_workers', 0)\r\n");
        op->stats_ok = wait_for(&c, LIT(">>> "), 2000) && c.len == 7 &&
                       !memcmp(c.buf, "1\r\n>>> ", 7);
        if (!op->stats_ok)
            snprintf(op->got, sizeof(op->got), "%.*s", (int)c.len, c.buf ? c.buf : "");
    }
    conn_sends(&c, "engine.stop()\r\n");
    for (double end = now_ms() + 20000; !__atomic_load_n(&op->done, __ATOMIC_ACQUIRE) &&
                                        now_ms() < end;)
        usleep(10 * 1000);
out:
    conn_close(&c);
    return NULL;
}

/* SCHEDULER=redis: est() shows the cluster's block (pending, leased, seen, workers, items
 * beside this worker's, with the figures' age) and stats the redis/cluster_* figures. */
Test(telnet_crawl, est_and_stats_show_the_cluster_with_redis)
{
    kumo_redisd redis;
    memset(&redis, 0, sizeof(redis));
    kumo_redisd_start_or_skip(&redis);
    cluster_op op = {.port = free_port()};
    char port[16];
    snprintf(port, sizeof(port), "%d", op.port);
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, operate_cluster, &op), 0);
    int rc = kumo_testcrawl_run(&tc, &kumo_test_probe_spider,
                                SET("TELNETCONSOLE_PORT", port, "TELNETCONSOLE_PASSWORD", PW,
                                    "DOWNLOAD_DELAY", "0.05", "RANDOMIZE_DOWNLOAD_DELAY", "0",
                                    "CLOSESPIDER_TIMEOUT", "30", "SCHEDULER", "redis",
                                    "REDIS_URL", redis.url),
                                SET("urls", "/depth/1"));
    __atomic_store_n(&op.done, 1, __ATOMIC_RELEASE);
    pthread_join(th, NULL);
    kumo_redisd_stop(&redis, false);
    cr_assert_eq(rc, KUMO_OK, "%s", tc.err);
    cr_expect(op.est_ok, "est() answered '%s'", op.got);
    cr_expect(op.stats_ok, "stats.get_value() answered '%s'", op.got);
    cr_expect_str_eq(kumo_testcrawl_stat_str(&tc, "finish_reason"), "shutdown");
}

Test(telnet_crawl, disabled_or_port_taken_is_no_failure)
{
    int port = free_port();
    char ps[16];
    snprintf(ps, sizeof(ps), "%d", port);
    /* Off: not even its settings are read. */
    cr_assert_eq(kumo_testcrawl_run(&tc, &kumo_test_probe_spider,
                                    SET("TELNETCONSOLE_ENABLED", "0", "TELNETCONSOLE_PORT", "x"),
                                    SET("urls", "/ok")), KUMO_OK, "%s", tc.err);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&tc, "finish_reason"), "finished");
    /* The only port taken: a warning, and the crawl runs. */
    int busy = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(bind(busy, (struct sockaddr *)&sa, sizeof(sa)), 0);
    cr_assert_eq(listen(busy, 1), 0);
    cr_assert_eq(kumo_testcrawl_run(&tc, &kumo_test_probe_spider,
                                    SET("TELNETCONSOLE_PORT", ps), SET("urls", "/ok")),
                 KUMO_OK, "%s", tc.err);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&tc, "finish_reason"), "finished");
    close(busy);
    /* A bad port setting is a configuration error. */
    cr_assert_neq(kumo_testcrawl_run(&tc, &kumo_test_probe_spider,
                                     SET("TELNETCONSOLE_PORT", "70000"), SET("urls", "/ok")),
                  KUMO_OK);
    cr_assert(strstr(tc.err, "TELNETCONSOLE_PORT"), "%s", tc.err);
}

/* ---- the seed's transcripts, typed into a live leaking crawl over telnet ---- */

static void leak_parse(kumo_response *res, kumo_out *out)
{
    kumo_selector_list *hrefs = kumo_css(res, "a::attr(href)");
    for (size_t i = 0; i < kumo_list_len(hrefs); i++) {
        kumo_request *req = kumo_response_follow(res, kumo_sel_get(kumo_list_at(hrefs, i)),
                                                 leak_parse);
        if (req)    /* the seed's leak: the request keeps the response alive */
            kumo_map_set(kumo_request_meta(req), "referer", kumo_val_response(res));
        kumo_yield_request(out, req);
    }
}

static int leak_start(kumo_spider *sp, kumo_out *out)
{
    char url[128];
    kumo_yield_request(out, kumo_request_new(kumo_testserver_url(tc.srv, "/depth/1", url,
                                                                 sizeof(url)),
                                             leak_parse, NULL));
    return KUMO_OK;
}

static const kumo_spider_def somenasty_spider = {
    KUMO_SPIDER_HEADER,
    .name = "somenasty",
    .callbacks = KUMO_CALLBACKS(leak_parse),
    .start_requests = leak_start,
};

static const char *const seed_lines[] = {
    "prefs()",
    "from scrapy.utils.trackref import get_oldest",
    "r = get_oldest('HtmlResponse')",
    "r.url",
    "from scrapy.utils.trackref import iter_all",
    "[r.url for r in iter_all('HtmlResponse')]",
    "from scrapy.spiders import Spider",
    "prefs(ignore=Spider)",
    "x = hpy.heap()",
    "x.bytype",
    "x.bytype[0].byvia",
    "engine.stop()",
};
#define NSEED (sizeof(seed_lines) / sizeof(seed_lines[0]))

typedef struct seeder {
    int port;
    int done;
    bool logged_in;
    char *out[NSEED];           /* libc strings: what each line printed, up to its prompt */
} seeder;

static void *type_seed(void *arg)
{
    seeder *sd = arg;
    conn c = {.fd = -1};
    for (double end = now_ms() + 10000; now_ms() < end; usleep(20 * 1000))
        if (conn_open(&c, sd->port, 0))
            break;
    if (c.fd < 0)
        return NULL;
    sd->logged_in = conn_login(&c);
    usleep(600 * 1000);         /* let the leak grow and age a little */
    for (size_t i = 0; sd->logged_in && i < NSEED; i++) {
        take(&c);
        char line[256];
        snprintf(line, sizeof(line), "%s\r\n", seed_lines[i]);
        conn_sends(&c, line);
        if (i + 1 < NSEED && !wait_for(&c, LIT(">>> "), 5000))
            break;
        sd->out[i] = strndup(c.buf ? c.buf : "", c.len);
    }
    for (double end = now_ms() + 20000; !__atomic_load_n(&sd->done, __ATOMIC_ACQUIRE) &&
                                        now_ms() < end;)
        usleep(10 * 1000);
    conn_close(&c);
    return NULL;
}

static void assert_matches(const char *text, const char *pattern)
{
    regex_t re;
    cr_assert_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NEWLINE), 0, "%s", pattern);
    int rc = regexec(&re, text ? text : "", 0, NULL, 0);
    regfree(&re);
    cr_assert_eq(rc, 0, "output:\n%s\ndoes not match:\n%s", text ? text : "(none)", pattern);
}

Test(telnet_crawl, seed_transcripts_over_telnet)
{
    seeder sd = {.port = free_port()};
    char port[16];
    snprintf(port, sizeof(port), "%d", sd.port);
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, type_seed, &sd), 0);
    int rc = kumo_testcrawl_run(&tc, &somenasty_spider,
                                SET("TELNETCONSOLE_PORT", port, "TELNETCONSOLE_PASSWORD", PW,
                                    "DOWNLOAD_DELAY", "0.01", "RANDOMIZE_DOWNLOAD_DELAY", "0",
                                    "CLOSESPIDER_TIMEOUT", "30"),
                                NULL);
    __atomic_store_n(&sd.done, 1, __ATOMIC_RELEASE);
    pthread_join(th, NULL);
    cr_assert_eq(rc, KUMO_OK, "%s", tc.err);
    cr_assert(sd.logged_in);
    const char *row = "[A-Za-z]+ +[0-9]+   oldest: [0-9]+s ago\r\n";
    char want[512];
    snprintf(want, sizeof(want),
             "^Live References\r\n\r\nHtmlResponse +[0-9]+   oldest: [0-9]+s ago\r\n"
             "Request +[0-9]+   oldest: [0-9]+s ago\r\n"
             "SomenastySpider +1   oldest: [0-9]+s ago\r\n\r\n>>> $");
    assert_matches(sd.out[0], want);
    assert_matches(sd.out[1], "^>>> $");
    assert_matches(sd.out[3], "^'http://127\\.0\\.0\\.1:[0-9]+/depth/1'\r\n>>> $");
    assert_matches(sd.out[5], "^\\['http://127\\.0\\.0\\.1:[0-9]+/depth/1', "
                              "'http://127\\.0\\.0\\.1:[0-9]+/depth/2'.*\\]\r\n>>> $");
    snprintf(want, sizeof(want), "^Live References\r\n\r\n%s%s\r\n>>> $", row, row);
    assert_matches(sd.out[7], want);
    cr_assert_null(strstr(sd.out[7], "Spider"));
    assert_matches(sd.out[9], "^Partition of a set of [0-9]+ objects\\. Total size = [0-9]+ "
                              "bytes\\.\r\n Index  Count   %     Size   % Cumulative  % Type\r\n"
                              "     0 +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ [^\r]+\r\n");
    assert_matches(sd.out[10], "^Partition of a set of [0-9]+ objects\\. Total size = [0-9]+ "
                               "bytes\\.\r\n Index  Count   %     Size   % Cumulative  % "
                               "Referred Via:\r\n");
    cr_assert_str_eq(kumo_testcrawl_stat_str(&tc, "finish_reason"), "shutdown");
    for (size_t i = 0; i < NSEED; i++)
        free(sd.out[i]);
}

/* ---- abuse, against a live crawl: it goes on, memory stays bounded, one clear line ---- */

static char abuse_log_path[64];        /* the crawl's LOG_FILE, one per test process */

typedef struct abuse abuse;
struct abuse {
    int port;
    bool (*act)(abuse *a, conn *op);    /* the abuse, in the client thread; false: it failed */
    bool op_in, acted, alive, progressed, sent_stop;
    long items_before, items_after;
    char why[512];                      /* what the act or the operator saw go wrong */
    int done;
};

/* How many times needle[0..n) is in what c read. */
static size_t occurrences(const conn *c, const char *needle, size_t n)
{
    size_t k = 0;
    for (const char *p = c->buf; p && c->len >= n;) {
        p = memmem(p, c->len - (size_t)(p - c->buf), needle, n);
        if (p) {
            k++;
            p += n;
        }
    }
    return k;
}

/* Evaluate line on the operator's console; its first output line as a number, -1 if none. */
static long op_number(conn *op, const char *line)
{
    take(op);
    if (!conn_sends(op, line) || !wait_for(op, LIT(">>> "), 20000))
        return -1;
    return strtol(op->buf, NULL, 10);
}

static bool say(abuse *a, const conn *c, const char *what)
{
    snprintf(a->why, sizeof(a->why), "%s; got %zu bytes '%.300s'", what, c->len,
             c->buf ? c->buf : "");
    return false;
}

/* The operator: logs in, counts items, lets act abuse the console, checks the console still
 * answers and the crawl still scrapes, then stops it. */
static void *abuse_thread(void *arg)
{
    abuse *a = arg;
    conn op = {.fd = -1};
    for (double end = now_ms() + 10000; now_ms() < end; usleep(20 * 1000))
        if (conn_open(&op, a->port, 0))
            break;
    a->op_in = op.fd >= 0 && conn_login(&op);
    if (a->op_in) {
        static const char count[] = "stats.get_value('item_scraped_count', 0)\r\n";
        a->items_before = op_number(&op, count);
        a->acted = a->act(a, &op);
        take(&op);
        a->alive = conn_sends(&op, "'alive'\r\n") && wait_for(&op, LIT("'alive'\r\n>>> "), 20000);
        for (double end = now_ms() + 20000; now_ms() < end && !a->progressed; usleep(20000)) {
            a->items_after = op_number(&op, count);
            a->progressed = a->items_after > a->items_before + 2;
        }
        a->sent_stop = conn_sends(&op, "engine.stop()\r\n");
        for (double end = now_ms() + 20000; !__atomic_load_n(&a->done, __ATOMIC_ACQUIRE) &&
                                            now_ms() < end;)
            usleep(10 * 1000);
    }
    conn_close(&op);
    return NULL;
}

/* Peak resident memory of this process, in KiB. */
static long peak_rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kib = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kib;
}

/* The whole log of the last run; a new string (free()). */
static char *abuse_log(void)
{
    FILE *f = fopen(abuse_log_path, "r");
    cr_assert(f);
    char *s = calloc(1, 1 << 20);
    size_t n = fread(s, 1, (1 << 20) - 1, f);
    s[n] = '\0';
    fclose(f);
    return s;
}

/* Crawl an endless site while act abuses the console, with settings kv (NAME, VALUE, ...,
 * up to 8 pairs); asserts the act saw what it expected, the console and the crawl went on,
 * and the crawl ended with every item it scraped.  Returns the log (free()). */
static char *run_abuse(bool (*act)(abuse *, conn *), const char *const *kv)
{
    abuse a = {.port = free_port(), .act = act};
    cr_assert_gt(a.port, 0);
    char port[16];
    snprintf(port, sizeof(port), "%d", a.port);
    const char *set[32] = {"TELNETCONSOLE_PORT", port, "TELNETCONSOLE_PASSWORD", PW,
                           "DOWNLOAD_DELAY", "0.02", "RANDOMIZE_DOWNLOAD_DELAY", "0",
                           "CLOSESPIDER_TIMEOUT", "120", "LOG_LEVEL", "INFO",
                           "LOG_FILE", abuse_log_path};
    size_t n = 14;
    for (size_t i = 0; kv && kv[i] && n + 2 < KUMO_ARRAY_LEN(set); i++)
        set[n++] = kv[i];
    snprintf(abuse_log_path, sizeof(abuse_log_path), "/tmp/kumo-telnet-abuse-%d.log",
             (int)getpid());
    unlink(abuse_log_path);
    long rss0 = peak_rss_kib();
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, abuse_thread, &a), 0);
    int rc = kumo_testcrawl_run(&tc, &kumo_test_probe_spider, set, SET("urls", "/depth/1"));
    __atomic_store_n(&a.done, 1, __ATOMIC_RELEASE);
    pthread_join(th, NULL);
    kumo__log_set_file(NULL);
    cr_assert_eq(rc, KUMO_OK, "%s", tc.err);
    cr_assert(a.op_in, "the operator logged in");
    cr_assert(a.acted, "%s", a.why);
    cr_assert(a.alive, "the console answers after the abuse");
    cr_assert(a.progressed, "the crawl went on: %ld items, then %ld", a.items_before,
              a.items_after);
    cr_assert(a.sent_stop);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&tc, "finish_reason"), "shutdown");
    cr_assert_eq((int64_t)tc.nitems, kumo_testcrawl_stat(&tc, "item_scraped_count", -1));
    cr_assert_geq((long)tc.nitems, a.items_after);
    long grew = peak_rss_kib() - rss0;
    cr_assert_lt(grew, 256 * 1024, "peak RSS grew by %ld KiB", grew);
    char *log = abuse_log();
    unlink(abuse_log_path);
    return log;
}

/* A new logged-in connection in *c. */
static bool fresh_login(abuse *a, conn *c)
{
    return conn_open(c, a->port, 0) && conn_login(c);
}

static bool act_wrong_passwords(abuse *a, conn *op)
{
    for (int i = 0; i < 3; i++) {
        conn c;
        if (!conn_open(&c, a->port, 0))
            return say(a, op, "no connection");
        conn_sends(&c, "kumo\r\nwrong\r\n'x'\r\n");
        bool ok = wait_eof(&c, 20000) && occurrences(&c, LIT("Authentication failed\r\n")) == 1 &&
                  !has(&c, LIT(">>>"));
        if (!ok)
            say(a, &c, "wrong password: one line, then closed");
        conn_close(&c);
        if (!ok)
            return false;
    }
    /* the right one still gets in, after the wait its address earned */
    conn c;
    bool ok = fresh_login(a, &c);
    if (ok) {
        conn_sends(&c, "'in'\r\n");
        ok = wait_for(&c, LIT("'in'\r\n>>> "), 20000);
    }
    if (!ok)
        say(a, &c, "the right password after three wrong ones");
    conn_close(&c);
    return ok;
}

/* Wrong passwords: each closes with one line, is logged with the address and counted, and
 * the address's next password waits longer each time; the right one still works. */
Test(telnet_crawl, abuse_wrong_passwords, .timeout = 120)
{
    char *log = run_abuse(act_wrong_passwords, SET("TELNETCONSOLE_LOGIN_DELAY", "0.1"));
    cr_assert_eq(kumo_testcrawl_stat(&tc, "telnetconsole/login_failed", 0), 3);
    cr_assert_eq(kumo_testcrawl_stat(&tc, "telnetconsole/logins", 0), 2);
    static const char *const want[] = {
        "(1 in a row from this address; its next password waits 0.1 s)",
        "(2 in a row from this address; its next password waits 0.2 s)",
        "(3 in a row from this address; its next password waits 0.4 s)",
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(want); i++) {
        char line[256];
        snprintf(line, sizeof(line), "[kumo.extensions.telnet] WARNING: Telnet console login "
                 "failed for user 'kumo' from 127.0.0.1:");
        const char *at = strstr(log, want[i]);
        cr_assert(at, "log lacks <%s>:\n%s", want[i], log);
        const char *bol = at;
        while (bol > log && bol[-1] != '\n')
            bol--;
        cr_assert(strstr(bol, line) && strstr(bol, line) < at, "%.*s", (int)(at - bol), bol);
        cr_assert(strstr(bol, ": wrong password (") && strstr(bol, ": wrong password (") < at);
    }
    free(log);
}

static bool act_too_many_clients(abuse *a, conn *op)
{
    conn c[KUMO_TELNET_MAX_CLIENTS];
    size_t n = 0;
    bool ok = true;
    for (; n < KUMO_TELNET_MAX_CLIENTS - 1 && ok; n++)
        ok = conn_open(&c[n], a->port, 0) && wait_for(&c[n], LIT("Username: "), 20000);
    if (!ok)
        say(a, &c[n - 1], "the first 16 connections (the operator's included) are taken");
    conn extra;
    if (ok) {
        ok = conn_open(&extra, a->port, 0) && wait_eof(&extra, 20000) &&
             extra.len == strlen("too many connections (max 16)\r\n") &&
             has(&extra, LIT("too many connections (max 16)\r\n"));
        if (!ok)
            say(a, &extra, "the 17th connection: one line, then closed");
        conn_close(&extra);
    }
    for (size_t i = 0; i < n; i++)
        conn_close(&c[i]);
    return ok;
}

/* More clients than allowed: the one too many gets one line and is logged and counted. */
Test(telnet_crawl, abuse_too_many_clients, .timeout = 120)
{
    char *log = run_abuse(act_too_many_clients, NULL);
    cr_assert_eq(kumo_testcrawl_stat(&tc, "telnetconsole/refused", 0), 1);
    cr_assert(strstr(log, "[kumo.extensions.telnet] WARNING: Telnet console refused a "
                          "connection from 127.0.0.1:"), "%s", log);
    cr_assert(strstr(log, ": too many connections (max 16)\n"), "%s", log);
    free(log);
}

/* Send n bytes of ch on c, then tail. */
static bool flood(conn *c, char ch, size_t n, const char *tail)
{
    static char chunk[65536];
    memset(chunk, ch, sizeof(chunk));
    for (size_t done = 0; done < n;) {
        size_t k = KUMO_MIN(sizeof(chunk), n - done);
        if (conn_send(c, chunk, k, 20000) != k)
            return false;
        done += k;
        conn_read(c);
    }
    return conn_sends(c, tail);
}

static bool act_ten_mb_line(abuse *a, conn *op)
{
    conn c;
    bool ok = fresh_login(a, &c) && flood(&c, 'a', 10u << 20, "\r\n'ok'\r\n") &&
              wait_for(&c, LIT("'ok'\r\n>>> "), 30000) &&
              occurrences(&c, LIT("error: line too long (more than 65536 bytes), discarded\r\n"))
                  == 1;
    if (!ok)
        say(a, &c, "a 10 MB line: one error line, then the next line runs");
    conn_close(&c);
    if (!ok)
        return false;
    /* before login: as a user name, one line and the connection closes (the rest of the
     * flood may not even be sent) */
    ok = conn_open(&c, a->port, 0);
    if (ok) {
        flood(&c, 'u', 10u << 20, "\r\n");
        ok = wait_eof(&c, 30000) && occurrences(&c, LIT("Authentication failed\r\n")) == 1;
    }
    if (!ok)
        say(a, &c, "a 10 MB user name: one line, then closed");
    conn_close(&c);
    return ok;
}

/* A 10 MB line, logged in or as a user name. */
Test(telnet_crawl, abuse_ten_mb_line, .timeout = 120)
{
    char *log = run_abuse(act_ten_mb_line, NULL);
    cr_assert_eq(kumo_testcrawl_stat(&tc, "telnetconsole/login_failed", 0), 1);
    cr_assert(strstr(log, "name or password longer than 1024 bytes"), "%s", log);
    free(log);
}

static bool act_iac_flood(abuse *a, conn *op)
{
    /* 100,000 option requests and AYTs, no line: one error line, then closed */
    conn c;
    static const char unit[] = IAC DO "\x18" IAC WILL "\x18" IAC "\xf6";
    char *buf = malloc(100000 * (sizeof(unit) - 1));
    for (size_t i = 0; i < 100000; i++)
        memcpy(buf + i * (sizeof(unit) - 1), unit, sizeof(unit) - 1);
    bool ok = fresh_login(a, &c);
    if (ok) {
        conn_send(&c, buf, 100000 * (sizeof(unit) - 1), 5000);
        ok = wait_eof(&c, 30000) &&
             occurrences(&c, LIT("error: more than 1000 telnet commands without a line, "
                                 "closing\r\n")) == 1;
    }
    free(buf);
    if (!ok)
        say(a, &c, "an IAC flood: one error line, then closed");
    conn_close(&c);
    if (!ok)
        return false;
    /* an unterminated subnegotiation: one line, ignored up to its IAC SE, the session goes
     * on */
    ok = fresh_login(a, &c) && conn_sends(&c, IAC "\xfa\x18") &&
         flood(&c, 'x', 1u << 20, "\r\n'lost'\r\n") &&
         wait_for(&c, LIT("ignored up to its IAC SE\r\n"), 20000) &&
         conn_sends(&c, IAC "\xf0\r\n'back'\r\n") && wait_for(&c, LIT("'back'\r\n>>> "), 20000) &&
         occurrences(&c, LIT("error: telnet subnegotiation longer than 1024 bytes: ignored up "
                             "to its IAC SE\r\n")) == 1 && !has(&c, LIT("'lost'"));
    if (!ok)
        say(a, &c, "an unterminated subnegotiation: one line, then resync at IAC SE");
    conn_close(&c);
    return ok;
}

/* IAC floods and an unterminated subnegotiation. */
Test(telnet_crawl, abuse_iac_flood_and_subnegotiation, .timeout = 120)
{
    char *log = run_abuse(act_iac_flood, NULL);
    cr_assert_eq(kumo_testcrawl_stat(&tc, "telnetconsole/protocol_errors", 0), 2);
    cr_assert(strstr(log, "WARNING: Telnet console closes the connection from 127.0.0.1:"),
              "%s", log);
    cr_assert(strstr(log, "WARNING: Telnet console ignores input from 127.0.0.1:"), "%s", log);
    free(log);
}

/* Each line in lines (NULL-ended) answers one output line holding its want, then a prompt. */
static bool answers(abuse *a, conn *c, const char *const lines[][2])
{
    for (size_t i = 0; lines[i][0]; i++) {
        take(c);
        if (!conn_sends(c, lines[i][0]) || !conn_sends(c, "\r\n") ||
            !wait_for(c, LIT(">>> "), 30000)) {
            say(a, c, lines[i][1]);
            return false;
        }
        const char *nl = memmem(c->buf, c->len, LIT("\r\n"));
        if (!has(c, lines[i][1], strlen(lines[i][1])) || !nl ||
            (size_t)(nl - c->buf) + 2 + 4 != c->len) {
            char what[128];
            snprintf(what, sizeof(what), "%.40s...: one line with '%s'", lines[i][0],
                     lines[i][1]);
            return say(a, c, what);
        }
    }
    return true;
}

static bool act_parentheses(abuse *a, conn *op)
{
    conn c;
    if (!fresh_login(a, &c))
        return say(a, &c, "login");
    bool ok = true;
    static const size_t depths[] = {100000, 30000, 5000};
    static const char *const want[] = {
        "error: line too long (more than 65536 bytes), discarded",
        "line too long", "SyntaxError: ",
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(depths) && ok; i++) {
        size_t d = depths[i];
        char *line = malloc(2 * d + 2);
        memset(line, '(', d);
        line[d] = '1';
        memset(line + d + 1, ')', d);
        line[2 * d + 1] = '\0';
        const char *const lines[][2] = {{line, want[i]}, {NULL, NULL}};
        ok = answers(a, &c, lines);
        free(line);
    }
    conn_close(&c);
    return ok;
}

/* 100,000 parentheses, and fewer that still pass every bound but the parser's. */
Test(telnet_crawl, abuse_parentheses, .timeout = 120)
{
    free(run_abuse(act_parentheses, NULL));
}

static bool act_huge(abuse *a, conn *op)
{
    static const char *const lines[][2] = {
        {"range(10**12)", "MemoryError: more than 100000 items"},
        {"len(range(10**12))", "MemoryError: more than 100000 items"},
        {"list(range(10**12))", "MemoryError: "},
        {"[x for x in range(10**12)]", "MemoryError: "},
        {"'a'*10**10", "MemoryError: "},
        {"[0]*10**9", "MemoryError: "},
        {"(1,)*10**9", "MemoryError: "},
        {"10**10**10", "Error: "},
        {"'ok'", "'ok'"},
        {NULL, NULL},
    };
    conn c;
    bool ok = fresh_login(a, &c) && answers(a, &c, lines);
    conn_close(&c);
    return ok;
}

/* Huge ranges and repetitions: one clear line each, bounded memory and time. */
Test(telnet_crawl, abuse_huge_ranges_and_repetitions, .timeout = 120)
{
    free(run_abuse(act_huge, NULL));
}
