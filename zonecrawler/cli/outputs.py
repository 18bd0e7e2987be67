"""``zonecrawler export`` and ``zonecrawler report``: tables and an HTML report from a JSON Lines file of records.

``zonecrawler export FILE.jsonl -o out.csv [--facts]`` writes one row per article (or, with
``--facts``, one per amount, count, growth rate and event) as CSV in UTF-8 with BOM, or as an
Excel workbook when ``-o`` ends in ``.xlsx``.  ``zonecrawler report FILE.jsonl -o report.html
[--summary FILE.summary.json]`` writes one self-contained HTML page (see
:mod:`zonecrawler.output.report`).  Bad input: one ``error:`` line, exit 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

TABLE_SUFFIXES = (".csv", ".xlsx")


def cmd_export(args) -> int:
    from zonecrawler.output.csvfile import write_csv
    from zonecrawler.output.records import RecordFileError, load_records
    from zonecrawler.output.rows import ARTICLE_COLUMNS, FACT_COLUMNS, article_row, fact_rows

    output = Path(args.output)
    suffix = output.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        print(f"error: -o {output}: export writes .csv (UTF-8 with BOM) or .xlsx; got {output.suffix or 'no extension'!r}",
              file=sys.stderr)
        return 2
    try:
        records = load_records(args.records)
    except RecordFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.facts:
        columns, rows = FACT_COLUMNS, (row for record in records for row in fact_rows(record))
    else:
        columns, rows = ARTICLE_COLUMNS, (article_row(record) for record in records)
    try:
        if suffix == ".xlsx":
            from zonecrawler.output.xlsxfile import write_xlsx

            n = write_xlsx(output, columns, rows, sheet="facts" if args.facts else "articles")
        else:
            n = write_csv(output, columns, rows)
    except OSError as exc:
        print(f"error: {output}: {exc.strerror}", file=sys.stderr)
        return 2
    what = "facts" if args.facts else "articles"
    print(f"wrote {n} {what} rows ({len(columns)} columns) from {len(records)} records to {output}")
    return 0


def cmd_report(args) -> int:
    from zonecrawler.output.records import RecordFileError, load_records
    from zonecrawler.output.report import ReportError, write_report

    try:
        records = load_records(args.records)
    except RecordFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        write_report(records, Path(args.output), summary_path=Path(args.summary) if args.summary else None,
                     source=str(args.records))
    except ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {args.output}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"wrote report of {len(records)} records to {args.output}")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``export`` and ``report`` on the ``zonecrawler`` command."""
    export = sub.add_parser("export", help="records as a table: CSV (UTF-8 with BOM) or .xlsx, one row per article or per fact")
    export.add_argument("records", help="JSON Lines file of records (the output of a crawl)")
    export.add_argument("-o", "--output", required=True, help="FILE.csv or FILE.xlsx (written atomically)")
    export.add_argument("--facts", action="store_true", help="one row per amount, count, growth rate and event")
    export.set_defaults(func=cmd_export)

    report = sub.add_parser("report", help="one self-contained HTML page of charts and tables from records")
    report.add_argument("records", help="JSON Lines file of records (the output of a crawl)")
    report.add_argument("-o", "--output", required=True, help="HTML file to write")
    report.add_argument("--summary", help="the crawl's health summary JSON (default: RECORDS.summary.json when it exists)")
    report.set_defaults(func=cmd_report)
