/* fuzz_encoding.c - Content-Type charset detection and body decoding.  Input: Content-Type
 * value \0 body (the body may hold NULs). */
#include "fuzz.h"
#include "select/encoding.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = fuzz_in_make(data, size);
    char *ct = fuzz_field(&in);
    size_t len = in.p <= in.end ? (size_t)(in.end - in.p) : 0;
    char *body = malloc(len + 1);          /* with the NUL after it that decode wants */
    if (!body)
        abort();
    if (len)
        memcpy(body, in.p, len);
    body[len] = '\0';
    char buf[64];
    const char *label = kumo__content_type_charset(ct, buf, sizeof(buf));
    if (label)
        kumo__encoding_resolve(label);
    kumo__encoding_resolve(ct);
    kumo_text t;
    kumo__text_decode(&t, body, len, label);
    kumo_assert(t.s && t.s[t.len] == '\0');
    kumo_assert(kumo__utf8_valid(t.s, t.len));
    kumo__text_release(&t);
    free(body);
    free(ct);
    return 0;
}
