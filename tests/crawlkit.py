"""Helpers for the unattended-crawl tests: a private copy of the fixture mirror, a slow server, crawl runners.

Every crawl is a real subprocess (``python -m zonecrawler.cli crawl`` or ``python -m scrapy crawl``)
against a :class:`~zonecrawler.cli.mirror.MirrorServer` on 127.0.0.1, with its article store,
summary and job directory under the test's ``tmp_path``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from tests.conftest import INVESTCHN_SITE, REPO
from zonecrawler.cli.mirror import MirrorHandler, MirrorServer
from zonecrawler.goldens import article_urls
from zonecrawler.siteconfig import get_site

CRAWL_TIMEOUT = 120


def copy_mirror(tmp_path: Path) -> Path:
    """A private copy of the investchn mirror that a test may break on purpose."""
    site = tmp_path / "site"
    shutil.copytree(INVESTCHN_SITE, site)
    return site


def expected_paths(site_dir: Path) -> set[str]:
    """URL paths of every article page in a mirror."""
    return {urlsplit(u).path for u in article_urls(site_dir, "http://127.0.0.1", get_site("investchn").is_article)}


def article_hits(server: MirrorServer) -> list[str]:
    """Paths of article pages the server has served so far."""
    is_article = get_site("investchn").is_article
    return [p for p in list(server.hits) if is_article(p)]


class SlowHandler(MirrorHandler):
    """Serves the mirror with a small delay per request, so a crawl can be caught mid-run."""

    delay = 0.15

    def do_GET(self):  # noqa: N802
        time.sleep(self.delay)
        super().do_GET()


def slow_server(root: Path, delay: float = 0.15) -> MirrorServer:
    handler = type("Slow", (SlowHandler,), {"delay": delay})
    return MirrorServer(root, handler=handler)


def crawl_cmd(base_url: str, tmp_path: Path, output: Path, *extra: str, store: Path | None = None) -> list[str]:
    """Arguments of ``python -m zonecrawler.cli crawl investchn`` with test-private store and summary."""
    return [
        sys.executable, "-m", "zonecrawler.cli", "crawl", "investchn", "-a", f"base_url={base_url}",
        "-o", str(output), "--store", str(store or tmp_path / "store.sqlite"), *extra,
    ]


def run(cmd: list[str], timeout: float = CRAWL_TIMEOUT) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout, env=dict(os.environ))


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def summary_of(output: Path) -> dict:
    return json.loads(output.with_name(output.name + ".summary.json").read_text("utf-8"))


class FileWatcher:
    """Reads a file over and over in a thread, recording any view that is not a complete JSON Lines file."""

    def __init__(self, path: Path, interval: float = 0.005):
        self.path = path
        self.interval = interval
        self.bad: list[str] = []
        self.views = 0
        self.max_lines = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _check(self) -> None:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return
        self.views += 1
        if data and not data.endswith(b"\n"):
            self.bad.append(f"view {self.views}: no final newline ({len(data)} bytes)")
            return
        lines = [line for line in data.split(b"\n") if line]
        for line in lines:
            try:
                json.loads(line)
            except ValueError:
                self.bad.append(f"view {self.views}: unparsable line {line[:60]!r}")
                return
        self.max_lines = max(self.max_lines, len(lines))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._check()
            time.sleep(self.interval)

    def __enter__(self) -> "FileWatcher":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._check()


def wait_for_lines(path: Path, n: int, proc: subprocess.Popen, timeout: float = 60) -> int:
    """Wait (bounded) until ``path`` holds at least ``n`` complete lines; returns the count seen."""
    deadline = time.monotonic() + timeout
    count = 0
    while time.monotonic() < deadline:
        if path.exists():
            count = path.read_bytes().count(b"\n")
            if count >= n:
                return count
        if proc.poll() is not None:
            return count
        time.sleep(0.01)
    return count


class Baseline:
    """One completed crawl of the pristine mirror, shared by a module's tests.

    ``server`` keeps its port for the whole module (URLs in the store include it); each
    test points it at its own mirror copy with :meth:`fresh` and gets its own store copy.
    """

    def __init__(self, root: Path):
        self.root = root
        self.site = copy_mirror(root)
        self.server = MirrorServer(self.site).start()
        self.output = root / "baseline.jsonl"
        self.store = root / "baseline.sqlite"
        proc = run(crawl_cmd(self.server.base_url, root, self.output, store=self.store))
        assert proc.returncode == 0, proc.stderr[-3000:]
        self.records = read_jsonl(self.output)

    def fresh(self, tmp_path: Path) -> tuple[Path, Path]:
        """A private mirror copy (served from now on) and a private copy of the baseline store."""
        site = copy_mirror(tmp_path)
        store = tmp_path / "store.sqlite"
        shutil.copyfile(self.store, store)
        self.server.root = site.resolve()
        self.server.hits.clear()
        return site, store

    def close(self) -> None:
        self.server.stop()


class FailingHandler(MirrorHandler):
    """Answers 500 for the paths in ``server.failing`` (a site whose backend is broken for some pages)."""

    def do_GET(self):  # noqa: N802
        if urlsplit(self.path).path in getattr(self.server, "failing", ()):
            self.send_error(500, "broken backend")
            return
        super().do_GET()


def failing_server(root: Path, paths: set[str]) -> MirrorServer:
    server = MirrorServer(root, handler=FailingHandler)
    server.failing = set(paths)
    return server
