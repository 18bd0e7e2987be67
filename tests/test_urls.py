"""URL canonicalization, record ids and content hashes: tables and properties."""

from __future__ import annotations

import hashlib
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zonecrawler.normalize.urls import TRACKING_PARAMS, canonicalize_url, content_hash, is_tracking_param, record_id


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://WWW.investchn.com:443/news/202202/171001.html?utm_source=x#top",
         "https://www.investchn.com/news/202202/171001.html"),
        ("HTTP://Example.COM", "http://example.com/"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:80/a", "https://example.com:80/a"),  # 80 is not https's default
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("http://example.com:/a", "http://example.com/a"),
        ("http://example.com/Path/To/Page.HTML", "http://example.com/Path/To/Page.HTML"),  # path case kept
        ("http://example.com/a?b=2&a=1", "http://example.com/a?a=1&b=2"),
        ("http://example.com/a?b=1&a=2&b=0", "http://example.com/a?a=2&b=1&b=0"),  # repeated keys keep order
        ("http://example.com/a?spm=a.b.c&gclid=1&fbclid=2&msclkid=3&from=timeline&isappinstalled=0"
         "&share_token=t&_t=123&_=456&UTM_Medium=m&utm_campaign=c&id=7", "http://example.com/a?id=7"),
        ("http://example.com/a?utm_source=x", "http://example.com/a"),
        ("http://example.com/a?&&id=1&", "http://example.com/a?id=1"),
        ("http://example.com/a?flag&id=1", "http://example.com/a?flag&id=1"),
        ("http://example.com/a?q=", "http://example.com/a?q="),
        ("http://example.com/a?t=1&source=x", "http://example.com/a?source=x&t=1"),  # not tracking
        ("http://example.com/a#section", "http://example.com/a"),
        ("http://example.com/%e5%bc%80", "http://example.com/%E5%BC%80"),
        ("http://example.com/开发区?k=南京", "http://example.com/%E5%BC%80%E5%8F%91%E5%8C%BA?k=%E5%8D%97%E4%BA%AC"),
        ("http://example.com/s?k=%D6%D0%B9%FA", "http://example.com/s?k=%D6%D0%B9%FA"),  # GBK bytes untouched
        ("http://example.com/s?k=a+b", "http://example.com/s?k=a+b"),
        ("http://example.com/s?u=http://x.cn/?a=1", "http://example.com/s?u=http://x.cn/?a=1"),
        ("http://user:Pw@Example.com:80/", "http://user:Pw@example.com/"),
        ("http://[::1]:80/x", "http://[::1]/x"),
        ("  https://example.com/a  ", "https://example.com/a"),
    ],
)
def test_canonicalize_url(url, expected):
    assert canonicalize_url(url) == expected


def test_tracking_list_is_documented():
    assert {"spm", "gclid", "fbclid", "from", "isappinstalled", "share_token", "_t"} <= TRACKING_PARAMS
    assert is_tracking_param("utm_content") and is_tracking_param("UTM_TERM") and is_tracking_param("SPM")
    assert not is_tracking_param("id") and not is_tracking_param("page")


def test_record_id_is_sha1_prefix_of_canonical_url():
    url = "https://WWW.investchn.com:443/news/202202/171001.html?utm_source=x#top"
    expected = hashlib.sha1(b"https://www.investchn.com/news/202202/171001.html").hexdigest()[:16]
    assert record_id(url) == expected == record_id("https://www.investchn.com/news/202202/171001.html")
    assert record_id("https://www.investchn.com/news/202202/171002.html") != expected


def test_content_hash_ignores_whitespace_only():
    base = content_hash("标题", "第一段。\n第二段。")
    assert re.fullmatch(r"[0-9a-f]{40}", base)
    assert content_hash(" 标 题 ", "第一段。 \n\n 第二段。\u3000\u00a0\u200b") == base
    assert content_hash("标题", "第一段。第二段") != base
    assert content_hash("标题第一段。", "第二段。") != base  # title/body boundary matters
    assert content_hash(None, None) == content_hash("", "  ")


# --- properties ---------------------------------------------------------------------------

