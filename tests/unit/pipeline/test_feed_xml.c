/* test_feed_xml.c - the XML format as Scrapy's XmlItemExporter writes it: declaration,
 * <items>, one <item> a line, escapes, lists as <value> children. */
#include "feedtest.h"

TestSuite(feed_xml, .init = ft_setup, .fini = kumo_leakcheck_end);

#define DECL "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"

Test(feed_xml, one_item)
{
    kumo_item *it[1] = {ft_item(KUMO_LIST("name", "a"))};
    kumo_item_set_int(it[0], "n", 1);
    ft_expect("xml", NULL, it, 1, DECL "<items>\n<item><name>a</name><n>1</n></item>\n</items>");
    ft_unref_all(it, 1);
}

Test(feed_xml, two_items)
{
    kumo_item *it[2] = {ft_item(KUMO_LIST("a", "1")), ft_item(KUMO_LIST("b", "2"))};
    ft_expect("xml", NULL, it, 2,
              DECL "<items>\n<item><a>1</a></item>\n<item><b>2</b></item>\n</items>");
    kumo_feed_opts o;
    kumo__feed_opts_init(&o);
    o.indent_none = true;
    ft_expect("xml", &o, it, 2, DECL "<items><item><a>1</a></item><item><b>2</b></item></items>");
    ft_unref_all(it, 2);
}

Test(feed_xml, escapes_and_values)
{
    kumo_item *it[1] = {ft_item(KUMO_LIST("s", "a & <b> \"q\" 'x'"))};
    kumo_item_set(it[0], "none", kumo_val_none());
    kumo_item_set(it[0], "ok", kumo_val_bool(0));
    kumo_value l = kumo_val_list();
    kumo_val_list_push(&l, kumo_val_str("x"));
    kumo_val_list_push(&l, kumo_val_int(2));
    kumo_item_set(it[0], "l", l);
    ft_expect("xml", NULL, it, 1,
              DECL "<items>\n<item><s>a &amp; &lt;b&gt; \"q\" 'x'</s><none>None</none>"
              "<ok>False</ok><l><value>x</value><value>2</value></l></item>\n</items>");
    ft_unref_all(it, 1);
}

Test(feed_xml, unicode)
{
    kumo_item *it[1] = {ft_item(KUMO_LIST("t", "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80"))};
    ft_expect("xml", NULL, it, 1,
              DECL "<items>\n<item><t>caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80</t></item>\n"
              "</items>");
    ft_unref_all(it, 1);
}

Test(feed_xml, field_order)
{
    kumo_item *it[1] = {ft_item(KUMO_LIST("a", "1", "b", "2", "c", "3"))};
    kumo_feed_opts o;
    kumo__feed_opts_init(&o);
    o.fields = KUMO_LIST("c", "a");
    o.nfields = 2;
    ft_expect("xml", &o, it, 1, DECL "<items>\n<item><c>3</c><a>1</a></item>\n</items>");
    ft_unref_all(it, 1);
}
