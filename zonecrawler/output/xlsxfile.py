"""Excel workbooks (``.xlsx``) of the same rows as the CSV files, written with XlsxWriter (one sheet, header row frozen)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from zonecrawler.storage.files import fsync_dir


def write_xlsx(path: Path, columns: Iterable[str], rows: Iterable[dict], sheet: str = "records") -> int:
    """Write ``rows`` to ``path`` atomically (``NAME.part``, then rename); returns the number of rows."""
    import xlsxwriter  # only the export command needs it

    path = Path(path)
    part = path.with_name(path.name + ".part")
    columns = tuple(columns)
    n = 0
    try:
        workbook = xlsxwriter.Workbook(str(part), {"constant_memory": True, "strings_to_urls": False,
                                                   "strings_to_numbers": False, "strings_to_formulas": False})
        ws = workbook.add_worksheet(sheet)
        bold = workbook.add_format({"bold": True})
        ws.write_row(0, 0, columns, bold)
        ws.freeze_panes(1, 0)
        for n, row in enumerate(rows, 1):
            ws.write_row(n, 0, [_cell(row.get(c)) for c in columns])
        workbook.close()
        with part.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
    return n


def _cell(value):
    if value is None or isinstance(value, (int, float, str)):
        return value
    return str(value)
