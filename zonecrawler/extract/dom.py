"""Parsing and DOM walking: the page as a reader sees it, block by block."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator

from lxml import etree
from parsel import Selector

from zonecrawler.normalize.text import clean_line

# Elements that start a new line for a reader.
BLOCK_TAGS = frozenset(
    "p div br li ul ol dl dt dd tr td th table tbody thead h1 h2 h3 h4 h5 h6 section article "
    "main header footer nav aside figure figcaption blockquote pre center form hr address".split()
)
# Elements whose text a reader never sees.
INVISIBLE = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "select", "button")
_BREAK = "\n"


_EMPTY_PAGE = b"<html><body></body></html>"
_local = threading.local()
# Characters XML forbids (C0 controls but tab and line ends; U+FFFE, U+FFFF).  libxml2's HTML
# parser keeps them in text, but lxml refuses them in any text set on an element, so they are
# removed before parsing (vertical tab and form feed become spaces).  A reader never sees them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NOT_XML_TABLE = {c: None for c in [*range(0x09), *range(0x0E, 0x20), 0xFFFE, 0xFFFF]} | {0x0B: " ", 0x0C: " "}


def xml_safe(text: str) -> str:
    """``text`` without the characters XML (and so lxml) refuses; cheap when there are none."""
    return text.translate(_NOT_XML_TABLE) if _NOT_XML.search(text) else text


def _parser() -> etree.HTMLParser:
    """One lxml HTML parser per thread (parsers must not be shared between threads)."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = etree.HTMLParser(
            encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True
        )
    return parser


def _fromstring(text: str):
    """Plain lxml elements (no lxml.html class lookup: faster); None when nothing parses."""
    data = xml_safe(text).encode("utf-8", "surrogatepass") if text.strip() else _EMPTY_PAGE
    try:
        root = etree.fromstring(data, _parser())
    except (etree.XMLSyntaxError, ValueError):
        return None
    return root if root is not None and isinstance(root.tag, str) else None


def parse(text: str, url: str | None = None):
    """Parse HTML text into an lxml element tree (comments removed, scripts kept for metadata)."""
    root = _fromstring(text)
    if root is None:
        return etree.fromstring(_EMPTY_PAGE, _parser())
    if _AT_MAX_DEPTH(root):
        # Pathological nesting (thousands of unclosed tags): libxml2 drops everything below ~2,048
        # levels, so collapse long runs of opening tags and parse again before flattening.
        deeper = _fromstring(_TAG_RUN.sub(r"\1", text))
        if deeper is not None:
            root = deeper
    limit_depth(root)
    return root


def selector(root) -> Selector:
    """A parsel Selector over an already parsed tree (for CSS/XPath site selectors)."""
    return Selector(root=root, type="html")


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


_STRING = etree.XPath("string()")


def text_content(el) -> str:
    """All text inside ``el`` (no tail), as one string; like lxml.html's ``text_content()``."""
    return str(_STRING(el))


def link_text_length(el) -> int:
    """Characters of text inside links below ``el``."""
    return sum(len(text_content(a).strip()) for a in el.iter("a"))


_TEXT_NODES = etree.XPath("//text()")


def elements_with_text(root, pattern: re.Pattern) -> Iterator:
    """Each element holding a text node that matches ``pattern`` (once, document order)."""
    seen = set()
    for node in _TEXT_NODES(root):
        if not pattern.search(node):
            continue
        el = node.getparent()
        if node.is_tail and el is not None:
            el = el.getparent()
        if el is not None and el not in seen:
            seen.add(el)
            yield el


def bounded_text(el, max_chars: int) -> str | None:
    """All text inside ``el`` like :func:`text_content`, or None as soon as it exceeds ``max_chars``.

    Stops reading at the limit, so asking about a huge element costs about ``max_chars``, not its size.
    """
    parts, size = [], 0
    for chunk in el.itertext():
        size += len(chunk)
        if size > max_chars:
            return None
        parts.append(chunk)
    return "".join(parts)


def climb(el, max_chars: int, seen: set) -> Iterator[tuple[object, str]]:
    """``el`` and its ancestors with their text, while the text stays within ``max_chars``.

    Elements already in ``seen`` end the climb: their ancestors were climbed before, or their
    text was too long.  Each element looked at is added to ``seen``, the one too long too, so a
    search that climbs from many text nodes reads each element's text once (linear in the page,
    not quadratic: 10,000 label lines under one ``<div>`` read the ``<div>`` once).
    """
    while el is not None and el not in seen:
        seen.add(el)
        text = bounded_text(el, max_chars)
        if text is None:
            return
        yield el, text
        el = el.getparent()


def element_positions(root) -> dict:
    """Each element's index in document order (for "how far apart" questions)."""
    return {el: i for i, el in enumerate(iter_elements(root))}


def iter_elements(root) -> Iterator:
    """Every element below ``root`` (comments excluded), in document order."""
    for el in root.iter():
        if isinstance(el.tag, str):
            yield el

