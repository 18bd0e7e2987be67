"""Whitespace and paragraph normalization shared by extraction and records."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Zero-width and BOM characters that survive HTML decoding and break comparisons.
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# Every whitespace run, including full-width space (U+3000) and NBSP (U+00A0).
_SPACE_RUN = re.compile(r"[\s\u3000\u00a0]+")


def clean_line(text: str) -> str:
    """One paragraph: strip ends, fold inner whitespace runs to one space, drop zero-width chars."""
    text = _ZERO_WIDTH.sub("", text)
    return _SPACE_RUN.sub(" ", text).strip()


def join_paragraphs(paragraphs: Iterable[str]) -> str:
    """Clean each paragraph, drop empty ones and join with a single newline."""
    return "\n".join(p for p in (clean_line(x) for x in paragraphs) if p)


def squash(text: str) -> str:
    """Remove all whitespace: used for fuzzy comparisons of Chinese text."""
    return _SPACE_RUN.sub("", _ZERO_WIDTH.sub("", text))
