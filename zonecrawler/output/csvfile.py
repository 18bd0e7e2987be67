"""CSV files for spreadsheets: UTF-8 with a byte-order mark (so Excel reads Chinese), a header row, no Python reprs.

``write_csv`` writes a whole file atomically (``NAME.part``, fsync, rename); ``CsvRowWriter``
writes rows to an open binary stream (the crawl's CSV feed).  Values are text as written by
``str`` except None (empty), floats (no exponent: 55730000000.0 -> 55730000000) and text that
starts like a spreadsheet formula (``=``, ``+``, ``-``, ``@``), which gets a leading ``'``.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from pathlib import Path

from zonecrawler.storage.files import fsync_dir

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return ";".join(cell(v) for v in value)
    if isinstance(value, dict):
        raise TypeError("a CSV cell cannot hold an object: flatten the record first")
    text = str(value)
    if text[:1] in FORMULA_STARTS:
        return "'" + text  # text from the web that a spreadsheet would run as a formula (=HYPERLINK(...))
    return text


class CsvRowWriter:
    """Header then rows, UTF-8 with BOM, CRLF line ends (the CSV standard, and what Excel writes)."""

    def __init__(self, stream, columns: Iterable[str]):
        self.stream, self.columns = stream, tuple(columns)
        self._buf = io.StringIO()
        self._csv = csv.writer(self._buf)
        self._emit([BOM + self.columns[0], *self.columns[1:]])

    def _emit(self, cells: list[str]) -> None:
        self._csv.writerow(cells)
        self.stream.write(self._buf.getvalue().encode("utf-8"))
        self._buf.seek(0)
        self._buf.truncate()

    def write(self, row: dict) -> None:
        self._emit([cell(row.get(c)) for c in self.columns])


def write_csv(path: Path, columns: Iterable[str], rows: Iterable[dict]) -> int:
    """Write ``rows`` to ``path`` atomically; returns the number of rows."""
    path = Path(path)
    part = path.with_name(path.name + ".part")
    n = 0
    try:
        with part.open("wb") as fh:
            writer = CsvRowWriter(fh, columns)
            for row in rows:
                writer.write(row)
                n += 1
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
    return n
