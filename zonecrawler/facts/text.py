"""Text helpers for fact extraction: length-preserving digit folding, sentences, clauses, cleaning a label.

Every function keeps character offsets: the folded text has the same length as the body, so
a match in it is a span of the body.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

# Full-width digits and signs -> ASCII, one character for one character (spans stay valid).
_FOLD = str.maketrans("０１２３４５６７８９．％～－", "0123456789.%~-")
_FULL_WIDTH = re.compile("[０-９．％～－]")

MAX_SEGMENT = 500
SENTENCE_END = "。！？!?\n"
CLAUSE_END = SENTENCE_END + "；;"
# Where a label or a counted noun in front of a number begins.
PHRASE_START = CLAUSE_END + ",，、：:（(）)《》"


def anchored(pattern: re.Pattern, text: str, anchors: re.Pattern, back: int, first: str):
    """What ``pattern.finditer(text)`` finds when every match covers an anchor and starts at most ``back`` before it.

    Python's ``re`` tries a pattern that starts with optional words (超过, 同比增长 …) at every
    position (~2 µs each); trying it only just before the rare anchors (a currency, a number)
    is 10-50x faster and finds the same leftmost, non-overlapping matches.  ``first`` holds
    every character a match can start with (other positions are not tried).
    """
    last_end = 0
    for a in anchors.finditer(text):
        if a.start() < last_end:
            continue
        for pos in range(max(last_end, a.start() - back), a.start() + 1):
            if text[pos] not in first:
                continue
            m = pattern.match(text, pos)
            if m is not None and m.end() > a.start():
                last_end = m.end()
                yield m
                break


def first_chars(*alternations: str) -> str:
    """The characters that can start a word of these ``a|b|c`` alternations, plus every digit and Chinese numeral."""
    return "0123456789零〇一二两三四五六七八九十" + "".join({w[0] for alt in alternations for w in alt.split("|") if w})


def fold_digits(text: str) -> str:
    return text.translate(_FOLD) if _FULL_WIDTH.search(text) else text


class Segments:
    """Sentences (or clauses) of a text as spans, and which one holds a position."""

    def __init__(self, text: str, ends: str):
        starts, spans, start = [], [], 0
        for m in re.finditer("[" + re.escape(ends) + "]", text):
            spans.append((start, m.end()))
            starts.append(start)
            start = m.end()
        if start < len(text):
            spans.append((start, len(text)))
            starts.append(start)
        self.spans, self._starts, self._text = spans, starts, text

    def at(self, pos: int) -> tuple[int, int]:
        """The segment holding ``pos``; in a segment longer than ``MAX_SEGMENT`` (text without
        punctuation), the ``MAX_SEGMENT`` characters around ``pos``, so no fact carries a megabyte."""
        start, end = self.spans[max(0, bisect_right(self._starts, pos) - 1)]
        if end - start > MAX_SEGMENT:
            start = max(start, pos - MAX_SEGMENT // 2)
            end = min(end, start + MAX_SEGMENT)
        return start, end

    def text_at(self, pos: int) -> str:
        start, end = self.at(pos)
        return self._text[start:end].strip()


@lru_cache(maxsize=4)  # the sentences and clauses of the body being read; never a pile of old bodies
def _segments(text: str, ends: str) -> Segments:
    return Segments(text, ends)


def sentences(text: str) -> Segments:
    return _segments(text, SENTENCE_END)


def clauses(text: str) -> Segments:
    return _segments(text, CLAUSE_END)


def phrase_before(text: str, pos: int, limit: int = 30) -> str:
    """The text from the last phrase boundary (punctuation) before ``pos`` up to ``pos``."""
    start = pos
    while start > 0 and pos - start < limit and text[start - 1] not in PHRASE_START:
        start -= 1
    return text[start:pos]


# Verbs a counted noun follows (园区集聚规上工业企业312家, 可新增就业岗位1500个): the noun is what comes after the last one.
VERB_BEFORE_NOUN = re.compile(r"新增|新引进|引进|集聚|聚集|拥有|现有|共有|已有|开工建设|新开工|开工|建设|培育|认定|入选|吸引|带动|推出|出台|发布|实行|实施|达产后|建成后|实现|完成")


def strip_words(text: str, leading: re.Pattern | None, trailing: re.Pattern | None) -> str:
    """Remove leading and trailing filler (time words, verbs, qualifiers) until none is left."""
    while True:
        before = text
        if leading is not None:
            text = leading.sub("", text, count=1)
        if trailing is not None:
            text = trailing.sub("", text, count=1)
        text = text.strip(" \u3000")
        if text == before:
            return text


LEADING_FILLER = re.compile(
    r"^(?:其中|全年|今年|去年|当年|同期|上半年|下半年|前三季度|一季度|二季度|三季度|四季度|前\d{1,2}个月|"
    r"\d{4}年(?:\d{1,2}[-—~至]?\d{0,2}月份?)?|\d{1,2}(?:[-—~至]\d{1,2})?月份?|年内|年度|目前|截至目前|截至|"
    r"累计|共计|合计|总计|共|已|新增|新引进|引进|完成|实现|园区|全区|全市|全县|全省|区内|开发区|该区|该市|该县|该园区|"
    r"此外|另外|同时|并|及|和|与|预计|计划将|将|拟|可|会上|现场|集中|当场|力争|争取|确保|"
    r"一批|这批|这些|以上|以及|拥有|有)"
)
TRAILING_FILLER = re.compile(
    r"(?:已经达到|已达到|已达|达到|高达|共计|合计|总计|累计|约合|约为|大约|超过|突破|接近|将近|不少于|不低于|"
    r"总拥有量|拥有量|总数|数量|总量|达|为|是|共|约|超|逾|近|计|有|已|再|实现|完成)$"
)
