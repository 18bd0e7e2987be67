"""Hostile input for the single-page extractor: broken markup, odd charsets, absurd dates, huge or deep pages.

Each :class:`Case` is a file (our own markup and invented text) plus what the command must make of it:
a schema-valid record (``expect="record"``, optionally with a title or body text it must carry) or one
``error:`` line naming why (``expect="error"``, with a substring of that line).  ``tests/test_hostile_pages.py``
writes them all and runs them through ``tests.hostile_runner``; ``python -m tests.hostile_pages DIR``
writes them to DIR to try by hand.
"""

from __future__ import annotations

import codecs
import sys
from dataclasses import dataclass, field
from pathlib import Path

TITLE = "滨江开发区举办新能源产业招商推介会"
PARA = "滨江开发区推进重点项目建设，签约项目十二个，总投资三十亿元，持续优化营商环境，服务企业发展。"
BODY_MARK = "签约项目十二个"


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    expect: str = "record"            # "record" or "error"
    message: str = ""                 # error: a substring of the error line
    args: tuple[str, ...] = ()        # extra command-line arguments (e.g. --charset)
    title: str | None = None          # record: the title it must carry
    body_has: str | None = None       # record: text its body must contain
    no_mojibake: bool = False         # record: title and body free of U+FFFD and of GBK-read UTF-8
    rejected: tuple[str, ...] = ()    # record: the schema check must reject it for these fields (a crawl drops and counts it)
    tags: tuple[str, ...] = field(default=())


def page(*, head: str = "", body: str = "", meta: str = "<meta charset='utf-8'>", title: str = TITLE,
         paras: int = 3) -> str:
    """An article page: <title>, an <h1>, a meta line and ``paras`` paragraphs (``body`` goes before them)."""
    text = "".join(f"<p>{PARA}（第{i}段）</p>" for i in range(1, paras + 1))
    return (
        f"<!DOCTYPE html><html><head>{meta}<title>{title}-滨江开发区网</title>{head}</head><body>"
        f"<div class='crumb'><a href='/'>首页</a> &gt; <a href='/news/'>园区动态</a></div>"
        f"<h1>{title}</h1><div class='info'>发布时间：2023-05-06&nbsp;来源：滨江开发区管委会</div>"
        f"<div class='content'>{body}{text}</div></body></html>"
    )


def _u(text: str) -> bytes:
    return text.encode("utf-8")


def _record(name: str, html: str | bytes, **kw) -> Case:
    return Case(name, html if isinstance(html, bytes) else _u(html), "record", **kw)


def _error(name: str, data: bytes, message: str, **kw) -> Case:
    return Case(name, data, "error", message, **kw)


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256))
DEEP_TEXT = "<p>" + PARA + "</p>"


def _jsonld(doc: str) -> str:
    return f'<script type="application/ld+json">{doc}</script>'


