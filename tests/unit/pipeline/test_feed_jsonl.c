/* test_feed_jsonl.c - the JSON Lines format as Scrapy's JsonLinesItemExporter writes it:
 * one object per line, json.dumps separators, field order, escapes and encodings. */
#include "feedtest.h"

TestSuite(feed_jsonl, .init = ft_setup, .fini = kumo_leakcheck_end);

Test(feed_jsonl, one_item)
{
    kumo_item *it[1] = {ft_item(KUMO_LIST("name", "a"))};
    kumo_item_set_int(it[0], "n", 1);
    ft_expect("jsonlines", NULL, it, 1, "{\"name\": \"a\", \"n\": 1}\n");
    ft_unref_all(it, 1);
}

Test(feed_jsonl, two_items_each_on_its_line)
{
    kumo_item *it[2] = {ft_item(KUMO_LIST("a", "1")), ft_item(KUMO_LIST("b", "2"))};
    kumo_item_set_float(it[1], "f", 0.1);
    kumo_item_set(it[1], "none", kumo_val_none());
    ft_expect("jsonl", NULL, it, 2, "{\"a\": \"1\"}\n{\"b\": \"2\", \"f\": 0.1, \"none\": null}\n");
    ft_unref_all(it, 2);
}

Test(feed_jsonl, unicode_and_escapes)
{
    kumo_item *it[1] = {ft_item(KUMO_LIST("s", "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\" \\ \n\t\x01"))};
    /* FEED_EXPORT_ENCODING utf-8: non-ASCII as is */
    ft_expect("jl", NULL, it, 1,
              "{\"s\": \"caf\xc3\xa9 \xf0\x9f\x98\x80 \\\"q\\\" \\\\ \\n\\t\\u0001\"}\n");
    /* None (Scrapy's default): ensure_ascii, the emoji as a surrogate pair */
    kumo_feed_opts o;
    kumo__feed_opts_init(&o);
    o.encoding = NULL;
    ft_expect("jsonlines", &o, it, 1,
              "{\"s\": \"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\" \\\\ \\n\\t\\u0001\"}\n");
    ft_unref_all(it, 1);
}

Test(feed_jsonl, field_order_from_the_fields_option)
{
    kumo_item *it[2] = {ft_item(KUMO_LIST("a", "1", "b", "2", "c", "3")),
                        ft_item(KUMO_LIST("b", "x"))};
    kumo_feed_opts o;
    kumo__feed_opts_init(&o);
    o.fields = KUMO_LIST("c", "a", "b");
    o.nfields = 3;
    /* the fields' order, not the item's; a missing field is left out */
    ft_expect("jsonlines", &o, it, 2,
              "{\"c\": \"3\", \"a\": \"1\", \"b\": \"2\"}\n{\"b\": \"x\"}\n");
    o.names = KUMO_LIST("C", "A", "B");
    ft_expect("jsonlines", &o, it, 2,
              "{\"C\": \"3\", \"A\": \"1\", \"B\": \"2\"}\n{\"B\": \"x\"}\n");
    ft_unref_all(it, 2);
}

Test(feed_jsonl, extensions_name_the_format)
{
    cr_assert_str_eq(kumo__feed_format_of_path("out/items.jsonl"), "jsonlines");
    cr_assert_str_eq(kumo__feed_format_of_path("items.jl"), "jsonlines");
    cr_assert_str_eq(kumo__feed_format_find("jsonlines"), "jsonlines");
    cr_assert_null(kumo__feed_format_of_path("items.JSONL"));
}
