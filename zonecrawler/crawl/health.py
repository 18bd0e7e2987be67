"""Crawl health for cron: a JSON summary at the end of every crawl, and a verdict.

:class:`HealthExtension` counts, per site, pages fetched, articles extracted, new /
changed / known, records rejected by the schema (with reasons), per-field coverage
(share of extracted records where the field is present) and errors by type.  At the
end it logs one INFO line per site, writes ``ZONECRAWLER_SUMMARY_FILE`` (JSON, atomically)
and decides a status:

* ``fail`` — the crawl's state or output could not be read or written (the store, a feed
  file, the archive: :meth:`~zonecrawler.storage.ledger.Ledger.fail`), a field's coverage is below ``ZONECRAWLER_MIN_COVERAGE`` (e.g. date < 90 %),
  the error rate (errors / requests) is above ``ZONECRAWLER_MAX_ERROR_RATE``, a site
  yielded no article at all (not even known ones: its list markup probably changed),
  or the crawl did not finish;
* ``warning`` — zero new articles from a site that had some in earlier runs, or more
  articles that are duplicates of stored ones at other URLs than new ones (a site that
  moved: http→https, a new domain); such duplicates count as articles found, so a moved
  site is not mistaken for broken list markup; or a site whose article patterns matched
  nothing and was crawled by discovery instead (with the learned pattern);
* ``ok`` otherwise.

``zonecrawler crawl`` turns the status into the exit code (``fail`` -> 1).  A crawl that would
be ``fail`` publishes nothing (the feeds ask :meth:`HealthExtension.verdict` before they
publish); the summary itself is written once the feeds are stored, so a failure to publish
is in it.
:class:`ErrorCountMiddleware` attributes final download failures to their site.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

from scrapy import signals

from zonecrawler.record import MOJIBAKE, validation_errors
from zonecrawler.storage.ledger import ledger_for

logger = logging.getLogger(__name__)
COVERAGE_FIELDS = ("title", "date", "source", "zone", "body", "breadcrumb", "category", "region", "author", "editor")
DEFAULT_MIN_COVERAGE = {"title": 0.95, "date": 0.9, "body": 0.9}
DEFAULT_MAX_ERROR_RATE = 0.01


def _present(value) -> bool:
    return value not in (None, "", [], {})


def _site_of(obj, default: str = "?") -> str:
    meta = getattr(obj, "meta", None) or {}
    return meta.get("zc_site") or default


class SiteTally:
    """Counters for one site."""

    def __init__(self):
        self.pages = 0
        self.list_pages = 0
        self.article_pages = 0
        self.extracted = 0
        self.emitted = 0
        self.present = Counter()
        self.rejected = 0
        self.mojibake = 0  # rejected because title or body looks like text decoded in the wrong charset
        self.reasons = Counter()
        self.errors = Counter()
        self.http_status = Counter()

    def see_record(self, record: dict) -> None:
        self.extracted += 1
        for name in COVERAGE_FIELDS:
            if _present(record.get(name)):
                self.present[name] += 1

    def coverage(self) -> dict[str, float]:
        if not self.extracted:
            return {}
        return {name: round(self.present[name] / self.extracted, 4) for name in COVERAGE_FIELDS}


class ErrorCountMiddleware:
    """Downloader middleware (outermost): counts failures that survive retries, by site and type."""

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_exception(self, request, exception, spider=None):
        from scrapy.exceptions import IgnoreRequest

        if not isinstance(exception, IgnoreRequest):
            self.stats.inc_value(f"zonecrawler/errors/{_site_of(request)}/{type(exception).__name__}")
        return None


class HealthExtension:
    """Collects the crawl's health numbers, writes the summary, logs one line per site."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.ledger = ledger_for(crawler)
        settings = crawler.settings
        self.min_coverage = settings.getdict("ZONECRAWLER_MIN_COVERAGE") or dict(DEFAULT_MIN_COVERAGE)
        self.max_error_rate = settings.getfloat("ZONECRAWLER_MAX_ERROR_RATE", DEFAULT_MAX_ERROR_RATE)
        self.summary_file = settings.get("ZONECRAWLER_SUMMARY_FILE") or None
        self.print_summary = settings.getbool("ZONECRAWLER_SUMMARY_PRINT")
        self.sites: dict[str, SiteTally] = defaultdict(SiteTally)
        self.summary: dict | None = None
        self.default_site = "?"
        self.reason: str | None = None
        self.ledger.judge = self.verdict
        self._wait_for_feeds = bool(settings.getdict("FEEDS"))
        for handler, sig in ((self.response_received, signals.response_received),
                             (self.item_scraped, signals.item_scraped),
                             (self.item_dropped, signals.item_dropped),
                             (self.item_error, signals.item_error),
                             (self.spider_error, signals.spider_error),
                             (self.spider_opened, signals.spider_opened),
                             (self.spider_closed, signals.spider_closed),
                             (self.feed_exporter_closed, signals.feed_exporter_closed),
                             (self.engine_stopped, signals.engine_stopped)):
            crawler.signals.connect(handler, signal=sig)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    # --- signal handlers -----------------------------------------------------
    def spider_opened(self, spider):
        names = list(getattr(spider, "sites", {}) or {})
        if len(names) == 1:
            self.default_site = names[0]  # robots.txt and other untagged requests
        for name in names:
            self.sites[name]  # every crawled site appears in the summary, even with no pages
            self.ledger.history(name)

    def response_received(self, response, request, spider=None):
        site = self.sites[_site_of(request, self.default_site)]
        site.pages += 1
        kind = request.meta.get("zc_kind")
        if kind == "list":
            site.list_pages += 1
        elif kind == "article":
            site.article_pages += 1
        if response.status >= 400:
            site.http_status[str(response.status)] += 1
            if response.status >= 500:
                site.errors[f"HTTP {response.status}"] += 1

    def item_scraped(self, item, response=None, spider=None):
        if isinstance(item, dict):
            tally = self.sites[item.get("site") or "?"]
            tally.see_record(item)
            tally.emitted += 1

    def item_dropped(self, item, exception, response=None, spider=None):
        # Scrapy passes the item as the spider yielded it: rebuild the record the pipelines judged.
        record = item if isinstance(item, dict) and "schema_version" in item else _record_of(item, spider)
        if record is None:
            return
        item = record
        errors = validation_errors(item)
        if not errors:
            return  # a duplicate or a known article, not an extraction problem
        tally = self.sites[item.get("site") or "?"]
        tally.see_record(item)
        tally.rejected += 1
        tally.mojibake += any(MOJIBAKE in error for error in errors)
        for error in errors:
            tally.reasons[error[:160]] += 1

    def item_error(self, item, response, spider, failure):
        self.sites[_site_of(response, self.default_site)].errors[f"pipeline {type(failure.value).__name__}"] += 1

    def spider_error(self, failure, response, spider):
        self.sites[_site_of(response, self.default_site)].errors[f"spider {type(failure.value).__name__}"] += 1

    # --- verdict -------------------------------------------------------------
    def build_summary(self, reason: str) -> dict:
        stats = self.stats.get_stats()
        for key, value in stats.items():
            if key.startswith("zonecrawler/errors/"):
                _, _, site, kind = key.split("/", 3)
                site = self.default_site if site == "?" else site
                self.sites[site].errors[f"download {kind}"] = value
            elif key.startswith("zonecrawler/not_extracted/"):  # pages the extractor gave up on (see the spider)
                _, _, site, reason = key.split("/", 3)
                self.sites[site].errors[f"not extracted: {reason}"] = value
        failures, warnings, sites_out = list(self.ledger.failures), [], {}
        total_requests = total_errors = 0
        for name, t in sorted(self.sites.items()):
            if name == "?" and not (t.pages or t.extracted or t.errors):
                continue
            new = stats.get(f"zonecrawler/new/{name}", 0)
            changed = stats.get(f"zonecrawler/changed/{name}", 0)
            known = stats.get(f"zonecrawler/known_skipped/{name}", 0)
            n_errors = sum(t.errors.values())
            requests = t.pages + sum(v for k, v in t.errors.items() if k.startswith("download "))
            total_requests += requests
            total_errors += n_errors
            coverage = t.coverage()
            site_failures = []
            for field, minimum in self.min_coverage.items():
                if t.extracted and coverage.get(field, 0.0) < float(minimum):
                    site_failures.append(f"{name}: {field} present in {coverage.get(field, 0.0):.0%} of records "
                                         f"(minimum {float(minimum):.0%})")
            dup_stored = stats.get(f"zonecrawler/duplicates/stored/{name}", 0)
            dup_in_run = stats.get(f"zonecrawler/duplicates/in_run/{name}", 0)
            if t.extracted + known + dup_stored + dup_in_run == 0 and name != "?" and not self.ledger.failures:
                site_failures.append(f"{name}: no articles found ({t.list_pages} list pages fetched)")
            moved = None
            if dup_stored > new:  # most of what the lists lead to was delivered before, at other URLs
                moved = _moved_warning(name, dup_stored, stats.get(f"zonecrawler/duplicates/example/{name}"))
            rate = n_errors / requests if requests else 0.0
            if rate > self.max_error_rate:
                site_failures.append(f"{name}: error rate {rate:.1%} above {self.max_error_rate:.1%}")
            if t.mojibake:
                warnings.append(f"{name}: {t.mojibake} record(s) rejected as mojibake (text decoded in the wrong charset)")
            if moved is not None:
                warnings.append(moved)
            elif new == 0 and self.ledger.history(name) > 0 and not site_failures:
                warnings.append(f"{name}: no new articles (it had {self.ledger.history(name)} before)")
            discovery = stats.get(f"zonecrawler/discovery/{name}/summary")
            if discovery is not None and discovery.get("reason") == "patterns_matched_nothing":
                page = stats.get(f"zonecrawler/discovery/{name}/fallback_page")
                warnings.append(f"{name}: article_patterns matched no link on {page}; crawled by discovery "
                                f"(learned article pattern {' '.join(discovery['article_patterns']) or '-'})")
            failures += site_failures
            sites_out[name] = {
                "pages_fetched": t.pages, "list_pages": t.list_pages, "article_pages": t.article_pages,
                "articles_extracted": t.extracted, "articles_emitted": t.emitted,
                "new": new, "changed": changed, "known": known,
                "rejected": t.rejected, "rejected_reasons": dict(t.reasons.most_common()), "mojibake": t.mojibake,
                "coverage": coverage, "errors": dict(t.errors), "error_rate": round(rate, 4),
                "http_status": dict(t.http_status),
                "bad_links": stats.get(f"zonecrawler/bad_links/{name}", 0),
                "duplicates": {"of_stored": dup_stored, "in_run": dup_in_run},
            }
            if discovery is not None:
                sites_out[name]["discovery"] = dict(discovery)
        if reason != "finished" and not (self.ledger.failures and reason == "io_error"):
            failures.append(f"crawl did not finish (reason: {reason})")
        if stats.get("zonecrawler/distributed/redis_unavailable"):  # distributed mode gave up on Redis
            failures.append(stats["zonecrawler/distributed/redis_unavailable"])
        log_errors = stats.get("log_count/ERROR", 0)
        status = "fail" if failures else "warning" if warnings else "ok"
        totals = {key: sum(s[key] for s in sites_out.values()) for key in
                  ("pages_fetched", "articles_extracted", "articles_emitted", "new", "changed", "known", "rejected")}
        totals.update(errors=total_errors, error_rate=round(total_errors / total_requests, 4) if total_requests else 0.0,
                      log_errors=log_errors, recovered_from_partial_output=self.ledger.recovered,
                      unreadable_partial_lines=self.ledger.unreadable_lines,
                      recorded_from_interrupted_publish=self.ledger.replayed)
        return {
            "status": status, "exit_code": 1 if status == "fail" else 0, "finish_reason": reason,
            "spider": getattr(self.crawler.spider, "name", None),
            "started": _iso(stats.get("start_time")), "finished": _iso(datetime.now(timezone.utc)),
            "full": self.ledger.full, "failures": failures, "warnings": warnings,
            "state_errors": list(self.ledger.failures),
            "thresholds": {"min_coverage": self.min_coverage, "max_error_rate": self.max_error_rate},
            "totals": totals, "sites": sites_out,
        }

    def verdict(self) -> list[str]:
        """The crawl's failures as they stand (asked by the feeds before they publish)."""
        return self.build_summary(self.reason or self.ledger.close_reason or "finished")["failures"]

    def spider_closed(self, spider, reason):
        self.reason = reason
        if not self._wait_for_feeds:
            self.finish()

    def feed_exporter_closed(self):
        self.finish()  # every feed is published (or not) by now, and the store committed

    def engine_stopped(self):
        if self.summary is None and self.reason is not None:
            self.finish()

    def finish(self):
        self.reason = self.reason or self.ledger.close_reason or "finished"
        self.summary = summary = self.build_summary(self.reason)
        self.crawler._zc_health_summary = summary
        for name, s in summary["sites"].items():
            cov = s["coverage"]
            cov_text = " ".join(f"{f} {cov[f]:.0%}" for f in ("title", "date", "body") if f in cov) or "no records"
            logger.info(
                "%s: %d pages, %d articles extracted (%d new, %d changed, %d known skipped), %d rejected, "
                "coverage %s, %d errors", name, s["pages_fetched"], s["articles_extracted"], s["new"], s["changed"],
                s["known"], s["rejected"], cov_text, sum(s["errors"].values()),
            )
            logger.debug("%s details: %s", name, json.dumps(s, ensure_ascii=False))
        log = logger.error if summary["status"] == "fail" else logger.warning if summary["status"] == "warning" else logger.info
        log("crawl health: %s%s", summary["status"].upper(),
            "".join(f"; {m}" for m in summary["failures"] + summary["warnings"]))
        text = json.dumps(summary, ensure_ascii=False, indent=2)
        if self.summary_file:
            from zonecrawler.crawl.feeds import resolve_uri

            try:
                write_summary(Path(resolve_uri(self.summary_file, self.crawler.spider)), text)
            except (OSError, KeyError, ValueError) as exc:
                logger.error("summary %s: cannot write it: %s", self.summary_file, getattr(exc, "strerror", None) or exc)
        if self.print_summary:
            print(text, flush=True)


def _moved_warning(name: str, count: int, example: dict | None) -> str:
    """The warning for a site whose articles came back under new URLs with the same content."""
    what = "articles are duplicates of stored ones" if count != 1 else "article is a duplicate of a stored one"
    text = f"{name}: {count} {what} at other URLs"
    if example:
        text += f" (e.g. {example['url']} is {example['stored_url']})"
    return text + "; not delivered again, the new URLs are recorded as aliases (did the site move?)"


def _record_of(item, spider) -> dict | None:
    from zonecrawler.crawl.pipelines import extraction_from_item
    from zonecrawler.record import build_record

    try:
        site = getattr(spider, "sites", {}).get(item.get("site"))
        return build_record(extraction_from_item(item), site=site)
    except Exception:  # not one of our items
        return None


def _iso(value) -> str | None:
    return value.isoformat(timespec="seconds") if hasattr(value, "isoformat") else None


def write_summary(path: Path, text: str) -> None:
    """Write the summary JSON atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text + "\n", "utf-8")
    os.replace(tmp, path)

