"""Visible label patterns: 发布时间 / 来源 / 发布开发区 and their many spellings.

A reader finds an article's metadata by its labels, not by CSS classes, so this
module finds the short block that carries those labels (the "meta line") and
splits it into values.  Simplified and traditional spellings, half- or
full-width colons, ``【发布时间】`` brackets and spaced-out labels (``来　源``) all work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Field -> label spellings, longest first within a field is not needed: the
# alternation below is sorted by length over all labels.
LABELS: dict[str, tuple[str, ...]] = {
    "zone": ("发布开发区", "發佈開發區", "發布開發區", "发布单位", "發佈單位", "发布园区"),
    "date": ("发布时间", "发布日期", "發佈時間", "發布時間", "發佈日期", "發布日期", "发表时间", "发稿时间",
             "更新时间", "成文日期", "发文日期", "印发日期", "时间", "日期", "時間"),
    "source": ("信息来源", "稿件来源", "文章来源", "新闻来源", "资料来源", "資料來源", "消息來源", "来源", "來源", "出处"),
    "author": ("作者", "撰稿人", "撰稿", "记者", "記者"),
    "editor": ("责任编辑", "責任編輯", "编辑", "編輯"),
    "views": ("浏览次数", "瀏覽次數", "阅读次数", "点击数", "点击量", "点击次数", "访问量", "阅读量", "浏览量", "浏览", "阅读"),
}
_FIELD_OF = {label: name for name, labels in LABELS.items() for label in labels}
_GAP = r"[\s\u3000\u00a0]*"


def _spaced(label: str) -> str:
    return _GAP.join(map(re.escape, label))


_ALTERNATION = "|".join(_spaced(lab) for lab in sorted(_FIELD_OF, key=len, reverse=True))
# A label followed by a colon, or a label in 【】/[] brackets (colon optional).
LABEL_RE = re.compile(
    rf"(?:[【\[]{_GAP}(?P<bl>{_ALTERNATION}){_GAP}[】\]]{_GAP}[:：]?|(?P<pl>{_ALTERNATION}){_GAP}[:：])"
)
# Distinctive labels also recognised without a colon (label and value in separate cells,
# the colon drawn by CSS). Only used on a short block that has a bare date label too.
_BARE_LABELS = ("发布时间", "发布日期", "發佈時間", "發布時間", "信息来源", "稿件来源", "文章来源", "来源", "來源",
                "发布开发区", "發佈開發區", "发布单位", "责任编辑", "責任編輯",
                "浏览量", "浏览次数", "阅读量", "阅读次数", "点击数", "点击量")
BARE_LABEL_RE = re.compile(
    "(?P<pl>" + "|".join(_spaced(lab) for lab in sorted(_BARE_LABELS, key=len, reverse=True)) + ")"
)
# Text that ends a value: separators, font-size/print widgets, share bars.
_VALUE_END = re.compile(r"[|｜丨]|【|字体[:：]|打印|关闭|分享到|收藏|\[\s*(?:打印|关闭)")
_EDGE_PUNCT = " \t\u3000\u00a0,，;；.。:：·-—_()（）[]【】\"“”'‘’<>《》"

WHITESPACE = re.compile(r"[\s\u3000\u00a0]+")


@dataclass
class LabelValues:
    """Values found after labels in one block of text, keyed by field name."""

    values: dict[str, str] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.values)


def field_of(label_text: str) -> str:
    """Field name for a matched label (whitespace inside the label ignored)."""
    return _FIELD_OF[WHITESPACE.sub("", label_text)]


def split_labels(text: str, pattern: re.Pattern = LABEL_RE) -> LabelValues:
    """Split ``发布时间：… 来源：… 发布开发区：…`` text into field values.

    The first occurrence of each field wins; a value runs to the next label or
    to a separator/widget (``|``, ``【字体】``, 打印, 关闭).
    """
    found = LabelValues()
    matches = list(pattern.finditer(text))
    for i, match in enumerate(matches):
        name = field_of(match.groupdict().get("bl") or match.group("pl"))
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        value = text[match.end():end]
        cut = _VALUE_END.search(value)
        if cut:
            value = value[: cut.start()]
        value = WHITESPACE.sub(" ", value).strip(_EDGE_PUNCT)
        if name not in found.values and value:
            found.values[name] = value
    return found


def count_labels(text: str) -> int:
    """How many distinct fields are labelled in ``text``."""
    return len({field_of(m.group("bl") or m.group("pl")) for m in LABEL_RE.finditer(text)})


def split_bare_labels(text: str) -> LabelValues:
    """Colon-less labels (``发布时间 2022-02-17 来源 新华网``); empty unless a date label is among them."""
    found = split_labels(text, BARE_LABEL_RE)
    return found if "date" in found.values and found.count >= 2 else LabelValues()


# Text nodes worth a closer look: a labelled value, or a distinctive label on its own
# (``<span>来源</span>：`` puts label and colon in different nodes).
ANY_LABEL_RE = re.compile(re.sub(r"\?P<\w+>", "", f"{LABEL_RE.pattern}|{BARE_LABEL_RE.pattern}"))
