"""Accuracy of list-page discovery: the article links found on list pages without URL patterns.

    python -m zonecrawler.evaluate_lists [LISTS.jsonl] [--show]

``LISTS.jsonl`` (the real-page set's ``lists.jsonl`` format): one JSON object per list page with
``file`` (relative to the JSONL file's folder), ``url`` (or null: a placeholder origin is used) and
``articles`` (``[{"href": as written in the page, "date": …}]``, the page's article links in order).
Prints, per page and in total, the precision and recall of the links found by
:func:`zonecrawler.extract.discovery.analyze_page` (hrefs resolved against the page's base, canonical form).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from zonecrawler.extract.decode import decode_html
from zonecrawler.extract.discovery import analyze_page
from zonecrawler.extract.dom import parse
from zonecrawler.extract.links import absolute_link, base_url

PLACEHOLDER = "http://list.invalid/page.html"


def score_file(path: Path, show: bool = False) -> dict:
    rows, tp_all, found_all, truth_all = [], 0, 0, 0
    for line in path.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        case = json.loads(line)
        data = (path.parent / case["file"]).read_bytes()
        url = case.get("url") or PLACEHOLDER
        text, _ = decode_html(data)
        base = base_url(parse(text, url), url)
        truth = []
        for article in case["articles"]:
            link = absolute_link(base, article["href"])
            if link and link not in truth:
                truth.append(link)
        found = analyze_page(url, data).discovered.articles
        tp = len(set(found) & set(truth))
        rows.append({"id": case.get("id") or case["file"], "found": len(found), "truth": len(truth), "correct": tp,
                     "precision": round(tp / len(found), 3) if found else 0.0,
                     "recall": round(tp / len(truth), 3) if truth else 1.0,
                     "missed": [u for u in truth if u not in found], "extra": [u for u in found if u not in truth]})
        tp_all, found_all, truth_all = tp_all + tp, found_all + len(found), truth_all + len(truth)
    total = {"pages": len(rows), "found": found_all, "truth": truth_all, "correct": tp_all,
             "precision": round(tp_all / found_all, 3) if found_all else 0.0,
             "recall": round(tp_all / truth_all, 3) if truth_all else 1.0}
    return {"pages": rows, "total": total}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zonecrawler.evaluate_lists", description=__doc__.splitlines()[0])
    parser.add_argument("lists", nargs="?", default="../shared/realpages/lists.jsonl")
    parser.add_argument("--show", action="store_true", help="list every missed and extra link")
    args = parser.parse_args(argv)
    path = Path(args.lists)
    if not path.is_file():
        print(f"error: {path}: no such file", file=sys.stderr)
        return 2
    try:
        result = score_file(path)
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: {path}: {exc}", file=sys.stderr)
        return 2
    print(f"{'page':<24} {'found':>5} {'truth':>5} {'precision':>9} {'recall':>6}")
    for row in result["pages"]:
        print(f"{row['id']:<24} {row['found']:>5} {row['truth']:>5} {row['precision']:>9.3f} {row['recall']:>6.3f}")
        if args.show:
            for url in row["missed"]:
                print(f"    missed {url}")
            for url in row["extra"]:
                print(f"    extra  {url}")
    t = result["total"]
    print(f"{'all (' + str(t['pages']) + ' pages)':<24} {t['found']:>5} {t['truth']:>5} {t['precision']:>9.3f} {t['recall']:>6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
