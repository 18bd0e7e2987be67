"""Development-zone normalizer and gazetteer (zonecrawler.normalize.zones).

The catalogue round trip, the abbreviation cases and the negative table read copies in tests/data/ (written by
tools/build_gazetteer.py from ../shared/zones-data, and by hand for the negatives).
"""

from __future__ import annotations

import csv
import logging
from collections import Counter
from pathlib import Path

import pytest

from zonecrawler.normalize import zones as Z
from zonecrawler.normalize.zones import (
    KINDS,
    LEVELS,
    GazetteerError,
    find_zone_in_text,
    load_gazetteer,
    normalize_zone,
)

HT = "高新技术产业开发区"
ETDZ = "经济技术开发区"
DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _no_env_gazetteer(monkeypatch):
    monkeypatch.delenv(Z.ENV_VAR, raising=False)


def _tsv(name):
    """Rows of a TSV in tests/data: ``#`` lines without a TAB are comments; the header may start with ``# ``."""
    lines = [ln for ln in (DATA / name).read_text(encoding="utf-8").splitlines()
             if ln.strip() and not (ln.startswith("#") and "\t" not in ln)]
    header = lines[0].lstrip("# ").split("\t")
    return [dict(zip(header, ln.split("\t"))) for ln in lines[1:]]


# --------------------------------------------------------------------------- spec.md fixture table

SPEC_TABLE = [
    # raw, name, province, city, district, kind, level, code
    ("江苏南京六合经济开发区", "南京六合经济开发区", "江苏省", "南京市", "六合区", "经济开发区", "provincial", "S327005"),
    ("南京经济技术开发区", "南京经济技术开发区", "江苏省", "南京市", "栖霞区", ETDZ, "national", "G321014"),
    ("南京高新区", "南京高新技术产业开发区", "江苏省", "南京市", None, HT, "national", "G322015"),
    ("江宁开发区", "江宁经济技术开发区", "江苏省", "南京市", "江宁区", ETDZ, "national", "G321085"),
    ("苏州工业园区", "苏州工业园区", "江苏省", "苏州市", None, ETDZ, "national", "G321090"),
    ("昆山经济技术开发区", "昆山经济技术开发区", "江苏省", "苏州市", "昆山市", ETDZ, "national", "G321015"),
    ("合肥高新区", "合肥高新技术产业开发区", "安徽省", "合肥市", None, HT, "national", "G342020"),
    ("天津经开区", "天津经济技术开发区", "天津市", "天津市", "滨海新区", ETDZ, "national", "G121002"),
    ("广州开发区", "广州经济技术开发区", "广东省", "广州市", "黄埔区", ETDZ, "national", "G441034"),
    ("成都高新区", "成都高新技术产业开发区", "四川省", "成都市", None, HT, "national", "G512045"),
    ("重庆两江新区", "两江新区", "重庆市", "重庆市", None, "新区", "national", None),
    ("昆山综合保税区", "昆山综合保税区", "江苏省", "苏州市", "昆山市", "综合保税区", "national", "G323046"),
    ("江苏溧水经济开发区", "江苏溧水经济开发区", "江苏省", "南京市", "溧水区", "经济开发区", "provincial", "S327010"),
]


def _expected(raw, name, province, city, district, kind, level, code=None, inferred=False):
    return {"raw": raw, "name": name, "province": province, "city": city, "district": district, "kind": kind,
            "level": level, "code": code, "inferred": inferred}


def _core(zone):
    return {k: zone[k] for k in ("raw", "name", "province", "city", "district", "kind", "level", "code", "inferred")}


@pytest.mark.parametrize("row", SPEC_TABLE, ids=[r[0] for r in SPEC_TABLE])
def test_spec_table_exact(row):
    assert _core(normalize_zone(row[0])) == _expected(*row)


@pytest.mark.parametrize("row", SPEC_TABLE, ids=[r[1] for r in SPEC_TABLE])
def test_spec_table_full_official_name(row):
    """The canonical name itself maps to the same object, with raw = the text seen."""
    raw, name, *rest = row
    assert _core(normalize_zone(name)) == _expected(name, name, *rest)


