"""Whitespace normalization: the fast str.split forms equal the regex definitions they replaced, on any text."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from zonecrawler.normalize.text import ZERO_WIDTH, clean_line, drop_chars, join_paragraphs, squash

# The regex definitions clean_line and squash were written with.
_ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACE_RUN_RE = re.compile(r"[\s\u3000\u00a0]+")
EVERY_SPACE = "".join(chr(c) for c in range(0x110000) if _SPACE_RUN_RE.fullmatch(chr(c)))

# text built mostly from the characters that matter: spaces of every kind, zero-width ones, CJK, ASCII
tricky = st.text(alphabet=st.sampled_from([*EVERY_SPACE, *ZERO_WIDTH, "甲", "乙", "a", ".", "\n"]), max_size=60)


def _clean_line_by_regex(text: str) -> str:
    return _SPACE_RUN_RE.sub(" ", _ZERO_WIDTH_RE.sub("", text)).strip()


def _squash_by_regex(text: str) -> str:
    return _SPACE_RUN_RE.sub("", _ZERO_WIDTH_RE.sub("", text))


def test_every_regex_space_is_a_str_space_and_back():
    assert all(ch.isspace() for ch in EVERY_SPACE)
    assert len(EVERY_SPACE) == sum(1 for c in range(0x110000) if chr(c).isspace())


@given(st.one_of(tricky, st.text(max_size=200)))
def test_clean_line_and_squash_equal_their_regex_definitions(text):
    assert clean_line(text) == _clean_line_by_regex(text)
    assert squash(text) == _squash_by_regex(text)


def test_clean_line_examples():
    assert clean_line("\u3000\u3000近日，\u00a0六合 \u200b经济\t开发区\n召开\u2028推进会。 ") == "近日， 六合 经济 开发区 召开 推进会。"
    assert clean_line("a\u200b \u200bb") == "a b"  # zero-width characters go before spaces are folded
    assert squash(" 标 题\u00ad\u3000") == "标题"
    assert join_paragraphs(["  第一段 ", "\u3000", "第二段\u200b"]) == "第一段\n第二段"


def test_drop_chars():
    assert drop_chars("a\u200bb\ufeffc", ZERO_WIDTH) == "abc"
    assert drop_chars("abc", "") == "abc" and drop_chars("", ZERO_WIDTH) == ""
