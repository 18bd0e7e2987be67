"""Date normalization: find publication dates in page text or URLs and render them as ISO 8601.

Owns the record's ``date`` format: ``YYYY-MM-DD`` when only a day is shown,
``YYYY-MM-DDTHH:MM:SS+08:00`` when a time is shown.  All times are China
Standard Time (a fixed +08:00; the 1990-1991 summer-time years are not
special-cased because the contract always writes +08:00).

Numeric and Chinese-numeral forms are matched by regular expressions; relative
forms (``3天前``, ``昨天 15:20``, ``刚刚``) are resolved against ``now``.
``dateparser`` is only consulted as a last resort, for short strings with an
explicit four-digit year that no regex recognised (e.g. ``Feb 17, 2022``).
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterator
from urllib.parse import urlsplit

CST = timezone(timedelta(hours=8), "Asia/Shanghai")
MIN_YEAR = 1990
FUTURE_TOLERANCE = timedelta(days=1)
DATEPARSER_MAX_CHARS = 120

# Full-width digits and separators -> ASCII.  One char to one char, so match
# offsets in the translated text are offsets in the original text.
_WIDTH = str.maketrans("０１２３４５６７８９：－／．", "0123456789:-/.")

_CN_DIGIT = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_DIGITS = "〇零○Ｏ一二三四五六七八九"
_CN_SMALL = "一二两三四五六七八九十廿卅"

# --- regular expressions -------------------------------------------------------------

_TIME = (
    r"(?:(?:T|\s*)(?:(?P<ampm>上午|下午|中午|晚上)\s*)?"
    r"(?:(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
    r"|(?P<Hc>\d{1,2})(?:时|点(?!击))(?:(?P<Mc>\d{1,2})分(?:(?P<Sc>\d{1,2})秒)?)?)"
    r"(?:\s*(?P<ap>[AaPp][Mm])\b)?)?"
)
# 2022-02-17, 2022/2/17, 2022.02.17 (one separator used twice).
_SEP_DATE = r"(?<!\d)(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?!\d)"
# 2022年2月17日, 二〇二二年二月十七日 (Arabic or Chinese numerals per part).
_MARK_DATE = (
    rf"(?:(?<!\d)(?P<yn>\d{{4}})|(?<![{_CN_DIGITS}])(?P<yc>[{_CN_DIGITS}]{{4}}))\s*年\s*"
    rf"(?:(?P<mn>\d{{1,2}})|(?P<mc>[{_CN_SMALL}]{{1,2}}))\s*月\s*"
    rf"(?:(?P<dn>\d{{1,2}})(?!\d)|(?P<dc>[{_CN_SMALL}]{{1,3}}))(?:\s*[日号])?"
)
_ABSOLUTE = rf"(?:{_SEP_DATE}|{_MARK_DATE}){_TIME}"
_RELATIVE = (
    r"(?P<now>刚刚|刚才)"
    rf"|(?<![\d{_CN_SMALL}月号])(?P<n>\d{{1,3}}|[{_CN_SMALL}]{{1,3}}|半)\s*"
    r"(?P<unit>秒钟|秒|分钟|分|个小时|小时|个钟头|钟头|天|日|周|个星期|星期|个礼拜|礼拜|个月|年)\s*(?:以)?前"
    r"|(?P<day>今天|今日|昨天|昨日|前天)"
    r"(?:\s*(?:(?P<rampm>上午|下午|中午|晚上)\s*)?(?P<rH>\d{1,2}):(?P<rM>\d{2})(?::(?P<rS>\d{2}))?)?"
)
_ABSOLUTE_RE = re.compile(_ABSOLUTE)
_ANY_RE = re.compile(rf"{_ABSOLUTE}|{_RELATIVE}")
_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_CLOCK_RE = re.compile(r"\d{1,2}:\d{2}")

# --- small helpers ---------------------------------------------------------------------


def _resolve_now(now: datetime | None) -> datetime:
    """``now`` as an aware CST datetime (naive values are taken as CST)."""
    if now is None:
        return datetime.now(CST)
    if now.tzinfo is None:
        return now.replace(tzinfo=CST)
    return now.astimezone(CST)


def _cn_small_number(text: str) -> int | None:
    """Value of a small Chinese numeral (一 … 三十一, 廿, 卅), or None."""
    if not text:
        return None
    head, ten, tail = text.partition("十")
    if not ten:
        if text[0] in "廿卅":
            base = 20 if text[0] == "廿" else 30
            rest = text[1:]
            if not rest:
                return base
            return base + _CN_DIGIT[rest] if len(rest) == 1 and rest in _CN_DIGIT else None
        return _CN_DIGIT.get(text) if len(text) == 1 else None
    tens = 1 if head == "" else (_CN_DIGIT.get(head) if len(head) == 1 else None)
    ones = 0 if tail == "" else (_CN_DIGIT.get(tail) if len(tail) == 1 else None)
    if tens is None or ones is None or tens == 0:
        return None
    return tens * 10 + ones


def _cn_year(text: str) -> int:
    """Value of a positional Chinese year such as 二〇二二."""
    value = 0
    for char in text:
        value = value * 10 + _CN_DIGIT[char]
    return value


def _int(text: str | None) -> int | None:
    return int(text) if text is not None else None


def _hour24(hour: int, marker: str | None) -> int:
    """Apply 上午/下午/AM/PM to a 12-hour clock value."""
    if marker is None:
        return hour
    marker = marker.lower()
    if marker in ("下午", "晚上", "pm") and hour < 12:
        return hour + 12
    if marker == "中午" and hour < 11:
        return hour + 12
    if marker == "am" and hour == 12:
        return 0
    return hour


def _valid_day(year: int, month: int, day: int) -> bool:
    return year >= MIN_YEAR and 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]


def _not_future(value: date | datetime, now: datetime) -> bool:
    if isinstance(value, datetime):
        return value <= now + FUTURE_TOLERANCE
    return value <= (now + FUTURE_TOLERANCE).date()


def _iso_day(value: date) -> str:
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def _iso_time(value: datetime) -> str:
    value = value.astimezone(CST)
    return f"{_iso_day(value)}T{value.hour:02d}:{value.minute:02d}:{value.second:02d}+08:00"


# Real UTC offsets run from -12:00 to +14:00; anything beyond is not a time zone.
_MAX_OFFSET = timedelta(hours=14)


def _offset(text: str) -> timezone | None:
    """The time zone of a ``Z``/``+HH:MM``/``-HHMM`` suffix, or None when no zone has that offset."""
    if text == "Z":
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    offset = timedelta(hours=hours, minutes=minutes)
    if minutes > 59 or offset > _MAX_OFFSET:
        return None
    return timezone(sign * offset)


def _in_cst(moment: datetime) -> datetime | None:
    """``moment`` in China Standard Time, or None when that is past year 9999 or before year 1."""
    try:
        return moment.astimezone(CST)
    except OverflowError:
        return None


# --- absolute dates --------------------------------------------------------------------


def _ymd(g: dict[str, Any]) -> tuple[int, int, int] | None:
    """Year, month, day from an absolute match's groups (None if a numeral is malformed)."""
    if g["y"] is not None:
        return int(g["y"]), int(g["m"]), int(g["d"])
    year = int(g["yn"]) if g["yn"] is not None else _cn_year(g["yc"])
    month = int(g["mn"]) if g["mn"] is not None else _cn_small_number(g["mc"])
    day = int(g["dn"]) if g["dn"] is not None else _cn_small_number(g["dc"])
    if month is None or day is None:
        return None
    return year, month, day


