"""Development-zone normalizer and gazetteer (zonecrawler.normalize.zones)."""

from __future__ import annotations

import time
from collections import Counter

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


@pytest.fixture(autouse=True)
def _no_env_gazetteer(monkeypatch):
    monkeypatch.delenv(Z.ENV_VAR, raising=False)


# --------------------------------------------------------------------------- spec.md fixture table

SPEC_TABLE = [
    # raw, name, province, city, district, kind, level
    ("江苏南京六合经济开发区", "南京六合经济开发区", "江苏省", "南京市", "六合区", "经济开发区", "provincial"),
    ("南京经济技术开发区", "南京经济技术开发区", "江苏省", "南京市", "栖霞区", ETDZ, "national"),
    ("南京高新区", "南京高新技术产业开发区", "江苏省", "南京市", None, HT, "national"),
    ("江宁开发区", "江宁经济技术开发区", "江苏省", "南京市", "江宁区", ETDZ, "national"),
    ("苏州工业园区", "苏州工业园区", "江苏省", "苏州市", None, "工业园区", "national"),
    ("昆山经济技术开发区", "昆山经济技术开发区", "江苏省", "苏州市", "昆山市", ETDZ, "national"),
    ("合肥高新区", "合肥高新技术产业开发区", "安徽省", "合肥市", None, HT, "national"),
    ("天津经开区", "天津经济技术开发区", "天津市", "天津市", "滨海新区", ETDZ, "national"),
    ("广州开发区", "广州经济技术开发区", "广东省", "广州市", "黄埔区", ETDZ, "national"),
    ("成都高新区", "成都高新技术产业开发区", "四川省", "成都市", None, HT, "national"),
    ("重庆两江新区", "两江新区", "重庆市", "重庆市", None, "新区", "national"),
    ("昆山综合保税区", "昆山综合保税区", "江苏省", "苏州市", "昆山市", "综合保税区", "national"),
    ("江苏溧水经济开发区", "南京溧水经济开发区", "江苏省", "南京市", "溧水区", "经济开发区", "provincial"),
]


def _expected(raw, name, province, city, district, kind, level, inferred=False):
    return {
        "raw": raw,
        "name": name,
        "province": province,
        "city": city,
        "district": district,
        "kind": kind,
        "level": level,
        "inferred": inferred,
    }


@pytest.mark.parametrize("row", SPEC_TABLE, ids=[r[0] for r in SPEC_TABLE])
def test_spec_table_exact(row):
    assert normalize_zone(row[0]) == _expected(*row)


@pytest.mark.parametrize("row", SPEC_TABLE, ids=[r[1] for r in SPEC_TABLE])
def test_spec_table_full_official_name(row):
    """The canonical name itself maps to the same object, with raw = the text seen."""
    raw, name, *rest = row
    assert normalize_zone(name) == _expected(name, name, *rest)


def test_inferred_flag_and_raw_kept():
    z = normalize_zone("  合肥高新技术产业开发区 ", inferred=True)
    assert z["raw"] == "合肥高新技术产业开发区"
    assert z["inferred"] is True
    assert normalize_zone("合肥高新区")["inferred"] is False


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000\n"])
def test_blank_is_none(raw):
    assert normalize_zone(raw) is None


# --------------------------------------------------------------------------- more real zones

