"""Golden fixtures: saved pages paired with hand-written expected records.

Layouts under ``fixtures/``:
  ``investchn/site`` + ``investchn/golden``       the investchn.com mirror (site ``investchn``)
  ``sites/NAME/site`` + ``sites/NAME/golden``     other site templates (site ``NAME``)
  ``variants/NAME.html`` + ``variants/NAME.json`` single investchn-style pages (no site config)
  ``holdout/NAME.html`` + ``holdout/NAME.json``   single pages written without looking at the extractor
  ``classes/NAME.html`` + ``classes/NAME.json``   single pages reproducing a failure class seen on real
                                                 pages (our own markup and invented text)
A golden's ``url`` locates its page inside the mirror (``/a/b.html`` -> ``site/a/b.html``).

A folder with a ``truth.jsonl`` (one JSON object per page: ``file``, ``url`` or null, ``title``,
``date``, ``source``, ``body``; the real-page set's format) is read by :func:`truth_cases`;
:func:`load_cases` picks the right reader for a folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

GOLDEN_KEYS = ("url", "title", "date", "source", "author", "editor", "zone", "body",
               "breadcrumb", "category", "region", "attachments")


@dataclass(frozen=True)
class GoldenCase:
    """One page and the record a person wrote down for it."""

    name: str
    page: Path
    expected: dict
    site: str | None

    def page_bytes(self) -> bytes:
        return self.page.read_bytes()


def mirror_file(site_dir: Path, url: str) -> Path:
    """The file a mirror serves for ``url`` (same mapping as ``zonecrawler.cli.mirror``)."""
    path = urlsplit(url).path.lstrip("/")
    target = site_dir / path
    if not path or path.endswith("/"):
        target = target / "index.html"
    return target


def _load(path: Path) -> dict:
    data = json.loads(path.read_text("utf-8"))
    missing = set(GOLDEN_KEYS) - data.keys()
    if missing:
        raise ValueError(f"{path}: golden lacks keys {sorted(missing)}")
    return data


def _mirror_cases(root: Path, site: str, label: str) -> list[GoldenCase]:
    cases = []
    for golden in sorted((root / "golden").glob("*.json")):
        expected = _load(golden)
        page = mirror_file(root / "site", expected["url"])
        if not page.is_file():
            raise ValueError(f"{golden}: no page at {page} for url {expected['url']}")
        cases.append(GoldenCase(f"{label}/{golden.stem}", page, expected, site))
    return cases


def golden_cases(fixtures: Path) -> list[GoldenCase]:
    """Every golden case below a ``fixtures/`` folder."""
    cases: list[GoldenCase] = []
    if (fixtures / "investchn").is_dir():
        cases += _mirror_cases(fixtures / "investchn", "investchn", "investchn")
    for site_root in sorted((fixtures / "sites").glob("*/")) if (fixtures / "sites").is_dir() else []:
        if (site_root / "golden").is_dir():
            cases += _mirror_cases(site_root, site_root.name, f"sites/{site_root.name}")
    for folder in ("variants", "holdout", "classes"):
        cases += _single_page_cases(fixtures / folder, folder)
    return cases


def _single_page_cases(folder: Path, label: str) -> list[GoldenCase]:
    cases = []
    for golden in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        page = golden.with_suffix(".html")
        if not page.is_file():
            raise ValueError(f"{golden}: no page {page.name} beside it")
        cases.append(GoldenCase(f"{label}/{golden.stem}", page, _load(golden), None))
    return cases


def article_urls(site_dir: Path, base_url: str, pattern) -> set[str]:
    """URLs of every article page in a mirror, by the site's article pattern."""
    urls = set()
    for path in site_dir.rglob("*.html"):
        rel = "/" + path.relative_to(site_dir).as_posix()
        if pattern(rel):
            urls.add(base_url.rstrip("/") + rel)
    return urls


TRUTH_FILE = "truth.jsonl"
TRUTH_KEYS = ("file", "title", "date", "source", "body")


def truth_cases(folder: Path) -> list[GoldenCase]:
    """Pages listed in ``folder/truth.jsonl``; a page without a known URL gets its ``file://`` URL."""
    cases = []
    path = folder / TRUTH_FILE
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"{path}:{number}: not JSON ({exc})") from None
        missing = [key for key in TRUTH_KEYS if key not in data]
        if missing:
            raise ValueError(f"{path}:{number}: truth lacks keys {missing}")
        page = folder / data["file"]
        if not page.is_file():
            raise ValueError(f"{path}:{number}: no page {page}")
        expected = {key: data[key] for key in ("title", "date", "source", "body")}
        expected["url"] = data.get("url") or page.resolve().as_uri()
        if "zone" in data:
            expected["zone"] = data["zone"]
        cases.append(GoldenCase(data.get("id") or page.stem, page, expected, data.get("site")))
    return cases


def load_cases(folder: Path) -> list[GoldenCase]:
    """A ``truth.jsonl`` folder's pages, else the golden fixtures below ``folder``."""
    return truth_cases(folder) if (folder / TRUTH_FILE).is_file() else golden_cases(folder)
