"""Charset handling: declared, wrong and missing charsets for UTF-8, GBK/GB18030 and Big5 pages."""

from __future__ import annotations

import codecs

import pytest

from zonecrawler.extract.decode import charset_from_content_type, declared_meta_charset, decode_html, mojibake, page_codec

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


GB2312_HEAD = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>t</title></head>'


def test_utf8_behind_gb2312_with_a_broken_sequence():
    """A page re-saved as UTF-8 keeps its gb2312 declaration and is cut mid-character: still UTF-8."""
    data = (GB2312_HEAD + f"<body><p>{TEXT * 3}</p><p>版权所有").encode("utf-8")[:-2]
    text, codec = decode_html(data)
    assert codec == "utf-8" and TEXT in text and text.endswith("版权所\ufffd")


def test_utf8_page_with_a_stray_gbk_snippet():
    data = (GB2312_HEAD + f"<body><p>{TEXT * 10}</p>").encode("utf-8") + "<p>广告</p>".encode("gbk") + b"</body></html>"
    text, codec = decode_html(data, "gb2312")
    assert codec == "utf-8" and TEXT in text and text.count("\ufffd") <= 4


def test_gbk_page_is_not_taken_for_mostly_utf8():
    """The mostly-UTF-8 rule needs many valid multi-byte characters per broken one; GBK text has few."""
    data = page(TEXT, "gbk").encode("gbk")
    text, codec = decode_html(data)
    assert codec == "gb18030" and TEXT in text and "\ufffd" not in text


LATE_GBK = ("<html><head><script>" + "var a = 1;\n" * 600 + "</script>"
            '<meta http-equiv="Content-Type" content="text/html; charset=gbk"><title>{}</title></head><body></body></html>')


def test_gbk_declared_late_in_the_head():
    """The declaration comes after 6 KB of scripts; the page's two GBK characters happen to be valid UTF-8."""
    data = LATE_GBK.format("员石").encode("gbk")
    assert data.index(b"charset=gbk") > 6000
    data.decode("utf-8")  # the trap: these GBK bytes are valid UTF-8
    assert declared_meta_charset(data) == "gbk"
    text, codec = decode_html(data)
    assert codec == "gb18030" and "<title>员石</title>" in text


def test_a_late_declaration_is_read_without_guessing(monkeypatch):
    import zonecrawler.extract.decode as decode

    def no_guessing(data):
        raise AssertionError("charset-normalizer consulted although the page declares its charset")

    monkeypatch.setattr(decode, "from_bytes", no_guessing)
    data = LATE_GBK.format("高新区招商引资新闻").encode("gbk")
    text, codec = decode_html(data)
    assert codec == "gb18030" and "高新区招商引资新闻" in text


def test_meta_charset_search_stops_at_the_body():
    assert declared_meta_charset(b'<html><head></head><body><meta charset="gbk"></body>') is None
    assert declared_meta_charset(b'<html><head><meta charset="big5"></head>') == "big5"


@pytest.mark.parametrize("charset", ["hex", "base64", "zlib", "rot13", "bz2", "uu", "quopri", "punycode", "idna",
                                     "utf-7", "unicode_escape", "undefined", "x-no-such-charset"])
def test_a_charset_that_is_no_page_charset_is_ignored(charset):
    """Python has codecs by these names that are no text encoding (LookupError on decode) or rewrite ASCII."""
    data = page(TEXT, charset).encode("gb18030")
    assert page_codec(charset) is None
    assert TEXT in decode_html(data, charset)[0]
    assert TEXT in decode_html(page(TEXT, charset).encode("utf-8"), f"text/html; charset={charset}")[0]


def test_page_charsets_are_looked_up():
    assert page_codec("GB2312") == "gb18030" and page_codec("big5") == "big5hkscs" and page_codec("UTF8") == "utf-8"
    assert page_codec("utf-16le") == "utf-16-le" and page_codec("shift_jis") == "shift_jis"


SHORT = "<html><head><meta charset='utf-8'><title>开发区新闻</title></head><body><p>{}</p></body></html>"


@pytest.mark.parametrize("http_charset", [None, "utf-8"])
def test_a_few_stray_bytes_leave_a_utf8_page_utf8(http_charset):
    """Issue 15: strict UTF-8 failed, the declared utf-8 was skipped as tried, GB18030 'succeeded' (寮�鍙戝尯)."""
    head, tail = SHORT.split("{}")
    body = "滨江开发区".encode() + b"\xff\xfe\xc0\xaf" + "举办招商推介会，签约项目十二个".encode()  # four broken sequences
    data = head.encode() + body + tail.encode()
    text, codec = decode_html(data, http_charset)
    assert codec == "utf-8" and "开发区新闻" in text and "举办招商推介会" in text
    assert mojibake(text) is None


def test_a_page_cut_inside_a_character_stays_utf8():
    """A Content-Length shorter than the body ends the page inside a character."""
    data = SHORT.format("滨江开发区举办招商推介会").encode("utf-8")
    data = data[: data.index("推".encode()) + 1]
    text, codec = decode_html(data, "utf-8")
    assert codec == "utf-8" and text.endswith("举办招商\ufffd")


def test_a_declared_big5_page_with_a_stray_byte_is_big5():
    data = page(TRAD, "big5").encode("big5hkscs").replace("區".encode("big5hkscs"), "區".encode("big5hkscs") + b"\x80", 1)
    text, codec = decode_html(data)
    assert codec == "big5hkscs" and TRAD[20:] in text and mojibake(text) is None


def test_a_utf8_bom_on_a_gbk_page_is_ignored():
    data = codecs.BOM_UTF8 + page(TEXT, None).encode("gbk")
    text, codec = decode_html(data)
    assert TEXT in text and "\ufffd" not in text


@pytest.mark.parametrize(("reading", "name"), [("gb18030", "GBK"), ("cp1252", "Latin-1")])
def test_mojibake_is_recognised(reading, name):
    garbled = TEXT.encode("utf-8").decode(reading, errors="replace")
    assert mojibake(garbled) == f"UTF-8 read as {name}"
    assert mojibake("开发区" + "\ufffd" * 8) is not None  # mostly undecodable


@pytest.mark.parametrize("text", [TEXT, TRAD, "plain ASCII", "café naïve résumé", "员石", "", "签约\ufffd项目十二个总投资三十亿元"])
def test_real_text_is_no_mojibake(text):
    assert mojibake(text) is None
