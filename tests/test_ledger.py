"""The ledger's per-run state: compact keys in memory, rows staged on disk, committed only when published."""

from __future__ import annotations

import sqlite3

from scrapy.settings import Settings

from zonecrawler.storage import ledger as ledger_mod
from zonecrawler.storage.ledger import Ledger


def _record(n: int, body: str | None = "正文", content: str | None = None) -> dict:
    url = f"http://127.0.0.1/news/202401/{n:06d}.html"
    return {"id": f"id{n}", "url": url, "canonical_url": url, "site": "investchn",
            "content_hash": content or f"hash{n}", "body": body, "title": "标题"}


def _ledger(tmp_path, **extra) -> Ledger:
    led = Ledger(Settings({"ZONECRAWLER_STORE": str(tmp_path / "store.sqlite"), **extra}))
    assert led.store.count() == 0  # a crawl opens the store at once (the download filter asks it)
    return led


def _articles(tmp_path) -> list[str]:
    with sqlite3.connect(tmp_path / "store.sqlite") as db:
        return [r[0] for r in db.execute("SELECT id FROM articles ORDER BY id")]


def test_claimed_records_are_known_and_only_emitted_ones_reach_the_store(tmp_path):
    led = _ledger(tmp_path)
    a, b, c = _record(1), _record(2, content="same"), _record(3, content="same")
    for r in (a, b):
        led.claim(r)
    assert led.emitted_in_job(a["canonical_url"]) and not led.emitted_in_job(c["canonical_url"])
    assert led.owner_of("same", c["canonical_url"])["id"] == "id2"
    assert led.owner_of("same", b["canonical_url"]) is None  # its own content
    led.add_alias(c, led.owner_of("same", c["canonical_url"]))
    led.add_emitted(b)  # item_scraped; a was claimed but never written
    led.feed_opened("out.jsonl")
    led.close_reason = "finished"
    led.maybe_commit()
    assert _articles(tmp_path) == []  # the feed is not published yet
    led.feed_published("out.jsonl")
    assert _articles(tmp_path) == ["id2"]
    with sqlite3.connect(tmp_path / "store.sqlite") as db:
        assert db.execute("SELECT url, kept_id FROM aliases").fetchall() == [(c["url"], "id2")]
    assert led._staging is None


def test_bodiless_records_are_not_content_owners(tmp_path):
    led = _ledger(tmp_path)
    led.claim(_record(1, body=None, content="empty"))
    assert led.owner_of("empty", _record(2)["canonical_url"]) is None
    led.close()


def test_digest_collisions_are_confirmed_against_the_staged_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(ledger_mod, "digest60", lambda text: 1)  # every key collides
    led = _ledger(tmp_path)
    led.claim(_record(1, content="x"))
    assert not led.emitted_in_job(_record(2)["canonical_url"])
    assert led.owner_of("y", _record(2)["canonical_url"]) is None
    assert led.emitted_in_job(_record(1)["canonical_url"])
    led.close()


def test_a_paused_or_unpublished_crawl_leaves_the_store_unchanged(tmp_path):
    led = _ledger(tmp_path, JOBDIR=str(tmp_path / "job"))
    led.add_emitted(_record(1))
    led.feed_opened("out.jsonl")
    led.close_reason = "shutdown"  # paused: the feed keeps its .part, nothing is published
    led.maybe_commit()
    led.close()
    assert _articles(tmp_path) == []

    led = _ledger(tmp_path)
    led.add_emitted(_record(2))
    led.feed_opened("out.jsonl")
    led.close_reason = "finished"
    led.maybe_commit()  # the feed was never published (e.g. its storage failed)
    led.close()
    assert _articles(tmp_path) == []


def test_a_published_output_is_committed_even_when_the_job_was_paused(tmp_path):
    """Whatever the close reason, records in a published output are delivered: the store must know them."""
    led = _ledger(tmp_path, JOBDIR=str(tmp_path / "job"))
    led.add_emitted(_record(1))
    led.feed_opened("out.jsonl")
    led.feed_published("out.jsonl")  # the feed closed first ...
    assert _articles(tmp_path) == []  # ... before the crawl's close reason was known: wait for it
    led.close_reason = "shutdown"
    led.maybe_commit()
    assert _articles(tmp_path) == ["id1"]


def test_staging_leaves_no_file_behind(tmp_path):
    led = _ledger(tmp_path)
    led.claim(_record(1))
    assert led.emitted_in_job(_record(1)["canonical_url"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.sqlite", "store.sqlite-shm", "store.sqlite-wal"]
    led.close()
