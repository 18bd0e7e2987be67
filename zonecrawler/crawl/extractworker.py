"""The extraction worker process: reads pages from its socket, writes back what was extracted.

    python -m zonecrawler.crawl.extractworker FD      # started by zonecrawler.crawl.extractpool, not by hand

Messages both ways are frames: a 4-byte big-endian length, then a pickle.
  in:  ("site", key, Site)                            -- remember a site's config under a key
       ("job", job_id, kind, url, body, site_key, charset)  -- one page: kind "article" or "list"
  out: (job_id, True, ArticlePage or Listing) or (job_id, False, exception)
End-of-file on the socket (the crawl finished, or its process died) ends the worker.
"""

from __future__ import annotations

import pickle
import signal
import socket
import struct
import sys
import traceback

FRAME = struct.Struct("!I")


def pack(message) -> bytes:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return FRAME.pack(len(payload)) + payload


def _read_exactly(stream, size: int) -> bytes | None:
    """``size`` bytes, or None at the end of the stream (a SIGKILLed crawl can also reset the socket)."""
    try:
        data = stream.read(size)
    except ConnectionError:
        return None
    return data if data is not None and len(data) == size else None


def _portable(exc: BaseException) -> BaseException:
    """The exception itself when it survives pickling, else a RuntimeError carrying its traceback."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError("".join(traceback.format_exception(exc)))


def serve(sock: socket.socket) -> None:
    from zonecrawler.crawl.extractpool import JOBS

    sites: dict = {}
    stream = sock.makefile("rb")
    while True:
        header = _read_exactly(stream, FRAME.size)
        if header is None:
            return
        payload = _read_exactly(stream, FRAME.unpack(header)[0])
        if payload is None:
            return
        message = pickle.loads(payload)
        if message[0] == "site":
            sites[message[1]] = message[2]
            continue
        _, job_id, kind, url, body, site_key, charset = message
        try:
            reply = (job_id, True, JOBS[kind](url, body, sites.get(site_key), charset))
        except Exception as exc:
            reply = (job_id, False, _portable(exc))
        try:
            sock.sendall(pack(reply))
        except OSError:  # the crawl process is gone
            return


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not argv[0].isdigit():
        print("usage: python -m zonecrawler.crawl.extractworker FD  (started by the crawl, not by hand)", file=sys.stderr)
        return 2
    # Ctrl-C in a terminal reaches the whole process group; the crawl shuts down gracefully and
    # closes this worker's socket when it is done with it, so the worker ignores the signal.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sock = socket.socket(fileno=int(argv[0]))
    try:
        serve(sock)
    finally:
        sock.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
