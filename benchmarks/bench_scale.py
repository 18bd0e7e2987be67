"""A 100,000-page crawl of the synthetic site: pages/s and peak RSS, and how both grow from 10k to 100k pages.

    python -m benchmarks.bench_scale [--sizes 10000,100000] [--max-minutes 40] [-s NAME=VALUE ...] [--json OUT]

Each size is a separate full ``scrapy crawl investchn`` of a synthetic site with that many
articles (plus ~2% list pages), fresh store, output to a temporary file.  Reported per run:
pages/s (Scrapy's stats), peak RSS (``ru_maxrss``), and RSS sampled every second against
pages crawled (Scrapy's LogStats lines), from which the growth in bytes per page after the
first 10% is fitted.  For comparison, the bytes per page of the per-run de-duplication state
(Scrapy's request fingerprints, the ledger's URL and content-hash keys) is measured here
with tracemalloc (the ledger's compact keys; ``dedup_bytes_per_page(layout="hex")`` is the
earlier string-based layout).  A run longer than ``--max-minutes`` is stopped gracefully and
reported as far as it got.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from benchmarks.common import REPO, machine_note, run_measured, scrapy_stat, worker_peak_rss
from benchmarks.synthsite import SynthSite, all_urls

_LOGSTATS = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) \[scrapy\.extensions\.logstats\] INFO: Crawled (\d+) pages", re.M)


def dedup_bytes_per_page(n: int = 20000, layout: str = "ledger") -> float:
    """Memory per page of the state a crawl must keep to de-duplicate.

    ``layout="ledger"`` (what a crawl keeps now): Scrapy's request fingerprints (20-byte
    digests), the spider's 8-byte keys of article URLs it already requested, and the ledger's
    two sets of 60-bit keys (canonical URLs, content hashes).  ``layout="hex"``: the earlier
    layout, fingerprints plus a set of hex record ids and a content-hash -> URL dict of
    strings (for comparison).
    """
    from zonecrawler.storage.ledger import digest60

    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    fingerprints, requested, ids, by_content = set(), set(), set(), {}
    for i in range(n):
        url = f"http://127.0.0.1:40000/news/2015{i % 12 + 1:02d}/{i:07d}.html"
        fingerprints.add(hashlib.sha1(url.encode()).digest())
        digest = hashlib.sha1(str(i).encode()).hexdigest()
        if layout == "hex":
            ids.add(hashlib.sha1(url.encode()).hexdigest()[:16])
            by_content[digest] = url
        else:
            requested.add(hashlib.blake2b(url.encode(), digest_size=8).digest())
            ids.add(digest60(url))
            by_content[digest60(digest)] = None
    used = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    return used / n


def rss_by_pages(log: str, samples: list[tuple[float, int]]) -> list[tuple[int, int]]:
    """(pages crawled, RSS) pairs: each LogStats line matched with the RSS sample nearest in time."""
    points = []
    for stamp, pages in _LOGSTATS.findall(log):
        t = time.mktime(time.strptime(stamp, "%Y-%m-%d %H:%M:%S"))
        near = [s for s in samples if abs(s[0] - t) <= 1.5]
        if near and int(pages) > 0:
            points.append((int(pages), min(near, key=lambda s: abs(s[0] - t))[1]))
    return points


def slope(points: list[tuple[int, int]]) -> float | None:
    """Least-squares bytes per page over the points after the first 10% of the run."""
    if len(points) < 3:
        return None
    last = points[-1][0]
    pts = [p for p in points if p[0] >= 0.1 * last] or points
    if len(pts) < 2:
        return None
    mx = sum(p for p, _ in pts) / len(pts)
    my = sum(r for _, r in pts) / len(pts)
    den = sum((p - mx) ** 2 for p, _ in pts)
    return sum((p - mx) * (r - my) for p, r in pts) / den if den else None


def crawl(articles: int, max_seconds: float, settings: list[str] = ()) -> dict:
    with SynthSite(articles) as site, tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.jsonl"
        run = run_measured(
            [sys.executable, "-m", "scrapy", "crawl", "investchn", "-a", f"base_url={site.base_url}", "-O", str(out),
             "-s", f"ZONECRAWLER_STORE={Path(tmp) / 'store.sqlite'}", "-s", "LOG_LEVEL=INFO", "-s", "LOGSTATS_INTERVAL=5",
             *(arg for setting in settings for arg in ("-s", setting))],
            cwd=REPO, timeout=max_seconds + 300, stop_after=max_seconds, sample_every=1.0,
        )
        records = sum(1 for line in out.open("rb") if line.strip()) if out.exists() else 0
    pages = scrapy_stat(run.stderr, "downloader/response_count", 0)
    elapsed = scrapy_stat(run.stderr, "elapsed_time_seconds", run.seconds)
    points = rss_by_pages(run.stderr, run.samples)
    worker_rss = sum(worker_peak_rss(run.stderr))
    finished = "'finish_reason': 'finished'" in run.stderr
    return {
        "articles": articles, "site_pages": len(all_urls("", articles)), "pages": pages, "records": records,
        "finished": finished, "returncode": run.returncode, "seconds": elapsed,
        "pages_per_s": pages / elapsed if elapsed else 0.0, "peak_rss_mb": run.peak_rss_mb,
        "worker_peak_rss_mb": worker_rss / 2**20,
        "growth_bytes_per_page": slope(points), "rss_curve": points,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="article counts, comma-separated")
    parser.add_argument("--max-minutes", type=float, default=40, help="stop a run gracefully after this long")
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for the crawls, as with scrapy crawl -s (repeatable)")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args(argv)
    bad = [s for s in args.set if "=" not in s]
    if bad:
        parser.error(f"-s takes NAME=VALUE, not {bad[0]!r}")
    print(machine_note(), flush=True)
    if args.set:
        print(f"settings: {' '.join(args.set)}", flush=True)
    dedup = dedup_bytes_per_page()
    print(f"de-duplication state (fingerprint + requested-URL key + ledger URL and content keys): {dedup:.0f} bytes/page "
          f"(earlier hex-string layout: {dedup_bytes_per_page(layout='hex'):.0f})\n", flush=True)
    runs = []
    for size in (int(s) for s in args.sizes.split(",")):
        r = crawl(size, args.max_minutes * 60, args.set)
        runs.append(r)
        growth = "n/a" if r["growth_bytes_per_page"] is None else f"{r['growth_bytes_per_page']:.0f} B/page"
        state = "finished" if r["finished"] else f"STOPPED after {args.max_minutes:g} min"
        print(f"{size:>7} articles: {r['pages']} pages, {r['records']} records in {r['seconds']:.0f} s "
              f"= {r['pages_per_s']:.1f} pages/s; peak RSS {r['peak_rss_mb']:.0f} MB "
              f"(+ {r['worker_peak_rss_mb']:.0f} MB extraction workers); RSS growth {growth} ({state})",
              flush=True)
        for pages, rss in r["rss_curve"][:: max(1, len(r["rss_curve"]) // 8)]:
            print(f"          at {pages:>7} pages: RSS {rss / 2**20:.0f} MB")
    if len(runs) >= 2:
        a, b = runs[0], runs[-1]
        print(f"\n{a['pages']} -> {b['pages']} pages: pages/s x{b['pages_per_s'] / a['pages_per_s']:.2f}, "
              f"peak RSS {a['peak_rss_mb']:.0f} -> {b['peak_rss_mb']:.0f} MB "
              f"(+{(b['peak_rss_mb'] - a['peak_rss_mb']) * 2**20 / max(1, b['pages'] - a['pages']):.0f} B/page; "
              f"de-duplication state alone {dedup:.0f} B/page)")
        total = b["peak_rss_mb"] + b["worker_peak_rss_mb"]
        ok = total < 500
        print(f"target peak RSS < 500 MB at the largest size (crawl + workers {total:.0f} MB): {'MET' if ok else 'NOT MET'}")
    if args.json:
        Path(args.json).write_text(json.dumps({"dedup_bytes_per_page": dedup, "runs": runs}, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
