#!/usr/bin/python3
"""parsel-diff.py - run the same selector expressions through Scrapy/parsel and through kumo
on the saved pages of tests/data/select/, and report every difference (exit 1 if any).

    scripts/parsel-diff.py [--tool build/kumo-seltool] [--kumo-shell ./kumo] [-v] [-k WORD]

The kumo side is build/kumo-seltool (one process per page, every expression as an
argument, one repr() per output line), or, with --kumo-shell KUMO, `KUMO shell PAGE -c EXPR`
(one process per expression; pages that need a Content-Type header are skipped there, as a
local file has none).  Values are compared as Python literals when both sides are literals
(so repr() quoting does not matter), else as text; an exception on both sides is a match.

Intended differences, applied to the Scrapy side before comparing (doc/spiders.md, Selectors):
follow_all() skips empty, mailto:, javascript:, tel:, data: and other non-http(s) links.
"""
import argparse
import ast
import os
import re
import subprocess
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(ROOT, "tests", "data", "select")
sys.path.insert(0, "/usr/lib/python3/dist-packages")
warnings.simplefilter("ignore", FutureWarning)   # Python's "nested set" for [[:x:]]

from scrapy.http import HtmlResponse, TextResponse, XmlResponse  # noqa: E402
from scrapy.http.response.text import _url_from_selector  # noqa: E402
from scrapy.http.response.text import _InvalidSelector  # noqa: E402

URL = "http://example.com/dir/page.html?x=1#top"

# (file, url, Content-Type header or None)
PAGES = [
    ("selectors.html", URL, "text/html; charset=utf-8"),
    ("quotes.html", "http://quotes.example/page/1/", "text/html"),
    ("base.html", "http://example.com/a/b.html", "text/html"),
    ("enc-latin1-meta.html", URL, "text/html"),
    ("enc-cp1252-httpequiv.html", URL, "text/html"),
    ("enc-sjis-meta.html", URL, "text/html"),
    ("enc-utf16le-bom.html", URL, "text/html"),
    ("enc-utf8-bom.html", URL, "text/html"),
    ("enc-broken-nodecl.html", URL, "text/html"),
    ("enc-broken-utf8-header.html", URL, "text/html; charset=UTF-8"),
    ("enc-undefined-cp1252.html", URL, "text/html"),
    ("enc-koi8r-header.html", URL, "text/html; charset=koi8-r"),
    ("enc-header-beats-meta.html", URL, "text/html; charset=ISO-8859-1"),
    ("enc-nul-bytes.html", URL, "text/html"),
    ("enc-empty.html", URL, "text/html"),
    ("feed-eucjp.xml", "http://example.com/feed.xml", "application/xml"),
    ("messy.html", "https://messy.example/a/b/", "text/html"),
]

# Run on every page.
COMMON = [
    "response.encoding",
    "response.text",
    "len(response.text)",
    "response.css('title::text').get()",
    "response.css('#t::text').get()",
    "response.xpath('//p[@id=\"t\"]/text()').getall()",
    "response.css('p').getall()",
    "response.xpath('string(//body)').get()",
    "response.xpath('normalize-space(//body)').get()",
    "response.xpath('count(//*)').get()",
    "response.css('a::attr(href)').getall()",
    "[r.url for r in response.follow_all(css='a')]",
    "[r.url for r in response.follow_all(xpath='//a/@href')]",
    "response.css('*::text').getall()",
    "response.css('p').re(r'\\w+')",
    "response.xpath('//title').re_first(r'>(.*)<')",
]

