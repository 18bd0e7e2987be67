"""Development-zone (开发区) normalizer backed by a TSV gazetteer.

Public API:

* :func:`normalize_zone` turns a zone name as seen on a page ("江苏南京六合经济开发区",
  "南京高新区", "天津经开区", ...) into the record's zone object.
* :func:`find_zone_in_text` finds the first gazetteer zone mentioned in a title/body.
* :func:`load_gazetteer` loads (and caches) the gazetteer, optionally with extra files.

The shipped gazetteer is ``data/zones.tsv``; ``data/divisions.tsv`` lists provinces,
prefecture-level cities and some counties/districts used to parse name prefixes.
Users add or override entries with extra TSV files (same columns), named by the
``ZONECRAWLER_GAZETTEER`` environment variable (several paths joined with ``os.pathsep``)
or the ``extra_gazetteer=`` argument.  See ``data/README.md``.
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from zonecrawler.normalize.hanzi import to_simplified

__all__ = [
    "ENV_VAR",
    "KINDS",
    "LEVELS",
    "GazetteerError",
    "Gazetteer",
    "ZoneEntry",
    "normalize_zone",
    "find_zone_in_text",
    "load_gazetteer",
    "parse_divisions",
    "zone_kind",
    "clear_cache",
]

ENV_VAR = "ZONECRAWLER_GAZETTEER"

KINDS = (
    "经济技术开发区",
    "高新技术产业开发区",
    "经济开发区",
    "工业园区",
    "综合保税区",
    "保税区",
    "新区",
    "产业园区",
    "开发区",
)
LEVELS = ("national", "provincial")

ZONE_COLUMNS = ("name", "aliases", "province", "city", "district", "kind", "level")
DIVISION_COLUMNS = ("name", "aliases", "type", "province", "city")
DIVISION_TYPES = ("province", "city", "county", "district")

# Suffixes that abbreviate a canonical kind -> the full form used in lookup keys.
_CANON_MAP = {
    "高新技术产业开发区": "高新技术产业开发区",
    "高新技术开发区": "高新技术产业开发区",
    "高新开发区": "高新技术产业开发区",
    "高新区": "高新技术产业开发区",
    "经济技术开发区": "经济技术开发区",
    "经开区": "经济技术开发区",
    "综合保税区": "综合保税区",
    "综保区": "综合保税区",
}
# Suffix -> kind for names not in the gazetteer; the longest matching suffix wins.
_KIND_SUFFIXES = sorted(
    {
        **_CANON_MAP,
        "经济开发区": "经济开发区",
        "保税区": "保税区",
        "工业园区": "工业园区",
        "工业园": "工业园区",
        "产业园区": "产业园区",
        "产业园": "产业园区",
        "新区": "新区",
        "开发区": "开发区",
    }.items(),
    key=lambda kv: -len(kv[0]),
)
# Applied at the end of a key; an optional 国家/国家级 right before the suffix is dropped
# ("深圳国家高新区").
_CANON_SUFFIX = re.compile(r"(?:国家级?)?(" + "|".join(sorted(_CANON_MAP, key=len, reverse=True)) + ")$")
# Full suffix -> usual abbreviation, used to generate surface forms for text scanning.
_ABBREVIATIONS = (
    ("高新技术产业开发区", "高新区"),
    ("经济技术开发区", "经开区"),
    ("综合保税区", "综保区"),
)
# Suffixes that end in 开发区 but are not the bare, ambiguous "XX开发区".
_NOT_BARE_KFQ = ("经济技术开发区", "经济开发区", "技术开发区", "产业开发区", "高新开发区", "火炬开发区")

_DROP = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff\u00ad\-\u2010-\u2015\u2212\uff0d\u00b7\u30fb\u2022]")
_PAREN = re.compile(r"[(（][^()（）]*[)）]")
_LEAD = re.compile(r"^(?:国家级|国家)")

_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")


class GazetteerError(ValueError):
    """A gazetteer or divisions file is malformed; the message names file and line."""


def _key(text: str) -> str:
    """Lookup key: NFKC, drop whitespace/dashes/dots, expand abbreviated kind suffixes."""
    text = _DROP.sub("", unicodedata.normalize("NFKC", text))
    m = _CANON_SUFFIX.search(text)
    if m:
        text = text[: m.start()] + _CANON_MAP[m.group(1)]
    return text


def _clean(text: str) -> str:
    """Display form of a raw name: the text without whitespace and zero-width chars."""
    return re.sub(r"[\s\u3000\u00a0\u200b\u200c\u200d\u2060\ufeff]+", "", text)


def zone_kind(name: str) -> str | None:
    """Kind implied by the longest known suffix of ``name`` (None when there is none)."""
    key = _DROP.sub("", unicodedata.normalize("NFKC", name))
    key = _PAREN.sub("", key) or key
    for suffix, kind in _KIND_SUFFIXES:
        if key.endswith(suffix):
            return kind
    return None


# --------------------------------------------------------------------------- TSV reading


def _read_tsv(text: str, source: str, columns: tuple[str, ...]):
    """Yield (line_number, fields) for data rows; validate header and column count."""
    header_seen = False
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.rstrip("\r\n")
        if lineno == 1:
            line = line.lstrip("\ufeff")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = [f.strip() for f in line.split("\t")]
        if not header_seen:
            if tuple(fields) != columns:
                raise GazetteerError(
                    f"{source}:{lineno}: expected header row {'<TAB>'.join(columns)!r}, "
                    f"got {line!r}"
                )
            header_seen = True
            continue
        if len(fields) != len(columns):
            raise GazetteerError(
                f"{source}:{lineno}: wrong column count: expected {len(columns)} "
                f"tab-separated columns ({', '.join(columns)}), got {len(fields)}"
            )
        yield lineno, fields
    if not header_seen:
        raise GazetteerError(f"{source}: empty file: no header row {'<TAB>'.join(columns)!r}")


def _split_aliases(value: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in value.split("|") if a.strip())


# --------------------------------------------------------------------------- divisions


@dataclass(frozen=True)
class Division:
    name: str
    type: str
    province: str
    city: str | None
    forms: tuple[str, ...]  # name + aliases of 2+ characters usable as a prefix


@dataclass
class Divisions:
    provinces: dict[str, Division] = field(default_factory=dict)
    cities: dict[str, Division] = field(default_factory=dict)
    province_forms: dict[str, Division] = field(default_factory=dict)
    city_forms: dict[str, list[Division]] = field(default_factory=dict)
    # (city name) -> form -> county/district
    local_forms: dict[str, dict[str, Division]] = field(default_factory=dict)
    # (province name) -> form -> [county/district]
    province_local_forms: dict[str, dict[str, list[Division]]] = field(default_factory=dict)
    # form -> county-type division, only when the form is unique nationwide
    global_county_forms: dict[str, Division] = field(default_factory=dict)
    max_len: int = 2

    def city_in(self, city: str, province: str) -> bool:
        if city == province and province in _MUNICIPALITIES:
            return True
        d = self.cities.get(city)
        return d is not None and d.province == province


def _load_divisions(text: str, source: str) -> Divisions:
    div = Divisions()
    locals_: list[Division] = []
    for lineno, (name, aliases, typ, province, city) in _read_tsv(text, source, DIVISION_COLUMNS):
        if typ not in DIVISION_TYPES:
            raise GazetteerError(f"{source}:{lineno}: unknown division type {typ!r}")
        forms = tuple(dict.fromkeys(f for f in (name, *_split_aliases(aliases)) if len(f) >= 2))
        d = Division(name, typ, province if typ != "province" else name, city or None, forms)
        if typ == "province":
            div.provinces[name] = d
            for f in forms:
                div.province_forms[f] = d
        elif typ == "city":
            if province not in div.provinces:
                raise GazetteerError(f"{source}:{lineno}: unknown province {province!r}")
            div.cities[name] = d
            for f in forms:
                div.city_forms.setdefault(f, []).append(d)
        else:
            if province not in div.provinces:
                raise GazetteerError(f"{source}:{lineno}: unknown province {province!r}")
            locals_.append(d)
        div.max_len = max([div.max_len, *map(len, forms)])
    counts: dict[str, int] = {}
    for d in locals_:
        for f in d.forms:
            div.local_forms.setdefault(d.city or "", {})[f] = d
            div.province_local_forms.setdefault(d.province, {}).setdefault(f, []).append(d)
            counts[f] = counts.get(f, 0) + 1
    taken = set(div.province_forms) | set(div.city_forms)
    for d in locals_:
        if d.type == "county":
            for f in d.forms:
                if counts[f] == 1 and f not in taken:
                    div.global_county_forms[f] = d
    return div


@dataclass(frozen=True)
class Prefix:
    """One stage of a parsed place prefix: ``end`` characters consumed."""

    end: int
    province: str | None
    city: str | None
    district: str | None
    city_forms: tuple[str, ...] = ()


def _longest(s: str, pos: int, table: dict, max_len: int):
    for n in range(min(max_len, len(s) - pos), 1, -1):
        hit = table.get(s[pos : pos + n])
        if hit:
            return s[pos : pos + n], hit
    return None, None


def _parse_prefix(div: Divisions, s: str) -> list[Prefix]:
    """Parse a leading province / city / county chain; one Prefix per stage consumed."""
    stages: list[Prefix] = []
    pos = 0
    prov = city = dist = None
    city_forms: tuple[str, ...] = ()
    form, d = _longest(s, pos, div.province_forms, div.max_len)
    if d is not None:
        prov = d.name
        pos += len(form)
        if prov in _MUNICIPALITIES:
            city = prov
            city_forms = div.provinces[prov].forms
        stages.append(Prefix(pos, prov, city, None, city_forms))
    if city is None:
        table = div.city_forms if prov is None else _CityView(div.city_forms, prov)
        form, cs = _longest(s, pos, table, div.max_len)
        if cs:
            c = cs[0]
            city, prov = c.name, c.province
            city_forms = c.forms
            pos += len(form)
            stages.append(Prefix(pos, prov, city, None, city_forms))
    if city is not None:
        form, d = _longest(s, pos, div.local_forms.get(city, {}), div.max_len)
    elif prov is not None:
        form, ds = _longest(s, pos, div.province_local_forms.get(prov, {}), div.max_len)
        d = ds[0] if ds and len(ds) == 1 else None
    else:
        form, d = _longest(s, pos, div.global_county_forms, div.max_len)
    if d is not None:
        dist = d.name
        pos += len(form)
        prov = prov or d.province
        if city is None:
            city = d.city
            c = div.cities.get(city or "")
            city_forms = c.forms if c else (div.provinces[prov].forms if city == prov else ())
        stages.append(Prefix(pos, prov, city, dist, city_forms))
    return stages


class _CityView(dict):
    """Read-only view of city forms restricted to one province (avoids building dicts)."""

    def __init__(self, forms: dict[str, list[Division]], province: str):
        super().__init__()
        self._forms = forms
        self._province = province

    def get(self, key, default=None):  # type: ignore[override]
        cs = self._forms.get(key)
        if not cs:
            return default
        cs = [c for c in cs if c.province == self._province]
        return cs or default


# --------------------------------------------------------------------------- gazetteer


@dataclass(frozen=True)
class ZoneEntry:
    name: str
    aliases: tuple[str, ...]
    province: str
    city: str | None
    district: str | None
    kind: str
    level: str | None
    source: str  # "file:line"

    def as_zone(self, raw: str, inferred: bool) -> dict[str, Any]:
        return {
            "raw": raw,
            "name": self.name,
            "province": self.province,
            "city": self.city,
            "district": self.district,
            "kind": self.kind,
            "level": self.level,
            "inferred": bool(inferred),
        }


def _parse_zones(text: str, source: str, div: Divisions) -> list[ZoneEntry]:
    entries: list[ZoneEntry] = []
    names: dict[str, int] = {}
    keys: dict[str, tuple[str, int]] = {}  # lookup key -> (entry name, line)
    for lineno, (name, aliases, province, city, district, kind, level) in _read_tsv(
        text, source, ZONE_COLUMNS
    ):
        where = f"{source}:{lineno}"
        if not name:
            raise GazetteerError(f"{where}: empty name")
        if name in names:
            raise GazetteerError(f"{where}: duplicate name {name!r} (first on line {names[name]})")
        if kind not in KINDS:
            raise GazetteerError(f"{where}: unknown kind {kind!r} (expected one of {'|'.join(KINDS)})")
        if level not in LEVELS and level != "":
            raise GazetteerError(f"{where}: unknown level {level!r} (expected national, provincial or empty)")
        if province not in div.provinces:
            raise GazetteerError(f"{where}: unknown province {province!r} (use the full name, e.g. 江苏省)")
        if province in _MUNICIPALITIES and not city:
            city = province
        if city and not div.city_in(city, province):
            raise GazetteerError(f"{where}: unknown city {city!r} for province {province!r}")
        alias_list = tuple(a for a in _split_aliases(aliases) if a != name)
        for surface in (name, *alias_list):
            k = _key(surface)
            other = keys.get(k)
            if other and other[0] != name:
                raise GazetteerError(
                    f"{where}: duplicate alias {surface!r}: already used by {other[0]!r} "
                    f"on line {other[1]}"
                )
            keys[k] = (name, lineno)
        names[name] = lineno
        entries.append(
            ZoneEntry(name, alias_list, province, city or None, district or None, kind, level or None, where)
        )
    return entries


def _abbreviated(surface: str) -> list[str]:
    out = []
    for full, short in _ABBREVIATIONS:
        if surface.endswith(full) and len(surface) > len(full):
            out.append(surface[: -len(full)] + short)
    return out


class Gazetteer:
    """Merged gazetteer: entries by name, lookup index and a text scanner."""

    def __init__(self, entries: list[ZoneEntry], divisions: Divisions):
        self.divisions = divisions
        self.entries: dict[str, ZoneEntry] = {}
        for e in entries:  # later files override earlier ones by name
            self.entries.pop(e.name, None)
            self.entries[e.name] = e
        self.index: dict[str, ZoneEntry] = {}
        self.surfaces: dict[str, ZoneEntry] = {}
        self._build()
        self._memo: dict[str, ZoneEntry | None] = {}
        self._place_memo: dict[str, dict[str, str | None]] = {}

    # -- index construction
    def _stripped_forms(self, e: ZoneEntry) -> list[str]:
        """Name/aliases without a leading place prefix that agrees with the entry."""
        out = []
        for surface in (e.name, *e.aliases):
            for st in _parse_prefix(self.divisions, surface):
                rest = surface[st.end :]
                if (
                    st.province == e.province
                    and (st.city is None or e.city is None or st.city == e.city)
                    and zone_kind(rest) is not None
                    and _stem_ok(rest)
                ):
                    out.append(rest)
        return out

    def _build(self) -> None:
        auto: dict[str, set[str]] = {}
        for e in self.entries.values():
            for s in self._stripped_forms(e):
                auto.setdefault(s, set()).add(e.name)
        # key index: auto forms (unambiguous only) < aliases < names
        index: dict[str, ZoneEntry] = {}
        surfaces: dict[str, ZoneEntry] = {}
        ambiguous: set[str] = set()
        for s, owners in auto.items():
            k = _key(s)
            if len(owners) > 1 or (k in index and index[k].name not in owners):
                ambiguous.add(k)
                continue
            index[k] = self.entries[next(iter(owners))]
            surfaces[s] = index[k]
        for k in ambiguous:
            index.pop(k, None)
        surfaces = {s: e for s, e in surfaces.items() if _key(s) not in ambiguous}
        for e in self.entries.values():
            for a in e.aliases:
                index[_key(a)] = e
                surfaces[a] = e
        for e in self.entries.values():
            index[_key(e.name)] = e
            surfaces[e.name] = e
        # abbreviated surface forms for text scanning (南京高新区, 天津经开区, 昆山综保区)
        for s, e in list(surfaces.items()):
            for ab in _abbreviated(s):
                owner = index.get(_key(ab))
                if owner is e:
                    surfaces.setdefault(ab, e)
        self.index = index
        self.surfaces = surfaces
        # (entry, lookup keys of its name and aliases) for the bare "XX开发区" rule
        self._etdz_keys = [
            (e, tuple(_key(f) for f in (e.name, *e.aliases)))
            for e in self.entries.values()
            if e.kind == "经济技术开发区"
        ]
        self._pattern: re.Pattern[str] | None = None  # compiled on first text scan

    # -- lookups
    def lookup(self, text: str) -> ZoneEntry | None:
        return self.index.get(_key(text))

    def resolve(self, cleaned: str) -> ZoneEntry | None:
        """Gazetteer entry for a cleaned zone name, or None (memoized)."""
        try:
            return self._memo[cleaned]
        except KeyError:
            pass
        hit = self._resolve(cleaned)
        if len(self._memo) < 50_000:
            self._memo[cleaned] = hit
        return hit

    def unknown_place(self, cleaned: str) -> dict[str, str | None]:
        """Province/city/district parsed from an unknown name's prefix (memoized)."""
        try:
            return self._place_memo[cleaned]
        except KeyError:
            pass
        stages = _parse_prefix(self.divisions, _DROP.sub("", unicodedata.normalize("NFKC", cleaned)))
        st = stages[-1] if stages else Prefix(0, None, None, None)
        place = {"province": st.province, "city": st.city, "district": st.district, "kind": zone_kind(cleaned)}
        if len(self._place_memo) < 50_000:
            self._place_memo[cleaned] = place
        return place

    def _resolve(self, s: str) -> ZoneEntry | None:
        variants = [s]
        no_paren = _PAREN.sub("", s)
        if no_paren and no_paren != s:
            variants.append(no_paren)
        for v in list(variants):
            lead = _LEAD.sub("", v)
            if lead != v and lead:
                variants.append(lead)
        for v in variants:
            hit = self.lookup(v)
            if hit:
                return hit
        for v in variants:
            for st in _parse_prefix(self.divisions, v):
                rest = v[st.end :]
                if not rest:
                    continue
                cands = [rest] + [f + rest for f in st.city_forms]
                for c in cands:
                    hit = self.lookup(c)
                    if hit and _consistent(hit, st):
                        return hit
        for v in variants:
            hit = self._bare_kfq(v, None)
            if hit:
                return hit
            for st in _parse_prefix(self.divisions, v):
                rest = v[st.end :]
                for c in [rest] + [f + rest for f in st.city_forms]:
                    hit = self._bare_kfq(c, st)
                    if hit:
                        return hit
        return None

    def _bare_kfq(self, v: str, st: Prefix | None) -> ZoneEntry | None:
        """'XX开发区' -> the single 经济技术开发区 whose name (or a form of it) starts with XX."""
        k = _DROP.sub("", unicodedata.normalize("NFKC", v))
        if not k.endswith("开发区") or k.endswith(_NOT_BARE_KFQ):
            return None
        stem = k[: -len("开发区")]
        if len(stem) < 2:
            return None
        exact = self.index.get(stem + "经济技术开发区")
        if exact and exact.kind == "经济技术开发区" and (st is None or _consistent(exact, st)):
            return exact
        found = {
            e.name: e
            for e, keys in self._etdz_keys
            if any(k.startswith(stem) for k in keys) and (st is None or _consistent(e, st))
        }
        if len(found) == 1:
            return next(iter(found.values()))
        return None

    def scan(self, text: str) -> re.Match[str] | None:
        if self._pattern is None:
            self._pattern = _trie_regex(self.surfaces)
        return self._pattern.search(text)


