"""A throwaway redis-server on 127.0.0.1 for the distributed-crawl tests.

``redis_server`` starts ``redis-server`` on a free loopback port with persistence off
(``--save '' --appendonly no``), waits (bounded) until it answers PING, yields its
``redis://`` URL and stops it afterwards.  A missing ``redis-server`` is a test failure,
not a skip: ``.ci/run`` installs it with apt.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

_CANDIDATES = ("/usr/bin/redis-server", "/usr/sbin/redis-server", "/usr/local/bin/redis-server")


def find_redis_server() -> str | None:
    found = shutil.which("redis-server")
    if found:
        return found
    return next((p for p in _CANDIDATES if Path(p).is_file()), None)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(url: str, proc: subprocess.Popen, timeout: float = 10.0) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return False
            try:
                if client.ping():
                    return True
            except redis.exceptions.RedisError:
                time.sleep(0.05)
        return False
    finally:
        client.close()


@pytest.fixture
def redis_server(tmp_path):
    """URL of a fresh, empty redis-server on 127.0.0.1 (stopped after the test)."""
    binary = find_redis_server()
    if binary is None:
        pytest.fail(
            "redis-server is not installed: the distributed-crawl tests need it "
            "(apt-get install redis-server; .ci/run does this)",
            pytrace=False,
        )
    log = tmp_path / "redis-server.log"
    for _attempt in range(3):  # the free port may be taken between probing and binding
        port = _free_port()
        url = f"redis://127.0.0.1:{port}/0"
        proc = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(tmp_path), "--logfile", str(log)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )
        if _wait_ready(url, proc):
            break
        proc.terminate()
        proc.wait(timeout=10)
    else:
        detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        pytest.fail(f"redis-server ({binary}) did not start on 127.0.0.1:\n{detail}", pytrace=False)
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


class RedisProcess:
    """A redis-server on a fixed loopback port that a test can stop (saving its data) and start again.

    ``stop()`` sends ``SHUTDOWN SAVE`` (the data set goes to ``dump.rdb`` in ``folder``; the server
    runs without save points otherwise), ``start()`` loads it back on the same port: a Redis
    outage and restart in the middle of a crawl, with nothing lost on the Redis side.
    """

    def __init__(self, folder: Path):
        self.binary = find_redis_server()
        if self.binary is None:
            pytest.fail("redis-server is not installed (apt-get install redis-server)", pytrace=False)
        self.folder = folder
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = folder / "redis-server.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "RedisProcess":
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder), "--logfile", str(self.log)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )
        if not _wait_ready(self.url, self.proc):
            detail = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            self.kill()
            pytest.fail(f"redis-server did not start on 127.0.0.1:{self.port}:\n{detail}", pytrace=False)
        return self

    def stop(self) -> None:
        """Shut the server down, saving its data for the next :meth:`start`."""
        import redis

        client = redis.Redis.from_url(self.url, socket_timeout=5)
        try:
            client.shutdown(save=True)
        except redis.exceptions.ConnectionError:
            pass  # the server closes the connection as it exits
        finally:
            client.close()
        self.proc.wait(timeout=20)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@pytest.fixture
def redis_process(tmp_path):
    """A :class:`RedisProcess`, started; killed after the test."""
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisProcess(folder).start()
    try:
        yield server
    finally:
        server.kill()
