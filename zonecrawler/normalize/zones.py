"""Development-zone (开发区) normalizer backed by a TSV gazetteer.

Public API:

* :func:`normalize_zone` turns a zone name as seen on a page ("江苏南京六合经济开发区",
  "南京高新区", "天津经开区", ...) into the record's zone object.
* :func:`find_zone_in_text` finds the first gazetteer zone mentioned in a title/body.
* :func:`load_gazetteer` loads (and caches) the gazetteer, optionally with extra files.

Resolution is exact or nothing: a name resolves to a zone only when, after normalization
(traditional -> simplified, full-width -> half-width, spaces and dashes dropped), it equals
one of that zone's names — its canonical name, an alias from the data, or a form generated
by rule from those (abbreviated suffixes such as 经开区/开发区/高新区/综保区, the zone's own
province/city prefix left out) — optionally preceded by the zone's own province and/or city.
A form that two zones share names neither.  Nothing is ever resolved by dropping part of a
name and guessing the rest, so an unknown "<city><district>高新区" never becomes the city's
main zone.

The shipped gazetteer is ``data/zones.tsv`` (generated from the 2018 national catalogue by
``tools/build_gazetteer.py``); ``data/divisions.tsv`` lists provinces, prefecture-level cities
and county-level units used to parse name prefixes.  Users add or override entries with
extra TSV files named by ``$ZONECRAWLER_GAZETTEER`` (several paths joined with
``os.pathsep``) or the ``extra_gazetteer=`` argument.  See ``data/README.md``.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from zonecrawler.normalize.hanzi import TRADITIONAL, to_simplified

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

log = logging.getLogger(__name__)

ENV_VAR = "ZONECRAWLER_GAZETTEER"

KINDS = (
    "经济技术开发区",
    "高新技术产业开发区",
    "经济开发区",
    "工业园区",
    "综合保税区",
    "保税港区",
    "保税区",
    "出口加工区",
    "保税物流园区",
    "跨境工业区",
    "边境经济合作区",
    "跨境经济合作区",
    "互市贸易区",
    "旅游度假区",
    "台商投资区",
    "投资区",
    "金融贸易区",
    "科技工业园",
    "新区",
    "产业园区",
    "开发区",
)
LEVELS = ("national", "provincial")

ZONE_COLUMNS = (
    "code", "name", "aliases", "province", "city", "district", "kind", "level",
    "approved", "area_ha", "industries", "supersedes",
)
_REQUIRED_COLUMNS = ("name", "province", "kind")
DIVISION_COLUMNS = ("name", "aliases", "type", "province", "city")
DIVISION_TYPES = ("province", "city", "county", "district")
_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")

# --------------------------------------------------------------------------- text folding

# One character to one character, so that positions in folded text are positions in the original:
# traditional -> simplified, full-width ASCII -> ASCII, upper -> lower case, dash and dot variants unified.
_FOLD = str.maketrans(
    {
        **{chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)},
        **{ch: "-" for ch in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"},
        **{ch: "·" for ch in "\u00b7\u30fb\u2022\u2027\uff65"},
        "\u3000": " ",
        "（": "(",
        "）": ")",
    }
)


# Text made only of simplified CJK ideographs folds to itself (the common case for gazetteer data).
_PLAIN = re.compile("[\u4e00-\u9fff]*")
_NOT_PLAIN = re.compile(f"[{''.join(sorted(set(TRADITIONAL)))}]")


def _fold(text: str) -> str:
    if _PLAIN.fullmatch(text) and not _NOT_PLAIN.search(text):
        return text
    return to_simplified(text).translate(_FOLD).lower()


# For scanning running text: the same one-to-one folding without lower-casing, restricted to what zone names can
# contain (full-width letters, digits and parentheses, dashes, dots; not full-width punctuation such as ，), so
# that most bodies need no folding at all. Latin names (TEDA, SIP) are matched case-insensitively on their own.
_SCAN_FOLD = str.maketrans(
    {
        **{chr(c): chr(c - 0xFEE0) for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))},
        **{ch: "-" for ch in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"},
        **{ch: "·" for ch in "\u00b7\u30fb\u2022\u2027\uff65"},
        "（": "(",
        "）": ")",
    }
)
_NEEDS_SCAN_FOLD = re.compile(
    "[" + "".join(sorted(set(TRADITIONAL))) + "\uff10-\uff19\uff21-\uff3a\uff41-\uff5a（）"
    "\u2010-\u2015\u2212\ufe63\uff0d\u00b7\u30fb\u2022\u2027\uff65]"
)


def _scan_fold(text: str) -> str:
    if not _NEEDS_SCAN_FOLD.search(text):
        return text
    return to_simplified(text).translate(_SCAN_FOLD)


# Everything that is not a CJK ideograph, an ASCII letter/digit or a parenthesis: dropped from lookup keys.
_NON_KEY = re.compile(r"[^\u4e00-\u9fff\u3400-\u4dbfa-z0-9()]+")
_PAREN = re.compile(r"\([^()]*\)")
_JOINERS = re.compile(r"[-·\s]+")
_LEAD = re.compile(r"^(?:中国)?国家级?")
_NATIONAL_BEFORE_SUFFIX = re.compile(r"国家级?(?=(?:高新区|高新技术产业开发区|经开区|经济技术开发区|综保区|综合保税区)$)")
_OFFICE = re.compile(r"(?:管理委员会|管委会|党工委|管委)$")


@functools.lru_cache(maxsize=1 << 16)
def _key(text: str) -> str:
    """Lookup key of a name: folded, punctuation and spaces dropped (parenthesised text kept, brackets dropped)."""
    folded = _fold(text)
    if folded is text:
        return text
    return _NON_KEY.sub("", unicodedata.normalize("NFKC", folded)).replace("(", "").replace(")", "")


def _key_variants(text: str) -> list[str]:
    """Keys to try for a name as seen: as is, without parenthesised text, without 国家级 and 管委会."""
    folded = _NON_KEY.sub("", unicodedata.normalize("NFKC", _fold(text)))
    out = [folded.replace("(", "").replace(")", "")]
    no_paren = _PAREN.sub("", folded).replace("(", "").replace(")", "")
    if no_paren and no_paren not in out:
        out.append(no_paren)
    for v in list(out):
        for w in (_LEAD.sub("", v), _NATIONAL_BEFORE_SUFFIX.sub("", v), _OFFICE.sub("", v)):
            if w and w not in out:
                out.append(w)
    return out


def _clean(text: str) -> str:
    """Display form of a raw name: the text without whitespace and zero-width chars."""
    return re.sub(r"[\s\u3000\u00a0\u200b\u200c\u200d\u2060\ufeff]+", "", text)


# --------------------------------------------------------------------------- suffixes and rule forms

# A zone name's suffix -> (its primary forms, its secondary forms): the suffixes the same zone goes by
# (经济技术开发区 ↔ 经开区, and more loosely 开发区). A primary form is the suffix itself or its standard
# abbreviation; when two zones share a form, a primary one wins over a secondary one (许昌经开区 is the
# 经济技术开发区, not the 经济开发区), and two of the same rank name neither (许昌开发区).
_SUFFIX_FORMS = {
    "经济技术开发区": (("经济技术开发区", "经开区"), ("开发区",)),
    "经济开发区": (("经济开发区",), ("经开区", "开发区")),
    "高新技术产业开发区": (("高新技术产业开发区", "高新区"), ("高新技术开发区", "高新开发区")),
    "高技术产业开发区": (("高技术产业开发区",), ("高新技术产业开发区", "高新区", "高新技术开发区")),
    "高新技术产业园区": (("高新技术产业园区",), ("高新区", "高新技术产业开发区", "高新技术开发区")),
    "综合保税区": (("综合保税区", "综保区"), ()),
    "工业园区": (("工业园区",), ("工业园",)),
    "产业园区": (("产业园区",), ("产业园",)),
    "边境经济合作区": (("边境经济合作区", "边合区"), ()),
}
_SUFFIXES = sorted(_SUFFIX_FORMS, key=len, reverse=True)
# Suffix -> kind, for names that are not in the gazetteer; the longest matching suffix wins.
_KIND_SUFFIXES = sorted(
    {
        "经济技术开发区": "经济技术开发区", "经开区": "经济技术开发区",
        "高新技术产业开发区": "高新技术产业开发区", "高技术产业开发区": "高新技术产业开发区",
        "高新技术开发区": "高新技术产业开发区", "高新开发区": "高新技术产业开发区", "高新区": "高新技术产业开发区",
        "高新技术产业园区": "高新技术产业开发区",
        "经济开发区": "经济开发区",
        "综合保税区": "综合保税区", "综保区": "综合保税区", "保税港区": "保税港区", "保税区": "保税区",
        "出口加工区": "出口加工区", "保税物流园区": "保税物流园区",
        "边境经济合作区": "边境经济合作区", "跨境经济合作区": "跨境经济合作区",
        "旅游度假区": "旅游度假区", "台商投资区": "台商投资区",
        "工业园区": "工业园区", "工业园": "工业园区", "工业集中区": "工业园区",
        "产业园区": "产业园区", "产业园": "产业园区",
        "新区": "新区", "开发区": "开发区",
    }.items(),
    key=lambda kv: -len(kv[0]),
)
# Zone names whose trailing part after one of these words names sub-areas (南京综合保税区龙潭片及江宁片):
# the name cut after the word is a rule form too.
_CUT_AFTER = ("综合保税区", "出口加工区", "保税港区", "边境合作中心")

# A stem left after dropping a zone's province/city prefix must name the zone on its own: stems made only of
# words such as these (长春汽车经开区 -> 汽车经开区; 沧州临港 -> 临港) are too generic to stand alone.
_GENERIC_WORDS = tuple(
    sorted(
        set(
            "临港 港口 港区 临空 空港 航空港 航空 航天 高新 高科技 科技 技术 新技术 工业 产业 化工 化学 石化 石油 煤化"
            " 汽车 医药 生物 新材料 材料 能源 新能源 装备 物流 食品 循环 经济 示范 综合 现代 沿海 沿江 沿边 滨海 滨江"
            " 滨湖 临江 新城 新区 城区 城南 城北 城东 城西 东区 西区 南区 北区 中心 开发 出口 加工 保税 国际 商贸 金融"
            " 文化 旅游 农业 农业高新 生态 绿色 信息 软件 电子 光电 火炬 台商 侨 港 特色 承接 转移 集聚 集中 园区"
            " 工业园 示范园 合作 边境 口岸 新兴 铁路港 群岛 招商局 稀土 机电 纺织 轻工 钢铁 有色 冶金 建材 陶瓷".split()
        ),
        key=len,
        reverse=True,
    )
)


def _split_suffix(name: str) -> tuple[str, str]:
    """(stem, suffix) when ``name`` ends with a suffix that has other forms, else (name, "")."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], suffix
    return name, ""


