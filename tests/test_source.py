"""Source-line splitting: labels, author/editor, and page furniture removed."""

from __future__ import annotations

import pytest

from zonecrawler.normalize.source import split_source


def triple(raw):
    result = split_source(raw)
    assert set(result) == {"source", "author", "editor"}
    return result["source"], result["author"], result["editor"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("来源：新华网\u3000作者：张三\u3000责任编辑：李四", ("新华网", "张三", "李四")),
        ("来源: 本站原创", ("本站原创", None, None)),
        ("来源：", (None, None, None)),
        ("来源：  \u3000", (None, None, None)),
        ("", (None, None, None)),
        (None, (None, None, None)),
        ("六合经济开发区", ("六合经济开发区", None, None)),  # value already unlabelled
        ("信息来源：苏州工业园区管委会", ("苏州工业园区管委会", None, None)),
        ("稿件来源：新华社", ("新华社", None, None)),
        ("文章来源:  中国开发区网", ("中国开发区网", None, None)),
        ("来源 新华日报", ("新华日报", None, None)),
        ("来\u3000源：新华日报", ("新华日报", None, None)),
        ("【来源】新华网", ("新华网", None, None)),
        ("来源:新华网作者:张三", ("新华网", "张三", None)),
        ("来源：新华网 记者 张三", ("新华网", "张三", None)),
        ("来源：新华网 编辑：王五", ("新华网", None, "王五")),
        ("编辑：王五", (None, None, "王五")),
        ("来源 新华网 编辑 李四", ("新华网", None, "李四")),
        # trailing noise
        ("来源：新华网 【字体：大 中 小】", ("新华网", None, None)),
        ("来源：新华网【字体：大 中 小】打印 关闭", ("新华网", None, None)),
        ("来源：新华网 打印 关闭", ("新华网", None, None)),
        ("来源：人民网 | 浏览次数：123", ("人民网", None, None)),
        ("来源：园区经发委 点击数：", ("园区经发委", None, None)),
        ("来源：新华网 | 作者：张三 | 【打印】【关闭】", ("新华网", "张三", None)),
        ("稿件来源：新华社|", ("新华社", None, None)),
        ("文章来源:中国开发区网 [打印] [关闭]", ("中国开发区网", None, None)),
        ("信息来源：苏州工业园区管委会\u00a0\u00a0发布日期：2023-05-26 16:45\u00a0\u00a0浏览次数：2410",
         ("苏州工业园区管委会", None, None)),
        # punctuation around the value
        ("来源：《人民日报》", ("人民日报", None, None)),
        ("来源：新华网，", ("新华网", None, None)),
        # words that merely contain a noise word survive
        ("来源：3D打印产业园", ("3D打印产业园", None, None)),
        ("来源：本刊编辑部", ("本刊编辑部", None, None)),
    ],
)
def test_split_source(raw, expected):
    assert triple(raw) == expected


def test_first_value_of_a_field_wins():
    assert triple("来源：新华网 来源：人民网") == ("新华网", None, None)
