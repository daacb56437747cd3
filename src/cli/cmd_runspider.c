/* cmd_runspider.c - `kumo runspider FILE.c`: compile a spider source into a cached shared
 * object with the system C compiler, against kumo's headers, then crawl it as `kumo crawl`. */
#include "cli/cli.h"
#include "util/fs.h"
#include "util/sha1.h"
#include <dirent.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#ifndef KUMO_INCLUDE_DIR
#define KUMO_INCLUDE_DIR "/usr/local/include"
#endif

#define SOURCE_MAX ((size_t)16 << 20)   /* a spider source larger than this is refused */
#define CC_WORDS_MAX 16                 /* words of $CC ("ccache gcc -m64") */

const char kumo_runspider_usage[] =
    "usage: kumo runspider FILE.c [options]\n"
    "\n"
    "Compile FILE.c, a spider source that defines KUMO_SPIDER (see 'kumo genspider'), into\n"
    "a shared object with the system C compiler ($CC, else cc) against kumo's public\n"
    "headers, and run it as 'kumo crawl' runs a spider .so.  The object is cached in\n"
    "$XDG_CACHE_HOME/kumo/runspider (else ~/.cache/kumo/runspider), named by a hash of the\n"
    "source, the compiler, its flags, kumo's headers and ABI: an unchanged spider is not\n"
    "compiled again.  The compiler's messages are shown as it prints them.\n"
    "\n"
    "options (those of 'kumo crawl'):\n"
    KUMO_CLI_CRAWL_OPTIONS
    "  -h, --help            this text\n"
    "\n"
    "Exit codes: 0 the crawl ran, 1 FILE.c cannot be read or compiled, no compiler, or the\n"
    "crawl could not start or failed, 2 bad command line.\n";

/* The flags of the Makefile's spider rule that matter to the ABI, and its sanitizers when
 * kumo is built with them (KUMO_ABI_SIG tells them apart: the loader refuses a mismatch). */
static const char *const cflags[] = {
    "-std=gnu11", "-D_GNU_SOURCE", "-O2", "-g", "-fPIC", "-shared",
    "-Wall", "-Wextra", "-Wno-unused-parameter", "-Werror=implicit-function-declaration",
#if defined(__SANITIZE_ADDRESS__)
    "-fsanitize=address,undefined", "-fno-omit-frame-pointer",
#endif
};

/* kumo's public headers: include/ beside the binary (the source tree), or ../include
 * from it (build-asan/kumo, or PREFIX/bin/kumo installed), else the configured one. */
static bool find_include(char *buf, size_t len)
{
    static const char *const rel[] = {"/include", "/../include"};
    char exe[PATH_MAX], probe[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    char *slash = n > 0 ? (exe[n] = '\0', strrchr(exe, '/')) : NULL;
    if (slash)
        *slash = '\0';
    for (size_t i = 0; slash && i < KUMO_ARRAY_LEN(rel); i++) {
        snprintf(probe, sizeof(probe), "%s%s/kumo/kumo.h", exe, rel[i]);
        if (access(probe, R_OK) == 0) {
            snprintf(probe, sizeof(probe), "%s%s", exe, rel[i]);
            return realpath(probe, buf) != NULL && strlen(buf) < len;
        }
    }
    snprintf(probe, sizeof(probe), "%s/kumo/kumo.h", KUMO_INCLUDE_DIR);
    if (access(probe, R_OK) != 0)
        return false;
    snprintf(buf, len, "%s", KUMO_INCLUDE_DIR);
    return true;
}

/* The runspider cache directory, created; false after printing why not. */
static bool cache_dir(char *buf, size_t len)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int w;
    if (xdg && xdg[0] == '/')       /* the XDG spec: a relative path is ignored */
        w = snprintf(buf, len, "%s/kumo/runspider", xdg);
    else if (home && *home)
        w = snprintf(buf, len, "%s/.cache/kumo/runspider", home);
    else {
        kumo_cli_error("no cache directory for runspider: set XDG_CACHE_HOME or HOME");
        return false;
    }
    if (w < 0 || (size_t)w >= len) {
        kumo_cli_error("cache directory path too long");
        return false;
    }
    int rc = kumo__mkdirs(buf);
    if (rc != 0) {
        kumo_cli_error("cannot create %s: %s", buf, strerror(rc));
        return false;
    }
    return true;
}

