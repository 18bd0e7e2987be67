"""A fault-injecting loopback server: the fixture mirror plus pages that misbehave.

``FaultServer(root)`` serves the mirror like :class:`zonecrawler.cli.mirror.MirrorServer`
and adds, on its own paths, every fault a crawl of a real government/zone site meets:
5xx then success, answers slower than the download timeout, connection resets,
truncated bodies, wrong Content-Type or charset, malformed and 5,000-deep markup,
a 50 MB page, a gzip bomb, redirect loops and chains, redirects to another host,
an endless calendar of list pages, and links carrying tracking parameters.

The first list page (``/kfqxw/``) gets an extra block of links to all of them, so a
normal ``scrapy crawl investchn -a base_url=...`` walks into every fault.  Each
fault is a :class:`Fault`: a path, a plan (what to do on the 1st, 2nd, ... request;
the last step repeats) and the outcome a correct crawl must show.

Run it by hand: ``python -m tests.faultserver [MIRROR] [--port 8000]``.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from zonecrawler.cli.mirror import MirrorHandler, MirrorServer

INJECT_INTO = "/kfqxw/"           # the list page that links to every fault
FAULT_DIR = "/news/209901/"       # fault articles match investchn's article pattern
TRAP_PATH = "/trap/calendar"      # ?date=YYYY-MM-DD, each day links to the next and previous
OFFSITE_HOST = "example.invalid"  # never resolvable: a request to it would fail loudly
DECOY = "{decoy}"                 # in a plan or link: the base URL of the decoy server (same host, another port)
SLOW_SECONDS = 3.5                # run the crawl with DOWNLOAD_TIMEOUT below this
HANG_SECONDS = 10                 # "hang": no answer for this long, then the connection is closed
BIG_BYTES = 50 * 1024 * 1024
BOMB_BYTES = 1 << 30              # gzip bomb: 1 GiB of zeros, about 1 MB on the wire
HEADER_BOMB_BYTES = 1 << 30       # header bomb: header lines until 1 GiB is sent or the client hangs up
DEEP_LEVELS = 5000
NEXT_PAGE = "&#19979;&#19968;&#39029;"  # 下一页, as ASCII-safe character references
PREV_PAGE = "&#19978;&#19968;&#39029;"  # 上一页


@dataclass(frozen=True)
class Fault:
    """One misbehaving URL: what the server does per attempt and what the crawl must make of it."""

    name: str
    path: str                   # path (and query) linked from the injected list block
    plan: tuple[str, ...]       # actions per attempt; the last one repeats
    outcome: str                # "record": its article must be in the output once; "skip": no record
    reason: str = ""            # a substring the crawl log must show for it (the logged reason)
    link: str | None = None     # the href linked from the list when it differs from ``path``
    title: str | None = None    # for "record" faults: the title the record must carry
    linked: bool = True         # linked from the injected list block (else reached only by redirect)

    @property
    def href(self) -> str:
        return self.link or self.path


def _article_path(n: int) -> str:
    return f"{FAULT_DIR}{n:06d}.html"


def fault_title(name: str) -> str:
    return f"故障注入测试文章：{name}"


def _record(name: str, n: int, plan: tuple[str, ...], reason: str = "", link: str | None = None) -> Fault:
    return Fault(name, _article_path(n), plan, "record", reason, link, fault_title(name))


def _skip(name: str, n: int, plan: tuple[str, ...], reason: str) -> Fault:
    return Fault(name, _article_path(n), plan, "skip", reason)


# The catalogue.  Actions: ok | status:N | slow | reset | truncate | big | big_chunked | gzip_bomb |
# redirect:TARGET | ctype:VALUE (the article with that Content-Type) | png:VALUE (PNG bytes with that Content-Type) |
# gbk_header_utf8 | gbk_no_charset | gbk_charset_header:CS | gbk_charset_meta:CS | gbk_charset_both:CS |
# malformed | deep | hostile | stray_bytes | short_length | mojibake | header_bomb | header_bloat | hang.  ``reason`` must appear on a log line naming the fault's path.
FAULTS: tuple[Fault, ...] = (
    _record("retry_500_503", 1, ("status:500", "status:503", "ok"), "Retrying"),
    _skip("always_503", 2, ("status:503",), "Gave up retrying"),
    _skip("not_found", 3, ("status:404",), "HTTP 404"),
    _record("slow_then_ok", 4, ("slow", "ok"), "took longer than"),
    _record("reset_then_ok", 5, ("reset", "ok"), "Retrying"),
    _record("truncated_then_ok", 6, ("truncate", "ok"), "data loss"),
    _record("html_as_octet_stream", 7, ("ctype:application/octet-stream",)),
    _skip("png_as_html", 8, ("png:text/html; charset=utf-8",), "binary data, not an HTML page"),
    _skip("png_as_image_png", 9, ("png:image/png",), "binary data, not an HTML page"),
    _record("gbk_body_utf8_header", 10, ("gbk_header_utf8",)),
    _record("gbk_body_no_charset", 11, ("gbk_no_charset",)),
    _record("malformed_html", 12, ("malformed",)),
    _record("deep_nesting", 13, ("deep",)),
    _skip("fifty_mb_declared", 14, ("big",), "larger than download max size"),
    _skip("fifty_mb_chunked", 15, ("big_chunked",), "larger than download max size"),
    _skip("gzip_bomb", 16, ("gzip_bomb",), "during decompression"),
    _skip("redirect_loop", 17, (f"redirect:{_article_path(18)}",), "Filtered duplicate request"),
    Fault("redirect_loop_back", _article_path(18), (f"redirect:{_article_path(17)}",), "skip", "", linked=False),
    _skip("redirect_chain", 19, ("redirect:+hop",), "max redirections reached"),
    _skip("redirect_offsite", 20, (f"redirect:http://{OFFSITE_HOST}/news/209901/000020.html",),
          f"Filtered offsite request to '{OFFSITE_HOST}'"),
    _record("redirect_moved", 21, (f"redirect:{_article_path(22)}",)),
    _record("tracking_params", 23, ("ok",), "", f"{_article_path(23)}?utm_source=wechat&utm_medium=social"),
    _skip("header_bomb", 24, ("header_bomb",), "response header lines"),
    _skip("header_bloat", 25, ("header_bloat",), "response headers larger than"),
    _skip("redirect_other_port", 27, (f"redirect:{DECOY}{_article_path(26)}",), "Redirecting (302) to"),
    # Charsets that are no text encoding (Python's hex/base64/zlib/rot13 codecs), on a GBK body.
    _record("charset_base64_header", 60, ("gbk_charset_header:base64",)),
    _record("charset_hex_meta", 61, ("gbk_charset_meta:hex",)),
    _record("charset_rot13_both", 62, ("gbk_charset_both:rot13",)),
    # Control characters below 200 levels of markup, a date in a +25:00 "time zone", JSON-LD 100,000 deep.
    _record("hostile_markup", 63, ("hostile",)),
    # UTF-8 with a few stray bytes, declared utf-8: UTF-8 with those replaced (it became GB18030 mojibake);
    # a Content-Length that ends inside a character; a page whose own text is mojibake (rejected, counted).
    _record("utf8_stray_bytes", 64, ("stray_bytes",)),
    _record("short_content_length", 65, ("short_length",)),
    _skip("mojibake_in_source", 66, ("mojibake",), "looks like mojibake"),
)
# redirect_moved's article is served (and titled) at its new address.
MOVED_TARGET = Fault(
    "redirect_moved_target", _article_path(22), ("ok",), "skip", "", None, fault_title("redirect_moved"), linked=False
)
# Links no client can request, among the good ones: each is skipped on its own, the list page still counts.
MALFORMED_LINKS = (
    "http://[SITE_URL]/news/209901/000098.html",       # a CMS placeholder never filled in
    "http://127.0.0.1:99999/news/209901/000097.html",  # a port above 65535
)
# More links to the tracking-params article and a mirror article, differing only in tracking parameters.
EXTRA_LINKS = (
    f"{_article_path(23)}?utm_source=weibo&utm_campaign=x",
    f"{_article_path(23)}?spm=a.b.c&from=timeline",
    f"http://{OFFSITE_HOST}/news/209901/000099.html",     # a plain off-site link: never followed
    *MALFORMED_LINKS,
    f"{DECOY}{_article_path(26)}",  # the site's host on another port: another server, never followed
)
TRAP_START = f"{TRAP_PATH}?date=2024-01-01"  # linked as 下一页 (a second "next page") from the list
# Mirror pages that fail before they work: articles only linked from them must not be lost.
MIRROR_FAULTS = {
    "/kfqxw/index_2.html": ("status:503", "ok"),
    "/robots.txt": ("hang",),  # a robots.txt that never answers must not hold the crawl for long
}


def by_name(name: str) -> Fault:
    return next(f for f in (*FAULTS, MOVED_TARGET) if f.name == name)


def article_html(title: str, *, n: int, charset: str | None = "utf-8", wrap_depth: int = 0, malformed: bool = False,
                 hostile: bool = False) -> str:
    """An investchn-like article page (title, meta line, body) whose text is unique to ``title``.

    ``hostile``: control characters in the body (wrapped 250 levels deep), the time printed in a
    +25:00 "time zone" and a JSON-LD block nested 100,000 deep.
    """
    meta = f'<meta charset="{charset}">' if charset else ""
    paras = "".join(
        f"<p>{title}第{i}段：开发区推进项目建设，签约项目{n * 10 + i}个，总投资{n + i}亿元，优化营商环境。</p>" for i in range(1, 6)
    )
    clock = ""
    if hostile:
        paras = paras.replace("优化", "\x0b优化\x01").replace("</p>", "\x0c</p>")
        meta += '<script type="application/ld+json">' + "[" * 100_000 + "]" * 100_000 + "</script>"
        clock, wrap_depth = " 10:30:00+25:00", 250
    if malformed:
        # unclosed <p>/<div>/<b>, a stray close tag, unquoted attributes, a bare ampersand
        paras = paras.replace("</p>", "").replace("<p>", "<p class=x data-a=1><b>") + "</span></font>R&D & more<div"
    body = "<div class=con>" + "<div>" * wrap_depth + paras + "</div>" * wrap_depth + "</div>"
    return (
        f"<!DOCTYPE html><html><head>{meta}<title>{title}-投促中国</title></head><body>"
        '<div class="pos">您现在的位置:<a href="/">首页</a> &gt; <a href="/kfqxw/">开发区新闻</a> &gt; 文字新闻</div>'
        f'<div class="main"><div class="left"><h2 class="t">{title}</h2>'
        f'<div class="info">发布时间:2023-01-{(n % 28) + 1:02d}{clock}&nbsp;&nbsp;来源:南京经济技术开发区</div>'
        f"{body}</div></div>"
        '<div class="foot">版权所有 投促中国</div></body></html>'
    )


def calendar_html(date: str) -> str:
    """A list page for one day: links to the previous and next day, forever."""
    import datetime as dt

    day = dt.date.fromisoformat(date)
    prev_day, next_day = day - dt.timedelta(days=1), day + dt.timedelta(days=1)
    return (
        f'<html><head><meta charset="utf-8"><title>calendar {date}</title></head><body><h1>{date}</h1>'
        f'<a href="{TRAP_PATH}?date={prev_day}">{PREV_PAGE}</a> <a href="{TRAP_PATH}?date={next_day}">{NEXT_PAGE}</a>'
        "</body></html>"
    )


_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
_bomb_lock = threading.Lock()
_bomb: bytes | None = None


def gzip_bomb() -> bytes:
    """gzip of BOMB_BYTES zeros, built in well under a second.

    A 1 MiB block of zeros deflated and ended with a full flush is byte-aligned and
    refers to nothing before it, so repeating it gives a valid stream of any length.
    """
    global _bomb
    with _bomb_lock:
        if _bomb is None:
            block = bytes(1 << 20)
            comp = zlib.compressobj(9, zlib.DEFLATED, -15)
            chunk = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
            repeats = BOMB_BYTES // len(block)
            crc = 0
            for _ in range(repeats):
                crc = zlib.crc32(block, crc)
            final = zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # an empty final block
            header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
            _bomb = header + chunk * repeats + final + struct.pack("<II", crc, BOMB_BYTES & 0xFFFFFFFF)
    return _bomb


class FaultHandler(MirrorHandler):
    """MirrorHandler plus the fault plans of ``server.plans``."""

    server: "FaultServer"

    def do_GET(self):  # noqa: N802 - stdlib naming
        parts = urlsplit(self.path)
        attempt = self.server.note(self.path, self.headers.get("Host", ""))
        try:
            plan = self.server.plans.get(parts.path)
            if plan is not None:
                action = plan[min(attempt, len(plan) - 1)]
                self.act(action, parts)
            elif parts.path == TRAP_PATH:
                date = (parse_qs(parts.query).get("date") or ["2024-01-01"])[0]
                self.send_bytes(calendar_html(date).encode(), "text/html; charset=utf-8")
            elif parts.path == INJECT_INTO:
                self.send_injected_list()
            else:
                super().do_GET()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True  # the crawler hung up (a cancelled download): fine

    # --- actions --------------------------------------------------------------------------------
    def act(self, action: str, parts) -> None:
        kind, _, arg = action.partition(":")
        fault = self.server.fault_at.get(parts.path)
        n = int(Path(parts.path).stem) if parts.path.startswith(FAULT_DIR) else 0
        title = fault.title if fault is not None and fault.title else fault_title(parts.path)
        page = article_html(title, n=n).encode("utf-8")
        if kind == "ok":
            if fault is None:  # a mirror path whose faults are over
                super().do_GET()
            else:
                self.send_bytes(page, "text/html; charset=utf-8")
        elif kind == "status":
            self.send_bytes(f"<html><body>error {arg}</body></html>".encode(), "text/html", status=int(arg))
        elif kind == "hang":
            time.sleep(HANG_SECONDS)
            self.close_connection = True
        elif kind == "slow":
            time.sleep(SLOW_SECONDS)  # the client has timed out by now; the write below may fail
            self.send_bytes(page, "text/html; charset=utf-8")
        elif kind == "reset":
            self.close_connection = True
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()  # RST, no response at all
        elif kind == "truncate":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page) + 5000))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(page[: len(page) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_WR)
        elif kind == "ctype":
            self.send_bytes(page, arg)
        elif kind == "png":
            self.send_bytes(_PNG, arg)
        elif kind == "gbk_header_utf8":
            self.send_bytes(article_html(title, n=n, charset="gbk").encode("gbk"), "text/html; charset=utf-8")
        elif kind == "gbk_no_charset":
            self.send_bytes(article_html(title, n=n, charset=None).encode("gbk"), "text/html")
        elif kind.startswith("gbk_charset_"):
            where = kind.removeprefix("gbk_charset_")
            html = article_html(title, n=n, charset=arg if where in ("meta", "both") else None)
            self.send_bytes(html.encode("gbk"), f"text/html; charset={arg}" if where in ("header", "both") else "text/html")
        elif kind == "stray_bytes":  # two stray bytes in each of four paragraphs
            stray = "段：开".encode() + b"\xff" + "发".encode() + b"\xfe" + "区".encode()
            self.send_bytes(page.replace("段：开发区".encode(), stray, 4), "text/html; charset=utf-8")
        elif kind == "short_length":  # the last byte counted is the first of a three-byte character
            cut = page.index("版权所有".encode()) + 1
            self.close_connection = True  # the bytes past Content-Length must not be read as the next response
            self.send_bytes(page, "text/html; charset=utf-8", length=cut, extra={"Connection": "close"})
        elif kind == "mojibake":  # the CMS stored UTF-8 text read as GBK, and serves that as UTF-8
            html = article_html(title, n=n)
            start, end = html.index("<title>"), html.index('<div class="foot">')
            garbled = html[start:end].encode("utf-8").decode("gb18030", errors="replace")
            self.send_bytes((html[:start] + garbled + html[end:]).encode("utf-8"), "text/html; charset=utf-8")
        elif kind == "hostile":
            self.send_bytes(article_html(title, n=n, hostile=True).encode("utf-8"), "text/html; charset=utf-8")
        elif kind == "malformed":
            self.send_bytes(article_html(title, n=n, malformed=True).encode("utf-8"), "text/html; charset=utf-8")
        elif kind == "deep":
            html = article_html(title, n=n, wrap_depth=DEEP_LEVELS)
            self.send_bytes(html.encode("utf-8"), "text/html; charset=utf-8")
        elif kind in ("big", "big_chunked"):
            self.send_big(declared=kind == "big")
        elif kind == "header_bomb":
            self.send_header_bomb()
        elif kind == "header_bloat":  # few header lines, each just under Twisted's 16 KB line limit
            self.send_bytes(page, "text/html; charset=utf-8", extra={f"X-Bloat-{i}": "b" * 16000 for i in range(40)})
        elif kind == "gzip_bomb":
            self.send_bytes(gzip_bomb(), "text/html; charset=utf-8", extra={"Content-Encoding": "gzip"})
        elif kind == "redirect":
            arg = arg.replace(DECOY, self.server.decoy.base_url)
            if arg == "+hop":  # an endless chain: every hop is a new URL
                hop = int((parse_qs(parts.query).get("hop") or ["0"])[0]) + 1
                arg = f"{parts.path}?hop={hop}"
            self.send_bytes(b"", "text/html", status=302, extra={"Location": arg})
        else:
            raise ValueError(f"unknown fault action {action!r}")

    def send_bytes(self, data: bytes, ctype: str, status: int = 200, extra: dict | None = None,
                   length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data) if length is None else length))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def send_big(self, declared: bool) -> None:
        """50 MB of HTML, with Content-Length or streamed until the connection closes."""
        chunk = ("<p>" + "大" * 20000 + "</p>\n").encode("utf-8") * 16  # ~1 MB writes
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if declared:
            self.send_header("Content-Length", str(BIG_BYTES))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        sent = 0
        while sent < BIG_BYTES:  # bounded: at most BIG_BYTES, and ends early when the client hangs up
            piece = chunk[: BIG_BYTES - sent]
            self.wfile.write(piece)
            sent += len(piece)
        self.close_connection = True

    def send_header_bomb(self) -> None:
        """A status line, then header lines without end (bounded: HEADER_BOMB_BYTES, or until the client hangs up)."""
        self.close_connection = True
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
        batch = b"".join(b"X-Filler-%06d: %s\r\n" % (i, b"z" * 90) for i in range(10_000))  # ~1 MB
        sent = 0
        while sent < HEADER_BOMB_BYTES:
            self.wfile.write(batch)
            sent += len(batch)

    def send_injected_list(self) -> None:
        """The mirror's first list page with a block of links to every fault appended."""
        target = self.resolve(self.path)
        data = target.read_bytes() if target is not None else b"<html><body></body></html>"
        links = [f.href for f in FAULTS if f.linked] + [link.replace(DECOY, self.server.decoy.base_url) for link in EXTRA_LINKS]
        block = "".join(f'<li><a href="{href}">fault {i}</a></li>' for i, href in enumerate(links))
        block = f'<ul class="zc-faults">{block}</ul><a href="{TRAP_START}">{NEXT_PAGE}</a>'
        cut = data.lower().rfind(b"</body>")
        cut = len(data) if cut < 0 else cut
        page = data[:cut] + block.encode("ascii") + data[cut:]
        self.send_bytes(page, "text/html; charset=utf-8" if b"gb" not in data[:1024].lower() else "text/html")