def _is_generic(stem: str) -> bool:
    """True for a stem that starts with, or is made only of, generic words (汽车, 临港, 综合保税区...)."""
    return stem.startswith(_GENERIC_WORDS) or len(_GENERIC_RE.sub("", stem)) < 2


_GENERIC_RE = re.compile(
    "|".join(map(re.escape, sorted({*_GENERIC_WORDS, *(suffix for suffix, _kind in _KIND_SUFFIXES)}, key=len, reverse=True)))
)


def zone_kind(name: str) -> str | None:
    """Kind implied by the longest known suffix of ``name`` (None when there is none)."""
    key = _PAREN.sub("", _NON_KEY.sub("", _fold(name))) or _key(name)
    for suffix, kind in _KIND_SUFFIXES:
        if key.endswith(suffix):
            return kind
    return None


# --------------------------------------------------------------------------- TSV reading


class GazetteerError(ValueError):
    """A gazetteer or divisions file is malformed; the message names file and line."""


def _read_tsv(text: str, source: str, columns: tuple[str, ...], required: tuple[str, ...] | None = None):
    """Yield (line_number, {column: value}) for data rows; validate the header and the column count.

    With ``required`` the header may hold any subset of ``columns`` in any order that includes ``required``;
    without it the header must be ``columns`` exactly.
    """
    header: list[str] | None = None
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.rstrip("\r\n")
        if lineno == 1:
            line = line.lstrip("\ufeff")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = [f.strip() for f in line.split("\t")]
        if header is None:
            ok = tuple(fields) == columns if required is None else (
                set(fields) <= set(columns) and set(required) <= set(fields) and len(set(fields)) == len(fields)
            )
            if not ok:
                expected = "<TAB>".join(columns)
                if required is not None:
                    expected = f"columns from {expected} including {', '.join(required)}"
                raise GazetteerError(f"{source}:{lineno}: expected header row {expected!r}, got {line!r}")
            header = fields
            continue
        if len(fields) != len(header):
            raise GazetteerError(
                f"{source}:{lineno}: wrong column count: expected {len(header)} "
                f"tab-separated columns ({', '.join(header)}), got {len(fields)}"
            )
        yield lineno, dict(zip(header, fields))
    if header is None:
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
    # every form of every division -> the divisions it may name (for checking text before a mention)
    any_forms: dict[str, list[Division]] = field(default_factory=dict)
    # county-level form -> how many county-level units use it
    county_form_counts: dict[str, int] = field(default_factory=dict)
    max_len: int = 2

    def city_in(self, city: str, province: str) -> bool:
        if city == province and province in _MUNICIPALITIES:
            return True
        d = self.cities.get(city)
        return d is not None and d.province == province

    def city_forms_of(self, city: str | None) -> tuple[str, ...]:
        if city is None:
            return ()
        d = self.cities.get(city) or self.provinces.get(city)
        return d.forms if d else ()


