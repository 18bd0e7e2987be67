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
_MOSTLY_UTF8 = 4  # valid multi-byte characters per broken sequence that still mean UTF-8
_NEARLY_ALL = 50  # the same for any other charset
_REPLACEMENT = "\ufffd"
_REPLACEMENT_UTF8 = _REPLACEMENT.encode("utf-8")


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


def _tolerant(data: bytes, codec: str, evidence: int) -> str | None:
    """The text of ``data`` in ``codec`` with its few broken sequences replaced, if that codec explains
    nearly all of the page (at least ``evidence`` valid multi-byte characters), else None.

    UTF-8 is self-checking: GBK or Big5 pages read as UTF-8 keep 0.23-0.30 valid multi-byte characters
    per broken sequence (measured on the real-page set), so 4 per broken one is conclusive.  GB18030
    and Big5 read almost any bytes (a UTF-8 page read as GB18030 breaks about once per 10 characters),
    so for them "nearly all" is at most one broken sequence per 50 characters.
    """
    if codec.startswith(("utf-16", "utf-32")):
        return None
    text = data.decode(codec, errors="replace")
    broken = text.count(_REPLACEMENT)
    if codec == "utf-8":
        broken -= data.count(_REPLACEMENT_UTF8)  # U+FFFD characters the page itself contains
    valid = _multibyte_chars(text) - text.count(_REPLACEMENT)
    per_broken = _MOSTLY_UTF8 if codec == "utf-8" else _NEARLY_ALL
    return text if valid >= evidence and broken * per_broken <= valid else None


def _strict(data: bytes, codec: str | None) -> str | None:
    try:
        return data.decode(codec) if codec else None
    except UnicodeDecodeError:
        return None


def decode_html(data: bytes, http_charset: str | None = None) -> tuple[str, str]:
    """Decode page bytes; returns ``(text, codec_used)``."""
    for bom, codec in _BOMS[1:]:
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), codec
    if data.startswith(codecs.BOM_UTF8):
        rest = data[len(codecs.BOM_UTF8):]
        text = _strict(rest, "utf-8") or _tolerant(rest, "utf-8", 1)
        if text is not None:
            return text, "utf-8-sig"
        data = rest  # a UTF-8 byte-order mark on a page that is not UTF-8: the mark lied
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
    text = _tolerant(data, "utf-8", _UTF8_EVIDENCE)
    if text is not None:
        return text, "utf-8"
    declared = []
    for name in (http_charset, declared_meta_charset(data)):
        codec = page_codec(name)
        if codec is not None and codec not in _UNTRUSTED and codec not in declared:
            declared.append(codec)
    for codec in declared:
        if codec != "utf-8" and (text := _strict(data, codec)) is not None:
            return text, codec
    # A declared charset that explains nearly all of the page, a few stray bytes aside.
    for codec in declared:
        if (text := _tolerant(data, codec, 1)) is not None:
            return text, codec
    guess = from_bytes(data[:65536]).best()
    codec = page_codec(guess.encoding) if guess is not None else None
    if codec and codec not in declared and codec not in _UNTRUSTED:
        text = _strict(data, codec) or _tolerant(data, codec, 1)
        if text is not None:
            return text, codec
    text = data.decode("gb18030", errors="replace")
    if mojibake(text) is not None:  # UTF-8 bytes the GB18030 reading would turn into 寮�鍙戝尯
        return data.decode("utf-8", errors="replace"), "utf-8"
    return text, "gb18030"


# Charsets whose misreading of UTF-8 bytes makes mojibake: 开发区 read as GBK is 寮�鍙戝尯, as
# Windows-1252 å¼€å�‘åŒº, as Big5 撘�蝷曉.
_MOJIBAKE_READINGS = (("gb18030", "GBK"), ("cp1252", "Latin-1"), ("big5hkscs", "Big5"))
_MOJIBAKE_SAMPLE = 4000  # characters looked at
_MOJIBAKE_EVIDENCE = 3  # CJK characters the UTF-8 reading must give
_UNDECODABLE_EVIDENCE = 8  # U+FFFD characters, at least one per 5 non-ASCII characters: the wrong charset
_UNDECODABLE = 5


def mojibake(text: str | None) -> str | None:
    """``"UTF-8 read as GBK"`` (or Latin-1, Big5) when ``text`` looks like UTF-8 bytes decoded in that
    charset, else None.

    The test: encode the text back in that charset and read the bytes as UTF-8.  Real Chinese text
    gives broken UTF-8 (GBK bytes form a valid three-byte UTF-8 character only by chance); mojibake
    gives CJK characters back, at least 4 per broken sequence.  Replacement characters (the bytes
    the misreading could not map) split the text into pieces that are checked one by one.
    """
    if not text:
        return None
    sample = text[:_MOJIBAKE_SAMPLE]
    if sample.isascii():
        return None
    for codec, name in _MOJIBAKE_READINGS:
        valid = broken = 0
        for piece in sample.split(_REPLACEMENT):
            try:
                raw = piece.encode(codec)
            except UnicodeEncodeError:
                valid = -1  # a character this charset does not have: not its misreading
                break
            # a piece's ends are cut sequences (their other bytes became the U+FFFD): not counted
            again = raw.decode("utf-8", errors="replace").strip(_REPLACEMENT)
            broken += again.count(_REPLACEMENT)
            valid += sum(1 for c in again if "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff")
        if valid >= _MOJIBAKE_EVIDENCE and broken * _MOSTLY_UTF8 <= valid:
            return f"UTF-8 read as {name}"
    replaced = sample.count(_REPLACEMENT)
    if replaced >= _UNDECODABLE_EVIDENCE and replaced * _UNDECODABLE >= _multibyte_chars(sample):
        return f"{replaced} undecodable characters (U+FFFD)"  # a charset that explains too little of the text
    return None
