"""Investment events: one per clause (a sentence, or a part of it between semicolons) and kind.

Kinds and their words: ``signing`` 签约/签订/签署, ``groundbreaking`` 开工/动工/奠基,
``production`` 投产/投入生产/量产, ``completion`` 竣工/完工/建成, ``settling`` 落户/入驻/进驻/落地,
``promotion`` 招商推介/推介会/招商会/洽谈会 ….  A clause with the word but no amount, count or
company name is not an event (``力促项目早落地、早投产`` is an aim, not news), nor is a word
followed by 的 or 后 (``新落户的企业``, ``项目建成后``).  Each event:
``kind``, ``trigger`` (the word), ``text`` (the clause), ``span``, ``amounts`` / ``counts``
(indexes into ``facts.amounts`` / ``facts.counts``), ``amount_cny`` (the largest CNY amount
in the clause that is not an order of magnitude, else null), ``project_count`` (the largest
count of 项目, else null), ``companies`` and ``zone`` (the gazetteer zone the sentence names, else null).
"""

from __future__ import annotations

import re
from bisect import bisect_left

from zonecrawler.facts.companies import find_companies
from zonecrawler.facts.text import MAX_SEGMENT, clauses, sentences

KINDS = {
    "signing": "签约|签订|签署|签下",
    "groundbreaking": "开工|动工|奠基",
    "production": "投产|投入生产|量产",
    "completion": "竣工|完工|建成(?!区)",
    "settling": "落户|入驻|进驻|落地",
    "promotion": "招商推介|推介会|推介活动|招商会|招商大会|洽谈会|投资说明会|恳谈会|云招商",
}
_NOT_NEWS = {"的", "后"}
# One plain alternation (named groups would make ``re`` ~100x slower here) and a word -> kind table.
_TRIGGERS = re.compile("|".join(KINDS.values()))
_KIND_OF = [(re.compile(f"(?:{words})$"), kind) for kind, words in KINDS.items()]


def _kind(word: str) -> str:
    return next(kind for pattern, kind in _KIND_OF if pattern.match(word))


def _within(starts: list[int], start: int, end: int) -> list[int]:
    """Indexes of the facts (sorted by start) that start inside ``[start, end)``."""
    return list(range(bisect_left(starts, start), bisect_left(starts, end)))


def add_zones(body: str, events: list[dict]) -> list[dict]:
    """Set each event's ``zone`` from the sentence that holds it (the gazetteer zone it names, else None)."""
    from zonecrawler.normalize.zones import find_zone_in_text  # imported when an article has events

    sents = sentences(body)
    for event in events:
        s_start, s_end = sents.at(event["span"][0])
        zone = find_zone_in_text(body[s_start:s_end])
        event["zone"] = zone["name"] if zone else None
    return events


def find_events(body: str, text: str, amounts: list[dict], counts: list[dict]) -> list[dict]:
    """Events of ``body`` (``amounts``/``counts``: its facts, sorted by start)."""
    events: list[dict] = []
    amount_starts = [a["span"][0] for a in amounts]
    count_starts = [c["span"][0] for c in counts]
    for start, end in clauses(body).spans:
        # Text without punctuation for pages on end is read in MAX_SEGMENT pieces, so no event carries a megabyte.
        for piece in range(start, end, MAX_SEGMENT):
            events.extend(_clause_events(body, piece, min(end, piece + MAX_SEGMENT), amounts, counts,
                                         amount_starts, count_starts))
    return add_zones(body, events)


def _clause_events(body: str, start: int, end: int, amounts: list[dict], counts: list[dict],
                   amount_starts: list[int], count_starts: list[int]) -> list[dict]:
    clause = body[start:end]
    kinds: dict[str, str] = {}
    for m in _TRIGGERS.finditer(clause):
        if clause[m.end():m.end() + 1] in _NOT_NEWS:
            continue  # 新落户的企业 (a kind of firm), 项目建成后 (a prospect): not an event
        kinds.setdefault(_kind(m.group()), m.group())
    if not kinds:
        return []
    amount_ix = _within(amount_starts, start, end)
    count_ix = _within(count_starts, start, end)
    companies = find_companies(clause)
    if not (amount_ix or count_ix or companies):
        return []
    cny = [amounts[i]["value"] for i in amount_ix if amounts[i]["currency"] == "CNY" and amounts[i]["qualifier"] != "magnitude"]
    projects = [counts[i]["value"] for i in count_ix if "项目" in counts[i]["noun"]]
    lead = len(clause) - len(clause.lstrip())
    text_out = clause.strip()
    return [{
        "kind": kind,
        "trigger": trigger,
        "text": text_out,
        "span": [start + lead, start + lead + len(text_out)],
        "amounts": amount_ix,
        "counts": count_ix,
        "amount_cny": max(cny) if cny else None,
        "project_count": max(projects) if projects else None,
        "companies": companies,
        "zone": None,
    } for kind, trigger in kinds.items()]