def test_zone_object_carries_the_catalogue_facts():
    z = normalize_zone("江苏南京六合经济开发区")
    assert (z["code"], z["approved"], z["area_ha"], z["industries"]) == ("S327005", "1993-11", 822.45, ["节能环保", "装备制造"])
    z = normalize_zone("天津经开区")
    assert (z["code"], z["approved"], z["area_ha"]) == ("G121002", "1984-12", 3797.04)
    assert z["industries"] == ["汽车", "医药", "装备制造"]
    # a zone upgraded after the catalogue: no catalogue code, the month of the State Council's decision
    z = normalize_zone("广州花都经开区")
    assert (z["name"], z["level"], z["code"], z["approved"]) == ("广州花都经济技术开发区", "national", None, "2024-10")
    assert z["district"] == "花都区"
    # a state-level new area: no catalogue facts beyond the approval month
    z = normalize_zone("雄安新区")
    assert (z["code"], z["approved"], z["area_ha"], z["industries"]) == (None, "2017-04", None, None)


def test_inferred_flag_and_raw_kept():
    z = normalize_zone("  合肥高新技术产业开发区 ", inferred=True)
    assert z["raw"] == "合肥高新技术产业开发区"
    assert z["inferred"] is True
    assert normalize_zone("合肥高新区")["inferred"] is False


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000\n"])
def test_blank_is_none(raw):
    assert normalize_zone(raw) is None


# --------------------------------------------------------------------------- the catalogue, in full


def test_every_catalogue_name_resolves_to_its_own_zone():
    """All 2,543 zones of the 2018 catalogue, by their catalogue name, back to the entry with their code (or to
    the national zone that superseded them after an upgrade)."""
    gaz = load_gazetteer()
    by_code: dict[str, list] = {}
    for e in gaz.entries.values():
        for code in (e.code, e.supersedes):
            if code:
                by_code.setdefault(code, []).append(e)
    rows = _tsv("catalogue2018.tsv")
    assert len(rows) == 2543
    wrong = []
    for r in rows:
        hit = gaz.resolve(r["name"])
        owners = by_code.get(r["code"], [])
        if hit is None or hit not in owners or (len(owners) > 1 and r["name"] not in (hit.name, *hit.aliases)):
            wrong.append((r["code"], r["name"], hit and hit.name))
        elif hit.province != r["province"]:
            wrong.append((r["code"], r["name"], hit.province))
    assert wrong == []


def test_every_rule_form_resolves_to_its_own_zone_or_to_none():
    """Each form generated by rule (经开区/开发区/高新区/综保区..., without the zone's own province/city prefix)
    resolves back to its zone, alone and in running text; a form two zones share at the same rank names neither;
    and a form another zone holds by a better claim (its own name or alias, or a primary abbreviation) is that
    zone's, never a third one's."""
    gaz = load_gazetteer()
    own = shared = taken = 0
    problems = []
    for e in gaz.entries.values():
        for form in gaz.rule_forms(e):
            owner = gaz.index[Z._key(form)]
            hit = normalize_zone(form)
            if owner is e:
                own += 1
                if hit["name"] != e.name or hit["code"] != e.code:
                    problems.append((e.name, form, hit["name"]))
                found = find_zone_in_text(f"据报道，{form}今年引进项目")
                if found is None or found["name"] != e.name:
                    problems.append((e.name, form, "text", found and found["name"]))
            elif owner is None:
                shared += 1
                if hit["level"] is not None or hit["name"] != form:
                    problems.append((e.name, form, "shared form resolved", hit["name"]))
            else:
                taken += 1
                if hit["name"] != owner.name:
                    problems.append((e.name, form, "taken form", hit["name"]))
    assert problems == []
    assert own > 15_000 and shared < 100, (own, shared, taken)


