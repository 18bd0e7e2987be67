"""Crawl throughput over loopback: the full spider + pipelines vs a bare Scrapy spider downloading the same pages.

    python -m benchmarks.bench_crawl [--articles 3000] [--rounds 5] [--workers 1[,0,...]] [--json OUT]

All crawl the synthetic site (benchmarks/synthsite.py, served by a separate process) in
this run.  Each round runs the bare spider twice — with Scrapy's defaults (the baseline of
the target), and with zonecrawler's engine tuning too (``CONCURRENT_ITEMS``, the GC
extension), which isolates what zonecrawler's own work costs — and each full
configuration; every other round runs them in reverse order.  The verdict uses the median
of the per-round ratios.
pages/s is Scrapy's own ``downloader/response_count / elapsed_time_seconds`` (interpreter
start-up excluded); peak RSS is the crawl process's ``ru_maxrss`` plus, for the full crawl,
each extraction worker's own peak (``VmHWM``, from the crawl's stats).  CPU ms/page is the
crawl process's own CPU time (not its workers') per page.  The full crawl is
``scrapy crawl investchn`` exactly as a user runs it (extraction, record normalization,
schema validation, de-duplication, the article store, the feed), with a fresh store.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.common import REPO, machine_note, run_measured, scrapy_stat, worker_peak_rss
from benchmarks.synthsite import SynthSite, all_urls

_SAMPLE_SECONDS = 0.2


def full_crawl(base_url: str, workdir: Path, workers: int) -> dict:
    out = workdir / "out.jsonl"
    run = run_measured(
        [sys.executable, "-m", "scrapy", "crawl", "investchn", "-a", f"base_url={base_url}", "-O", str(out),
         "-s", f"ZONECRAWLER_STORE={workdir / 'store.sqlite'}", "-s", "LOG_LEVEL=INFO",
         "-s", f"ZONECRAWLER_EXTRACT_WORKERS={workers}"],
        cwd=REPO, timeout=3600, sample_every=_SAMPLE_SECONDS,
    )
    if run.returncode != 0:
        raise RuntimeError(f"full crawl failed ({run.returncode}):\n{run.stderr[-3000:]}")
    records = sum(1 for line in out.open("rb") if line.strip()) if out.exists() else 0
    return _summary(run, records)


def bare_crawl(base_url: str, articles: int, same_engine: bool = False) -> dict:
    cmd = [sys.executable, "-m", "benchmarks.bare_spider", base_url, str(articles)]
    run = run_measured(cmd + (["--same-engine"] if same_engine else []), cwd=REPO, timeout=3600,
                       sample_every=_SAMPLE_SECONDS)
    if run.returncode != 0:
        raise RuntimeError(f"bare crawl failed ({run.returncode}):\n{run.stderr[-3000:]}")
    return _summary(run, 0)


def _summary(run, records: int) -> dict:
    pages = scrapy_stat(run.stderr, "downloader/response_count", 0)
    elapsed = scrapy_stat(run.stderr, "elapsed_time_seconds", run.seconds)
    worker_rss = worker_peak_rss(run.stderr)
    worker_cpu = [float(v) for v in re.findall(r"'zonecrawler/extract_worker/\d+/cpu_seconds': ([\d.]+)", run.stderr)]
    return {
        "pages": pages, "records": records, "seconds": elapsed, "wall_seconds": run.seconds,
        "pages_per_s": pages / elapsed if elapsed else 0.0,
        "cpu_ms_per_page": 1000 * run.cpu_seconds / pages if pages else 0.0,
        "worker_cpu_ms_per_page": 1000 * sum(worker_cpu) / pages if pages and worker_cpu else 0.0,
        "peak_rss_mb": run.peak_rss_mb, "worker_peak_rss_mb": sum(worker_rss) / 2**20,
    }


def _median(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def _ratio(full: list[dict], bare: list[dict]) -> float:
    """Median of the per-round ratios (a slow spell on a shared machine hits both sides of one round)."""
    return statistics.median(f["pages_per_s"] / b["pages_per_s"] for f, b in zip(full, bare))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5, help="crawls of each kind, interleaved (default: 5)")
    parser.add_argument("--workers", default="1",
                        help="comma-separated ZONECRAWLER_EXTRACT_WORKERS values, one full crawl each per round "
                             "(default: 1, the default on 2+ CPUs)")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args(argv)
    worker_counts = [int(w) for w in args.workers.split(",")]
    expected_pages = len(all_urls("", args.articles))
    kinds = ["bare", "bare_same", *(f"full{w}" for w in worker_counts)]
    runs: dict[str, list[dict]] = {kind: [] for kind in kinds}
    with SynthSite(args.articles) as site, tempfile.TemporaryDirectory() as tmp:
        print(machine_note())
        print(f"synthetic site: {args.articles} articles, {expected_pages} pages, at {site.base_url}; "
              f"{args.rounds} round(s)\n", flush=True)
        for round_no in range(args.rounds):
            # every other round runs its crawls in reverse order, so a drift in machine speed favours no side
            for kind in (kinds if round_no % 2 == 0 else kinds[::-1]):
                if kind.startswith("bare"):
                    runs[kind].append(bare_crawl(site.base_url, args.articles, same_engine=kind == "bare_same"))
                else:
                    workdir = Path(tmp) / f"r{round_no}{kind}"
                    workdir.mkdir()
                    runs[kind].append(full_crawl(site.base_url, workdir, int(kind[4:])))
            bare = runs["bare"][-1]["pages_per_s"]
            line = [f"round {round_no + 1}: bare {bare:.1f}", f"bare, same engine {runs['bare_same'][-1]['pages_per_s']:.1f}"]
            for w in worker_counts:
                rate = runs[f"full{w}"][-1]["pages_per_s"]
                line.append(f"full/{w} worker(s) {rate:.1f} ({rate / bare:.1%} of bare)")
            print(", ".join(line) + " pages/s", flush=True)
    names = {"bare": "bare spider (Scrapy defaults)", "bare_same": "bare spider, same engine tuning",
             **{f"full{w}": f"full, {w} extraction worker{'s' if w != 1 else ''}" for w in worker_counts}}
    print(f"\nmedians over {args.rounds} round(s):")
    print(f"{'crawl':<33} {'pages':>6} {'records':>8} {'pages/s':>8} {'/ bare':>7} {'CPU ms/page':>12} "
          f"{'+workers':>9} {'peak RSS':>9} {'+workers':>9}")
    bare_rate = _median(runs["bare"], "pages_per_s")
    for key, rows in runs.items():
        rate = _median(rows, "pages_per_s")
        print(f"{names[key]:<33} {rows[-1]['pages']:>6} {rows[-1]['records'] or '-':>8} {rate:>8.1f} "
              f"{rate / bare_rate:>7.1%} {_median(rows, 'cpu_ms_per_page'):>12.2f} "
              f"{_median(rows, 'worker_cpu_ms_per_page'):>9.2f} {_median(rows, 'peak_rss_mb'):>7.0f}MB "
              f"{_median(rows, 'worker_peak_rss_mb'):>7.0f}MB")
    ratios = {w: _ratio(runs[f"full{w}"], runs["bare"]) for w in worker_counts}
    strict = {w: _ratio(runs[f"full{w}"], runs["bare_same"]) for w in worker_counts}
    print()
    for w in worker_counts:
        per_round = ", ".join(f"{f['pages_per_s'] / b['pages_per_s']:.0%}" for f, b in zip(runs[f"full{w}"], runs["bare"]))
        print(f"full ({w} extraction workers) / bare spider: median {ratios[w]:.1%} (rounds: {per_round}); "
              f"/ bare spider with the same engine tuning: {strict[w]:.1%}")
    best = max(ratios, key=ratios.get)
    print(f"\nbest full / bare throughput: {ratios[best]:.1%} with {best} worker(s)  "
          f"(target >= 80%: {'MET' if ratios[best] >= 0.8 else 'NOT MET'}); "
          f"against the bare spider given zonecrawler's engine tuning too: {strict[best]:.1%}")
    for w in worker_counts:
        short = [r["records"] for r in runs[f"full{w}"] if r["records"] != args.articles]
        if short:
            print(f"WARNING: {w} worker(s): runs with {short} records for {args.articles} articles")
    if args.json:
        Path(args.json).write_text(json.dumps({"articles": args.articles, "rounds": args.rounds, "runs": runs,
                                               "ratios": {str(w): r for w, r in ratios.items()},
                                               "ratios_same_engine": {str(w): r for w, r in strict.items()}},
                                              indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
