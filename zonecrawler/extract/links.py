"""Links on a parsed page: absolute, canonical, in page order; malformed ones counted, not fatal.

Pure.  Shared by list pages (:mod:`zonecrawler.extract.listing`), discovery and articles.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from zonecrawler.extract.dom import text_content
from zonecrawler.normalize.text import clean_line
from zonecrawler.normalize.urls import canonicalize_url

_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "#")


def base_url(root, url: str) -> str:
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


def page_anchors(root, url: str, bad: list[str] | None = None) -> list[tuple[object, str, str]]:
    """``(element, canonical absolute URL, anchor text)`` of every http(s) link on a parsed page, in page order.

    Canonical form drops tracking parameters (utm_*, spm, from, ...), so variants of one link
    match the site's patterns and collapse into one request.  A malformed link is skipped on
    its own (the rest of the page still counts); its ``href`` is appended to ``bad`` if given.
    """
    return list(_anchors(root, url, True, bad))


def _anchors(root, url: str, with_text: bool, bad: list[str] | None):
    base = base_url(root, url)
    origin = _origin(base)
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.lower().startswith(_SKIP_SCHEMES):
            continue
        try:
            link = absolute_link(base, href, origin)
        except ValueError:
            if bad is not None:
                bad.append(href)
            continue
        if link is not None:
            yield a, link, clean_line(text_content(a)) if with_text else ""


def page_links(root, url: str, with_text: bool = True, bad: list[str] | None = None) -> list[tuple[str, str]]:
    """``(canonical absolute URL, anchor text)`` of every http(s) link on a parsed page (see :func:`page_anchors`)."""
    return [(link, text) for _, link, text in _anchors(root, url, with_text, bad)]