def test_abbreviation_cases_pass_in_full():
    """tests/data/abbrev_cases.tsv: 62 news-style short forms with the expected result (``*`` = not scored),
    including traps (provincial zones that must not become the city's national zone)."""
    failures = []
    rows = _tsv("abbrev_cases.tsv")
    assert len(rows) == 62
    for row in rows:
        surface = row["surface"]
        z = normalize_zone(surface)
        got = (z["name"], z["province"], z["city"], z["kind"], z["level"])
        want = (row["expected_canonical"], row["province"], row["city"], row["kind"], row["level"])
        if any(w != "*" and w != g for w, g in zip(want, got)):
            failures.append((surface, got, want))
    assert failures == []


def test_provincial_names_not_in_the_catalogue_resolve_to_no_zone():
    """62 "<city><district>高新区/开发区" names that are not catalogue zones: no zone at all (in particular never the
    city's national zone), raw kept, province and city parsed from the name; in body text no zone either."""
    catalogue = {r["name"] for r in _tsv("catalogue2018.tsv")}
    rows = _tsv("provincial_negatives.tsv")
    assert len(rows) >= 40
    for row in rows:
        name = row["name"]
        assert name not in catalogue
        z = normalize_zone(name)
        assert (z["name"], z["level"], z["code"]) == (name, None, None), (name, z)
        assert (z["province"], z["city"]) == (row["province"], row["city"]), (name, z)
        assert find_zone_in_text(f"近日，{name}管委会召开招商引资推进会。") is None, name


@pytest.mark.parametrize(
    "surface, never",
    [
        ("江苏省张家港高新技术产业开发区", "苏州高新技术产业开发区"),
        ("广州花都经开区", "广州经济技术开发区"),
        ("丹阳高新区", "镇江高新技术产业开发区"),
        ("成都青白江经开区", "成都经济技术开发区"),
    ],
)
def test_audit_cases_never_become_the_citys_main_zone(surface, never):
    assert normalize_zone(surface)["name"] != never
    assert (find_zone_in_text(f"记者从{surface}获悉") or {}).get("name") != never


def test_ambiguous_and_unknown_names_keep_raw_and_place():
    # 开发区 of 淮安: the national ETDZ and a provincial zone both go by it
    z = normalize_zone("淮安开发区")
    assert (z["name"], z["level"], z["province"], z["city"], z["kind"]) == ("淮安开发区", None, "江苏省", "淮安市", "开发区")
    # but 经开区 is the national one's own abbreviation
    assert normalize_zone("淮安经开区")["name"] == "淮安经济技术开发区"


# --------------------------------------------------------------------------- more real zones

