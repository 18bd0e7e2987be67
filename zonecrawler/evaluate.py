"""Accuracy report: ``python -m zonecrawler.evaluate DIR [--show]``.

``DIR`` is the golden fixtures folder (``fixtures/``) or any folder with a ``truth.jsonl``
(the real-page set's format, see ``goldens.truth_cases``).  Per field: title exact (whitespace
runs folded), date same day, source exact, zone exact (canonical name; only where the truth
has zones), body character precision / recall / F1 (whitespace ignored), and how many pages
have a body F1 below 0.5.  Rows: zonecrawler with each site's configuration, zonecrawler
generic (no per-site selectors; only when some page has a site), and — when installed
(``pip install -e '.[benchmark]'``) — trafilatura, GNE and readability-lxml on the same pages
in the same run.  ``--show`` lists every miss.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path

from zonecrawler.extract.article import extract_article
from zonecrawler.extract.decode import decode_html
from zonecrawler.extract.dom import lines, parse
from zonecrawler.goldens import GoldenCase, load_cases
from zonecrawler.normalize.dates import parse_date
from zonecrawler.normalize.text import clean_line, squash
from zonecrawler.record import build_record
from zonecrawler.siteconfig import get_site

FIELDS = ("title", "date", "source", "zone", "body")
LOW_BODY_F1 = 0.5
_SHOW_CHARS = 80

System = Callable[[GoldenCase], dict]


def counts_f1(predicted: Counter, expected: Counter) -> float:
    """F1 of two multisets (of characters, bigrams, ...); 1.0 when both are empty."""
    return counts_prf(predicted, expected)[2]


def counts_prf(predicted: Counter, expected: Counter) -> tuple[float, float, float]:
    """Precision, recall and F1 of two multisets; all 1.0 when both are empty.

    Nothing in common (an empty prediction included) scores 0.0 on all three.
    """
    got, want = sum(predicted.values()), sum(expected.values())
    if not got and not want:
        return 1.0, 1.0, 1.0
    overlap = sum((predicted & expected).values())
    if not overlap:
        return 0.0, 0.0, 0.0
    precision, recall = overlap / got, overlap / want
    return precision, recall, 2 * precision * recall / (precision + recall)


def body_prf(predicted: str | None, expected: str | None) -> tuple[float, float, float]:
    """Character-bag precision, recall and F1 of two texts, whitespace ignored."""
    return counts_prf(Counter(squash(predicted or "")), Counter(squash(expected or "")))


def body_f1(predicted: str | None, expected: str | None) -> float:
    """Character-bag F1 of two texts, whitespace ignored; 1.0 when both are empty."""
    return body_prf(predicted, expected)[2]


def _zone_name(zone) -> str | None:
    return zone.get("name") if isinstance(zone, dict) else zone


def _text(value) -> str | None:
    return clean_line(value) or None if isinstance(value, str) else value


def score(predicted: dict, expected: dict) -> dict[str, float]:
    """Per-field scores of one prediction against one truth record.

    A field the system does not produce (absent from ``predicted``) or the truth does not
    record (absent from ``expected``) is not scored.  The body adds ``body_p`` and ``body_r``.
    """
    scores: dict[str, float] = {}
    for name in FIELDS:
        if name not in predicted or name not in expected:
            continue
        got, want = predicted[name], expected[name]
        if name == "date":
            scores[name] = float((got or "")[:10] == (want or "")[:10])
        elif name == "zone":
            scores[name] = float(_zone_name(got) == _zone_name(want))
        elif name == "body":
            scores["body_p"], scores["body_r"], scores["body"] = body_prf(got, want)
        else:
            scores[name] = float(_text(got) == _text(want))
    return scores


@dataclass
class Report:
    """One system's scores over a set of pages."""

    means: dict[str, float] = field(default_factory=dict)
    low_body: int = 0  # pages with body F1 < LOW_BODY_F1
    misses: list[tuple[str, str, object, object, dict]] = field(default_factory=list)  # page, field, got, want, scores


def run_system(cases: list[GoldenCase], system: System) -> Report:
    """Score ``system`` on every case: means per field, low-body count, misses."""
    totals: dict[str, list[float]] = {}
    report = Report()
    for case in cases:
        predicted = system(case)
        scores = score(predicted, case.expected)
        for name, value in scores.items():
            totals.setdefault(name, []).append(value)
        for name in FIELDS:
            if name in scores and scores[name] < 1.0:
                report.misses.append((case.name, name, predicted.get(name), case.expected.get(name), scores))
        if scores.get("body", 1.0) < LOW_BODY_F1:
            report.low_body += 1
    report.means = {name: sum(v) / len(v) for name, v in totals.items()}
    return report


