/* telnetconsole.c - TelnetConsole: the telnet console on the crawl's loop (Scrapy's). */
#include "console/telnetconsole.h"
#include "console/telnet.h"
#include "core/crawler.h"
#include "core/registry.h"
#include "core/settings.h"
#include "core/signals.h"

#define LOGGER "kumo.extensions.telnet"

typedef struct console {
    kumo_telnet_config cfg;
    char *host, *username, *password;   /* owned copies behind cfg's pointers */
    kumo_telnet *t;
} console;

static char *dup_setting(const kumo_settings *s, const char *name, const char *def)
{
    const char *v = kumo__settings_get(s, name);
    return kumo_strdup(v ? v : def, KUMO_T_STR, KUMO_V_NONE);
}

/* Scrapy listens once the engine started: after "Spider opened". */
static void opened(void *self, kumo_crawler *c, void *arg)
{
    console *co = self;
    char err[256];
    co->t = kumo__telnet_new(kumo_crawler_event_base(c), c, &co->cfg, err, sizeof(err));
    if (!co->t) {
        KUMO_WARN(LOGGER, "Telnet console disabled: %s", err);
        return;
    }
    if (!kumo__telnet_loopback(co->t))
        KUMO_WARN(LOGGER, "Telnet console listens on %s, not a loopback address: anyone who "
                  "can reach it and has the password controls this crawl",
                  kumo__telnet_host(co->t));
    KUMO_INFO(LOGGER, "Telnet console listening on %s:%d", kumo__telnet_host(co->t),
              kumo__telnet_port(co->t));
}

/* Scrapy stops listening when the engine stops; clients go in close(). */
static void closed(void *self, kumo_crawler *c, void *arg)
{
    console *co = self;
    kumo__telnet_stop_listening(co->t);
}

static void free_console(console *co)
{
    kumo__telnet_free(co->t);
    kumo_free(co->host);
    kumo_free(co->username);
    kumo_free(co->password);
    kumo_free(co);
}

static int open_ext(kumo_crawler *c, void **self, char *err, size_t errlen)
{
    const kumo_settings *s = kumo__crawler_settings(c);
    if (!kumo__settings_bool(s, "TELNETCONSOLE_ENABLED"))
        return KUMO_EDECLINED;
    const char *ports = kumo__settings_get(s, "TELNETCONSOLE_PORT");
    unsigned lo, hi;
    if (kumo__telnet_parse_ports(ports ? ports : "6023,6073", &lo, &hi) != KUMO_OK) {
        snprintf(err, errlen, "invalid value '%s' for TELNETCONSOLE_PORT: expected a port, "
                 "a range such as 6023,6073, or 0 for any free port", ports ? ports : "");
        return KUMO_EINVAL;
    }
    double delay = kumo__settings_float(s, "TELNETCONSOLE_LOGIN_DELAY");
    if (!(delay >= 0)) {
        snprintf(err, errlen, "invalid value '%s' for TELNETCONSOLE_LOGIN_DELAY: expected "
                 "seconds, 0 or more", kumo__settings_get(s, "TELNETCONSOLE_LOGIN_DELAY"));
        return KUMO_EINVAL;
    }
    console *co = kumo_calloc(1, sizeof(*co), KUMO_T_OTHER, KUMO_V_NONE);
    co->host = dup_setting(s, "TELNETCONSOLE_HOST", "127.0.0.1");
    co->username = dup_setting(s, "TELNETCONSOLE_USERNAME", "kumo");
    co->password = dup_setting(s, "TELNETCONSOLE_PASSWORD", "");
    if (!*co->password) {
        char pw[17];
        if (kumo__telnet_random_password(pw) != KUMO_OK) {
            snprintf(err, errlen, "cannot make a telnet console password: %s",
                     strerror(errno));
            free_console(co);
            return KUMO_EIO;
        }
        kumo_free(co->password);
        co->password = kumo_strdup(pw, KUMO_T_STR, KUMO_V_NONE);
        KUMO_INFO(LOGGER, "Telnet Password: %s", co->password);
    }
    co->cfg = (kumo_telnet_config){
        .host = co->host,
        .port_lo = lo,
        .port_hi = hi,
        .username = co->username,
        .password = co->password,
        .login_delay = delay > 0 ? delay : -1,
    };
    kumo__signal_connect(kumo__crawler_signals(c), KUMO_SIG_SPIDER_OPENED, opened, co);
    kumo__signal_connect(kumo__crawler_signals(c), KUMO_SIG_SPIDER_CLOSED, closed, co);
    *self = co;
    return KUMO_OK;
}

static void close_ext(void *self, kumo_crawler *c)
{
    free_console(self);
}

const kumo_ext_def kumo__ext_telnetconsole = {
    KUMO_EXT_HEADER,
    .name = "TelnetConsole",
    .open = open_ext,
    .close = close_ext,
};

/* Opened after CloseSpider and before AutoThrottle, as Scrapy's EXTENSIONS_BASE lists it. */
KUMO_REGISTER(register_telnetconsole)
{
    kumo__register(KUMO_REG_EXT, &kumo__ext_telnetconsole, 80);
}
