"""Accuracy report over the golden fixtures: ``python -m zonecrawler.evaluate fixtures/``.

Per field: title exact, date same day, source exact, zone exact (canonical name),
body character F1 (whitespace ignored).  Rows: zonecrawler with each site's full
configuration, zonecrawler generic (no per-site selectors), and — when installed
(``pip install -e '.[benchmark]'``) — trafilatura and GNE on the same decoded pages.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from zonecrawler.extract.article import extract_article
from zonecrawler.extract.decode import decode_html
from zonecrawler.goldens import GoldenCase, golden_cases
from zonecrawler.normalize.dates import parse_date
from zonecrawler.normalize.text import squash
from zonecrawler.record import build_record
from zonecrawler.siteconfig import get_site

FIELDS = ("title", "date", "source", "zone", "body")


def counts_f1(predicted: Counter, expected: Counter) -> float:
    """F1 of two multisets (of characters, bigrams, ...); 1.0 when both are empty."""
    if not predicted and not expected:
        return 1.0
    overlap = sum((predicted & expected).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(predicted.values()), overlap / sum(expected.values())
    return 2 * precision * recall / (precision + recall)


def body_f1(predicted: str | None, expected: str | None) -> float:
    """Character-bag F1 of two texts, whitespace ignored; 1.0 when both are empty."""
    return counts_f1(Counter(squash(predicted or "")), Counter(squash(expected or "")))


def _zone_name(zone) -> str | None:
    return zone.get("name") if isinstance(zone, dict) else zone


def score(predicted: dict, expected: dict) -> dict[str, float]:
    """Per-field scores of one prediction against one golden record (None = not produced by the system)."""
    scores: dict[str, float] = {}
    for name in FIELDS:
        if name not in predicted:
            continue
        got, want = predicted[name], expected[name]
        if name == "date":
            scores[name] = float((got or "")[:10] == (want or "")[:10])
        elif name == "zone":
            scores[name] = float(_zone_name(got) == _zone_name(want))
        elif name == "body":
            scores[name] = body_f1(got, want)
        else:
            scores[name] = float((got or None) == (want or None))
    return scores


def zonecrawler_system(generic: bool) -> Callable[[GoldenCase], dict]:
    def run(case: GoldenCase) -> dict:
        site = get_site(case.site) if case.site else None
        if site is not None and generic:
            site = replace(site, selectors={})
        return build_record(extract_article(case.expected["url"], case.page_bytes(), site=site), site=site)

    return run


def trafilatura_system() -> Callable[[GoldenCase], dict] | None:
    try:
        import trafilatura
    except ImportError:
        return None

    def run(case: GoldenCase) -> dict:
        html, _ = decode_html(case.page_bytes())
        doc = trafilatura.bare_extraction(html, url=case.expected["url"], with_metadata=True)
        doc = doc.as_dict() if hasattr(doc, "as_dict") else (doc or {})
        return {"title": doc.get("title"), "date": parse_date(doc.get("date") or ""), "body": doc.get("text")}

    return run


def gne_system() -> Callable[[GoldenCase], dict] | None:
    try:
        from gne import GeneralNewsExtractor
    except ImportError:
        return None
    extractor = GeneralNewsExtractor()

    def run(case: GoldenCase) -> dict:
        html, _ = decode_html(case.page_bytes())
        try:
            doc = extractor.extract(html)
        except Exception:  # GNE raises on pages it cannot handle; score it as empty
            doc = {}
        return {"title": doc.get("title"), "date": parse_date(doc.get("publish_time") or ""), "body": doc.get("content")}

    return run


def evaluate(cases: list[GoldenCase], system: Callable[[GoldenCase], dict]) -> dict[str, float]:
    """Mean score per field over all cases."""
    totals: dict[str, list[float]] = {}
    for case in cases:
        for name, value in score(system(case), case.expected).items():
            totals.setdefault(name, []).append(value)
    return {name: sum(v) / len(v) for name, v in totals.items()}


def systems() -> dict[str, Callable[[GoldenCase], dict]]:
    found = {"zonecrawler": zonecrawler_system(False), "zonecrawler-generic": zonecrawler_system(True)}
    for name, factory in (("trafilatura", trafilatura_system), ("gne", gne_system)):
        system = factory()
        if system is not None:
            found[name] = system
    return found


def format_table(results: dict[str, dict[str, float]], n: int) -> str:
    header = ["system", *FIELDS]
    lines = [f"{n} golden pages; title exact, date same-day, source exact, zone exact, body char-F1", "",
             "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, row in results.items():
        cells = [f"{row[f]:.3f}" if f in row else "n/a" for f in FIELDS]
        lines.append("| " + " | ".join([name, *cells]) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zonecrawler.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("fixtures", nargs="?", default="fixtures", help="fixtures folder (default: fixtures)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    cases = golden_cases(Path(args.fixtures))
    if not cases:
        print(f"error: no golden fixtures under {args.fixtures}", file=sys.stderr)
        return 2
    results = {name: evaluate(cases, system) for name, system in systems().items()}
    print(json.dumps(results, indent=2) if args.json else format_table(results, len(cases)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
