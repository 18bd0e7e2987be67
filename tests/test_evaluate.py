"""The accuracy report: the generic extractor scores >= 0.95 per field; any truth.jsonl folder is scored."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import FIXTURES, REPO
from zonecrawler.evaluate import FIELDS, body_f1, body_prf, evaluate, main, score, zonecrawler_system
from zonecrawler.goldens import golden_cases, load_cases, truth_cases


def test_generic_extractor_accuracy_over_all_goldens():
    cases = golden_cases(FIXTURES)
    assert len({c.site for c in cases}) >= 7  # investchn + six templates (+ variants)
    result = evaluate(cases, zonecrawler_system(generic=True))
    assert set(result) == set(FIELDS) | {"body_p", "body_r"}
    for name, value in result.items():
        assert value >= 0.95, f"{name}: {value:.3f}"


def test_scores_detect_wrong_answers():
    golden = {"title": "甲", "date": "2022-02-17", "source": "乙", "zone": {"name": "苏州工业园区"}, "body": "一二三四"}
    wrong = {"title": "丙", "date": "2022-02-18T10:00:00+08:00", "source": None, "zone": None, "body": "一二"}
    assert score(wrong, golden) == {"title": 0.0, "date": 0.0, "source": 0.0, "zone": 0.0,
                                    "body": body_f1("一二", "一二三四"), "body_p": 1.0, "body_r": 0.5}
    assert abs(body_f1("一二", "一二三四") - 2 / 3) < 1e-9
    assert score({"date": "2022-02-17T09:00:00+08:00"}, golden) == {"date": 1.0}
    # Fields the truth does not record (realpages have no zone) are not scored.
    assert score({"zone": None, "title": "甲"}, {"title": "甲"}) == {"title": 1.0}
    # Whitespace runs inside a title are folded before the exact comparison.
    assert score({"title": "甲  乙"}, {"title": "甲 乙"}) == {"title": 1.0}


def test_body_precision_recall():
    assert body_prf("一二三四五六", "一二三") == (0.5, 1.0, 2 / 3)
    assert body_prf("", "一二三") == (0.0, 0.0, 0.0)
    assert body_prf(None, "") == (1.0, 1.0, 1.0)
    assert body_prf("一 二\n三", "一二三") == (1.0, 1.0, 1.0)


_PAGE = """<html><head><meta charset="utf-8"><title>{title}_某某网</title></head><body>
<div class="nav"><a href="/">首页</a> <a href="/a">新闻</a></div>
<h1>{title}</h1><div class="info">{date} 来源：{source}</div>
<div class="text"><p>{body}</p></div></body></html>"""


def _truth_folder(tmp_path):
    """Two invented pages in the real-page set's format (one with a URL, one without)."""
    pages = [
        ("p1", "http://news.example.cn/2021-03/04/content_1.html", "春耕时节田间忙碌", "2021-03-04", "示例日报",
         "三月的田野里，农民们正在抢抓农时播种，机械轰鸣声此起彼伏。今年当地推广新品种，预计亩产将有提高。"),
        ("p2", None, "湖畔新建一座图书馆", "2020-11-20", "湖城晚报",
         "湖畔图书馆昨日开放，馆内藏书十万册，设有儿童阅览区和自习区，市民可凭身份证免费借阅。"),
    ]
    (tmp_path / "pages").mkdir()
    lines = []
    for pid, url, title, date, source, body in pages:
        (tmp_path / "pages" / f"{pid}.html").write_text(_PAGE.format(title=title, date=date, source=source, body=body), "utf-8")
        lines.append(json.dumps({"id": pid, "file": f"pages/{pid}.html", "url": url, "title": title, "date": date,
                                 "source": source, "body_xpath": "//div[@class='text']", "drop_xpaths": [], "body": body},
                                ensure_ascii=False))
    # p2's truth records another source, so the report has a miss to show.
    lines[1] = lines[1].replace("湖城晚报", "湖城日报")
    (tmp_path / "truth.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    return tmp_path


def test_truth_jsonl_cases(tmp_path):
    folder = _truth_folder(tmp_path)
    cases = load_cases(folder)
    assert [c.name for c in cases] == ["p1", "p2"] and cases == truth_cases(folder)
    assert cases[0].expected["url"] == "http://news.example.cn/2021-03/04/content_1.html"
    assert cases[1].expected["url"] == (folder / "pages" / "p2.html").resolve().as_uri()
    assert "zone" not in cases[0].expected and cases[0].site is None
    result = evaluate(cases, zonecrawler_system(generic=False))
    assert result["title"] == result["date"] == result["body"] == 1.0
    assert result["source"] == 0.5 and "zone" not in result


def test_truth_jsonl_errors_name_the_line(tmp_path, capsys):
    (tmp_path / "truth.jsonl").write_text('{"id": "x", "file": "pages/x.html", "title": "t"}\n', "utf-8")
    with pytest.raises(ValueError, match=r"truth.jsonl:1: truth lacks keys \['date', 'source', 'body'\]"):
        truth_cases(tmp_path)
    assert main([str(tmp_path)]) == 2
    assert "truth.jsonl:1" in capsys.readouterr().err


def test_report_on_a_truth_folder_shows_misses(tmp_path):
    folder = _truth_folder(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "zonecrawler.evaluate", str(folder), "--show", "--only", "zonecrawler"],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "| system | title | date | source | body P | body R | body F1 | body F1 < 0.5 |" in out
    assert "| zonecrawler | 1.000 | 1.000 | 0.500 | 1.000 | 1.000 | 1.000 | 0 |" in out
    assert "zonecrawler-generic" not in out  # no page has a site configuration
    assert "p2  source: got '湖城晚报'  want '湖城日报'" in out


def test_report_command_prints_table():
    proc = subprocess.run(
        [sys.executable, "-m", "zonecrawler.evaluate", str(FIXTURES)], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert "| zonecrawler-generic |" in proc.stdout
