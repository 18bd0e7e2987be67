"""Money amounts: ``557.3亿元`` -> 55,730,000,000 CNY, with bounds (超/近/约/以上), ranges (3至5亿元), orders of magnitude (千亿级) and Chinese numerals.

Each amount: ``raw`` (text as printed), ``value`` (in units of the currency; the low end of a
range), ``value_max`` (high end of a range, else null), ``currency`` (ISO 4217), ``unit`` (as
printed: ``亿元``, ``万美元``), ``qualifier`` (null = exact, ``over`` = a lower bound such as
超/逾/以上/多, ``under`` = an upper bound such as 近/不到/以内, ``about`` = 约/左右,
``range``, ``magnitude`` = an order of magnitude such as 千亿级), ``span``, ``sentence`` and
``label``: the metric it measures (``项目签约总额``, ``总投资``, ``税收``) when one stands right
before it, else null (a phrase over 10 characters is cut after its last 的/项目/公司/集团).  A number is an amount only with a currency (元, 美元 …) or as an
``亿``-order magnitude (``千亿级``, ``500亿级``, assumed CNY); a threshold that names a class
(``10亿元以上项目``) is not an amount.
"""

from __future__ import annotations

import re
from decimal import Decimal

from zonecrawler.facts.numbers import ARABIC, CHINESE, MAGNITUDE, as_json_number, is_chinese, magnitude, parse_number
from zonecrawler.facts.text import (
    LEADING_FILLER,
    TRAILING_FILLER,
    VERB_BEFORE_NOUN,
    anchored,
    first_chars,
    phrase_before,
    sentences,
    strip_words,
)

CURRENCIES = {"美元": "USD", "美金": "USD", "欧元": "EUR", "日元": "JPY", "港元": "HKD", "港币": "HKD",
              "英镑": "GBP", "韩元": "KRW", "元人民币": "CNY", "元": "CNY"}
_CURRENCY = "|".join(sorted(CURRENCIES, key=len, reverse=True))
_OVER = "超过|超|逾|突破|不少于|不低于|高于|多于|至少|最低"
_UNDER = "接近|将近|近|不到|不足|低于|少于|最高|最多"
_ABOUT = "大约|约合|约|大概"
_NUM = rf"(?:{ARABIC}|{CHINESE})"
_SEP = r"(?:至|到|-|~|—|–|－)"

AMOUNT = re.compile(
    rf"(?:(?:(?P<over>{_OVER})|(?P<under>{_UNDER})|(?P<about>{_ABOUT}))(?:给予|可达|达到|达)?)?"
    rf"(?<![\d.A-Za-z])(?P<num>{_NUM})(?P<mag1>{MAGNITUDE})?"
    rf"(?:(?P<cur1>{_CURRENCY})?{_SEP}(?P<num2>{_NUM}))?(?P<more>多|余)?(?P<mag>{MAGNITUDE})?"
    rf"(?P<cur>{_CURRENCY})(?![素旦宵件器宇年])(?P<post>以上|以下|以内|左右)?"
)
_CURRENCY_ANCHOR = re.compile(_CURRENCY)
_AMOUNT_FIRST = first_chars(_OVER, _UNDER, _ABOUT)
_AMOUNT_BACK = 32  # the longest qualifier + range + Chinese numeral before a currency
_LEVEL_ANCHOR = re.compile("级")
LEVEL = re.compile(rf"(?<![\d.A-Za-z])(?P<num>{ARABIC})?(?P<mag>(?:万亿|千亿|百亿|十亿|亿))(?P<cur>元)?级")

METRICS = (
    "签约总额", "签约额", "总投资", "投资总额", "投资额", "计划投资", "投资", "实际使用外资", "使用外资", "利用外资",
    "合同外资", "外资", "内资", "到位资金", "资金", "税收", "税收收入", "销售额", "销售收入", "营业收入", "营收", "收入",
    "产值", "增加值", "注册资本", "注册资金", "固定资产投资", "进出口总额", "进出口额", "出口额", "进口额", "贸易额",
    "交易额", "成交额", "融资", "融资额", "金额", "规模", "奖励", "补贴", "补助", "利润", "利税", "生产总值", "GDP",
    "总额", "基金", "授信", "贷款", "合同额", "意向金额", "产出", "营业额", "效益",
)
_METRIC_END = re.compile("(?:" + "|".join(sorted(map(re.escape, METRICS), key=len, reverse=True)) + ")$")
_LONG_LABEL = 10


