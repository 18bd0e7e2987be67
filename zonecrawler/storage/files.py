"""Crash-safe file operations shared by feeds and state files: torn-line recovery, directory fsync.

No Scrapy here: :mod:`zonecrawler.crawl.feeds` uses these to publish feed files.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

logger = logging.getLogger(__name__)


def recover_jsonlines(path: Path, each=None) -> list[dict]:
    """Complete JSON lines of a partial file; a torn or unparsable tail is cut off the file.

    With ``each``, every record is handed to it instead (nothing is kept: a partial output of
    100k records is not loaded into memory at once) and the empty list is returned.
    """
    records: list[dict] = []
    keep = records.append if each is None else each
    good = 0
    with path.open("rb") as fh:
        for line in fh:
            if not line.endswith(b"\n"):
                break
            try:
                record = json.loads(line)
            except ValueError:
                break
            keep(record)
            good += len(line)
    size = path.stat().st_size
    if good < size:
        logger.warning("%s: dropping %d bytes of a torn last line left by a killed crawl", path, size - good)
        with path.open("r+b") as fh:
            fh.truncate(good)
            fh.flush()
            os.fsync(fh.fileno())
    return records


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


