"""``zonecrawler report``: one self-contained HTML page (no CDN, opens offline) of charts and tables from records.

Charts are drawn by plotly (``pip install 'zonecrawler[report]'``); plotly.js is embedded once
in the page.  Sections: articles per month by province, top zones by article count, signed
amounts (``amount_cny`` of signing events) per month and per province, events by kind, the 20
largest signings (date, zone, amount, companies, link), and the crawl's health summary when
one is given.  Amounts are shown in 亿元 (10^8 CNY).
"""

from __future__ import annotations

import html
import json
import os
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

from zonecrawler.storage.files import fsync_dir

YI = 100_000_000
TOP_ZONES = 15
TOP_SIGNINGS = 20
UNKNOWN = "(未知)"
KIND_LABELS = {"signing": "签约 signing", "groundbreaking": "开工 groundbreaking", "production": "投产 production",
               "completion": "竣工 completion", "settling": "落户/入驻 settling", "promotion": "招商推介 promotion"}
FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, WenQuanYi Micro Hei, sans-serif"


class ReportError(ValueError):
    """The report cannot be made (plotly missing, unreadable summary); the message says what to do."""


def _plotly():
    try:
        import plotly.graph_objects as go
        from plotly.offline import get_plotlyjs
    except ImportError:
        raise ReportError("zonecrawler report draws its charts with plotly: pip install 'zonecrawler[report]'") from None
    return go, get_plotlyjs


def _province(record: dict) -> str:
    return (record.get("zone") or {}).get("province") or UNKNOWN


def _zone_name(record: dict) -> str | None:
    return (record.get("zone") or {}).get("name")


def _month(record: dict) -> str | None:
    date = record.get("date")
    return date[:7] if date else None


def signings(records: list[dict]) -> list[dict]:
    """Every signing event that states a CNY amount, with its article's date, zone, province, title and URL."""
    out = []
    for record in records:
        for event in record.get("events") or []:
            if event.get("kind") == "signing" and event.get("amount_cny") is not None:
                out.append({"date": record.get("date"), "month": _month(record), "zone": event.get("zone") or _zone_name(record),
                            "province": _province(record), "amount_cny": event["amount_cny"],
                            "companies": event.get("companies") or [], "title": record.get("title") or record.get("url"),
                            "url": record.get("url"), "text": event.get("text")})
    return out


def report_data(records: list[dict]) -> dict:
    """Everything the page shows, as plain data (tested directly)."""
    by_month_province: dict[str, Counter] = defaultdict(Counter)
    for record in records:
        month = _month(record)
        if month:
            by_month_province[_province(record)][month] += 1
    zones = Counter(name for name in map(_zone_name, records) if name)
    signed = signings(records)
    signed_month: Counter = Counter()
    signed_province: Counter = Counter()
    for s in signed:
        if s["month"]:
            signed_month[s["month"]] += s["amount_cny"]
        signed_province[s["province"]] += s["amount_cny"]
    kinds = Counter(e["kind"] for r in records for e in r.get("events") or [])
    return {
        "articles": len(records),
        "with_date": sum(1 for r in records if r.get("date")),
        "months": sorted({m for c in by_month_province.values() for m in c}),
        "by_month_province": {p: dict(c) for p, c in sorted(by_month_province.items(), key=lambda kv: -sum(kv[1].values()))},
        "top_zones": zones.most_common(TOP_ZONES),
        "signed_month": dict(sorted(signed_month.items())),
        "signed_province": dict(signed_province.most_common()),
        "event_kinds": {k: kinds[k] for k in KIND_LABELS if kinds[k]},
        "largest_signings": sorted(signed, key=lambda s: -s["amount_cny"])[:TOP_SIGNINGS],
        "signings": len(signed),
    }


def _figure_html(go, fig, title: str) -> str:
    fig.update_layout(title={"text": title, "x": 0}, font={"family": FONT, "size": 13}, margin={"l": 60, "r": 20, "t": 50, "b": 50},
                      height=380, template="plotly_white", legend={"font": {"size": 11}})
    return fig.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False, "responsive": True, "displayModeBar": False})


def _no_data(title: str) -> str:
    return f'<div class="empty"><h3>{html.escape(title)}</h3><p>no data in these records</p></div>'