hosts = st.from_regex(r"[a-z][a-z0-9]{0,8}(\.[a-z0-9]{1,8}){1,3}", fullmatch=True)
segments = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), blacklist_characters="/?#"), max_size=8)
paths = st.lists(segments, max_size=4).map(lambda parts: "/" + "/".join(parts) if parts else "")
keys = st.sampled_from(["id", "page", "a", "b", "Q", "k%20x", "南京"])
values = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), blacklist_characters="&#"), max_size=8)
queries = st.lists(st.tuples(keys, values), max_size=4)
tracking = st.lists(
    st.tuples(st.sampled_from(sorted(TRACKING_PARAMS) + ["utm_source", "UTM_Campaign", "utm_x"]), values), max_size=3
)


def build(scheme: str, host: str, port: str, path: str, query: list[tuple[str, str]], fragment: str = "") -> str:
    q = "&".join(f"{k}={v}" for k, v in query)
    return f"{scheme}://{host}{port}{path}" + (f"?{q}" if q else "") + (f"#{fragment}" if fragment else "")


urls = st.builds(build, st.sampled_from(["http", "https", "HTTP", "Https"]), hosts,
                 st.sampled_from(["", ":80", ":443", ":8080"]), paths, queries)


@given(urls)
def test_canonicalize_is_idempotent(url):
    once = canonicalize_url(url)
    assert canonicalize_url(once) == once


@given(st.text(max_size=80))
def test_canonicalize_never_raises_and_is_idempotent_on_any_text(text):
    once = canonicalize_url(text)
    assert canonicalize_url(once) == once
    assert len(record_id(text)) == 16


@given(st.sampled_from(["http", "https"]), hosts, paths, queries, tracking, st.text(max_size=10), st.randoms())
def test_fragments_tracking_and_host_case_never_change_the_id(scheme, host, path, query, noise, fragment, rnd):
    plain = build(scheme, host, "", path, query)
    mixed = list(query) + list(noise)
    # tracking params interleaved anywhere, keeping the relative order of real params
    for item in noise:
        mixed.remove(item)
        mixed.insert(rnd.randint(0, len(mixed)), item)
    noisy_host = "".join(c.upper() if rnd.random() < 0.5 else c for c in host)
    noisy = build(scheme.upper(), noisy_host, ":80" if scheme == "http" else ":443", path, mixed, fragment)
    assert record_id(noisy) == record_id(plain)


@given(hosts, paths, st.lists(st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.integers(0, 9)), max_size=5, unique_by=lambda kv: kv[0]), st.randoms())
def test_query_order_never_changes_the_id(host, path, params, rnd):
    shuffled = list(params)
    rnd.shuffle(shuffled)
    assert record_id(build("http", host, "", path, params)) == record_id(build("http", host, "", path, shuffled))


@given(st.text(max_size=30), st.text(max_size=200), st.randoms())
def test_content_hash_is_whitespace_blind(title, body, rnd):
    def spaced(text: str) -> str:
        return "".join(c + rnd.choice(["", " ", "\n", "\u3000", "\u00a0", "\t"]) for c in text)

    assert content_hash(spaced(title), spaced(body)) == content_hash(title, body)


# The definition content hashes were first written with (and stores hold hashes made by it):
# one regex removing every whitespace and zero-width character.
_HASHED_AWAY = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")


def _reference_hash(title, body) -> str:
    squeeze = lambda text: _HASHED_AWAY.sub("", text or "")  # noqa: E731
    return hashlib.sha1(f"{squeeze(title)}\n{squeeze(body)}".encode("utf-8", "surrogatepass")).hexdigest()


@given(st.one_of(st.none(), st.text(max_size=40)), st.one_of(st.none(), st.text(max_size=300)))
def test_content_hash_equals_the_regex_definition_on_any_text(title, body):
    assert content_hash(title, body) == _reference_hash(title, body)


def test_content_hash_equals_the_regex_definition_for_every_space_and_zero_width_character():
    every_blank = "".join(chr(c) for c in range(0x110000) if chr(c).isspace() or _HASHED_AWAY.fullmatch(chr(c)))
    text = "甲" + every_blank + "乙" + "\u200b\u200c\u200d\u2060\ufeff" + "丙\x1c\x85\u2028丁"
    assert content_hash(text, text) == _reference_hash(text, text) == _reference_hash("甲乙丙丁", "甲乙丙丁")
