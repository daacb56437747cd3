/* random.c - secrets from the kernel. */
#include "kumo-int.h"
#include "util/random.h"
#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#define RANDOM_MAX 64               /* bytes one call draws at most */

/* Fill raw with n random bytes; false when the kernel gives none. */
static bool draw(unsigned char *raw, size_t n)
{
    size_t got = 0;
    for (int tries = 0; got < n && tries < 4; tries++) {
        ssize_t k = getrandom(raw + got, n - got, GRND_NONBLOCK);
        if (k > 0)
            got += (size_t)k;
    }
    if (got == n)
        return true;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    got = 0;
    while (fd >= 0 && got < n) {
        ssize_t k = read(fd, raw + got, n - got);
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    if (fd >= 0)
        close(fd);
    return got == n;
}

int kumo__random_hex(char *out, size_t nbytes)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[RANDOM_MAX];
    kumo_assert(nbytes <= RANDOM_MAX);
    if (!draw(raw, nbytes))
        return KUMO_EIO;
    for (size_t i = 0; i < nbytes; i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[2 * nbytes] = '\0';
    return KUMO_OK;
}