def _load_divisions(text: str, source: str) -> Divisions:
    div = Divisions()
    locals_: list[Division] = []
    for lineno, row in _read_tsv(text, source, DIVISION_COLUMNS):
        name, typ, province, city = row["name"], row["type"], row["province"], row["city"]
        if typ not in DIVISION_TYPES:
            raise GazetteerError(f"{source}:{lineno}: unknown division type {typ!r}")
        forms = tuple(dict.fromkeys(f for f in (name, *_split_aliases(row["aliases"])) if len(f) >= 2))
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
        for f in forms:
            div.any_forms.setdefault(f, []).append(d)
        div.max_len = max([div.max_len, *map(len, forms)])
    counts = div.county_form_counts
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
    form, d = _longest(s, pos, div.province_forms, div.max_len)
    if d is not None:
        prov = d.name
        pos += len(form)
        if s[pos : pos + 1] == "省":
            pos += 1
        if prov in _MUNICIPALITIES:
            city = prov
            if s[pos : pos + 1] == "市":
                pos += 1
        stages.append(Prefix(pos, prov, city, None))
    if city is None:
        table = div.city_forms if prov is None else _CityView(div.city_forms, prov)
        form, cs = _longest(s, pos, table, div.max_len)
        local = div.global_county_forms if prov is None else div.province_local_forms.get(prov, {})
        kform, ks = _longest(s, pos, local, div.max_len)
        if ks and form and len(kform) > len(form):  # 安阳县 (a county) before 安阳 (its city)
            cs = None
        if cs and len(cs) == 1:
            c = cs[0]
            city, prov = c.name, c.province
            pos += len(form)
            if s[pos : pos + 1] == "市" and not form.endswith("市"):
                pos += 1
            stages.append(Prefix(pos, prov, city, None))
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
        city = city or d.city
        stages.append(Prefix(pos, prov, city, dist))
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