class DecoyHandler(MirrorHandler):
    """Another server on the site's host: records every request and answers with an article page."""

    def do_GET(self):  # noqa: N802
        self.server.hits.append(self.path)
        self.send_response(200)
        page = article_html(fault_title("decoy"), n=26).encode("utf-8")
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)


class FaultServer(MirrorServer):
    """The mirror at ``root`` with the faults of :data:`FAULTS` (and :data:`MIRROR_FAULTS`) injected."""

    def __init__(self, root: str | Path, port: int = 0):
        super().__init__(root, port=port, handler=FaultHandler)
        self.plans: dict[str, tuple[str, ...]] = {
            **{urlsplit(f.path).path: f.plan for f in (*FAULTS, MOVED_TARGET)},
            **MIRROR_FAULTS,
        }
        self.fault_at = {urlsplit(f.path).path: f for f in (*FAULTS, MOVED_TARGET)}
        self.requests: list[tuple[str, str]] = []  # (Host header, path?query) of every GET
        self.attempts: Counter = Counter()          # per path (no query)
        self._lock = threading.Lock()
        self.decoy = MirrorServer(root, handler=DecoyHandler)  # same host, another port: not the site
        gzip_bomb()  # build it before the crawl starts

    def start(self) -> "FaultServer":
        self.decoy.start()
        return super().start()

    def stop(self) -> None:
        super().stop()
        self.decoy.stop()

    def note(self, raw_path: str, host: str) -> int:
        """Record a request; returns how many earlier requests the same path had."""
        path = urlsplit(raw_path).path
        with self._lock:
            self.requests.append((host, raw_path))
            attempt = self.attempts[path]
            self.attempts[path] += 1
        return attempt

    def requests_to(self, prefix: str) -> int:
        with self._lock:
            return sum(1 for _, p in self.requests if p.startswith(prefix))


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="serve a fixture mirror with injected faults on 127.0.0.1")
    parser.add_argument("mirror", nargs="?", default=str(Path(__file__).resolve().parent.parent / "fixtures/investchn/site"))
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    server = FaultServer(args.mirror, port=args.port)
    print(f"serving {args.mirror} with {len(FAULTS)} faults at {server.base_url}{INJECT_INTO}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
