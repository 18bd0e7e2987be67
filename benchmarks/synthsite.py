"""A synthetic investchn-like site generated on the fly (nothing on disk), for crawl benchmarks.

    python -m benchmarks.synthsite --articles 100000 [--port 0]   # prints "PORT <n>" then serves until killed

Layout (matches ``zonecrawler/sites/investchn.toml``):
  /kfqxw/                          links to every region sub-list
  /kfqxw/<region>/[index_P.html]   PER_PAGE article links per page, 下一页 to the next page
  /tzxw/                           an empty list
  /news/YYYYMM/NNNNNNN.html        article N (unique title and body; 上一条/下一条 links to N-1, N+1)
A region holds REGION_PAGES pages, so no pagination chain is deeper than the spider's list limit.
Everything is a deterministic function of the URL.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys

PER_PAGE = 50
REGION_PAGES = 100
PER_REGION = PER_PAGE * REGION_PAGES
_ARTICLE = re.compile(r"^/news/(\d{6})/(\d+)\.html$")
_REGION = re.compile(r"^/kfqxw/([a-z]+)/(?:index_(\d+)\.html)?$")
_ZONES = ("南京经济技术开发区", "苏州工业园区", "合肥高新区", "广州开发区", "成都高新区", "天津经开区")
_PLACES = ("南京", "苏州", "合肥", "广州", "成都", "天津")


def region_name(i: int) -> str:
    """0 -> 'qaa', 1 -> 'qab', ... (letters only, as the list pattern wants; up to 676 regions)."""
    return "q" + chr(97 + i // 26) + chr(97 + i % 26)


def article_path(n: int) -> str:
    return f"/news/{2015 + n % 10}{n % 12 + 1:02d}/{n:07d}.html"


def list_path(region: int, page: int) -> str:
    return f"/kfqxw/{region_name(region)}/" + ("" if page == 1 else f"index_{page}.html")


def all_urls(base: str, articles: int) -> list[str]:
    """Every page a full crawl fetches (robots.txt aside): lists, then articles."""
    regions = -(-articles // PER_REGION)
    urls = [f"{base}/kfqxw/", f"{base}/tzxw/"]
    for r in range(regions):
        in_region = min(PER_REGION, articles - r * PER_REGION)
        urls += [base + list_path(r, p) for p in range(1, -(-in_region // PER_PAGE) + 1)]
    urls += [base + article_path(n) for n in range(articles)]
    return urls


def _page(title: str, body: str) -> bytes:
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{title}-投促中国</title></head><body>"
        '<div class="top">打造网上国际投资促进平台 致力于中国投资促进事业</div>'
        '<div class="nav"><a href="/">首页</a><a href="/kfqxw/">开发区新闻</a><a href="/tzxw/">投资新闻</a></div>'
        f"{body}"
        '<div class="foot">与我们联系 联系电话:+86-0512-53660867 版权所有:投促中国</div></body></html>'
    ).encode("utf-8")


def article_page(n: int, articles: int) -> bytes:
    region = n // PER_REGION
    place, zone = _PLACES[n % len(_PLACES)], _ZONES[n % len(_ZONES)]
    title = f"{zone}第{n}号项目集中签约 总投资{n % 97 + 3}亿元"
    paras = "".join(
        f"<p>&nbsp;&nbsp;{zone}第{n}号报道第{i}段：近日，{place}举行重大项目集中签约仪式，签约项目{(n + i) % 40 + 5}个，"
        f"涵盖新一代信息技术、生物医药、高端装备制造等领域，计划总投资{(n * i) % 300 + 20}亿元。"
        "开发区将持续优化营商环境，强化要素保障，推动项目早落地、早开工、早投产，为区域经济高质量发展注入新动能。</p>"
        for i in range(1, 7)
    )
    prev_link = f'<p>上一条:<a href="{article_path(n - 1)}">上一篇文章</a></p>' if n > 0 else ""
    next_link = f'<p>下一条:<a href="{article_path(n + 1)}">下一篇文章</a></p>' if n + 1 < articles else ""
    body = (
        f'<div class="pos">您现在的位置:<a href="/">首页</a> &gt; <a href="/kfqxw/">开发区新闻</a> &gt; '
        f'<a href="{list_path(region, 1)}">{place}</a> &gt; 文字新闻</div>'
        f'<div class="main"><div class="left"><h2 class="t">{title}</h2>'
        f'<div class="info">发布时间:{2015 + n % 10}-{n % 12 + 1:02d}-{n % 28 + 1:02d}&nbsp;&nbsp;来源:{zone}'
        f"&nbsp;&nbsp;发布开发区:{zone}</div>"
        f'<div class="con">{paras}</div><div class="page">{prev_link}{next_link}</div></div></div>'
    )
    return _page(title, body)


def region_page(region: int, page: int, articles: int) -> bytes | None:
    first = region * PER_REGION + (page - 1) * PER_PAGE
    if page < 1 or page > REGION_PAGES or first >= articles:
        return None
    last = min(first + PER_PAGE, (region + 1) * PER_REGION, articles)
    items = "".join(f'<li><a href="{article_path(n)}">第{n}号新闻</a> 2023-01-01</li>' for n in range(first, last))
    more = last < min((region + 1) * PER_REGION, articles)
    nxt = f'<a href="{list_path(region, page + 1)}">下一页</a>' if more else ""
    return _page(f"开发区新闻 {region_name(region)} 第{page}页", f"<ul>{items}</ul>{nxt}")


def home_list(articles: int) -> bytes:
    regions = -(-articles // PER_REGION)
    links = "".join(f'<li><a href="{list_path(r, 1)}">{region_name(r)}</a></li>' for r in range(regions))
    return _page("开发区新闻", f"<ul>{links}</ul>")


def render(path: str, articles: int) -> bytes | None:
    """The page at ``path``, or None for 404."""
    if path == "/robots.txt":
        return b"User-agent: *\nAllow: /\n"
    if path == "/kfqxw/":
        return home_list(articles)
    if path == "/tzxw/":
        return _page("投资新闻", "<ul></ul>")
    m = _ARTICLE.match(path)
    if m:
        n = int(m.group(2))
        return article_page(n, articles) if 0 <= n < articles and article_path(n) == path else None
    m = _REGION.match(path)
    if m:
        letters = m.group(1)
        region = next((r for r in range(-(-articles // PER_REGION)) if region_name(r) == letters), None)
        return None if region is None else region_page(region, int(m.group(2) or 1), articles)
    return None


async def serve(articles: int, port: int) -> None:
    from aiohttp import web

    async def handle(request: web.Request) -> web.Response:
        body = render(request.path, articles)
        if body is None:
            return web.Response(status=404, text="not found")
        ctype = "text/plain" if request.path == "/robots.txt" else "text/html"
        return web.Response(body=body, content_type=ctype, charset="utf-8")

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    print(f"PORT {site._server.sockets[0].getsockname()[1]}", flush=True)
    await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        asyncio.run(serve(args.articles, args.port))
    except KeyboardInterrupt:
        pass
    return 0


class SynthSite:
    """Run the site in a child process (its own CPU time, not the benchmark's); a context manager."""

    def __init__(self, articles: int):
        self.articles = articles
        self.proc = None
        self.base_url = ""

    def __enter__(self) -> "SynthSite":
        import subprocess

        from benchmarks.common import REPO

        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.synthsite", "--articles", str(self.articles)],
            cwd=REPO, stdout=subprocess.PIPE, text=True,
        )
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.proc.kill()
            raise RuntimeError(f"synthetic site did not start: {line!r}")
        self.base_url = f"http://127.0.0.1:{int(line.split()[1])}"
        return self

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait(timeout=10)


if __name__ == "__main__":
    raise SystemExit(main())
