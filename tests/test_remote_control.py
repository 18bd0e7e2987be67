"""Scrapy 2.19's RemoteControl extension (an HTTP server running Python code sent to it, announced in a
job file holding its auth token) is off: a killed crawl leaves no job file behind."""

from __future__ import annotations

import os
import subprocess

from tests.conftest import REPO
from tests.crawlkit import copy_mirror, crawl_cmd, slow_server, wait_for_lines


def test_a_killed_crawl_leaves_no_remote_control_job_file(tmp_path):
    site = copy_mirror(tmp_path)
    state = tmp_path / "state"
    env = {**os.environ, "XDG_STATE_HOME": str(state)}
    out = tmp_path / "out.jsonl"
    with slow_server(site, delay=0.05) as server:
        proc = subprocess.Popen(crawl_cmd(server.base_url, tmp_path, out, "--log-level", "DEBUG"), cwd=REPO, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            assert wait_for_lines(out.with_name(out.name + ".part"), 2, proc) >= 2
        finally:
            proc.kill()
            _, log = proc.communicate(timeout=30)
    assert not list(state.rglob("*.json")), "a job file with an auth token was left behind"
    assert "Remote control HTTP server listening" not in log
    assert "scrapy.extensions.remote_control.RemoteControl" not in log.split("Enabled extensions:")[1].split("]")[0]
