"""Helpers shared by the benchmarks (and the fault-injection test): child processes with measured peak RSS."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Measured:
    """A finished child process: exit code, output, wall time and its own peak RSS (from wait4)."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_bytes: int

    @property
    def peak_rss_mb(self) -> float:
        return self.peak_rss_bytes / (1024 * 1024)


def run_measured(cmd: list[str], *, cwd: Path = REPO, env: dict | None = None, timeout: float = 600) -> Measured:
    """Run ``cmd`` to completion (killed after ``timeout`` s) and report the child's peak resident memory.

    The peak comes from ``wait4``'s rusage of that one child (``ru_maxrss``, KiB on Linux), so it is
    exact and includes everything the crawl ever held, however briefly.
    """
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {})}, stdout=out, stderr=err)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        return Measured(proc.returncode, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                        seconds, usage.ru_maxrss * 1024)


def scrapy_stat(log: str, key: str, default=None):
    """A numeric value from the ``Dumping Scrapy stats`` block of a crawl log."""
    match = re.search(rf"'{re.escape(key)}': (\d+(?:\.\d+)?)", log)
    if not match:
        return default
    value = match.group(1)
    return float(value) if "." in value else int(value)


def python() -> str:
    return sys.executable
