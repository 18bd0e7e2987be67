"""Visible label parsing and <title> suffix stripping, on the spellings real pages use."""

from __future__ import annotations

import pytest

from zonecrawler.extract.labels import split_labels
from zonecrawler.extract.title import strip_site_suffix


@pytest.mark.parametrize(
    "text, expected",
    [
        ("发布时间:2022-02-17  来源:六合经济开发区  发布开发区:江苏南京六合经济开发区",
         {"date": "2022-02-17", "source": "六合经济开发区", "zone": "江苏南京六合经济开发区"}),
        ("发布时间：2022-02-17 09:12:00　来源：新华网　发布开发区：苏州工业园区",
         {"date": "2022-02-17 09:12:00", "source": "新华网", "zone": "苏州工业园区"}),
        ("【发布时间】2022-02-17 【来 源】 新华网 | 浏览次数：33 【字体：大 中 小】 打印",
         {"date": "2022-02-17", "source": "新华网", "views": "33"}),
        ("发布时间 : 2022/2/17\u00a0\u00a0来源 ：人民网", {"date": "2022/2/17", "source": "人民网"}),
        ("發佈時間：2023-01-05 來源：香港貿發局", {"date": "2023-01-05", "source": "香港貿發局"}),
        ("来源：新华网　作者：张三　责任编辑：李四", {"source": "新华网", "author": "张三", "editor": "李四"}),
        ("来源：  发布时间：2022-01-01", {"date": "2022-01-01"}),
    ],
)
def test_split_labels(text, expected):
    assert split_labels(text).values == expected


@pytest.mark.parametrize(
    "title, expected",
    [
        ("发改委精准发力推进重大项目建设-投促中国", "发改委精准发力推进重大项目建设"),
        ("发改委精准发力推进重大项目建设_开发区新闻_投促中国", "发改委精准发力推进重大项目建设"),
        ("园区召开推进会——砥砺奋进新征程 绘织园区新图景-投促中国", "园区召开推进会——砥砺奋进新征程 绘织园区新图景"),
        ("2022-2023年度招商成果发布 | 合肥高新区", "2022-2023年度招商成果发布"),
        ("苏州工业园区签约12个项目", "苏州工业园区签约12个项目"),
    ],
)
def test_strip_site_suffix(title, expected):
    assert strip_site_suffix(title, ("投促中国",)) == expected
