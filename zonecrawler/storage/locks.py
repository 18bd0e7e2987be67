"""Exclusive locks on a crawl's disk state: one crawl at a time per job dir, article store and output.

A crawl takes an advisory ``flock`` on ``JOBDIR/zonecrawler.lock``, on ``STORE.lock`` next to
the article store and on ``OUTPUT.lock`` next to each local output file, before it reads or
writes any of them.  A second crawl that finds one of them taken gets :class:`LockHeld`
(naming the path and the holder's pid, which the holder writes into the lock file) and
stops before touching anything.  The kernel drops a ``flock`` when its process dies, so a
killed crawl (SIGKILL, OOM, reboot) never leaves a stale lock behind; the lock files
themselves stay (they are empty apart from the last holder's pid).

Locks are per process: asking again for a path this process already holds returns the
same lock (``flock`` would otherwise refuse a second open file description in the same
process).  No Scrapy here; :class:`~zonecrawler.crawl.extensions.CrawlLocks` takes the locks
for a crawl.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from pathlib import Path

LOCK_SUFFIX = ".lock"
JOBDIR_LOCK = "zonecrawler.lock"
LOCKED_EXIT_CODE = 75  # EX_TEMPFAIL (sysexits.h): "try again later"

_held: dict[str, "Lock"] = {}


class LockHeld(Exception):
    """Another process holds the lock on one of the crawl's paths."""

    def __init__(self, what: str, path: Path, lock_file: Path, pid: int | None):
        self.what, self.path, self.lock_file, self.pid = what, path, lock_file, pid
        holder = f"pid {pid}" if pid else "a process whose pid is not recorded"
        super().__init__(f"{what} {path} is in use by another crawl ({holder}, lock {lock_file}); nothing was done")


class Lock:
    """One held ``flock`` (kept open until :meth:`release`)."""

    def __init__(self, lock_file: Path, fd: int):
        self.lock_file = lock_file
        self.fd = fd

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # closing the last descriptor drops the flock
            self.fd = -1
        _held.pop(str(self.lock_file), None)


def lock_file_for(path: str | Path, kind: str) -> Path:
    """Where the lock of ``path`` lives: inside a job dir, next to a store or an output file."""
    path = Path(path)
    if kind == "jobdir":
        return path / JOBDIR_LOCK
    return path.with_name(path.name + LOCK_SUFFIX)


def _holder_pid(fd: int) -> int | None:
    """The pid the holder wrote into the lock file (it may still be writing it: retry briefly)."""
    for _ in range(20):
        try:
            text = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
        except OSError:
            return None
        if text.isdigit():
            return int(text)
        time.sleep(0.05)
    return None


def acquire(path: str | Path, what: str, kind: str = "file") -> Lock:
    """Lock ``path`` (``kind`` ``"jobdir"``, or ``"file"`` for a store or an output) for this process.

    Raises :class:`LockHeld` when another process holds it; ``OSError`` when the lock file
    cannot be created (the caller reports it like any other unwritable path).
    """
    lock_file = lock_file_for(path, kind)
    key = str(lock_file.absolute())
    if key in _held:
        return _held[key]
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            os.close(fd)
            raise
        pid = _holder_pid(fd)
        os.close(fd)
        raise LockHeld(what, Path(path), lock_file, pid) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
    lock = _held[key] = Lock(Path(key), fd)
    return lock


def release_all(locks) -> None:
    for lock in locks:
        lock.release()
