"""Make a ``JOBDIR`` safe to resume after the crawl was killed (SIGKILL, OOM, power loss).

Scrapy saves its request queue index and spider state only on a clean close, while
``requests.seen`` grows as requests are scheduled.  After a hard kill they disagree:
requests marked "seen" may never have been downloaded, so a plain resume would lose
articles.  The crawl's :class:`~zonecrawler.crawl.extensions.JobDirGuard` leaves a marker file in the job directory while a crawl
runs; finding it at start means the last run died, so the scheduler state is
discarded and the crawl re-walks its list pages from the start URLs.  Even a clean
pause (Ctrl-C once) drops the requests in flight while their fingerprints stay in
``requests.seen``, so every resume forgets the seen-set (the saved queue of a clean
pause is kept) and re-walks the lists.  Articles already written are not fetched
again: the partial output tells the ledger which they are (see :mod:`zonecrawler.crawl.feeds`).
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

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
