/* dlib.c - shared libraries loaded at first use: dlopen() and dlsym() into a table. */
#include "util/dlib.h"

#include <dlfcn.h>
#include <pthread.h>

static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

/* Under load_lock: open the file, resolve every symbol into a scratch table, then copy it. */
static int load_locked(kumo_dlib *lib, char *err, size_t n)
{
    const char *env = lib->env ? getenv(lib->env) : NULL;
    bool named = env && *env;
    const char *file = named ? env : lib->soname;
    char from[128] = "";
    if (named)
        snprintf(from, sizeof(from), " (from %s)", lib->env);
    /* RTLD_NOW: a library that lacks one of its own dependencies fails here, not later */
    void *h = dlopen(file, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        snprintf(err, n, "%s: cannot load '%s'%s: %s", lib->what, file, from,
                 why ? why : "unknown error");
        return KUMO_ELIBRARY;
    }
    void *addr[lib->nsyms ? lib->nsyms : 1];
    for (size_t i = 0; i < lib->nsyms; i++) {
        dlerror();
        addr[i] = dlsym(h, lib->syms[i].name);
        if (!addr[i]) {
            const char *why = dlerror();
            snprintf(err, n, "%s: '%s'%s has no symbol '%s': %s", lib->what, file, from,
                     lib->syms[i].name, why ? why : "its address is NULL");
            dlclose(h);
            return KUMO_ELIBRARY;
        }
    }
    for (size_t i = 0; i < lib->nsyms; i++)
        memcpy((char *)lib->table + lib->syms[i].off, &addr[i], sizeof(void *));
    return KUMO_OK;
}

int kumo__dlib_load(kumo_dlib *lib, char *err, size_t n)
{
    if (__atomic_load_n(&lib->loaded, __ATOMIC_ACQUIRE))
        return KUMO_OK;
    pthread_mutex_lock(&load_lock);
    int rc = KUMO_OK;
    if (!lib->loaded) {
        rc = load_locked(lib, err, n);
        if (rc == KUMO_OK)
            __atomic_store_n(&lib->loaded, 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&load_lock);
    return rc;
}
