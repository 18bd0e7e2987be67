"""Atomic file feeds: readers of ``NAME`` only ever see a complete file.

Registered for ``file://`` and plain paths in ``FEED_STORAGES``, so ``scrapy crawl … -O out.jsonl``
writes ``out.jsonl.part`` (unbuffered: every line reaches the OS as soon as it is
exported), fsyncs it and ``os.replace``-s it to ``out.jsonl`` when the feed closes.
With ``-o`` (append) the published file is the old ``NAME`` plus the new lines,
again swapped in with one rename.  Batched feeds (``FEED_EXPORT_BATCH_ITEM_COUNT``)
publish each batch file the same way.

With ``JOBDIR`` the ``.part`` file is the job's memory: a paused crawl keeps it, a
resumed one first drops a torn last line (a crawl killed mid-write), tells the
ledger which records it already holds, then appends; lines it cannot read are dropped
from it and counted (``zonecrawler/resume/unreadable_lines``).

Failures: opening, writing, fsyncing or renaming the file fails the crawl (one line naming
the path and the OS error, see :meth:`~zonecrawler.storage.ledger.Ledger.fail`), and the
crawl stops.  Nothing is published then, nor when the crawl failed for any other reason
(:meth:`~zonecrawler.storage.ledger.Ledger.publishable`): ``NAME`` keeps its previous
content and ``NAME.part`` keeps the records for a resumed job.  The rename is made
recoverable with the ledger's publish intent.

URI parameters: besides Scrapy's (``%(name)s``, ``%(time)s``, any spider attribute),
``%(date)s`` is the UTC date (``2026-12-02``); with ``JOBDIR`` both are the job's first start,
so a resumed job writes the same file (:func:`uri_params`, ``FEED_URI_PARAMS``).
"""

from __future__ import annotations

import logging
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

from scrapy.extensions.feedexport import FileFeedStorage

from zonecrawler.storage.files import fsync_dir, recover_jsonlines
from zonecrawler.storage.jobdir import job_started
from zonecrawler.storage.ledger import ledger_for

logger = logging.getLogger(__name__)
PART_SUFFIX = ".part"
MERGE_SUFFIX = ".merge" + PART_SUFFIX
RESUMABLE_FORMATS = {"jsonlines", "jl"}


def readable_record(record) -> bool:
    """Could this line of a partial output have been written by a crawl (the ledger needs these fields)?"""
    return (isinstance(record, dict) and isinstance(record.get("canonical_url"), str) and record["canonical_url"]
            and isinstance(record.get("id"), str) and isinstance(record.get("url"), str)
            and isinstance(record.get("content_hash"), (str, type(None))) and isinstance(record.get("site"), (str, type(None))))


def uri_params(params: dict, spider) -> dict:
    """``FEED_URI_PARAMS``: Scrapy's parameters, with ``time`` and ``date`` (UTC) of the crawl's start.

    With ``JOBDIR`` that is the job's first start, so a killed and resumed job keeps one file name;
    the summary path (:func:`resolve_uri`) gets the same values as the feed.
    """
    crawler = getattr(spider, "crawler", None)
    jobdir = crawler.settings.get("JOBDIR") if crawler is not None else None
    started = getattr(crawler, "_zc_started", None)  # one value for every feed and the summary of a crawl
    if started is None:
        started = job_started(Path(jobdir)) if jobdir else datetime.now(timezone.utc).replace(microsecond=0)
        if crawler is not None:
            crawler._zc_started = started
    params["time"] = started.isoformat().replace(":", "-")
    params["date"] = started.date().isoformat()
    return params


def resolve_uri(template: str, spider) -> str:
    """``template`` with feed URI parameters filled in as for the crawl's feeds (``%(name)s``, ``%(time)s``, ...)."""
    if "%(" not in template:
        return template
    from scrapy.extensions.feedexport import apply_uri_params

    params = {k: getattr(spider, k, None) for k in ("name",)}
    params.update({k: v for k, v in vars(spider).items() if not k.startswith("_")})
    return apply_uri_params(template, uri_params(params, spider))


class GuardedFile:
    """The ``.part`` file as the exporter sees it: complete writes, and the first OS error fails the crawl.

    After a failure every write is dropped (the file will not be published), so the crawl
    logs one line, not one traceback per record.
    """

    def __init__(self, raw, storage: "AtomicFileFeedStorage"):
        self.raw = raw
        self.storage = storage
        self.failed = raw is None

    def write(self, data) -> int:
        if self.failed:
            return len(data)
        view = memoryview(data)
        try:
            while view:
                n = self.raw.write(view)
                view = view[n:]
        except OSError as exc:
            self.storage.failed("cannot write", self.storage.part, exc)
            self.failed = True
        return len(data)

    def flush(self) -> None:
        if not self.failed and self.raw is not None:
            try:
                self.raw.flush()
            except OSError as exc:
                self.storage.failed("cannot write", self.storage.part, exc)
                self.failed = True

    def fileno(self) -> int:
        return self.raw.fileno()

    @property
    def closed(self) -> bool:
        return self.raw is None or self.raw.closed

    def close(self) -> None:
        if self.raw is not None and not self.raw.closed:
            try:
                self.raw.close()
            except OSError as exc:
                self.storage.failed("cannot write", self.storage.part, exc)
                self.failed = True

    def writable(self) -> bool:
        return True


