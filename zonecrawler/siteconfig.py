"""The site registry: one TOML file per site in ``zonecrawler/sites/`` (or a user folder).

Everything that differs between sites lives here, so a user can add a site or fix
selectors without touching the spiders or the extractor.  Files are validated on
load; errors name the file and the bad key.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from zonecrawler.normalize.urls import canonicalize_url

SELECTOR_FIELDS = ("title", "date", "source", "zone", "body", "breadcrumb", "author")
POLITENESS_KEYS = {
    "download_delay": (int, float),
    "concurrent_requests_per_domain": (int,),
    "autothrottle_target_concurrency": (int, float),
    "obey_robots": (bool,),
}
_KEYS = {
    "name": str, "label": str, "start_urls": list, "allowed_domains": list, "article_patterns": list,
    "list_patterns": list, "zone": str, "region_level": int, "selectors": dict, "politeness": dict,
    "title_suffixes": list, "max_list_pages": int,
}
_REQUIRED = ("name", "start_urls")
_NAME = re.compile(r"^[a-z0-9_]+$")
_SCHEME_PORTS = {"http": 80, "https": 443}
ENV_SITES_DIR = "ZONECRAWLER_SITES_DIR"


class SiteConfigError(ValueError):
    """A site file is malformed; the message names the file and the key."""


@dataclass(frozen=True)
class Site:
    """One site's crawl and extraction rules."""

    name: str
    start_urls: tuple[str, ...]
    article_patterns: tuple[re.Pattern, ...] = ()  # none: articles and lists are found by discovery
    list_patterns: tuple[re.Pattern, ...] = ()
    allowed_domains: tuple[str, ...] = ()
    label: str = ""
    zone: str | None = None
    region_level: int | None = None
    selectors: dict[str, str] = field(default_factory=dict)
    politeness: dict[str, object] = field(default_factory=dict)
    title_suffixes: tuple[str, ...] = ()
    max_list_pages: int = 200
    source_file: str = ""
    # (mirror origin, the site's own origin) when rebased onto a mirror; see canonical_url
    mirror: tuple[str, str] | None = None
    # Ports the site is served on: its start URLs' ports plus 80 and 443 (a mirror: its own port only).
    ports: tuple[int, ...] = (80, 443)

    def is_article(self, url: str) -> bool:
        """Does the URL's path (and query) look like one of this site's articles?"""
        return _matches(self.article_patterns, url)

    def is_list(self, url: str) -> bool:
        """Does the URL's path (and query) look like one of this site's list pages?"""
        return _matches(self.list_patterns, url)

    def allows(self, url: str) -> bool:
        """Is the URL on this site: an allowed domain (or a subdomain of one) on one of the site's ports?"""
        try:
            parts = urlsplit(url)
            port = url_port(parts)
        except ValueError:
            return False
        host = parts.hostname or ""
        return port in self.ports and any(host == d or host.endswith("." + d) for d in self.allowed_domains)

    def rebased(self, base_url: str) -> "Site":
        """The same site served from another origin (a local mirror, a staging host).

        Its records still carry the site's own canonical URLs and ids (:meth:`canonical_url`).
        """
        base = urlsplit(base_url if "//" in base_url else f"http://{base_url}")
        if not base.scheme or not base.netloc:
            raise SiteConfigError(f"base_url {base_url!r} is not an absolute http(s) URL")
        starts = tuple(urlsplit(u)._replace(scheme=base.scheme, netloc=base.netloc).geturl() for u in self.start_urls)
        home = self.mirror[1] if self.mirror else _origin(self.start_urls[0])
        return replace(self, start_urls=starts, allowed_domains=(base.hostname or "",), ports=(url_port(base),),
                       mirror=(_origin(f"{base.scheme}://{base.netloc}/"), home))

    def canonical_url(self, url: str) -> str:
        """The canonical URL that names a page of this site (ids, the store, de-duplication).

        For a site rebased onto a mirror, a URL of the mirror is named by the site's own origin
        (the origin of its first configured start URL), so an article keeps its canonical URL
        and id whichever mirror or port it was fetched from.
        """
        canonical = canonicalize_url(url)
        if self.mirror is not None:
            mirror, home = self.mirror
            if canonical.startswith(mirror) and canonical[len(mirror):len(mirror) + 1] in ("/", ""):
                return home + canonical[len(mirror):]
        return canonical