def _stem_ok(rest: str) -> bool:
    """A stripped form must keep a non-empty stem before its kind suffix and start sanely."""
    if not rest or not ("\u4e00" <= rest[0] <= "\u9fff" or rest[0].isalnum()):
        return False
    key = _DROP.sub("", rest)
    for suffix, _kind in _KIND_SUFFIXES:
        if key.endswith(suffix):
            stem = key[: -len(suffix)]
            return len(stem) >= 2 and stem not in _GENERIC_STEMS and not stem.startswith("国家")
    return False


# Stems too generic to stand alone once a place prefix is stripped ("长春汽车经开区" is fine,
# "汽车经开区" is not).
_GENERIC_STEMS = frozenset(
    "汽车 化学工业 石化 招商局 滨海 国际铁路港 航空 航天 火炬 群岛 工业园 工业园区 高新 港 稀土 临港 医药"
    " 新兴技术 出口加工区 保税港".split()
)


def _consistent(e: ZoneEntry, st: Prefix) -> bool:
    if st.province and st.province != e.province:
        return False
    if st.city and e.city and st.city != e.city:
        return False
    return True


def _trie_regex(words) -> re.Pattern[str]:
    """One compiled regex whose alternation is a trie: leftmost match, longest at that start."""
    trie: dict = {}
    for w in words:
        if not w:
            continue
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        alt = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # a word ends here: the longer continuation is optional (greedy = longest first)
        return f"(?:{alt})?" if "" in node else alt

    return re.compile(build(trie) or r"(?!x)x")


