"""Many polite sites at once: wall time of a sweep of N loopback sites, against a bare spider's ceiling.

    python -m benchmarks.bench_sweep [--sites 200] [--articles 20] [--min-latency 100] [--max-latency 300]

``benchmarks/sweepsite.py`` serves N sites from one process, site k on 127.0.0.{k+2}, each a
list page of ``--articles`` article links and those articles, answering after a fixed
per-site latency.  Each site is registered as its own zonecrawler site (a temporary
``ZONECRAWLER_SITES_DIR``) with zonecrawler's politeness (0.5 s delay, 2 requests at a time,
AutoThrottle, robots.txt).  In the same run:

  bare (ceiling)     benchmarks/sweep_bare.py: the same politeness, CONCURRENT_REQUESTS = 2 x sites,
                     no extraction or pipelines -- as fast as politeness allows
  zonecrawler        ``scrapy crawl sites -a site=<all N>`` with the project's settings
                     (the engine's ceiling scaled to the number of sites, zonecrawler/crawl/sweep.py)
  zonecrawler @16    the same with ``-s CONCURRENT_REQUESTS=16`` (Scrapy's default, the old setting)

Reported per run: wall time (process start to exit), requests the server saw, records
written, peak RSS (crawl process + extraction workers), and politeness as the server saw it
(most requests in flight at once per site, shortest gap between two requests to one site).
Targets: zonecrawler within 1.3x of the bare spider's wall time and >= 1.7x faster than at 16;
every site within its limits: <= 2 requests in flight, and no 5 requests in a row within less than
4 x 0.25 s (0.25 s is the shortest randomized 0.5 s delay; single gaps are reported too).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from benchmarks.common import REPO, machine_note, run_measured, worker_peak_rss
from benchmarks.sweepsite import WINDOW, site_host

MAX_IN_FLIGHT = 2
# Scrapy randomizes a 0.5 s delay to 0.25-0.75 s, so 5 requests in a row take >= 4 x 0.25 s.
# Checked over windows, not single gaps: a request the client sent late (a busy event loop)
# arrives close to the next one without the site's rate going up.  50 ms for timer jitter.
MIN_WINDOW_S = WINDOW * 0.25 - 0.05
SITE_TOML = """name = "sweep{k}"
start_urls = ["http://{host}:{port}/"]
article_patterns = ['^/news/\\d+/\\d+\\.html$']
list_patterns = ['^/$']
"""


class SweepServer:
    """The sweep sites in a child process (its CPU is not the crawler's)."""

    def __init__(self, sites: int, articles: int, low: int, high: int):
        self.args = ["--sites", str(sites), "--articles", str(articles), "--min-latency", str(low), "--max-latency", str(high)]

    def __enter__(self) -> "SweepServer":
        self.proc = subprocess.Popen([sys.executable, "-m", "benchmarks.sweepsite", *self.args], cwd=REPO, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.proc.kill()
            raise RuntimeError(f"sweep server did not start: {line!r}")
        self.port = int(line.split()[1])
        return self

    def control(self, path: str) -> bytes:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as answer:
            return answer.read()

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def write_sites(folder: Path, sites: int, port: int) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(sites):
        (folder / f"sweep{k}.toml").write_text(SITE_TOML.format(k=k, host=site_host(k), port=port), "utf-8")
    return [f"sweep{k}" for k in range(sites)]


def politeness(report: dict) -> dict:
    sites = report["sites"].values()
    gaps = [s["min_gap_s"] for s in sites if s["min_gap_s"] is not None]
    worst_in_flight = max((s["max_in_flight"] for s in sites), default=0)
    windows = [s["min_window_s"] for s in sites if s["min_window_s"] is not None]
    bad = sum(1 for s in sites if s["max_in_flight"] > MAX_IN_FLIGHT or (s["min_window_s"] is not None and s["min_window_s"] < MIN_WINDOW_S))
    return {
        "requests": sum(s["requests"] for s in sites),
        "max_in_flight": worst_in_flight,
        "min_gap_s": min(gaps) if gaps else None,
        "min_window_s": min(windows) if windows else None,
        "impolite_sites": bad,
    }


def run_one(label: str, cmd: list[str], server: SweepServer, env: dict, out: Path | None) -> dict:
    server.control("/__reset")
    run = run_measured(cmd, env=env, timeout=1800)
    if run.returncode != 0:
        print(run.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"{label}: exit {run.returncode}")
    row = {"label": label, "wall_s": run.seconds, "peak_rss_mb": (run.peak_rss_bytes + sum(worker_peak_rss(run.stderr))) / 2**20}
    row.update(politeness(json.loads(server.control("/__report"))))
    row["records"] = sum(1 for _ in out.open("rb")) if out is not None else None
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--articles", type=int, default=20, help="article links on each site's list page")
    parser.add_argument("--min-latency", type=int, default=100, help="ms")
    parser.add_argument("--max-latency", type=int, default=300, help="ms")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args(argv)
    print(machine_note())
    print(f"{args.sites} sites x (1 list + {args.articles} articles), latency {args.min_latency}-{args.max_latency} ms, "
          "politeness 0.5 s delay / 2 per site / AutoThrottle / robots.txt\n")
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_sweep_") as tmp, SweepServer(args.sites, args.articles, args.min_latency, args.max_latency) as server:
        tmp = Path(tmp)
        names = write_sites(tmp / "sites", args.sites, server.port)
        env = {"ZONECRAWLER_SITES_DIR": str(tmp / "sites")}
        rows.append(run_one("bare (ceiling)", [sys.executable, "-m", "benchmarks.sweep_bare", str(server.port), str(args.sites),
                                                 "--concurrency", str(max(16, 2 * args.sites))], server, env, None))
        for label, extra in (("zonecrawler", []), ("zonecrawler @16", ["-s", "CONCURRENT_REQUESTS=16"])):
            out = tmp / f"{len(rows)}.jsonl"
            cmd = [sys.executable, "-m", "scrapy", "crawl", "sites", "-a", "site=" + ",".join(names), "-O", str(out),
                   "-s", f"ZONECRAWLER_STORE={tmp / f'{len(rows)}.sqlite'}", "-s", "LOG_LEVEL=INFO", *extra]
            rows.append(run_one(label, cmd, server, env, out))
    bare, auto, at16 = rows
    print(f"{'run':<18} {'wall s':>7} {'x bare':>7} {'requests':>9} {'records':>8} {'peak MB':>8} {'max in flight':>14} {'min gap s':>10} {'min 5-req s':>12} {'impolite':>9}")
    for r in rows:
        records = "-" if r["records"] is None else r["records"]
        gap = "-" if r["min_gap_s"] is None else f"{r['min_gap_s']:.3f}"
        window = "-" if r["min_window_s"] is None else f"{r['min_window_s']:.3f}"
        print(f"{r['label']:<18} {r['wall_s']:>7.1f} {r['wall_s'] / bare['wall_s']:>6.2f}x {r['requests']:>9} {records:>8} "
              f"{r['peak_rss_mb']:>8.0f} {r['max_in_flight']:>14} {gap:>10} {window:>12} {r['impolite_sites']:>9}")
    within = auto["wall_s"] <= 1.3 * bare["wall_s"]
    faster = at16["wall_s"] >= 1.7 * auto["wall_s"]
    polite = all(r["impolite_sites"] == 0 for r in rows)
    print(f"\nzonecrawler / bare: {auto['wall_s'] / bare['wall_s']:.2f}x (target <= 1.3x): {'MET' if within else 'NOT MET'}")
    print(f"zonecrawler @16 / zonecrawler: {at16['wall_s'] / auto['wall_s']:.2f}x (target >= 1.7x): {'MET' if faster else 'NOT MET'}")
    print(f"every site within its politeness limits in every run: {'yes' if polite else 'NO'}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
