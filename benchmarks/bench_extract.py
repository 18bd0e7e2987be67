"""Extraction throughput and accuracy: zonecrawler's extractor vs trafilatura and GNE, with bare lxml as the floor.

    python -m benchmarks.bench_extract [--pages DIR] [--seconds 3] [--json OUT]

Every method gets the same pages, measured in this run, one after the other in one process:
by default each golden fixture page (the investchn mirror, other site templates, single-page
variants); with ``--pages DIR``, the pages of any folder holding a ``truth.jsonl`` in the
real-page set's format (e.g. ``../shared/realpages``: real pages of ~100 KB, which stay outside
the project) or another fixtures folder.
Throughput is pages/s over interleaved passes (the same number of passes for each method, at least ``--seconds`` for the slowest); accuracy is
measured against the hand-written golden records:
  body F1   character-bigram F1 of the extracted body vs the golden body (whitespace ignored), mean over pages
  title     share of pages whose title equals the golden title exactly
Ratios are zonecrawler's pages/s over each other method's (``x``: how many times faster).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
_SPACE = re.compile(r"\s+")


def _bigrams(text: str | None) -> Counter:
    text = _SPACE.sub("", text or "")
    return Counter(text[i : i + 2] for i in range(len(text) - 1))


def body_f1(got: str | None, want: str | None) -> float:
    """Character-bigram F1 (1.0 when both are empty)."""
    from zonecrawler.evaluate import counts_f1

    return counts_f1(_bigrams(got), _bigrams(want))


def load_pages(folder: Path | None = None):
    from zonecrawler.goldens import load_cases
    from zonecrawler.siteconfig import get_site

    pages = []
    for case in load_cases(folder or REPO / "fixtures"):
        site = get_site(case.site) if case.site else None
        pages.append((case.expected["url"], case.page_bytes(), site, case.expected))
    return pages


# --- the methods: (url, raw bytes, text, site) -> (title, body) -------------------------------------
def m_lxml(url, raw, text, site):
    import lxml.html

    lxml.html.fromstring(raw)
    return None, None


def m_zonecrawler(url, raw, text, site):
    from zonecrawler.extract.article import extract_article

    ex = extract_article(url, raw, site=site)
    return ex.title, ex.body


def m_trafilatura(url, raw, text, site):
    import trafilatura

    doc = trafilatura.bare_extraction(raw, url=url, with_metadata=True)
    if doc is None:
        return None, None
    if not isinstance(doc, dict):
        doc = doc.as_dict()
    return doc.get("title"), doc.get("text")


_gne = None


def m_gne(url, raw, text, site):
    global _gne
    if _gne is None:
        from gne import GeneralNewsExtractor

        _gne = GeneralNewsExtractor()
    result = _gne.extract(text)
    return result.get("title"), result.get("content")


METHODS = {"zonecrawler": m_zonecrawler, "trafilatura": m_trafilatura, "gne": m_gne, "lxml (parse only)": m_lxml}


def accuracy(method, pages) -> dict:
    """Body F1 and exact-title share of one pass over the pages."""
    f1s, titles = [], []
    for url, raw, text, site, expected in pages:
        title, body = method(url, raw, text, site)
        f1s.append(body_f1(body, expected["body"]))
        titles.append((title or "").strip() == (expected["title"] or "").strip())
    return {"body_f1": sum(f1s) / len(f1s), "title_exact": sum(titles) / len(titles)}


def throughput(methods: dict, pages, seconds: float) -> dict:
    """pages/s per method, timed in interleaved rounds (one pass of each method per round) so that load
    changes on a shared machine hit every method alike; rounds go on until the slowest method had ``seconds`` (at least 3 rounds)."""
    spent = dict.fromkeys(methods, 0.0)
    done = dict.fromkeys(methods, 0)
    rounds = 0
    while rounds < 3 or max(spent.values()) < seconds:
        for name, method in methods.items():
            start = time.perf_counter()
            for url, raw, text, site, _ in pages:
                method(url, raw, text, site)
            spent[name] += time.perf_counter() - start
            done[name] += len(pages)
        rounds += 1
    return {name: done[name] / spent[name] for name in methods}


def _verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="timed seconds of the slowest method (others: the same number of passes)")
    parser.add_argument("--pages", type=Path, help="a folder with a truth.jsonl (real-page set format) or golden fixtures; default: fixtures/")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    import logging

    logging.disable(logging.WARNING)  # trafilatura/GNE chatter

    from zonecrawler.extract.decode import decode_html

    if args.pages is not None and not args.pages.is_dir():
        print(f"error: --pages {args.pages}: not a folder", file=sys.stderr)
        return 2
    try:
        loaded = load_pages(args.pages)
    except (OSError, ValueError) as exc:
        print(f"error: --pages {args.pages}: {exc}", file=sys.stderr)
        return 2
    pages = [(url, raw, decode_html(raw)[0], site, exp) for url, raw, site, exp in loaded]
    where = args.pages or REPO / "fixtures"
    if not pages:
        print(f"error: no pages with truth under {where}", file=sys.stderr)
        return 2
    kb = sum(len(p[1]) for p in pages) / len(pages) / 1024
    from benchmarks.common import machine_note

    print(machine_note())
    print(f"{len(pages)} pages from {where} (mean {kb:.1f} KB), interleaved passes, >= {args.seconds:g} s for the slowest method\n")
    results = {name: accuracy(fn, pages) for name, fn in METHODS.items()}  # also warms every method up
    for name, rate in throughput(METHODS, pages, args.seconds).items():
        results[name]["pages_per_s"] = rate
    zc = results["zonecrawler"]["pages_per_s"]
    print(f"{'method':<20} {'pages/s':>9} {'zonecrawler x':>14} {'body F1':>8} {'title':>6}")
    for name, r in results.items():
        acc = "" if name.startswith("lxml") else f"{r['body_f1']:>8.3f} {r['title_exact']:>6.0%}"
        print(f"{name:<20} {r['pages_per_s']:>9.1f} {zc / r['pages_per_s']:>13.2f}x {acc}")
    floor = results["lxml (parse only)"]["pages_per_s"]
    traf = results["trafilatura"]
    speedup, share = zc / traf["pages_per_s"], zc / floor
    as_good = results["zonecrawler"]["body_f1"] >= traf["body_f1"]
    print(f"\nzonecrawler runs at {share:.1%} of bare lxml parsing (the floor: parse only, no extraction)")
    print(f"target (>= 3x trafilatura's pages/s with equal or better body F1): {_verdict(speedup >= 3 and as_good)}")
    print(f"real-page targets (>= 5x trafilatura, >= 20% of bare lxml): {_verdict(speedup >= 5)} ({speedup:.2f}x), "
          f"{_verdict(share >= 0.20)} ({share:.1%})")
    if args.json:
        Path(args.json).write_text(json.dumps({"pages": len(pages), "results": results}, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
