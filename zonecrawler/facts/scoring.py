"""Precision and recall of fact extraction on labelled sentences (``tests/data/facts_labelled.jsonl``).

``python -m zonecrawler.facts.scoring FILE [--show]`` prints one line per kind of fact
(amounts, counts, growth, events) with true/false positives, misses, precision and recall,
plus label accuracy of the amounts found.  A labelled line is a JSON object: ``text``,
``amounts`` ([raw, value, currency, qualifier, label]), ``counts`` ([raw, value, noun]),
``growth`` ([raw, subject, value]), ``events`` ([kind, amount_cny, project_count, companies, zone])
and optionally ``industries``.  An item matches when every listed field is equal (amount labels
are scored separately).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from zonecrawler.facts import extract_facts


def _keys(out: dict) -> dict[str, list[tuple]]:
    f = out["facts"]
    return {
        "amounts": [(a["raw"], a["value"], a["currency"], a["qualifier"]) for a in f["amounts"]],
        "counts": [(c["raw"], c["value"], c["noun"]) for c in f["counts"]],
        "growth": [(g["raw"], g["subject"], g["value"]) for g in f["growth"]],
        "events": [(e["kind"], e["amount_cny"], e["project_count"], tuple(e["companies"]), e["zone"]) for e in out["events"]],
    }


def _expected(case: dict) -> dict[str, list[tuple]]:
    return {
        "amounts": [tuple(a[:4]) for a in case["amounts"]],
        "counts": [tuple(c) for c in case["counts"]],
        "growth": [tuple(g) for g in case["growth"]],
        "events": [(e[0], e[1], e[2], tuple(e[3]), e[4]) for e in case["events"]],
    }


def score(cases: list[dict]) -> tuple[dict[str, dict], list[str]]:
    """Per kind ``{tp, fp, fn, precision, recall}`` (plus amount ``labels`` right / of matched), and the misses."""
    totals = {k: Counter() for k in ("amounts", "counts", "growth", "events", "industries")}
    label_right = label_seen = 0
    misses = []
    for case in cases:
        out = extract_facts(None, case["text"])
        got, want = _keys(out), _expected(case)
        if "industries" in case:
            got["industries"], want["industries"] = [(t,) for t in out["industries"]], [(t,) for t in case["industries"]]
        for kind in got:
            g, w = Counter(got[kind]), Counter(want[kind])
            tp = sum((g & w).values())
            totals[kind].update(tp=tp, fp=sum(g.values()) - tp, fn=sum(w.values()) - tp)
            for item in (g - w).elements():
                misses.append(f"{kind} false positive {item} in {case['text']}")
            for item in (w - g).elements():
                misses.append(f"{kind} missed {item} in {case['text']}")
        labels = {(a["raw"], a["value"]): a["label"] for a in out["facts"]["amounts"]}
        for a in case["amounts"]:
            if (a[0], a[1]) in labels:
                label_seen += 1
                if labels[(a[0], a[1])] == a[4]:
                    label_right += 1
                else:
                    misses.append(f"amount label {labels[(a[0], a[1])]!r} should be {a[4]!r} in {case['text']}")
    result = {}
    for kind, c in totals.items():
        found, real = c["tp"] + c["fp"], c["tp"] + c["fn"]
        result[kind] = {"tp": c["tp"], "fp": c["fp"], "fn": c["fn"],
                        "precision": c["tp"] / found if found else 1.0, "recall": c["tp"] / real if real else 1.0}
    result["amounts"]["labels"] = {"right": label_right, "of": label_seen}
    return result, misses


def load(path: str | Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text("utf-8").splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zonecrawler.facts.scoring", description=__doc__.splitlines()[0])
    parser.add_argument("file", help="labelled sentences, JSON Lines")
    parser.add_argument("--show", action="store_true", help="list every false positive and miss")
    args = parser.parse_args(argv)
    try:
        cases = load(args.file)
    except (OSError, ValueError) as exc:
        print(f"error: {args.file}: {exc}", file=sys.stderr)
        return 2
    result, misses = score(cases)
    print(f"{len(cases)} labelled sentences")
    for kind, r in result.items():
        print(f"{kind:<11} precision {r['precision']:.3f}  recall {r['recall']:.3f}  (tp {r['tp']}, fp {r['fp']}, fn {r['fn']})")
    lab = result["amounts"]["labels"]
    print(f"amount labels right: {lab['right']} of {lab['of']}")
    if args.show:
        print("\n".join(misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
