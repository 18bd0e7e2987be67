"""Industries an article is about, from the vocabulary in ``data/industries.tsv`` (terms of the 2018 catalogue's 主导产业 column plus current ones).

Longest match wins at each position (新能源汽车, not 新能源 + 汽车); aliases count as their term
(芯片 -> 集成电路).  The result lists each term once, in order of first mention.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources


@cache
def vocabulary() -> dict[str, str]:
    """Spelling (term or alias) -> term."""
    text = resources.files("zonecrawler.facts").joinpath("data/industries.tsv").read_text("utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    out: dict[str, str] = {}
    for line in lines[1:]:
        term, aliases, _ = line.split("\t")
        out[term] = term
        for alias in filter(None, aliases.split(",")):
            out.setdefault(alias, term)
    return out


@cache
def _pattern() -> re.Pattern:
    return re.compile("|".join(map(re.escape, sorted(vocabulary(), key=len, reverse=True))))


def find_industries(text: str) -> list[str]:
    vocab, found = vocabulary(), []
    for m in _pattern().finditer(text or ""):
        term = vocab[m.group()]
        if term not in found:
            found.append(term)
    return found
