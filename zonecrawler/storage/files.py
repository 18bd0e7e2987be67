"""Crash-safe file operations shared by feeds and state files: torn-line recovery, directory fsync.

No Scrapy here: :mod:`zonecrawler.crawl.feeds` uses these to publish feed files.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

logger = logging.getLogger(__name__)


def recover_jsonlines(path: Path, each=None, readable=None):
    """Complete JSON lines of a partial file; a torn last line is cut off the file.

    Lines that are complete but unreadable (not JSON, or refused by ``readable``) are removed
    from the file (it is rewritten without them, atomically) and counted, instead of stopping
    the recovery: they cannot be published, and the records after them are still good.

    Returns the records; with ``each``, every record is handed to it instead (nothing is kept:
    a partial output of 100k records is not loaded into memory at once) and the number of
    unreadable lines is returned.
    """
    records: list[dict] = []
    keep = records.append if each is None else each
    bad_spans: list[tuple[int, int]] = []
    offset = 0
    with path.open("rb") as fh:
        for line in fh:
            if not line.endswith(b"\n"):
                break
            start, offset = offset, offset + len(line)
            try:
                record = json.loads(line)
            except ValueError:
                record = _UNREADABLE
            if record is _UNREADABLE or (readable is not None and not readable(record)):
                bad_spans.append((start, offset))
                continue
            keep(record)
    size = path.stat().st_size
    if offset < size:
        logger.warning("%s: dropping %d bytes of a torn last line left by a killed crawl", path, size - offset)
    if bad_spans:
        _rewrite_without(path, bad_spans, offset)
    elif offset < size:
        with path.open("r+b") as fh:
            fh.truncate(offset)
            fh.flush()
            os.fsync(fh.fileno())
    return records if each is None else len(bad_spans)


_UNREADABLE = object()


def _rewrite_without(path: Path, spans: list[tuple[int, int]], end: int) -> None:
    """Rewrite ``path`` up to ``end`` without the byte ranges ``spans`` (atomically)."""
    tmp = path.with_name(path.name + ".tmp")
    with path.open("rb") as src, tmp.open("wb") as out:
        pos = 0
        for start, stop in spans + [(end, end)]:
            src.seek(pos)
            remaining = start - pos
            while remaining > 0:
                chunk = src.read(min(remaining, 1 << 20))
                if not chunk:
                    break
                out.write(chunk)
                remaining -= len(chunk)
            pos = stop
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


