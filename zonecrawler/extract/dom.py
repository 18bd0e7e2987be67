"""Parsing and DOM walking: the page as a reader sees it, block by block."""

from __future__ import annotations

import re
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
    if _AT_MAX_DEPTH(root):
        # Pathological nesting (thousands of unclosed tags): libxml2 drops everything below ~2,048
        # levels, so collapse long runs of opening tags and parse again before flattening.
        deeper = Selector(text=_TAG_RUN.sub(r"\1", text), base_url=url or "", type="html")
        if isinstance(getattr(deeper.root, "tag", None), str):
            sel, root = deeper, deeper.root
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    limit_depth(root)
    return sel


# Markup nested deeper than this (5,000 unclosed <font>s) is flattened, so the recursive walkers
# here stay far below Python's recursion limit.  Real pages nest a few dozen levels.
MAX_DEPTH = 200
_AT_MAX_DEPTH = etree.XPath("/" + "/".join(["*"] * MAX_DEPTH))
_TAG_RUN = re.compile(r"(<[A-Za-z][^<>]*>)(?:\s*<[A-Za-z][^<>]*>){31,}")  # 32+ opening tags, no text between


def limit_depth(root) -> int:
    """Flatten everything below depth ``MAX_DEPTH`` into text and ``<br>``s (block ends become breaks).

    The visible text is kept in order; only structure below the limit is lost.  Returns how many
    elements were flattened.  Cheap when nothing is that deep (one XPath step per level).
    """
    flattened = 0
    for el in _AT_MAX_DEPTH(root):
        chunks = [el.text or ""]
        walker = etree.iterwalk(el, events=("start", "end"))
        for event, node in walker:
            if node is el:
                continue
            tag = tag_of(node)
            if event == "start":
                if tag in INVISIBLE:
                    walker.skip_subtree()  # its "end" still comes, with its tail
                    continue
                if tag in BLOCK_TAGS:
                    chunks.append("")
                chunks[-1] += node.text or ""
                flattened += 1
            else:
                if tag in BLOCK_TAGS:
                    chunks.append("")
                chunks[-1] += node.tail or ""
        for child in list(el):
            el.remove(child)
        el.text = chunks[0]
        for chunk in chunks[1:]:
            br = etree.SubElement(el, "br")
            br.tail = chunk
    return flattened


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

