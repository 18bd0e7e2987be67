"""The label and breadcrumb searches read each element's text once (linear in the page, not quadratic)."""

from __future__ import annotations

from collections import Counter

import pytest

from zonecrawler.extract import dom
from zonecrawler.extract.article import find_meta_line
from zonecrawler.extract.breadcrumb import find_breadcrumb

ROWS = 2000


def _page(row: str) -> str:
    return "<html><body><h1>标题</h1><div id='all'>" + "".join(row.format(i=i) for i in range(ROWS)) + "</div></body></html>"


@pytest.fixture
def reads(monkeypatch):
    """Count, per element, how often the climbing searches read its text (whichever helper they use)."""
    counts: Counter = Counter()
    for name in ("text_content", "bounded_text"):
        original = getattr(dom, name, None)
        if original is None:
            continue

        def counting(el, *args, _original=original):
            counts[el] += 1
            return _original(el, *args)

        monkeypatch.setattr(dom, name, counting)
    return counts


@pytest.mark.parametrize("row", ["<p>来源：单位{i} 发布时间：2022-02-17</p>", "<div><span>来源：单位{i}</span></div>"],
                         ids=["label_paragraphs", "nested_label_spans"])
def test_meta_line_search_reads_each_element_once(reads, row):
    root = dom.parse(_page(row))
    find_meta_line(root)
    assert reads, "the search reads element text through dom"
    assert max(reads.values()) == 1  # the shared <div> was read once per label line before
    assert sum(reads.values()) <= sum(1 for _ in dom.iter_elements(root))


def test_breadcrumb_search_reads_each_element_once(reads):
    root = dom.parse(_page("<p><a href='/'>首页</a> &gt; 新闻{i}</p>"))
    find_breadcrumb(root)
    assert reads and max(reads.values()) == 1