def _cases() -> list[Case]:
    cases: list[Case] = []
    add = cases.append
    # --- not a page at all: one error line -------------------------------------------------------
    add(_error("empty.html", b"", "empty file"))
    add(_error("blank.html", b" \n\t\r\n", "empty file"))
    add(_error("image.png", PNG, "binary data"))
    add(_error("png_named_html.html", PNG, "binary data"))
    add(_error("nul_bytes.html", b"<html>\x00\x00\x00\x00</html>", "binary data"))
    add(_error("archive.zip", b"PK\x03\x04" + bytes(64), "binary data"))
    add(_error("doc.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "binary data"))
    add(_error("gzip.html", b"\x1f\x8b\x08\x00" + bytes(40), "binary data"))
    add(_error("elf.html", b"\x7fELF\x02\x01\x01" + bytes(40), "binary data"))
    # --- text that is no article: a record of nulls ----------------------------------------------
    add(_record("plain.txt", "just some plain text\nno markup at all\n"))
    add(_record("data.json", '{"title": "not a page", "items": [1, 2, 3]}'))
    add(_record("style.css", "body { color: red; }\n.a > .b { margin: 0 }\n"))
    add(_record("no_article.html", "<html><head><title>首页</title></head><body><nav><a href='/'>首页</a></nav></body></html>"))
    add(_record("only_head.html", "<html><head><meta charset='utf-8'></head></html>"))
    add(_record("comment_only.html", "<!-- nothing here -->"))
    add(_record("tags_only.html", "<div><div><span></span></div></div>"))
    add(_record("unclosed.html", "<html><body><h1>标题<p>正文<div><b>粗体<p>第二段</body>"))
    add(_record("garbage_bytes.html", "\u00ff\u00fe<<<>>>&&&;;;</</</>"))
    add(_record("frameset.html", "<html><frameset><frame src='a.html'><frame src='b.html'></frameset></html>"))
    add(_record("script_only.html", "<html><body><script>document.write('<p>x</p>')</script></body></html>"))
    # --- deep and broken markup ------------------------------------------------------------------
    add(_record("deep_5000_divs.html", page(body="<div>" * 5000 + DEEP_TEXT * 3 + "</div>" * 5000), body_has=BODY_MARK))
    add(_record("deep_5000_inline.html", page(body="<span><font color=red>" * 2500 + DEEP_TEXT * 3), body_has=BODY_MARK))
    add(_record("deep_tables.html", page(body="<table><tr><td>" * 800 + DEEP_TEXT + "</td></tr></table>" * 800),
                body_has=BODY_MARK))
    for name, char in (("vtab", "\x0b"), ("soh", "\x01"), ("unit_sep", "\x1f"), ("formfeed", "\x0c"),
                       ("nonchar_fffe", "\ufffe"), ("nonchar_ffff", "\uffff")):
        # a control character below 200 levels of markup (ValueError in dom.limit_depth)
        add(_record(f"ctl_deep_{name}.html", "<div>x" * 250 + char))
        add(_record(f"ctl_in_article_{name}.html", page(body="<div>" * 250 + f"<p>{char}{PARA}{char}</p>" + "</div>" * 250),
                    title=TITLE, body_has=BODY_MARK))
    add(_record("ctl_after_1k.html", page(body="<p>" + "\x00\x01\x02\x03" * 10 + "</p>", head=" " * 1100)))
    add(_record("unterminated_comment.html", page(body="<!-- " + "注释" * 50_000)))
    add(_record("unterminated_script.html", page(body="<script>var a = '" + "x" * 200_000)))
    add(_record("cdata.html", page(body="<![CDATA[ " + "]]" * 1000 + " ]]>")))
    add(_record("bad_entities.html", page(body="<p>&#xFFFFFF; &#0; &#xD800; &#99999999999; &bogus; &#x;</p>"), body_has=BODY_MARK))
    add(_record("xml_decl_base64.html", '<?xml version="1.0" encoding="base64"?>' + page(), title=TITLE))
    add(_record("svg_math.html", page(body="<svg><foreignObject><p>图</p></foreignObject></svg><math><mi>x</mi></math>"),
                body_has=BODY_MARK))
    add(_record("huge_attribute.html", page(body=f"<div data-x='{'a' * 1_000_000}'></div>"), body_has=BODY_MARK))
    add(_record("long_line.html", page(body="<p>" + "开发区" * 300_000 + "</p>")))
    add(_record("many_paragraphs.html", page(body="<p>短句。</p>" * 20_000)))
    add(_record("huge_title.html", page(title="标题" * 100_000), rejected=("title",)))
    add(_record("blank_title.html", page(title=" \u3000 ")))
    add(_record("bad_links.html", page(body="<a href='http://[SITE_URL]/news/1.pdf'>附件一</a> <a href='http://h:99999/x.doc'>附件二</a>"
                                            "<a href='http://[::1/x.xls'>附件三</a> <a href='/files/a.pdf'>附件五</a> <a href='javascript:void(0)'>附件四.pdf</a>"),
                body_has=BODY_MARK))
    add(_record("bad_base_href.html", page(head="<base href='http://[broken'>", body="<a href='a.pdf'>附件.pdf</a>"),
                body_has=BODY_MARK))
    # --- dates no calendar or time zone has -------------------------------------------------------
    add(_record("tz_plus25_label.html", page(body="<p>发布时间：2022-02-17 10:30:00+25:00</p>")))
    add(_record("tz_plus25_meta.html", page(head="<meta name='PubDate' content='2022-02-17 10:30:00+25:00'>")))
    add(_record("tz_plus25_jsonld.html", page(head=_jsonld('{"@type": "NewsArticle", "datePublished": "2022-02-17 10:30:00+25:00"}'))))
    add(_record("tz_minus99_og.html", page(head="<meta property='article:published_time' content='2022-02-17T10:30:00-99:99'>")))
    add(_record("year_9999_meta.html", page(head="<meta name='PubDate' content='9999-12-31 23:59:59-12:00'>")))
    add(_record("year_9999_label.html", page(body="<p>发布时间：9999-12-31 23:59:59-12:00</p>")))
    add(_record("year_9999_jsonld.html", page(head=_jsonld('{"@type": "NewsArticle", "datePublished": "9999-12-31T23:59:59-12:00"}'))))
    add(_record("year_0001_meta.html", page(head="<meta name='PubDate' content='0001-01-01 00:00:00+14:00'>")))
    add(_record("impossible_dates.html", page(body="<p>日期：2022-13-45 0000-00-00 二〇二二年十三月四十日 2022-02-30 25:61:61</p>")))
    add(_record("relative_dates.html", page(body="<p>999天前 999个月前 999年前 刚刚</p>")))
    # --- JSON-LD nested beyond any parser's stack --------------------------------------------------
    add(_record("jsonld_deep_arrays.html", page(head=_jsonld("[" * 100_000 + "]" * 100_000)), title=TITLE))
    add(_record("jsonld_deep_objects.html", page(head=_jsonld('{"a":' * 100_000 + "1" + "}" * 100_000)), title=TITLE))
    add(_record("jsonld_900_deep.html", page(head=_jsonld("[" * 900 + '{"@type": "NewsArticle", "headline": "深层"}' + "]" * 900))))
    add(_record("jsonld_deep_graph.html", page(head=_jsonld('{"@graph": ' * 900 + "[]" + "}" * 900))))
    add(_record("jsonld_deep_name.html", page(head=_jsonld(
        '{"@type": "NewsArticle", "author": ' + "[" * 900 + '"某人"' + "]" * 900 + "}"))))
    add(_record("jsonld_garbage.html", page(head=_jsonld('{"@type": ["NewsArticle", 5, null], "headline": {"name": ["", 7]}}'))))
    # --- charsets that are no text encoding (LookupError) -----------------------------------------
    gbk_page = page(meta="<meta charset='{cs}'>")
    for cs in ("hex", "base64", "zlib", "rot13", "bz2", "uu", "quopri", "punycode", "idna", "utf-7",
               "unicode_escape", "undefined", "x-no-such-charset"):
        add(_record(f"meta_charset_{cs}.html", gbk_page.replace("{cs}", cs).encode("gb18030"), title=TITLE, body_has=BODY_MARK))
    for cs in ("base64", "hex", "rot13", "zlib"):
        add(_record(f"arg_charset_{cs}.html", page(meta="").encode("gb18030"), args=("--charset", cs),
                    title=TITLE, body_has=BODY_MARK))
    add(_record("arg_charset_base64_utf8.html", page(), args=("--charset", "base64"), title=TITLE, body_has=BODY_MARK))
    add(_record("http_equiv_charset_hex.html", page(meta="<meta http-equiv='Content-Type' content='text/html; charset=hex'>")
                .encode("gb18030"), title=TITLE, body_has=BODY_MARK))
    # --- byte-order marks and UTF-16/32 ------------------------------------------------------------
    add(_record("bom_utf8.html", codecs.BOM_UTF8 + _u(page()), title=TITLE))
    add(_record("bom_utf16le.html", codecs.BOM_UTF16_LE + page(meta="").encode("utf-16-le"), title=TITLE))
    add(_record("bom_utf16be.html", codecs.BOM_UTF16_BE + page(meta="").encode("utf-16-be"), title=TITLE))
    # --- stray bytes and mojibake (issue 15, item 5) ----------------------------------------------
    add(_record("bom_utf8_then_gbk.html", codecs.BOM_UTF8 + page(meta="").encode("gb18030"), title=TITLE, no_mojibake=True))
    add(_record("overlong_utf8.html", _u(page()).replace(b"<p>", b"<p>\xc0\xaf\xed\xa0\x80", 1), title=TITLE,
                no_mojibake=True))
    stray = _u(page(paras=1)).replace("签约".encode(), "签".encode() + b"\xff\xfe" + "约".encode())
    add(_record("stray_bytes_declared.html", stray, title=TITLE, no_mojibake=True))
    add(_record("stray_bytes_undeclared.html", stray.replace(b"<meta charset='utf-8'>", b""), title=TITLE, no_mojibake=True))
    add(_record("stray_bytes_under_gb2312.html", stray.replace(b"charset='utf-8'", b"charset='gb2312'"), title=TITLE,
                no_mojibake=True))
    add(_record("stray_bytes_charset_arg.html", stray.replace(b"<meta charset='utf-8'>", b""), args=("--charset", "utf-8"),
                title=TITLE, no_mojibake=True))
    whole = _u(page(paras=1))
    add(_record("cut_inside_a_character.html", whole[: whole.rindex("服务".encode()) + 1], title=TITLE, no_mojibake=True))
    big5 = ("<html><head><meta charset='big5'><title>濱江開發區舉辦新能源產業招商推介會</title></head><body>"
            "<h1>濱江開發區舉辦新能源產業招商推介會</h1><p>發布時間：2023-05-06</p>"
            "<p>濱江開發區推進重點項目建設，簽約項目十二個，總投資三十億元，持續優化營商環境。</p></body></html>").encode("big5hkscs")
    add(_record("big5_stray_byte.html", big5.replace("區".encode("big5hkscs"), "區".encode("big5hkscs") + b"\x80", 1),
                title="濱江開發區舉辦新能源產業招商推介會", no_mojibake=True))
    gbk_stray = page(meta="<meta charset='gbk'>").encode("gb18030").replace("签约".encode("gb18030"), b"\x80", 1)
    add(_record("gbk_stray_byte.html", gbk_stray, title=TITLE, no_mojibake=True))
    garbled = page().replace(TITLE, TITLE.encode().decode("gb18030", errors="replace")).replace(
        PARA, PARA.encode().decode("gb18030", errors="replace"))
    add(_record("mojibake_in_source_gbk.html", garbled, rejected=("title", "body")))
    latin = page().replace(TITLE, TITLE.encode().decode("cp1252", errors="replace"))
    add(_record("mojibake_in_source_latin1.html", latin, rejected=("title",)))
    return cases


CASES: tuple[Case, ...] = tuple(_cases())


def write_cases(folder: Path, cases=CASES) -> None:
    """Write every case's file into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for case in cases:
        (folder / case.name).write_bytes(case.data)


if __name__ == "__main__":
    write_cases(Path(sys.argv[1]))
    print(f"{len(CASES)} files in {sys.argv[1]}")
