"""Counted things: ``签约项目109个``, ``规模工业企业126家``, ``新增楼宇经济企业350户``, ``92家省级开发区``.

Each count: ``raw``, ``value`` (the low end of a range such as ``2—3个``), ``value_max``,
``noun`` (what is counted: the noun after the classifier — 92家省级开发区 — or else the one
before the number, without time words, verbs and thresholds such as 亿元以上), ``classifier``
(个, 家, 户, 项 …), ``qualifier`` (null, ``over``, ``under``, ``about``, ``range``), ``span``
and ``sentence``.  Never a count: rankings (第19位, 前20名, 前进5位: 位 and 名 count only with a noun after them), durations (3个月), percentage
points (3个百分点), capacities (年产50万套), single-character Chinese numerals (一个, 两项: idioms more often than
counts), numbers inside money amounts, and any number without a noun.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from zonecrawler.facts.numbers import ARABIC, CHINESE, as_json_number, is_chinese, magnitude, parse_number
from zonecrawler.facts.text import (
    LEADING_FILLER,
    TRAILING_FILLER,
    VERB_BEFORE_NOUN,
    anchored,
    first_chars,
    phrase_before,
    sentences,
    strip_words,
)

CLASSIFIERS = "个|家|户|项|座|栋|名|位|条|批次|批|宗|件|所|支|台|套|处|场|款|人"
_COUNT_FIRST = first_chars("超过|超|逾|不少于|近|接近|将近|不到|不足|约|大约")
COUNT = re.compile(
    rf"(?:(?P<over>超过|超|逾|不少于)|(?P<under>近|接近|将近|不到|不足)|(?P<about>约|大约))?"
    rf"(?<![\d.A-Za-z第前后])(?P<num>(?:\d{{1,12}}(?:\.\d{{1,4}}(?=[万千]))?|{CHINESE}))(?P<mag>[万千](?=[多余]?(?:{CLASSIFIERS})))?(?![.\d])"
    rf"(?:(?:至|到|-|~|—|–)(?P<num2>\d{{1,12}}|{CHINESE}))?(?P<more>多|余)?"
    rf"(?P<cls>{CLASSIFIERS})(?!百分点|月|小时|工作日|季度|星期|世纪|年|亿|万|元|平方|亩|公里|米)"
)
_NUMBER_ANCHOR = re.compile(r"\d+|[零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千万]+")  # single Chinese digits count nothing
_THRESHOLD = re.compile(rf"^(?:(?:{ARABIC})?[十百千万亿]*(?:美?元)?(?:以上|及以上)|(?:超过|超)(?:{ARABIC})?[十百千万亿]+(?:美?元)?(?:以上)?)")
_MAGNITUDE_WORD = re.compile(rf"^(?:{ARABIC})?[十百千万亿]+级")
_STOP_AFTER = re.compile(
    r"落户|入驻|签约|开工|投产|竣工|落地|进驻|总投资|投资|实现|完成|达到|共计|合计|累计|分别|集中|现场|参加|参与|参会|参展|实行|实施|推进|"
    r"[的在和与及并等是为将把被从对向于已均都也共达约超近、,，。；;：:！？!?（）()“”\"\s\d]"
)
_MAX_NOUN = 16
_RANK_CLASSIFIERS = ("位", "名")
_CAPACITY = ("年产", "产能", "年产能")


def _noun_after(body: str, end: int) -> str:
    tail = _MAGNITUDE_WORD.sub("", body[end:end + 30])  # 1个千亿级主导产业集群: the noun is 主导产业集群
    stop = _STOP_AFTER.search(tail)
    noun = tail[: stop.start()] if stop else tail
    return noun[:_MAX_NOUN] if noun and "\u4e00" <= noun[0] <= "\u9fff" else ""


def _noun_before(body: str, start: int) -> str:
    phrase = strip_words(phrase_before(body, start), LEADING_FILLER, TRAILING_FILLER)
    parts = VERB_BEFORE_NOUN.split(phrase)
    if len(parts) > 1 and parts[-1]:
        phrase = parts[-1]
    phrase = strip_words(_THRESHOLD.sub("", phrase), LEADING_FILLER, TRAILING_FILLER)
    return phrase if len(phrase) <= _MAX_NOUN else ""


def find_counts(body: str, text: str, amounts: list[dict]) -> list[dict]:
    """Every count in ``body``; numbers inside ``amounts`` are skipped."""
    taken = [a["span"] for a in amounts]  # sorted by start, never overlapping
    taken_starts = [span[0] for span in taken]
    sents = sentences(body)
    out = []
    for m in anchored(COUNT, text, _NUMBER_ANCHOR, 3, _COUNT_FIRST):
        num, num2 = m["num"], m["num2"]
        if is_chinese(num) and len(num) < 2:
            continue
        i = bisect_right(taken_starts, m.start("num")) - 1
        if i >= 0 and taken[i][0] <= m.start("num") < taken[i][1]:
            continue
        if text[max(0, m.start() - 3):m.start()].endswith(_CAPACITY):
            continue  # 年产50万套: a production capacity, not a count
        low = parse_number(num)
        high = parse_number(num2) if num2 else None
        if low is not None and m["mag"]:
            low *= magnitude(m["mag"])
        if low is None or (num2 and (high is None or high <= low)):
            continue
        noun = _noun_after(body, m.end())
        if not noun and m["cls"] not in _RANK_CLASSIFIERS:  # 前进5位, 排名上升3名: places in a ranking
            noun = _noun_before(body, m.start())
        if not noun:
            continue
        qualifier = ("range" if num2 else "over" if (m["over"] or m["more"]) else "under" if m["under"]
                     else "about" if m["about"] else None)
        start = m.start() if (m["over"] or m["under"] or m["about"]) else m.start("num")
        out.append({
            "raw": body[start:m.end()],
            "value": as_json_number(low),
            "value_max": as_json_number(high) if high is not None else None,
            "noun": noun,
            "classifier": m["cls"],
            "qualifier": qualifier,
            "span": [start, m.end()],
            "sentence": sents.text_at(start),
        })
    return out
