/* fuzz_request_unpack.c - kumo__request_unpack on garbage: refused or decoded, never a crash;
 * what it decodes packs again.  (A callback address in the bytes is kept, never called.) */
#include "fuzz.h"
#include "http/request.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kumo_request *req = kumo__request_unpack(data, size);
    if (!req)
        return 0;
    kumo_request_url(req);
    kumo__request_fingerprint(req);
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    if (kumo__request_pack(req, &b) == KUMO_OK) {
        kumo_request *again = kumo__request_unpack(b.s, b.len);
        kumo_assert(again);
        kumo_request_unref(again);
    }
    kumo__buf_release(&b);
    kumo_request_unref(req);
    return 0;
}
