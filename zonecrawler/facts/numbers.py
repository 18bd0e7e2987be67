"""Numbers as written in Chinese news: Arabic (``557.3``, ``1,200``), Chinese numerals (``一百二十``) and magnitudes (万, 亿).

Chinese numerals are converted by ``cn2an`` (imported on first use: it costs ~0.3 s, paid only
by a process that meets one).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

# At most 16 digits (and 8 decimals): a longer run of digits is no amount, and an unbounded \d+ tried
# at every position of a 200,000-digit run is quadratic.
ARABIC = r"(?:\d{1,3}(?:,\d{3}){1,5}(?!\d)|\d{1,16}(?!\d))(?:\.\d{1,8}(?!\d))?"
CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
# A Chinese numeral starts with a digit or 十 (never with 百/千/万/亿 alone) and may have a 点 decimal.
# Bounded, and never part of a longer run of numeral characters (一二三四五六七 …).
CHINESE = (r"(?<![零〇一二两三四五六七八九十百千万亿])[零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]{0,15}"
           r"(?:点[零〇一二三四五六七八九]{1,6})?(?![零〇一二两三四五六七八九十百千万亿点])")
MAGNITUDE = r"(?:万亿|千亿|百亿|十亿|千万|百万|十万|亿|万|千|百)"
_MAG = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}


def magnitude(chars: str) -> int:
    """``万亿`` -> 10**12; ``''`` -> 1."""
    out = 1
    for ch in chars:
        out *= _MAG[ch]
    return out


def _cn2an(text: str) -> Decimal | None:
    import cn2an

    try:
        return Decimal(str(cn2an.cn2an(text, "normal")))
    except (ValueError, KeyError, InvalidOperation):
        return None


def parse_number(text: str) -> Decimal | None:
    """An Arabic or Chinese numeral (without magnitude suffix handling for Arabic) as a Decimal."""
    if not text:
        return None
    if text[0].isdigit():
        try:
            return Decimal(text.replace(",", ""))
        except InvalidOperation:
            return None
    return _cn2an(text)


def as_json_number(value: Decimal) -> int | float:
    """An int when whole (55730000000), else a float rounded to 6 significant decimals."""
    if value == value.to_integral_value():
        return int(value)
    return float(round(value, 6))


def is_chinese(text: str) -> bool:
    return bool(text) and text[0] in CN_DIGITS