CSS = [
    "*", "p", "#main", ".item", "li.item.odd", "div p", "div > p", "h1 + div", "h1 ~ div",
    "li + li", "li ~ li", "p, h1", "ul li:first-child", "ul li:last-child",
    "div.box span:only-child", "div.box span:first-of-type", "div.box span:last-of-type",
    "div.box em:only-of-type", "ol li:only-of-type", "li:nth-child(2)", "li:nth-child(odd)",
    "li:nth-child(even)", "li:nth-child(2n+1)", "li:nth-child(3n-1)", "li:nth-child(-n+3)",
    "li:nth-child(n+4)", "li:nth-last-child(2)", "li:nth-last-child(odd)",
    "span:nth-of-type(2)", "span:nth-last-of-type(1)", "em:nth-of-type(even)", "p:empty",
    "li:empty", "td:not(:first-child)", "li:not(.odd)", "a:not([href])", "p:not(#unicode)",
    "[data-id]", "[data-id=\"3\"]", "[data-id=3]", "[class~=even]", "[rel~=next]",
    "[lang|=en]", "[lang^=en]", "[lang$=GB]", "[lang*=ngl]", "[href^='/']",
    "[href$='.html']", "[href*=example]", "a[href^=\"http\"]", "[class~='']",
    "[href^='']", "input[type=checkbox][checked]", "INPUT[NAME=q]", "body.home", ".wide",
    "*:empty", "p::text", "p ::text", "li *::text", "*::text", "a::attr(href)",
    "*::attr(data-id)", "li::attr(data-id)", "::attr(lang)", "td:nth-child(2)::text",
    "table tr:nth-child(n+2) td:first-child::text", "option[selected]::attr(value)",
    "textarea::text", "div#main > p.lead > a", "title::text", "h1::attr(title)",
    "script::text", "style::text", "img::attr(alt)", "input::attr(value)",
    "a[href]:not([href^=\"mailto\"])::attr(href)", ":root", "html:root > body",
    "li:first-child:last-child", "a:link", "entry title::text", "link::attr(href)",
    "entry::attr(id)", "p.note::text", "#ws::text", "[title]", "br", "hr",
    # the native matcher's shapes (src/select/cssmatch.c): groups in document order, once
    "body::text, div", "div *::text, p", "li a, a", "a::attr(href), a::attr(rel)",
    "ul > li.item.odd > a::text", "div#main li[data-id] a[href$='.html']::attr(href)",
    "div > div p::text, div::text", "[class~=item][data-id!='3']::attr(data-id)",
    "article.product h3 a::attr(title)", "p.star-rating::attr(class)", "p.price::text",
]

XPATH = [
    "//li[has-class('odd')]/@data-id", "//li[has-class('item', 'even')]/@data-id",
    "//body[has-class('home', 'wide')]/@id", "//*[has-class('nope')]",
    "//a[re:test(@href, '\\.html$')]/@href", "//a[re:test(@href, '^HTTP', 'i')]/@href",
    "//p[re:test(., '\\d{4}-\\d\\d-\\d\\d')]/@id", "re:test(//h1, 'heading', 'i')",
    "re:match(//p[@id='dates'], '(\\d{4})-(\\d\\d)-(\\d\\d)')",
    "re:match(//p[@id='dates'], '(\\d{4})-(\\d\\d)', 'g')",
    "re:match(//p[@id='dates'], '\\d{3}-\\d{4}', 'g')", "re:match(//title, 'zzz')",
    "re:replace(//p[@id='dates'], '(\\d{4})-(\\d\\d)-(\\d\\d)', 'g', '\\3/\\2/\\1')",
    "re:replace(//title, '\\s+', '', '_')", "count(//li)", "count(//p) div 3",
    "sum(//td[2])", "string(//h1)", "normalize-space(//p[@id='ws'])", "boolean(//table)",
    "boolean(//nope)", "1 = 1", "//li[3]/text()", "//li[position() > 4]/@data-id",
    "//li[last()]/@class", "//td[. > 5]/text()", "name(//*[@id='main'])", "local-name(/*)",
    "//comment()", "//text()[normalize-space()][1]", "//@data-count", "string-length(//h1)",
    "substring-before(//p[@id='dates'], ',')", "translate(//h1, 'ae', 'AE')",
    "concat(//h1/@title, '!')", "//input/@*", "//a[contains(., 'a')]/@href",
    "//div[@id='main']/p[2]//text()", "id('main')/@class", "//li/a/text()",
    "//processing-instruction()", "//entry/link/@href", "//*[name()='title']/text()",
    "number('12.5')", "1 div 0", "0 div 0", "-1 div 0", "10000000000000000 * 10",
    "0.1 + 0.2", "1 div 3", "//nope/text()", "//a[@href='#frag']",
    "//td/text()", "//li/text()", "//dd/text()", "//svg//text()", "//*[local-name()='circle']",
    "//noscript//text()", "//template//text()", "//pre/text()", "//textarea/text()",
    "//body/text()", "//html/following-sibling::node()", "//div/@class", "//p/@lang",
    "//*[has-class('spaced')]/text()", "//*[has-class('tab')]/text()",
    "//a/@href", "//img/@alt", "//comment()", "//p[last()]/text()",
]

