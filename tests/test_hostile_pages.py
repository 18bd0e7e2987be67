"""The bad-input suite: every hostile file of ``tests/hostile_pages.py`` through the single-page command.

All files run in one process (``tests.hostile_runner``: the command's ``main`` per file) under a hard
address-space limit, each within the per-page time limit; each must give a schema-valid record or one
``error:`` line, never a traceback.  Files that are no regular file (a FIFO, ``/dev/zero``, an unreadable
file) go through the real command, one process each.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from tests.conftest import REPO
from tests.hostile_pages import BODY_MARK, CASES, write_cases
from zonecrawler.extract.decode import mojibake
from zonecrawler.extract.limits import DEFAULT_TIME_LIMIT
from zonecrawler.record import validation_errors

MEMORY_MB = 1536  # RLIMIT_AS of the runner: a file that needs more fails with MemoryError


def test_the_suite_has_at_least_seventy_hostile_files():
    assert len(CASES) >= 70
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    write_cases(folder)
    manifest = folder / "manifest.json"
    manifest.write_text(json.dumps([[str(folder / c.name), list(c.args)] for c in CASES]), "utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "tests.hostile_runner", str(manifest), "--limit", str(DEFAULT_TIME_LIMIT),
         "--memory-mb", str(MEMORY_MB)],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    hung = [r["path"] for r in rows if r.get("hung")]
    assert not hung, f"over the per-page limit ({DEFAULT_TIME_LIMIT} s): {hung}"
    assert proc.returncode == 0, proc.stderr[-3000:]
    by_name = {os.path.basename(r["path"]): r for r in rows}
    assert set(by_name) == {c.name for c in CASES}  # the runner did not die on the way
    return by_name


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hostile_file(results, case):
    row = results[case.name]
    assert row["traceback"] is None, row["traceback"]
    if case.expect == "error":
        assert row["code"] == 2 and row["stdout"] == ""
        (line,) = row["stderr"].strip().splitlines()
        assert line.startswith("error: ") and case.message in line and case.name in line
        return
    assert row["code"] == 0, row["stderr"]
    assert row["stderr"] == ""
    record = json.loads(row["stdout"])
    errors = validation_errors(record)
    if case.rejected:  # printed, but a crawl's schema check rejects it (logged and counted)
        assert {e.split(":", 1)[0] for e in errors} == set(case.rejected), errors
    else:
        assert errors == []
    if case.title is not None:
        assert record["title"] == case.title
    if case.body_has is not None:
        assert case.body_has in (record["body"] or "")
    if case.no_mojibake:  # decoded in the right charset, the stray bytes replaced
        assert mojibake(record["title"]) is None and mojibake(record["body"]) is None
        assert "\ufffd" not in record["title"] and (record["body"] or "").count("\ufffd") <= 5


def test_the_forms_of_issue_15_give_full_records(results):
    """Control characters, impossible time zones, year 9999, 100,000-deep JSON-LD, non-text charsets: the page's
    own title, date and body come through, the impossible values are dropped."""
    for name in ("tz_plus25_label.html", "year_9999_label.html", "year_9999_meta.html", "jsonld_deep_arrays.html",
                 "meta_charset_base64.html", "arg_charset_base64.html", "ctl_in_article_vtab.html"):
        record = json.loads(results[name]["stdout"])
        assert record["date"] == "2023-05-06", name  # the meta line's date; 9999 and +25:00 are not dates
        assert BODY_MARK in record["body"], name
    for name in ("tz_plus25_meta.html", "tz_plus25_jsonld.html", "tz_minus99_og.html"):
        assert json.loads(results[name]["stdout"])["date"] == "2022-02-17", name  # the day shown, no time


def _cli(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zonecrawler.extract", *args], cwd=REPO, capture_output=True,
                          timeout=60, **kw)


def _one_error_line(proc: subprocess.CompletedProcess) -> str:
    err = proc.stderr.decode("utf-8")
    assert "Traceback" not in err and proc.returncode == 2 and proc.stdout == b"", err
    (line,) = err.strip().splitlines()
    assert line.startswith("error: ")
    return line


def test_a_fifo_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "page.html"
    os.mkfifo(fifo)
    assert "is a FIFO, not a regular file" in _one_error_line(_cli(str(fifo)))


def test_a_device_is_refused_not_read(tmp_path):
    assert "is a device, not a regular file" in _one_error_line(_cli("/dev/zero"))


def test_endless_standard_input_is_cut_and_refused():
    with open("/dev/zero", "rb") as zeros:
        assert "<stdin>: larger than" in _one_error_line(_cli("-", stdin=zeros))


def test_an_unreadable_file_is_one_error_line(tmp_path):
    page = tmp_path / "secret.html"
    page.write_text("<html><body><p>正文</p></body></html>", "utf-8")
    page.chmod(0)
    os.chmod(tmp_path, stat.S_IRWXU | stat.S_IXOTH | stat.S_IXGRP)
    if os.geteuid() != 0:
        line = _one_error_line(_cli(str(page)))
    else:  # root reads anything: read it as nobody, in a forked copy of this process
        line = _as_nobody([str(page)])
    assert line.startswith(f"error: {page}: cannot read: Permission denied")


def _as_nobody(argv: list[str]) -> str:
    """Run the command's main() as user nobody in a fork; returns its one error line (asserting no traceback)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        code = 1
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            import contextlib
            import io
            import traceback

            from zonecrawler.cli.extract import main

            err = io.StringIO()
            try:
                with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                    code = main(argv)
            except BaseException:
                err.write(traceback.format_exc())
            os.write(write_end, f"{code}\n{err.getvalue()}".encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        output = pipe.read().decode()
    os.waitpid(pid, 0)
    code, _, err = output.partition("\n")
    assert "Traceback" not in err and code == "2", output
    (line,) = err.strip().splitlines()
    return line
