"""Shared test fixtures: repository paths, the fixture mirror served on 127.0.0.1, crawl runner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from zonecrawler.cli.mirror import MirrorServer

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
INVESTCHN_SITE = FIXTURES / "investchn" / "site"


@pytest.fixture
def investchn_mirror():
    """The investchn.com fixture mirror served on a free loopback port."""
    with MirrorServer(INVESTCHN_SITE) as server:
        yield server


def run_scrapy(args: list[str], cwd: Path = REPO, env: dict | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    """Run ``python -m scrapy ARGS`` in the project, bounded in time; returns the finished process."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout
    )
