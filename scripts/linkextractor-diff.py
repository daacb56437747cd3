#!/usr/bin/python3
"""linkextractor-diff.py - run Scrapy 2.8's LinkExtractor and kumo's over the pages of
tests/data/select/ for a table of option sets, and report every difference (exit 1 if any).

    scripts/linkextractor-diff.py [--tool build/kumo-seltool] [--save] [-v]

The kumo side is `kumo-seltool --url URL --ct CT PAGE --links OPTS` (one line per link,
url, text, fragment and nofollow as a JSON array).  --save writes Scrapy's lists, with the
table, to tests/data/linkextractor/expected.json, which tests/unit/core/test_linkextractor.c
checks kumo against (so `make test` needs no Python).

process_value cannot travel as JSON: the table names one of the hooks below, which
tests/lib/lecases.c defines the same way in C.

Intended difference, applied to the Scrapy side before comparing (README, LinkExtractor):
an allow_domains / deny_domains entry without a port also matches a url with a port (Scrapy
compares the entry with the host and its port, so "127.0.0.1" takes no local test server).
"""
import argparse
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(ROOT, "tests", "data", "select")
SAVED = os.path.join(ROOT, "tests", "data", "linkextractor", "expected.json")
sys.path.insert(0, "/usr/lib/python3/dist-packages")

from scrapy.http import HtmlResponse  # noqa: E402
from scrapy.linkextractors import LinkExtractor  # noqa: E402
from scrapy.linkextractors import lxmlhtml  # noqa: E402
from scrapy.utils.url import parse_url, url_is_from_any_domain  # noqa: E402


def kumo_from_any_domain(url, domains):
    """The intended difference: the netloc as Scrapy, or the host without its port."""
    if url_is_from_any_domain(url, domains):
        return True
    host = (parse_url(url).hostname or "").lower()
    return bool(host) and any(host == d.lower() or host.endswith("." + d.lower())
                              for d in domains)


lxmlhtml.url_is_from_any_domain = kumo_from_any_domain

PAGES = [
    ("links.html", "http://example.com/dir/page.html", "text/html; charset=utf-8"),
    ("selectors.html", "http://example.com/dir/page.html?x=1#top", "text/html; charset=utf-8"),
    ("quotes.html", "http://quotes.example/page/1/", "text/html"),
    ("base.html", "http://example.com/a/b.html", "text/html"),
    ("messy.html", "https://messy.example/a/b/", "text/html"),
]


def js_hook(value):
    m = re.search(r"javascript:goToPage\('(.*?)'", value)
    return m.group(1) if m else value


def drop_skip_hook(value):
    return None if "skip" in value else value


HOOKS = {"js": js_hook, "drop_skip": drop_skip_hook}

# Every option set runs on every page.
OPTIONS = [
    {},
    {"unique": False},
    {"canonicalize": True},
    {"canonicalize": True, "unique": False},
    {"strip": False},
    {"allow": ["sql-.*"]},
    {"allow": ["sql-.*"], "restrict_css": ["div.toc"]},
    {"deny": ["/docs/", "search"]},
    {"allow": ["docs", "files"], "deny": ["#"]},
    {"allow": ["(?i)upper"]},
    {"allow_domains": ["example.com"]},
    {"deny_domains": ["example.com"]},
    {"allow_domains": ["example.com", "example.org"], "deny_domains": ["sub.example.com"]},
    {"restrict_xpaths": ["//div[@class='toc']", "//div[@id='footer']"]},
    {"restrict_css": ["#footer p", "div.nav"]},
    {"restrict_xpaths": ["//div[@class='toc']//a"]},
    {"restrict_xpaths": ["//div[@class='toc']", "//div[@class='toc']/ul"]},
    {"restrict_xpaths": ["//div[@class='toc']", "//div[@class='toc']/ul"], "unique": False},
    {"restrict_xpaths": ["//nothing"]},
    {"restrict_text": ["^S", "Report"]},
    {"tags": ["img"], "attrs": ["src", "data-src"]},
    {"tags": ["a", "area", "link", "img"], "attrs": ["href", "src"]},
    {"deny_extensions": []},
    {"deny_extensions": ["html", "json"]},
    {"process_value": "js"},
    {"process_value": "drop_skip"},
    {"process_value": "js", "canonicalize": True, "allow": ["target|sql"]},
]


def scrapy_links(page, url, ct, opts):
    with open(os.path.join(DATA, page), "rb") as f:
        body = f.read()
    res = HtmlResponse(url=url, body=body, headers={"Content-Type": ct})
    kw = dict(opts)
    if "process_value" in kw:
        kw["process_value"] = HOOKS[kw["process_value"]]
    try:
        links = LinkExtractor(**kw).extract_links(res)
    except Exception as e:      # noqa: BLE001
        return "Error: %s: %s" % (type(e).__name__, e)
    return [[lk.url, lk.text, lk.fragment, lk.nofollow] for lk in links]


def kumo_links(tool, page, url, ct, optlist):
    args = [tool, "--url", url, "--ct", ct, os.path.join(DATA, page)]
    for o in optlist:
        args += ["--links", json.dumps(o)]
    out = subprocess.run(args, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.exit("kumo-seltool failed: %s" % out.stderr.strip())
    results, cur = [], None
    for line in out.stdout.splitlines():
        if line == "[":
            cur = []
        elif line == "]":
            results.append(cur)
            cur = None
        else:
            cur.append(json.loads(line))
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", default=os.path.join(ROOT, "build", "kumo-seltool"))
    ap.add_argument("--save", action="store_true")
    ap.add_argument("-v", action="store_true")
    a = ap.parse_args()
    cases = []
    for page, url, ct in PAGES:
        for opts in OPTIONS:
            cases.append({"page": page, "url": url, "ct": ct, "opts": opts,
                          "links": scrapy_links(page, url, ct, opts)})
    if a.save:
        with open(SAVED, "w") as f:
            f.write("[\n")
            f.write(",\n".join(json.dumps(c, ensure_ascii=False) for c in cases))
            f.write("\n]\n")
        print("saved %d cases to %s" % (len(cases), os.path.relpath(SAVED, ROOT)))
    if not os.path.exists(a.tool):
        sys.exit("%s missing: make seltool" % a.tool)
    diffs = 0
    for page, url, ct in PAGES:
        mine = [c for c in cases if c["page"] == page]
        got = kumo_links(a.tool, page, url, ct, [c["opts"] for c in mine])
        for c, k in zip(mine, got):
            want = c["links"]
            if want == k:
                if a.v:
                    print("ok   %s %s: %d links" % (page, json.dumps(c["opts"]), len(k)))
                continue
            diffs += 1
            print("DIFF %s %s" % (page, json.dumps(c["opts"])))
            for w in want if isinstance(want, list) else [want]:
                if w not in k:
                    print("   scrapy only: %s" % json.dumps(w, ensure_ascii=False))
            for g in k:
                if not isinstance(want, list) or g not in want:
                    print("   kumo only:   %s" % json.dumps(g, ensure_ascii=False))
            if isinstance(want, list) and sorted(map(json.dumps, want)) == sorted(
                    map(json.dumps, k)):
                print("   (same links, other order)")
    print("%d cases, %d differences" % (len(cases), diffs))
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