MORE = [
    # raw, name, province, city, kind, level
    ("苏州高新区", "苏州高新技术产业开发区", "江苏省", "苏州市", HT, "national"),
    ("北京经开区", "北京经济技术开发区", "北京市", "北京市", ETDZ, "national"),
    ("北京经济技术开发区（亦庄）", "北京经济技术开发区", "北京市", "北京市", ETDZ, "national"),
    ("亦庄经济技术开发区", "北京经济技术开发区", "北京市", "北京市", ETDZ, "national"),
    ("上海张江高新区", "上海张江高新技术产业开发区", "上海市", "上海市", HT, "national"),
    ("张江高新区", "上海张江高新技术产业开发区", "上海市", "上海市", HT, "national"),
    ("张江高新区黄浦园", "张江高新区黄浦园", "上海市", "上海市", HT, "provincial"),
    ("武汉东湖高新区", "武汉东湖新技术开发区", "湖北省", "武汉市", HT, "national"),
    ("东湖新技术开发区", "武汉东湖新技术开发区", "湖北省", "武汉市", HT, "national"),
    ("光谷", "武汉东湖新技术开发区", "湖北省", "武汉市", HT, "national"),
    ("中关村", "中关村科技园区", "北京市", "北京市", HT, "national"),
    ("西安高新区", "西安高新技术产业开发区", "陕西省", "西安市", HT, "national"),
    ("青岛开发区", "青岛经济技术开发区", "山东省", "青岛市", ETDZ, "national"),
    ("杭州经开区", "杭州经济技术开发区", "浙江省", "杭州市", ETDZ, "national"),
    ("深圳高新区", "深圳高新技术产业开发区", "广东省", "深圳市", HT, "national"),
    ("深圳国家高新区", "深圳高新技术产业开发区", "广东省", "深圳市", HT, "national"),
    ("深圳市高新技术产业园区", "深圳高新技术产业开发区", "广东省", "深圳市", HT, "national"),
    ("大连开发区", "大连经济技术开发区", "辽宁省", "大连市", ETDZ, "national"),
    ("大连高新区", "大连高新技术产业园区", "辽宁省", "大连市", HT, "national"),
    ("浦东新区", "浦东新区", "上海市", "上海市", "新区", "national"),
    ("河北雄安新区", "雄安新区", "河北省", None, "新区", "national"),
    ("南京江北新区", "江北新区", "江苏省", "南京市", "新区", "national"),
    ("泰达", "天津经济技术开发区", "天津市", "天津市", ETDZ, "national"),
    ("TEDA", "天津经济技术开发区", "天津市", "天津市", ETDZ, "national"),
    ("厦门高新区", "厦门火炬高技术产业开发区", "福建省", "厦门市", HT, "national"),
    ("松山湖高新区", "东莞松山湖高新技术产业开发区", "广东省", "东莞市", HT, "national"),
    ("苏州工业园", "苏州工业园区", "江苏省", "苏州市", ETDZ, "national"),
    ("SIP", "苏州工业园区", "江苏省", "苏州市", ETDZ, "national"),
    ("洋浦经济开发区", "海南洋浦经济开发区", "海南省", "儋州市", ETDZ, "national"),
    ("江苏省苏州市昆山开发区", "昆山经济技术开发区", "江苏省", "苏州市", ETDZ, "national"),
    ("江苏省南京市江宁开发区", "江宁经济技术开发区", "江苏省", "南京市", ETDZ, "national"),
    ("浙江杭州高新区", "杭州高新技术产业开发区", "浙江省", "杭州市", HT, "national"),
    ("延吉高新区", "延吉高新技术产业开发区", "吉林省", "延边朝鲜族自治州", HT, "national"),
    ("包头稀土高新区", "包头稀土高新技术产业开发区", "内蒙古自治区", "包头市", HT, "national"),
    ("国家级南京经济技术开发区", "南京经济技术开发区", "江苏省", "南京市", ETDZ, "national"),
    ("南京经济技术开发区管委会", "南京经济技术开发区", "江苏省", "南京市", ETDZ, "national"),
    ("广西—东盟经济技术开发区", "广西—东盟经济技术开发区", "广西壮族自治区", "南宁市", ETDZ, "national"),
    ("广西-东盟经开区", "广西—东盟经济技术开发区", "广西壮族自治区", "南宁市", ETDZ, "national"),
    ("六合开发区", "南京六合经济开发区", "江苏省", "南京市", "经济开发区", "provincial"),
    ("南京市六合经济开发区", "南京六合经济开发区", "江苏省", "南京市", "经济开发区", "provincial"),
    ("昆山花桥经济开发区", "江苏昆山花桥经济开发区", "江苏省", "苏州市", "经济开发区", "provincial"),
    ("天津东疆保税港区", "天津东疆综合保税区", "天津市", "天津市", "综合保税区", "national"),
    ("湽博高新技术产业开发区", "淄博高新技术产业开发区", "山东省", "淄博市", HT, "national"),
    ("成都国际铁路港经开区", "成都国际铁路港经济技术开发区", "四川省", "成都市", ETDZ, "national"),
    ("满洲里边境经济合作区", "满洲里边境经济合作区", "内蒙古自治区", "呼伦贝尔市", "边境经济合作区", "national"),
    ("上海漕河泾出口加工区", "上海漕河泾出口加工区", "上海市", "上海市", "出口加工区", "national"),
    ("南京综保区", "南京综合保税区龙潭片及江宁片", "江苏省", "南京市", "综合保税区", "national"),
    ("三亚亚龙湾国家旅游度假区", "三亚亚龙湾国家旅游度假区", "海南省", "三亚市", "旅游度假区", "national"),
    ("安阳县产业集聚区", "安阳县产业集聚区", "河南省", "安阳市", "工业园区", "provincial"),
    ("蘇州工業園區", "苏州工业园区", "江苏省", "苏州市", ETDZ, "national"),
    ("ＴＥＤＡ", "天津经济技术开发区", "天津市", "天津市", ETDZ, "national"),
]


