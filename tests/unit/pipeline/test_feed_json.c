/* test_feed_json.c - the JSON format as Scrapy's JsonItemExporter writes it: "[", items
 * joined by ",\n", "]"; indent none and N; nothing written for an empty feed. */
#include "feedtest.h"

TestSuite(feed_json, .init = ft_setup, .fini = kumo_leakcheck_end);

Test(feed_json, one_item)
{
    kumo_item *it[1] = {ft_item(KUMO_LIST("name", "a"))};
    kumo_item_set_int(it[0], "n", -3);
    ft_expect("json", NULL, it, 1, "[\n{\"name\": \"a\", \"n\": -3}\n]");
    ft_unref_all(it, 1);
}

Test(feed_json, two_items)
{
    kumo_item *it[2] = {ft_item(KUMO_LIST("a", "1")), ft_item(KUMO_LIST("a", "2"))};
    ft_expect("json", NULL, it, 2, "[\n{\"a\": \"1\"},\n{\"a\": \"2\"}\n]");
    kumo_feed_opts o;
    kumo__feed_opts_init(&o);
    o.indent_none = true;
    ft_expect("json", &o, it, 2, "[{\"a\": \"1\"},{\"a\": \"2\"}]");
    kumo__feed_opts_init(&o);
    o.indent = 2;
    ft_expect("json", &o, it, 2, "[\n{\n  \"a\": \"1\"\n},\n{\n  \"a\": \"2\"\n}\n]");
    ft_unref_all(it, 2);
}

Test(feed_json, unicode)
{
    kumo_item *it[1] = {ft_item(KUMO_LIST("\xc3\xa9t\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac"))};
    ft_expect("json", NULL, it, 1, "[\n{\"\xc3\xa9t\xc3\xa9\": \"\xe6\x97\xa5\xe6\x9c\xac\"}\n]");
    kumo_feed_opts o;
    kumo__feed_opts_init(&o);
    o.encoding = NULL;
    ft_expect("json", &o, it, 1, "[\n{\"\\u00e9t\\u00e9\": \"\\u65e5\\u672c\"}\n]");
    ft_unref_all(it, 1);
}

Test(feed_json, field_order_and_nested_values)
{
    kumo_item *it[1] = {ft_item(KUMO_LIST("z", "last"))};
    kumo_value l = kumo_val_list();
    kumo_val_list_push(&l, kumo_val_int(1));
    kumo_val_list_push(&l, kumo_val_bool(0));
    kumo_item_set(it[0], "list", l);
    kumo_item *in = ft_item(KUMO_LIST("k", "v"));
    kumo_item_set(it[0], "nest", kumo_val_obj((kumo_ref *)in));
    kumo_item_unref(in);
    ft_expect("json", NULL, it, 1,
              "[\n{\"z\": \"last\", \"list\": [1, false], \"nest\": {\"k\": \"v\"}}\n]");
    kumo_feed_opts o;
    kumo__feed_opts_init(&o);
    o.fields = KUMO_LIST("nest", "z");
    o.nfields = 2;
    ft_expect("json", &o, it, 1, "[\n{\"nest\": {\"k\": \"v\"}, \"z\": \"last\"}\n]");
    ft_unref_all(it, 1);
}

Test(feed_json, empty_feed_writes_nothing_unless_store_empty)
{
    ft_expect("json", NULL, NULL, 0, "");
    kumo_feed_opts o;
    kumo__feed_opts_init(&o);
    o.store_empty = true;
    ft_expect("json", &o, NULL, 0, "[\n\n]");
}
