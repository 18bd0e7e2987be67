"""Raw page archive: a crawl keeps each article's HTML; ``zonecrawler reextract`` rebuilds the records from it."""

from __future__ import annotations

import gzip
import subprocess
import sys

from tests.conftest import REPO
from tests.crawlkit import copy_mirror, crawl_cmd, read_jsonl, run
from zonecrawler.cli.mirror import MirrorServer
from zonecrawler.storage.archive import iter_archive


def _by_id(records):
    return {r["id"]: {k: v for k, v in r.items() if k != "crawled_at"} for r in records}


def test_reextract_reproduces_the_crawl_from_the_archive(tmp_path):
    site = copy_mirror(tmp_path)
    archive = tmp_path / "archive"
    out = tmp_path / "crawl.jsonl"
    with MirrorServer(site) as server:
        proc = run(crawl_cmd(server.base_url, tmp_path, out, "--archive", str(archive)))
        assert proc.returncode == 0, proc.stderr[-3000:]
    crawled = read_jsonl(out)
    # One compressed page + metadata per article, keyed by the record id.
    pages = list(iter_archive(archive))
    assert {meta["id"] for meta, _ in pages} == {r["id"] for r in crawled}
    meta, body = pages[0]
    assert set(meta) >= {"id", "url", "site", "content_type", "fetched_at"}
    raw = (archive / "investchn" / f"{meta['id']}.html.gz").read_bytes()
    assert raw[:2] == b"\x1f\x8b" and gzip.decompress(raw) == body

    # The server is gone: re-extraction needs only the archive.
    again = tmp_path / "again.jsonl"
    proc = subprocess.run([sys.executable, "-m", "zonecrawler.cli", "reextract", str(archive), "-o", str(again)],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"rebuilt {len(crawled)} records" in proc.stdout
    assert _by_id(read_jsonl(again)) == _by_id(crawled)
    assert not (tmp_path / "again.jsonl.part").exists()
    fetched = {m["id"]: m["fetched_at"] for m, _ in pages}
    assert all(r["crawled_at"] == fetched[r["id"]] for r in read_jsonl(again))

    assert list(iter_archive(archive, site="nosuchsite")) == []  # what `reextract --site` filters on

    # Worker processes extract several pages at once; the output is the same, in the same order.
    outputs = {}
    for workers in ("0", "2"):
        outputs[workers] = tmp_path / f"workers{workers}.jsonl"
        proc = subprocess.run([sys.executable, "-m", "zonecrawler.cli", "reextract", str(archive), "-o", str(outputs[workers]),
                               "--workers", workers], cwd=REPO, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr[-3000:]
    assert outputs["0"].read_bytes() == outputs["2"].read_bytes()
    assert _by_id(read_jsonl(outputs["2"])) == _by_id(crawled)
    proc = subprocess.run([sys.executable, "-m", "zonecrawler.cli", "reextract", str(archive), "-o", str(tmp_path / "x.jsonl"),
                           "--workers", "-1"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "--workers" in proc.stderr and "Traceback" not in proc.stderr


def test_reextract_reports_a_missing_archive(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "zonecrawler.cli", "reextract", str(tmp_path / "nope"), "-o",
                           str(tmp_path / "o.jsonl")], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "archive folder not found" in proc.stderr
