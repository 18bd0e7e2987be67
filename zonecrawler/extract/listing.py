"""List pages: which links are articles, which are further list pages (pagination, sub-lists).

Pure: takes (url, html) and the site's URL patterns.  Pagination is recognised by
what a reader clicks (下一页, 下页, », ›, next), not by markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

from zonecrawler.extract.decode import decode_html
from zonecrawler.extract.dom import parse, text_content
from zonecrawler.normalize.text import clean_line
from zonecrawler.normalize.urls import canonicalize_url
from zonecrawler.siteconfig import Site, url_port

NEXT_PAGE_TEXT = re.compile(r"^(?:下一页|下页|下一頁|下頁|后页|后一页|下一页\s*>+|>|›|»|>>|next(?:\s*page)?\s*>*)$", re.I)
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "#")


@dataclass
class Listing:
    """Links found on a page, split by what the site's patterns say they are."""

    articles: list[str] = field(default_factory=list)
    lists: list[str] = field(default_factory=list)
    next_pages: list[str] = field(default_factory=list)
    bad_links: list[str] = field(default_factory=list)  # hrefs skipped as malformed


def _same_site(url: str, page_origin: tuple, site: Site) -> bool:
    """On the page's own origin (host and port), or on the site (an allowed domain on one of its ports)."""
    parts = urlsplit(url)
    if (parts.hostname, url_port(parts)) == page_origin:
        return True
    return site.allows(url)


def _base_url(root, url: str) -> str:
    """The page's ``<base href>`` made absolute, or its own URL (also when the base is malformed)."""
    base = root.find(".//base")
    href = base.get("href") if base is not None else None
    if not href:
        return url
    try:
        return urljoin(url, href.strip())
    except ValueError:
        return url


def _origin(url: str) -> str | None:
    """``scheme://netloc`` of an http(s) URL with a valid host and port, else None."""
    try:
        parts = urlsplit(url)
        if parts.scheme.lower() in ("http", "https") and parts.hostname and parts.port != 0:
            return f"{parts.scheme}://{parts.netloc}"
    except ValueError:
        pass
    return None


def _fast_join(origin: str | None, href: str) -> tuple[str | None, bool]:
    """``(joined URL, already known valid)`` for the forms most links take, or ``(None, False)``.

    Gives what ``urljoin`` gives, at a fraction of its cost: an absolute http(s) URL is itself
    (``urljoin`` removes no dot segments from those), ``//host/x`` takes the base's scheme, and
    a root-relative path without dot segments is the base's origin plus the path (valid: it
    shares the base's already checked host and port).  Everything else goes through ``urljoin``.
    """
    if "\\" in href:
        return None, False
    head = href[:8].lower()
    if head.startswith(("http://", "https://")):
        return href, False
    if origin is None:
        return None, False
    if href[:2] == "//" and href[2:3] not in ("", "/", "?", "#"):
        return origin.partition(":")[0] + ":" + href, False
    if href[:1] == "/" and href[1:2] != "/" and "/." not in href:
        return origin + href, True
    return None, False


def absolute_link(base_url: str, href: str, origin: str | None = None) -> str | None:
    """The canonical absolute http(s) URL an ``href`` points to; None for other schemes.

    ``origin`` (``_origin(base_url)``, computed once per page) enables the fast paths of
    ``_fast_join``.  Raises ``ValueError`` for a link no client could request
    (``http://[SITE_URL]/…``, a port above 65535, no host).
    """
    joined, valid = _fast_join(origin, href)
    if joined is None:
        joined = urljoin(base_url, href)
    link = canonicalize_url(joined.partition("#")[0])
    if valid:
        return link
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https"):
        return None
    if not parts.hostname or parts.port == 0:  # .port raises ValueError when out of range or not a number
        raise ValueError(f"no host or port in {href!r}")
    return link


def page_links(root, url: str, with_text: bool = True, bad: list[str] | None = None) -> list[tuple[str, str]]:
    """``(canonical absolute URL, anchor text)`` of every http(s) link on a parsed page, in page order.

    Canonical form drops tracking parameters (utm_*, spm, from, ...), so variants of one link
    match the site's patterns and collapse into one request.  A malformed link is skipped on
    its own (the rest of the page still counts); its ``href`` is appended to ``bad`` if given.
    """
    base_url = _base_url(root, url)
    origin = _origin(base_url)
    found = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.lower().startswith(_SKIP_SCHEMES):
            continue
        try:
            link = absolute_link(base_url, href, origin)
        except ValueError:
            if bad is not None:
                bad.append(href)
            continue
        if link is not None:
            found.append((link, clean_line(text_content(a)) if with_text else ""))
    return found


def classify_links(url: str, links: list[tuple[str, str]], site: Site) -> Listing:
    """Split a page's links into articles, list pages and next pages by the site's patterns."""
    page = urlsplit(url)
    page_origin = (page.hostname, url_port(page))
    page_url = canonicalize_url(urldefrag(url)[0])
    listing, seen = Listing(), set()
    for link, text in links:
        if not _same_site(link, page_origin, site):
            continue
        is_next = bool(text) and bool(NEXT_PAGE_TEXT.match(text))
        if is_next and link not in listing.next_pages and link != page_url:
            listing.next_pages.append(link)
        if link in seen:
            continue
        seen.add(link)
        if site.is_article(link):
            listing.articles.append(link)
        elif (site.is_list(link) or is_next) and link != page_url:
            listing.lists.append(link)
    return listing


def parse_listing(url: str, html: bytes | str, site: Site, http_charset: str | None = None) -> Listing:
    """Article links, list links and next-page links on a page, each once, in page order."""
    if isinstance(html, bytes):
        html, _ = decode_html(html, http_charset)
    bad: list[str] = []
    listing = classify_links(url, page_links(parse(html, url), url, bad=bad), site)
    listing.bad_links = bad
    return listing
