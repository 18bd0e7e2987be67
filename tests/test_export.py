"""`zonecrawler export` (CSV with BOM, .xlsx, --facts) and CSV crawl output (`zonecrawler crawl -o x.csv`, `scrapy crawl -O x.csv`)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import INVESTCHN_SITE, REPO, run_scrapy
from tests.crawlkit import crawl_cmd, run
from zonecrawler.extract.article import extract_article
from zonecrawler.output.rows import ARTICLE_COLUMNS, FACT_COLUMNS, article_row
from zonecrawler.record import build_record
from zonecrawler.siteconfig import get_site

PAGES = ["news/202202/171001.html", "news/202105/201005.html", "news/201211/261002.html"]


def _records() -> list[dict]:
    site = get_site("investchn")
    out = []
    for page in PAGES:
        url = f"https://www.investchn.com/{page}"
        out.append(build_record(extract_article(url, (INVESTCHN_SITE / page).read_bytes(), site=site), site=site))
    return out


@pytest.fixture(scope="module")
def records_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("export") / "articles.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _records()), "utf-8")
    return path


def _export(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zonecrawler.cli", "export", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=60, check=False)


def _read_csv(path: Path) -> list[dict]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 byte-order mark (Excel)"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_article_row_flattens_zone_and_facts():
    seed = _records()[0]
    row = article_row(seed)
    assert tuple(row) == ARTICLE_COLUMNS
    assert row["zone_name"] == "南京六合经济开发区" and row["zone_province"] == "江苏省" and row["zone_city"] == "南京市"
    assert row["zone_kind"] == "经济开发区" and row["zone_level"] == "provincial" and row["zone_code"] == "S327005"
    assert row["signed_amount_cny"] == 55_730_000_000 and row["signing_events"] == 1 and row["events"] == 2
    assert row["event_kinds"] == "settling;signing" and row["industries"] == "新材料"
    assert row["amounts"] == 5 and row["counts"] == 10 and row["growth"] == 2


def test_csv_cells_never_run_as_formulas():
    from zonecrawler.output.csvfile import cell

    assert cell('=HYPERLINK("http://x","点击")') == '\'=HYPERLINK("http://x","点击")'
    assert [cell(v) for v in ("+86-0512", "@sum", "-投促中国")] == ["'+86-0512", "'@sum", "'-投促中国"]
    assert [cell(v) for v in (-5, -2.5, 55730000000.0, None, "六合")] == ["-5", "-2.5", "55730000000", "", "六合"]


def test_export_csv_one_row_per_article(records_file, tmp_path):
    out = tmp_path / "out.csv"
    proc = _export(str(records_file), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    rows = _read_csv(out)
    assert len(rows) == len(PAGES) and tuple(rows[0]) == ARTICLE_COLUMNS
    seed = rows[0]
    assert seed["title"].startswith("六合经济开发区召开") and seed["zone_name"] == "南京六合经济开发区"
    assert seed["signed_amount_cny"] == "55730000000" and seed["events"] == "2"
    assert rows[2]["zone_name"] == "" and rows[2]["signed_amount_cny"] == ""  # no zone, no signing: empty cells
    assert not any("{'" in v or "[{" in v for row in rows for v in row.values())
    assert not out.with_name("out.csv.part").exists()


def test_export_facts_one_row_per_fact(records_file, tmp_path):
    out = tmp_path / "facts.csv"
    assert _export(str(records_file), "-o", str(out), "--facts").returncode == 0
    rows = _read_csv(out)
    assert tuple(rows[0]) == FACT_COLUMNS
    records = _records()
    expected = sum(len(r["facts"]["amounts"]) + len(r["facts"]["counts"]) + len(r["facts"]["growth"]) + len(r["events"])
                   for r in records)
    assert len(rows) == expected
    signed = [r for r in rows if r["fact"] == "amount" and r["raw"] == "557.3亿元"]
    assert signed and signed[0]["value"] == "55730000000" and signed[0]["currency"] == "CNY"
    assert signed[0]["what"] == "项目签约总额" and signed[0]["zone_name"] == "南京六合经济开发区"
    body = records[0]["body"]
    for r in rows:
        if r["id"] == records[0]["id"] and r["fact"] != "event":
            assert body[int(r["span_start"]):int(r["span_end"])] == r["raw"]
    events = [r for r in rows if r["fact"] == "event" and r["kind"] == "signing"]
    assert events and all(r["sentence"] for r in events)


def test_export_xlsx(records_file, tmp_path):
    out = tmp_path / "out.xlsx"
    proc = _export(str(records_file), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(out) as book:
        names = book.namelist()
        assert "xl/worksheets/sheet1.xml" in names
        text = "".join(book.read(n).decode("utf-8") for n in names if n.endswith(".xml"))
    assert "signed_amount_cny" in text and "南京六合经济开发区" in text and "55730000000" in text


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    ('{"id": "a"}\nnot json\n', "articles.jsonl:2: not JSON"),
    ('["a list"]\n', "articles.jsonl:1: not a record"),
])
def test_export_bad_input_is_one_error_line(tmp_path, content, message):
    src = tmp_path / "articles.jsonl"
    if content is not None:
        src.write_text(content, "utf-8")
    proc = _export(str(src), "-o", str(tmp_path / "out.csv"))
    assert proc.returncode == 2 and proc.stderr.startswith("error:") and message in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out.csv").exists()


def test_export_refuses_other_formats(records_file, tmp_path):
    proc = _export(str(records_file), "-o", str(tmp_path / "out.json"))
    assert proc.returncode == 2 and "error:" in proc.stderr and ".csv" in proc.stderr
    assert not (tmp_path / "out.json").exists()


def test_zonecrawler_crawl_refuses_unknown_output_format(tmp_path):
    for name, extra in (("out.json", ()), ("out.csv", ("--append",))):
        proc = run(crawl_cmd("http://127.0.0.1:9", tmp_path, tmp_path / name, *extra))
        assert proc.returncode == 2 and proc.stderr.startswith("error:") and "Traceback" not in proc.stderr, proc.stderr
        assert not (tmp_path / name).exists()


def test_zonecrawler_crawl_writes_csv(investchn_mirror, tmp_path):
    out = tmp_path / "articles.csv"
    proc = run(crawl_cmd(investchn_mirror.base_url, tmp_path, out))
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = _read_csv(out)
    assert len(rows) == 28 and tuple(rows[0]) == ARTICLE_COLUMNS
    assert not any("{'" in v for row in rows for v in row.values())
    seed = next(r for r in rows if r["url"].endswith("/news/202202/171001.html"))
    assert seed["zone_name"] == "南京六合经济开发区" and seed["signed_amount_cny"] == "55730000000"


def test_scrapy_crawl_csv_has_no_python_reprs(investchn_mirror, tmp_path):
    out = tmp_path / "out.csv"
    proc = run_scrapy(["crawl", "investchn", "-a", f"base_url={investchn_mirror.base_url}", "-O", str(out),
                       "-s", "ZONECRAWLER_STORE=", "-s", "LOG_LEVEL=WARNING"])
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = _read_csv(out)
    assert len(rows) == 28 and tuple(rows[0]) == ARTICLE_COLUMNS
    cells = [v for row in rows for v in row.values()]
    assert not any(v.startswith(("{", "[")) for v in cells), "zone/_provenance written as Python reprs"
    # -o appends: the second run adds rows, not a second header
    proc = run_scrapy(["crawl", "investchn", "-a", f"base_url={investchn_mirror.base_url}", "-o", str(out),
                       "-s", "ZONECRAWLER_STORE=", "-s", "LOG_LEVEL=WARNING"])
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = _read_csv(out)
    assert len(rows) == 56 and all(r["id"] != "id" for r in rows)
