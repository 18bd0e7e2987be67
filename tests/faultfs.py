"""Build and configure the faultfs LD_PRELOAD shim (``tests/faultfs.c``): a directory that is full,
refuses writes, fsyncs or renames, or kills the process at a chosen file operation -- no root needed.

The shim is compiled once per source version with the system C compiler into the temp folder.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

SOURCE = Path(__file__).with_name("faultfs.c")


def library() -> Path:
    """Path of the compiled shim (built on first use)."""
    code = SOURCE.read_bytes()
    tag = hashlib.sha256(code).hexdigest()[:12]
    out = Path(tempfile.gettempdir()) / f"zonecrawler-faultfs-{tag}.so"
    if not out.exists():
        cc = shutil.which("cc") or shutil.which("gcc")
        assert cc, "a C compiler (cc) is needed for the faultfs shim (.ci/run installs gcc)"
        tmp = out.with_name(f"{out.name}.{os.getpid()}")
        subprocess.run([cc, "-shared", "-fPIC", "-O1", "-Wall", "-o", str(tmp), str(SOURCE), "-ldl"], check=True,
                       capture_output=True)
        os.replace(tmp, out)
    return out


def env(directory: Path, **settings) -> dict:
    """Environment for a subprocess whose file operations under ``directory`` obey ``settings``.

    ``limit=N`` bytes, ``fail="write,fsync"``, ``errno=30``, ``match="out.jsonl"``, ``kill_at=N``,
    ``kill_op="rename"``, ``kill_after=True``, ``count_file=PATH`` (see ``tests/faultfs.c``).
    """
    out = dict(os.environ)
    out["LD_PRELOAD"] = str(library())
    out["FAULTFS_DIR"] = str(Path(directory).resolve())
    for key, value in settings.items():
        if value is None or value is False:
            continue
        out[f"FAULTFS_{key.upper()}"] = "1" if value is True else str(value)
    return out
