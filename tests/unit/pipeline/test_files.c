/* test_files.c - the FilesPipeline's file paths, as Scrapy's file_path() (its crawls are
 * in tests/integration/test_files.c). */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "pipeline/files.h"

Test(files, paths_as_scrapy)
{
    char p[128];
    /* hashlib.sha1(b'https://example.com/a/report.pdf').hexdigest() */
    kumo__files_path("https://example.com/a/report.pdf", p, sizeof(p));
    cr_assert_str_eq(p, "full/edff25f07412e78529f5bed3415531907d056b5b.pdf");
    kumo__files_path("https://example.com/a/photo.JPEG", p, sizeof(p));
    cr_assert_str_eq(p + 45, ".jpg");
    kumo__files_path("https://example.com/a/photo.jpeg", p, sizeof(p));
    cr_assert_str_eq(p + 45, ".jpg");
    kumo__files_path("https://example.com/x.pdf?v=2", p, sizeof(p));
    cr_assert_str_eq(p + 45, "");
    kumo__files_path("https://example.com/a.b/file", p, sizeof(p));
    cr_assert_str_eq(p + 45, "");
}
