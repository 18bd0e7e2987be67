"""List pages: which links are articles, which are further list pages (pagination, sub-lists).

Pure: takes (url, html) and the site's URL patterns.  Pagination is recognised by
what a reader clicks (下一页, 下页, », ›, next), not by markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urldefrag, urlsplit

from zonecrawler.extract.decode import decode_html
from zonecrawler.extract.dom import parse
from zonecrawler.extract.links import absolute_link, base_url, page_anchors, page_links  # noqa: F401 - re-exported
from zonecrawler.extract.pagination import NEXT_PAGE_TEXT
from zonecrawler.normalize.urls import canonicalize_url
from zonecrawler.siteconfig import Site, url_port



@dataclass
class Listing:
    """Links found on a page, split by what the site's patterns say they are."""

    articles: list[str] = field(default_factory=list)
    lists: list[str] = field(default_factory=list)
    next_pages: list[str] = field(default_factory=list)
    bad_links: list[str] = field(default_factory=list)  # hrefs skipped as malformed
    discovered: object = None  # Discovered links, when the site's article patterns matched no link here


def _same_site(url: str, page_origin: tuple, site: Site) -> bool:
    """On the page's own origin (host and port), or on the site (an allowed domain on one of its ports)."""
    parts = urlsplit(url)
    if (parts.hostname, url_port(parts)) == page_origin:
        return True
    return site.allows(url)


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
    """Article links, list links and next-page links on a page, each once, in page order.

    Links the page's scripts hold (a TRS ``createPageHTML`` pager, Hanweb records and their
    ``dataproxy.jsp`` pages) are classified like the page's own links.  When the site's article
    patterns match no link, the links found without patterns are in ``listing.discovered``.
    """
    if isinstance(html, bytes):
        html, _ = decode_html(html, http_charset)
    from zonecrawler.extract.discovery import discover_links, script_links  # discovery builds on this module

    root = parse(html, url)
    bad: list[str] = []
    anchors = page_anchors(root, url, bad)
    page_url = canonicalize_url(urldefrag(url)[0])
    scripted = script_links(page_url, html, site.max_list_pages)
    links = [(link, text) for _, link, text in anchors] + scripted.records + [(u, "") for u in scripted.pages]
    listing = classify_links(url, links, site)
    listing.bad_links = bad
    if not listing.articles:
        listing.discovered = discover_links(url, root, html, anchors, site.max_list_pages)[0]
    return listing
