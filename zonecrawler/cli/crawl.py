"""``zonecrawler crawl`` and ``zonecrawler reextract``: the commands cron and operators run.

``zonecrawler crawl SPIDER [-a NAME=VALUE]... [-o out.jsonl] [--full] [--jobdir DIR]``
runs one incremental crawl in this process and exits 0 when it is healthy (or only
warns), 1 when it is not (see :mod:`zonecrawler.crawl.health`), 2 on bad usage.  The
health summary is printed to stdout and written next to the output
(``out.jsonl.summary.json``) unless ``--summary`` says otherwise.

``zonecrawler reextract ARCHIVE -o out.jsonl [--site NAME]`` rebuilds records from a
raw page archive (see :mod:`zonecrawler.crawl.reextract`) without crawling.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _pairs(values: list[str], flag: str) -> dict[str, str]:
    out = {}
    for value in values or []:
        if "=" not in value:
            raise SystemExit(f"error: {flag} expects NAME=VALUE, got {value!r}")
        key, _, val = value.partition("=")
        out[key] = val
    return out


def cmd_crawl(args) -> int:
    from zonecrawler.crawl.runner import run_crawl
    from zonecrawler.storage.locks import LOCKED_EXIT_CODE, LockHeld

    overrides: dict = {"LOG_LEVEL": args.log_level, "ZONECRAWLER_SUMMARY_PRINT": False}
    overrides.update(_pairs(args.set, "-s"))
    output = Path(args.output) if args.output else None
    if output is not None:
        from zonecrawler.crawl.runner import output_format

        try:
            fmt = output_format(output)
        except ValueError as exc:
            print(f"error: -o {exc}", file=sys.stderr)
            return 2
        if fmt == "csv" and args.append:
            print(f"error: --append works with JSON Lines output only; {output} is CSV (export the JSON Lines "
                  "file with `zonecrawler export` instead)", file=sys.stderr)
            return 2
    summary = Path(args.summary) if args.summary else (output.with_name(output.name + ".summary.json") if output else None)
    if summary is not None:
        overrides["ZONECRAWLER_SUMMARY_FILE"] = str(summary)
    if args.full:
        overrides["ZONECRAWLER_FULL"] = True
    if args.emit_changed:
        overrides["ZONECRAWLER_EMIT_CHANGED"] = True
    if args.jobdir:
        overrides["JOBDIR"] = args.jobdir
    if args.store is not None:
        overrides["ZONECRAWLER_STORE"] = args.store
    if args.archive:
        overrides["ZONECRAWLER_ARCHIVE_DIR"] = args.archive
    try:
        crawler = run_crawl(args.spider, output, _pairs(args.arg, "-a"), overrides, append=args.append)
    except KeyError:
        print(f"error: unknown spider {args.spider!r}", file=sys.stderr)
        return 2
    except LockHeld as exc:  # an overlapping run (cron overran its slot): leave the live one alone
        print(f"error: {exc}", file=sys.stderr)
        return LOCKED_EXIT_CODE
    result = getattr(crawler, "_zc_health_summary", None)
    if result is None:
        print("error: the crawl ended before producing a health summary (see the log)", file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False, indent=2))
    for message in result["warnings"]:
        print(f"warning: {message}", file=sys.stderr)
    for message in result["failures"]:
        prefix = "error" if message in result.get("state_errors", ()) else "UNHEALTHY"
        print(f"{prefix}: {message}", file=sys.stderr)
    return result["exit_code"]


def _worker_count(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        count = -1
    if count < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 0, not {text!r}")
    return count


def cmd_reextract(args) -> int:
    from zonecrawler.crawl.reextract import default_reextract_workers, reextract

    if args.workers is None:
        args.workers = default_reextract_workers()
    try:
        counts = reextract(args.archive, args.output, site=args.site, workers=args.workers)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"rebuilt {counts['records']} records from {counts['pages']} archived pages into {args.output} "
          f"({counts['rejected']} rejected by the schema, {counts['duplicates']} duplicates)")
    return 0 if counts["records"] or not counts["pages"] else 1


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``crawl`` and ``reextract`` on the ``zonecrawler`` command."""
    crawl = sub.add_parser("crawl", help="incremental crawl for cron: health summary, exit 1 when unhealthy")
    crawl.add_argument("spider", help="spider name (investchn, sites)")
    crawl.add_argument("-a", dest="arg", action="append", default=[], metavar="NAME=VALUE", help="spider argument")
    crawl.add_argument("-s", dest="set", action="append", default=[], metavar="NAME=VALUE", help="Scrapy setting")
    crawl.add_argument("-o", "--output", help="output file, published atomically when the crawl ends: "
                       "FILE.jsonl (JSON Lines) or FILE.csv (one row per article, UTF-8 with BOM)")
    crawl.add_argument("--append", action="store_true", help="append to --output instead of replacing it")
    crawl.add_argument("--full", action="store_true", help="ignore the article store: fetch and emit everything")
    crawl.add_argument("--emit-changed", action="store_true", help="re-fetch known articles, emit changed ones")
    crawl.add_argument("--jobdir", help="Scrapy JOBDIR: a killed or paused crawl resumes from here")
    crawl.add_argument("--store", help="article store (SQLite) path; '' for none")
    crawl.add_argument("--archive", help="save fetched article HTML here (for reextract)")
    crawl.add_argument("--summary", help="health summary JSON path (default: OUTPUT.summary.json)")
    crawl.add_argument("--log-level", default="INFO")
    crawl.set_defaults(func=cmd_crawl)

    rex = sub.add_parser("reextract", help="rebuild records from a raw page archive, without crawling")
    rex.add_argument("archive", help="archive folder (ZONECRAWLER_ARCHIVE_DIR of the crawl)")
    rex.add_argument("-o", "--output", required=True, help="JSON Lines output (written atomically)")
    rex.add_argument("--site", help="only pages of this site")
    rex.add_argument("--workers", type=_worker_count, default=None,
                     help="extraction worker processes (default: one per core on a multi-core machine; 0: extract in this process); "
                          "the output is the same with any number")
    rex.set_defaults(func=cmd_reextract)