RE = [
    "response.css('#dates::text').re(r'\\d+')",
    "response.css('#dates::text').re(r'(\\d{4})-(\\d\\d)-(\\d\\d)')",
    "response.css('#dates::text').re(r'(?P<extract>\\d{3}-\\d{4})')",
    "response.css('#dates::text').re(r'(?P<year>\\d{4})-(?P<month>\\d\\d)')",
    "response.css('#dates::text').re(r'(\\d{3})-(\\d{4})|(\\d{4})-')",
    "response.css('#dates::text').re_first(r'(\\d{4})')",
    "response.css('#dates::text').re_first(r'nomatch', 'default')",
    "response.css('#dates::text').re_first(r'nomatch')",
    "response.css('#unicode::text').re(r'\\w+')",
    "response.css('#unicode::text').re(r'\\d')",
    "response.css('#unicode::text').re(r'\\s+')",
    "response.css('#unicode::text').re(r'(?i)STRASSE|straße|CAFÉ')",
    "response.css('#unicode::text').re(r'[^\\x00-\\x7f]+')",
    "response.css('#unicode::text').re(r'\\bcaf\\w\\b')",
    "response.css('p.note').re(r'&\\w+;|&#\\w+;')",
    "response.css('p.note').re(r'Third (.*) end')",
    "response.css('p.note::text').re(r'.+')",
    "response.css('li').re(r'<a href=\"(.*?)\"')",
    "response.css('li').re(r'<a href=\"(.*)\"')",
    "response.css('li::attr(data-id)').re(r'[2-4]')",
    "response.css('#ws::text').re(r'^\\s*(\\S.*?)\\s*$')",
    "response.css('#ws::text').re(r'(?m)^\\s+(\\w+)')",
    "response.css('#ws::text').re(r'(?s)spaced.*text')",
    "response.css('#ws::text').re(r'\\w*')",
    "response.css('#ws::text').re(r'x*')",
    "response.css('p').re(r'price (\\S+), code (#[\\w-]+)')",
    "response.css('p::text').re(r'-?\\d+(?:\\.\\d+)?')",
    "response.css('textarea::text').re(r'line (\\w+)\\Z')",
    "response.css('textarea::text').re(r'(\\w+)$')",
    "response.css('h1').re(r'\"(\\w+)\"')",
    "response.css('li.item::text').re(r'^\\s+|\\s+$')",
    "response.css('td::text').re(r'\\d{1,}')",
    "response.css('td::text').re(r'\\d{,1}')",
    "response.css('title').re(r'\\u0026|&amp;|&')",
    "response.css('a').re(r'(?P<extract>[A-Z]\\w+)')",
    "response.css('#dates').re(r'(?<=call )\\d+')",
    "response.css('#dates').re(r'(\\d)\\1')",
    "response.css('#dates').re(r'(a)|(\\d{4})')",
    "response.css('p').re(r'[\\w.]+@[\\w.]+')",
    "response.css('p').re(r'\\$?([\\d,]+(?:\\.\\d+)?)')",
    "response.css('p').re(r'\\bfoo\\w*')",
    "response.css('p').re(r'(?i)\\bfoo\\b')",
    "response.css('p').re(r'\\d+')",
    "response.css('p').re(r'[[:digit:]]+|x')",
    "response.css('p').re(r'<.+?>')",
    "response.css('p').re(r'<.+>')",
    "response.css('p').re(r'^<p>(\\w+)')",
    "response.css('p').re(r'(\\w+)\\s*</p>$')",
    "response.css('p').re(r'a{2,}|e{1,2}?')",
    "response.css('p').re(r'(?:un|in)\\w+')",
    "response.css('p').re(r'[A-Z][a-z]+')",
    "response.css('p').re(r'[^\\W\\d_]+')",
    "response.css('p').re(r'\\D{3}')",
    "response.css('p').re(r'\\S+@\\S+')",
    "response.css('p').re(r'&(\\w+);?')",
    "response.css('p').re(r'(.)(?=\\1)')",
    "response.css('p').re(r'(?P<n>\\w)(?P=n)')",
    "response.css('p').re(r'\\x41|\\u00e9|\\U0001F600')",
    "response.css('p').re(r'x|')",
    "response.css('body').re(r'(?s)<dl>(.*?)</dl>')",
    "response.css('body').re_first(r'(?s)<pre>(.*?)</pre>')",
    "response.css('title').re(r'&(?:amp|lt);')",
]

