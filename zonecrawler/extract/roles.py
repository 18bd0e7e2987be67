"""Page roles from content: is a page an article, a list of articles, or neither?

Pure, and computed from what the extractor already found on the page (no second parse):
an article shows a headline, a date or source line (labelled, or in the CMS meta / JSON-LD)
and a body of prose outside any block of links; a list shows a repeated block of headline
links, usually dated (:mod:`zonecrawler.extract.linkblocks`), or Hanweb records.
"""

from __future__ import annotations

from dataclasses import dataclass

ARTICLE, LIST, OTHER = "article", "list", "other"
MIN_BODY = 60            # characters of prose an article shows at least
LONG_BODY = 300          # an article this long stays an article beside a related-news block
MIN_LIST_ITEMS = 3
_SHOWN_LAYERS = {"label", "cms_meta", "json_ld", "opengraph", "meta_line", "near_title", "before_body", "selector"}


@dataclass(frozen=True)
class PageFacts:
    """What the extractor and the link-block finder saw on one page."""

    title: bool = False
    body_chars: int = 0
    date_shown: bool = False       # a date the page shows by its headline / in its meta line (not the URL)
    labelled: bool = False         # 发布时间/来源 labels or CMS/JSON-LD metadata
    body_in_block: bool = False    # the "body" is the block of links itself (a list with excerpts)
    block_items: int = 0
    block_dated: int = 0
    block_chars: int = 0           # characters of the block's headlines
    paginated: bool = False
    records: bool = False          # Hanweb datastore records


def facts_of(extraction, body_el, block, paginated: bool, records: bool) -> PageFacts:
    """:class:`PageFacts` from an :class:`~zonecrawler.extract.article.Extraction` and a block."""
    prov = extraction.provenance
    container = block.container
    inside = False
    if body_el is not None and container is not None:
        inside = body_el is container or any(a is container for a in body_el.iterancestors()) or \
            any(a is body_el for a in container.iterancestors())
    return PageFacts(
        title=bool(extraction.title), body_chars=len(extraction.body or ""),
        date_shown=prov.get("date") in _SHOWN_LAYERS,
        labelled=prov.get("date") in ("label", "cms_meta", "json_ld") or prov.get("source") in ("label", "cms_meta"),
        body_in_block=inside, block_items=block.size, block_dated=block.dated,
        block_chars=sum(len(t) for t in block.titles),
        paginated=paginated, records=records,
    )


def page_role(f: PageFacts) -> str:
    """``"article"``, ``"list"`` or ``"other"``.

    Labelled metadata makes an article (a related-news block beside it does not matter); a
    block of headlines with a pager, or Hanweb records, makes a list; otherwise a dated article's
    prose outweighs a block of links beside it (a sidebar) when it is longer than the block's
    headlines, and a block alone makes a list.
    """
    list_like = f.records or (f.block_items >= 1 and f.paginated) or (
        f.block_items >= MIN_LIST_ITEMS and (f.block_dated * 2 >= f.block_items or f.block_items >= 5))
    article_like = f.title and f.body_chars >= MIN_BODY and not (list_like and f.body_in_block)
    if f.records:
        return LIST
    if article_like and f.labelled:
        return ARTICLE
    if list_like and f.paginated:
        return LIST
    if article_like and (not list_like or f.body_chars >= LONG_BODY or (f.date_shown and f.body_chars >= f.block_chars)):
        return ARTICLE
    return LIST if list_like else OTHER
