"""The ``zonecrawler`` command (``zonecrawler.cli``, one module per command group): demo crawl, serving a mirror, listing sites, single-page extraction.

Crawls themselves are plain Scrapy (``scrapy crawl investchn -O out.jsonl``); this
command wraps what Scrapy has no verb for.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_MIRROR = REPO_ROOT / "fixtures" / "investchn" / "site"


def cmd_demo(args) -> int:
    from zonecrawler.cli.mirror import MirrorServer
    from zonecrawler.crawl.runner import run_crawl
    from zonecrawler.storage.locks import LOCKED_EXIT_CODE, LockHeld

    mirror = Path(args.mirror)
    if not mirror.is_dir():
        print(f"error: fixture mirror not found at {mirror} (run from a clone of the repository)", file=sys.stderr)
        return 2
    output = Path(args.output)
    with MirrorServer(mirror) as server:
        print(f"serving {mirror} at {server.base_url}", file=sys.stderr)
        try:
            crawler = run_crawl("investchn", output, {"base_url": server.base_url},
                                {"LOG_LEVEL": args.log_level, "ZONECRAWLER_ARCHIVE_DIR": args.archive or None})
        except LockHeld as exc:  # another demo is writing the same output
            print(f"error: {exc}", file=sys.stderr)
            return LOCKED_EXIT_CODE
    stats = crawler.stats.get_stats()
    written = sum(1 for line in output.open(encoding="utf-8") if line.strip()) if output.exists() else 0
    print(
        f"wrote {written} records to {output} "
        f"({stats.get('downloader/response_count', 0)} pages fetched, "
        f"{stats.get('zonecrawler/rejected', 0)} rejected by the schema)"
    )
    return 0 if written else 1


def cmd_serve(args) -> int:
    from zonecrawler.cli.mirror import MirrorServer

    server = MirrorServer(args.mirror, port=args.port)
    print(f"serving {args.mirror} at {server.base_url} (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def cmd_sites(args) -> int:
    from zonecrawler.siteconfig import SiteConfigError, load_registry

    try:
        registry = load_registry()
    except SiteConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for site in registry.values():
        print(f"{site.name}\t{site.label}\t{' '.join(site.start_urls)}")
    return 0


def cmd_extract(args) -> int:
    from zonecrawler.cli.extract import main

    return main(args.rest)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zonecrawler", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="offline demo: crawl the bundled investchn mirror served on 127.0.0.1")
    demo.add_argument("-o", "--output", default="articles.jsonl", help="JSON Lines output (default: articles.jsonl)")
    demo.add_argument("--mirror", default=str(DEFAULT_MIRROR), help="mirror folder to serve")
    demo.add_argument("--log-level", default="WARNING", help="Scrapy log level (default: WARNING)")
    demo.add_argument("--archive", default="archive",
                      help="save fetched article pages here for `zonecrawler reextract` (default: ./archive; '' for none)")
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", help="serve a saved mirror on 127.0.0.1 until Ctrl-C")
    serve.add_argument("mirror", nargs="?", default=str(DEFAULT_MIRROR))
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(func=cmd_serve)

    sites = sub.add_parser("sites", help="list (and validate) the site registry")
    sites.set_defaults(func=cmd_sites)

    extract = sub.add_parser("extract", help="same as python -m zonecrawler.extract")
    extract.add_argument("rest", nargs=argparse.REMAINDER)
    extract.set_defaults(func=cmd_extract)

    from zonecrawler.cli.crawl import add_commands  # crawl, reextract
    from zonecrawler.cli.outputs import add_commands as add_output_commands  # export, report

    add_commands(sub)
    add_output_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from zonecrawler.normalize.zones import GazetteerError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except GazetteerError as exc:  # a malformed $ZONECRAWLER_GAZETTEER file: one line, no traceback
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