API = [
    "response.css('li').get()", "response.css('nope').get()",
    "response.css('nope').get(default='d')", "response.css('nope').get('d')",
    "response.css('li::text').getall()", "response.css('li').extract()",
    "response.css('li::attr(data-id)').extract_first()",
    "response.css('nope').extract_first('x')", "response.css('li')[0].get()",
    "response.css('li')[-1].get()", "response.css('li')[1].extract()",
    "response.css('li')[1:3].getall()", "response.css('li')[-2:].getall()",
    "response.css('li')[:2].getall()", "response.css('li')[4:100].getall()",
    "len(response.css('li'))", "len(response.css('li')[2:])", "response.css('li')[10:].getall()",
    "response.css('li')[2].attrib", "response.css('input').attrib", "response.css('nope').attrib",
    "response.css('li')[0].css('a::attr(href)').get()",
    "response.css('li')[2].xpath('./em/text()').get()",
    "response.css('li').css('a::text').getall()", "response.css('li').xpath('@data-id').getall()",
    "response.css('ul').xpath('.//a').css('::attr(href)').getall()",
    "response.css('ul').xpath('count(li)').getall()",
    "response.css('li')[0].getall()", "response.css('li')[0].re(r'\\w+')",
    "response.css('li')[0].re_first(r'href=\"([^\"]+)')",
    "response.css('li::text').css('a')", "response.xpath('//li/@class').xpath('..').getall()",
    "response.css('li')[0].xpath('/html/head/title/text()').get()",
    "response.css('li')[0].xpath('//title/text()').get()",
    "response.urljoin('x.html')", "response.urljoin('//cdn.example/y')",
    "response.urljoin('#f')", "response.urljoin('?q=2')", "response.urljoin('')",
    "response.urljoin('../../../up')", "response.urljoin('http://abs.example/z')",
    "[r.url for r in response.follow_all(css='li a')]",
    "[r.url for r in response.follow_all(css='a, link, area')]",
    "[r.url for r in response.follow_all(css='a::attr(href)')]",
    "[r.url for r in response.follow_all(xpath='//link')]",
    "response.css('a[')", "response.css('p:bogus')", "response.css('a::text::text')",
    "response.xpath('//a[')", "response.xpath('nosuchfunc(1)')",
    "response.css('p').re(r'(unclosed')", "response.xpath('has-class()')",
    "response.xpath('//li[has-class(1)]')",
]


def kumo_css_exprs():
    return ["response.css(%r).getall()" % c for c in CSS]


def kumo_xpath_exprs():
    return ["response.xpath(%r).getall()" % x for x in XPATH]


EXPRS = COMMON + kumo_css_exprs() + kumo_xpath_exprs() + RE + API


def scrapy_follow_all(self, urls=None, callback=None, css=None, xpath=None, **kw):
    """Scrapy's follow_all with kumo's documented link filter."""
    sels = self.css(css) if css else self.xpath(xpath) if xpath else None
    if sels is None:
        return HtmlResponse.follow_all.__wrapped_orig__(self, urls=urls, css=css, xpath=xpath)
    out = []
    for sel in sels:
        try:
            url = _url_from_selector(sel)
        except _InvalidSelector:
            continue
        if not url:
            continue
        joined = self.urljoin(url)
        if joined.split(":", 1)[0].lower() not in ("http", "https"):
            continue
        out.append(self.follow(url, callback=callback))
    return out


