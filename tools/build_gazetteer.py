#!/usr/bin/env python3
"""Build the shipped zone gazetteer (``zonecrawler/normalize/data/zones.tsv``) and the administrative
divisions (``.../data/divisions.tsv``) from the national catalogue and the hand-kept tables.

Run by hand from the repository root after changing any input; the output is committed (nothing runs at
install time)::

    python3 tools/build_gazetteer.py --zones-data ../shared/zones-data       # write both files
    python3 tools/build_gazetteer.py --zones-data ../shared/zones-data --check   # fail if they are stale

Inputs (what each column of the output comes from is described in ``zonecrawler/normalize/data/README.md``):

* ``<zones-data>/catalogue2018.tsv`` — the 2,543 zones of 《中国开发区审核公告目录》(2018年版): code, name,
  province, place, level, type, approval date, area, industries.
* ``<zones-data>/nbs2023_zone_units.tsv`` — zones that are NBS county-level statistical units with their city:
  every derived city is checked against it (a disagreement stops the build).
* ``<zones-data>/etdz_current_232.tsv`` — a current list of national ETDZs: every post-2018 ETDZ in
  ``tools/gazetteer/post2018.tsv`` must appear in it (weak provenance, so it is only a cross-check).
* ``tools/gazetteer/*.tsv`` — hand-kept tables: prefectures, counties (+ changes since), place overrides,
  name corrections and renamings, nicknames, post-2018 national zones, state-level new areas.

The script only uses the standard library.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HAND = ROOT / "tools" / "gazetteer"
DATA = ROOT / "zonecrawler" / "normalize" / "data"

MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
ZONE_COLUMNS = (
    "code", "name", "aliases", "province", "city", "district", "kind", "level",
    "approved", "area_ha", "industries", "supersedes",
)
DIVISION_COLUMNS = ("name", "aliases", "type", "province", "city")

# County-level names: strip the ethnic-autonomy part and the unit word to get the short form (青龙满族自治县 -> 青龙).
_NATIONALITIES = (
    "蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|拉祜|水|东乡|纳西|"
    "景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|俄罗斯|鄂温克|"
    "德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺|各"
)
_AUTONOMY = re.compile(rf"(?:(?:{_NATIONALITIES})族?)+自治(?:县|旗)$")
_UNIT = re.compile(r"(?:新区|林区|特区|矿区|区|县|市|旗)$")
# Short forms that are ordinary words; they never stand alone for their county (but the full name does).
WORDLIKE_COUNTY_FORMS = frozenset(
    "东方 大方 平和 永和 武功 乐业 龙门 和平 新华 长安 城关 光明 龙华 安宁 宁安 太和 开化 永定 高明 东区 西区"
    " 新城 城中 城东 城西 城北 城南 河东 河西 河北 河南 江北 江南 市中 郊区 南山 北山 青山 白云 红旗 向阳 前进"
    " 东风 和顺 吉利 友好 新兴 兴安 兴山 东山 西山 中山 朝阳 宝山 普陀 鼓楼 通州 铁西 铁东 桥东 桥西".split()
)


def county_short_forms(name: str) -> list[str]:
    """Short forms of a county-level name (``六合区`` -> ``六合``; ``青龙满族自治县`` -> ``青龙``)."""
    stem = _AUTONOMY.sub("", name)
    if stem == name:
        stem = _UNIT.sub("", name)
    return [stem] if len(stem) >= 2 and stem != name else []


# ----------------------------------------------------------------------------------------------- reading


def read_tsv(path: Path) -> list[dict[str, str]]:
    """Rows of a TAB-separated file with a header; ``#`` lines and blank lines are skipped."""
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    header = lines[0].split("\t")
    rows = []
    for n, line in enumerate(lines[1:], 2):
        fields = line.split("\t")
        if len(fields) != len(header):
            raise SystemExit(f"{path}: row {n} has {len(fields)} fields, expected {len(header)}: {line!r}")
        rows.append(dict(zip(header, (f.strip() for f in fields))))
    return rows


# ----------------------------------------------------------------------------------------------- divisions


@dataclass
class Unit:
    name: str
    type: str  # province | city | county | district
    province: str
    city: str
    aliases: list[str] = field(default_factory=list)


