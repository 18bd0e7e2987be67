"""Growth rates: ``工业投资增长23.2%``, ``同比下降5%``, ``提高3个百分点``, ``增长1.5倍``.

Each entry: ``raw`` (the rate as printed, ``23.2%``), ``subject`` (what grows: 工业投资; in
``A、B两项指标分别增长27%和23.2%`` each rate gets its own subject; when the clause names none,
the label of the amount or the noun of the count just before it in the same sentence), ``value``
(signed: 下降5% is -5), ``unit`` (``percent``, ``points`` for 个百分点, ``times`` for 倍),
``direction`` (``up``/``down``), ``verb`` (增长, 下降 …), ``span`` and ``sentence``.  Only a
rate right after a verb of change is growth: 占比30%, 提高到60% (a level) and 覆盖率95% are not.
"""

from __future__ import annotations

import re

from zonecrawler.facts.numbers import ARABIC, as_json_number, parse_number
from zonecrawler.facts.text import PHRASE_START, anchored, first_chars, sentences, strip_words

_UP = "同比增长|环比增长|增长|增加|提高|提升|上升|上涨|增幅|增速|攀升"
_DOWN = "同比下降|环比下降|下降|减少|下滑|回落|降低|降幅|缩减"
_RATE = rf"(?:{ARABIC})(?:%|个百分点|倍)"
GROWTH = re.compile(
    rf"(?:(?P<up>{_UP})|(?P<down>{_DOWN}))(?:了|达到|达|为|约|超过|超|近|逾|均为)?(?P<fen>分别为|分别)?"
    rf"(?P<rates>{_RATE}(?:(?:和|、|,|，|及|与)(?:{_RATE}))*)"
)
_RATE_ANCHOR = re.compile("%|个百分点|倍")  # the unit; the number and the verb stand before it
_ONE_RATE = re.compile(rf"(?P<num>{ARABIC})(?P<unit>%|个百分点|倍)")
_UNITS = {"%": "percent", "个百分点": "points", "倍": "times"}
_LEAD = re.compile(
    r"^(?:其中|全年|今年|去年|当年|上半年|下半年|前三季度|[一二三四]季度|\d{4}年(?:\d{1,2}[-—~至]?\d{0,2}月份?)?|"
    r"\d{1,2}(?:[-—~至]\d{1,2})?月份?|年内|此外|同时|并|和|与|实现|完成|园区|全区)"
)
_TRAIL = re.compile(
    r"(?:同比|环比|比上年同期|比去年同期|较上年同期|较去年同期|比上年|较上年|比去年|较去年|分别|均|"
    r"[两三四五六七八九十\d]+项(?:主要)?(?:经济)?指标|等(?:主要)?(?:经济)?指标|指标|的)$"
)
_LIST_SEP = re.compile(r"[、和及与]")


def _subject_phrase(text: str, pos: int) -> str:
    start = pos
    while start > 0 and pos - start < 40 and (text[start - 1] not in PHRASE_START or text[start - 1] == "、"):
        start -= 1
    return strip_words(text[start:pos], _LEAD, _TRAIL)


def find_growth(body: str, text: str, amounts: list[dict], counts: list[dict]) -> list[dict]:
    sents = sentences(body)
    out = []
    for m in anchored(GROWTH, text, _RATE_ANCHOR, 40, first_chars(_UP, _DOWN)):
        verb = m["up"] or m["down"]
        sign = -1 if m["down"] else 1
        rates = list(_ONE_RATE.finditer(text, m.start("rates"), m.end("rates")))
        subject = _subject_phrase(text, m.start())
        subjects = [subject] * len(rates)
        parts = [p for p in _LIST_SEP.split(subject) if p]
        if len(rates) > 1 and len(parts) == len(rates):
            subjects = parts
        elif "、" in subject or len(subject) > 20:
            subjects = [subject if len(rates) == 1 else None] * len(rates)
        sent_start = sents.at(m.start())[0]
        for rate, subj in zip(rates, subjects):
            if not subj:
                before = [f for f in amounts + counts if sent_start <= f["span"][0] < m.start()]
                before.sort(key=lambda f: f["span"][0])
                subj = next((f.get("label") or f.get("noun") for f in reversed(before) if f.get("label") or f.get("noun")), None)
            value = parse_number(rate["num"])
            out.append({
                "raw": body[rate.start():rate.end()],
                "subject": subj or None,
                "value": as_json_number(sign * value),
                "unit": _UNITS[rate["unit"]],
                "direction": "down" if sign < 0 else "up",
                "verb": verb,
                "span": [rate.start(), rate.end()],
                "sentence": sents.text_at(rate.start()),
            })
    return out
