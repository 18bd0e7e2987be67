"""The record contract: derived fields, null handling and schema enforcement."""

from __future__ import annotations

import copy
from datetime import datetime, timezone

from zonecrawler.extract.article import Extraction
from zonecrawler.record import SCHEMA_VERSION, build_record, schema, validation_errors
from zonecrawler.siteconfig import get_site


def _extraction(**fields) -> Extraction:
    ex = Extraction(url="https://WWW.investchn.com:443/news/202202/171001.html?utm_source=x#top")
    for key, value in fields.items():
        setattr(ex, key, value)
    return ex


def test_empty_page_gives_nulls_not_inventions():
    record = build_record(_extraction(), crawled_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    assert record["title"] is None and record["date"] is None and record["source"] is None
    assert record["zone"] is None and record["body"] is None
    assert record["breadcrumb"] == [] and record["category"] is None and record["region"] is None
    assert record["crawled_at"] == "2026-01-02T03:04:05Z"
    assert validation_errors(record) == []


def test_derived_fields():
    record = build_record(
        _extraction(title="标题", body="第一段。\n第二段。", breadcrumb=["首页", "开发区新闻", "南京", "文字新闻"]),
        site=get_site("investchn"),
    )
    assert record["schema_version"] == SCHEMA_VERSION == schema()["properties"]["schema_version"]["const"]
    assert record["canonical_url"] == "https://www.investchn.com/news/202202/171001.html"
    assert len(record["id"]) == 16
    assert record["category"] == "开发区新闻" and record["region"] == "南京"
    assert record["char_count"] == len("第一段。\n第二段。")
    assert record["language"] == "zh"
    same = build_record(_extraction(title="标题", body="第一段。 \n 第二段。"))
    assert same["content_hash"] == record["content_hash"]


def test_site_zone_applies_when_page_names_none():
    from zonecrawler.siteconfig import site_from_dict

    site = site_from_dict({"name": "sipac_like", "start_urls": ["https://a.cn/"], "article_patterns": ["x"], "zone": "苏州工业园区"})
    record = build_record(_extraction(title="园区动态"), site=site)
    assert record["zone"]["name"] == "苏州工业园区" and record["zone"]["inferred"] is False
    assert record["_provenance"]["zone"] == "site_config"


def test_zone_inferred_from_text_is_marked():
    record = build_record(_extraction(title="合肥高新区签约10个项目", body="合肥高新区举行集中签约。"))
    assert record["zone"]["inferred"] is True
    assert record["zone"]["province"] == "安徽省"


def test_schema_rejects_bad_records():
    good = build_record(_extraction(title="标题", date="2022-02-17"))
    for key, value in [("date", "17/02/2022"), ("id", "xyz"), ("title", ""), ("zone", {"raw": "x"}), ("extra", 1)]:
        bad = copy.deepcopy(good)
        bad[key] = value
        errors = validation_errors(bad)
        assert errors, key
        assert any(key in e for e in errors) or key == "extra"


def test_schema_zone_is_null_or_a_complete_zone_object():
    good = build_record(_extraction(title="合肥高新区签约10个项目", body="合肥高新区举行集中签约。"))
    zone = good["zone"]
    accepted = [None, zone, {**zone, "province": None, "city": None, "district": None, "kind": None, "level": None}]
    rejected = ["合肥高新区", 3, [], True, {k: v for k, v in zone.items() if k != "inferred"}, {**zone, "extra": 1},
                {**zone, "kind": "科技园"}, {**zone, "level": "city"}, {**zone, "raw": ""}, {**zone, "inferred": "no"}]
    for value in accepted:
        assert validation_errors({**good, "zone": value}) == [], value
    for value in rejected:
        errors = validation_errors({**good, "zone": value})
        assert errors and all(e.startswith("zone") for e in errors), (value, errors)


def test_mirror_crawl_records_carry_the_sites_own_canonical_url_and_id():
    site = get_site("investchn")
    own = build_record(Extraction(url="https://www.investchn.com/news/202202/171001.html"), site=site)
    for port in (8123, 8124):
        url = f"http://127.0.0.1:{port}/news/202202/171001.html"
        record = build_record(Extraction(url=url), site=site.rebased(f"http://127.0.0.1:{port}"))
        assert record["url"] == url  # the page as fetched
        assert record["canonical_url"] == own["canonical_url"] == "https://www.investchn.com/news/202202/171001.html"
        assert record["id"] == own["id"]
