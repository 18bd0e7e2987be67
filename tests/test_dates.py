"""Date normalization: every supported form, the rejects, URL dates, and property tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zonecrawler.normalize import dates
from zonecrawler.normalize.dates import date_from_url, find_dates, parse_date

CST = timezone(timedelta(hours=8))
NOW = datetime(2022, 2, 18, 12, 0, 0, tzinfo=CST)
CN = "〇一二三四五六七八九"


def cn_year(year: int) -> str:
    return "".join(CN[int(c)] for c in str(year))


def cn_small(n: int) -> str:
    tens, ones = divmod(n, 10)
    return ("" if tens == 0 else ("十" if tens == 1 else CN[tens] + "十")) + ("" if ones == 0 else CN[ones])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-02-17", "2022-02-17"),
        ("发布时间：2022-02-17 09:12:00", "2022-02-17T09:12:00+08:00"),
        ("发布日期: 2022/2/17", "2022-02-17"),
        ("2022/2/17 10:30", "2022-02-17T10:30:00+08:00"),
        ("2022.02.17", "2022-02-17"),
        ("2022年02月17日", "2022-02-17"),
        ("2022年2月17日 10:30:05", "2022-02-17T10:30:05+08:00"),
        ("2022年2月17日10时30分", "2022-02-17T10:30:00+08:00"),
        ("2022年2月17日 下午3:20", "2022-02-17T15:20:00+08:00"),
        ("二〇二二年二月十七日", "2022-02-17"),
        ("二〇二一年十月三十一日", "2021-10-31"),
        ("二零二一年十二月二十日", "2021-12-20"),
        ("二〇二二年一月十日", "2022-01-10"),
        ("二〇二二年二月一日", "2022-02-01"),
        ("\u3000发布时间\u00a0:\u30002022-02-17\u00a0\u00a009:12  ", "2022-02-17T09:12:00+08:00"),
        ("２０２２－０２－１７　０９：１２", "2022-02-17T09:12:00+08:00"),
        ("2022-02-17T01:12:00Z", "2022-02-17T09:12:00+08:00"),
        ("2022-02-17T09:12:00.123+08:00", "2022-02-17T09:12:00+08:00"),
        ("2022-02-17 25:00", "2022-02-17"),  # impossible time: the day still stands
        ("发布时间：2022-02-17 点击数：33", "2022-02-17"),
        ("2022-02-17 12点击", "2022-02-17"),
        # relative forms, NOW = 2022-02-18 12:00:00 +08:00
        ("3天前", "2022-02-15"),
        ("三天前", "2022-02-15"),
        ("5分钟前", "2022-02-18T11:55:00+08:00"),
        ("2小时前", "2022-02-18T10:00:00+08:00"),
        ("半小时前", "2022-02-18T11:30:00+08:00"),
        ("1周前", "2022-02-11"),
        ("2个月前", "2021-12-18"),
        ("昨天 15:20", "2022-02-17T15:20:00+08:00"),
        ("昨天", "2022-02-17"),
        ("前天", "2022-02-16"),
        ("今天 08:00", "2022-02-18T08:00:00+08:00"),
        ("今天", "2022-02-18"),
        ("刚刚", "2022-02-18T12:00:00+08:00"),
        # first valid date wins
        ("2022-02-30 2022-02-17", "2022-02-17"),
        ("更新于 2021-05-06，发布于 2021-05-01", "2021-05-06"),
        # dateparser fallback (explicit year only)
        ("February 17, 2022 10:30", "2022-02-17T10:30:00+08:00"),
        ("17 Feb 2022", "2022-02-17"),
    ],
)
def test_parse_date_forms(text, expected):
    assert parse_date(text, now=NOW) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "没有日期",
        "2022-02-30",  # not a calendar day
        "2021-02-29",
        "2022-13-01",
        "2022年2月30日",
        "二〇二二年二月三十日",
        "1989-12-31",  # before 1990
        "2022-02-20",  # > 1 day after NOW
        "2022-02-19 12:00:01",
        "2月17日前完成",  # "before Feb 17", not "17 days ago"
        "Feb 17",  # no year: dateparser would guess
        "电话：0512-6666-1234",
        "12345678",
    ],
)
def test_parse_date_rejects(text):
    assert parse_date(text, now=NOW) is None


def test_tomorrow_is_tolerated():
    assert parse_date("2022-02-19", now=NOW) == "2022-02-19"
    assert parse_date("2022-02-19 11:59", now=NOW) == "2022-02-19T11:59:00+08:00"


def test_naive_and_foreign_now_are_read_as_shanghai():
    assert parse_date("今天", now=datetime(2022, 2, 18, 12, 0)) == "2022-02-18"
    # 2022-02-17 20:00 UTC is already 2022-02-18 04:00 in Shanghai
    assert parse_date("今天", now=datetime(2022, 2, 17, 20, 0, tzinfo=timezone.utc)) == "2022-02-18"


def test_default_now_is_current_time():
    assert parse_date("今天") == datetime.now(CST).date().isoformat()
    assert parse_date("2999-01-01") is None


def test_find_dates_offsets_and_order():
    text = "标题 2022-02-17 09:12 来源 2021年3月4日 2022-02-30 二〇二二年二月十七日 3天前"
    found = find_dates(text, now=NOW)
    assert [iso for _, _, iso in found] == ["2022-02-17T09:12:00+08:00", "2021-03-04", "2022-02-17"]
    assert [text[s:e] for s, e, _ in found] == ["2022-02-17 09:12", "2021年3月4日", "二〇二二年二月十七日"]


def test_find_dates_full_width_offsets_index_original():
    text = "日期：２０２２－０２－１７"
    ((start, end, iso),) = find_dates(text, now=NOW)
    assert (text[start:end], iso) == ("２０２２－０２－１７", "2022-02-17")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://www.gov.cn/xinwen/202202/t20220217_123.html", "2022-02-17"),
        ("http://news.cn/2022-02/17/c_1128394.htm", "2022-02-17"),
        ("http://x.cn/2022/0217/abc.html", "2022-02-17"),
        ("http://x.cn/20220217/a.html", "2022-02-17"),
        ("http://x.cn/2022/02/17/a.html", "2022-02-17"),
        ("http://x.cn/art/2022/2/17/art_1_2.html", "2022-02-17"),
    ],
)
def test_date_from_url(url, expected):
    assert date_from_url(url, now=NOW) == expected


@pytest.mark.parametrize(
    "url",
    [
        "",
        "http://x.cn/art/12345678.html",  # bare id, not a date
        "http://x.cn/news/202202/5.html",  # month directory + id: the day is not guessed
        "https://www.investchn.com/news/202202/171001.html",  # ... even when the id starts like a day
        "http://x.cn/news/202202/991001.html",  # day 99
        "http://x.cn/news/202202/",  # month only: no guessing the day
        "http://x.cn/20220230/a.html",
        "http://x.cn/19890101/a.html",
        "http://x.cn/20990101/a.html",  # future
        "http://x.cn/a.html?d=20220217",  # query strings are not paths
        "http://x.cn/a/123456789012.html",
    ],
)
def test_date_from_url_rejects(url):
    assert date_from_url(url, now=NOW) is None


def test_numeric_forms_never_call_dateparser(monkeypatch):
    def boom():
        raise AssertionError("dateparser used for a regex form")

    monkeypatch.setattr(dates, "_dateparser", boom)
    for text in ("2022-02-17", "2022/2/17 10:30", "2022.02.17", "2022年2月17日", "二〇二二年二月十七日",
                 "3天前", "昨天 15:20", "刚刚", "2022-02-30", "1989-01-01"):
        parse_date(text, now=NOW)


def test_dateparser_is_created_once():
    parse_date("17 Feb 2022", now=NOW)
    first = dates._dateparser()
    parse_date("18 Feb 2022", now=NOW)
    assert dates._dateparser() is first


# --- properties ---------------------------------------------------------------------------

valid_days = st.dates(min_value=date(1990, 1, 1), max_value=NOW.date())
times = st.tuples(st.integers(0, 23), st.integers(0, 59), st.integers(0, 59))
FORMATS = [
    lambda d: f"{d.year}-{d.month:02d}-{d.day:02d}",
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}.{d.month:02d}.{d.day:02d}",
    lambda d: f"{d.year}年{d.month:02d}月{d.day:02d}日",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{cn_year(d.year)}年{cn_small(d.month)}月{cn_small(d.day)}日",
]


@given(valid_days, st.sampled_from(FORMATS), st.sampled_from(["", "发布时间：", "发布日期: ", "\u3000日期\u00a0"]))
def test_every_format_round_trips(day, fmt, label):
    assert parse_date(label + fmt(day) + " 来源：新华网", now=NOW) == day.isoformat()


@given(valid_days, times, st.sampled_from(FORMATS[:5]), st.booleans())
def test_times_round_trip(day, clock, fmt, with_seconds):
    hour, minute, second = clock
    shown = f"{hour:02d}:{minute:02d}" + (f":{second:02d}" if with_seconds else "")
    expected = f"{day.isoformat()}T{hour:02d}:{minute:02d}:{second if with_seconds else 0:02d}+08:00"
    assert parse_date(f"{fmt(day)} {shown}", now=NOW) == expected


@given(st.integers(1990, 2021), st.integers(1, 12), st.integers(29, 99), st.sampled_from(FORMATS))
def test_invalid_days_are_rejected(year, month, day, fmt):
    try:
        date(year, month, day)
    except ValueError:
        pass
    else:
        return
    fake = type("D", (), {"year": year, "month": month, "day": day})
    if fmt is FORMATS[5] and day > 39:  # not writable as a small Chinese numeral
        return
    assert parse_date(fmt(fake), now=NOW) is None
    assert find_dates(fmt(fake), now=NOW) == []


@given(valid_days)
def test_url_dates_round_trip(day):
    compact = f"{day.year}{day.month:02d}{day.day:02d}"
    assert date_from_url(f"http://x.cn/c/{day.year}{day.month:02d}/t{compact}_42.html", now=NOW) == day.isoformat()


@settings(max_examples=300)
@given(st.text())
def test_never_raises_on_arbitrary_text(text):
    result = parse_date(text[:60], now=NOW)
    assert result is None or isinstance(result, str)
    for start, end, iso in find_dates(text, now=NOW):
        assert 0 <= start < end <= len(text) and iso[:4].isdigit()
    assert date_from_url(text, now=NOW) is None or isinstance(date_from_url(text, now=NOW), str)


@given(st.text(alphabet="0123456789-/.年月日 :〇一二三四五六七八九十天前昨今刚", max_size=40))
def test_results_are_always_valid_iso(text):
    for candidate in [parse_date(text, now=NOW)] + [iso for _, _, iso in find_dates(text, now=NOW)]:
        if candidate is None:
            continue
        if "T" in candidate:
            parsed = datetime.fromisoformat(candidate)
            assert parsed.utcoffset() == timedelta(hours=8) and parsed <= NOW + timedelta(days=1)
        else:
            parsed_day = date.fromisoformat(candidate)
            assert date(1990, 1, 1) <= parsed_day <= NOW.date() + timedelta(days=1)


@pytest.mark.parametrize("text", ["2022-02-17 10:30:00+25:00", "2022-02-17T10:30:00-99:99", "2022-02-17 10:30:00+14:60",
                                  "2022-02-17 10:30:00+1500"])
def test_a_time_in_no_real_time_zone_gives_the_day_shown(text):
    """An offset no time zone has (beyond -12:00..+14:00, or 60+ minutes) is not a time: the day is kept."""
    assert parse_date(text, now=NOW) == "2022-02-17"


def test_times_at_the_ends_of_the_calendar_are_no_dates():
    """Converting to +08:00 would leave datetime's range (OverflowError): not a date, not an error."""
    assert parse_date("9999-12-31 23:59:59-12:00", now=NOW) is None
    assert parse_date("0001-01-01 00:00:00+14:00", now=NOW) is None
    assert find_dates("发布 9999-12-31 23:59:59-12:00 2022-02-17", now=NOW) == [(29, 39, "2022-02-17")]
