"""Many small polite-crawl test sites served by one process, one per loopback address, for bench_sweep.

    python -m benchmarks.sweepsite --sites 200 --articles 20   # prints "PORT <n>", serves until killed

Site ``k`` (0-based) answers on ``127.0.0.{k+2}:PORT`` (``127.0.0.1`` is kept for control):
``/`` is a list of its ``--articles`` article links, ``/news/<k>/<i>.html`` its articles
(unique title and body, 发布时间/来源 line, 上一条/下一条 within the site), ``/robots.txt``
allows everything.  Every answer waits the site's latency, fixed per site between
``--min-latency`` and ``--max-latency`` ms.  The server records, per site, when each request
arrived and how many were in flight, so that the benchmark can check each crawler's politeness
from the server's side: ``GET http://127.0.0.1:PORT/__report`` returns them as JSON and
``/__reset`` clears them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import time

from benchmarks.synthsite import _page

_ARTICLE = re.compile(r"^/news/(\d+)/(\d+)\.html$")
MAX_SITES = 250
WINDOW = 4  # gaps per rate window  # 127.0.0.2 .. 127.0.0.251


def site_host(k: int) -> str:
    if not 0 <= k < MAX_SITES:
        raise ValueError(f"site {k}: at most {MAX_SITES} sites")
    return f"127.0.0.{k + 2}"


def latency_ms(k: int, low: int, high: int) -> int:
    """The site's fixed latency, spread evenly over [low, high] by site number."""
    return low + (k * 37) % (high - low + 1) if high > low else low


def article_path(k: int, i: int) -> str:
    return f"/news/{k}/{i}.html"


def article_page(k: int, i: int, articles: int) -> bytes:
    title = f"示范{k}号开发区第{i}号项目签约 总投资{(k + i) % 97 + 3}亿元"
    paras = "".join(
        f"<p>示范{k}号开发区第{i}号报道第{p}段：近日，该区举行重大项目集中签约仪式，签约项目{(k + i + p) % 40 + 5}个，"
        f"计划总投资{(k * i + p) % 300 + 20}亿元，涵盖新一代信息技术、生物医药、高端装备制造等领域。</p>"
        for p in range(1, 6)
    )
    prev_link = f'<p>上一条:<a href="{article_path(k, i - 1)}">上一篇</a></p>' if i > 0 else ""
    next_link = f'<p>下一条:<a href="{article_path(k, i + 1)}">下一篇</a></p>' if i + 1 < articles else ""
    body = (
        f'<div class="pos">您现在的位置:<a href="/">首页</a> &gt; 新闻</div>'
        f"<div><h2>{title}</h2><div>发布时间:2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}&nbsp;&nbsp;来源:示范{k}号开发区</div>"
        f"<div>{paras}</div><div>{prev_link}{next_link}</div></div>"
    )
    return _page(title, body)


def list_page(k: int, articles: int) -> bytes:
    items = "".join(f'<li><a href="{article_path(k, i)}">第{i}号新闻</a> 2024-01-01</li>' for i in range(articles))
    return _page(f"示范{k}号开发区新闻", f"<ul>{items}</ul>")


def render(k: int, path: str, articles: int) -> tuple[bytes, str] | None:
    if path == "/robots.txt":
        return b"User-agent: *\nAllow: /\n", "text/plain"
    if path == "/":
        return list_page(k, articles), "text/html"
    m = _ARTICLE.match(path)
    if m and int(m.group(1)) == k and 0 <= int(m.group(2)) < articles:
        return article_page(k, int(m.group(2)), articles), "text/html"
    return None


class Politeness:
    """Per-site request log kept by the server: arrival times and the most requests in flight at once."""

    def __init__(self):
        self.reset()

    def reset(self) -> None:
        self.arrivals: dict[int, list[float]] = {}
        self.in_flight: dict[int, int] = {}
        self.max_in_flight: dict[int, int] = {}

    def enter(self, k: int) -> None:
        self.arrivals.setdefault(k, []).append(time.monotonic())
        self.in_flight[k] = self.in_flight.get(k, 0) + 1
        self.max_in_flight[k] = max(self.max_in_flight.get(k, 0), self.in_flight[k])

    def leave(self, k: int) -> None:
        self.in_flight[k] -= 1

    def report(self) -> dict:
        sites = {}
        for k, times in self.arrivals.items():
            gaps = [b - a for a, b in zip(times, times[1:])]
            spans = [times[i + WINDOW] - times[i] for i in range(len(times) - WINDOW)]
            sites[k] = {
                "requests": len(times),
                "max_in_flight": self.max_in_flight[k],
                "min_gap_s": min(gaps) if gaps else None,
                "mean_gap_s": sum(gaps) / len(gaps) if gaps else None,
                # the shortest time any WINDOW + 1 consecutive requests took (a rate, robust to one late request)
                "min_window_s": min(spans) if spans else None,
            }
        return {"sites": sites}


async def serve(sites: int, articles: int, low: int, high: int, port: int) -> None:
    from aiohttp import web

    log = Politeness()
    by_host = {site_host(k): k for k in range(sites)}

    async def handle(request: web.Request) -> web.Response:
        host = request.transport.get_extra_info("sockname")[0]
        if host == "127.0.0.1":
            if request.path == "/__report":
                return web.Response(text=json.dumps(log.report()), content_type="application/json")
            if request.path == "/__reset":
                log.reset()
                return web.Response(text="ok")
            return web.Response(status=404)
        k = by_host[host]
        log.enter(k)
        try:
            await asyncio.sleep(latency_ms(k, low, high) / 1000)
            page = render(k, request.path, articles)
        finally:
            log.leave(k)
        if page is None:
            return web.Response(status=404, text="not found")
        return web.Response(body=page[0], content_type=page[1], charset="utf-8")

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    control = web.TCPSite(runner, "127.0.0.1", port)
    await control.start()
    port = control._server.sockets[0].getsockname()[1]
    for host in by_host:
        await web.TCPSite(runner, host, port).start()
    print(f"PORT {port}", flush=True)
    await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--min-latency", type=int, default=100, help="ms")
    parser.add_argument("--max-latency", type=int, default=300, help="ms")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    site_host(args.sites - 1)  # checks the count
    asyncio.run(serve(args.sites, args.articles, args.min_latency, args.max_latency, args.port))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
