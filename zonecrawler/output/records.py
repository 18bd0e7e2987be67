"""Reading a JSON Lines file of records for the analyst outputs, with errors a person can act on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path


class RecordFileError(ValueError):
    """A records file that is missing, unreadable or holds a line that is no JSON object (message names file:line)."""


def iter_records(path: str | Path) -> Iterator[dict]:
    """Each record of a JSON Lines file; blank lines are skipped."""
    path = Path(path)
    if not path.is_file():
        raise RecordFileError(f"{path}: no such file")
    try:
        with path.open("r", encoding="utf-8-sig") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError as exc:
                    raise RecordFileError(f"{path}:{number}: not JSON ({exc.msg}); expected one record per line (JSON Lines)") from None
                if not isinstance(record, dict):
                    raise RecordFileError(f"{path}:{number}: not a record (a JSON object)")
                yield record
    except UnicodeDecodeError:
        raise RecordFileError(f"{path}: not UTF-8 text; expected JSON Lines records") from None
    except OSError as exc:
        raise RecordFileError(f"{path}: {exc.strerror}") from None


def load_records(path: str | Path) -> list[dict]:
    return list(iter_records(path))
