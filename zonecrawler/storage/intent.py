"""The publish intent: publishing an output and recording its articles in the store, as one recoverable step.

A crawl's last act is two steps that cannot be one transaction: rename ``NAME.part`` to
``NAME`` (the articles are delivered), then commit those articles to the article store (the
next run will not deliver them again).  A kill between the two would re-deliver the whole
run.  So before the first rename the crawl writes an *intent file* holding the rows it is
about to commit (and, appended before each rename, which file is being published from which
source); after the commit it deletes the file.  The next run replays a leftover intent before
it crawls (:func:`replay`): if a listed source file is gone its rename happened, so the rows
are committed (an upsert: committing twice changes nothing) and a left-over ``NAME.part`` whose
lines went into the published file is removed; if no rename happened the intent is dropped
(the partial output is still there, and the store never learnt its articles).

Layout: ``JOBDIR/zonecrawler.publishing`` when the crawl has a job directory, else
``STORE.publishing`` beside the article store.  JSON Lines: ``{"r": row}`` per record,
``{"a": row}`` per alias URL, ``{"rows_end": n}`` (written with one rename, so the rows are
complete or absent), then ``{"publishing": {"final", "source", "part"}}`` lines, each fsynced
before its rename.  No Scrapy here.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Iterable

from zonecrawler.storage.files import fsync_dir

logger = logging.getLogger(__name__)
JOBDIR_NAME = "zonecrawler.publishing"
STORE_SUFFIX = ".publishing"


def intent_path(jobdir: str | None, store_path: str | None) -> Path | None:
    """Where a crawl with this job directory and store keeps its intent (None: nothing to protect)."""
    if jobdir:
        return Path(jobdir) / JOBDIR_NAME
    if store_path and store_path != ":memory:":
        return Path(store_path + STORE_SUFFIX)
    return None


def write_rows(path: Path, records: Iterable[dict], aliases: Iterable[dict]) -> int:
    """Write the rows about to be committed (atomically: all of them or no file); returns the record count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    n = 0
    with tmp.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps({"r": record}, ensure_ascii=False) + "\n")
            n += 1
        for alias in aliases:
            fh.write(json.dumps({"a": alias}, ensure_ascii=False) + "\n")
        fh.write(json.dumps({"rows_end": n}) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)
    return n


def add_publishing(path: Path, final: Path, source: Path, part: Path) -> None:
    """Note, durably, that ``source`` is about to be renamed to ``final`` (call right before the rename)."""
    line = json.dumps({"publishing": {"final": str(final), "source": str(source), "part": str(part)}}) + "\n"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())


def remove(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".tmp").unlink(missing_ok=True)
    fsync_dir(path.parent)


class Intent:
    """A leftover intent file, read back."""

    def __init__(self, path: Path):
        self.path = path
        self.records: list[dict] = []
        self.aliases: list[dict] = []
        self.feeds: list[dict] = []
        self.complete = False
        with path.open("rb") as fh:
            for line in fh:
                if not line.endswith(b"\n"):
                    break  # a publishing line torn by a kill: that rename never started
                try:
                    entry = json.loads(line)
                except ValueError:
                    break
                if "r" in entry:
                    self.records.append(entry["r"])
                elif "a" in entry:
                    self.aliases.append(entry["a"])
                elif "rows_end" in entry:
                    self.complete = entry["rows_end"] == len(self.records)
                elif "publishing" in entry and self.complete:
                    self.feeds.append(entry["publishing"])

    def published(self) -> list[dict]:
        """The listed feeds whose rename happened (their source file is gone)."""
        return [f for f in self.feeds if not os.path.lexists(f["source"])]


def replay(path: Path | None, commit) -> int | None:
    """Finish an interrupted publish: ``commit(records, aliases)`` when one of its renames happened.

    Returns the number of records committed, 0 when the intent was dropped (nothing was
    published), None when there was no intent.  ``commit`` errors propagate and leave the
    intent in place for the next try.
    """
    if path is None:
        return None
    path.with_name(path.name + ".tmp").unlink(missing_ok=True)  # rows never made it: no rename followed
    if not path.exists():
        return None
    intent = Intent(path)
    published = intent.published() if intent.complete else []
    n = 0
    if published:
        commit(intent.records, intent.aliases)
        n = len(intent.records)
        for feed in published:
            part = Path(feed["part"])
            if feed["part"] != feed["source"] and part.exists():
                part.unlink()  # its lines are in the published file (append mode merged them)
        logger.warning("the previous crawl was stopped while publishing %s; recorded its %d articles in the store "
                       "now, so they are not delivered again", ", ".join(f["final"] for f in published), n)
    elif intent.feeds or intent.complete:
        logger.info("the previous crawl was stopped before publishing; its partial output is resumed as usual")
    remove(path)
    return n