def build_divisions() -> list[Unit]:
    units: list[Unit] = []
    for r in read_tsv(HAND / "prefectures.tsv"):
        units.append(Unit(r["name"], r["type"], r["province"], r["city"], [a for a in r["aliases"].split("|") if a]))
    cities = {u.name: u for u in units if u.type == "city"}
    provinces = {u.name for u in units if u.type == "province"}
    counties: dict[tuple[str, str], Unit] = {}
    for r in read_tsv(HAND / "counties.tsv"):
        city = r["city"]
        counties[(r["name"], city)] = Unit(r["name"], _county_type(r["name"]), r["province"], city)
    for r in read_tsv(HAND / "county_changes.tsv"):
        old = counties.pop((r["name"], r["city"]), None) if r["name"] else None
        new_city = r["new_city"]
        province = cities[new_city].province if new_city in cities else new_city
        key = (r["new_name"], new_city)
        unit = counties.get(key) or Unit(r["new_name"], _county_type(r["new_name"]), province, new_city)
        if old is not None and old.name != unit.name:
            unit.aliases += [old.name, *county_short_forms(old.name), *old.aliases]
        counties[key] = unit
    for (name, city), u in counties.items():
        if city not in cities and city not in MUNICIPALITIES:
            raise SystemExit(f"county {name}: unknown city {city!r} (add it to prefectures.tsv or county_changes.tsv)")
        if u.province not in provinces:
            raise SystemExit(f"county {name}: unknown province {u.province!r}")
        u.aliases = list(dict.fromkeys([*county_short_forms(name), *u.aliases]))
        if u.type == "county" and WORDLIKE_COUNTY_FORMS & set(u.aliases):
            u.type = "district"  # recognised only after its city or province, like a district
    return units + sorted(counties.values(), key=lambda u: (u.province, u.city, u.name))


def _county_type(name: str) -> str:
    return "district" if name.endswith("区") else "county"


def tsv_text(comments: list[str], columns: tuple[str, ...], rows) -> str:
    """A generated TSV file: ``#`` comment lines, the header, one line per row (a tuple of strings)."""
    return "\n".join([*(f"# {c}" for c in comments), "\t".join(columns), *("\t".join(r) for r in rows)]) + "\n"


def write_divisions(units: list[Unit]) -> str:
    return tsv_text(
        ["Chinese administrative divisions used to parse zone-name prefixes. GENERATED by tools/build_gazetteer.py",
         "from tools/gazetteer/prefectures.tsv, counties.tsv and county_changes.tsv: edit those, then rebuild."],
        DIVISION_COLUMNS,
        ((u.name, "|".join(u.aliases), u.type, u.province, u.city) for u in units),
    )


class Places:
    """Province / city / county forms for parsing zone names and place stems."""

    def __init__(self, units: list[Unit]):
        self.province_forms: dict[str, str] = {}
        self.city_forms: dict[str, list[Unit]] = defaultdict(list)
        self.county_forms: dict[str, list[Unit]] = defaultdict(list)
        self.cities: dict[str, Unit] = {}
        for u in units:
            forms = [u.name, *u.aliases]
            if u.type == "province":
                for f in forms:
                    if len(f) >= 2:
                        self.province_forms[f] = u.name
            elif u.type == "city":
                self.cities[u.name] = u
                for f in forms:
                    if len(f) >= 2:
                        self.city_forms[f].append(u)
            else:
                for f in forms:
                    if len(f) >= 2:
                        self.county_forms[f].append(u)
        for p in MUNICIPALITIES:
            self.cities[p] = Unit(p, "city", p, p)
        self.max_len = max(map(len, [*self.province_forms, *self.city_forms, *self.county_forms]))

    def _longest(self, s: str, table: dict, accept) -> tuple[int, object]:
        for n in range(min(self.max_len, len(s)), 1, -1):
            hits = [u for u in table.get(s[:n], ()) if accept(u)] if table is not self.province_forms else (
                [table[s[:n]]] if s[:n] in table and accept(table[s[:n]]) else [])
            if len(hits) == 1:
                return n, hits[0]
            if len(hits) > 1:
                return n, None  # ambiguous at this length: do not guess
        return 0, None

    def parse(self, text: str, province: str) -> tuple[str | None, str | None, int]:
        """(city, district, characters consumed) of the place names that start ``text`` (within ``province``)."""
        pos = 0
        n, _ = self._longest(text, self.province_forms, lambda p: p == province)
        if n:
            pos = n
            while pos < len(text) and text[pos] == "省":
                pos += 1
        city = province if province in MUNICIPALITIES else None
        district = None
        if city is None:
            n, u = self._longest(text[pos:], self.city_forms, lambda c: c.province == province)
            nk, k = self._longest(text[pos:], self.county_forms, lambda c: c.province == province)
            if k is not None and nk > n:  # 安阳县 (a county) before 安阳 (its city)
                return k.city, k.name, pos + nk
            if u is not None:
                city, pos = u.name, pos + n
                if pos < len(text) and text[pos] == "市":
                    pos += 1
        n, u = self._longest(
            text[pos:], self.county_forms,
            lambda c: c.province == province and (city is None or c.city == city),
        )
        if u is not None:
            district, pos = u.name, pos + n
            city = city or u.city
        return city, district, pos

    def find_inside(self, text: str, province: str) -> tuple[str | None, str | None]:
        """A city or county of ``province`` named anywhere in ``text`` (one unambiguous hit), for stems such as
        ``中国—马来西亚钦州``."""
        found: set[tuple[str, str | None]] = set()
        for i in range(len(text)):
            for n in range(min(self.max_len, len(text) - i), 1, -1):
                frag = text[i : i + n]
                cs = [c for c in self.city_forms.get(frag, ()) if c.province == province]
                ks = [k for k in self.county_forms.get(frag, ()) if k.province == province]
                if len(cs) == 1 and not ks:
                    found.add((cs[0].name, None))
                    break
                if len(ks) == 1 and not cs:
                    found.add((ks[0].city, ks[0].name))
                    break
        cities = {c for c, _ in found}
        if len(cities) != 1:
            return None, None
        districts = {d for _, d in found if d}
        return cities.pop(), (districts.pop() if len(districts) == 1 else None)


