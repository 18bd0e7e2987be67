"""RSS and Atom feeds: the article links a feed lists.

Pure: bytes in, links out (absolute, canonical, in feed order).  RSS ``<item><link>`` (or a
permalink ``<guid>``), Atom ``<entry><link href>`` (``rel="alternate"`` or no ``rel``).  A feed
that does not parse gives no links.
"""

from __future__ import annotations

from lxml import etree

from zonecrawler.extract.links import absolute_link

_PARSER_OPTIONS = {"recover": True, "resolve_entities": False, "no_network": True, "huge_tree": False}


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def feed_links(body: bytes, feed_url: str) -> list[str]:
    """Links of the entries of an RSS or Atom feed."""
    try:
        root = etree.fromstring(body, etree.XMLParser(**_PARSER_OPTIONS))
    except (etree.XMLSyntaxError, ValueError):
        return []
    if root is None:
        return []
    found: list[str] = []
    for el in root.iter():
        name = _local(el.tag)
        if name not in ("item", "entry"):
            continue
        href = None
        for child in el:
            child_name = _local(child.tag)
            if child_name == "link":
                if child.get("href") and (child.get("rel") or "alternate") == "alternate":
                    href = child.get("href")
                elif (child.text or "").strip():
                    href = child.text.strip()
                if href:
                    break
            elif child_name == "guid" and (child.get("isPermaLink") or "true") == "true" and (child.text or "").strip():
                href = href or child.text.strip()
        if not href:
            continue
        try:
            link = absolute_link(feed_url, href)
        except ValueError:
            continue
        if link and link not in found:
            found.append(link)
    return found
