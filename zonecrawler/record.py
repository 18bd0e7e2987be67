"""The data contract: build a schema-versioned record from extracted fields, and validate it.

Extraction (``zonecrawler.extract``) finds raw fields on a page; this module turns
them into the one record shape every output uses (feeds, ``extract`` CLI,
``reextract``), described by ``schema/record.schema.json``.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from functools import cache, lru_cache
from importlib import resources

import fastjsonschema
from jsonschema import Draft202012Validator, FormatChecker

from zonecrawler.extract.article import Extraction
from zonecrawler.extract.decode import mojibake
from zonecrawler.facts import extract_facts
from zonecrawler.normalize.source import split_source
from zonecrawler.normalize.urls import canonicalize_url, content_hash, record_id
from zonecrawler.normalize.zones import find_zone_in_text, normalize_zone, parse_divisions
from zonecrawler.siteconfig import Site

SCHEMA_VERSION = "1.2"
HOME_ITEMS = {"首页", "首頁", "网站首页", "主页"}
_MAX_PLACE_LEN = 8
_NON_CJK = re.compile(r"[^\u4e00-\u9fff]+")
_LANGUAGE_SAMPLE = 500
TEXT_FIELDS = ("title", "body")  # checked for mojibake
MOJIBAKE = "looks like mojibake"


@cache
def schema() -> dict:
    """The record's JSON Schema, as shipped in the package."""
    return json.loads(resources.files("zonecrawler").joinpath("schema/record.schema.json").read_text("utf-8"))


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schema(), format_checker=FormatChecker())


@cache
def _fast_check():
    """The schema compiled to Python by fastjsonschema: ~40x faster than jsonschema on valid records."""
    return fastjsonschema.compile(schema())


def validation_errors(record: dict) -> list[str]:
    """Human-readable violations of the schema and of readable text (empty when the record is valid).

    Valid records (nearly all) take the compiled fast path; an invalid one is re-checked
    with jsonschema to list every violation, not just the first.  A title or body that looks
    like mojibake (UTF-8 read as GBK: 寮�鍙戝尯) is a violation too: the page was decoded in
    the wrong charset, and the text is not the article's.
    """
    errors = _mojibake_errors(record)
    try:
        _fast_check()(record)
        return errors
    except fastjsonschema.JsonSchemaException:
        pass
    return [
        f"{'/'.join(map(str, err.absolute_path)) or '<record>'}: {err.message}"
        for err in sorted(_validator().iter_errors(record), key=lambda e: list(map(str, e.absolute_path)))
    ] + errors


def _mojibake_errors(record: dict) -> list[str]:
    errors = []
    for name in TEXT_FIELDS:
        value = record.get(name)
        found = mojibake(value) if isinstance(value, str) else None
        if found is not None:
            errors.append(f"{name}: {MOJIBAKE} ({found})")
    return errors


def _category(breadcrumb: list[str]) -> str | None:
    items = [b for b in breadcrumb if b not in HOME_ITEMS]
    return items[0] if items else None


def _region(breadcrumb: list[str], site: Site | None) -> str | None:
    """The breadcrumb item naming a place (南京): at the site's ``region_level``, else any after the category."""
    if site is not None and site.region_level is not None:
        items = breadcrumb[site.region_level : site.region_level + 1]
    else:
        items = [b for b in breadcrumb if b not in HOME_ITEMS][1:]
    return next((item for item in items if _is_place(item)), None)


@lru_cache(maxsize=4096)  # a site's breadcrumbs repeat the same few items on every page
def _is_place(text: str) -> bool:
    """A short breadcrumb item that names a province or city (南京, 江苏, 苏州市)."""
    return len(text) <= _MAX_PLACE_LEN and parse_divisions(text)["province"] is not None


def _language(text: str) -> str | None:
    """``zh`` when at least a quarter of the first 500 characters are CJK ideographs."""
    sample = text[:_LANGUAGE_SAMPLE]
    if not sample:
        return None
    return "zh" if len(_NON_CJK.sub("", sample)) * 4 >= len(sample) else None


def build_record(extraction: Extraction, *, site: Site | None = None, crawled_at: datetime | None = None) -> dict:
    """Normalize an :class:`Extraction` into a record (schema ``SCHEMA_VERSION``), its facts included."""
    ex = extraction
    split = split_source(ex.source)
    zone = normalize_zone(ex.zone)
    provenance = dict(ex.provenance)
    if zone is None and site is not None and site.zone:
        zone = normalize_zone(site.zone)
        provenance["zone"] = "site_config"
    if zone is None:
        zone = find_zone_in_text("\n".join(t for t in (ex.title, ex.body) if t))
        if zone is not None:
            provenance["zone"] = "inferred"
    body = ex.body or None
    canonical = site.canonical_url(ex.url) if site is not None else canonicalize_url(ex.url)
    crawled = (crawled_at or datetime.now(timezone.utc)).astimezone(timezone.utc)
    title = ex.title or None
    return {
        "schema_version": SCHEMA_VERSION,
        "id": record_id(canonical),
        "url": ex.url,
        "canonical_url": canonical,
        "site": site.name if site else None,
        "title": title,
        "date": ex.date,
        "source": split["source"],
        "author": ex.author or split["author"],
        "editor": ex.editor or split["editor"],
        "zone": zone,
        "body": body,
        "breadcrumb": list(ex.breadcrumb),
        "category": _category(ex.breadcrumb),
        "region": _region(ex.breadcrumb, site),
        "attachments": list(ex.attachments),
        "language": _language(body or ex.title or ""),
        "char_count": len(body) if body else 0,
        "content_hash": content_hash(ex.title, body),
        "crawled_at": crawled.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "_provenance": provenance,
        **extract_facts(title, body),
    }