# --------------------------------------------------------------------------- gazetteer entries


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
    code: str | None = None
    approved: str | None = None
    area_ha: float | None = None
    industries: tuple[str, ...] | None = None
    supersedes: str | None = None

    def as_zone(self, raw: str, inferred: bool) -> dict[str, Any]:
        return {
            "raw": raw,
            "name": self.name,
            "province": self.province,
            "city": self.city,
            "district": self.district,
            "kind": self.kind,
            "level": self.level,
            "code": self.code,
            "approved": self.approved,
            "area_ha": self.area_ha,
            "industries": list(self.industries) if self.industries is not None else None,
            "inferred": bool(inferred),
        }


_CODE = re.compile(r"^[GS]\d{6}$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _parse_zones(text: str, source: str, div: Divisions) -> list[ZoneEntry]:
    entries: list[ZoneEntry] = []
    names: dict[str, int] = {}
    keys: dict[str, tuple[str, int]] = {}  # lookup key -> (entry name, line)
    for lineno, row in _read_tsv(text, source, ZONE_COLUMNS, _REQUIRED_COLUMNS):
        get = row.get
        name, province, kind = row["name"], row["province"], row["kind"]
        city, district, level = get("city", ""), get("district", ""), get("level", "")
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
        code = get("code", "") or None
        if code is not None and not _CODE.match(code):
            raise GazetteerError(f"{where}: bad code {code!r} (expected G or S and six digits)")
        approved = get("approved", "") or None
        if approved is not None and not _MONTH.match(approved):
            raise GazetteerError(f"{where}: bad approved {approved!r} (expected YYYY-MM)")
        area = get("area_ha", "")
        try:
            area_ha = float(area) if area else None
        except ValueError:
            area_ha = None
        if area and (area_ha is None or area_ha < 0):
            raise GazetteerError(f"{where}: bad area_ha {area!r} (expected hectares, a number)")
        industries = tuple(i for i in re.split(r"[、|]", get("industries", "")) if i) if "industries" in row else None
        alias_list = tuple(a for a in _split_aliases(get("aliases", "")) if a != name)
        for surface in (name, *alias_list):
            k = _key(surface)
            other = keys.get(k)
            if other and other[0] != name:
                raise GazetteerError(
                    f"{where}: duplicate alias {surface!r}: already used by {other[0]!r} on line {other[1]}"
                )
            keys[k] = (name, lineno)
        names[name] = lineno
        entries.append(
            ZoneEntry(
                name, alias_list, province, city or None, district or None, kind, level or None, where,
                code, approved, area_ha, industries or None, get("supersedes", "") or None,
            )
        )
    return entries


# --------------------------------------------------------------------------- the gazetteer


_AMBIGUOUS = None  # index value of a form that several zones share: it names none of them


class Gazetteer:
    """Merged gazetteer: entries by name, an exact lookup index and a text scanner.

    ``index`` maps lookup keys to a :class:`ZoneEntry`, or to None for a form that several zones share.
    Names and aliases given in the files win over forms generated by rule; among equals, a form shared by
    two zones names neither.  ``collisions`` lists what the extension files changed in the shipped data.
    """

    def __init__(self, entries: list[ZoneEntry], divisions: Divisions, shipped: int | None = None):
        """``entries[:shipped]`` are the shipped data, the rest come from extension files, in order."""
        self.divisions = divisions
        self.entries: dict[str, ZoneEntry] = {}
        self.collisions: list[str] = []
        shipped = len(entries) if shipped is None else shipped
        self._shipped: set[str] = set()  # names whose current entry is the shipped one
        for i, e in enumerate(entries):  # later files override earlier ones by name
            old = self.entries.pop(e.name, None)
            if i < shipped:
                self._shipped.add(e.name)
            elif old is not None and e.name in self._shipped:
                self._shipped.discard(e.name)
                self.collisions.append(f"{e.source}: replaces the shipped zone {_describe(old)}")
            self.entries[e.name] = e
        self._forms: dict[str, tuple[list[str], list[str]]] = {}
        self.index: dict[str, ZoneEntry | None] = {}
        self._build()
        self._memo: dict[str, ZoneEntry | None] = {}
        self._place_memo: dict[str, dict[str, str | None]] = {}
        self._scanner: _Scanner | None = None  # built on the first text scan

    # -- index construction
    def rule_forms(self, e: ZoneEntry) -> list[str]:
        """Forms of ``e`` generated by rule from its name and aliases (display strings, not keys)."""
        primary, secondary = self._rule_forms(e)
        return list(dict.fromkeys(primary + secondary))

    def _rule_forms(self, e: ZoneEntry) -> tuple[list[str], list[str]]:
        cached = self._forms.get(e.name)
        if cached is not None:
            return cached
        primary: list[str] = []
        secondary: list[str] = []
        for surface in (e.name, *e.aliases):
            for base in self._cut_forms(surface):
                for form in self._prefix_forms(base, e):
                    stem, suffix = _split_suffix(form)
                    if suffix:
                        first, second = _SUFFIX_FORMS[suffix]
                        primary.extend(stem + x for x in first)
                        secondary.extend(stem + x for x in second)
                    else:
                        primary.append(form)
        self._forms[e.name] = (primary, secondary)
        return primary, secondary

    @staticmethod
    def _cut_forms(surface: str) -> list[str]:
        forms = [surface]
        no_paren = re.sub(r"[(（][^()（）]*[)）]", "", surface)
        if no_paren and no_paren != surface:
            forms.append(no_paren)
        for f in list(forms):
            for word in _CUT_AFTER:
                i = f.find(word)
                if 0 < i and i + len(word) < len(f):
                    forms.append(f[: i + len(word)])
        for f in list(forms):
            if "—" in f or "-" in f or "·" in f:
                forms.append(re.sub(r"[—\-·]", "", f))
        return forms

    def _prefix_forms(self, surface: str, e: ZoneEntry) -> list[str]:
        """``surface``; the same without its own province name, then without its own city name, as long as what
        is left still names the zone on its own; and the same with 省/市 written after those names."""
        div = self.divisions
        forms = [surface]
        rest = surface
        prov = div.provinces.get(e.province)
        municipality = e.province in _MUNICIPALITIES
        for f in sorted(prov.forms if prov else (), key=len, reverse=True):
            if rest.startswith(f):
                rest = rest[len(f):]
                rest = rest[1:] if rest[:1] in ("省", "市") and f[-1] not in "省市" else rest
                unit = "市" if municipality else ("省" if e.province.endswith("省") else "")
                if unit and f[-1] not in "省市区" and rest:
                    forms.append(f + unit + rest)
                if self._stands_alone(rest, e):
                    forms.append(rest)
                break
        if e.city and not municipality:
            for f in sorted(div.city_forms_of(e.city), key=len, reverse=True):
                if rest.startswith(f):
                    rest2 = rest[len(f):]
                    rest2 = rest2[1:] if rest2.startswith("市") and not f.endswith("市") else rest2
                    if not f.endswith(("市", "州", "盟", "地区")) and rest2:
                        forms.append(f + "市" + rest2)
                    if self._stands_alone(rest2, e):
                        forms.append(rest2)
                    break
        return forms

    def _stands_alone(self, rest: str, e: ZoneEntry) -> bool:
        """What is left after a prefix names the zone on its own: a stem that is not generic and that does not
        start with the name of another place or of a county shared by several (白云 is in 广州 and 贵阳)."""
        stem, _suffix = _split_suffix(rest)
        if len(stem) < 2 or not ("\u4e00" <= stem[0] <= "\u9fff") or stem[0] in "省市县区镇乡" or _is_generic(stem):
            return False
        div = self.divisions
        own = set(div.city_forms_of(e.city))
        counts = div.county_form_counts
        for n in range(min(div.max_len, len(stem)), 1, -1):
            head = stem[:n]
            if head in own:
                return True
            if head in div.province_forms or head in div.city_forms or counts.get(head, 0) > 1:
                return False
            if counts.get(head, 0) == 1:
                break
        return True

    def _build(self) -> None:
        """Index every name, alias and rule form by key. Ranks: names and aliases from the files, then primary
        rule forms, then secondary ones; a key that two zones share at the best rank it has names neither,
        except that an extension file's name or alias takes a shipped zone's name over (reported)."""
        explicit: dict[str, ZoneEntry | None] = {}
        for e in self.entries.values():
            mine = e.name not in self._shipped
            for s in (e.name, *e.aliases):
                k = _key(s)
                if not k or explicit.get(k, e) is e:
                    explicit.setdefault(k, e)
                    continue
                prior = explicit[k]
                if mine and (prior is None or prior.name in self._shipped):
                    if prior is not None:
                        self.collisions.append(
                            f"{e.source}: {s!r} is also a name of the shipped zone {_describe(prior)}; it now names {e.name}"
                        )
                    explicit[k] = e
                elif mine or prior is None or prior.name not in self._shipped:
                    explicit[k] = e  # between extension files: the later file wins
                else:
                    explicit[k] = _AMBIGUOUS
        index: dict[str, ZoneEntry | None] = {}
        taken: dict[str, ZoneEntry] = {}  # key of a shipped zone's rule form -> that zone, where an extension names it
        for rank in (1, 0):  # secondary first, so that primary forms overwrite them
            ranked: dict[str, ZoneEntry | None] = {}
            for e in self.entries.values():
                for s in self._rule_forms(e)[rank]:
                    k = _key(s)
                    if not k:
                        continue
                    if k in explicit:
                        owner = explicit[k]
                        if owner is not None and owner is not e and e.name in self._shipped and owner.name not in self._shipped:
                            taken.setdefault(k, e)
                        continue
                    prior = ranked.get(k, e)
                    ranked[k] = e if prior is e else _AMBIGUOUS
            index.update(ranked)
        for e in self.entries.values():
            if e.name in self._shipped:
                continue
            for s in (e.name, *e.aliases):
                k = _key(s)
                if k in taken and explicit.get(k) is e:
                    self.collisions.append(
                        f"{e.source}: {s!r} is also a form of the shipped zone {_describe(taken.pop(k))}; it now names {e.name}"
                    )
        index.update(explicit)
        self.index = index

    # -- lookups
    def lookup(self, text: str) -> ZoneEntry | None:
        """The entry whose name, alias or rule form is exactly ``text`` (None when none or several)."""
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

    def _resolve(self, s: str) -> ZoneEntry | None:
        for v in _key_variants(s):
            if v in self.index:
                return self.index[v]
            hit = self._strip_own_prefix(v)
            if hit is not None:
                return hit
        return None

    def _strip_own_prefix(self, v: str) -> ZoneEntry | None:
        """``v`` is a zone's form preceded by that zone's own province and/or city (江苏省苏州市 + 昆山开发区)."""
        div = self.divisions
        for n in range(min(div.max_len, len(v) - 2), 1, -1):
            head = v[:n]
            prov = div.province_forms.get(head)
            cities = div.city_forms.get(head, ())
            if prov is None and not cities:
                continue
            rest = v[n:]
            if prov is not None:
                rest_p = rest[1:] if rest.startswith("省") else rest
                hit = self._owned(rest_p, lambda e: e.province == prov.name)
                if hit is not None:
                    return hit
                for m in range(min(div.max_len, len(rest_p) - 2), 1, -1):
                    for c in div.city_forms.get(rest_p[:m], ()):
                        if c.province != prov.name:
                            continue
                        rest_c = rest_p[m:]
                        rest_c = rest_c[1:] if rest_c.startswith("市") else rest_c
                        hit = self._owned(rest_c, lambda e, c=c: e.city == c.name)
                        if hit is not None:
                            return hit
                if prov.name in _MUNICIPALITIES and rest_p.startswith("市"):
                    hit = self._owned(rest_p[1:], lambda e: e.province == prov.name)
                    if hit is not None:
                        return hit
            for c in cities:
                rest_c = rest[1:] if rest.startswith("市") else rest
                hit = self._owned(rest_c, lambda e, c=c: e.city == c.name)
                if hit is not None:
                    return hit
        return None

    def _owned(self, key: str, owns) -> ZoneEntry | None:
        hit = self.index.get(key)
        return hit if hit is not None and owns(hit) else None

    def unknown_place(self, cleaned: str) -> dict[str, str | None]:
        """Province/city/district parsed from an unknown name's prefix (memoized)."""
        try:
            return self._place_memo[cleaned]
        except KeyError:
            pass
        stages = _parse_prefix(self.divisions, _key(cleaned))
        st = stages[-1] if stages else Prefix(0, None, None, None)
        place = {"province": st.province, "city": st.city, "district": st.district, "kind": zone_kind(cleaned)}
        if len(self._place_memo) < 50_000:
            self._place_memo[cleaned] = place
        return place

    # -- text
    def scanner(self) -> _Scanner:
        if self._scanner is None:
            self._scanner = _Scanner(self)
        return self._scanner

    def find(self, text: str) -> tuple[int, int, ZoneEntry] | None:
        return self.scanner().find(text)


def _describe(e: ZoneEntry) -> str:
    return f"{e.name} ({e.code or e.source})"


# --------------------------------------------------------------------------- text scanning


class _Scanner:
    """Finds gazetteer forms in running text. Candidate ends are found by one regex over the last characters that
    forms end with (a handful: 区, 园 ...), kept when the last two characters end some form; from each, a backward
    walk over the set of form tails finds the longest form ending there. Latin names (TEDA, SIP) have their own
    case-insensitive regex with word boundaries."""

    def __init__(self, gaz: Gazetteer):
        forms: dict[str, ZoneEntry | None] = {}
        latin: dict[str, ZoneEntry | None] = {}
        for e in gaz.entries.values():
            for s in dict.fromkeys((e.name, *e.aliases, *gaz.rule_forms(e))):
                owner = gaz.index.get(_key(s), _AMBIGUOUS)
                folded = _scan_fold(s)
                if folded.isascii():
                    table, variants = latin, (folded.lower(),)
                else:
                    table, variants = forms, (folded, _JOINERS.sub("", folded))
                for f in variants:
                    if len(f) < 2:
                        continue
                    table[f] = owner if table.get(f, owner) is owner else _AMBIGUOUS
        self.forms = forms
        self.tails = {f[i:] for f in forms for i in range(len(f) - 1)}
        self.end_pairs = {f[-2:] for f in forms}
        self.max_len = max(map(len, forms), default=2)
        last = sorted({f[-1] for f in forms})
        self.last_chars = re.compile("[" + "".join(map(re.escape, last)) + "]") if last else re.compile(r"(?!x)x")
        self.latin = latin
        words = sorted(latin, key=len, reverse=True)
        self.latin_re = (
            re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, words)) + r")(?![a-z0-9])", re.I) if words else None
        )
        self.divisions = gaz.divisions

    def find(self, text: str) -> tuple[int, int, ZoneEntry] | None:
        """(start, end, entry) of the leftmost (then longest) zone form in ``text``."""
        folded = _scan_fold(text)
        best: tuple[int, int, ZoneEntry] | None = None
        tails, forms, pairs, max_len = self.tails, self.forms, self.end_pairs, self.max_len
        for m in self.last_chars.finditer(folded):
            end = m.end()
            if best is not None and end - max_len > best[0]:
                break
            piece = folded[end - 2 : end]
            if piece not in pairs:
                continue
            start, owner = (end - 2, forms[piece]) if piece in forms else (None, None)
            j = end - 3
            while j >= 0:
                piece = folded[j:end]
                if piece not in tails:
                    break
                if piece in forms:
                    start, owner = j, forms[piece]
                j -= 1
            if start is None or owner is None:
                continue
            if not self._place_before_agrees(folded, start, owner):
                continue
            if best is None or start < best[0] or (start == best[0] and end > best[1]):
                best = (start, end, owner)
        if self.latin_re is not None:
            m = self.latin_re.search(text, 0, best[0] + self.max_len if best else len(text))
            owner = self.latin.get(m.group(0).lower()) if m else None
            if m and owner is not None and (best is None or m.start() < best[0]):
                best = (m.start(), m.end(), owner)
        if best is None:
            return None
        start, end, owner = best
        return self._with_own_prefix(folded, start, owner), end, owner

    def _place_before_agrees(self, folded: str, start: int, e: ZoneEntry) -> bool:
        """False when the text right before a mention names another place (江宁 + 滨江高新区 is not 杭州's)."""
        div = self.divisions
        for n in range(min(div.max_len + 1, start), 1, -1):
            piece = folded[start - n : start]
            piece = piece[:-1] if piece[-1] in "省市区县" and len(piece) > 2 else piece
            places = div.any_forms.get(piece)
            if places:
                return any(_agrees(d, e) for d in places)
        return True

    def _with_own_prefix(self, folded: str, start: int, e: ZoneEntry) -> int:
        """Move ``start`` back over the zone's own city and province names (记者从江苏南京 + 六合经济开发区)."""
        div = self.divisions
        for forms in (div.city_forms_of(e.city), div.provinces[e.province].forms if e.province in div.provinces else ()):
            for f in sorted(forms, key=len, reverse=True):
                for g in (f + "市", f + "省", f):
                    if start >= len(g) and folded[start - len(g) : start] == g:
                        start -= len(g)
                        break
                else:
                    continue
                break
        return start


