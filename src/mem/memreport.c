/* memreport.c - mem() and trim(): process RSS, kumo's heap, malloc's view, malloc_trim. */
#include "mem/memreport.h"
#include "mem/arena.h"

#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <unistd.h>

#define KIB 1024ULL
#define MIB (1024ULL * KIB)

/* Read /proc/self/status into buf (NUL-terminated) without allocating; false on failure. */
static bool read_status(char *buf, size_t cap)
{
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    size_t len = 0;
    while (len + 1 < cap) {
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    buf[len] = '\0';
    return len > 0;
}

/* The value of "key:   1234 kB" in status text, in bytes; 0 when absent. */
static uint64_t status_bytes(const char *status, const char *key)
{
    size_t klen = strlen(key);
    for (const char *line = status; line && *line; line = strchr(line, '\n')) {
        if (*line == '\n')
            line++;
        if (strncmp(line, key, klen) != 0 || line[klen] != ':')
            continue;
        const char *p = line + klen + 1;
        while (*p == ' ' || *p == '\t')
            p++;
        uint64_t kb = 0;
        while (*p >= '0' && *p <= '9')
            kb = kb * 10 + (uint64_t)(*p++ - '0');
        return kb * KIB;
    }
    return 0;
}

static uint64_t status_field(const char *key)
{
    char buf[8192];
    return read_status(buf, sizeof(buf)) ? status_bytes(buf, key) : 0;
}

uint64_t kumo__rss_now(void)
{
    return status_field("VmRSS");
}

uint64_t kumo__rss_peak(void)
{
    return status_field("VmHWM");
}

static void malloc_view(kumo_meminfo *mi)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    struct mallinfo2 m = mallinfo2();
    mi->malloc_in_use = (uint64_t)m.uordblks + (uint64_t)m.hblkhd;
    mi->malloc_free_held = (uint64_t)m.fordblks;
    mi->malloc_arena = (uint64_t)m.arena + (uint64_t)m.hblkhd;
#else
    mi->malloc_in_use = mi->malloc_free_held = mi->malloc_arena = 0;
#endif
}

int kumo__meminfo_get(kumo_meminfo *mi)
{
    *mi = (kumo_meminfo){0};
    kumo_heap_totals(&mi->heap_blocks, &mi->heap_bytes);
    malloc_view(mi);
    char buf[8192];
    if (!read_status(buf, sizeof(buf)))
        return KUMO_EIO;
    mi->rss = status_bytes(buf, "VmRSS");
    mi->rss_peak = status_bytes(buf, "VmHWM");
    return mi->rss ? KUMO_OK : KUMO_EIO;
}

/* "512 B", "3.2 KiB", "41.2 MiB", "1.5 GiB" into buf. */
static const char *human(uint64_t n, char *buf, size_t cap)
{
    static const char *units[] = {"KiB", "MiB", "GiB"};
    if (n < KIB) {
        snprintf(buf, cap, "%" PRIu64 " B", n);
        return buf;
    }
    double v = (double)n / (double)KIB;
    size_t u = 0;
    while (v >= 1024.0 && u + 1 < KUMO_ARRAY_LEN(units)) {
        v /= 1024.0;
        u++;
    }
    snprintf(buf, cap, "%.1f %s", v, units[u]);
    return buf;
}

static void line(kumo_buf *out, const char *label, const char *value)
{
    kumo__buf_printf(out, "%-24s %12s\n", label, value);
}

static void size_line(kumo_buf *out, const char *label, uint64_t n)
{
    char h[32];
    line(out, label, human(n, h, sizeof(h)));
}

void kumo__mem_report(kumo_buf *out)
{
    kumo_meminfo mi;
    int rc = kumo__meminfo_get(&mi);
    char blocks[32], a[32], b[32];
    /* Free bytes that can be resident: after a trim they stay in malloc's books, not in RSS. */
    uint64_t outside = mi.rss > mi.malloc_in_use ? mi.rss - mi.malloc_in_use : 0;
    uint64_t held = KUMO_MIN(mi.malloc_free_held, outside);
    snprintf(blocks, sizeof(blocks), "%" PRIu64, mi.heap_blocks);
    size_line(out, "RSS", mi.rss);
    size_line(out, "peak RSS", mi.rss_peak);
    size_line(out, "kumo heap", mi.heap_bytes);
    line(out, "kumo heap blocks", blocks);
    size_line(out, "malloc in use", mi.malloc_in_use);
    size_line(out, "malloc free but held", mi.malloc_free_held);
    if (rc != KUMO_OK) {
        kumo__buf_adds(out, "RSS unknown: /proc/self/status could not be read\n");
    } else if (held >= MIB && held * 4 >= mi.rss) {
        /* the seed's "leaks without leaks": freed memory the allocator does not give back */
        kumo__buf_printf(out, "malloc holds %s free that it has not returned to the system: "
                        "fragmentation, not a leak; trim() gives back what it can\n",
                        human(mi.malloc_free_held, a, sizeof(a)));
    } else if (mi.heap_bytes * 2 >= mi.rss) {
        kumo__buf_printf(out, "kumo's heap is most of RSS (%s of %s): live objects hold it; "
                        "see which with prefs() and hpy.heap()\n",
                        human(mi.heap_bytes, a, sizeof(a)), human(mi.rss, b, sizeof(b)));
    } else {
        kumo__buf_printf(out, "kumo's heap is %s of %s RSS; the rest is code, libraries and "
                        "their buffers: if RSS keeps growing, compare prefs() and hpy.heap() "
                        "over time\n",
                        human(mi.heap_bytes, a, sizeof(a)), human(mi.rss, b, sizeof(b)));
    }
}

void kumo__mem_trim(kumo_buf *out)
{
    uint64_t before = kumo__rss_now();
    kumo__arena_cache_flush();          /* the chunks kept for the next documents first */
    kumo__alloc_pool_flush();           /* and the small blocks kept for reuse */
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
    uint64_t after = kumo__rss_now();
    char a[32], b[32], c[32];
    kumo__buf_printf(out, "trim(): RSS %s -> %s (%s returned)\n", human(before, a, sizeof(a)),
                    human(after, b, sizeof(b)),
                    human(before > after ? before - after : 0, c, sizeof(c)));
}