def _charts(go, data: dict) -> list[str]:
    out = []
    title = "Articles per month by province 各省每月文章数"
    if data["months"]:
        fig = go.Figure()
        for province, counts in data["by_month_province"].items():
            fig.add_bar(name=province, x=data["months"], y=[counts.get(m, 0) for m in data["months"]])
        fig.update_layout(barmode="stack", xaxis={"type": "category", "title": "month"}, yaxis={"title": "articles"})
        out.append(_figure_html(go, fig, title))
    else:
        out.append(_no_data(title))
    title = f"Top {TOP_ZONES} zones by article count 文章最多的开发区"
    if data["top_zones"]:
        names = [n for n, _ in reversed(data["top_zones"])]
        fig = go.Figure(go.Bar(x=[c for _, c in reversed(data["top_zones"])], y=names, orientation="h", marker_color="#2a6f97"))
        fig.update_layout(xaxis={"title": "articles"}, height=max(380, 28 * len(names) + 100))
        html_fig = _figure_html(go, fig, title)
        out.append(html_fig)
    else:
        out.append(_no_data(title))
    title = "Signed amounts per month (签约, 亿元)"
    if data["signed_month"]:
        fig = go.Figure(go.Bar(x=list(data["signed_month"]), y=[v / YI for v in data["signed_month"].values()], marker_color="#c44536"))
        fig.update_layout(xaxis={"type": "category", "title": "month"}, yaxis={"title": "亿元"})
        out.append(_figure_html(go, fig, title))
    else:
        out.append(_no_data(title))
    title = "Signed amounts per province (签约, 亿元)"
    if data["signed_province"]:
        fig = go.Figure(go.Bar(x=list(data["signed_province"]), y=[v / YI for v in data["signed_province"].values()],
                               marker_color="#e07a5f"))
        fig.update_layout(xaxis={"type": "category"}, yaxis={"title": "亿元"})
        out.append(_figure_html(go, fig, title))
    else:
        out.append(_no_data(title))
    title = "Events by kind 投资事件"
    if data["event_kinds"]:
        fig = go.Figure(go.Bar(x=[KIND_LABELS[k] for k in data["event_kinds"]], y=list(data["event_kinds"].values()),
                               marker_color="#3d405b"))
        fig.update_layout(yaxis={"title": "events"})
        out.append(_figure_html(go, fig, title))
    else:
        out.append(_no_data(title))
    return out


def _signings_table(rows: list[dict]) -> str:
    if not rows:
        return "<p>No signing with a CNY amount in these records.</p>"
    e = html.escape
    body = "".join(
        f"<tr><td>{i}</td><td class=date>{e((r['date'] or '')[:10])}</td><td>{e(r['zone'] or '')}</td><td class=num>{r['amount_cny'] / YI:,.2f}</td>"
        f"<td>{e('、'.join(r['companies']))}</td><td><a href=\"{e(r['url'] or '', quote=True)}\">{e(r['title'] or '')}</a>"
        f"<div class=clause>{e(r['text'] or '')}</div></td></tr>"
        for i, r in enumerate(rows, 1)
    )
    return ("<table class=signings><thead><tr><th>#</th><th>date</th><th>zone</th><th>亿元</th><th>companies</th>"
            f"<th>article</th></tr></thead><tbody>{body}</tbody></table>")


def load_summary(path: Path | None) -> dict | None:
    if path is None:
        return None
    try:
        summary = json.loads(Path(path).read_text("utf-8"))
    except OSError as exc:
        raise ReportError(f"{path}: {exc.strerror}") from None
    except ValueError:
        raise ReportError(f"{path}: not a health summary (JSON) of a crawl") from None
    if not isinstance(summary, dict) or "status" not in summary:
        raise ReportError(f"{path}: not a health summary of a crawl (no 'status')")
    return summary