def _clock(g: dict[str, Any]) -> tuple[int, int, int] | None:
    """Hour, minute, second shown after a date, or None when no valid time is shown."""
    if g["H"] is not None:
        hour, minute, second = int(g["H"]), int(g["M"]), int(g["S"] or 0)
    elif g["Hc"] is not None:
        hour, minute, second = int(g["Hc"]), int(g["Mc"] or 0), int(g["Sc"] or 0)
    else:
        return None
    hour = _hour24(hour, g["ampm"] or g["ap"])
    if hour > 23 or minute > 59 or second > 59:
        return None
    return hour, minute, second


def _absolute(match: re.Match[str], now: datetime) -> tuple[int, str] | None:
    """(end offset, ISO string) for a valid absolute date match, else None."""
    g = match.groupdict()
    ymd = _ymd(g)
    if ymd is None or not _valid_day(*ymd):
        return None
    clock = _clock(g)
    tz = _offset(g["tz"]) if g["tz"] else CST
    if clock is None or tz is None:  # no time, or one in an impossible zone (+25:00): the day shown
        day = date(*ymd)
        if not _not_future(day, now):
            return None
        return (match.end("d") if g["y"] is not None else _date_end(match)), _iso_day(day)
    moment = _in_cst(datetime(*ymd, *clock, tzinfo=tz))
    if moment is None or moment.year < MIN_YEAR or not _not_future(moment, now):
        return None
    return match.end(), _iso_time(moment)


