"""Atomic file feeds: readers of ``NAME`` only ever see a complete file.

Registered for ``file://`` and plain paths in ``FEED_STORAGES``, so ``scrapy crawl … -O out.jsonl``
writes ``out.jsonl.part`` (unbuffered: every line reaches the OS as soon as it is
exported), fsyncs it and ``os.replace``-s it to ``out.jsonl`` when the feed closes.
With ``-o`` (append) the published file is the old ``NAME`` plus the new lines,
again swapped in with one rename.  Batched feeds (``FEED_EXPORT_BATCH_ITEM_COUNT``)
publish each batch file the same way.

With ``JOBDIR`` the ``.part`` file is the job's memory: a paused crawl keeps it, a
resumed one first drops a torn last line (a crawl killed mid-write), tells the
ledger which records it already holds, then appends.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from scrapy.extensions.feedexport import FileFeedStorage

from zonecrawler.storage.files import fsync_dir, recover_jsonlines
from zonecrawler.storage.ledger import ledger_for

logger = logging.getLogger(__name__)
PART_SUFFIX = ".part"
RESUMABLE_FORMATS = {"jsonlines", "jl"}


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

        recover_jsonlines(self.part, recovered)
        self.ledger.recovered += count
        logger.info("resuming %s: %d records already written by the interrupted run", self.part, count)

    def open(self, spider):
        self.part.parent.mkdir(parents=True, exist_ok=True)
        mode = "ab" if self.resumable and self.part.exists() else "wb"
        if self.ledger is not None:
            self.ledger.feed_opened(str(self.final))
        return self.part.open(mode, buffering=0)

    def store(self, file):
        if not file.closed:
            file.flush()
            os.fsync(file.fileno())
            file.close()
        if self.ledger is not None and self.ledger.resumable_close():
            logger.info("crawl paused: partial output kept in %s until the job is resumed", self.part)
            return None
        self.publish()
        if self.ledger is not None:
            self.ledger.feed_published(str(self.final))
        return None

    def publish(self) -> None:
        """Swap the complete file in under its final name with one rename."""
        source = self.part
        if not self.overwrite and self.final.exists():
            merged = self.final.with_name(self.final.name + ".merge" + PART_SUFFIX)
            with merged.open("wb") as out:
                for piece in (self.final, self.part):
                    with piece.open("rb") as src:
                        if piece is self.part and self.format == "csv" and self.final.stat().st_size:
                            src.readline()  # appending to a CSV file: its header is there already
                        shutil.copyfileobj(src, out)
                out.flush()
                os.fsync(out.fileno())
            self.part.unlink()
            source = merged
        os.replace(source, self.final)
        fsync_dir(self.final.parent)