def _summary_section(summary: dict | None) -> str:
    if summary is None:
        return ""
    e = html.escape
    totals = summary.get("totals") or {}
    rows = "".join(f"<tr><th>{e(str(k))}</th><td class=num>{e(str(v))}</td></tr>" for k, v in totals.items()
                   if not isinstance(v, (dict, list)))
    sites = []
    for name, site in (summary.get("sites") or {}).items():
        coverage = site.get("coverage") or {}
        cov = ", ".join(f"{k} {v:.0%}" for k, v in coverage.items() if isinstance(v, (int, float)))
        sites.append(f"<tr><td>{e(name)}</td><td class=num>{site.get('pages_fetched', '')}</td>"
                     f"<td class=num>{site.get('articles_extracted', '')}</td><td class=num>{site.get('rejected', '')}</td>"
                     f"<td>{e(cov)}</td></tr>")
    problems = "".join(f"<li class=fail>{e(m)}</li>" for m in summary.get("failures") or []) + \
        "".join(f"<li class=warn>{e(m)}</li>" for m in summary.get("warnings") or [])
    status = str(summary.get("status"))
    return (f"<section><h2>Crawl health: <span class=\"status {e(status)}\">{e(status)}</span></h2>"
            f"<p>finish reason: {e(str(summary.get('finish_reason', '')))}; exit code {e(str(summary.get('exit_code', '')))}</p>"
            f"{'<ul>' + problems + '</ul>' if problems else ''}"
            f"<div class=cols><table class=totals>{rows}</table>"
            "<table class=sites><thead><tr><th>site</th><th>pages</th><th>articles</th><th>rejected</th><th>coverage</th></tr></thead>"
            f"<tbody>{''.join(sites)}</tbody></table></div></section>")


STYLE = """
body{font-family:FONT;margin:24px auto;max-width:1200px;color:#222;padding:0 16px}
h1{font-size:22px;margin-bottom:4px}.meta{color:#666;margin-top:0}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:16px}.grid>div{border:1px solid #e5e5e5;border-radius:6px;padding:4px;min-width:0}
.wide{grid-column:1/-1}.empty{padding:16px;color:#888}
table{border-collapse:collapse;font-size:13px;width:100%}th,td{border-bottom:1px solid #eee;padding:4px 6px;text-align:left;vertical-align:top}
td.num,td.date{text-align:right;white-space:nowrap}.clause{color:#777;font-size:12px}
.status.ok{color:#2a7d2a}.status.warning{color:#b7791f}.status.fail{color:#c0392b}li.fail{color:#c0392b}li.warn{color:#b7791f}
.cols{display:grid;grid-template-columns:1fr 2fr;gap:16px}.kpi{display:flex;gap:24px;margin:12px 0}.kpi div{font-size:13px;color:#555}
.kpi b{display:block;font-size:22px;color:#222}
""".replace("FONT", FONT)


def render(records: list[dict], summary: dict | None = None, source: str = "") -> str:
    """The report page as a string."""
    go, get_plotlyjs = _plotly()
    data = report_data(records)
    charts = _charts(go, data)
    total_signed = sum(s["amount_cny"] for s in signings(records))
    e = html.escape
    generated = datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    cells = "".join(f"<div class=\"{'wide' if i == 0 else ''}\">{c}</div>" for i, c in enumerate(charts))
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>zonecrawler report: {e(source)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{STYLE}</style>
<script type="text/javascript">{get_plotlyjs()}</script>
</head><body>
<h1>zonecrawler report</h1>
<p class=meta>{e(source)} · generated {generated}</p>
<div class=kpi><div><b>{data['articles']}</b>articles</div><div><b>{data['with_date']}</b>with a date</div>
<div><b>{len({n for n in map(_zone_name, records) if n})}</b>zones</div><div><b>{data['signings']}</b>signings with an amount</div>
<div><b>{total_signed / YI:,.1f}</b>亿元 signed</div><div><b>{sum(data['event_kinds'].values())}</b>events</div></div>
{_summary_section(summary)}
<section class=grid>{cells}</section>
<section><h2>The {TOP_SIGNINGS} largest signings</h2>{_signings_table(data['largest_signings'])}</section>
</body></html>
"""


def write_report(records: list[dict], output: Path, *, summary_path: Path | None = None, source: str = "") -> None:
    """Render and write the page atomically.  Without ``summary_path``, ``SOURCE.summary.json`` is used when it exists."""
    if summary_path is None and source:
        default = Path(source).with_name(Path(source).name + ".summary.json")
        summary_path = default if default.is_file() else None
    page = render(records, load_summary(summary_path), source=source)
    output = Path(output)
    part = output.with_name(output.name + ".part")
    try:
        with part.open("w", encoding="utf-8") as fh:
            fh.write(page)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(part, output)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    fsync_dir(output.parent)