@pytest.mark.parametrize("row", MORE, ids=[r[0] for r in MORE])
def test_more_real_zones(row):
    raw, name, province, city, kind, level = row
    z = normalize_zone(raw)
    assert (z["raw"], z["name"], z["province"], z["city"], z["kind"], z["level"]) == (raw, name, province, city, kind, level)


# --------------------------------------------------------------------------- unknown zones

UNKNOWN = [
    # raw, province, city, district, kind
    ("江苏某某经济开发区", "江苏省", None, None, "经济开发区"),
    ("浙江省湖州市某某工业园区", "浙江省", "湖州市", None, "工业园区"),
    ("昆山花桥高新区", "江苏省", "苏州市", "昆山市", HT),
    ("江苏溧水某某产业园", "江苏省", "南京市", "溧水区", "产业园区"),
    ("某某产业园", None, None, None, "产业园区"),
    ("广西某某高新区", "广西壮族自治区", None, None, HT),
    ("内蒙古某某新区", "内蒙古自治区", None, None, "新区"),
    ("重庆某某工业园区", "重庆市", "重庆市", None, "工业园区"),
    ("上海金山某某园区", "上海市", "上海市", "金山区", None),
    ("南京某某经开区", "江苏省", "南京市", None, ETDZ),
    ("苏州开发区", "江苏省", "苏州市", None, "开发区"),  # no zone goes by it
    ("某某综保区", None, None, None, "综合保税区"),
    ("某某保税区", None, None, None, "保税区"),
    ("某某出口加工区", None, None, None, "出口加工区"),
    ("安阳县某某园区", "河南省", "安阳市", "安阳县", None),
    ("一段与开发区无关的文字", None, None, None, None),
]


@pytest.mark.parametrize("row", UNKNOWN, ids=[r[0] for r in UNKNOWN])
def test_unknown_zone_parsing(row):
    raw, province, city, district, kind = row
    assert normalize_zone(raw) == {
        "raw": raw, "name": raw, "province": province, "city": city, "district": district, "kind": kind,
        "level": None, "code": None, "approved": None, "area_ha": None, "industries": None, "inferred": False,
    }


def test_zone_kind_longest_suffix():
    assert Z.zone_kind("某某经济技术开发区") == ETDZ
    assert Z.zone_kind("某某经济开发区") == "经济开发区"
    assert Z.zone_kind("某某开发区") == "开发区"
    assert Z.zone_kind("某某综合保税区") == "综合保税区"
    assert Z.zone_kind("某某高新技术产业园区") == HT
    assert Z.zone_kind("某某产业园区") == "产业园区"
    assert Z.zone_kind("某某") is None


# --------------------------------------------------------------------------- text scanning


def test_find_zone_in_text_basic():
    z = find_zone_in_text("近日，合肥高新区与南京高新区签署合作协议。")
    assert _core(z) == _expected("合肥高新区", "合肥高新技术产业开发区", "安徽省", "合肥市", None, HT, "national", "G342020", True)


def test_find_zone_in_text_longest_match_wins():
    z = find_zone_in_text("苏州工业园区综合保税区今年进出口额增长")
    assert z["name"] == "苏州工业园综合保税区"
    assert z["raw"] == "苏州工业园区综合保税区"
    z = find_zone_in_text("记者从江苏南京六合经济开发区获悉")
    assert z["name"] == "南京六合经济开发区"
    assert z["raw"] == "江苏南京六合经济开发区"  # the zone's own province and city come along
    z = find_zone_in_text("苏州相城经开区举行签约仪式")
    assert (z["name"], z["raw"]) == ("相城经济技术开发区", "苏州相城经开区")


