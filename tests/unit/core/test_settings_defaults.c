/* test_settings_defaults.c - the defaults table: sorted, documented, each default parses. */
#include <criterion/criterion.h>
#include <ctype.h>

#include "kumo-int.h"
#include "core/settings.h"
#include "lib/leakcheck.h"

TestSuite(settings_defaults, KUMO_LEAKCHECK);

Test(settings_defaults, sorted_by_name_without_duplicates)
{
    size_t n = 0;
    for (const kumo_setting_info *i = kumo__setting_infos; i->name; i++, n++)
        if (n > 0)
            cr_assert_lt(strcmp(i[-1].name, i->name), 0, "%s then %s", i[-1].name, i->name);
    cr_assert_gt(n, 50);
}

Test(settings_defaults, every_setting_has_one_line_of_doc_and_an_upper_case_name)
{
    for (const kumo_setting_info *i = kumo__setting_infos; i->name; i++) {
        cr_assert_not_null(i->doc, "%s", i->name);
        cr_assert_gt(strlen(i->doc), 5, "%s: doc too short", i->name);
        cr_assert_null(strchr(i->doc, '\n'), "%s: doc is one line", i->name);
        for (const char *p = i->name; *p; p++)
            cr_assert(isupper((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_',
                      "%s", i->name);
        cr_assert_leq((int)i->type, (int)KUMO_SET_AUTO_INT, "%s", i->name);
    }
}

/* Setting each default as text again is accepted: the table's defaults parse as their type. */
Test(settings_defaults, every_default_parses_as_its_type)
{
    kumo_settings *s = kumo__settings_new();
    for (const kumo_setting_info *i = kumo__setting_infos; i->name; i++) {
        if (!i->def)
            continue;
        char err[256] = "";
        cr_assert_eq(kumo__settings_set(s, i->name, i->def, KUMO_PRIO_CMDLINE, err, sizeof(err)),
                     KUMO_OK, "%s=%s: %s", i->name, i->def, err);
    }
    kumo__settings_free(s);
}

Test(settings_defaults, a_few_known_defaults)
{
    kumo_settings *s = kumo__settings_new();
    cr_assert_eq(kumo__settings_int(s, "CONCURRENT_REQUESTS"), 16);
    cr_assert_eq(kumo__settings_int(s, "CONCURRENT_REQUESTS_PER_DOMAIN"), 8);
    cr_assert_str_eq(kumo__settings_get(s, "BOT_NAME"), "kumo");
    cr_assert_not(kumo__settings_bool(s, "AUTOTHROTTLE_ENABLED"));
    kumo__settings_free(s);
}
