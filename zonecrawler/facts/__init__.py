"""Investment facts in an article's text: money amounts, counts, growth rates, investment events, industries.

Pure functions of strings (no Scrapy, no I/O beyond the package's own vocabulary file):
:func:`extract_facts` takes a record's ``title`` and ``body`` and returns the record's
``facts``, ``events`` and ``industries`` fields.  Every span is a ``[start, end)`` pair of
character offsets into ``body``.  Precision comes first: a number is a fact only when its
unit (元, 个/家/户, %) and its context say so; years, dates, phone numbers, rankings
(第19位, 前20名) and shares (占比30%) are never facts.

Modules: ``text`` (sentences, clauses, digit folding), ``numbers`` (Arabic and Chinese
numerals, magnitudes), ``amounts``, ``counts``, ``growth``, ``companies``, ``events``,
``industries`` (vocabulary in ``data/industries.tsv``).
"""

from __future__ import annotations

from zonecrawler.facts.amounts import find_amounts
from zonecrawler.facts.counts import find_counts
from zonecrawler.facts.events import find_events
from zonecrawler.facts.growth import find_growth
from zonecrawler.facts.industries import find_industries
from zonecrawler.facts.text import fold_digits

# Bounds for hostile or broken pages (a real article has a few thousand characters and a few dozen facts):
# facts are read from the first MAX_BODY characters of the body, and each list keeps its first MAX_PER_KIND.
MAX_BODY = 200_000
MAX_PER_KIND = 500


def extract_facts(title: str | None, body: str | None) -> dict:
    """``{"facts": {"amounts", "counts", "growth"}, "events": [...], "industries": [...]}`` for one article."""
    body = body[:MAX_BODY] if body else body
    industries = find_industries("\n".join(t for t in (title, body) if t))
    if not body:
        return {"facts": {"amounts": [], "counts": [], "growth": []}, "events": [], "industries": industries}
    text = fold_digits(body)
    amounts = find_amounts(body, text)[:MAX_PER_KIND]
    counts = find_counts(body, text, amounts)[:MAX_PER_KIND]
    growth = find_growth(body, text, amounts, counts)[:MAX_PER_KIND]
    events = find_events(body, text, amounts, counts)[:MAX_PER_KIND]
    return {"facts": {"amounts": amounts, "counts": counts, "growth": growth}, "events": events, "industries": industries}


__all__ = ["extract_facts"]
