"""Reading a saved page from disk for the single-page commands, with clear errors for bad input."""

from __future__ import annotations

from pathlib import Path

_BINARY_MAGIC = (b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"%PDF", b"PK\x03\x04", b"\x1f\x8b", b"\x7fELF")


class BadPageError(ValueError):
    """The input cannot be an HTML page; the message says why."""


def read_page(path: str | Path) -> bytes:
    """Bytes of a saved page, refusing empty and binary files with a clear message."""
    path = Path(path)
    if not path.exists():
        raise BadPageError(f"{path}: no such file")
    if path.is_dir():
        raise BadPageError(f"{path}: is a folder, not a page")
    data = path.read_bytes()
    return check_page_bytes(data, str(path))


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