def test_find_zone_in_text_aliases_and_none():
    assert find_zone_in_text("天津经开区（泰达）发布新政")["name"] == "天津经济技术开发区"
    assert find_zone_in_text("亦庄新城")["name"] == "北京经济技术开发区"
    assert find_zone_in_text("我市高新区管委会召开会议") is None
    assert find_zone_in_text("淮安开发区召开会议") is None  # two zones go by it
    assert find_zone_in_text("") is None
    assert find_zone_in_text(None) is None


def test_find_zone_in_text_needs_word_boundaries_for_latin_names_and_the_right_place():
    assert find_zone_in_text("the gossip column") is None  # not SIP
    assert find_zone_in_text("SIP企业服务中心")["name"] == "苏州工业园区"
    # 滨江高新区 is 杭州's, but not when another place's name stands right before it
    assert find_zone_in_text("滨江高新区举办活动")["name"] == "杭州高新技术产业开发区"
    assert find_zone_in_text("南京江宁滨江高新区举办活动") is None


def test_find_zone_in_text_skips_a_shared_form_for_a_later_zone():
    z = find_zone_in_text("淮安开发区与南京高新区签约")
    assert z["name"] == "南京高新技术产业开发区"


# --------------------------------------------------------------------------- gazetteer contents


def test_every_row_has_valid_province_city_kind_level():
    gaz = load_gazetteer()
    div = gaz.divisions
    assert gaz.entries
    for e in gaz.entries.values():
        assert e.province in div.provinces, e
        assert e.kind in KINDS, e
        assert e.level in LEVELS, e
        assert e.city is None or div.city_in(e.city, e.province), e
        if e.province in ("北京市", "天津市", "上海市", "重庆市"):
            assert e.city == e.province, e


def test_gazetteer_coverage():
    entries = list(load_gazetteer().entries.values())
    counts = Counter((e.kind, e.level) for e in entries)
    codes = {e.code for e in entries if e.code} | {e.supersedes for e in entries if e.supersedes}
    assert len(codes) == 2542  # every catalogue code (two zones share S377018 in the catalogue)
    assert counts[(ETDZ, "national")] == 219 + 17  # the catalogue's and those upgraded since (2021, 2024)
    assert counts[("新区", "national")] == 19
    assert sum(1 for e in entries if e.level == "provincial") == 1991 - 26  # 26 upgraded since
    assert sum(1 for e in entries if e.city is None) < 20


def test_divisions_cover_all_provinces_prefectures_and_counties():
    div = load_gazetteer().divisions
    assert len(div.provinces) == 34
    assert len(div.cities) >= 333
    assert sum(len(v) for v in div.local_forms.values()) > 2800
    assert Z.parse_divisions("广西南宁") == {"province": "广西壮族自治区", "city": "南宁市", "district": None}
    assert Z.parse_divisions("苏州") == {"province": "江苏省", "city": "苏州市", "district": None}
    assert Z.parse_divisions("江苏丹阳") == {"province": "江苏省", "city": "镇江市", "district": "丹阳市"}
    assert Z.parse_divisions("四川郫县") == {"province": "四川省", "city": "成都市", "district": "郫都区"}  # former name
    assert Z.parse_divisions("和平")["province"] is None  # a word, not a county on its own


# --------------------------------------------------------------------------- loader / extension

HEADER = "name\taliases\tprovince\tcity\tdistrict\tkind\tlevel\n"


