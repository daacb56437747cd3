/* dlib.h - a shared library loaded with dlopen() the first time a command needs it (libhiredis
 * for the Redis backends, libedit for the shell's line editing) instead of by the loader at
 * every start, and its symbols resolved into a table of pointers. */
#ifndef KUMO_DLIB_H
#define KUMO_DLIB_H

#include "kumo-int.h"

/* One symbol of a table: its name and the offset of the pointer that receives its address
 * (a function's, or a variable's). */
typedef struct kumo_dlsym {
    const char *name;
    size_t off;
} kumo_dlsym;

/* A library and its table.  The constant fields are set by the library's file; the rest is
 * zero at first and belongs to kumo__dlib_load(). */
typedef struct kumo_dlib {
    const char *what;           /* who needs it, for messages: "Redis backend" */
    const char *soname;         /* the soname the headers were built for (gen/sonames.h) */
    const char *env;            /* the environment variable naming another file, or NULL */
    const kumo_dlsym *syms;     /* borrowed, static */
    size_t nsyms;
    void *table;                /* borrowed, static: the pointers syms[i].off into it */
    int loaded;                 /* set once every symbol is in the table */
} kumo_dlib;

/*
 * Load lib (the file named by $lib->env when set and not empty, else lib->soname) and fill
 * its table, once per process; later calls return at once.  Safe from any thread.  Returns
 * KUMO_OK, or KUMO_ELIBRARY with one line in err[0..n) naming lib->what, the file and the
 * loader's reason ("Redis backend: cannot load 'libhiredis.so.0.14': ..."), or the symbol
 * missing; the table is then untouched and a later call tries again.  The library is never
 * unloaded.
 */
int kumo__dlib_load(kumo_dlib *lib, char *err, size_t n);

#endif
