"""Turn raw page bytes into text, whatever charset the server or the page claims.

Chinese sites often lie about their encoding: an HTTP header says UTF-8 while the
body is GBK, a page declares gb2312 but was re-saved as UTF-8, or the page declares
nothing at all.  The order here is:

1. a byte-order mark;
2. strict UTF-8 — a body with a dozen or more multi-byte characters that decodes as UTF-8
   almost surely is, whatever it declares (with only a few, GBK bytes can pass for UTF-8 by
   chance, so a GBK-family or Big5 declaration that decodes cleanly wins);
3. mostly-UTF-8 — valid UTF-8 with a few broken sequences (a page cut mid-character, a
   stray GBK snippet) is UTF-8 with those few replaced, not a wholesale GBK misreading;
4. each declared charset (HTTP header, then ``<meta>`` anywhere in ``<head>``, however late)
   decoded strictly;
5. statistical detection with charset-normalizer, and finally GB18030 with replacement.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

from charset_normalizer import from_bytes

# Declared names mapped to the widest compatible codec Python ships.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "gb_2312-80": "gb18030",
    "big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "cp950": "big5hkscs",
}
_META_CHARSET = re.compile(rb"""<meta\b[^>]{0,2048}?charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_HEAD_END = re.compile(rb"</head\s*>|<body[\s>]", re.I)
_HEAD_MAX = 1 << 20  # a <head> longer than 1 MB is not looked at further
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.I)
# Western single-byte charsets decode anything; on a non-UTF-8 Chinese page they are never right.
_UNTRUSTED = {"iso8859-1", "cp1252", "ascii"}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Declared charsets that valid UTF-8 bytes with few multi-byte characters may really be.
_MULTIBYTE_CJK = {"gb18030", "big5hkscs", "gbk", "gb2312", "big5"}
_UTF8_EVIDENCE = 12  # multi-byte characters that make valid UTF-8 conclusive
_MOSTLY_UTF8 = 50  # valid multi-byte characters per broken sequence that still mean UTF-8
_REPLACEMENT = "\ufffd"


# Markup every HTML charset must read as itself: a declaration is only readable in a charset that
# keeps ASCII as ASCII.  This rules out Python's codecs that are not text encodings at all (hex,
# base64, zlib, rot13: LookupError on bytes.decode) and the text codecs that rewrite ASCII
# (punycode, utf-7, unicode_escape, EBCDIC).  UTF-16/32 are the exception (their BOM is read first).
_ASCII_PROBE = b'<META charset="x">\\u0041 \\x41 +AGEA- a.B'
_NOT_PAGE_CHARSETS = {"idna"}  # reads ASCII as itself, but is a host-name codec


@lru_cache(maxsize=256)
def page_codec(name: str | None) -> str | None:
    """The Python codec for a declared charset name, or None when it is unknown or no page charset."""
    if not name:
        return None
    name = name.strip().lower()
    name = _SUPERSETS.get(name, name)
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    if codec.startswith(("utf-16", "utf-32")):
        return codec
    try:
        readable = _ASCII_PROBE.decode(codec) == _ASCII_PROBE.decode("ascii")
    except (LookupError, UnicodeError):
        readable = False
    return codec if readable and codec not in _NOT_PAGE_CHARSETS else None


def charset_from_content_type(content_type: str | bytes | None) -> str | None:
    """The ``charset=`` parameter of a Content-Type header value, if any."""
    if not content_type:
        return None
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    match = _HEADER_CHARSET.search(content_type)
    return match.group(1) if match else None


def declared_meta_charset(data: bytes) -> str | None:
    """The charset a page declares in a ``<meta>`` tag anywhere in its ``<head>``.

    Old portals put a long run of scripts and styles before the declaration, so the
    search runs to ``</head>`` (or ``<body>``), not just over the first kilobytes.
    """
    end = _HEAD_END.search(data, 0, _HEAD_MAX)
    match = _META_CHARSET.search(data, 0, end.start() if end else _HEAD_MAX)
    return match.group(1).decode("ascii", "ignore") if match else None


def _multibyte_chars(text: str) -> int:
    """Characters outside ASCII (each one a multi-byte sequence in UTF-8)."""
    return len(text) - len(text.encode("ascii", "ignore"))


def _mostly_utf8(data: bytes) -> str | None:
    """The text if ``data`` is UTF-8 but for a few broken sequences, else None."""
    text = data.decode("utf-8", errors="replace")
    broken = text.count(_REPLACEMENT) - data.count(_REPLACEMENT.encode("utf-8"))
    valid = _multibyte_chars(text) - text.count(_REPLACEMENT)
    return text if valid >= _UTF8_EVIDENCE and broken * _MOSTLY_UTF8 <= valid else None


def _strict(data: bytes, codec: str | None) -> str | None:
    try:
        return data.decode(codec) if codec else None
    except UnicodeDecodeError:
        return None


def decode_html(data: bytes, http_charset: str | None = None) -> tuple[str, str]:
    """Decode page bytes; returns ``(text, codec_used)``."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), codec
    text = _strict(data, "utf-8")
    if text is not None:
        # Each multi-byte character adds 1-3 bytes to the length: a cheap lower bound first.
        if len(data) - len(text) >= 3 * _UTF8_EVIDENCE or _multibyte_chars(text) >= _UTF8_EVIDENCE:
            return text, "utf-8"
        # Little non-ASCII text: a few GBK or Big5 characters can form valid UTF-8 by chance.
        for declared in (http_charset, declared_meta_charset(data)):
            codec = page_codec(declared)
            if codec in _MULTIBYTE_CJK:
                other = _strict(data, codec)
                if other is not None:
                    return other, codec
        return text, "utf-8"
    text = _mostly_utf8(data)
    if text is not None:
        return text, "utf-8"
    tried = {"utf-8"}
    for declared in (http_charset, declared_meta_charset(data)):
        codec = page_codec(declared)
        if codec is None or codec in tried or codec in _UNTRUSTED:
            continue
        tried.add(codec)
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    guess = from_bytes(data[:65536]).best()
    codec = page_codec(guess.encoding) if guess is not None else None
    if codec and codec not in tried and codec not in _UNTRUSTED:
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            pass
    return data.decode("gb18030", errors="replace"), "gb18030"
