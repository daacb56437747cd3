/* test_telnetconsole.c - the TelnetConsole extension on a crawler from the test helpers:
 * declined when disabled, a bad port refused, listening on a free port once the spider
 * opened, no longer after it closed. */
#include "unit/middleware/mwtest.h"
#include "console/telnetconsole.h"

#include <arpa/inet.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <sys/socket.h>

static kumo_crawler *c;

static void setup(void)
{
    kumo_leakcheck_start();
    mwt_log_begin();
}

static void teardown(void)
{
    mwt_log_end();
    kumo_leakcheck_end();
}

TestSuite(telnetconsole, .init = setup, .fini = teardown, .timeout = 60);

/* c with settings kv and a loop of its own. */
static void crawler(const char *const *kv)
{
    c = mwt_crawler(kv);
    kumo__crawler_set_base(c, event_base_new());
    cr_assert_not_null(kumo__crawler_base(c));
}

static void crawler_free(void)
{
    struct event_base *base = kumo__crawler_base(c);
    mwt_crawler_free(c);
    event_base_free(base);
}

/* Returns 0 when a TCP connection to 127.0.0.1:port is accepted, else errno. */
static int try_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int rc = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 ? 0 : errno;
    close(fd);
    return rc;
}

/* The port of the "Telnet console listening on 127.0.0.1:PORT" log line, or -1. */
static int logged_port(void)
{
    const char *p = strstr(mwt_log(), "Telnet console listening on 127.0.0.1:");
    return p ? atoi(p + strlen("Telnet console listening on 127.0.0.1:")) : -1;
}

Test(telnetconsole, disabled_is_declined)
{
    crawler(KUMO_LIST("TELNETCONSOLE_ENABLED", "False"));
    void *self = NULL;
    char err[256] = "";
    cr_assert_eq(kumo__ext_telnetconsole.open(c, &self, err, sizeof(err)), KUMO_EDECLINED);
    cr_assert_null(self);
    crawler_free();
}

Test(telnetconsole, bad_port_is_refused)
{
    crawler(KUMO_LIST("TELNETCONSOLE_PORT", "70000"));
    void *self = NULL;
    char err[256] = "";
    cr_assert_eq(kumo__ext_telnetconsole.open(c, &self, err, sizeof(err)), KUMO_EINVAL);
    cr_assert_null(self);
    cr_assert_str_eq(err, "invalid value '70000' for TELNETCONSOLE_PORT: expected a port, a "
                          "range such as 6023,6073, or 0 for any free port");
    crawler_free();
}

Test(telnetconsole, negative_login_delay_is_refused)
{
    crawler(KUMO_LIST("TELNETCONSOLE_LOGIN_DELAY", "-2"));
    void *self = NULL;
    char err[256] = "";
    cr_assert_eq(kumo__ext_telnetconsole.open(c, &self, err, sizeof(err)), KUMO_EINVAL);
    cr_assert_null(self);
    cr_assert_str_eq(err, "invalid value '-2' for TELNETCONSOLE_LOGIN_DELAY: expected seconds, "
                          "0 or more");
    crawler_free();
}

Test(telnetconsole, listens_once_opened_and_stops_when_closed)
{
    crawler(KUMO_LIST("TELNETCONSOLE_PORT", "0", "TELNETCONSOLE_PASSWORD", "secret"));
    cr_assert_str_eq(kumo__ext_telnetconsole.name, "TelnetConsole");
    void *self = NULL;
    char err[256] = "";
    cr_assert_eq(kumo__ext_telnetconsole.open(c, &self, err, sizeof(err)), KUMO_OK, "%s", err);
    cr_assert_not_null(self);
    /* nothing listens before the spider opened */
    cr_assert_eq(logged_port(), -1);
    kumo__signal_send(kumo__crawler_signals(c), c, KUMO_SIG_SPIDER_OPENED, NULL);
    int port = logged_port();
    cr_assert_gt(port, 0, "no listening line in:\n%s", mwt_log());
    cr_assert_eq(try_connect(port), 0, "nothing listens on %d", port);
    /* a password was given: none is made up and logged */
    cr_assert_null(strstr(mwt_log(), "Telnet Password"));
    kumo__signal_send(kumo__crawler_signals(c), c, KUMO_SIG_SPIDER_CLOSED, (void *)"finished");
    cr_assert_eq(try_connect(port), ECONNREFUSED, "still listening on %d after close", port);
    kumo__ext_telnetconsole.close(self, c);
    crawler_free();
}

Test(telnetconsole, password_made_up_when_none_is_set)
{
    crawler(KUMO_LIST("TELNETCONSOLE_PORT", "0"));
    void *self = NULL;
    char err[256] = "";
    cr_assert_eq(kumo__ext_telnetconsole.open(c, &self, err, sizeof(err)), KUMO_OK, "%s", err);
    const char *p = strstr(mwt_log(), "Telnet Password: ");
    cr_assert_not_null(p, "no password line in:\n%s", mwt_log());
    p += strlen("Telnet Password: ");
    cr_assert_eq(strspn(p, "0123456789abcdef"), 16, "%s", p);
    /* closed without the spider ever opening: nothing was listening, nothing leaks */
    kumo__ext_telnetconsole.close(self, c);
    crawler_free();
}
