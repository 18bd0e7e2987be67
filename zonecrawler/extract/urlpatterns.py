"""URL patterns learned from examples: the regular expressions a registry entry's patterns would hold.

Pure.  A URL's *shape* keeps its path's fixed words and generalizes what varies by kind: digit
runs become ``\\d+`` (``\\d{6}`` when every example has six), runs of letters and digits mixed
(``t20221103``, ``9b2e6f3a``) become ``[0-9A-Za-z]+``; separators (``_ - .``) and words stay, and
so do ids every example shares (a column's ``col7788``), but not years, months, days or page numbers.  A
query keeps its parameter names (sorted, as canonical URLs have them), values generalized the
same way.  :class:`ShapeLearner` collects shapes from URLs known to be articles (or lists) and
writes them as patterns matched against ``path?query`` — the form
:meth:`zonecrawler.siteconfig.Site.is_article` uses.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import parse_qsl, urlsplit

_PARTS = re.compile(r"([._-])")
_DIGITS = re.compile(r"^\d+$")
_MIXED = re.compile(r"^(?=.*\d)[0-9A-Za-z]+$")
DIGITS, ALNUM, ANY = "\\d", "[0-9A-Za-z]+", "[^&]*"


def _token(part: str) -> tuple[str, str]:
    """A part's kind and text: ``("\\d", "202403")``, ``(ALNUM, "t20221103")``, or ``(word, word)``."""
    if _DIGITS.match(part):
        return DIGITS, part
    if _MIXED.match(part):
        return ALNUM, part
    return part, part


def _segment(text: str) -> tuple:
    return tuple(_token(p) if i % 2 == 0 else (p, p) for i, p in enumerate(_PARTS.split(text)))


def url_shape(url: str) -> tuple:
    """The shape of a URL's path and query (see the module docstring); ignores scheme and host."""
    parts = urlsplit(url)
    path = parts.path or "/"
    segments = tuple(_segment(s) for s in path.split("/")[1:])
    query = tuple((k, _segment(v)) for k, v in sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return segments, query


def _generalize(shape: tuple) -> tuple:
    """The shape's kinds only (what groups URLs: ``2024/3/5`` and ``2023/11/20`` alike)."""
    segments, query = shape
    kinds = lambda seg: tuple(t for t, _ in seg)  # noqa: E731
    return tuple(kinds(s) for s in segments), tuple((k, kinds(v)) for k, v in query)


def _varies(text: str) -> bool:
    """Digits that change from page to page: years, months, days, dates, small page numbers."""
    return len(text) <= 2 or (len(text) in (4, 6, 8) and text[:2] in ("19", "20"))


def _regex_part(tokens: list[tuple[str, str]], keep_constants: bool) -> str:
    kind = tokens[0][0]
    texts = {t for _, t in tokens}
    if kind not in (DIGITS, ALNUM):
        return re.escape(kind)
    if keep_constants and len(texts) == 1 and not (kind == DIGITS and _varies(tokens[0][1])):
        return re.escape(tokens[0][1])  # the same in every example: a column id, not an article id
    if kind == DIGITS:
        lengths = {len(t) for t in texts}
        width = lengths.pop() if len(lengths) == 1 else 0
        return f"\\d{{{width}}}" if width in (4, 6, 8) and all(_varies(t) for t in texts) else "\\d+"
    return ALNUM


def shape_regex(shapes: list[tuple], min_constant: int = 2) -> str:
    """One anchored regex matching every shape in ``shapes`` (all with the same general shape).

    Digit runs and mixed runs that are the same in at least ``min_constant`` examples stay literal
    (``col7788``, ``art_7788_``), unless they look like a date part or a page number.
    """
    keep = len(shapes) >= min_constant
    segments_list = [s[0] for s in shapes]
    out = []
    for i in range(len(segments_list[0])):
        column = [seg[i] for seg in segments_list]
        out.append("".join(_regex_part([c[j] for c in column], keep) for j in range(len(column[0]))))
    regex = "^/" + "/".join(out)
    queries = [s[1] for s in shapes]
    if queries[0]:
        pairs = []
        for i, (key, _) in enumerate(queries[0]):
            column = [q[i][1] for q in queries]
            value = "".join(_regex_part([c[j] for c in column], keep) for j in range(len(column[0])))
            pairs.append(f"{re.escape(key)}={value or ANY}")
        regex += "\\?" + "&".join(pairs)
    return regex + "$"


class ShapeLearner:
    """Shapes of the URLs seen so far (articles, or lists), and the patterns they make."""

    def __init__(self, min_constant: int = 2):
        self.groups: dict[tuple, Counter] = {}
        self.count = 0
        self.min_constant = min_constant  # examples that keep a shared id literal (lists: 1)

    def add(self, url: str) -> bool:
        """Remember a URL; True when its general shape is new."""
        shape = url_shape(url)
        key = _generalize(shape)
        new = key not in self.groups
        self.groups.setdefault(key, Counter())[shape] += 1
        self.count += 1
        return new

    def matches(self, url: str) -> bool:
        """Does the URL have a shape seen before (digit-run lengths aside)?"""
        return _generalize(url_shape(url)) in self.groups

    def patterns(self, min_share: float = 0.0) -> list[str]:
        """One regex per general shape, most frequent first; shapes below ``min_share`` of the URLs left out."""
        ranked = sorted(self.groups.items(), key=lambda kv: -sum(kv[1].values()))
        out = []
        for _, shapes in ranked:
            if self.count and sum(shapes.values()) / self.count < min_share:
                continue
            regex = shape_regex(list(shapes), self.min_constant)
            if regex not in out:
                out.append(regex)
        return out


def learn_patterns(urls: list[str], min_share: float = 0.0, min_constant: int = 2) -> list[str]:
    """Patterns (regexes on ``path?query``) covering ``urls``."""
    learner = ShapeLearner(min_constant)
    for url in urls:
        learner.add(url)
    return learner.patterns(min_share)
