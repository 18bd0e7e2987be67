"""Zone lookup speed and gazetteer load cost, with the previous 417-zone gazetteer as the baseline.

    python -m benchmarks.bench_zones [--rounds 7] [--json OUT]

Measured in this run, one after the other in one process (and fresh processes for the load cost):

* ``find_zone_in_text`` on 5,000-character bodies: plain news text with no zone, a body dense with
  zone words (开发区, 高新区, 园区 every few characters: the scanner's worst case), and plain text that
  names a zone at its very end (the whole body is scanned). Best of ``--rounds`` × 20 calls each.
* ``normalize_zone`` on a mix of label values (full names, abbreviations, prefixed names, unknown names).
* the gazetteer's load: ``import zonecrawler.normalize.zones`` alone (the baseline) vs import + load
  (the index a crawl builds when its pipeline opens) vs import + load + text scanner (built on the first
  body scan), each in fresh interpreters, median of ``--rounds`` interleaved runs; peak RSS of each.

Peak RSS is the interpreter's own high-water mark (``VmHWM``) after the snippet.

The baseline gazetteer is ``benchmarks/data/zones_v0.tsv`` (the 417 zones shipped before the catalogue)
run through the same code, so the ratios show what 6x more zones and their rule forms cost. A bare
``re.search`` for one word over the same body is printed as the floor.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

from benchmarks.common import run_measured

REPO = Path(__file__).resolve().parent.parent
PLAIN = "今年以来，园区坚持项目为王，持续优化营商环境，推动产业链招商和科技创新，江苏浙江安徽南京苏州合肥。"
DENSE = "开发区管委会召开会议，高新区、经开区、综保区和工业园区的企业代表参加，各园区负责人介绍了招商引资和项目建设情况。"
LABELS = [
    "江苏南京六合经济开发区", "南京高新区", "天津经开区", "广州开发区", "苏州工业园区", "昆山综合保税区", "张家港高新区",
    "成都青白江经开区", "江苏省苏州市昆山开发区", "亦庄经开区", "北京经济技术开发区（亦庄）", "某某产业园", "苏州吴中高新区",
    "蘇州工業園區", "两江新区", "淮安开发区",
]


def _body(filler: str, tail: str = "") -> str:
    return (filler * (5000 // len(filler) + 1))[: 5000 - len(tail)] + tail


def _best(fn, rounds: int, calls: int = 20) -> float:
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - t0) / calls)
    return best


def lookup_speed(rounds: int) -> dict:
    from zonecrawler.normalize import zones as Z

    full = Z.load_gazetteer()
    text = (REPO / "benchmarks" / "data" / "zones_v0.tsv").read_text(encoding="utf-8")
    v0 = Z.Gazetteer(Z._parse_zones(text, "zones_v0.tsv", Z._divisions()), Z._divisions())
    full.scanner(), v0.scanner()
    bodies = {
        "plain, no zone": _body(PLAIN),
        "dense zone words": _body(DENSE),
        "zone at the end": _body(PLAIN, "成都高新区获批新政"),
    }
    out: dict = {"find_zone_in_text_ms": {}, "normalize_zone_us": {}}
    for label, body in bodies.items():
        floor = _best(lambda: re.search("未出现的词", body), rounds)  # a word the body lacks: one full pass
        base = _best(lambda: v0.find(body), rounds)
        now = _best(lambda: full.find(body), rounds)
        out["find_zone_in_text_ms"][label] = {
            "floor_re_search": floor * 1e3, "v0_417_zones": base * 1e3, "catalogue": now * 1e3, "ratio_vs_v0": now / base,
        }
    for gaz, key in ((v0, "v0_417_zones"), (full, "catalogue")):
        def labels(gaz=gaz):
            gaz._memo.clear()
            for raw in LABELS:
                gaz.resolve(raw) or gaz.unknown_place(raw)
        out["normalize_zone_us"][key] = _best(labels, rounds, 5) / len(LABELS) * 1e6
    out["gazetteer"] = {
        "zones": len(full.entries), "index_keys": len(full.index), "scan_forms": len(full.scanner().forms),
        "v0_zones": len(v0.entries), "v0_index_keys": len(v0.index),
    }
    return out


_SNIPPETS = {
    "import only (baseline)": "import zonecrawler.normalize.zones",
    "import + load": "import zonecrawler.normalize.zones as Z; Z.load_gazetteer()",
    "import + load + scanner": "import zonecrawler.normalize.zones as Z; Z.load_gazetteer().scanner()",
}


def load_cost(rounds: int) -> dict:
    times: dict[str, list[float]] = {k: [] for k in _SNIPPETS}
    rss: dict[str, list[float]] = {k: [] for k in _SNIPPETS}
    for r in range(rounds):
        order = list(_SNIPPETS.items())
        for label, code in order if r % 2 == 0 else reversed(order):
            timed = (f"import time; t0 = time.perf_counter(); {code}; t = time.perf_counter() - t0; "
                     "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]; "
                     "print(t, int(hwm) / 1024)")
            m = run_measured([sys.executable, "-c", timed], cwd=REPO)
            if m.returncode != 0:
                raise SystemExit(m.stderr)
            seconds, peak_mb = m.stdout.split()
            times[label].append(float(seconds) * 1e3)
            rss[label].append(float(peak_mb))
    base = statistics.median(times["import only (baseline)"])
    return {
        label: {"ms": statistics.median(times[label]), "extra_ms": statistics.median(times[label]) - base,
                "peak_rss_mb": statistics.median(rss[label])}
        for label in _SNIPPETS
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    print(f"cpus={os.cpu_count()} load average={' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    speed = lookup_speed(args.rounds)
    g = speed["gazetteer"]
    print(f"gazetteer: {g['zones']} zones, {g['index_keys']} lookup keys, {g['scan_forms']} text forms"
          f" (baseline v0: {g['v0_zones']} zones, {g['v0_index_keys']} keys)")
    print("\nfind_zone_in_text, 5,000-character body (best of rounds, ms per call)")
    print(f"  {'body':20} {'re.search floor':>16} {'v0 (417 zones)':>15} {'catalogue':>10} {'vs v0':>7}")
    for label, row in speed["find_zone_in_text_ms"].items():
        print(f"  {label:20} {row['floor_re_search']:16.3f} {row['v0_417_zones']:15.3f} {row['catalogue']:10.3f}"
              f" {row['ratio_vs_v0']:6.2f}x")
    n = speed["normalize_zone_us"]
    print(f"\nnormalize_zone (label mix, not memoized): {n['catalogue']:.1f} us/call; v0 {n['v0_417_zones']:.1f} us/call")
    load = load_cost(args.rounds)
    print(f"\ngazetteer load, fresh interpreter (median of {args.rounds})")
    for label, row in load.items():
        print(f"  {label:26} {row['ms']:7.1f} ms  (+{row['extra_ms']:6.1f} ms)  peak RSS {row['peak_rss_mb']:6.1f} MB"
              f"  (+{row['peak_rss_mb'] - load['import only (baseline)']['peak_rss_mb']:5.1f} MB)")
    if args.json:
        args.json.write_text(json.dumps({"speed": speed, "load": load}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
