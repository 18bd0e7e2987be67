"""``python -m zonecrawler.extract PAGE.html [--url URL] [--site NAME]`` (also ``zonecrawler extract``): one page -> one JSON record."""

from __future__ import annotations

import argparse
import json
import sys

from zonecrawler.extract.article import extract_article
from zonecrawler.extract.pagefile import BadPageError, file_url, read_page, read_stream


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m zonecrawler.extract",
        description="Extract one saved article page and print its record as JSON (UTF-8).",
    )
    parser.add_argument("page", help="saved HTML file, or - for standard input")
    parser.add_argument("--url", help="the page's URL (default: its file:// URL)")
    parser.add_argument("--site", help="registry site whose selectors to use (see `zonecrawler sites`)")
    parser.add_argument("--charset", help="charset from the HTTP Content-Type header, if known")
    parser.add_argument("--indent", type=int, default=None, help="pretty-print with this indent")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from zonecrawler.normalize.zones import GazetteerError, load_gazetteer
    from zonecrawler.record import build_record
    from zonecrawler.siteconfig import SiteConfigError, get_site

    try:
        if args.page == "-":
            data = read_stream(sys.stdin.buffer, "<stdin>")
            url = args.url or "file:///dev/stdin"
        else:
            data = read_page(args.page)
            url = args.url or file_url(args.page)
        site = get_site(args.site) if args.site else None
        load_gazetteer()  # a malformed $ZONECRAWLER_GAZETTEER file is named here, not in a traceback
    except (BadPageError, SiteConfigError, GazetteerError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    record = build_record(extract_article(url, data, site=site, http_charset=args.charset), site=site)
    sys.stdout.write(json.dumps(record, ensure_ascii=False, indent=args.indent) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
