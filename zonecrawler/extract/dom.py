"""Parsing and DOM walking: the page as a reader sees it, block by block."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from lxml import etree
from parsel import Selector

from zonecrawler.text import clean_line

# Elements that start a new line for a reader.
BLOCK_TAGS = frozenset(
    "p div br li ul ol dl dt dd tr td th table tbody thead h1 h2 h3 h4 h5 h6 section article "
    "main header footer nav aside figure figcaption blockquote pre center form hr address".split()
)
# Elements whose text a reader never sees.
INVISIBLE = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "select", "button")
_BREAK = "\n"


def parse(text: str, url: str | None = None) -> Selector:
    """Parse HTML text into a parsel Selector (comments removed, scripts kept for metadata)."""
    if not text.strip():
        text = "<html><body></body></html>"
    sel = Selector(text=text, base_url=url or "", type="html")
    root = sel.root
    if not isinstance(getattr(root, "tag", None), str):
        return Selector(text="<html><body></body></html>", type="html")
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    return sel


def strip_invisible(root) -> None:
    """Remove scripts, styles and other elements a reader never sees (their tails stay)."""
    etree.strip_elements(root, *INVISIBLE, with_tail=False)


def tag_of(el) -> str:
    """Lower-case tag name, or '' for comments and other non-elements."""
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else ""


def _flow(el, out: list[str], skip: frozenset | set, stop: set) -> bool:
    """Append the reader-visible text of ``el`` to ``out``; returns False once a stop element is met."""
    if el in stop:
        return False
    if el in skip:
        return True
    tag = tag_of(el)
    is_block = tag in BLOCK_TAGS
    if is_block:
        out.append(_BREAK)
    if el.text and tag:
        out.append(el.text.replace("\n", " ").replace("\r", " "))
    for child in el:
        if not _flow(child, out, skip, stop):
            return False
        if child.tail:
            out.append(child.tail.replace("\n", " ").replace("\r", " "))
    if is_block:
        out.append(_BREAK)
    return True


def lines(el, skip: Iterable = (), stop: Iterable = ()) -> list[str]:
    """Visible text of ``el`` as cleaned non-empty lines, one per block.

    Subtrees in ``skip`` are left out; walking ends at the first element in ``stop``.
    """
    out: list[str] = []
    _flow(el, out, frozenset(skip), set(stop))
    return [line for line in (clean_line(x) for x in "".join(out).split(_BREAK)) if line]


def text_of(el) -> str:
    """All visible text of ``el`` on one line."""
    return " ".join(lines(el))


def own_text(el) -> str:
    """Text directly inside ``el`` and inline children other than links, excluding block children."""
    parts = [el.text or ""]
    for child in el:
        tag = tag_of(child)
        if tag and tag not in BLOCK_TAGS and tag != "a":
            parts.append(own_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def link_text_length(el) -> int:
    """Characters of text inside links below ``el``."""
    return sum(len("".join(a.itertext()).strip()) for a in el.iter("a"))


def iter_elements(root) -> Iterator:
    """Every element below ``root`` (comments excluded), in document order."""
    for el in root.iter():
        if isinstance(el.tag, str):
            yield el

