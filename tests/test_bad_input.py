"""Bad input to the single-page extractor and the commands (pages, a malformed extra gazetteer): a clear
``error:`` line (exit 2) or a record with nulls (exit 0) — never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO, run_scrapy
from zonecrawler.extract.article import extract_article
from zonecrawler.extract.dom import MAX_DEPTH, lines, parse
from zonecrawler.record import build_record, validation_errors
from zonecrawler.storage.archive import save_page

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256))
DEEP_DIVS = (
    "<html><head><meta charset='utf-8'><title>深层嵌套-投促中国</title></head><body><h1>深层嵌套的文章标题</h1>"
    + "<div>" * 5000 + "<p>开发区推进项目建设，签约项目十二个，总投资三十亿元，持续优化营商环境。</p>" * 3 + "</div>" * 5000
    + "<p>after</p></body></html>"
)
DEEP_INLINE = (  # 5,000 unclosed inline tags, as broken CMS templates produce
    "<html><body><h1>深层嵌套的文章标题</h1>" + "<span><font color=red>" * 2500
    + "<p>开发区推进项目建设，签约项目十二个，总投资三十亿元，持续优化营商环境。</p>" * 3 + "</body></html>"
)


def _cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "zonecrawler.extract", *args], cwd=REPO, input=stdin, capture_output=True, timeout=60
    )


def _error_line(proc: subprocess.CompletedProcess) -> str:
    err = proc.stderr.decode("utf-8")
    assert "Traceback" not in err
    assert proc.returncode == 2, err
    assert proc.stdout == b""
    (line,) = err.strip().splitlines()
    assert line.startswith("error: ")
    return line


def _record(proc: subprocess.CompletedProcess) -> dict:
    err = proc.stderr.decode("utf-8")
    assert "Traceback" not in err
    assert proc.returncode == 0, err
    record = json.loads(proc.stdout)
    assert validation_errors(record) == []
    return record


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.html", b"", "empty file"),
        ("blank.html", b" \n\t\r\n", "empty file"),
        ("image.png", PNG, "binary data"),
        ("page.html", PNG, "binary data"),  # a PNG whatever its name says
        ("nul.html", b"<html>\x00\x00\x00\x00</html>", "binary data"),
        ("archive.zip", b"PK\x03\x04" + bytes(64), "binary data"),
        ("doc.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "binary data"),
    ],
)
def test_unreadable_files_give_one_clear_error(tmp_path, name, data, message):
    page = tmp_path / name
    page.write_bytes(data)
    line = _error_line(_cli(str(page)))
    assert message in line and name in line


def test_missing_path_and_folder_give_clear_errors(tmp_path):
    assert "no such file" in _error_line(_cli(str(tmp_path / "missing.html")))
    assert "is a folder" in _error_line(_cli(str(tmp_path)))


def test_empty_and_binary_stdin_give_clear_errors():
    assert "empty" in _error_line(_cli("-", stdin=b""))
    assert "binary data" in _error_line(_cli("-", stdin=PNG))


def test_unknown_site_gives_clear_error(tmp_path):
    page = tmp_path / "p.html"
    page.write_text("<html><body><p>x</p></body></html>", "utf-8")
    assert "unknown site" in _error_line(_cli(str(page), "--site", "no_such_site"))


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("plain.txt", "just some plain text\nno markup at all\n"),
        ("data.json", '{"title": "not a page", "items": [1, 2, 3]}'),
        ("style.css", "body { color: red; }\n.a > .b { margin: 0 }\n"),
        ("no_article.html", "<html><head><title>首页</title></head><body><nav><a href='/'>首页</a></nav></body></html>"),
        ("only_head.html", "<html><head><meta charset='utf-8'></head></html>"),
        ("comment_only.html", "<!-- nothing here -->"),
        ("tags_only.html", "<div><div><span></span></div></div>"),
        ("unclosed.html", "<html><body><h1>标题<p>正文<div><b>粗体<p>第二段</body>"),
        ("garbage_bytes.html", "\u00ff\u00fe<<<>>>&&&;;;</</</>"),
    ],
)
def test_non_article_input_gives_a_record_with_nulls(tmp_path, name, text):
    page = tmp_path / name
    page.write_text(text, "utf-8")
    record = _record(_cli(str(page)))
    assert record["url"].startswith("file://")
    assert record["date"] is None and record["source"] is None and record["zone"] is None


@pytest.mark.parametrize("html", [DEEP_DIVS, DEEP_INLINE], ids=["5000_divs", "5000_inline_tags"])
def test_deeply_nested_markup_is_extracted(tmp_path, html):
    page = tmp_path / "deep.html"
    page.write_text(html, "utf-8")
    record = _record(_cli(str(page)))
    assert record["body"] and "签约项目十二个" in record["body"]


def test_dom_depth_is_limited_but_text_kept():
    root = parse(DEEP_DIVS)
    depth = max(sum(1 for _ in el.iterancestors()) for el in root.iter())
    assert depth <= MAX_DEPTH + 1
    text = lines(root)
    assert text[-1] == "after" and sum("签约项目十二个" in t for t in text) == 3


def test_extract_article_survives_any_bytes():
    for data in (b"", PNG, b"\xff" * 100, "<p>正文</p>".encode("utf-16"), b"<html" * 1000):
        build_record(extract_article("http://127.0.0.1/x.html", data))


@pytest.fixture
def bad_gazetteer(tmp_path):
    path = tmp_path / "zones-extra.tsv"
    path.write_text("name\taliases\tprovince\tcity\tdistrict\tkind\tlevel\nonly one column\n", encoding="utf-8")
    return path


def test_a_malformed_extra_gazetteer_is_one_error_line_for_every_command(bad_gazetteer, tmp_path, investchn_mirror):
    """$ZONECRAWLER_GAZETTEER names a broken file: each command says which line, exits 2 and starts no output."""
    env = {**os.environ, "ZONECRAWLER_GAZETTEER": str(bad_gazetteer)}
    page = REPO / "fixtures" / "investchn" / "site" / "news" / "202202" / "171001.html"
    save_page(tmp_path / "archive", "investchn", "https://www.investchn.com/news/202202/171001.html",
              page.read_bytes(), "text/html")
    commands = [
        ["-m", "zonecrawler.extract", str(page)],
        ["-m", "zonecrawler.cli", "crawl", "investchn", "-a", f"base_url={investchn_mirror.base_url}",
         "-o", str(tmp_path / "crawl.jsonl")],
        ["-m", "zonecrawler.cli", "reextract", str(tmp_path / "archive"), "-o", str(tmp_path / "rebuilt.jsonl")],
    ]
    for args in commands:
        proc = subprocess.run([sys.executable, *args], cwd=tmp_path, env=env, capture_output=True, timeout=120)
        line = _error_line(proc)
        assert f"{bad_gazetteer}:2: wrong column count" in line, args
    assert not list(tmp_path.glob("*.jsonl*"))  # no output, not even a .part file


def test_scrapy_crawl_with_a_malformed_extra_gazetteer_fetches_nothing(bad_gazetteer, tmp_path, investchn_mirror):
    """Plain `scrapy crawl` stops when the pipelines open, before the first download, naming file and line."""
    out = tmp_path / "out.jsonl"
    proc = run_scrapy(["crawl", "investchn", "-a", f"base_url={investchn_mirror.base_url}", "-O", str(out)],
                      env={"ZONECRAWLER_GAZETTEER": str(bad_gazetteer)})
    assert proc.returncode != 0
    assert f"{bad_gazetteer}:2: wrong column count" in proc.stderr
    assert "downloader/response_count" not in proc.stderr  # not one page was fetched
    assert not out.exists()
