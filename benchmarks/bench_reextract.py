"""Re-extraction on every core: ``zonecrawler reextract`` of a 10,000-page archive with 0, 1 and 2 workers.

    python -m benchmarks.bench_reextract [--pages 10000] [--workers 0,1,2] [--rounds 2]

The archive is built once, in a temporary folder, from the synthetic investchn-like
article pages of ``benchmarks/synthsite.py`` (unique title and body each, ~4 KB), as
``zonecrawler crawl --archive`` would have saved them.  Each round runs the real command
(``python -m zonecrawler.cli reextract ARCHIVE -o OUT --workers N``) once per worker count,
in reverse order every other round, and reports pages/s (pages over the command's wall
time, interpreter start-up included) and peak RSS; the ratio is against 0 workers
(extraction in the command's own process) in the same round.  Every output must be
byte-identical to the 0-worker output.  Target: >= 1.7x with 2 workers on 2 cores.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.common import machine_note, run_measured
from benchmarks.synthsite import article_page, article_path


def build_archive(root: Path, pages: int) -> None:
    from zonecrawler.storage.archive import save_page

    for n in range(pages):
        url = "https://www.investchn.com" + article_path(n)
        save_page(root, "investchn", url, article_page(n, pages), "text/html; charset=utf-8", fetched_at="2026-12-01T00:00:00Z")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--workers", default="0,1,2", help="comma-separated worker counts (0 = in-process)")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    counts = [int(w) for w in args.workers.split(",")]
    print(machine_note())
    with tempfile.TemporaryDirectory(prefix="bench_reextract_") as tmp:
        tmp = Path(tmp)
        build_archive(tmp / "archive", args.pages)
        print(f"archive: {args.pages} pages; worker counts {counts}; {args.rounds} rounds\n")
        rates: dict[int, list[float]] = {w: [] for w in counts}
        ratios: dict[int, list[float]] = {w: [] for w in counts}
        rss: dict[int, float] = {}
        reference = None
        for r in range(args.rounds):
            order = counts if r % 2 == 0 else counts[::-1]
            this_round = {}
            for w in order:
                out = tmp / f"out{w}.jsonl"
                run = run_measured([sys.executable, "-m", "zonecrawler.cli", "reextract", str(tmp / "archive"), "-o", str(out),
                                    "--workers", str(w)], timeout=3600)
                if run.returncode != 0:
                    print(run.stderr[-3000:], file=sys.stderr)
                    return 1
                data = out.read_bytes()
                if reference is None:
                    reference = data
                if data != reference:
                    print(f"output with {w} workers differs from the first run's", file=sys.stderr)
                    return 1
                this_round[w] = args.pages / run.seconds
                rates[w].append(this_round[w])
                rss[w] = max(rss.get(w, 0.0), run.peak_rss_mb)
            for w in counts:
                if 0 in this_round:
                    ratios[w].append(this_round[w] / this_round[0])
        print(f"{'workers':>7} {'pages/s (median)':>17} {'x 0 workers':>12} {'peak RSS MB (main)':>19}")
        for w in counts:
            ratio = f"{statistics.median(ratios[w]):.2f}x" if ratios[w] else "-"
            print(f"{w:>7} {statistics.median(rates[w]):>17.1f} {ratio:>12} {rss[w]:>19.0f}")
        records = reference.count(b"\n")
        print(f"\noutputs identical across worker counts: yes ({records} records)")
        if 2 in counts and 0 in counts:
            best = statistics.median(ratios[2])
            print(f"2 workers vs in-process: {best:.2f}x (target >= 1.7x on 2 cores): {'MET' if best >= 1.7 else 'NOT MET'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