def _agrees(d: Division, e: ZoneEntry) -> bool:
    if d.type == "province":
        return d.name == e.province
    if d.type == "city":
        return d.name == e.city or (e.city is None and d.province == e.province)
    return d.province == e.province and (e.city is None or d.city == e.city)


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
    shipped = len(entries)
    for path in extra:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise GazetteerError(f"{path}: gazetteer file not found") from None
        except UnicodeDecodeError as exc:
            raise GazetteerError(f"{path}: not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
        entries.extend(_parse_zones(text, str(p), _divisions()))
    gaz = Gazetteer(entries, _divisions(), shipped=shipped)
    for line in gaz.collisions:
        log.warning("gazetteer: %s", line)
    return gaz


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
    (a ``ValueError``) naming file and line for malformed files.  What the extra files change
    in the shipped data (a replaced zone, a shipped name taken over) is logged as a warning
    and listed in ``Gazetteer.collisions``.
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
    stages = _parse_prefix(_divisions(), _key(name))
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

    A name that is exactly one zone's name, alias or rule form (see the module docstring)
    gets that zone's canonical name, place, kind, level, code, approval month, area and
    industries.  Any other name keeps ``name`` = the text seen, gets ``level`` None, a kind
    from its longest known suffix and the province/city/district parsed from its prefix.
    """
    if raw is None:
        return None
    shown = str(raw).strip(" \t\r\n\u3000\u00a0")
    cleaned = _clean(shown)
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
        "code": None,
        "approved": None,
        "area_ha": None,
        "industries": None,
        "inferred": bool(inferred),
    }


def find_zone_in_text(text: str | None, *, extra_gazetteer: str | Path | None = None) -> dict[str, Any] | None:
    """First gazetteer zone (name, alias or rule form) mentioned in ``text``.

    Leftmost mention wins; at one position the longest one.  A form that several zones share,
    or one that follows the name of a different place (江宁滨江...), names no zone.  Returns the
    zone object with ``inferred=True`` and ``raw`` = the matched text (with the zone's own city
    and province names when the text puts them in front), or None.
    """
    if not text:
        return None
    found = load_gazetteer(extra_gazetteer).find(text)
    if found is None:
        return None
    start, end, entry = found
    return entry.as_zone(text[start:end], True)
