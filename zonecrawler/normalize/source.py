"""Source-line splitting: turn a raw 来源 value into clean ``source`` / ``author`` / ``editor`` strings.

Handles labels (来源, 信息来源, 稿件来源, 文章来源, 作者, 记者, 责任编辑, 编辑 …)
with full- or half-width colons or plain spaces, and removes the page furniture
that often rides along on the same line: ``【字体：大 中 小】``, 打印, 关闭,
view counters (``浏览次数：123``, ``点击数：``) and ``|`` separators.
"""

from __future__ import annotations

import re

FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "source": ("信息来源", "稿件来源", "文章来源", "新闻来源", "消息来源", "资料来源", "来源", "來源", "出处"),
    "author": ("撰稿人", "作者", "撰稿", "记者", "記者"),
    "editor": ("责任编辑", "責任編輯", "责编", "编辑", "編輯"),
    # recognised only so that their values are dropped
    "_other": ("发布时间", "发布日期", "發佈時間", "更新时间", "时间", "日期", "发布开发区", "发布单位",
               "浏览次数", "阅读次数", "点击次数", "点击数", "点击量", "访问量", "阅读量", "浏览量", "浏览",
               "审核", "校对", "摄影", "字体", "字号"),
}
_FIELD_OF = {label: name for name, labels in FIELD_LABELS.items() for label in labels}
_WS = r"[\s\u3000\u00a0]"


def _label_pattern(label: str) -> str:
    """A label whose characters may be spaced out (``来　源``)."""
    return f"{_WS}*".join(map(re.escape, label))


_ALTERNATION = "|".join(_label_pattern(x) for x in sorted(_FIELD_OF, key=len, reverse=True))
# A bracketed label (``【来源】``), a label followed by a colon anywhere, or a
# label followed by whitespace when it starts a segment.
_LABEL_RE = re.compile(
    rf"[【\[](?P<a>{_ALTERNATION})[】\]]{_WS}*[:：]?"
    rf"|(?P<b>{_ALTERNATION}){_WS}*[:：]"
    rf"|(?<![^\s\u3000\u00a0|｜丨,，;；/])(?P<c>{_ALTERNATION}){_WS}+"
)
# Page furniture removed before splitting.
_NOISE_RE = re.compile(
    r"[【\[][^】\]]*(?:字体|字号|打印|关闭|大\s*中\s*小)[^】\]]*[】\]]"
    r"|(?:字体|字号)\s*[:：]?\s*(?:[大中小](?:\s+|$))+"
    r"|(?<![^\s|｜丨】\]])(?:打印本页|打印文章|打印|关闭窗口|关闭本页|关闭|返回顶部|分享到|收藏本页|收藏)"
    r"(?=$|[\s|｜丨【\[:：])"
)
_VALUE_END = re.compile(r"[|｜丨]")
_SPACES = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_EDGE = " ,，;；.。:：、·•-—_/\\()（）[]【】\"“”'‘’<>《》|｜丨"


def _field_of(label: str) -> str:
    return _FIELD_OF[_SPACES.sub("", label)]


def _clean_value(value: str) -> str | None:
    """One value cut at a separator, whitespace squeezed, edge punctuation stripped; None when empty."""
    cut = _VALUE_END.search(value)
    if cut:
        value = value[: cut.start()]
    value = _SPACES.sub(" ", value).strip(_EDGE)
    return value or None


def _segments(text: str) -> list[tuple[str, str]]:
    """(field, raw value) pairs; text before the first label counts as the source."""
    matches = list(_LABEL_RE.finditer(text))
    first = matches[0].start() if matches else len(text)
    pairs = [("source", text[:first])]
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        pairs.append((_field_of(match.group("a") or match.group("b") or match.group("c")), text[match.end() : end]))
    return pairs


def split_source(raw: str | None) -> dict[str, str | None]:
    """Split a raw 来源 string into ``{"source", "author", "editor"}`` (each a str or None).

    The first non-empty value of each field wins.
    """
    result: dict[str, str | None] = {"source": None, "author": None, "editor": None}
    if not raw:
        return result
    text = _NOISE_RE.sub(" ", _SPACES.sub(" ", raw))
    for name, value in _segments(text):
        if name in result and result[name] is None:
            result[name] = _clean_value(value)
    return result
