/* lib-floor.c - the resident memory of kumo's libraries alone: what a program that links
 * what kumo links and initialises them as kumo does holds before it crawls, and then with
 * one libxml2 tree of FILE (parsed as kumo parses HTML, with libxml2's own malloc).
 *   cc -O2 scripts/lib-floor.c -o /tmp/lib-floor \
 *       $(pkg-config --cflags --libs libcurl libxml-2.0 libevent sqlite3 libpcre2-8)
 *   /tmp/lib-floor [FILE.html]
 * doc/performance.md ("What libxml2 and Debian's libraries leave within reach") uses it. */
#include <curl/curl.h>
#include <event2/event.h>
#include <libxml/HTMLparser.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* VmHWM, the peak resident set, in kB. */
static long peak_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = atol(line + 6);
    if (f)
        fclose(f);
    return kb;
}

int main(int argc, char **argv)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *curl = curl_easy_init();
    struct event_base *base = event_base_new();
    xmlInitParser();
    long floor = peak_kb();     /* before curl_version(), which calls into every library */
    printf("libraries loaded and initialised: VmHWM %ld kB\n", floor);
    if (argc > 1) {
        FILE *f = fopen(argv[1], "rb");
        if (!f) {
            perror(argv[1]);
            return 1;
        }
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        rewind(f);
        char *body = malloc((size_t)n + 1);
        if (!body || fread(body, 1, (size_t)n, f) != (size_t)n) {
            fprintf(stderr, "%s: cannot read\n", argv[1]);
            return 1;
        }
        fclose(f);
        htmlDocPtr doc = htmlReadMemory(body, (int)n, argv[1], "UTF-8",
                                        HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                                        HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
                                        HTML_PARSE_COMPACT);
        printf("and a tree of %s (%ld bytes): VmHWM %ld kB\n", argv[1], n, peak_kb());
        xmlFreeDoc(doc);
        free(body);
    }
    printf("(%s, libxml2 %s, SQLite %s, PCRE2 %d.%d)\n", curl_version(), xmlParserVersion,
           sqlite3_libversion(), PCRE2_MAJOR, PCRE2_MINOR);
    curl_easy_cleanup(curl);
    event_base_free(base);
    curl_global_cleanup();
    return 0;
}
