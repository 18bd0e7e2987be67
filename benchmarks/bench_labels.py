"""How extraction time grows with the number of label lines on a page: the slope should be 1 (linear).

    python -m benchmarks.bench_labels [--sizes 1000,10000,100000] [--rounds 3] [--no-quadratic]

Pages are generated here (own markup, invented text), one page per (form, size):
  label_paragraphs   ``<p>来源：单位N 发布时间：2022-02-17</p>`` siblings under one ``<div>``
  nested_spans       ``<div><span>来源：单位N</span></div>`` siblings (the label two levels down)
  br_lines           ``来源：单位N<br>`` lines inside one ``<div>`` (one huge text block)
Measured in this run, per page: ``extract_article`` (all layers: labels, breadcrumb, title, body),
``find_meta_line`` alone (the label search), and ``lxml`` parsing of the same text (the floor).
The slope is log(t_big / t_small) / log(n_big / n_small) between consecutive sizes: 1.0 is linear,
2.0 quadratic.  The baseline ``quadratic`` row is the previous label search (each label line re-read
the text of every ancestor up to the first too-long one), run at the sizes below 100,000 only
(at 100,000 it takes many minutes).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from contextlib import contextmanager

FORMS = {
    "label_paragraphs": ("<div>", "<p>来源：单位{i} 发布时间：2022-02-17</p>", "</div>"),
    "nested_spans": ("", "<div><span>来源：单位{i}</span></div>", ""),
    "br_lines": ("<div>", "来源：单位{i}<br>", "</div>"),
}


def make_page(form: str, lines: int) -> bytes:
    head, row, tail = FORMS[form]
    rows = "".join(row.format(i=i) for i in range(lines))
    return (
        "<html><head><meta charset='utf-8'><title>标签行-测试站</title></head><body><h1>标签行测试文章</h1>"
        f"{head}{rows}{tail}<p>正文段落，开发区推进项目建设。</p></body></html>"
    ).encode()


@contextmanager
def quadratic_climb():
    """The label search as it was: every climb re-reads each ancestor's whole text."""
    from zonecrawler.extract import article, breadcrumb, dom

    def old_climb(el, max_chars, seen):
        while el is not None and el not in seen:
            text = dom.text_content(el)
            if len(text) > max_chars:
                return
            seen.add(el)
            yield el, text
            el = el.getparent()

    saved = article.climb, breadcrumb.climb
    article.climb = breadcrumb.climb = old_climb
    try:
        yield
    finally:
        article.climb, breadcrumb.climb = saved


def _best(fn, rounds: int) -> float:
    best = math.inf
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def measure(form: str, lines: int, rounds: int, with_quadratic: bool) -> dict:
    from zonecrawler.extract.article import extract_article, find_meta_line
    from zonecrawler.extract.decode import decode_html
    from zonecrawler.extract.dom import parse

    data = make_page(form, lines)
    text, _ = decode_html(data)
    url = "http://127.0.0.1/bench/label.html"
    row = {
        "parse": _best(lambda: parse(text), rounds),
        "labels": _best(lambda: find_meta_line(parse(text)), rounds),
        "extract": _best(lambda: extract_article(url, data), rounds),
    }
    if with_quadratic:
        with quadratic_climb():
            row["quadratic"] = _best(lambda: find_meta_line(parse(text)), 1)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--rounds", type=int, default=3, help="best of this many runs (one at 100,000 lines and up)")
    parser.add_argument("--no-quadratic", action="store_true", help="skip the previous (quadratic) search")
    args = parser.parse_args(argv)
    from benchmarks.common import machine_note

    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"# label-line scaling; {machine_note()}")
    print("| form | lines | lxml parse s | label search s | extract_article s | µs/line | slope | quadratic search s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for form in FORMS:
        previous = None
        for lines in sizes:
            rounds = 1 if lines >= 100_000 else args.rounds
            row = measure(form, lines, rounds, not args.no_quadratic and lines < 100_000)
            slope = (math.log(row["extract"] / previous[1]) / math.log(lines / previous[0])) if previous else None
            previous = (lines, row["extract"])
            quad = f"{row['quadratic']:.3f}" if "quadratic" in row else "—"
            print(f"| {form} | {lines:,} | {row['parse']:.3f} | {row['labels']:.3f} | {row['extract']:.3f} "
                  f"| {row['extract'] / lines * 1e6:.1f} | {'' if slope is None else f'{slope:.2f}'} | {quad} |",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
