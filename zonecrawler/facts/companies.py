"""Organisation names in a sentence: ``比亚迪股份有限公司``, ``中国中车集团``, ``中科院微电子研究所``.

A name is a run of name characters ending in an organisation suffix (股份有限公司, 有限公司,
集团, 公司, 研究院, 研究所 …), cut at the last word that joins names or starts a predicate
(与, 和, 及, 、, 携手, 引进, 签约 …).  Generic mentions (该公司, 子公司, 一家公司, 上市公司) are not names.
"""

from __future__ import annotations

import re

SUFFIX = re.compile(
    r"(?:集团|研究院)?(?:股份)?(?:有限责任公司|有限公司)|集团公司|集团|公司|研究院|研究所|实验室"
)
_NAME_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z0-9（）()·&]")
_CUT = re.compile(r"(?:与|和|及|、|携手|联合|引进|签约|签署|签订|落户|入驻|达成|举行|共同|旗下|以及|其中|包括|暨|由|向|对|是|将|在|被|把|等)")
_GENERIC = re.compile(r"^(?:该|本|其|子|分|母|上市|控股|龙头|国有|民营|外资|外商|我|贵|全资|各|多家|一家|\d+家|[一二两三四五六七八九十]+家|"
                      r"企业|项目|科技|投资|建设|相关|合作|新|总|省|市|区|县|国家|中国)$")
_MAX_NAME = 30


def find_companies(sentence: str) -> list[str]:
    """Organisation names in ``sentence``, in order, each once."""
    names: list[str] = []
    floor = 0
    for m in SUFFIX.finditer(sentence):
        start = m.start()
        while start > floor and m.end() - start < _MAX_NAME and _NAME_CHAR.match(sentence[start - 1]):
            start -= 1
        stem = sentence[start:m.start()]
        cuts = list(_CUT.finditer(stem))
        if cuts:
            stem = stem[cuts[-1].end():]
        floor = m.end()
        stem = stem.lstrip("（）()")
        if len(stem) < 2 or _GENERIC.match(stem):
            continue
        name = stem + m.group()
        if name not in names:
            names.append(name)
    return names
