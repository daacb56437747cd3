/* fuzz_settings.c - setting values as a conf file, -s or a spider gives them.  Input: one
 * byte choosing the setting (kumo__setting_infos), then the value; what is accepted is read
 * back as its type. */
#include "fuzz.h"
#include "core/settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t n = 0;
    while (kumo__setting_infos[n].name)
        n++;
    const kumo_setting_info *info = &kumo__setting_infos[data[0] % n];
    char *value = fuzz_str(data + 1, size - 1);
    kumo_settings *s = kumo__settings_new();
    char err[256];
    if (kumo__settings_set(s, info->name, value, KUMO_PRIO_CMDLINE, err, sizeof(err)) ==
        KUMO_OK) {
        kumo__settings_get(s, info->name);
        kumo__settings_int(s, info->name);
        kumo__settings_float(s, info->name);
        kumo__settings_bool(s, info->name);
        size_t nl;
        int order;
        bool off;
        char **list = kumo__settings_list_dup(s, info->name, &nl);
        kumo__settings_list_free(list, nl);
        if (info->type == KUMO_SET_DICT)
            kumo__settings_dict_order(s, info->name, "Retry", &order, &off);
    } else {
        kumo_assert(err[0]);
    }
    kumo__settings_set(s, "SOME_SPIDER_SETTING", value, KUMO_PRIO_SPIDER, err, sizeof(err));
    kumo__settings_free(s);
    free(value);
    return 0;
}
