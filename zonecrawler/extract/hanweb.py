"""Hanweb (大汉) jpage columns: records in a ``<datastore>``, further records from ``dataproxy.jsp``.

A Hanweb column page holds its first records in ``<script type="text/xml">`` as
``<datastore><nextgroup><![CDATA[<a href="…dataproxy.jsp?page=1&columnid=…&unitid=…">]]></nextgroup>
<recordset><record><![CDATA[<li><a href=…>…</a><span>date</span></li>]]></record>…``; the jpage
script (``perPage``, ``groupSize``, ``totalRecord``, ``proxyUrl``, ``ajaxParam``) fetches the next
records from ``/module/web/jpage/dataproxy.jsp?startrecord=S&endrecord=E&perpage=P`` with the
column's parameters, which answers with the same ``<datastore>`` (and ``<totalrecord>``).

Pure: works on the page's text (a browser never puts the records in the DOM, and an HTML
parser drops the CDATA of an XML answer), bounded by ``limit`` further requests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

DEFAULT_PROXY = "/module/web/jpage/dataproxy.jsp"
DEFAULT_GROUP = 3
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[.*?href\s*=\s*['\"]([^'\"]+)['\"]", re.S | re.I)
_TOTAL_TAG = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
_JS_NUMBER = r"\b{key}\s*:\s*['\"]?(\d+)"
_PROXY = re.compile(r"\bproxyUrl\s*:\s*['\"]([^'\"]+)['\"]")
_AJAX = re.compile(r"\bajaxParam\s*:\s*\{([^{}]*)\}", re.S)
_PAIR = re.compile(r"['\"]?(\w+)['\"]?\s*:\s*(?:'([^']*)'|\"([^\"]*)\"|([^,'\"\s}]+))")
_RANGE_KEYS = {"startrecord", "endrecord", "perpage", "page"}


@dataclass
class HanwebColumn:
    """The records a Hanweb page (column page or dataproxy answer) holds, and the next requests."""

    records: list[str] = field(default_factory=list)  # the HTML fragment of each record
    pages: list[str] = field(default_factory=list)    # dataproxy.jsp URLs for the records still to come


def _number(key: str, text: str) -> int | None:
    m = re.search(_JS_NUMBER.format(key=key), text)
    return int(m.group(1)) if m else None


def _column_params(page_url: str, text: str) -> tuple[str, list[tuple[str, str]]] | None:
    """The proxy path and the column's parameters (webid, columnid, unitid …), or None."""
    page = urlsplit(page_url)
    params: dict[str, str] = {}
    proxy = None
    if page.path.endswith("/dataproxy.jsp"):  # an answer: its own request carries the parameters
        proxy = page.path
        params.update((k, v) for k, v in parse_qsl(page.query, keep_blank_values=True) if k.lower() not in _RANGE_KEYS)
    m = _NEXTGROUP.search(text)
    if m:
        href = urlsplit(unescape(m.group(1)))
        proxy = proxy or href.path or None
        for k, v in parse_qsl(href.query, keep_blank_values=True):
            if k.lower() not in _RANGE_KEYS:
                params.setdefault(k, v)
    ajax = _AJAX.search(text)
    if ajax:
        for pm in _PAIR.finditer(ajax.group(1)):
            value = next(v for v in pm.groups()[1:] if v is not None)
            params.setdefault(pm.group(1), value)
    js_proxy = _PROXY.search(text)
    proxy = proxy or (js_proxy.group(1) if js_proxy else None)
    if proxy is None and not params:
        return None
    return urljoin(page_url, proxy or DEFAULT_PROXY), sorted(params.items())


def hanweb_column(page_url: str, text: str, limit: int) -> HanwebColumn | None:
    """The records of a Hanweb page and the dataproxy requests for the rest; None for other pages."""
    records = [r.strip() for r in _RECORD.findall(text)]
    if not records or "<datastore" not in text.lower():
        return None
    column = HanwebColumn(records=records)
    found = _column_params(page_url, text)
    if found is None:
        return column
    proxy, params = found
    query = dict(parse_qsl(urlsplit(page_url).query))
    per_page = _number("perPage", text) or int(query.get("perpage") or 0) or len(records)
    group = per_page * (_number("groupSize", text) or DEFAULT_GROUP)
    if "endrecord" in query and query["endrecord"].isdigit():
        end = int(query["endrecord"])
        start = int(query.get("startrecord") or 1)
        group = max(end - start + 1, 1)
    else:
        end = len(records)
    tag = _TOTAL_TAG.search(text)
    total = int(tag.group(1)) if tag else _number("totalRecord", text)
    if total is None:  # unknown: ask for one more group while groups come back full
        total = end + group if len(records) >= group else end
    while end < total and len(column.pages) < limit:
        start, end = end + 1, min(end + group, total)
        range_ = [("startrecord", str(start)), ("endrecord", str(end)), ("perpage", str(per_page))]
        column.pages.append(f"{proxy}?{urlencode(sorted([*range_, *params]))}")
    return column
