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

A job's start time (:func:`job_started`, in ``zonecrawler.started``) is kept until the job
publishes, so ``%(time)s`` and ``%(date)s`` in a feed URI name the same file in every run of
one job, however often it is killed and resumed.
"""

from __future__ import annotations

import logging
import shutil
from datetime import datetime, timezone
from pathlib import Path

logger = logging.getLogger(__name__)
MARKER = "zonecrawler.running"
SCHEDULER_STATE = ("requests.queue", "requests.seen", "spider.state")
JOB_START = "zonecrawler.started"


def job_started(jobdir: Path) -> datetime:
    """When the job in ``jobdir`` first started (UTC, whole seconds); recorded now if it is new."""
    marker = Path(jobdir) / JOB_START
    try:
        return datetime.fromisoformat(marker.read_text("utf-8").strip())
    except (OSError, ValueError):
        pass
    started = datetime.now(timezone.utc).replace(microsecond=0)
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(started.isoformat() + "\n", "utf-8")
    except OSError as exc:
        logger.warning("cannot record the job's start time in %s: %s", marker, exc)
    return started


def job_finished(jobdir: Path | None) -> None:
    """The job published its output: the next run in ``jobdir`` is a new job with a new start time."""
    if jobdir:
        (Path(jobdir) / JOB_START).unlink(missing_ok=True)


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