def _origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL, canonicalized (lower case, no default port)."""
    parts = urlsplit(canonicalize_url(url))
    return f"{parts.scheme}://{parts.netloc}"


def url_port(parts) -> int | None:
    """The port a split URL connects to (its scheme's default when none is written); ValueError when invalid."""
    return parts.port or _SCHEME_PORTS.get(parts.scheme)


def _matches(patterns: tuple[re.Pattern, ...], url: str) -> bool:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    return any(p.search(target) for p in patterns)


def _fail(source: str, message: str) -> SiteConfigError:
    return SiteConfigError(f"{source}: {message}")


def _compile(source: str, key: str, patterns: list) -> tuple[re.Pattern, ...]:
    compiled = []
    for i, pattern in enumerate(patterns):
        if not isinstance(pattern, str):
            raise _fail(source, f"{key}[{i}] must be a string regex, got {type(pattern).__name__}")
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise _fail(source, f"{key}[{i}] is not a valid regex ({exc}): {pattern!r}") from None
    return tuple(compiled)


def site_from_dict(data: dict, source: str = "<dict>") -> Site:
    """Validate a parsed site table and build a :class:`Site`."""
    for key, value in data.items():
        if key not in _KEYS:
            raise _fail(source, f"unknown key {key!r} (allowed: {', '.join(sorted(_KEYS))})")
        if not isinstance(value, _KEYS[key]) or (_KEYS[key] is int and isinstance(value, bool)):
            raise _fail(source, f"key {key!r} must be {_KEYS[key].__name__}, got {type(value).__name__}")
    for key in _REQUIRED:
        if not data.get(key):
            raise _fail(source, f"missing required key {key!r}")
    if not _NAME.match(data["name"]):
        raise _fail(source, f"key 'name' must match [a-z0-9_]+, got {data['name']!r}")
    for i, url in enumerate(data["start_urls"]):
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            raise _fail(source, f"start_urls[{i}] is not an absolute http(s) URL: {url!r}")
    selectors = data.get("selectors", {})
    for key, value in selectors.items():
        if key not in SELECTOR_FIELDS:
            raise _fail(source, f"selectors.{key} is not a field (allowed: {', '.join(SELECTOR_FIELDS)})")
        if not isinstance(value, str) or not value.strip():
            raise _fail(source, f"selectors.{key} must be a non-empty CSS or 'xpath:' string")
    politeness = data.get("politeness", {})
    for key, value in politeness.items():
        if key not in POLITENESS_KEYS:
            raise _fail(source, f"politeness.{key} is unknown (allowed: {', '.join(sorted(POLITENESS_KEYS))})")
        if not isinstance(value, POLITENESS_KEYS[key]):
            raise _fail(source, f"politeness.{key} has the wrong type: {value!r}")
    domains = data.get("allowed_domains") or sorted({urlsplit(u).hostname for u in data["start_urls"]})
    return Site(
        name=data["name"],
        label=data.get("label", ""),
        start_urls=tuple(data["start_urls"]),
        allowed_domains=tuple(domains),
        article_patterns=_compile(source, "article_patterns", data.get("article_patterns", [])),
        list_patterns=_compile(source, "list_patterns", data.get("list_patterns", [])),
        zone=data.get("zone"),
        region_level=data.get("region_level"),
        selectors=dict(selectors),
        politeness=dict(politeness),
        title_suffixes=tuple(data.get("title_suffixes", ())),
        max_list_pages=data.get("max_list_pages", 200),
        source_file=source,
        ports=tuple(sorted({80, 443} | {url_port(urlsplit(u)) for u in data["start_urls"]})),
    )


def load_site_file(path: str | Path) -> Site:
    """Load and validate one site TOML file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise _fail(str(path), f"not valid TOML: {exc}") from None
    site = site_from_dict(data, str(path))
    if site.name != path.stem:
        raise _fail(str(path), f"name {site.name!r} must match the file name {path.stem!r}")
    return site


def _site_dirs() -> list[Path]:
    dirs = [Path(str(resources.files("zonecrawler") / "sites"))]
    extra = os.environ.get(ENV_SITES_DIR)
    if extra:
        dirs.extend(Path(p) for p in extra.split(os.pathsep) if p)
    return dirs


def load_registry(dirs: list[Path] | None = None) -> dict[str, Site]:
    """All sites, bundled first; a user folder (``$ZONECRAWLER_SITES_DIR``) overrides by name."""
    registry: dict[str, Site] = {}
    for folder in dirs or _site_dirs():
        if not folder.is_dir():
            raise SiteConfigError(f"{folder}: site folder does not exist")
        for path in sorted(folder.glob("*.toml")):
            site = load_site_file(path)
            registry[site.name] = site
    return registry


def get_site(name: str) -> Site:
    """One registered site by name, with a clear error listing the known ones."""
    registry = load_registry()
    if name not in registry:
        raise SiteConfigError(f"unknown site {name!r}; known sites: {', '.join(sorted(registry)) or 'none'}")
    return registry[name]
