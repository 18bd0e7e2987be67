"""Cost of fact extraction per article, against page extraction in the same run.

    python -m benchmarks.bench_facts [--rounds 7]

For the 28 articles of the investchn fixture mirror (and, alone, the seed article, the longest):
CPU time (``time.process_time``, so other processes on the machine do not count) of
``extract_article`` (bytes -> fields) and of ``extract_facts`` (title + body -> facts, events,
industries) on the same pages, best of ``--rounds`` rounds; the ratio is what facts add to the
extraction of a page.  Also a 200,000-character body (the mirror's bodies repeated, up to MAX_BODY) to show the
cost grows linearly with the body.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SITE = REPO / "fixtures" / "investchn" / "site"
SEED = "news/202202/171001.html"


def _best(fn, rounds: int, repeat: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(repeat):
            fn()
        best = min(best, (time.process_time() - start) / repeat)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)

    from zonecrawler.extract.article import extract_article
    from zonecrawler.facts import MAX_BODY, extract_facts
    from zonecrawler.normalize.zones import find_zone_in_text
    from zonecrawler.siteconfig import get_site

    site = get_site("investchn")
    pages = [("https://www.investchn.com/" + p.relative_to(SITE).as_posix(), p.read_bytes())
             for p in sorted((SITE / "news").rglob("*.html"))]
    extractions = [extract_article(url, data, site=site) for url, data in pages]
    extract_facts(None, "总投资一百二十亿元")  # cn2an and the vocabulary load once per process
    find_zone_in_text("苏州工业园区")  # the gazetteer too (a crawl loads it when its pipeline opens)

    def all_pages():
        for url, data in pages:
            extract_article(url, data, site=site)

    def all_facts():
        for ex in extractions:
            extract_facts(ex.title, ex.body)

    t_pages = _best(all_pages, args.rounds, 3) / len(pages)
    t_facts = _best(all_facts, args.rounds, 3) / len(pages)
    seed_url, seed_bytes = next((u, d) for u, d in pages if u.endswith(SEED))
    seed_ex = next(ex for ex in extractions if ex.url == seed_url)
    s_page = _best(lambda: extract_article(seed_url, seed_bytes, site=site), args.rounds, 10)
    s_facts = _best(lambda: extract_facts(seed_ex.title, seed_ex.body), args.rounds, 10)
    big = ("\n".join(ex.body for ex in extractions if ex.body) * 40)[:MAX_BODY]  # what extract_facts reads at most
    t_big = _best(lambda: extract_facts(None, big), max(1, args.rounds // 2), 1)
    mean_chars = sum(len(ex.body or "") for ex in extractions) / len(extractions)
    print(f"{len(pages)} mirror articles (mean body {mean_chars:.0f} chars): extract_article {t_pages * 1e3:.3f} ms, "
          f"extract_facts {t_facts * 1e3:.3f} ms CPU per article = {t_facts / t_pages:.1%} of page extraction")
    print(f"seed article ({len(seed_ex.body)} chars): extract_article {s_page * 1e3:.3f} ms, extract_facts "
          f"{s_facts * 1e3:.3f} ms = {s_facts / s_page:.1%}")
    print(f"{len(big):,}-character body: extract_facts {t_big:.3f} s ({t_big / len(big) * 1e6:.2f} µs per character; "
          f"seed {s_facts / len(seed_ex.body) * 1e6:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