# ----------------------------------------------------------------------------------------------- kinds

CUSTOMS_KINDS = (
    ("综合保税区", "综合保税区"), ("保税港区", "保税港区"), ("保税物流园区", "保税物流园区"), ("物流园区", "保税物流园区"),
    ("出口加工区", "出口加工区"), ("保税区", "保税区"), ("跨境工业区", "跨境工业区"), ("边境合作中心", "跨境经济合作区"),
)
OTHER_KINDS = (
    ("旅游度假区", "旅游度假区"), ("台商投资", "台商投资区"), ("投资区", "投资区"), ("互市贸易区", "互市贸易区"),
    ("金融贸易区", "金融贸易区"), ("科技工业园", "科技工业园"), ("产业园", "产业园区"), ("经济开发区", "经济开发区"),
)
TYPE_KINDS = {
    "经济技术开发区": "经济技术开发区", "高新技术产业开发区": "高新技术产业开发区",
    "经济开发区": "经济开发区", "工业园区": "工业园区",
}


def kind_of(name: str, typ: str) -> str:
    if typ in TYPE_KINDS:
        return TYPE_KINDS[typ]
    if typ == "海关特殊监管区域":
        for word, k in CUSTOMS_KINDS:
            if word in name:
                return k
    if typ == "边境/跨境经济合作区":
        return "边境经济合作区" if "边境经济合作区" in name else "跨境经济合作区"
    if "互市贸易区" in name or "边境合作中心" in name:
        return "互市贸易区" if "互市贸易区" in name else "跨境经济合作区"
    for word, k in OTHER_KINDS:
        if word in name:
            return k
    raise SystemExit(f"no kind for {name} ({typ})")


def approved_month(value: str) -> str:
    first = value.split("/")[0].strip()
    m = re.fullmatch(r"(\d{4})\.(\d{2})", first)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise SystemExit(f"unreadable approval date {value!r}")
    return f"{m.group(1)}-{m.group(2)}"


# ----------------------------------------------------------------------------------------------- zones


@dataclass
class Zone:
    code: str
    name: str
    province: str
    city: str | None
    district: str | None
    kind: str
    level: str
    approved: str
    area_ha: str
    industries: list[str]
    aliases: list[str] = field(default_factory=list)
    supersedes: str = ""


def catalogue_zones(zones_data: Path, places: Places) -> tuple[list[Zone], list[str]]:
    overrides = {r["code"]: r for r in read_tsv(HAND / "places.tsv")}
    unknown_ok = {c for c, r in overrides.items() if not r["city"]}  # listed on purpose with no city
    problems: list[str] = []
    zones = []
    for r in read_tsv(zones_data / "catalogue2018.tsv"):
        code, name, province = r["code"], r["name"], r["province"]
        city, district = derive_place(name, r["place"], province, places)
        if code in overrides:
            o = overrides.pop(code)
            city, district = o["city"] or None, o["district"] or None
        if city is None and code not in unknown_ok:
            problems.append(f"{code} {name}: no city (place {r['place']!r}); add it to tools/gazetteer/places.tsv")
        zones.append(Zone(
            code=code, name=name, province=province, city=city, district=district,
            kind=kind_of(name, r["type"]), level="national" if r["level"] == "国务院" else "provincial",
            approved=approved_month(r["approved"]), area_ha=_area(r["area_ha"]),
            industries=[i for i in r["industries"].split("、") if i],
        ))
    problems += [f"places.tsv: code {c} is not in the catalogue" for c in overrides]
    return zones, problems


