"""The accuracy report: the generic extractor (no per-site selectors) scores >= 0.95 per field."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import FIXTURES, REPO
from zonecrawler.evaluate import FIELDS, body_f1, evaluate, score, zonecrawler_system
from zonecrawler.goldens import golden_cases


def test_generic_extractor_accuracy_over_all_goldens():
    cases = golden_cases(FIXTURES)
    assert len({c.site for c in cases}) >= 7  # investchn + six templates (+ variants)
    result = evaluate(cases, zonecrawler_system(generic=True))
    assert set(result) == set(FIELDS)
    for name, value in result.items():
        assert value >= 0.95, f"{name}: {value:.3f}"


def test_scores_detect_wrong_answers():
    golden = {"title": "甲", "date": "2022-02-17", "source": "乙", "zone": {"name": "苏州工业园区"}, "body": "一二三四"}
    wrong = {"title": "丙", "date": "2022-02-18T10:00:00+08:00", "source": None, "zone": None, "body": "一二"}
    assert score(wrong, golden) == {"title": 0.0, "date": 0.0, "source": 0.0, "zone": 0.0, "body": body_f1("一二", "一二三四")}
    assert abs(body_f1("一二", "一二三四") - 2 / 3) < 1e-9
    assert score({"date": "2022-02-17T09:00:00+08:00"}, golden) == {"date": 1.0}


def test_report_command_prints_table():
    proc = subprocess.run(
        [sys.executable, "-m", "zonecrawler.evaluate", str(FIXTURES)], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert "| zonecrawler-generic |" in proc.stdout
