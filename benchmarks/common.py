"""Helpers shared by the benchmarks (and the fault-injection test): child processes with measured peak RSS."""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from dataclasses import dataclass, field
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
    samples: list = field(default_factory=list)
    cpu_seconds: float = 0.0  # the process's own user+system CPU (not its children's), as last sampled

    @property
    def peak_rss_mb(self) -> float:
        return self.peak_rss_bytes / (1024 * 1024)


def run_measured(cmd: list[str], *, cwd: Path = REPO, env: dict | None = None, timeout: float = 600,
                 stop_after: float | None = None, sample_every: float | None = None) -> Measured:
    """Run ``cmd`` to completion and report the child's peak resident memory.

    The peak comes from ``wait4``'s rusage of that one child (``ru_maxrss``, KiB on Linux), so it is
    exact and includes everything the crawl ever held, however briefly.  ``stop_after`` sends
    SIGTERM (Scrapy stops gracefully and still dumps its stats); ``timeout`` kills.  With
    ``sample_every``, the child's RSS is also sampled (psutil) into ``Measured.samples`` as
    ``(unix_time, rss_bytes)``.
    """
    import signal
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {})}, stdout=out, stderr=err)
        timers = [threading.Timer(timeout, proc.kill)]
        if stop_after is not None:
            timers.append(threading.Timer(stop_after, proc.send_signal, (signal.SIGTERM,)))
        samples: list[tuple[float, int]] = []
        cpu = [0.0]
        done = threading.Event()
        if sample_every:
            import psutil

            def sample():
                child = psutil.Process(proc.pid)
                while not done.wait(sample_every):
                    try:
                        samples.append((time.time(), child.memory_info().rss))
                        times = child.cpu_times()
                        cpu[0] = times.user + times.system
                    except psutil.Error:
                        return

            timers.append(threading.Thread(target=sample, daemon=True))
        for t in timers:
            t.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            done.set()
            for t in timers:
                if isinstance(t, threading.Timer):
                    t.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        return Measured(proc.returncode, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                        seconds, usage.ru_maxrss * 1024, samples, cpu[0])


def scrapy_stat(log: str, key: str, default=None):
    """A numeric value from the ``Dumping Scrapy stats`` block of a crawl log."""
    match = re.search(rf"'{re.escape(key)}': (\d+(?:\.\d+)?)", log)
    if not match:
        return default
    value = match.group(1)
    return float(value) if "." in value else int(value)


def worker_peak_rss(log: str) -> list[int]:
    """Each extraction worker's peak RSS in bytes, from the crawl's stats dump (one per worker)."""
    return [int(v) for v in re.findall(r"'zonecrawler/extract_worker/\d+/peak_rss_bytes': (\d+)", log)]


def machine_note() -> str:
    """CPU count and load average: benchmark numbers mean little without them."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs, load average {load} (at start)"