# --------------------------------------------------------------------------- loading


def _package_text(name: str) -> tuple[str, str]:
    res = resources.files(__package__ or "zonecrawler.normalize").joinpath("data").joinpath(name)
    return res.read_text(encoding="utf-8"), f"zonecrawler/normalize/data/{name}"


@functools.cache
def _divisions() -> Divisions:
    text, source = _package_text("divisions.tsv")
    return _load_divisions(text, source)


@functools.cache
def _base_entries() -> tuple[ZoneEntry, ...]:
    text, source = _package_text("zones.tsv")
    return tuple(_parse_zones(text, source, _divisions()))


@functools.cache
def _load(extra: tuple[str, ...]) -> Gazetteer:
    entries = list(_base_entries())
    for path in extra:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise GazetteerError(f"{path}: gazetteer file not found") from None
        except UnicodeDecodeError as exc:
            raise GazetteerError(f"{path}: not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
        entries.extend(_parse_zones(text, str(p), _divisions()))
    return Gazetteer(entries, _divisions())


def _extra_paths(extra_gazetteer: str | Path | None) -> tuple[str, ...]:
    extra = None if extra_gazetteer is None else os.fspath(extra_gazetteer)
    return _paths(os.environ.get(ENV_VAR, ""), extra)


@functools.lru_cache(maxsize=64)
def _paths(env: str, extra: str | None) -> tuple[str, ...]:
    paths = [p.strip() for p in env.split(os.pathsep) if p.strip()]
    if extra is not None:
        paths.append(extra)
    return tuple(os.path.abspath(p) for p in paths)


def load_gazetteer(extra_gazetteer: str | Path | None = None) -> Gazetteer:
    """The shipped gazetteer plus ``$ZONECRAWLER_GAZETTEER`` files plus ``extra_gazetteer``.

    Loaded once per distinct set of extra paths (cached); raises :class:`GazetteerError`
    (a ``ValueError``) naming file and line for malformed files.
    """
    return _load(_extra_paths(extra_gazetteer))


def clear_cache() -> None:
    """Forget loaded gazetteers (e.g. after editing an extra gazetteer file)."""
    _load.cache_clear()
    _paths.cache_clear()
    _base_entries.cache_clear()
    _divisions.cache_clear()


def parse_divisions(name: str) -> dict[str, str | None]:
    """Province/city/district implied by the leading place names of ``name``."""
    stages = _parse_prefix(_divisions(), _DROP.sub("", unicodedata.normalize("NFKC", to_simplified(name))))
    if not stages:
        return {"province": None, "city": None, "district": None}
    st = stages[-1]
    return {"province": st.province, "city": st.city, "district": st.district}


# --------------------------------------------------------------------------- public API


def normalize_zone(
    raw: str | None,
    *,
    inferred: bool = False,
    extra_gazetteer: str | Path | None = None,
) -> dict[str, Any] | None:
    """Zone object for a zone name as seen on a page; None for None/blank input.

    Known zones (name, alias, abbreviation such as 高新区/经开区/综保区, optional province/
    city prefix, or a bare "XX开发区" naming a unique 经济技术开发区) get the gazetteer's
    canonical name, place and level.  Unknown names keep ``name = raw``, a kind from the
    longest known suffix, ``level = None`` and place parsed from the name's prefix.
    """
    if raw is None:
        return None
    shown = str(raw).strip(" \t\r\n\u3000\u00a0")
    cleaned = _clean(to_simplified(shown))
    if not cleaned:
        return None
    gaz = load_gazetteer(extra_gazetteer)
    hit = gaz.resolve(cleaned)
    if hit is not None:
        return hit.as_zone(shown, inferred)
    place = gaz.unknown_place(cleaned)
    return {
        "raw": shown,
        "name": cleaned,
        "province": place["province"],
        "city": place["city"],
        "district": place["district"],
        "kind": place["kind"],
        "level": None,
        "inferred": bool(inferred),
    }


def find_zone_in_text(text: str | None, *, extra_gazetteer: str | Path | None = None) -> dict[str, Any] | None:
    """First gazetteer zone (name, alias or abbreviation) mentioned in ``text``.

    Leftmost mention wins; at one position the longest one.  Returns the zone object with
    ``inferred=True`` and ``raw`` = the matched text, or None.
    """
    if not text:
        return None
    gaz = load_gazetteer(extra_gazetteer)
    m = gaz.scan(to_simplified(text))  # one-to-one, so match positions are positions in ``text``
    if m is None:
        return None
    entry = gaz.surfaces.get(m.group(0)) or gaz.lookup(m.group(0))
    if entry is None:  # pragma: no cover - every trie word is a surface
        return None
    return entry.as_zone(text[m.start() : m.end()], True)
