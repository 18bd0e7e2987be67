"""Every fixture page, extracted and normalized, equals its hand-written golden record."""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES
from zonecrawler.extract.article import extract_article
from zonecrawler.goldens import GOLDEN_KEYS, golden_cases
from zonecrawler.record import _validator, build_record, validation_errors
from zonecrawler.siteconfig import get_site

CASES = golden_cases(FIXTURES)


def _record(case):
    site = get_site(case.site) if case.site else None
    return build_record(extract_article(case.expected["url"], case.page_bytes(), site=site), site=site)


def test_enough_golden_fixtures():
    investchn = [c for c in CASES if c.site == "investchn"]
    assert len(investchn) >= 20
    assert any(c.expected["date"] == "2022-02-17" and c.expected["source"] == "六合经济开发区" for c in investchn)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_record_matches_golden(case):
    record = _record(case)
    for key in GOLDEN_KEYS:
        assert record[key] == case.expected[key], f"{case.name}: field {key!r} differs"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_record_validates_against_schema(case):
    record = _record(case)
    assert validation_errors(record) == []
    # The compiled fast path and the reference validator agree.
    assert list(_validator().iter_errors(record)) == []


def test_seed_article_is_exact():
    """The real investchn article as a reader saw it: title, date, source, zone, every paragraph verbatim."""
    seed = (FIXTURES / "investchn" / "seed.txt").read_text("utf-8").splitlines()
    meta = next(i for i, line in enumerate(seed) if line.startswith("发布时间"))
    end = next(i for i, line in enumerate(seed) if line.startswith("上一条"))
    paragraphs = [line.strip() for line in seed[meta + 1 : end] if line.strip()]
    case = next(c for c in CASES if c.expected["url"].endswith("/news/202202/171001.html"))
    record = _record(case)
    assert record["title"] == seed[meta - 1]
    assert record["date"] == "2022-02-17"
    assert record["source"] == "六合经济开发区"
    assert record["zone"]["raw"] == "江苏南京六合经济开发区"
    assert record["breadcrumb"] == ["首页", "开发区新闻", "南京", "文字新闻"]
    assert len(paragraphs) == 6
    assert record["body"] == "\n".join(paragraphs)
