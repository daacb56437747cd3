/* demo_main.c - kumo-demo-site: serve the test site on 127.0.0.1:PORT until SIGINT/SIGTERM. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: kumo-demo-site [--port N]\n"
               "Serve kumo's test site on http://127.0.0.1:N/ (N = 0: any free port) until\n"
               "SIGINT or SIGTERM.  Prints the port on stdout once listening.\n");
}

static void announce(int port, void *arg)
{
    printf("%d\n", port);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    long port = 0;

    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        char *end;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
            v = argv[++i];
        else if (strncmp(argv[i], "--port=", 7) == 0)
            v = argv[i] + 7;
        if (!v) {
            usage(stderr);
            return 2;
        }
        port = strtol(v, &end, 10);
        if (!*v || *end || port < 0 || port > 65535) {
            fprintf(stderr, "kumo-demo-site: bad port '%s'\n", v);
            return 2;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    if (kumo_testserver_run((int)port, announce, NULL) < 0) {
        fprintf(stderr, "kumo-demo-site: cannot listen on 127.0.0.1:%ld\n", port);
        return 1;
    }
    return 0;
}
