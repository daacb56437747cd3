/* test_dlib.c - libraries loaded at first use: the table filled once, a missing file or symbol
 * one line naming it (the table untouched, a later call tries again), the environment
 * variable that names another file, several threads at once. */
#include <criterion/criterion.h>
#include <gnu/lib-names.h>
#include <math.h>
#include <pthread.h>

#include "kumo-int.h"
#include "util/dlib.h"
#include "lib/leakcheck.h"

#define ENV "KUMO_TEST_DLIB"

TestSuite(dlib, KUMO_LEAKCHECK);

typedef struct mtable {
    double (*cos)(double);
    double (*sqrt)(double);
} mtable;

static const kumo_dlsym msyms[] = {
    {"cos", offsetof(mtable, cos)},
    {"sqrt", offsetof(mtable, sqrt)},
};

/* libm (its soname from glibc's header) into t. */
static kumo_dlib libm_of(mtable *t, const kumo_dlsym *syms, size_t n)
{
    memset(t, 0, sizeof(*t));
    return (kumo_dlib){.what = "maths", .soname = LIBM_SO, .env = ENV, .syms = syms,
                       .nsyms = n, .table = t};
}

Test(dlib, the_table_is_filled_once)
{
    unsetenv(ENV);
    mtable t;
    kumo_dlib lib = libm_of(&t, msyms, KUMO_ARRAY_LEN(msyms));
    char err[256] = "";
    cr_assert_eq(kumo__dlib_load(&lib, err, sizeof(err)), KUMO_OK, "%s", err);
    cr_assert(t.cos && t.sqrt);
    cr_expect_eq(t.sqrt(49.0), 7.0);
    cr_expect_eq(t.cos(0.0), 1.0);
    t.cos = NULL;                   /* a second call returns at once: nothing is resolved again */
    cr_assert_eq(kumo__dlib_load(&lib, err, sizeof(err)), KUMO_OK);
    cr_expect_null(t.cos);
}

Test(dlib, a_missing_file_is_one_line)
{
    unsetenv(ENV);
    mtable t;
    kumo_dlib lib = libm_of(&t, msyms, KUMO_ARRAY_LEN(msyms));
    lib.soname = "/nonexistent/kumo-test/libnothing.so.1";
    char err[512] = "";
    cr_assert_eq(kumo__dlib_load(&lib, err, sizeof(err)), KUMO_ELIBRARY);
    cr_expect(!strncmp(err, "maths: cannot load '/nonexistent/kumo-test/libnothing.so.1': ",
                       strlen("maths: cannot load '/nonexistent/kumo-test/libnothing.so.1': ")),
              "%s", err);
    cr_expect(strstr(err, "No such file"), "the loader's reason: %s", err);
    cr_expect_null(strchr(err, '\n'), "one line: %s", err);
    cr_expect(!t.cos && !t.sqrt, "the table is untouched");
    cr_expect_eq(lib.loaded, 0);
}

Test(dlib, a_missing_symbol_is_named_and_nothing_is_filled)
{
    unsetenv(ENV);
    static const kumo_dlsym syms[] = {
        {"cos", offsetof(mtable, cos)},
        {"kumo_no_such_symbol", offsetof(mtable, sqrt)},
    };
    mtable t;
    kumo_dlib lib = libm_of(&t, syms, KUMO_ARRAY_LEN(syms));
    char err[512] = "";
    cr_assert_eq(kumo__dlib_load(&lib, err, sizeof(err)), KUMO_ELIBRARY);
    char want[128];
    snprintf(want, sizeof(want), "maths: '%s' has no symbol 'kumo_no_such_symbol': ", LIBM_SO);
    cr_expect(!strncmp(err, want, strlen(want)), "%s", err);
    cr_expect(!t.cos && !t.sqrt, "cos was found, but the table stays whole or empty");
}

Test(dlib, the_environment_names_another_file_and_a_failure_is_tried_again)
{
    mtable t;
    kumo_dlib lib = libm_of(&t, msyms, KUMO_ARRAY_LEN(msyms));
    char err[512] = "";
    setenv(ENV, "/nonexistent/libm-elsewhere.so", 1);
    cr_assert_eq(kumo__dlib_load(&lib, err, sizeof(err)), KUMO_ELIBRARY);
    cr_expect(strstr(err, "cannot load '/nonexistent/libm-elsewhere.so' (from " ENV "): "),
              "%s", err);
    setenv(ENV, "", 1);             /* empty: the soname */
    cr_assert_eq(kumo__dlib_load(&lib, err, sizeof(err)), KUMO_OK, "%s", err);
    cr_expect_eq(t.sqrt(4.0), 2.0);
    unsetenv(ENV);
}

static void *load_in_thread(void *arg)
{
    char err[256];
    return (void *)(intptr_t)kumo__dlib_load(arg, err, sizeof(err));
}

Test(dlib, threads_at_once_load_it_once)
{
    unsetenv(ENV);
    mtable t;
    kumo_dlib lib = libm_of(&t, msyms, KUMO_ARRAY_LEN(msyms));
    pthread_t th[4];
    for (size_t i = 0; i < KUMO_ARRAY_LEN(th); i++)
        cr_assert_eq(pthread_create(&th[i], NULL, load_in_thread, &lib), 0);
    for (size_t i = 0; i < KUMO_ARRAY_LEN(th); i++) {
        void *rc;
        pthread_join(th[i], &rc);
        cr_expect_eq((int)(intptr_t)rc, KUMO_OK);
    }
    cr_expect_eq(t.cos(0.0), 1.0);
}