/* The whole of path into a new buffer (*len bytes, NUL-terminated); NULL with errno. */
static char *read_source(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct stat st;
    int e = 0;
    if (fstat(fileno(f), &st) != 0)
        e = errno;
    else if (S_ISDIR(st.st_mode))
        e = EISDIR;
    else if (!S_ISREG(st.st_mode))
        e = EINVAL;
    else if ((size_t)st.st_size > SOURCE_MAX)
        e = EFBIG;
    if (e) {
        fclose(f);
        errno = e;
        return NULL;
    }
    char *text = kumo_alloc((size_t)st.st_size + 1, KUMO_T_STR, KUMO_V_TEXT);
    size_t n = fread(text, 1, (size_t)st.st_size, f);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        kumo_free(text);
        errno = EIO;
        return NULL;
    }
    text[n] = '\0';
    *len = n;
    return text;
}

static void hash_str(kumo_sha1 *h, const char *s)
{
    kumo__sha1_update(h, s, strlen(s) + 1);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every header of include/kumo by name, size and mtime: a rebuilt tree compiles anew. */
static void hash_headers(kumo_sha1 *h, const char *inc)
{
    char dir[PATH_MAX + 8], path[2 * PATH_MAX];
    snprintf(dir, sizeof(dir), "%s/kumo", inc);
    DIR *d = opendir(dir);
    if (!d)
        return;
    char *names[128];
    size_t n = 0;
    for (struct dirent *de; (de = readdir(d)) && n < KUMO_ARRAY_LEN(names);)
        if (de->d_name[0] != '.')
            names[n++] = kumo_strdup(de->d_name, KUMO_T_STR, KUMO_V_NONE);
    closedir(d);
    qsort(names, n, sizeof(*names), by_name);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if (stat(path, &st) == 0) {
            char line[512];
            snprintf(line, sizeof(line), "%s %lld %lld.%09ld", names[i], (long long)st.st_size,
                     (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
            hash_str(h, line);
        }
        kumo_free(names[i]);
    }
}

/* $CC split on blanks into words (at most max, pointing into buf). */
static size_t split_cc(char *buf, const char **words, size_t max)
{
    size_t n = 0;
    for (char *save, *w = strtok_r(buf, " \t", &save); w && n < max;
         w = strtok_r(NULL, " \t", &save))
        words[n++] = w;
    return n;
}

/* The cache file's name: the source's stem (safe characters only), '-', 16 hex digits. */
static void object_name(const char *src, const unsigned char digest[20], char *buf,
                        size_t len)
{
    const char *base = strrchr(src, '/');
    base = base ? base + 1 : src;
    size_t stem = strlen(base);
    if (stem > 2 && strcmp(base + stem - 2, ".c") == 0)
        stem -= 2;
    char clean[65];
    size_t k = 0;
    for (size_t i = 0; i < stem && k < sizeof(clean) - 1; i++) {
        char ch = base[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
        clean[k++] = ok ? ch : '_';
    }
    clean[k] = '\0';
    int w = snprintf(buf, len, "%s-", k ? clean : "spider");
    for (int i = 0; i < 8 && w > 0 && (size_t)w + 2 < len; i++, w += 2)
        snprintf(buf + w, len - (size_t)w, "%02x", digest[i]);
    snprintf(buf + w, len - (size_t)w, ".so");
}

/* Run argv with stdout sent to stderr: KUMO_OK with its exit status in *status, or KUMO_EIO
 * with errno set when it could not start. */
static int run_compiler(const char *const *argv, int *status)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t def, none;
    sigemptyset(&def);
    sigaddset(&def, SIGPIPE);       /* main() ignores it; the compiler gets the default */
    sigemptyset(&none);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setsigdefault(&attr, &def);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    pid_t pid;
    fflush(NULL);
    int rc = posix_spawnp(&pid, argv[0], &fa, &attr, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        errno = rc;
        return KUMO_EIO;
    }
    int st;
    *status = 1;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return KUMO_OK;
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    return KUMO_OK;
}

/*
 * The resolve step of kumo_cli_crawl(): compile src unless its object is cached, and put
 * the object's path in buf.  Returns KUMO_EXIT_OK, or KUMO_EXIT_FAIL after one line.
 */
static int compile_spider(const char *src, char *buf, size_t len)
{
    char inc[PATH_MAX], dir[PATH_MAX], name[128], tmp[PATH_MAX + 32];
    size_t srclen = 0;
    char *text = read_source(src, &srclen);
    if (!text) {
        kumo_cli_error("cannot read '%s': %s", src, strerror(errno));
        return KUMO_EXIT_FAIL;
    }
    const char *env_cc = getenv("CC");
    char *cc = kumo_strdup(env_cc && *env_cc ? env_cc : "cc", KUMO_T_STR, KUMO_V_NONE);
    const char *argv[CC_WORDS_MAX + KUMO_ARRAY_LEN(cflags) + 10];
    int rc = KUMO_EXIT_FAIL;

    if (!find_include(inc, sizeof(inc))) {
        kumo_cli_error("cannot find kumo's headers (kumo/kumo.h) beside the binary or in "
                       "%s: 'make install' puts them in PREFIX/include", KUMO_INCLUDE_DIR);
        goto out;
    }
    if (!cache_dir(dir, sizeof(dir)))
        goto out;
    kumo_sha1 h;
    unsigned char digest[20];
    kumo__sha1_init(&h);
    hash_str(&h, "kumo runspider 1");
    hash_str(&h, KUMO_VERSION);
    hash_str(&h, KUMO_ABI_STR(KUMO_ABI) " " KUMO_ABI_SIG);
    hash_str(&h, cc);
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cflags); i++)
        hash_str(&h, cflags[i]);
    hash_str(&h, inc);
    hash_headers(&h, inc);
    kumo__sha1_update(&h, text, srclen);
    kumo__sha1_final(&h, digest);
    object_name(src, digest, name, sizeof(name));
    if (snprintf(buf, len, "%s/%s", dir, name) >= (int)len) {
        kumo_cli_error("cache path too long: %s/%s", dir, name);
        goto out;
    }
    if (access(buf, R_OK) == 0) {       /* compiled before: unchanged */
        rc = KUMO_EXIT_OK;
        goto out;
    }
    snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", buf, (long)getpid());
    size_t n = split_cc(cc, argv, CC_WORDS_MAX);
    if (n == 0) {
        kumo_cli_error("CC is blank: no C compiler to compile '%s'", src);
        goto out;
    }
    const char *compiler = argv[0];
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cflags); i++)
        argv[n++] = cflags[i];
    argv[n++] = "-I";
    argv[n++] = inc;
    argv[n++] = "-o";
    argv[n++] = tmp;
    argv[n++] = "-x";
    argv[n++] = "c";
    argv[n++] = src;
    argv[n] = NULL;
    int st = 0;
    if (run_compiler(argv, &st) != KUMO_OK) {
        kumo_cli_error("no C compiler: cannot run '%s': %s (set CC)", compiler,
                       strerror(errno));
    } else if (st != 0) {
        kumo_cli_error("cannot compile %s", src);
    } else if (rename(tmp, buf) != 0) {
        kumo_cli_error("cannot write %s: %s", buf, strerror(errno));
    } else {
        rc = KUMO_EXIT_OK;
    }
    unlink(tmp);        /* after a failure: whatever the compiler left */
out:
    kumo_free(text);
    kumo_free(cc);
    return rc;
}

int kumo_cmd_runspider(int argc, char **argv)
{
    return kumo_cli_crawl(argc, argv, "runspider",
                          "runspider needs a spider source FILE.c (see 'kumo runspider -h')",
                          compile_spider);
}
