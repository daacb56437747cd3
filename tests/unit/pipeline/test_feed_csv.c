/* test_feed_csv.c - the CSV format as Scrapy's CsvItemExporter writes it: Python's
 * csv.writer (excel dialect), a header from the first item or the fields option, str() of
 * each value. */
#include "feedtest.h"

TestSuite(feed_csv, .init = ft_setup, .fini = kumo_leakcheck_end);

Test(feed_csv, one_item)
{
    kumo_item *it[1] = {ft_item(KUMO_LIST("name", "a"))};
    kumo_item_set_int(it[0], "n", 1);
    ft_expect("csv", NULL, it, 1, "name,n\r\na,1\r\n");
    ft_unref_all(it, 1);
}

Test(feed_csv, two_items_take_the_first_items_columns)
{
    kumo_item *it[2] = {ft_item(KUMO_LIST("a", "1", "b", "2")),
                        ft_item(KUMO_LIST("b", "3", "extra", "dropped"))};
    ft_expect("csv", NULL, it, 2, "a,b\r\n1,2\r\n,3\r\n");
    ft_unref_all(it, 2);
}

Test(feed_csv, quoting_is_minimal)
{
    kumo_item *it[1] = {ft_item(KUMO_LIST("plain", "x y", "comma", "a,b", "quote",
                                          "say \"hi\"", "newline", "l1\nl2", "cr", "a\rb"))};
    ft_expect("csv", NULL, it, 1,
              "plain,comma,quote,newline,cr\r\n"
              "x y,\"a,b\",\"say \"\"hi\"\"\",\"l1\nl2\",\"a\rb\"\r\n");
    ft_unref_all(it, 1);
}

Test(feed_csv, values_as_python_str)
{
    kumo_item *it[1] = {kumo_item_new()};
    kumo_item_set(it[0], "none", kumo_val_none());
    kumo_item_set(it[0], "t", kumo_val_bool(1));
    kumo_item_set_float(it[0], "f", 0.5);
    kumo_value strs = kumo_val_list();
    kumo_val_list_push(&strs, kumo_val_str("a"));
    kumo_val_list_push(&strs, kumo_val_str("b"));
    kumo_item_set(it[0], "strs", strs);
    kumo_value mixed = kumo_val_list();
    kumo_val_list_push(&mixed, kumo_val_int(1));
    kumo_val_list_push(&mixed, kumo_val_str("x"));
    kumo_item_set(it[0], "mixed", mixed);
    ft_expect("csv", NULL, it, 1, "none,t,f,strs,mixed\r\n,True,0.5,\"a,b\",\"[1, 'x']\"\r\n");
    ft_unref_all(it, 1);
}

Test(feed_csv, unicode)
{
    kumo_item *it[1] = {ft_item(KUMO_LIST("\xc3\xa9", "caf\xc3\xa9 \xf0\x9f\x98\x80"))};
    ft_expect("csv", NULL, it, 1, "\xc3\xa9\r\ncaf\xc3\xa9 \xf0\x9f\x98\x80\r\n");
    ft_unref_all(it, 1);
}

Test(feed_csv, field_order_and_names)
{
    kumo_item *it[2] = {ft_item(KUMO_LIST("a", "1", "b", "2")), ft_item(KUMO_LIST("a", "3"))};
    kumo_feed_opts o;
    kumo__feed_opts_init(&o);
    o.fields = KUMO_LIST("b", "missing", "a");
    o.names = KUMO_LIST("B", "M", "A");
    o.nfields = 3;
    ft_expect("csv", &o, it, 2, "B,M,A\r\n2,,1\r\n,,3\r\n");
    ft_unref_all(it, 2);
}