class AtomicFileFeedStorage(FileFeedStorage):
    """A local file feed written under ``NAME.part`` and renamed to ``NAME`` only when complete."""

    def __init__(self, uri: str, *, feed_options: dict | None = None, crawler=None):
        super().__init__(uri, feed_options=feed_options)
        feed_options = feed_options or {}
        self.final = Path(self.path)
        self.part = self.final.with_name(self.final.name + PART_SUFFIX)
        self.overwrite = bool(feed_options.get("overwrite", False))
        self.crawler = crawler
        self.ledger = ledger_for(crawler) if crawler is not None else None
        fmt = feed_options.get("format")
        self.format = fmt
        self.resumable = bool(self.ledger and self.ledger.jobdir) and fmt in RESUMABLE_FORMATS and \
            "postprocessing" not in feed_options
        self._recover()

    @classmethod
    def from_crawler(cls, crawler, uri: str, *, feed_options: dict | None = None):
        return cls(uri, feed_options=feed_options, crawler=crawler)

    def _recover(self) -> None:
        """On a resumed job, read back what the earlier run already wrote (once per path)."""
        if not self.resumable or not self.part.exists():
            return
        done = getattr(self.ledger, "_recovered_paths", set())
        if str(self.part) in done:
            return
        done.add(str(self.part))
        self.ledger._recovered_paths = done
        count = 0

        def recovered(record) -> None:
            nonlocal count
            count += 1
            if isinstance(record, dict) and record.get("canonical_url"):
                self.ledger.add_emitted(record)

        try:
            bad = recover_jsonlines(self.part, recovered, readable=readable_record)
        except OSError as exc:
            self.failed("cannot read the partial output", self.part, exc)
            return
        self.ledger.recovered += count
        self.ledger.unreadable_lines += bad
        if bad:
            logger.warning("%s: skipped %d unreadable lines (not records a crawl writes); their articles are "
                           "fetched again", self.part, bad)
        logger.info("resuming %s: %d records already written by the interrupted run", self.part, count)

    def failed(self, what: str, path: Path, exc: OSError) -> None:
        """An OS error on this feed: fail the crawl with one line naming the path and the error."""
        path = exc.filename or path
        message = f"output {self.final}: {what} {path}: {exc.strerror or exc}" + (
            f" [errno {exc.errno}]" if exc.errno else "")
        if self.ledger is not None:
            self.ledger.fail(message)
        else:
            raise exc

    def open(self, spider):
        if self.ledger is not None:
            self.ledger.feed_opened(str(self.final))
            if self.ledger.failures:
                return GuardedFile(None, self)  # the crawl already failed: nothing will be published
        try:
            self.part.parent.mkdir(parents=True, exist_ok=True)
            mode = "ab" if self.resumable and self.part.exists() else "wb"
            raw = self.part.open(mode, buffering=0)
        except OSError as exc:
            self.failed("cannot open", self.part, exc)
            raw = None
        return GuardedFile(raw, self)

    def store(self, file):
        guarded = file if isinstance(file, GuardedFile) else None
        if not file.closed:
            try:
                file.flush()
                os.fsync(file.fileno())
            except OSError as exc:
                self.failed("cannot fsync", self.part, exc)
            file.close()
        if self.ledger is not None and self.ledger.resumable_close():
            logger.info("crawl paused: partial output kept in %s until the job is resumed", self.part)
            return None
        if (guarded is not None and guarded.failed) or (self.ledger is not None and not self.ledger.publishable()):
            kept = f"; its records stay in {self.part}" + (" for the resumed job" if self.resumable else "") \
                if self.part.exists() else ""
            logger.error("output not published: the crawl failed; %s keeps its previous content%s", self.final, kept)
            return None
        try:
            self.publish()
        except OSError as exc:
            self.failed("cannot publish", Path(exc.filename) if exc.filename else self.final, exc)
            return None
        if self.ledger is not None:
            self.ledger.feed_published(str(self.final))
        return None

    def publish(self) -> None:
        """Swap the complete file in under its final name with one rename (made recoverable by the ledger)."""
        source = self.part
        if not self.overwrite and self.final.exists():
            merged = self.final.with_name(self.final.name + MERGE_SUFFIX)
            try:
                with merged.open("wb") as out:
                    for piece in (self.final, self.part):
                        with piece.open("rb") as src:
                            if piece is self.part and self.format == "csv" and self.final.stat().st_size:
                                src.readline()  # appending to a CSV file: its header is there already
                            shutil.copyfileobj(src, out)
                    out.flush()
                    os.fsync(out.fileno())
            except OSError:
                merged.unlink(missing_ok=True)
                raise
            source = merged
        if self.ledger is not None:
            self.ledger.before_publish(str(self.final), str(source), str(self.part))
        os.replace(source, self.final)
        fsync_dir(self.final.parent)
        if source != self.part:
            self.part.unlink()
