"""Reading a saved page from disk for the single-page commands, with clear errors for bad input."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

# A saved page larger than this is refused unread (the crawl cuts downloads at 10 MB).
MAX_PAGE_BYTES = 64 * 1024 * 1024
_BINARY_MAGIC = (b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"%PDF", b"PK\x03\x04", b"\x1f\x8b", b"\x7fELF")


class BadPageError(ValueError):
    """The input cannot be an HTML page; the message says why."""


def read_page(path: str | Path) -> bytes:
    """Bytes of a saved page, refusing with a clear message what cannot be one.

    Only regular files are read: a FIFO would block until someone writes to it, a device such
    as ``/dev/zero`` never ends.  Reading stops at :data:`MAX_PAGE_BYTES`.
    """
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise BadPageError(f"{path}: no such file") from None
    except OSError as exc:
        raise BadPageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        raise BadPageError(f"{path}: is a folder, not a page")
    if not stat.S_ISREG(mode):
        kind = "a FIFO" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket"
        raise BadPageError(f"{path}: is {kind}, not a regular file (use - to read standard input)")
    try:
        with open(path, "rb") as stream:
            return read_stream(stream, str(path))
    except OSError as exc:
        raise BadPageError(f"{path}: cannot read: {exc.strerror or exc}") from None


def read_stream(stream: BinaryIO, name: str) -> bytes:
    """At most :data:`MAX_PAGE_BYTES` of ``stream`` (refusing more), checked by :func:`check_page_bytes`."""
    data = stream.read(MAX_PAGE_BYTES + 1)
    if len(data) > MAX_PAGE_BYTES:
        raise BadPageError(f"{name}: larger than {MAX_PAGE_BYTES // (1024 * 1024)} MB, not a page")
    return check_page_bytes(data, name)


def check_page_bytes(data: bytes, name: str = "<input>") -> bytes:
    """Return ``data`` if it can be an HTML page, else raise :class:`BadPageError`."""
    if not data.strip():
        raise BadPageError(f"{name}: empty file, nothing to extract")
    head = data[:1024]
    if head.startswith(_BINARY_MAGIC) or b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BadPageError(f"{name}: binary data, not an HTML page")
    return data


def file_url(path: str | Path) -> str:
    """A ``file://`` URL for a page read from disk (used when no --url is given)."""
    return Path(path).resolve().as_uri()