scrapy_follow_all.__wrapped_orig__ = TextResponse.follow_all
TextResponse.follow_all = scrapy_follow_all


def python_side(path, url, ct, exprs):
    body = open(path, "rb").read()
    headers = {"Content-Type": ct} if ct else {}
    cls = XmlResponse if path.endswith(".xml") else HtmlResponse
    res = cls(url=url, body=body, headers=headers)
    out = []
    for e in exprs:
        try:
            v = eval(e, {"response": res, "len": len})
            out.append(repr(v))
        except Exception as ex:  # noqa: BLE001 - every failure is a result here
            out.append("Error: %s: %s" % (type(ex).__name__, ex))
    return out


def kumo_side(args, path, url, ct, exprs):
    if args.kumo_shell:
        out = []
        for e in exprs:
            p = subprocess.run([args.kumo_shell, "shell", path, "-c", e],
                               capture_output=True, text=True)
            line = p.stdout.strip() if p.returncode == 0 else "Error: " + p.stderr.strip()
            out.append(line)
        return out
    cmd = [args.tool, "--url", url] + (["--ct", ct] if ct else []) + [path] + exprs
    p = subprocess.run(cmd, capture_output=True)
    if p.returncode != 0:
        sys.exit("parsel-diff: %s failed (%d): %s" % (args.tool, p.returncode,
                                                      p.stderr.decode(errors="replace")))
    lines = p.stdout.decode("utf-8", errors="replace").split("\n")
    if len(lines) != len(exprs) + 1:
        sys.exit("parsel-diff: %s printed %d lines for %d expressions"
                 % (args.tool, len(lines) - 1, len(exprs)))
    return lines[:-1]


SEL_QUERY = re.compile(r"<Selector xpath=(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\") ")


def same(a, b):
    if a.startswith("Error") and b.startswith("Error"):
        return True
    a = SEL_QUERY.sub("<Selector ", a)
    if a == b:
        return True
    try:
        return ast.literal_eval(a) == ast.literal_eval(b)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tool", default=os.path.join(ROOT, "build", "kumo-seltool"))
    ap.add_argument("--kumo-shell", help="use KUMO shell PAGE -c EXPR instead of the tool")
    ap.add_argument("-k", help="only expressions containing this text")
    ap.add_argument("-p", help="only pages whose file name contains this text")
    ap.add_argument("-v", action="store_true", help="print every comparison")
    ap.add_argument("--extra", nargs="*", default=[],
                    help="more pages (text/html, no charset), e.g. the bench site's")
    args = ap.parse_args()
    exprs = [e for e in EXPRS if not args.k or args.k in e]
    diffs = total = 0
    pages = PAGES + [(os.path.abspath(p), "http://bench.example/p/x.html", "text/html")
                     for p in args.extra]
    for name, url, ct in pages:
        if args.p and args.p not in name:
            continue
        path = os.path.join(DATA, name)
        if args.kumo_shell:
            # a local file has no headers: its class comes from its extension
            by_ext = "application/xml" if name.endswith(".xml") else "text/html"
            if ct and ct.split(";")[0] != by_ext or "charset" in (ct or ""):
                print("skip %s: needs its Content-Type header" % name)
                continue
            url, ct = "file://" + path, None
        py = python_side(path, url, ct, exprs)
        km = kumo_side(args, path, url, ct, exprs)
        for e, a, b in zip(exprs, py, km):
            total += 1
            if same(a, b):
                if args.v:
                    print("ok   %s: %s -> %s" % (name, e, a))
                continue
            diffs += 1
            print("DIFF %s: %s\n  parsel: %s\n  kumo:   %s" % (name, e, a, b))
    print("parsel-diff: %d comparisons, %d differences" % (total, diffs))
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
