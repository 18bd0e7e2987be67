"""A crawl of many sites: the engine's ceiling scales with the sites, every site keeps its own delay."""

from __future__ import annotations

import re
from types import SimpleNamespace

from scrapy import Request
from scrapy.core.downloader import Slot
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from zonecrawler import settings as project_settings
from zonecrawler.crawl.spiders.sites import SiteSpider
from zonecrawler.crawl.sweep import SiteAutoThrottle, apply_sweep_settings, sweep_concurrency
from zonecrawler.siteconfig import Site


def _site(k: int, **politeness) -> Site:
    return Site(name=f"s{k}", start_urls=(f"http://site{k}.example.cn/news/",), article_patterns=(re.compile(r"^/a/\d+$"),),
                allowed_domains=(f"site{k}.example.cn",), politeness=politeness)


def _settings(**cmdline) -> Settings:
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    for name, value in cmdline.items():
        settings.set(name, value, priority="cmdline")
    return settings


def test_ceiling_is_sites_times_requests_per_site_within_the_cap():
    assert sweep_concurrency([2] * 200, 16, 512) == 400
    assert sweep_concurrency([2] * 300, 16, 512) == 512
    assert sweep_concurrency([2] * 3, 16, 512) == 16  # never below the configured ceiling


def test_a_crawl_of_200_sites_raises_the_ceiling_to_400():
    settings = _settings()
    assert apply_sweep_settings(settings, [_site(k) for k in range(200)]) == 400
    assert settings.getint("CONCURRENT_REQUESTS") == 400
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 2  # each site stays polite


def test_one_site_keeps_the_default_ceiling():
    settings = _settings()
    assert apply_sweep_settings(settings, [_site(0)]) is None
    assert settings.getint("CONCURRENT_REQUESTS") == 16


def test_a_ceiling_given_on_the_command_line_wins():
    settings = _settings(CONCURRENT_REQUESTS=16)
    assert apply_sweep_settings(settings, [_site(k) for k in range(200)]) is None
    assert settings.getint("CONCURRENT_REQUESTS") == 16


def test_scaling_can_be_switched_off_and_capped():
    off = _settings(ZONECRAWLER_SWEEP_SCALING=False)
    assert apply_sweep_settings(off, [_site(k) for k in range(200)]) is None
    capped = _settings(ZONECRAWLER_SWEEP_MAX_CONCURRENCY=64)
    assert apply_sweep_settings(capped, [_site(k) for k in range(200)]) == 64


def test_each_site_gets_its_own_delay_and_concurrency_in_a_sweep():
    settings = _settings()
    apply_sweep_settings(settings, [_site(0), _site(1, download_delay=2.0, concurrent_requests_per_domain=1)])
    slots = settings.getdict("DOWNLOAD_SLOTS")
    assert slots["site0.example.cn"] == {"delay": 0.5, "concurrency": 2}
    assert slots["site1.example.cn"] == {"delay": 2.0, "concurrency": 1}
    assert settings.getint("CONCURRENT_REQUESTS") == 16  # 2 + 1 < 16


def test_the_spider_applies_the_sweep_settings_for_several_sites():
    from scrapy.crawler import Crawler

    crawler = Crawler(SiteSpider, _settings())  # not frozen yet, as when Scrapy builds the spider
    spider = SiteSpider.from_crawler(crawler, site="investchn,sipac,hefei_hitech")
    assert len(spider.sites) == 3
    slots = crawler.settings.getdict("DOWNLOAD_SLOTS")
    assert slots["www.investchn.com"]["delay"] == 0.5
    assert any(entry["delay"] == 1.0 for host, entry in slots.items() if host != "www.investchn.com")


def _throttle(slots: dict) -> tuple[SiteAutoThrottle, dict]:
    crawler = get_crawler(settings_dict={"AUTOTHROTTLE_ENABLED": True, "DOWNLOAD_DELAY": 0.5, "DOWNLOAD_SLOTS": slots,
                                         "AUTOTHROTTLE_START_DELAY": 1.0, "AUTOTHROTTLE_MAX_DELAY": 30.0})
    live = {key: Slot(concurrency=2, delay=1.0, jitter=0) for key in ("fast.example.cn", "slow.example.cn")}
    crawler.engine = SimpleNamespace(downloader=SimpleNamespace(_delay=0.0, slots=live))
    throttle = SiteAutoThrottle(crawler)
    throttle._spider_opened(None)
    return throttle, live


def _answer(throttle: SiteAutoThrottle, host: str, latency: float) -> None:
    request = Request(f"http://{host}/x", meta={"download_slot": host, "download_latency": latency})
    throttle._response_downloaded(HtmlResponse(request.url, body=b"<html></html>", request=request), request, None)


def test_autothrottle_never_lowers_a_site_below_its_own_delay():
    throttle, live = _throttle({"slow.example.cn": {"delay": 2.0, "concurrency": 1}})
    for _ in range(20):  # a fast server: AutoThrottle walks the delay down towards the latency
        _answer(throttle, "fast.example.cn", 0.01)
        _answer(throttle, "slow.example.cn", 0.01)
    assert live["fast.example.cn"].delay == 0.5  # the global DOWNLOAD_DELAY floor, as in Scrapy
    assert live["slow.example.cn"].delay == 2.0  # this site asked for 2 s between requests
    _answer(throttle, "slow.example.cn", 5.0)  # and a slow answer still slows it further
    assert live["slow.example.cn"].delay > 2.0
