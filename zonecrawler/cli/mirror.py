"""Serve a saved site (a fixture mirror) over HTTP on 127.0.0.1, for the demo and the tests.

URL path -> file: ``/`` -> ``index.html``, ``/a/`` -> ``a/index.html``, ``/a/b.html`` -> ``a/b.html``;
``/a/b.jsp?x=1`` -> ``a/b.jsp?x=1`` when that file exists (a saved page with a query), else ``a/b.jsp``.
An optional ``_headers.json`` in the mirror root maps a URL path to extra response
headers (e.g. a wrong ``Content-Type`` charset) so tests can reproduce lying servers.
"""

from __future__ import annotations

import json
import mimetypes
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

HEADERS_FILE = "_headers.json"


class MirrorHandler(BaseHTTPRequestHandler):
    """Static files from ``server.root``; 404 for anything outside it."""

    server: "MirrorServer"
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        pass

    def resolve(self, path: str) -> Path | None:
        """The file a URL path maps to, or None when it is missing or escapes the root.

        A URL with a query is served from a file named by the path and the query as requested
        (``dataproxy.jsp?startrecord=4&…``, as ``wget`` saves such pages) when the mirror has one.
        """
        parts = urlsplit(path)
        relative = unquote(parts.path).lstrip("/")
        if parts.query and relative and not relative.endswith("/"):
            saved = (self.server.root / f"{relative}?{parts.query}").resolve()
            if self.server.root in saved.parents and saved.is_file():
                return saved
        target = (self.server.root / relative).resolve()
        if target.is_dir() or relative.endswith("/") or not relative:
            target = target / "index.html"
        if self.server.root not in target.parents or not target.is_file():
            return None
        return target

    def send_file(self, target: Path, head_only: bool = False) -> None:
        data = target.read_bytes()
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        headers = {"Content-Type": ctype, "Content-Length": str(len(data))}
        headers.update(self.server.extra_headers.get(urlsplit(self.path).path, {}))
        self.send_response(200)
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if not head_only:
            self.wfile.write(data)

    def do_GET(self):  # noqa: N802 - stdlib naming
        target = self.resolve(self.path)
        if target is None:
            self.send_error(404, "not in mirror")
            return
        self.server.hits.append(urlsplit(self.path).path)
        self.send_file(target)

    def do_HEAD(self):  # noqa: N802
        target = self.resolve(self.path)
        if target is None:
            self.send_error(404, "not in mirror")
            return
        self.send_file(target, head_only=True)


class MirrorServer(ThreadingHTTPServer):
    """A threaded HTTP server for one mirror folder; use as a context manager."""

    daemon_threads = True

    def __init__(self, root: str | Path, port: int = 0, handler=MirrorHandler):
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise FileNotFoundError(f"mirror folder not found: {self.root}")
        headers_file = self.root / HEADERS_FILE
        self.extra_headers: dict[str, dict[str, str]] = (
            json.loads(headers_file.read_text("utf-8")) if headers_file.exists() else {}
        )
        self.hits: list[str] = []
        super().__init__(("127.0.0.1", port), handler)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> "MirrorServer":
        self._thread = threading.Thread(target=self.serve_forever, name="mirror", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "MirrorServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
