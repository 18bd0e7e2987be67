"""Machine-readable metadata: Chinese government CMS meta tags, JSON-LD and OpenGraph.

Each reader returns plain strings keyed by record field (title, date, source,
site_name, column) so the layered extractor can take them in order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

# Government CMS (TRS, 大汉, 政务云) meta names -> record field.
CMS_META = {
    "articletitle": "title",
    "pubdate": "date",
    "firstpublishedtime": "date",
    "contentsource": "source",
    "source": "source",
    "author": "author",
    "sitename": "site_name",
    "columnname": "column",
}
OPENGRAPH = {
    "og:title": "title",
    "og:site_name": "site_name",
    "article:published_time": "date",
    "og:release_date": "date",
}
_NEWS_TYPES = {"newsarticle", "article", "reportagenewsarticle", "blogposting", "webpage"}


def _meta_pairs(root) -> Iterator[tuple[str, str]]:
    for meta in root.iter("meta"):
        key = (meta.get("name") or meta.get("property") or "").strip().lower()
        value = (meta.get("content") or "").strip()
        if key and value:
            yield key, value


def _mapped_meta(root, mapping: dict[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, value in _meta_pairs(root):
        name = mapping.get(key)
        if name and name not in found:
            found[name] = value
    return found


def cms_meta(root) -> dict[str, str]:
    """Fields from ``<meta name="ArticleTitle">``-style government CMS tags."""
    return _mapped_meta(root, CMS_META)


def opengraph(root) -> dict[str, str]:
    """Fields from OpenGraph / article: meta properties."""
    return _mapped_meta(root, OPENGRAPH)


def _walk_ld(node) -> Iterator[dict]:
    """Every object of a JSON-LD document, top level and ``@graph`` members, in document order.

    Iterative (a stack, not recursion): JSON nested as deep as the parser allows cannot
    exhaust Python's call stack here.
    """
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            yield node
            if "@graph" in node:
                stack.append(node["@graph"])


def _name(value) -> str | None:
    """A string value, or the ``name`` of an object, or the first item of a list of those."""
    while isinstance(value, (dict, list)):
        if isinstance(value, dict):
            value = value.get("name")
        else:
            value = value[0] if value else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def json_ld(root) -> dict[str, str]:
    """Fields from the first JSON-LD ``NewsArticle``/``Article`` object; bad JSON is ignored."""
    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except (ValueError, RecursionError):  # RecursionError: arrays or objects nested ~1,000+ deep
            continue
        for node in _walk_ld(data):
            kind = node.get("@type")
            kinds = {k.lower() for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)}
            if not kinds & _NEWS_TYPES:
                continue
            found = {
                "title": _name(node.get("headline") or node.get("name")),
                "date": _name(node.get("datePublished") or node.get("dateCreated")),
                "author": _name(node.get("author")),
                "site_name": _name(node.get("publisher")),
                "body": _name(node.get("articleBody")),
            }
            return {k: v for k, v in found.items() if v}
    return {}