def label_before(body: str, start: int) -> str | None:
    """The metric named right before ``start`` (项目签约总额, 销售额), without time words and verbs; else None."""
    phrase = strip_words(phrase_before(body, start), LEADING_FILLER, TRAILING_FILLER)
    parts = VERB_BEFORE_NOUN.split(phrase)
    if len(parts) > 1 and parts[-1]:  # 达产后可实现年产值 -> 年产值
        phrase = strip_words(parts[-1], LEADING_FILLER, TRAILING_FILLER)
    if len(phrase) > _LONG_LABEL:  # 某新能源汽车零部件项目计划投资 -> 计划投资
        phrase = strip_words(re.split("的|项目|公司|集团", phrase)[-1], LEADING_FILLER, TRAILING_FILLER)
    if phrase and len(phrase) <= _LONG_LABEL and _METRIC_END.search(phrase):
        return phrase
    return None


def _value(num: str, mag: str) -> Decimal | None:
    base = parse_number(num)
    if base is None:
        return None
    # A Chinese numeral already carries its 万/亿 (一百二十亿); a trailing magnitude multiplies both kinds.
    return base * magnitude(mag)


_CLASS_NOUNS = ("项目", "企业", "的项目", "的企业", "级")


def _is_cjk(ch: str) -> bool:
    return bool(ch) and "\u4e00" <= ch <= "\u9fff"


def _unit(num: str, mag: str) -> str:
    """The magnitude as printed: the suffix after an Arabic number, or the 万/亿 ending a Chinese numeral."""
    if mag or not is_chinese(num):
        return mag
    return re.search("[万亿]*$", num).group()


def _chinese_ok(num: str, mag: str) -> bool:
    """一元 / 三元 are words, not money: a Chinese numeral amount needs two characters or a magnitude."""
    return len(num) >= 2 or bool(mag)


def find_amounts(body: str, text: str) -> list[dict]:
    """Every money amount in ``body`` (``text`` is ``body`` with full-width digits folded)."""
    sents = sentences(body)
    found: list[tuple[int, int, dict]] = []
    for m in anchored(AMOUNT, text, _CURRENCY_ANCHOR, _AMOUNT_BACK, _AMOUNT_FIRST):
        num, num2, mag1, mag = m["num"], m["num2"], m["mag1"] or "", m["mag"] or ""
        if is_chinese(num) and not _chinese_ok(num, mag1 + mag):
            continue
        if (m["post"] == "以上" and _is_cjk(text[m.end():m.end() + 1])) or (
                m["over"] and text.startswith(_CLASS_NOUNS, m.end())):
            continue  # 10亿元以上项目, 超10亿元项目: a class of projects, not an amount
        if num2 and is_chinese(num2) != is_chinese(num):
            continue
        if m["cur1"] and m["cur1"] != m["cur"]:
            continue
        low = _value(num, (mag1 or mag))
        high = _value(num2, mag) if num2 else None
        if low is None or (num2 and (high is None or high <= low)):
            continue
        qualifier = None
        if num2:
            qualifier = "range"
        elif m["over"] or m["more"] or m["post"] == "以上":
            qualifier = "over"
        elif m["under"] or m["post"] in ("以下", "以内"):
            qualifier = "under"
        elif m["about"] or m["post"] == "左右":
            qualifier = "about"
        start = m.start("num") if not (m["over"] or m["under"] or m["about"]) else m.start()
        found.append((start, m.end(), {
            "raw": body[start:m.end()],
            "value": as_json_number(low),
            "value_max": as_json_number(high) if high is not None else None,
            "currency": CURRENCIES[m["cur"]],
            "unit": _unit(num, mag or mag1) + m["cur"],
            "qualifier": qualifier,
            "span": [start, m.end()],
            "sentence": sents.text_at(start),
            "label": label_before(body, start),
        }))
    for m in anchored(LEVEL, text, _LEVEL_ANCHOR, 12, first_chars("万|千|百|十|亿")):
        if any(s <= m.start() < e for s, e, _ in found):
            continue
        base = parse_number(m["num"]) if m["num"] else Decimal(1)
        found.append((m.start(), m.end(), {
            "raw": body[m.start():m.end()],
            "value": as_json_number(base * magnitude(m["mag"])),
            "value_max": None,
            "currency": "CNY",
            "unit": m["mag"] + (m["cur"] or "元"),
            "qualifier": "magnitude",
            "span": [m.start(), m.end()],
            "sentence": sents.text_at(m.start()),
            "label": None,
        }))
    found.sort(key=lambda f: f[0])
    return [f[2] for f in found]
