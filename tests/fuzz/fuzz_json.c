/* fuzz_json.c - the JSON parser, and its output read back: what it writes parses again. */
#include "fuzz.h"
#include "util/buf.h"
#include "util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kumo_value v;
    char err[128];
    if (kumo__json_parse((const char *)data, size, &v, err, sizeof(err)) != KUMO_OK)
        return 0;
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    if (kumo__json_value(&b, &v) == KUMO_OK) {
        kumo_value w;
        int rc = kumo__json_parse(b.s, b.len, &w, err, sizeof(err));
        kumo_assert(rc == KUMO_OK);
        kumo_val_clear(&w);
    }
    kumo__buf_release(&b);
    kumo_val_clear(&v);
    return 0;
}