def _area(value: str) -> str:
    if not value:
        return ""
    number = float(value)
    return f"{number:g}"


def derive_place(name: str, place: str, province: str, places: Places) -> tuple[str | None, str | None]:
    """City and district of a catalogue zone from its name, else from its place stem, else from a place named
    inside either (``中国—马来西亚钦州产业园区``)."""
    for text in (name, place.lstrip("省")):
        city, district, used = places.parse(text, province)
        if city is not None and used:
            return city, district
    for text in (name, place):
        city, district = places.find_inside(text, province)
        if city is not None:
            return city, district
    if province in MUNICIPALITIES:
        return province, None
    return None, None


def apply_names(zones: list[Zone]) -> list[str]:
    """Canonical-name corrections and renamings since 2018 (tools/gazetteer/names.tsv); the catalogue name stays an
    alias."""
    by_code = {z.code: z for z in zones}
    problems = []
    for r in read_tsv(HAND / "names.tsv"):
        z = by_code.get(r["code"])
        if z is None:
            problems.append(f"names.tsv: unknown code {r['code']}")
            continue
        z.aliases.insert(0, z.name)
        z.name = r["name"]
        if r["kind"]:
            z.kind = r["kind"]
    return problems


# Kind -> the full suffix a nickname stem is given (the runtime's rules add the short forms: 亦庄 -> 亦庄经济技术开发区
# -> 亦庄经开区, 亦庄开发区).
STEM_SUFFIX = {"经济技术开发区": "经济技术开发区", "高新技术产业开发区": "高新技术产业开发区", "经济开发区": "经济开发区",
               "综合保税区": "综合保税区"}


def apply_nicknames(zones: list[Zone]) -> list[str]:
    by_key = {z.code: z for z in zones if z.code} | {z.name: z for z in zones}
    problems = []
    for r in read_tsv(HAND / "nicknames.tsv"):
        z = by_key.get(r["zone"])
        if z is None:
            problems.append(f"nicknames.tsv: unknown zone {r['zone']!r}")
            continue
        stems = [st for st in r["stems"].split("|") if st]
        full = STEM_SUFFIX.get(z.kind)
        if stems and full is None:
            problems.append(f"nicknames.tsv: {r['zone']}: stems need a zone kind with a usual suffix, not {z.kind}")
            continue
        for alias in [*r["aliases"].split("|"), *(st + full for st in stems)]:
            if alias and alias not in z.aliases and alias != z.name:
                z.aliases.append(alias)
    return problems


def post2018_zones(zones: list[Zone], zones_data: Path, places: Places) -> tuple[list[Zone], list[str]]:
    """National zones created or upgraded after the catalogue (tools/gazetteer/post2018.tsv). An upgraded
    catalogue zone is replaced: the new entry lists its catalogue code in ``supersedes`` and its catalogue name
    among the aliases."""
    etdz_list = {r["name"] for r in read_tsv(zones_data / "etdz_current_232.tsv")}
    by_code = {z.code: z for z in zones}
    problems = []
    added = []
    for r in read_tsv(HAND / "post2018.tsv"):
        old = by_code.get(r["supersedes"]) if r["supersedes"] else None
        if r["supersedes"] and old is None:
            problems.append(f"post2018.tsv: {r['name']}: unknown catalogue code {r['supersedes']}")
            continue
        if r["kind"] == "经济技术开发区" and r["name"] not in etdz_list and r["listed_as"] not in etdz_list:
            problems.append(f"post2018.tsv: {r['name']} is not in etdz_current_232.tsv")
        z = Zone(
            code="", name=r["name"], province=r["province"], city=r["city"] or None, district=r["district"] or None,
            kind=r["kind"], level="national", approved=r["approved"], area_ha=r["area_ha"],
            industries=old.industries if old else [],
            aliases=[a for a in (r["listed_as"],) if a and a != r["name"]],
            supersedes=r["supersedes"],
        )
        if old is not None:
            z.aliases += [old.name, *old.aliases]
            z.city = z.city or old.city
            z.district = z.district or old.district
            zones.remove(old)
        added.append(z)
    return added, problems


def new_areas() -> list[Zone]:
    return [
        Zone(code="", name=r["name"], province=r["province"], city=r["city"] or None, district=r["district"] or None,
             kind="新区", level="national", approved=r["approved"], area_ha="", industries=[],
             aliases=[a for a in r["aliases"].split("|") if a])
        for r in read_tsv(HAND / "new_areas.tsv")
    ]