def _write(tmp_path, body, name="extra.tsv"):
    p = tmp_path / name
    p.write_text(HEADER + body, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    "body, line, message",
    [
        ("甲乙经济开发区\t\t江苏省\t南京市\t经济开发区\tprovincial\n", 2, "wrong column count"),
        ("# comment\n甲乙园\t\t江苏省\t南京市\t\t科技园\tprovincial\n", 3, "unknown kind '科技园'"),
        ("甲乙经济开发区\t\t江苏省\t南京市\t\t经济开发区\tcounty\n", 2, "unknown level 'county'"),
        (
            "甲乙经济开发区\t\t江苏省\t南京市\t\t经济开发区\tprovincial\n"
            "甲乙经济开发区\t\t江苏省\t南京市\t\t经济开发区\tprovincial\n",
            3,
            "duplicate name '甲乙经济开发区'",
        ),
        ("甲乙经济开发区\t\t江苏\t南京市\t\t经济开发区\tprovincial\n", 2, "unknown province '江苏'"),
        ("甲乙经济开发区\t\t江苏省\t杭州市\t\t经济开发区\tprovincial\n", 2, "unknown city '杭州市'"),
        (
            "甲乙经济开发区\t甲乙开发区\t江苏省\t\t\t经济开发区\tprovincial\n"
            "丙丁经济开发区\t甲乙开发区\t江苏省\t\t\t经济开发区\tprovincial\n",
            3,
            "duplicate alias '甲乙开发区'",
        ),
    ],
)
def test_loader_errors_name_file_line_and_problem(tmp_path, body, line, message):
    p = _write(tmp_path, body)
    with pytest.raises(ValueError) as exc:
        normalize_zone("甲乙经济开发区", extra_gazetteer=p)
    text = str(exc.value)
    assert isinstance(exc.value, GazetteerError)
    assert f"{p}:{line}:" in text
    assert message in text


def test_loader_bad_header_and_missing_file(tmp_path):
    p = tmp_path / "bad.tsv"
    p.write_text("name,aliases\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.tsv:1: expected header"):
        load_gazetteer(p)
    with pytest.raises(ValueError, match="not found"):
        load_gazetteer(tmp_path / "missing.tsv")


def test_extra_gazetteer_argument_adds_and_overrides(tmp_path):
    p = _write(
        tmp_path,
        "# local additions\n"
        "甲乙经济开发区\t甲乙开发区|甲乙经开区\t江苏省\t南京市\t江宁区\t经济开发区\tprovincial\n"
        "南京高新技术产业开发区\t南京高新区\t江苏省\t南京市\t栖霞区\t高新技术产业开发区\tnational\n",
    )
    z = normalize_zone("甲乙开发区", extra_gazetteer=p)
    assert z["name"] == "甲乙经济开发区" and z["district"] == "江宁区" and z["level"] == "provincial"
    assert normalize_zone("南京高新区", extra_gazetteer=p)["district"] == "栖霞区"
    assert find_zone_in_text("位于甲乙开发区的企业", extra_gazetteer=p)["name"] == "甲乙经济开发区"
    # without the extra file the shipped data is untouched
    assert normalize_zone("南京高新区")["district"] is None
    assert normalize_zone("甲乙开发区")["level"] is None


def test_env_var_gazetteer(tmp_path, monkeypatch):
    p = _write(tmp_path, "丙丁产业园区\t丙丁园\t浙江省\t杭州市\t\t产业园区\t\n", name="env.tsv")
    monkeypatch.setenv(Z.ENV_VAR, str(p))
    z = normalize_zone("丙丁园")
    assert z["name"] == "丙丁产业园区" and z["city"] == "杭州市" and z["level"] is None
    assert normalize_zone("合肥高新区")["name"] == "合肥高新技术产业开发区"


def test_env_var_bad_file_raises(tmp_path, monkeypatch):
    p = _write(tmp_path, "丙丁产业园区\t\t浙江省\t杭州市\t\t园区\tnational\n", name="bad_env.tsv")
    monkeypatch.setenv(Z.ENV_VAR, str(p))
    with pytest.raises(ValueError, match=r"bad_env\.tsv:2: unknown kind"):
        normalize_zone("合肥高新区")


