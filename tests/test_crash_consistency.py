"""Crash consistency: SIGKILL at any file operation, then resume -- every article delivered exactly once.

The faultfs shim (``tests/faultfs.c``, LD_PRELOAD, no root) kills the crawl at a chosen file operation
under the test's folder: a write, fsync, rename or unlink of the partial output, the article store, its
staging file, the job directory, the publish intent.  Kill points are drawn at random (seeded; the seed
is in the failure message) over a calibration run's operation count, plus the points that matter most:
right before and right after the final rename, and inside the store's commit.

After every run the published file (``--append``, so it accumulates) and the store must agree:
no id twice in the file, every id in the store also in the file (a stored article was delivered),
and at the end every article is in the file exactly once and in the store.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
from collections import Counter

import pytest

from tests import faultfs
from tests.conftest import REPO
from tests.crawlkit import CRAWL_TIMEOUT, copy_mirror, crawl_cmd, expected_paths, read_jsonl
from zonecrawler.cli.mirror import MirrorServer

MIN_KILLS = 20  # SIGKILLs per test run (6 at fixed points, the rest at random file operations)
MAX_RUNS = 40


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    site = copy_mirror(tmp_path_factory.mktemp("mirror"))
    with MirrorServer(site) as server:
        server.expected = expected_paths(site)
        yield server


class Job:
    """One job (output, store, job dir) crawled again and again, checked after every run."""

    def __init__(self, mirror, tmp_path, *extra):
        self.root = tmp_path
        self.out = tmp_path / "out" / "articles.jsonl"
        self.store = tmp_path / "state" / "st.sqlite"
        self.jobdir = tmp_path / "job"
        self.cmd = crawl_cmd(mirror.base_url, tmp_path, self.out, "--append", "--jobdir", str(self.jobdir),
                             "--log-level", "WARNING", "-s", "ZONECRAWLER_EXTRACT_WORKERS=0", *extra,
                             store=self.store)
        self.expected = len(mirror.expected)
        self.log: list[str] = []

    def run(self, **faults) -> subprocess.CompletedProcess:
        env = faultfs.env(self.root, **faults) if faults else dict(os.environ)
        proc = subprocess.run(self.cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=CRAWL_TIMEOUT)
        self.log.append(f"{faults or 'clean'} -> {proc.returncode}")
        self.check(proc)
        return proc

    def ids(self) -> Counter:
        return Counter(r["id"] for r in read_jsonl(self.out)) if self.out.exists() else Counter()

    def stored(self) -> set[str]:
        if not self.store.exists():
            return set()
        db = sqlite3.connect(self.store)
        try:
            return {row[0] for row in db.execute("SELECT id FROM articles")}
        finally:
            db.close()

    def check(self, proc) -> None:
        where = f"after {self.log}: {proc.stderr[-2000:]}"
        assert "Traceback" not in proc.stderr, where
        ids = self.ids()
        dup = [i for i, n in ids.items() if n > 1]
        assert not dup, f"delivered twice: {dup[:3]} {where}"
        # A killed run may leave published articles not yet recorded (the next start records them),
        # but the store never holds an article that was not delivered.
        missing = self.stored() - set(ids)
        assert not missing, f"recorded in the store but never published: {sorted(missing)[:3]} {where}"

    def finish(self) -> None:
        proc = self.run()
        assert proc.returncode == 0, f"{self.log}: {proc.stderr[-3000:]}"
        ids = self.ids()
        assert len(ids) == self.expected and max(ids.values()) == 1, self.log
        assert self.stored() == set(ids), self.log


def test_kill_right_after_the_final_rename_does_not_deliver_again(mirror, tmp_path):
    """The rename happened, the store commit did not: the next run records the articles and delivers none again."""
    job = Job(mirror, tmp_path)
    # the rename of articles.jsonl.part (a first run: nothing to append to) to articles.jsonl
    proc = job.run(kill_op="rename", match="articles.jsonl.part", kill_at=1, kill_after=True)
    assert proc.returncode == -signal.SIGKILL, job.log
    assert len(job.ids()) == job.expected and not job.stored()
    proc = job.run()
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"recorded its {job.expected} articles in the store" in proc.stderr
    ids = job.ids()
    assert len(ids) == job.expected and max(ids.values()) == 1
    assert job.stored() == set(ids)


def test_random_kills_then_resume_deliver_every_article_exactly_once(mirror, tmp_path):
    seed = int(os.environ.get("ZONECRAWLER_CRASH_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    # Calibration: how many file operations one whole run of a new job makes.
    counter = tmp_path / "ops.txt"
    Job(mirror, tmp_path / "probe").run(count_file=counter)
    total = int(counter.read_text())
    assert total > 50, total
    fixed = [  # the moments that matter most
        dict(kill_op="rename", match="articles.jsonl", kill_at=1),  # just before the final rename
        dict(kill_op="rename", match="articles.jsonl", kill_at=1, kill_after=True),  # just after it
        dict(kill_op="write", match="st.sqlite-wal", kill_at=1),  # as the store commit starts
        dict(kill_op="write", match="st.sqlite-wal", kill_at=3),  # inside the store commit
        dict(kill_op="fsync", match="zonecrawler.publishing", kill_at=1),  # while writing the publish intent
        dict(kill_op="unlink", match="zonecrawler.publishing", kill_at=1),  # after the commit, before the cleanup
    ]
    job = Job(mirror, tmp_path / "job")
    kills = runs = 0
    span = total
    while (fixed or kills < MIN_KILLS) and runs < MAX_RUNS:
        point = fixed.pop(0) if fixed else dict(kill_at=rng.randint(1, span))
        proc = job.run(**point)
        runs += 1
        assert proc.returncode in (0, -signal.SIGKILL), f"seed {seed}: {job.log}: {proc.stderr[-3000:]}"
        if proc.returncode == -signal.SIGKILL:
            kills += 1
            span = max(10, total // 2)  # a resumed run has less left to do
        elif len(job.ids()) == job.expected and job.stored() == set(job.ids()):
            job = Job(mirror, tmp_path / f"job{runs}")  # this job is done: the next kill lands in a new one
            span = total
    assert kills >= MIN_KILLS, f"seed {seed}: only {kills} kills landed in {runs} runs: {job.log}"
    job.finish()
