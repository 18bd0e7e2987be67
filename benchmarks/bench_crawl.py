"""Crawl throughput over loopback: the full spider + pipelines vs a bare Scrapy spider downloading the same pages.

    python -m benchmarks.bench_crawl [--articles 3000] [--json OUT]

Both crawl the synthetic site (benchmarks/synthsite.py, served by a separate process) in
this run, one after the other, with the same download settings.  pages/s is Scrapy's own
``downloader/response_count / elapsed_time_seconds`` (interpreter start-up excluded); peak RSS
is the crawl process's ``ru_maxrss``.  The full crawl is ``scrapy crawl investchn`` exactly as a
user runs it (extraction, record normalization, schema validation, de-duplication, the article
store, the feed), with a fresh store.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from benchmarks.common import REPO, machine_note, run_measured, scrapy_stat
from benchmarks.synthsite import SynthSite, all_urls


def full_crawl(base_url: str, workdir: Path, extra: list[str] = ()) -> dict:
    out = workdir / "out.jsonl"
    run = run_measured(
        [sys.executable, "-m", "scrapy", "crawl", "investchn", "-a", f"base_url={base_url}", "-O", str(out),
         "-s", f"ZONECRAWLER_STORE={workdir / 'store.sqlite'}", "-s", "LOG_LEVEL=INFO", *extra],
        cwd=REPO, timeout=3600,
    )
    if run.returncode != 0:
        raise RuntimeError(f"full crawl failed ({run.returncode}):\n{run.stderr[-3000:]}")
    records = sum(1 for line in out.open("rb") if line.strip()) if out.exists() else 0
    return _summary(run, records)


def bare_crawl(base_url: str, articles: int) -> dict:
    run = run_measured([sys.executable, "-m", "benchmarks.bare_spider", base_url, str(articles)], cwd=REPO, timeout=3600)
    if run.returncode != 0:
        raise RuntimeError(f"bare crawl failed ({run.returncode}):\n{run.stderr[-3000:]}")
    return _summary(run, 0)


def _summary(run, records: int) -> dict:
    pages = scrapy_stat(run.stderr, "downloader/response_count", 0)
    elapsed = scrapy_stat(run.stderr, "elapsed_time_seconds", run.seconds)
    return {
        "pages": pages, "records": records, "seconds": elapsed, "wall_seconds": run.seconds,
        "pages_per_s": pages / elapsed if elapsed else 0.0, "peak_rss_mb": run.peak_rss_mb,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--workers", default="1",
                        help="comma-separated ZONECRAWLER_EXTRACT_WORKERS values, one full crawl each (default: 1)")
    args = parser.parse_args(argv)
    expected_pages = len(all_urls("", args.articles))
    with SynthSite(args.articles) as site, tempfile.TemporaryDirectory() as tmp:
        print(machine_note())
        print(f"synthetic site: {args.articles} articles, {expected_pages} pages, at {site.base_url}\n", flush=True)
        bare = bare_crawl(site.base_url, args.articles)
        fulls = {}
        for workers in [int(w) for w in args.workers.split(",")]:
            workdir = Path(tmp) / f"w{workers}"
            workdir.mkdir()
            fulls[workers] = full_crawl(site.base_url, workdir, ["-s", f"ZONECRAWLER_EXTRACT_WORKERS={workers}"])
    print(f"{'crawl':<34} {'pages':>7} {'records':>8} {'seconds':>8} {'pages/s':>8} {'peak RSS':>9}")
    rows = [("bare spider (download only)", bare)]
    rows += [(f"full spider + pipelines, {w} worker{'s' if w != 1 else ''}", r) for w, r in fulls.items()]
    for name, r in rows:
        print(f"{name:<34} {r['pages']:>7} {r['records'] or '-':>8} {r['seconds']:>8.1f} {r['pages_per_s']:>8.1f} "
              f"{r['peak_rss_mb']:>7.0f}MB")
    full = max(fulls.values(), key=lambda r: r["pages_per_s"])
    ratio = full["pages_per_s"] / bare["pages_per_s"]
    for w, r in fulls.items():
        print(f"full ({w} extraction workers) / bare: {r['pages_per_s'] / bare['pages_per_s']:.1%}")
    print(f"\nbest full / bare throughput: {ratio:.1%}  (target >= 80%: {'MET' if ratio >= 0.8 else 'NOT MET'})")
    if full["records"] != args.articles:
        print(f"WARNING: {full['records']} records for {args.articles} articles")
    if args.json:
        Path(args.json).write_text(json.dumps({"articles": args.articles, "bare": bare, "full": fulls, "ratio": ratio},
                                              indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
