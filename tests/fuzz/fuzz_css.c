/* fuzz_css.c - CSS to XPath (kumo__css_to_xpath), and the query cache that compiles it. */
#include "fuzz.h"
#include "select/css.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *css = fuzz_str(data, size);
    char *xpath = NULL, msg[256];
    size_t errpos = 0;
    int rc = kumo__css_to_xpath(css, &xpath, &errpos, msg, sizeof(msg));
    if (rc == KUMO_OK) {
        kumo_assert(xpath);
        kumo_free(xpath);
    } else {
        kumo_assert(errpos <= strlen(css));
    }
    kumo__query_get(css, true);          /* translated and compiled by libxml2 */
    if (kumo__query_cached() > 1000)
        kumo__select_cleanup();
    free(css);
    return 0;
}
