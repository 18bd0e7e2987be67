"""A store of a million articles: known-article skips, size on disk, crawl start-up and RSS at 10k, 100k and 1M.

    python -m benchmarks.bench_store [--sizes 10000,100000,1000000] [--lookups 20000] [--articles 300] [--rounds 3]

One store per size (``zonecrawler.storage.store.ArticleStore``) is filled with synthetic
articles (URLs on 50 sites, unique content hashes) and with the articles of the synthetic
investchn-like site (put there by one real crawl into an empty store, then copied into
each).  Then, in ``--rounds`` interleaved rounds (sizes in reverse order every other round, so
a slow spell of a shared machine hits all sizes alike), for each size:

  skip cost     in a fresh process: the crawl ledger opened on the store, then ``known_before``
                (the question the download filter asks before skipping a known article) for
                ``--lookups`` random stored URLs and as many unknown ones, each URL asked once
                (the ledger's short-term cache never answers); microseconds per question
  disk          the store file's bytes per article (WAL checkpointed)
  crawl         a real ``scrapy crawl investchn`` of the synthetic site (``--articles`` articles)
                whose articles are all in the store already: it fetches the list pages, skips
                every article of the first list page as known and stops paginating; wall time
                (start-up included), peak RSS, articles skipped

Ratios are against the smallest size in the same round; the table shows medians.  Target:
per-skip cost and RSS within 1.5x of 10k at 1M.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import REPO, machine_note, run_measured, scrapy_stat
from benchmarks.synthsite import SynthSite

_PROBE = r"""
import json, random, sys, time, resource
from scrapy.settings import Settings
from zonecrawler.storage.ledger import Ledger
store, lookups, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
settings = Settings({"ZONECRAWLER_STORE": store})
start = time.perf_counter()
ledger = Ledger(settings)
ledger.known_before("https://warm.example.cn/")  # opens the store
opened = time.perf_counter() - start
rng = random.Random(7)
known = [f"https://site{n % 50}.example.cn/news/{n}.html" for n in rng.sample(range(size), min(lookups, size))]
unknown = [f"https://site{n % 50}.example.cn/news/x{n}.html" for n in range(lookups)]
t = time.perf_counter()
hits = sum(ledger.known_before(u) for u in known)
known_us = (time.perf_counter() - t) / len(known) * 1e6
t = time.perf_counter()
misses = sum(not ledger.known_before(u) for u in unknown)
unknown_us = (time.perf_counter() - t) / len(unknown) * 1e6
assert hits == len(known) and misses == len(unknown), (hits, misses)
print(json.dumps({"open_s": opened, "known_us": known_us, "unknown_us": unknown_us,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def fill(store_path: Path, start: int, stop: int, batch: int = 20_000) -> None:
    from zonecrawler.storage.store import ArticleStore

    store = ArticleStore(store_path)
    try:
        for first in range(start, stop, batch):
            rows = []
            for n in range(first, min(first + batch, stop)):
                url = f"https://site{n % 50}.example.cn/news/{n}.html"
                rows.append({"id": hashlib.sha1(url.encode()).hexdigest()[:16], "url": url, "canonical_url": url,
                             "site": f"site{n % 50}", "content_hash": hashlib.sha1(f"body {n}".encode()).hexdigest()})
            store.commit_records(rows, when="2026-12-01T00:00:00Z")
    finally:
        store.close()


def disk_bytes(store_path: Path) -> int:
    db = sqlite3.connect(store_path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return sum(p.stat().st_size for p in store_path.parent.glob(store_path.name + "*"))


def crawl(base_url: str, store: Path, out: Path) -> dict:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "investchn", "-a", f"base_url={base_url}", "-O", str(out),
           "-s", f"ZONECRAWLER_STORE={store}", "-s", "LOG_LEVEL=INFO"]
    run = run_measured(cmd, timeout=1800)
    if run.returncode != 0:
        print(run.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"crawl failed: exit {run.returncode}")
    records = sum(1 for _ in out.open("rb"))
    skipped = scrapy_stat(run.stderr, "zonecrawler/incremental/skipped_known", 0)
    return {"wall_s": run.seconds, "rss_mb": run.peak_rss_mb, "records": records, "skipped": skipped,
            "requests": scrapy_stat(run.stderr, "downloader/request_count", 0)}


def _median(values: list[float]) -> float:
    import statistics

    return statistics.median(values)


def probe(store: Path, lookups: int, size: int) -> dict:
    done = subprocess.run([sys.executable, "-c", _PROBE, str(store), str(lookups), str(size)], cwd=REPO,
                          capture_output=True, text=True, timeout=1800, check=False)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    import shutil

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--lookups", type=int, default=20_000)
    parser.add_argument("--articles", type=int, default=300, help="articles of the synthetic site (in every store)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    print(machine_note())
    keys = ("known_us", "unknown_us", "open_s", "rss_mb", "crawl_s", "crawl_rss_mb")
    samples = {size: {key: [] for key in keys} for size in sizes}
    ratios = {size: {key: [] for key in keys} for size in sizes}
    info = {}
    with tempfile.TemporaryDirectory(prefix="bench_store_") as tmp, SynthSite(args.articles) as site:
        tmp = Path(tmp)
        seed = tmp / "seed" / "store.sqlite"
        first = crawl(site.base_url, seed, tmp / "first.jsonl")
        if first["records"] != args.articles:
            raise SystemExit(f"first crawl wrote {first['records']} records, expected {args.articles}")
        disk_bytes(seed)
        stores = {}
        for size in sizes:
            stores[size] = tmp / str(size) / "store.sqlite"
            stores[size].parent.mkdir()
            shutil.copy(seed, stores[size])
            fill(stores[size], 0, size)
            info[size] = {"disk_b_per_article": disk_bytes(stores[size]) / (size + args.articles)}
            print(f"  store of {size:,} articles filled ({info[size]['disk_b_per_article']:.0f} B/article on disk)", flush=True)
        for r in range(args.rounds):
            this_round = {}
            for size in sizes if r % 2 == 0 else sizes[::-1]:
                row = probe(stores[size], args.lookups, size)
                c = crawl(site.base_url, stores[size], tmp / f"again{size}.jsonl")
                row.update(crawl_s=c["wall_s"], crawl_rss_mb=c["rss_mb"])
                info[size].update(skipped=c["skipped"], records=c["records"])
                this_round[size] = row
                for key in keys:
                    samples[size][key].append(row[key])
            for size in sizes:
                for key in keys:
                    ratios[size][key].append(this_round[size][key] / this_round[sizes[0]][key])
            print(f"  round {r + 1} done", flush=True)
    print(f"\n{'articles':>10} {'known us':>9} {'x':>6} {'unknown us':>11} {'x':>6} {'open ms':>8} {'probe RSS':>10} {'x':>6} "
          f"{'B/article':>10} {'crawl s':>8} {'x':>6} {'crawl RSS MB':>13} {'x':>6} {'skipped':>8} {'records':>8}")
    for size in sizes:
        m = {key: _median(samples[size][key]) for key in keys}
        x = {key: _median(ratios[size][key]) for key in keys}
        print(f"{size:>10,} {m['known_us']:>9.1f} {x['known_us']:>5.2f}x {m['unknown_us']:>11.1f} {x['unknown_us']:>5.2f}x "
              f"{m['open_s'] * 1000:>8.1f} {m['rss_mb']:>9.0f}M {x['rss_mb']:>5.2f}x {info[size]['disk_b_per_article']:>10.0f} "
              f"{m['crawl_s']:>8.2f} {x['crawl_s']:>5.2f}x {m['crawl_rss_mb']:>13.0f} {x['crawl_rss_mb']:>5.2f}x "
              f"{info[size]['skipped']:>8} {info[size]['records']:>8}")
    last = {key: _median(ratios[sizes[-1]][key]) for key in keys}
    skip_ok = last["known_us"] <= 1.5 and last["unknown_us"] <= 1.5
    rss_ok = last["rss_mb"] <= 1.5 and last["crawl_rss_mb"] <= 1.5
    print(f"\nat {sizes[-1]:,} vs {sizes[0]:,} (median of per-round ratios): per-skip cost within 1.5x: {'MET' if skip_ok else 'NOT MET'}; "
          f"RSS within 1.5x: {'MET' if rss_ok else 'NOT MET'}; crawl start-up and wall {last['crawl_s']:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
