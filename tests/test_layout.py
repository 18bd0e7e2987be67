"""The package layout is enforced, not just described: import-linter's contracts in pyproject.toml.

Pure code (``extract``, ``normalize``, ``record``, ``siteconfig``, ``storage``, ``evaluate``) never
imports Scrapy, Twisted or Redis, and every folder imports only the layers below it
(cli > crawl > output > storage > record > facts > extract > normalize).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_import_contracts_hold():
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    proc = subprocess.run([exe, "--config", str(REPO / "pyproject.toml")], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Contracts: 2 kept, 0 broken." in proc.stdout


def test_extraction_imports_without_scrapy():
    # Not just the static graph: importing the pure packages really loads no Scrapy module.
    code = ("import sys; import zonecrawler.extract, zonecrawler.normalize.zones, zonecrawler.facts, zonecrawler.record, "
            "zonecrawler.storage.ledger, zonecrawler.storage.archive, zonecrawler.evaluate; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('scrapy', 'twisted', 'scrapy_redis', 'redis')); "
            "print(bad); sys.exit(1 if bad else 0)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
