"""Turn raw page bytes into text, whatever charset the server or the page claims.

Chinese sites often lie about their encoding: an HTTP header says UTF-8 while the
body is GBK, or the page declares nothing at all.  The order here is: byte-order
mark, strict UTF-8 (a non-ASCII body that decodes as UTF-8 almost surely is),
each declared charset (HTTP header, then ``<meta>``) decoded strictly, statistical
detection with charset-normalizer, and finally GB18030 with replacement.
"""

from __future__ import annotations

import codecs
import re

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
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.I)
# Western single-byte charsets decode anything; on a non-UTF-8 Chinese page they are never right.
_UNTRUSTED = {"iso8859-1", "cp1252", "ascii"}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().lower()
    name = _SUPERSETS.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def charset_from_content_type(content_type: str | bytes | None) -> str | None:
    """The ``charset=`` parameter of a Content-Type header value, if any."""
    if not content_type:
        return None
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    match = _HEADER_CHARSET.search(content_type)
    return match.group(1) if match else None


def declared_meta_charset(data: bytes) -> str | None:
    """The charset a page declares in a ``<meta>`` tag within its first 4 KB."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii", "ignore") if match else None


def decode_html(data: bytes, http_charset: str | None = None) -> tuple[str, str]:
    """Decode page bytes; returns ``(text, codec_used)``."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), codec
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    tried = {"utf-8"}
    for declared in (http_charset, declared_meta_charset(data)):
        codec = _codec(declared)
        if codec is None or codec in tried or codec in _UNTRUSTED:
            continue
        tried.add(codec)
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    guess = from_bytes(data[:65536]).best()
    codec = _codec(guess.encoding) if guess is not None else None
    if codec and codec not in tried and codec not in _UNTRUSTED:
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            pass
    return data.decode("gb18030", errors="replace"), "gb18030"
