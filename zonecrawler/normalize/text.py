"""Whitespace and paragraph normalization shared by extraction and records."""

from __future__ import annotations

from collections.abc import Iterable

# Zero-width and BOM characters that survive HTML decoding and break comparisons (and the soft hyphen).
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"

# Whitespace below is what ``str.split()`` splits on: every character with ``str.isspace()``,
# which are exactly the characters regex ``\s`` matches, full-width space (U+3000) and NBSP
# (U+00A0) among them.  Splitting and joining is several times faster than a regex substitution.


def drop_chars(text: str, chars: str) -> str:
    """``text`` without any of ``chars`` (each one scanned for, removed only when present)."""
    for char in chars:
        if char in text:
            text = text.replace(char, "")
    return text


def clean_line(text: str) -> str:
    """One paragraph: strip ends, fold inner whitespace runs to one space, drop zero-width chars."""
    return " ".join(drop_chars(text, ZERO_WIDTH).split())


def join_paragraphs(paragraphs: Iterable[str]) -> str:
    """Clean each paragraph, drop empty ones and join with a single newline."""
    return "\n".join(p for p in (clean_line(x) for x in paragraphs) if p)


def squash(text: str) -> str:
    """Remove all whitespace: used for fuzzy comparisons of Chinese text."""
    return "".join(drop_chars(text, ZERO_WIDTH).split())
