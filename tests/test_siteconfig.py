"""The site registry: bundled sites load; bad files fail with the file and key named."""

from __future__ import annotations

import pytest

from zonecrawler.siteconfig import SiteConfigError, get_site, load_registry, load_site_file


def test_bundled_registry_loads():
    registry = load_registry()
    assert "investchn" in registry
    for site in registry.values():
        assert site.start_urls and site.article_patterns


def test_rebased_site_points_at_mirror():
    site = get_site("investchn").rebased("http://127.0.0.1:8123")
    assert all(u.startswith("http://127.0.0.1:8123/") for u in site.start_urls)
    assert site.allowed_domains == ("127.0.0.1",)
    assert site.is_article("http://127.0.0.1:8123/news/202202/171001.html")


@pytest.mark.parametrize(
    "body, message",
    [
        ('name = "bad"\nstart_urls = ["https://a.cn/"]\narticle_patterns = ["("]\n', "article_patterns[0] is not a valid regex"),
        ('name = "bad"\nstart_urls = ["ftp://a.cn/"]\narticle_patterns = ["x"]\n', "start_urls[0] is not an absolute http(s) URL"),
        ('name = "bad"\narticle_patterns = ["x"]\n', "missing required key 'start_urls'"),
        ('name = "bad"\nstart_urls = ["https://a.cn/"]\narticle_patterns = ["x"]\nstart_url = 1\n', "unknown key 'start_url'"),
        ('name = "bad"\nstart_urls = ["https://a.cn/"]\narticle_patterns = ["x"]\n[selectors]\nheadline = "h1"\n', "selectors.headline is not a field"),
        ('name = "bad"\nstart_urls = ["https://a.cn/"]\narticle_patterns = ["x"]\n[politeness]\ndownload_delay = "slow"\n', "politeness.download_delay has the wrong type"),
        ('name = "other"\nstart_urls = ["https://a.cn/"]\narticle_patterns = ["x"]\n', "must match the file name"),
        ('name = "bad"\nstart_urls = [\n', "not valid TOML"),
    ],
)
def test_bad_site_files_name_the_problem(tmp_path, body, message):
    path = tmp_path / "bad.toml"
    path.write_text(body, "utf-8")
    with pytest.raises(SiteConfigError) as err:
        load_site_file(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)


def test_unknown_site_lists_known_ones():
    with pytest.raises(SiteConfigError, match="known sites: .*investchn"):
        get_site("nope")


def test_user_sites_dir_overrides(tmp_path, monkeypatch):
    (tmp_path / "mysite.toml").write_text(
        'name = "mysite"\nstart_urls = ["https://zone.example.cn/news/"]\narticle_patterns = ["/art/\\\\d+\\\\.html$"]\n', "utf-8"
    )
    monkeypatch.setenv("ZONECRAWLER_SITES_DIR", str(tmp_path))
    site = get_site("mysite")
    assert site.allowed_domains == ("zone.example.cn",)
    assert site.is_article("https://zone.example.cn/art/12.html")


def test_rebased_site_gives_mirror_urls_the_sites_own_identity():
    """A mirror crawl names articles by the site's own URLs: the same article keeps its canonical URL and id."""
    site = get_site("investchn")
    for base in ("http://127.0.0.1:8123", "http://127.0.0.1:9999/", "https://Mirror.Example:8443"):
        rebased = site.rebased(base)
        mirror = base.rstrip("/").lower() + "/news/202202/171001.html?utm_source=x"
        assert rebased.canonical_url(mirror) == "https://www.investchn.com/news/202202/171001.html"
    rebased = site.rebased("http://127.0.0.1:8123")
    # Only URLs of the mirror are renamed (another port is another origin), and the site's own are kept.
    assert rebased.canonical_url("http://127.0.0.1:8124/news/1.html") == "http://127.0.0.1:8124/news/1.html"
    assert rebased.canonical_url("https://www.investchn.com/news/1.html") == "https://www.investchn.com/news/1.html"
    assert site.canonical_url("http://127.0.0.1:8123/news/1.html") == "http://127.0.0.1:8123/news/1.html"


def test_a_sites_origins_include_the_port():
    from zonecrawler.siteconfig import site_from_dict

    site = site_from_dict({"name": "x", "start_urls": ["http://zone.example.cn:8080/news/"], "article_patterns": ["a"]})
    assert site.ports == (80, 443, 8080)
    assert site.allows("http://zone.example.cn:8080/a") and site.allows("https://zone.example.cn/a")
    assert site.allows("http://sub.zone.example.cn/a")
    assert not site.allows("http://zone.example.cn:9090/a") and not site.allows("http://zone.example.cn:99999/a")
    assert not site.allows("http://other.example.cn/a")
    mirror = site.rebased("http://127.0.0.1:8123")
    assert mirror.ports == (8123,) and mirror.allows("http://127.0.0.1:8123/a") and not mirror.allows("http://127.0.0.1/a")


def test_an_entry_needs_no_patterns(tmp_path):
    path = tmp_path / "plain.toml"
    path.write_text('name = "plain"\nstart_urls = ["https://zone.example.cn/news/"]\nallowed_domains = ["zone.example.cn"]\n', "utf-8")
    site = load_site_file(path)
    assert site.article_patterns == () and site.list_patterns == ()
    assert not site.is_article("https://zone.example.cn/news/1.html")
