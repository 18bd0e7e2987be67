"""URL identity: canonical URLs, record ids derived from them, and whitespace-blind content hashes.

Canonicalization is lossless for everything that can change which page is
served: path case, query values (never decoded, so GBK-encoded values survive)
and the order of repeated keys are kept.  It lower-cases scheme and host, drops
default ports, fragments and tracking parameters (``TRACKING_PARAMS``), sorts the
query by key and normalizes percent-escapes (upper-case hex, non-ASCII encoded
as UTF-8).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from zonecrawler.normalize.text import drop_chars

# Query keys dropped during canonicalization (compared case-insensitively),
# plus every key starting with ``utm_``.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "spm",  # Alibaba/Taobao "super position model" click tracking
        "gclid",  # Google Ads click id
        "fbclid",  # Facebook click id
        "msclkid",  # Microsoft Ads click id
        "from",  # share origin (WeChat/Weibo/app shares: from=singlemessage, from=timeline)
        "isappinstalled",  # WeChat share flag
        "share_token",  # app share token
        "_t",  # cache-busting timestamp
        "_",  # jQuery cache-busting timestamp
    }
)
TRACKING_PREFIXES: tuple[str, ...] = ("utm_",)
DEFAULT_PORTS: dict[str, str] = {"http": "80", "https": "443"}

# RFC 3986 characters left as they are; everything else is percent-encoded.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_PART_SAFE = "/?%:@!$'()*+,;=-._~"
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
# removed from content hashes along with whitespace (not the soft hyphen: hashes in stores stay valid)
_HASHED_AWAY = "\u200b\u200c\u200d\u2060\ufeff"


def _escapes_upper(text: str) -> str:
    """``%e5`` -> ``%E5`` so equivalent escapes compare equal."""
    return _ESCAPE.sub(lambda m: m.group(0).upper(), text)


def _encode(text: str, safe: str) -> str:
    """Percent-encode characters outside ``safe`` (existing escapes kept) and upper-case escapes."""
    return _escapes_upper(quote(text, safe=safe, errors="surrogatepass"))


def _netloc(scheme: str, netloc: str) -> str:
    """Lower-cased host with the default port (and an empty port) removed; user info kept."""
    userinfo, at, hostport = netloc.rpartition("@")
    if hostport.startswith("["):  # IPv6 literal
        bracket = hostport.find("]")
        host, port = (hostport[: bracket + 1], hostport[bracket + 2 :]) if bracket >= 0 else (hostport, "")
    else:
        host, _, port = hostport.partition(":")
    host = host.lower()
    if port in ("", DEFAULT_PORTS.get(scheme)):
        return f"{userinfo}{at}{host}"
    return f"{userinfo}{at}{host}:{port}"


def is_tracking_param(key: str) -> bool:
    """Whether a (raw, possibly percent-encoded) query key is a tracking parameter."""
    name = unquote(key).strip().lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def _query(query: str) -> str:
    """Tracking keys dropped, remaining ``key=value`` pairs sorted by key (stable), escapes normalized."""
    pairs: list[tuple[str, str | None]] = []
    for part in query.split("&"):
        if not part:
            continue
        key, eq, value = part.partition("=")
        if is_tracking_param(key):
            continue
        pairs.append((_encode(key, _QUERY_PART_SAFE), _encode(value, _QUERY_PART_SAFE + "=") if eq else None))
    pairs.sort(key=lambda pair: pair[0])
    return "&".join(key if value is None else f"{key}={value}" for key, value in pairs)


@lru_cache(maxsize=8192)  # pages repeat their navigation links; a crawl canonicalizes each many times
def canonicalize_url(url: str) -> str:
    """The canonical form of ``url`` used for ids and de-duplication (see module docstring)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # e.g. an unbalanced IPv6 bracket: nothing sensible to normalize
        return url.strip()
    scheme = parts.scheme.lower()
    path = _encode(parts.path, _PATH_SAFE) or "/"
    return urlunsplit((scheme, _netloc(scheme, parts.netloc), path, _query(parts.query), ""))


def record_id(url: str) -> str:
    """First 16 hex digits of the SHA-1 of the canonical URL."""
    return hashlib.sha1(canonicalize_url(url).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _squeeze(text: str | None) -> str:
    """``text`` without whitespace (see :mod:`zonecrawler.normalize.text`) and zero-width characters."""
    return "".join(drop_chars(text or "", _HASHED_AWAY).split())


def content_hash(title: str | None, body: str | None) -> str:
    """SHA-1 hex of title + "\\n" + body with all whitespace (and zero-width chars) removed."""
    return hashlib.sha1(f"{_squeeze(title)}\n{_squeeze(body)}".encode("utf-8", "surrogatepass")).hexdigest()
