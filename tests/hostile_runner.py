"""Run the single-page command on many files in one process: ``python -m tests.hostile_runner MANIFEST``.

MANIFEST is a JSON list of ``[path, [extra args]]``.  Each file goes through
``zonecrawler.cli.extract.main`` exactly as ``python -m zonecrawler.extract PATH ARGS`` would
run it (its standard output and error captured), one after the other, under a hard address-space
limit (``--memory-mb``, RLIMIT_AS: a page that needs more fails with MemoryError).  An exception
escaping ``main`` is what the command would have printed as a traceback.  One JSON line per file
is printed: path, exit code, stdout, stderr, traceback (or null), seconds and the process's peak
RSS so far.  A file that runs longer than ``--limit`` seconds is reported as hung and the runner
exits at once with status 3 (a watchdog thread; the page cannot be interrupted from Python).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import sys
import threading
import time
import traceback


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("manifest")
    parser.add_argument("--limit", type=float, default=20.0, help="seconds one file may take")
    parser.add_argument("--memory-mb", type=int, default=2048, help="address-space limit of this process")
    args = parser.parse_args(argv)
    with open(args.manifest, encoding="utf-8") as f:
        manifest = json.load(f)
    limit = args.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    from zonecrawler.cli.extract import main as extract_main

    out = sys.stdout
    current: dict = {}
    lock = threading.Lock()

    def watchdog() -> None:
        while True:
            time.sleep(0.25)
            with lock:
                started, path = current.get("started"), current.get("path")
            if started is not None and time.monotonic() - started > args.limit:
                out.write(json.dumps({"path": path, "hung": True}) + "\n")
                out.flush()
                os._exit(3)

    threading.Thread(target=watchdog, daemon=True).start()
    for path, extra in manifest:
        stdout, stderr = io.StringIO(), io.StringIO()
        tb = None
        with lock:
            current.update(started=time.monotonic(), path=path)
        start = time.perf_counter()
        try:
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                code = extract_main([path, *extra])
        except SystemExit as exc:  # argparse
            code = exc.code if isinstance(exc.code, int) else 2
        except BaseException:  # what the command would print as a traceback
            code, tb = 1, traceback.format_exc()
        seconds = time.perf_counter() - start
        with lock:
            current.clear()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        out.write(json.dumps({"path": path, "code": code, "stdout": stdout.getvalue(), "stderr": stderr.getvalue(),
                              "traceback": tb, "seconds": round(seconds, 3), "peak_rss_bytes": peak}) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
