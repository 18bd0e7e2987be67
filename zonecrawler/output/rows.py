"""Records flattened to table rows: one row per article (``article_row``) or one per fact (``fact_rows``).

Columns are fixed (``ARTICLE_COLUMNS``, ``FACT_COLUMNS``) whatever a record holds, so every
file written by one version has the same header.  Lists are joined with ``;``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

ARTICLE_COLUMNS = (
    "id", "date", "title", "site", "url", "source", "category", "region",
    "zone_name", "zone_province", "zone_city", "zone_district", "zone_kind", "zone_level", "zone_code",
    "industries", "signed_amount_cny", "signing_events", "events", "event_kinds", "companies",
    "amounts", "counts", "growth", "char_count", "crawled_at", "schema_version",
)
FACT_COLUMNS = (
    "id", "date", "title", "url", "zone_name", "zone_province", "zone_city",
    "fact", "kind", "raw", "value", "value_max", "currency", "unit", "qualifier", "what",
    "companies", "zone_in_sentence", "span_start", "span_end", "sentence",
)
_ZONE_KEYS = ("name", "province", "city", "district", "kind", "level", "code")


def _join(items: Iterable) -> str:
    return ";".join(str(i) for i in items if i is not None and i != "")


def _zone(record: dict) -> dict:
    zone = record.get("zone") or {}
    return {f"zone_{key}": zone.get(key) for key in _ZONE_KEYS}


def signed_amount_cny(record: dict) -> int | float | None:
    """Sum of ``amount_cny`` over the record's signing events (each clause once); None when none states one."""
    values = [e["amount_cny"] for e in record.get("events") or [] if e["kind"] == "signing" and e.get("amount_cny") is not None]
    return sum(values) if values else None


def article_row(record: dict) -> dict:
    """One flat row (``ARTICLE_COLUMNS``) for a record of any schema version (1.0/1.1 records have no facts)."""
    events = record.get("events") or []
    facts = record.get("facts") or {}
    companies: list[str] = []
    for event in events:
        companies.extend(c for c in event.get("companies", []) if c not in companies)
    row = {
        "id": record.get("id"), "date": record.get("date"), "title": record.get("title"), "site": record.get("site"),
        "url": record.get("url"), "source": record.get("source"), "category": record.get("category"),
        "region": record.get("region"),
        **_zone(record),
        "industries": _join(record.get("industries") or []),
        "signed_amount_cny": signed_amount_cny(record),
        "signing_events": sum(1 for e in events if e["kind"] == "signing"),
        "events": len(events),
        "event_kinds": _join(sorted({e["kind"] for e in events})),
        "companies": _join(companies),
        "amounts": len(facts.get("amounts") or []),
        "counts": len(facts.get("counts") or []),
        "growth": len(facts.get("growth") or []),
        "char_count": record.get("char_count"),
        "crawled_at": record.get("crawled_at"),
        "schema_version": record.get("schema_version"),
    }
    return {column: row.get(column) for column in ARTICLE_COLUMNS}


def fact_rows(record: dict) -> Iterator[dict]:
    """One row (``FACT_COLUMNS``) per amount, count, growth rate and event of a record."""
    zone = record.get("zone") or {}
    base = {"id": record.get("id"), "date": record.get("date"), "title": record.get("title"), "url": record.get("url"),
            "zone_name": zone.get("name"), "zone_province": zone.get("province"), "zone_city": zone.get("city")}
    facts = record.get("facts") or {}
    for a in facts.get("amounts") or []:
        yield _fact(base, "amount", a, kind=None, value=a["value"], value_max=a["value_max"], currency=a["currency"],
                    unit=a["unit"], qualifier=a["qualifier"], what=a["label"])
    for c in facts.get("counts") or []:
        yield _fact(base, "count", c, kind=None, value=c["value"], value_max=c["value_max"], unit=c["classifier"],
                    qualifier=c["qualifier"], what=c["noun"])
    for g in facts.get("growth") or []:
        yield _fact(base, "growth", g, kind=g["direction"], value=g["value"], unit=g["unit"], what=g["subject"])
    for e in record.get("events") or []:
        yield _fact(base, "event", {"raw": e["trigger"], "span": e["span"], "sentence": e["text"]}, kind=e["kind"],
                    value=e["amount_cny"], currency="CNY" if e["amount_cny"] is not None else None,
                    what=e["project_count"], companies=_join(e["companies"]), zone_in_sentence=e["zone"])


def _fact(base: dict, fact: str, item: dict, **fields) -> dict:
    row = dict(base, fact=fact, raw=item["raw"], span_start=item["span"][0], span_end=item["span"][1],
               sentence=item["sentence"], **fields)
    return {column: row.get(column) for column in FACT_COLUMNS}