def test_traditional_script_names_resolve_and_keep_their_raw_text():
    from zonecrawler.normalize.hanzi import to_simplified
    from zonecrawler.normalize.zones import find_zone_in_text, normalize_zone, parse_divisions

    assert to_simplified("蘇州工業園區") == "苏州工业园区"
    zone = normalize_zone("蘇州工業園區")
    assert (zone["raw"], zone["name"], zone["level"], zone["inferred"]) == ("蘇州工業園區", "苏州工业园区", "national", False)
    found = find_zone_in_text("香港貿發局訊：合肥高新區今年引資")
    assert found["raw"] == "合肥高新區" and found["name"] == "合肥高新技术产业开发区" and found["inferred"] is True
    assert parse_divisions("江蘇")["province"] == "江苏省"
    assert parse_divisions("廣州")["city"] == "广州市"


def test_extension_entries_that_collide_with_catalogue_zones_are_reported(tmp_path, caplog):
    p = _write(
        tmp_path,
        "甲乙科技园区\t南京高新区\t江苏省\t南京市\t\t产业园区\t\n"  # takes a shipped zone's name over
        "昆山经济技术开发区\t\t江苏省\t苏州市\t昆山市\t经济技术开发区\tnational\n"  # replaces a shipped zone
        "丙丁经济开发区\t六合开发区\t江苏省\t南京市\t\t经济开发区\tprovincial\n",  # takes a shipped rule form
        name="collide.tsv",
    )
    with caplog.at_level(logging.WARNING, logger="zonecrawler.normalize.zones"):
        gaz = load_gazetteer(p)
    report = "\n".join(gaz.collisions)
    assert f"{p}:2: '南京高新区' is also a form of the shipped zone 南京高新技术产业开发区 (G322015)" in report
    assert f"{p}:3: replaces the shipped zone 昆山经济技术开发区 (G321015)" in report
    assert f"{p}:4: '六合开发区' is also a form of the shipped zone 南京六合经济开发区 (S327005)" in report
    assert len(gaz.collisions) == 3
    assert [r.getMessage() for r in caplog.records] == [f"gazetteer: {line}" for line in gaz.collisions]
    # the extension wins for the names it gives, explicitly
    assert normalize_zone("南京高新区", extra_gazetteer=p)["name"] == "甲乙科技园区"
    assert normalize_zone("六合开发区", extra_gazetteer=p)["name"] == "丙丁经济开发区"
    assert normalize_zone("昆山开发区", extra_gazetteer=p)["code"] is None  # the replacing row has no code
    # without the extension nothing changed
    assert normalize_zone("南京高新区")["name"] == "南京高新技术产业开发区"
    assert load_gazetteer().collisions == []


def test_extension_file_with_the_full_column_set(tmp_path):
    p = tmp_path / "full.tsv"
    p.write_text(
        "code\tname\taliases\tprovince\tcity\tdistrict\tkind\tlevel\tapproved\tarea_ha\tindustries\tsupersedes\n"
        "\t甲乙综合保税区\t\t江苏省\t南京市\t\t综合保税区\tnational\t2023-05\t120.5\t物流、保税加工\t\n",
        encoding="utf-8",
    )
    z = normalize_zone("甲乙综保区", extra_gazetteer=p)
    assert (z["name"], z["approved"], z["area_ha"], z["industries"], z["code"]) == (
        "甲乙综合保税区", "2023-05", 120.5, ["物流", "保税加工"], None)
    bad = tmp_path / "bad.tsv"
    bad.write_text("name\tprovince\tkind\tapproved\n甲乙园区\t江苏省\t产业园区\t2023/05\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match=r"bad\.tsv:2: bad approved '2023/05'"):
        load_gazetteer(bad)


@pytest.mark.parametrize(
    "traditional, name",
    [("東營經濟技術開發區", "东营经济技术开发区"), ("廣州南沙經開區", "广州南沙经济技术开发区"), ("鄭州經開區", "郑州经济技术开发区"),
     ("瀋陽渾南經濟開發區", None), ("張家港保稅港區", "张家港保税港区保税区"), ("漳州臺商投資區", "漳州台商投资区")],
)
def test_traditional_names_of_catalogue_zones(traditional, name):
    z = normalize_zone(traditional)
    assert z["raw"] == traditional
    assert (z["name"] if z["level"] else None) == name