def evaluate(cases: list[GoldenCase], system: System) -> dict[str, float]:
    """Mean score per field over all cases (``body`` is the F1; ``body_p``/``body_r`` beside it)."""
    return run_system(cases, system).means


# --- the systems: case -> {field: value} for the fields each one produces ------------------------


def zonecrawler_system(generic: bool) -> System:
    def run(case: GoldenCase) -> dict:
        site = get_site(case.site) if case.site else None
        if site is not None and generic:
            site = replace(site, selectors={})
        return build_record(extract_article(case.expected["url"], case.page_bytes(), site=site), site=site)

    return run


def trafilatura_system() -> System | None:
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


def gne_system() -> System | None:
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


def readability_system() -> System | None:
    try:
        from readability import Document
    except ImportError:
        return None

    def run(case: GoldenCase) -> dict:
        html, _ = decode_html(case.page_bytes())
        try:
            doc = Document(html)
            title, summary = doc.short_title(), doc.summary(html_partial=True)
        except Exception:  # readability raises on empty or odd documents; score it as empty
            return {"title": None, "body": None}
        # The summary is HTML: its text block by block, the way the truth's bodies are written.
        return {"title": title, "body": "\n".join(lines(parse(summary)))}

    return run


_OTHERS = (("trafilatura", "trafilatura", trafilatura_system), ("gne", "gne", gne_system),
           ("readability", "readability-lxml", readability_system))


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


def systems(with_generic: bool = True) -> dict[str, System]:
    """zonecrawler (and its generic variant) plus every comparison system that is installed."""
    found = {"zonecrawler": zonecrawler_system(False)}
    if with_generic:
        found["zonecrawler-generic"] = zonecrawler_system(True)
    for name, dist, factory in _OTHERS:
        system = factory()
        if system is not None:
            found[f"{name} {_version(dist)}"] = system
    return found


# --- output ----------------------------------------------------------------------------------------

_COLUMNS = (("title", "title"), ("date", "date"), ("source", "source"), ("zone", "zone"),
            ("body_p", "body P"), ("body_r", "body R"), ("body", "body F1"))


def format_table(reports: dict[str, Report], n: int, where: str = "") -> str:
    columns = [(key, label) for key, label in _COLUMNS if any(key in r.means for r in reports.values())]
    header = ["system", *(label for _, label in columns), f"body F1 < {LOW_BODY_F1}"]
    out = [f"{n} pages{f' ({where})' if where else ''}; title exact, date same-day, source exact, zone exact, "
           "body character precision/recall/F1 (whitespace ignored)", "",
           "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, report in reports.items():
        cells = [f"{report.means[key]:.3f}" if key in report.means else "n/a" for key, _ in columns]
        low = str(report.low_body) if "body" in report.means else "n/a"
        out.append("| " + " | ".join([name, *cells, low]) + " |")
    return "\n".join(out)


def _short(value) -> str:
    text = json.dumps(_zone_name(value), ensure_ascii=False) if not isinstance(value, str) else repr(clean_line(value))
    return text if len(text) <= _SHOW_CHARS else text[: _SHOW_CHARS - 1] + "…"


def format_misses(reports: dict[str, Report]) -> str:
    out = []
    for name, report in reports.items():
        out.append(f"\n## misses: {name} ({len(report.misses)})")
        for page, fld, got, want, scores in report.misses:
            if fld == "body":
                out.append(f"{page}  body F1 {scores['body']:.3f} (P {scores['body_p']:.3f} R {scores['body_r']:.3f})"
                           f"  got {_short(got)}")
                out.append(f"{' ' * len(page)}  {' ' * 28}want {_short(want)}")
            else:
                out.append(f"{page}  {fld}: got {_short(got)}  want {_short(want)}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zonecrawler.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("fixtures", nargs="?", default="fixtures",
                        help="golden fixtures folder, or a folder with truth.jsonl (default: fixtures)")
    parser.add_argument("--show", action="store_true", help="list every miss (page, field, got, want)")
    parser.add_argument("--only", metavar="NAME", action="append",
                        help="run only systems whose name starts with NAME (repeatable)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    folder = Path(args.fixtures)
    try:
        cases = load_cases(folder)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not cases:
        print(f"error: no golden fixtures or truth.jsonl pages under {folder}", file=sys.stderr)
        return 2
    chosen = systems(with_generic=any(c.site for c in cases))
    if args.only:
        chosen = {k: v for k, v in chosen.items() if any(k.startswith(prefix) for prefix in args.only)}
    reports = {name: run_system(cases, system) for name, system in chosen.items()}
    if args.json:
        print(json.dumps({name: {**r.means, "low_body": r.low_body} for name, r in reports.items()}, indent=2))
    else:
        print(format_table(reports, len(cases), str(folder)))
    if args.show:
        print(format_misses(reports))
    return 0


if __name__ == "__main__":
    sys.exit(main())
