"""Main-content detection: which block of the page is the article body.

No fixed class list: every block with its own prose scores by length and Chinese
punctuation, the score flows to its parent and grandparent, and the best container
is discounted by its link density (navigation, sidebars and related-news lists are
mostly links).  The body is then the container's text, block by block, without
the title, the meta line, link lists, 上一条/下一条, print/share widgets or footers.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from zonecrawler.extract.dom import BLOCK_TAGS, lines, link_text_length, tag_of, text_content
from zonecrawler.extract.labels import count_labels
from zonecrawler.normalize.text import clean_line, squash

_PUNCT = re.compile(r"[，。；！？、,;]")
_BR_WRAPPERS = {"font", "span"}
_NO_OWNER = object()
_MIN_PARAGRAPH = 10
_SELF_CONTAINERS = {"div", "td", "section", "article", "body", "center", "main", "font", "span", "pre", "blockquote"}
_SKIP_TAGS = {"a", "h1", "h2", "h3", "h4", "h5", "h6", "title", "head", "option", "label", "button"}
_LINK_LIST_TAGS = {"ul", "ol", "dl", "div", "table", "p", "nav", "aside", "section", "td", "tr"}
_NOISE_LINE = re.compile(
    r"^(?:上一[条篇页個个]|下一[条篇页個个]|上一條|下一條|【?\s*字[体體]\s*[:：]|分享到|分享至|扫一扫|掃一掃|"
    r"(?:(?:【|\[)?\s*(?:打印|关闭|打印本页|关闭窗口|關閉|列印|收藏|返回顶部|返回|我要纠错|字体[:：]?\s*[大中小\s]*)\s*(?:】|\])?\s*)+$|"
    r"(?:责任编辑|責任編輯|编辑|編輯)\s*[:：]|(?:浏览次数|瀏覽次數|点击数|阅读次数)\s*[:：]|"
    r".*(?:Copyright|copyright|版权所有|版權所有)|(?:您现在的位置|当前位置|您的位置)\s*[:：]?\s*$)"
)
ATTACHMENT_RE = re.compile(r"\.(?:pdf|docx?|xlsx?|wps|zip|rar|pptx?|et)(?:$|[?#])", re.I)
_LINK_DENSE = 0.5
_SIBLING_SHARE = 0.3


def _paragraph_score(text: str) -> float:
    return 1 + len(_PUNCT.findall(text)) + min(len(text) // 100, 3)


def _link_density(el) -> float:
    total = len(text_content(el).strip())
    return link_text_length(el) / total if total else 1.0


def _acts_as_block(el) -> bool:
    """Blocks, and inline wrappers of old layouts that hold <br>-separated paragraphs (<font>, <span>)."""
    tag = tag_of(el)
    return (tag in BLOCK_TAGS and tag != "br") or (tag in _BR_WRAPPERS and el.find("br") is not None)


def _paragraph_texts(root, exclude: set) -> dict:
    """Visible non-link text per paragraph owner (the nearest block around each text node)."""
    skipped = {e for ex in exclude for e in ex.iter()}
    owner_of: dict = {}
    texts: dict = {}
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        parent = el.getparent()
        inherited = owner_of.get(parent) if parent is not None else None
        if el in skipped or tag_of(el) in _SKIP_TAGS or inherited is _NO_OWNER:
            owner_of[el] = _NO_OWNER
            continue
        owner = el if _acts_as_block(el) or inherited is None else inherited
        owner_of[el] = owner
        parts = [el.text or ""] + [child.tail or "" for child in el]
        direct = "".join(parts)
        if direct.strip():
            texts.setdefault(owner, []).append(direct)
    return texts


def score_containers(root, exclude: set) -> dict:
    """Content score per element (before the link-density discount).

    Each paragraph scores 1 + its Chinese punctuation + up to 3 for length; the score
    goes to its container (the paragraph itself when it is a <div>/<td>-like block
    holding <br>-separated text) in full and to the container's parent in half.
    """
    scores: dict = {}
    for owner, parts in _paragraph_texts(root, exclude).items():
        text = clean_line(" ".join(parts))
        if len(text) < _MIN_PARAGRAPH:
            continue
        score = _paragraph_score(text)
        first = owner if tag_of(owner) in _SELF_CONTAINERS else owner.getparent()
        if first is None:
            continue
        scores[first] = scores.get(first, 0.0) + score
        second = first.getparent()
        if second is not None:
            scores[second] = scores.get(second, 0.0) + score / 2
    return scores


def find_content(root, exclude: set):
    """The element most likely to hold the article body, or None."""
    scores = score_containers(root, exclude)
    if not scores:
        return None
    ranked = {el: s * (1 - _link_density(el)) for el, s in scores.items()}
    return max(ranked, key=ranked.get)


def _link_lists(container) -> list:
    """Sub-blocks of the container that are mostly links (related news, share bars, attachments)."""
    found = []
    for el in container.iterdescendants():
        if tag_of(el) in _LINK_LIST_TAGS and el.find(".//a") is not None and _link_density(el) > _LINK_DENSE:
            found.append(el)
    return found


def _is_noise(line: str, title_key: str) -> bool:
    if _NOISE_LINE.match(line):
        return True
    if title_key and squash(line) == title_key:
        return True
    # A copy of the meta line (发布时间：… 来源：…) inside the container.
    return len(line) < 120 and count_labels(line) >= 2


def body_lines(container, skip: set, title: str | None) -> list[str]:
    """Paragraphs of the body inside ``container``, noise removed."""
    skip = set(skip) | set(_link_lists(container))
    title_key = squash(title) if title else ""
    return [line for line in lines(container, skip=skip) if not _is_noise(line, title_key)]


def _resolve(base_url: str, href: str) -> str | None:
    """``href`` made absolute, or None when no client could request it (``http://[SITE_URL]/a.pdf``, port 99999)."""
    try:
        url = urljoin(base_url, href)
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError when out of range or not a number
    except ValueError:
        return None
    if parts.scheme in ("http", "https") and not parts.hostname:
        return None
    return url


def attachments(container, base_url: str) -> list[dict]:
    """Links to documents (PDF, Word, Excel, archives) inside the article."""
    seen, found = set(), []
    for a in container.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or not ATTACHMENT_RE.search(href):
            continue
        url = _resolve(base_url, href)
        if url is None or url in seen:
            continue
        seen.add(url)
        found.append({"url": url, "text": clean_line(text_content(a)) or None})
    return found


_ATTACHMENT_PREFIX = re.compile(r"^(?:附件|附表|相关附件|附件下载)\s*\d*\s*[:：]?\s*")


def without_attachment_lines(body: str, found: list[dict]) -> str:
    """Drop body lines that only name an attachment (``附件1：指南.pdf``); the link is in ``attachments``."""
    names = {squash(a["text"]) for a in found if a.get("text")}
    kept = [line for line in body.split("\n") if squash(_ATTACHMENT_PREFIX.sub("", line)) not in names]
    return "\n".join(kept)