MORE = [
    # raw, name, province, city, kind, level
    ("苏州高新区", "苏州高新技术产业开发区", "江苏省", "苏州市", HT, "national"),
    ("北京经开区", "北京经济技术开发区", "北京市", "北京市", ETDZ, "national"),
    ("北京经济技术开发区", "北京经济技术开发区", "北京市", "北京市", ETDZ, "national"),
    ("北京经济技术开发区（亦庄）", "北京经济技术开发区", "北京市", "北京市", ETDZ, "national"),
    ("亦庄经济技术开发区", "北京经济技术开发区", "北京市", "北京市", ETDZ, "national"),
    ("上海张江高新区", "上海张江高新技术产业开发区", "上海市", "上海市", HT, "national"),
    ("张江高新区", "上海张江高新技术产业开发区", "上海市", "上海市", HT, "national"),
    ("武汉东湖高新区", "武汉东湖新技术开发区", "湖北省", "武汉市", HT, "national"),
    ("东湖新技术开发区", "武汉东湖新技术开发区", "湖北省", "武汉市", HT, "national"),
    ("中关村", "中关村科技园区", "北京市", "北京市", HT, "national"),
    ("西安高新区", "西安高新技术产业开发区", "陕西省", "西安市", HT, "national"),
    ("青岛经济技术开发区", "青岛经济技术开发区", "山东省", "青岛市", ETDZ, "national"),
    ("青岛开发区", "青岛经济技术开发区", "山东省", "青岛市", ETDZ, "national"),
    ("杭州经济技术开发区", "杭州经济技术开发区", "浙江省", "杭州市", ETDZ, "national"),
    ("杭州经开区", "杭州经济技术开发区", "浙江省", "杭州市", ETDZ, "national"),
    ("宁波经济技术开发区", "宁波经济技术开发区", "浙江省", "宁波市", ETDZ, "national"),
    ("深圳高新区", "深圳高新技术产业开发区", "广东省", "深圳市", HT, "national"),
    ("深圳国家高新区", "深圳高新技术产业开发区", "广东省", "深圳市", HT, "national"),
    ("长沙经开区", "长沙经济技术开发区", "湖南省", "长沙市", ETDZ, "national"),
    ("郑州经开区", "郑州经济技术开发区", "河南省", "郑州市", ETDZ, "national"),
    ("沈阳经开区", "沈阳经济技术开发区", "辽宁省", "沈阳市", ETDZ, "national"),
    ("大连经济技术开发区", "大连经济技术开发区", "辽宁省", "大连市", ETDZ, "national"),
    ("大连开发区", "大连经济技术开发区", "辽宁省", "大连市", ETDZ, "national"),
    ("大连高新区", "大连高新技术产业园区", "辽宁省", "大连市", HT, "national"),
    ("浦东新区", "浦东新区", "上海市", "上海市", "新区", "national"),
    ("上海浦东新区", "浦东新区", "上海市", "上海市", "新区", "national"),
    ("雄安新区", "雄安新区", "河北省", None, "新区", "national"),
    ("河北雄安新区", "雄安新区", "河北省", None, "新区", "national"),
    ("滨海新区", "滨海新区", "天津市", "天津市", "新区", "national"),
    ("天津滨海新区", "滨海新区", "天津市", "天津市", "新区", "national"),
    ("南京江北新区", "江北新区", "江苏省", "南京市", "新区", "national"),
    ("四川天府新区", "天府新区", "四川省", "成都市", "新区", "national"),
    ("西咸新区", "西咸新区", "陕西省", "西安市", "新区", "national"),
    ("青岛西海岸新区", "青岛西海岸新区", "山东省", "青岛市", "新区", "national"),
    ("泰达", "天津经济技术开发区", "天津市", "天津市", ETDZ, "national"),
    ("TEDA", "天津经济技术开发区", "天津市", "天津市", ETDZ, "national"),
    ("厦门火炬高新区", "厦门火炬高技术产业开发区", "福建省", "厦门市", HT, "national"),
    ("厦门高新区", "厦门火炬高技术产业开发区", "福建省", "厦门市", HT, "national"),
    ("中山火炬开发区", "中山火炬高技术产业开发区", "广东省", "中山市", HT, "national"),
    ("松山湖高新区", "东莞松山湖高新技术产业开发区", "广东省", "东莞市", HT, "national"),
    ("杨凌示范区", "杨凌农业高新技术产业示范区", "陕西省", "咸阳市", HT, "national"),
    ("苏州工业园", "苏州工业园区", "江苏省", "苏州市", "工业园区", "national"),
    ("上海外高桥保税区", "上海外高桥保税区", "上海市", "上海市", "保税区", "national"),
    ("重庆西永综保区", "重庆西永综合保税区", "重庆市", "重庆市", "综合保税区", "national"),
    ("昆山综保区", "昆山综合保税区", "江苏省", "苏州市", "综合保税区", "national"),
    ("洋浦经济开发区", "洋浦经济开发区", "海南省", "儋州市", "经济开发区", "national"),
    ("合肥经开区", "合肥经济技术开发区", "安徽省", "合肥市", ETDZ, "national"),
    ("武汉经开区", "武汉经济技术开发区", "湖北省", "武汉市", ETDZ, "national"),
    ("成都经开区", "成都经济技术开发区", "四川省", "成都市", ETDZ, "national"),
    ("江苏省苏州市昆山开发区", "昆山经济技术开发区", "江苏省", "苏州市", ETDZ, "national"),
    ("江苏省南京市江宁开发区", "江宁经济技术开发区", "江苏省", "南京市", ETDZ, "national"),
    ("浙江杭州高新区", "杭州高新技术产业开发区", "浙江省", "杭州市", HT, "national"),
    ("南宁高新区", "南宁高新技术产业开发区", "广西壮族自治区", "南宁市", HT, "national"),
    ("乌鲁木齐经开区", "乌鲁木齐经济技术开发区", "新疆维吾尔自治区", "乌鲁木齐市", ETDZ, "national"),
    ("呼和浩特经济技术开发区", "呼和浩特经济技术开发区", "内蒙古自治区", "呼和浩特市", ETDZ, "national"),
    ("银川高新区", "银川高新技术产业开发区", "宁夏回族自治区", "银川市", HT, "national"),
    ("拉萨经开区", "拉萨经济技术开发区", "西藏自治区", "拉萨市", ETDZ, "national"),
    ("延吉高新区", "延吉高新技术产业开发区", "吉林省", "延边朝鲜族自治州", HT, "national"),
    ("包头稀土高新区", "包头稀土高新技术产业开发区", "内蒙古自治区", "包头市", HT, "national"),
    ("吉林高新区", "吉林高新技术产业开发区", "吉林省", "吉林市", HT, "national"),
    ("国家级南京经济技术开发区", "南京经济技术开发区", "江苏省", "南京市", ETDZ, "national"),
    ("广西—东盟经济技术开发区", "广西—东盟经济技术开发区", "广西壮族自治区", "南宁市", ETDZ, "national"),
    ("广西-东盟经开区", "广西—东盟经济技术开发区", "广西壮族自治区", "南宁市", ETDZ, "national"),
    ("六合开发区", "南京六合经济开发区", "江苏省", "南京市", "经济开发区", "provincial"),
    ("南京市六合经济开发区", "南京六合经济开发区", "江苏省", "南京市", "经济开发区", "provincial"),
]


