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
    args = parser.parse_args(argv)
    expected_pages = len(all_urls("", args.articles))
    with SynthSite(args.articles) as site, tempfile.TemporaryDirectory() as tmp:
        print(machine_note())
        print(f"synthetic site: {args.articles} articles, {expected_pages} pages, at {site.base_url}\n", flush=True)
        bare = bare_crawl(site.base_url, args.articles)
        full = full_crawl(site.base_url, Path(tmp))
    print(f"{'crawl':<28} {'pages':>7} {'records':>8} {'seconds':>8} {'pages/s':>8} {'peak RSS':>9}")
    for name, r in (("bare spider (download only)", bare), ("full spider + pipelines", full)):
        print(f"{name:<28} {r['pages']:>7} {r['records'] or '-':>8} {r['seconds']:>8.1f} {r['pages_per_s']:>8.1f} "
              f"{r['peak_rss_mb']:>7.0f}MB")
    ratio = full["pages_per_s"] / bare["pages_per_s"]
    print(f"\nfull / bare throughput: {ratio:.1%}  (target >= 80%: {'MET' if ratio >= 0.8 else 'NOT MET'})")
    if full["records"] != args.articles:
        print(f"WARNING: {full['records']} records for {args.articles} articles")
    if args.json:
        Path(args.json).write_text(json.dumps({"articles": args.articles, "bare": bare, "full": full, "ratio": ratio},
                                              indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
