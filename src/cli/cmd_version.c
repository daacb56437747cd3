/* cmd_version.c - `kumo version`: kumo's version and the libraries it runs on. */
#include "cli/cli.h"
#include <curl/curl.h>
#include <event2/event.h>
#include <libxml/xmlversion.h>
#include <sqlite3.h>

const char kumo_version_usage[] =
    "usage: kumo version\n"
    "\n"
    "Print kumo's version, its spider ABI (a plugin must match it) and the versions of\n"
    "libcurl (with its TLS library), libevent, libxml2 and sqlite3.  'kumo --version' is\n"
    "the same.\n"
    "\n"
    "options:\n"
    "  -h, --help            this text\n"
    "\n"
    "Exit codes: 0 printed, 2 bad command line.\n";

int kumo_cmd_version(int argc, char **argv)
{
    kumo_cli_parser p = {.cmd = "version"};
    int rc = kumo_cli_parse(&p, argc, argv);
    if (rc != KUMO_EXIT_OK)
        return rc;
    curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
    printf("kumo %s (ABI %d, %s)\n", KUMO_VERSION, KUMO_ABI, KUMO_ABI_SIG);
    printf("libcurl %s%s%s\n", cv->version, cv->ssl_version ? " " : "",
           cv->ssl_version ? cv->ssl_version : "");
    printf("libevent %s\n", event_get_version());
    printf("libxml2 %s\n", LIBXML_DOTTED_VERSION);
    printf("sqlite3 %s\n", sqlite3_libversion());
    return KUMO_EXIT_OK;
}
