"""Make a ``JOBDIR`` safe to resume after the crawl was killed (SIGKILL, OOM, power loss).

Scrapy saves its request queue index and spider state only on a clean close, while
``requests.seen`` grows as requests are scheduled.  After a hard kill they disagree:
requests marked "seen" may never have been downloaded, so a plain resume would lose
articles.  This extension leaves a marker file in the job directory while a crawl
runs; finding it at start means the last run died, so the scheduler state is
discarded and the crawl re-walks its list pages from the start URLs.  Even a clean
pause (Ctrl-C once) drops the requests in flight while their fingerprints stay in
``requests.seen``, so every resume forgets the seen-set (the saved queue of a clean
pause is kept) and re-walks the lists.  Articles already written are not fetched
again: the partial output tells the ledger which they are (see :mod:`zonecrawler.feeds`).
"""

from __future__ import annotations

import logging
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)
MARKER = "zonecrawler.running"
SCHEDULER_STATE = ("requests.queue", "requests.seen", "spider.state")


def discard_scheduler_state(jobdir: Path, names=SCHEDULER_STATE) -> list[str]:
    """Remove Scrapy's queue, seen-set and spider state (or ``names``) from ``jobdir``; returns what was removed."""
    removed = []
    for name in names:
        target = jobdir / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        else:
            continue
        removed.append(name)
    return removed


class JobDirGuard:
    """Detect a killed previous run in ``JOBDIR`` and reset its untrustworthy scheduler state."""

    def __init__(self, jobdir: str, crawler):
        self.jobdir = Path(jobdir)
        self.marker = self.jobdir / MARKER
        self.jobdir.mkdir(parents=True, exist_ok=True)
        if self.marker.exists():
            removed = discard_scheduler_state(self.jobdir)
            crawler.stats.set_value("zonecrawler/resume/after_kill", 1)
            logger.warning(
                "the previous crawl in %s did not shut down cleanly (%s); discarded %s and re-walking "
                "the lists; articles already written are not fetched again",
                self.jobdir, self.marker.read_text("utf-8").strip() or "killed", ", ".join(removed) or "nothing",
            )
        elif (self.jobdir / "requests.seen").exists():
            discard_scheduler_state(self.jobdir, ("requests.seen",))
            crawler.stats.set_value("zonecrawler/resume/after_pause", 1)
            logger.info("resuming the paused crawl in %s (re-walking the lists for requests lost in flight)", self.jobdir)
        self.marker.write_text(f"pid {os.getpid()} started {datetime.now(timezone.utc).isoformat(timespec='seconds')}\n",
                               "utf-8")
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        jobdir = crawler.settings.get("JOBDIR")
        if not jobdir:
            raise NotConfigured
        return cls(jobdir, crawler)

    def spider_closed(self, spider, reason):
        # The scheduler has saved its state by now (the engine closes it before this signal).
        self.marker.unlink(missing_ok=True)
