"""bench-real-ref.py - Scrapy's twin of spiders/follow.c for scripts/bench-real.sh: follow
every link on the start url's host, one item per HTML page {url, status, title, depth}.
    python3 -m scrapy runspider scripts/bench-real-ref.py -a url=URL -o pages.jsonl"""
from urllib.parse import urlsplit

import scrapy


class FollowSpider(scrapy.Spider):
    name = "follow"
    custom_settings = {"LOG_LEVEL": "WARNING", "ROBOTSTXT_OBEY": False}

    def start_requests(self):
        self.allowed_domains = [urlsplit(self.url).hostname]
        yield scrapy.Request(self.url)

    def parse(self, response):
        if not isinstance(response, scrapy.http.HtmlResponse):
            return
        yield {"url": response.url, "status": response.status,
               "title": response.css("title::text").get(),
               "depth": response.meta.get("depth", 0)}
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, self.parse)