@pytest.mark.parametrize("row", MORE, ids=[r[0] for r in MORE])
def test_more_real_zones(row):
    raw, name, province, city, kind, level = row
    z = normalize_zone(raw)
    assert z is not None
    assert (z["raw"], z["name"], z["province"], z["city"], z["kind"], z["level"]) == (
        raw,
        name,
        province,
        city,
        kind,
        level,
    )


def test_more_table_is_big_enough():
    assert len({r[1] for r in MORE}) >= 40


# --------------------------------------------------------------------------- unknown zones

UNKNOWN = [
    # raw, province, city, district, kind
    ("江苏某某经济开发区", "江苏省", None, None, "经济开发区"),
    ("浙江省湖州市某某工业园区", "浙江省", "湖州市", None, "工业园区"),
    ("昆山花桥经济开发区", "江苏省", "苏州市", "昆山市", "经济开发区"),
    ("江苏溧水某某产业园", "江苏省", "南京市", "溧水区", "产业园区"),
    ("某某产业园", None, None, None, "产业园区"),
    ("广西某某高新区", "广西壮族自治区", None, None, HT),
    ("内蒙古某某新区", "内蒙古自治区", None, None, "新区"),
    ("重庆某某工业园区", "重庆市", "重庆市", None, "工业园区"),
    ("上海金山某某园区", "上海市", "上海市", "金山区", None),
    ("南京某某经开区", "江苏省", "南京市", None, ETDZ),
    ("苏州开发区", "江苏省", "苏州市", None, "开发区"),  # ambiguous: several 苏州* ETDZs
    ("某某综保区", None, None, None, "综合保税区"),
    ("某某保税区", None, None, None, "保税区"),
    ("一段与开发区无关的文字", None, None, None, None),
]