def check_against_nbs(zones: list[Zone], zones_data: Path, places: Places) -> list[str]:
    """Every zone that the NBS lists as a statistical unit must have the NBS's city. Names are compared without
    a leading province name and without 市 after the city (NBS: 秦皇岛市经济技术开发区, catalogue: 秦皇岛经济技术开发区)."""

    def loose(name: str, province: str) -> str:
        for form in sorted((f for f, p in places.province_forms.items() if p == province), key=len, reverse=True):
            if name.startswith(form):
                name = name[len(form):].lstrip("省")
                break
        for form, units in places.city_forms.items():
            if name.startswith(form + "市") and any(u.province == province for u in units):
                return form + name[len(form) + 1:]
        return name

    problems = []
    by_name: dict[tuple[str, str], list[Zone]] = defaultdict(list)
    for z in zones:
        for n in (z.name, *z.aliases):
            by_name[(z.province, loose(n, z.province))].append(z)
    checked = 0
    for r in read_tsv(zones_data / "nbs2023_zone_units.tsv"):
        for z in {id(z): z for z in by_name.get((r["province"], loose(r["name"], r["province"])), [])}.values():
            checked += 1
            if z.province != r["province"] or z.city != r["city"]:
                problems.append(f"{z.code} {z.name}: city {z.city} but NBS 2023 says {r['city']} ({r['code']})")
    print(f"checked {checked} zones against nbs2023_zone_units.tsv", file=sys.stderr)
    return problems


def write_zones(zones: list[Zone]) -> str:
    return tsv_text(
        ["zonecrawler development-zone gazetteer. GENERATED by tools/build_gazetteer.py from the 2018 national",
         "catalogue and tools/gazetteer/*.tsv: edit those, then rebuild. Columns: see README.md in this folder."],
        ZONE_COLUMNS,
        (
            (z.code, z.name, "|".join(a for a in dict.fromkeys(z.aliases) if a != z.name), z.province, z.city or "",
             z.district or "", z.kind, z.level, z.approved, z.area_ha, "、".join(z.industries), z.supersedes)
            for z in zones
        ),
    )


def build(zones_data: Path) -> tuple[str, str, list[str], Counter]:
    units = build_divisions()
    places = Places(units)
    zones, problems = catalogue_zones(zones_data, places)
    problems += apply_names(zones)
    added, more = post2018_zones(zones, zones_data, places)
    problems += more
    zones += added + new_areas()
    problems += apply_nicknames(zones)
    problems += check_against_nbs(zones, zones_data, places)
    names = Counter(z.name for z in zones)
    problems += [f"duplicate canonical name {n}" for n, c in names.items() if c > 1]
    stats = Counter((z.level, z.kind) for z in zones)
    return write_divisions(units), write_zones(zones), problems, stats


def test_data(zones_data: Path) -> dict[Path, str]:
    """Copies for the test suite, which must not depend on a folder outside the repository: every catalogue
    zone's code, name and province (tests/data/catalogue2018.tsv) and the abbreviation cases as given."""
    names = tsv_text(
        ["code, name and province of every zone in catalogue2018.tsv (copied by tools/build_gazetteer.py)"],
        ("code", "name", "province"),
        ((r["code"], r["name"], r["province"]) for r in read_tsv(zones_data / "catalogue2018.tsv")),
    )
    tests = ROOT / "tests" / "data"
    return {
        tests / "catalogue2018.tsv": names,
        tests / "abbrev_cases.tsv": (zones_data / "abbrev_cases.tsv").read_text(encoding="utf-8"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--zones-data", type=Path, default=ROOT.parent / "shared" / "zones-data",
                        help="folder with catalogue2018.tsv, nbs2023_zone_units.tsv, etdz_current_232.tsv")
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if the committed files differ")
    args = parser.parse_args(argv)
    divisions, zones, problems, stats = build(args.zones_data)
    for p in problems:
        print("problem:", p, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problems: nothing written", file=sys.stderr)
        return 1
    targets = {DATA / "divisions.tsv": divisions, DATA / "zones.tsv": zones, **test_data(args.zones_data)}
    if args.check:
        stale = [str(p) for p, text in targets.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
        for p in stale:
            print(f"stale: {p} (run tools/build_gazetteer.py)", file=sys.stderr)
        return 1 if stale else 0
    for path, text in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    total = sum(stats.values())
    print(f"wrote {total} zones:", file=sys.stderr)
    for (level, kind), n in sorted(stats.items()):
        print(f"  {level:10} {kind:12} {n}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
