"""Charset handling: declared, wrong and missing charsets for UTF-8, GBK/GB18030 and Big5 pages."""

from __future__ import annotations

import codecs

import pytest

from zonecrawler.extract.decode import charset_from_content_type, decode_html

TEXT = "六合经济开发区召开深化作风建设优化营商环境推进会，全年完成项目签约总额557.3亿元。"
TRAD = "六合經濟開發區召開深化作風建設優化營商環境推進會，全年完成項目簽約總額557.3億元。"


def page(body: str, meta: str | None) -> str:
    head = f'<meta charset="{meta}">' if meta else ""
    return f"<html><head>{head}<title>t</title></head><body><p>{body * 3}</p></body></html>"


@pytest.mark.parametrize(
    "encoding, meta, header",
    [
        ("utf-8", "utf-8", None),
        ("utf-8", None, None),
        ("utf-8", "gbk", None),  # wrong meta: UTF-8 bytes still win
        ("gbk", "gb2312", None),
        ("gbk", None, None),  # no declaration at all
        ("gbk", "gbk", "utf-8"),  # HTTP header lies: says UTF-8 on a GBK body
        ("gb18030", None, None),
        ("gbk", None, "iso-8859-1"),  # Western header on a Chinese page
    ],
)
def test_simplified_pages_decode(encoding, meta, header):
    data = page(TEXT, meta).encode(encoding)
    text, _ = decode_html(data, header)
    assert TEXT in text
    assert "\ufffd" not in text


@pytest.mark.parametrize("meta, header", [("big5", None), (None, None), ("big5", "utf-8")])
def test_big5_pages_decode(meta, header):
    data = page(TRAD, meta).encode("big5")
    text, _ = decode_html(data, header)
    assert TRAD in text


def test_bom_wins():
    data = codecs.BOM_UTF8 + page(TEXT, "gbk").encode("utf-8")
    text, codec = decode_html(data)
    assert TEXT in text and codec == "utf-8-sig"


def test_charset_from_content_type():
    assert charset_from_content_type(b"text/html; charset=GBK") == "GBK"
    assert charset_from_content_type("text/html") is None
    assert charset_from_content_type(None) is None