def _date_end(match: re.Match[str]) -> int:
    """End of the date part of a 年月日 match (the optional 日/号 included)."""
    end = match.end("dn") if match.group("dn") is not None else match.end("dc")
    text = match.string
    while end < len(text) and text[end].isspace():
        end += 1
    if end < len(text) and text[end] in "日号":
        return end + 1
    return match.end("dn") if match.group("dn") is not None else match.end("dc")


# --- relative dates --------------------------------------------------------------------

_SECONDS_PER_UNIT = {"秒钟": 1, "秒": 1, "分钟": 60, "分": 60, "小时": 3600, "个小时": 3600, "钟头": 3600, "个钟头": 3600}
_DAYS_PER_UNIT = {"天": 1, "日": 1, "周": 7, "星期": 7, "个星期": 7, "礼拜": 7, "个礼拜": 7}
_DAY_WORDS = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}


def _months_back(day: date, months: int) -> date:
    """``day`` moved back by whole calendar months (day clipped to the month's length)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _relative(match: re.Match[str], now: datetime) -> str | None:
    """ISO string for a relative expression resolved against ``now``."""
    g = match.groupdict()
    if g["now"]:
        return _iso_time(now)
    if g["day"]:
        day = now.date() - timedelta(days=_DAY_WORDS[g["day"]])
        if g["rH"] is None:
            return _iso_day(day)
        hour = _hour24(int(g["rH"]), g["rampm"])
        minute, second = int(g["rM"]), int(g["rS"] or 0)
        if hour > 23 or minute > 59 or second > 59:
            return _iso_day(day)
        return _iso_time(datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=CST))
    unit, raw = g["unit"], g["n"]
    amount: float | None
    if raw == "半":
        amount = 0.5 if unit in ("小时", "个小时", "钟头", "个钟头") else None
    else:
        amount = int(raw) if raw.isdigit() else _cn_small_number(raw)
    if amount is None:
        return None
    if unit in _SECONDS_PER_UNIT:
        return _iso_time(now - timedelta(seconds=amount * _SECONDS_PER_UNIT[unit]))
    if unit in _DAYS_PER_UNIT:
        return _iso_day(now.date() - timedelta(days=amount * _DAYS_PER_UNIT[unit]))
    months = int(amount) * (12 if unit == "年" else 1)
    if months > 12 * 100:  # further back than MIN_YEAR anyway
        return None
    return _iso_day(_months_back(now.date(), months))


def _relative_ok(iso: str | None) -> bool:
    return iso is not None and int(iso[:4]) >= MIN_YEAR


# --- dateparser fallback ---------------------------------------------------------------

_DATEPARSER: Any = None


def _dateparser() -> Any:
    """The shared ``DateDataParser``, created on first use (importing dateparser is slow)."""
    global _DATEPARSER
    if _DATEPARSER is None:
        from dateparser.date import DateDataParser

        _DATEPARSER = DateDataParser(
            languages=["zh", "en"],
            settings={
                "STRICT_PARSING": True,
                "TIMEZONE": "Asia/Shanghai",
                "TO_TIMEZONE": "Asia/Shanghai",
                "RETURN_AS_TIMEZONE_AWARE": True,
            },
        )
    return _DATEPARSER


def _fallback(text: str, now: datetime) -> str | None:
    """Ask dateparser, but only for short text naming an explicit year (no guessing)."""
    text = text.strip()
    if not text or len(text) > DATEPARSER_MAX_CHARS or not _YEAR_RE.search(text):
        return None
    try:
        found = _dateparser().get_date_data(text).date_obj
    except Exception:  # dateparser raises assorted errors on odd input
        return None
    if found is None:
        return None
    moment = _in_cst(found) if found.tzinfo else found.replace(tzinfo=CST)
    if moment is None or not _valid_day(moment.year, moment.month, moment.day):
        return None
    if _CLOCK_RE.search(text):
        return _iso_time(moment) if _not_future(moment, now) else None
    return _iso_day(moment.date()) if _not_future(moment.date(), now) else None


# --- public API ------------------------------------------------------------------------


def _absolute_matches(text: str, now: datetime) -> Iterator[tuple[int, int, str]]:
    for match in _ABSOLUTE_RE.finditer(text):
        found = _absolute(match, now)
        if found is not None:
            yield match.start(), found[0], found[1]


def parse_date(text: str, *, now: datetime | None = None) -> str | None:
    """The first valid date in ``text`` as ISO 8601, or None.

    Numeric, Chinese-numeral and relative forms are found by regex; dateparser is
    tried only when no regex form matched at all.  Invalid calendar dates, years
    before 1990 and dates more than a day after ``now`` are rejected.
    """
    if not text:
        return None
    current = _resolve_now(now)
    plain = text.translate(_WIDTH)
    matched = False
    for match in _ANY_RE.finditer(plain):
        matched = True
        if match.group("y") is not None or match.group("yn") is not None or match.group("yc") is not None:
            found = _absolute(match, current)
            if found is not None:
                return found[1]
        else:
            iso = _relative(match, current)
            if _relative_ok(iso):
                return iso
    return None if matched else _fallback(plain, current)


def find_dates(text: str, *, now: datetime | None = None) -> list[tuple[int, int, str]]:
    """Every valid numeric or Chinese-numeral date in ``text`` as (start, end, iso), in order.

    Offsets index the original ``text``.  Relative forms and dateparser are not used.
    """
    if not text:
        return []
    return list(_absolute_matches(text.translate(_WIDTH), _resolve_now(now)))


# URL forms, most specific first.  Each yields (year, month, day) groups.  A month
# directory followed by a numeric id (/202202/171001.html) is NOT read as a day: the
# id's leading digits are a guess, and a wrong date is worse than none.
_URL_FORMS = (
    # t20220217_123.html, /20220217/, 20220217-x : an 8-digit run standing alone
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})(?!\d)"),
    # /2022-02-17/, /2022/02/17/, /2022_02_17
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<s>[-/_])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})(?!\d)"),
    # /2022-02/17/
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})-(?P<m>\d{1,2})/(?P<d>\d{1,2})(?!\d)"),
    # /2022/0217/
    re.compile(r"/(?P<y>(?:19|20)\d{2})/(?P<m>\d{2})(?P<d>\d{2})(?!\d)"),
)


def date_from_url(url: str, *, now: datetime | None = None) -> str | None:
    """A day (``YYYY-MM-DD``) encoded in a URL path, or None.

    Only fully specified days are returned; numeric ids that do not form a valid
    date, dates before 1990 and future dates are ignored.
    """
    if not url:
        return None
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    current = _resolve_now(now)
    for form in _URL_FORMS:
        for match in form.finditer(path):
            year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
            if _valid_day(year, month, day) and _not_future(date(year, month, day), current):
                return _iso_day(date(year, month, day))
    return None