@pytest.mark.parametrize("row", UNKNOWN, ids=[r[0] for r in UNKNOWN])
def test_unknown_zone_parsing(row):
    raw, province, city, district, kind = row
    assert normalize_zone(raw) == {
        "raw": raw,
        "name": raw,
        "province": province,
        "city": city,
        "district": district,
        "kind": kind,
        "level": None,
        "inferred": False,
    }


def test_zone_kind_longest_suffix():
    assert Z.zone_kind("某某经济技术开发区") == ETDZ
    assert Z.zone_kind("某某经济开发区") == "经济开发区"
    assert Z.zone_kind("某某开发区") == "开发区"
    assert Z.zone_kind("某某综合保税区") == "综合保税区"
    assert Z.zone_kind("某某高新技术产业园区") == "产业园区"
    assert Z.zone_kind("某某") is None


# --------------------------------------------------------------------------- text scanning


def test_find_zone_in_text_basic():
    z = find_zone_in_text("近日，合肥高新区与南京高新区签署合作协议。")
    assert z == _expected("合肥高新区", "合肥高新技术产业开发区", "安徽省", "合肥市", None, HT, "national", True)


def test_find_zone_in_text_longest_match_wins():
    z = find_zone_in_text("苏州工业园区综合保税区今年进出口额增长")
    assert z["name"] == "苏州工业园综合保税区"
    assert z["raw"] == "苏州工业园区综合保税区"
    z = find_zone_in_text("记者从江苏南京六合经济开发区获悉")
    assert z["name"] == "南京六合经济开发区"
    assert z["raw"].endswith("南京六合经济开发区")


def test_find_zone_in_text_aliases_and_none():
    assert find_zone_in_text("天津经开区（泰达）发布新政")["name"] == "天津经济技术开发区"
    assert find_zone_in_text("亦庄新城")["name"] == "北京经济技术开发区"
    assert find_zone_in_text("我市高新区管委会召开会议") is None
    assert find_zone_in_text("") is None
    assert find_zone_in_text(None) is None


def _body(n=5000):
    filler = "今年以来，园区坚持项目为王，持续优化营商环境，推动产业链招商和科技创新，江苏浙江安徽南京苏州合肥。"
    return (filler * (n // len(filler) + 1))[:n]


def test_find_zone_in_text_is_fast():
    body = _body()
    assert find_zone_in_text(body) is None
    body2 = body[:-10] + "成都高新区获批新政"
    assert find_zone_in_text(body2)["name"] == "成都高新技术产业开发区"
    best = float("inf")
    for _ in range(10):
        t0 = time.perf_counter()
        find_zone_in_text(body)
        best = min(best, time.perf_counter() - t0)
    assert best < 0.005, f"5,000-char scan took {best * 1000:.2f} ms"


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
    counts = Counter((e.kind, e.level) for e in load_gazetteer().entries.values())
    assert counts[(ETDZ, "national")] >= 180
    assert counts[(HT, "national")] >= 150
    assert counts[("新区", "national")] == 19


def test_every_entry_resolves_to_itself():
    gaz = load_gazetteer()
    for e in gaz.entries.values():
        for surface in (e.name, *e.aliases):
            assert normalize_zone(surface)["name"] == e.name, surface
        assert find_zone_in_text(f"据报道，{e.name}今年")["name"] == e.name


def test_divisions_cover_all_provinces_and_prefectures():
    div = load_gazetteer().divisions
    assert len(div.provinces) == 34
    assert len(div.cities) >= 333
    assert Z.parse_divisions("广西南宁") == {"province": "广西壮族自治区", "city": "南宁市", "district": None}
    assert Z.parse_divisions("苏州") == {"province": "江苏省", "city": "苏州市", "district": None}


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


def test_normalize_zone_is_fast():
    names = [r[0] for r in SPEC_TABLE] + [r[0] for r in UNKNOWN]
    normalize_zone("合肥高新区")  # load once
    t0 = time.perf_counter()
    for _ in range(20):
        for n in names:
            normalize_zone(n)
    per_call = (time.perf_counter() - t0) / (20 * len(names))
    assert per_call < 0.001, f"{per_call * 1e6:.0f} us per call"


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
