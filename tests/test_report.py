"""`zonecrawler report`: a self-contained HTML page whose charts and tables hold the records' numbers."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import INVESTCHN_SITE, REPO
from zonecrawler.extract.article import extract_article
from zonecrawler.output.report import YI, report_data
from zonecrawler.record import build_record
from zonecrawler.siteconfig import get_site

SEED_URL = "https://www.investchn.com/news/202202/171001.html"


@pytest.fixture(scope="module")
def records() -> list[dict]:
    site = get_site("investchn")
    out = []
    for page in sorted((INVESTCHN_SITE / "news").rglob("*.html")):
        url = "https://www.investchn.com/" + page.relative_to(INVESTCHN_SITE).as_posix()
        out.append(build_record(extract_article(url, page.read_bytes(), site=site), site=site))
    return out


@pytest.fixture(scope="module")
def records_file(records, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report") / "articles.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def _report(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zonecrawler.cli", "report", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=120, check=False)


def _figures(page: str) -> list[dict]:
    """The data of every plotly figure in the page (Plotly.newPlot(id, DATA, LAYOUT, ...))."""
    out = []
    for m in re.finditer(r'Plotly\.newPlot\(\s*"[^"]+",\s*', page):
        data, _ = json.JSONDecoder().raw_decode(page, m.end())
        out.append(data)
    return out


def test_report_data_adds_up(records):
    data = report_data(records)
    assert data["articles"] == 28
    assert sum(sum(c.values()) for c in data["by_month_province"].values()) == data["with_date"] == 28
    seed = next(r for r in records if r["url"] == SEED_URL)
    assert data["by_month_province"]["江苏省"]["2022-02"] >= 1
    largest = data["largest_signings"]
    assert len(largest) <= 20 and largest == sorted(largest, key=lambda s: -s["amount_cny"])
    seed_signing = next(s for s in largest if s["url"] == SEED_URL)
    assert seed_signing["amount_cny"] == 55_730_000_000 and seed_signing["zone"] == seed["zone"]["name"]
    total = sum(e["amount_cny"] for r in records for e in r["events"] if e["kind"] == "signing" and e["amount_cny"])
    assert sum(data["signed_month"].values()) == total == sum(data["signed_province"].values())
    assert data["event_kinds"]["signing"] == sum(1 for r in records for e in r["events"] if e["kind"] == "signing")


def test_report_page_is_self_contained_with_every_chart(records, records_file, tmp_path):
    summary = tmp_path / "articles.summary.json"
    summary.write_text(json.dumps({"status": "warning", "exit_code": 0, "finish_reason": "finished", "failures": [],
                                   "warnings": ["investchn: no new articles"], "totals": {"pages_fetched": 39},
                                   "sites": {"investchn": {"pages_fetched": 39, "articles_extracted": 28, "rejected": 0,
                                                           "coverage": {"title": 1.0, "date": 1.0}}}}), "utf-8")
    out = tmp_path / "report.html"
    proc = _report(str(records_file), "-o", str(out), "--summary", str(summary))
    assert proc.returncode == 0, proc.stderr
    page = out.read_text("utf-8")
    assert not re.search(r"<script[^>]+src=", page) and "cdn." not in page.split("</head>")[1]
    assert "plotly.js" in page.split("</head>")[0]  # the library itself is inline, once
    figures = _figures(page)
    assert len(figures) == 5  # month x province, zones, signed per month, signed per province, event kinds
    months, zones, signed_month, signed_province, kinds = figures
    assert sum(sum(t["y"]) for t in months) == 28 and {t["name"] for t in months} >= {"江苏省"}
    data = report_data(records)
    assert zones[0]["x"] == [c for _, c in reversed(data["top_zones"])]
    assert sum(signed_month[0]["y"]) == pytest.approx(sum(data["signed_month"].values()) / YI)
    assert signed_province[0]["x"][0] == next(iter(data["signed_province"]))
    assert sum(kinds[0]["y"]) == sum(len(r["events"]) for r in records)
    table = page.split("largest signings")[1]
    assert table.count("<tr>") == 1 + len(data["largest_signings"])
    assert f'href="{SEED_URL}"' in table and "557.30" in table
    assert "Crawl health" in page and "investchn: no new articles" in page


def test_report_of_records_without_facts(tmp_path):
    src = tmp_path / "old.jsonl"
    src.write_text(json.dumps({"schema_version": "1.1", "url": "https://a.cn/1", "date": None, "zone": None}) + "\n", "utf-8")
    out = tmp_path / "r.html"
    proc = _report(str(src), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_text("utf-8").count("no data in these records") == 5


def test_report_bad_input(tmp_path, records_file):
    proc = _report(str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "r.html"))
    assert proc.returncode == 2 and proc.stderr.startswith("error:") and "Traceback" not in proc.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", "utf-8")
    proc = _report(str(records_file), "-o", str(tmp_path / "r.html"), "--summary", str(bad))
    assert proc.returncode == 2 and "not a health summary" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "r.html").exists()
