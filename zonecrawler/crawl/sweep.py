"""Crawls of many sites at once (the nightly sweep): engine concurrency and per-site politeness.

Scrapy's global ``CONCURRENT_REQUESTS`` (16) is a ceiling on requests in flight across all
sites.  A polite site (0.5 s delay, 2 requests at a time) uses little of it, so a sweep of
hundreds of sites is bound by that ceiling, not by any site's politeness.  When a crawl
covers more than one site, ``apply_sweep_settings`` raises the ceiling to what the sites can
take politely together (sites × requests per site, capped by ``ZONECRAWLER_SWEEP_MAX_CONCURRENCY``),
unless ``CONCURRENT_REQUESTS`` was set by the user, and gives every site its own download slot
settings (``DOWNLOAD_SLOTS``: delay and concurrency from its ``[politeness]`` table), which
``SiteAutoThrottle`` keeps as that site's lower bound when AutoThrottle adjusts delays.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy.extensions.throttle import AutoThrottle
from scrapy.settings import SETTINGS_PRIORITIES

from zonecrawler.siteconfig import Site

logger = logging.getLogger(__name__)

ENGINE_CEILING = "CONCURRENT_REQUESTS"


def sweep_concurrency(per_site: list[int], configured: int, cap: int) -> int:
    """Requests in flight a crawl of these sites needs: each site's own limit, summed, capped.

    Never below ``configured`` (a single site, or a few, keep the usual ceiling).
    """
    return max(configured, min(cap, sum(per_site)))


def site_hosts(site: Site) -> list[str]:
    """The host names a site's requests go to (its download slot keys)."""
    hosts = {urlsplit(url).hostname or "" for url in site.start_urls} | set(site.allowed_domains)
    return sorted(h for h in hosts if h)


def download_slots(sites: list[Site], delay: float, concurrency: int) -> dict[str, dict]:
    """``DOWNLOAD_SLOTS`` giving each site's hosts its own delay and concurrency."""
    slots: dict[str, dict] = {}
    for site in sites:
        entry = {
            "delay": float(site.politeness.get("download_delay", delay)),
            "concurrency": int(site.politeness.get("concurrent_requests_per_domain", concurrency)),
        }
        for host in site_hosts(site):
            slots[host] = entry
    return slots


def apply_sweep_settings(settings, sites: list[Site]) -> int | None:
    """Scale the engine's ceiling and set per-site slots for a crawl of several sites.

    Returns the new ``CONCURRENT_REQUESTS`` (None when nothing changed: one site, scaling
    off, or the ceiling set by the user on the command line or in the spider).
    """
    if len(sites) < 2 or not settings.getbool("ZONECRAWLER_SWEEP_SCALING"):
        return None
    delay = settings.getfloat("DOWNLOAD_DELAY")
    per_domain = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
    slots = download_slots(sites, delay, per_domain)
    if slots:
        settings.set("DOWNLOAD_SLOTS", {**slots, **settings.getdict("DOWNLOAD_SLOTS")}, priority="spider")
    if settings.getpriority(ENGINE_CEILING) > SETTINGS_PRIORITIES["project"]:
        return None  # the user chose the ceiling
    per_site = [int(site.politeness.get("concurrent_requests_per_domain", per_domain)) for site in sites]
    ceiling = sweep_concurrency(per_site, settings.getint(ENGINE_CEILING), settings.getint("ZONECRAWLER_SWEEP_MAX_CONCURRENCY"))
    settings.set(ENGINE_CEILING, ceiling, priority="spider")
    logger.info("crawl of %d sites: CONCURRENT_REQUESTS raised to %d (sites x requests per site, capped)", len(sites), ceiling)
    return ceiling


class SiteAutoThrottle(AutoThrottle):
    """Scrapy's AutoThrottle, with each site's own ``download_delay`` as its lower bound.

    AutoThrottle lowers every slot's delay to the global ``DOWNLOAD_DELAY`` when a server
    answers fast; a site that asked for 1 s between requests would get 0.5 s in a sweep.
    """

    def _spider_opened(self, spider) -> None:
        super()._spider_opened(spider)
        slots = self.crawler.settings.getdict("DOWNLOAD_SLOTS")
        self._floors = {key: float(entry.get("delay", 0.0)) for key, entry in slots.items()}
        self._floor = 0.0

    def _get_slot(self, request, spider):
        key, slot = super()._get_slot(request, spider)
        self._floor = self._floors.get(key, 0.0) if key else 0.0
        return key, slot

    def _adjust_delay(self, slot, latency, response) -> None:
        super()._adjust_delay(slot, latency, response)
        if slot.delay < self._floor:
            slot.delay = self._floor
