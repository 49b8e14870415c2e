"""Deterministic demo data of the party domain: one city's regions, buildings,
people and enterprises with valid identity documents.

Pure functions without a database: :mod:`openboss.party.demo` feeds what they
produce through the party services, so the demo data passes the same
validation as anything an operator enters. The same seed gives the same data
on every machine, so the README's tour can name what it shows.

The city is Hangzhou (杭州市, 330100) with six districts (real GB/T 2260
codes) and three grids each; roads and compounds are plausible, not a map.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from openboss.party.documents import (
    USCC_ALPHABET,
    organisation_code_check_char,
    resident_id_check_char,
    uscc_check_char,
)

SEED: Final = 20261121

PROVINCE: Final = ("330000", "浙江省", "Zhejiang")
CITY: Final = ("330100", "杭州市", "Hangzhou")


@dataclass(frozen=True)
class DemoDistrict:
    code: str
    name: str
    name_en: str
    latitude: float
    longitude: float
    roads: tuple[str, ...]
    compounds: tuple[str, ...]


DISTRICTS: Final[tuple[DemoDistrict, ...]] = (
    DemoDistrict(
        "330106",
        "西湖区",
        "Xihu",
        30.2741,
        120.1290,
        ("文三路", "文二路", "天目山路", "古墩路", "学院路", "教工路"),
        ("翠苑一区", "翠苑二区", "文鼎苑", "嘉绿苑", "古荡新村", "西溪花园", "府苑新村"),
    ),
    DemoDistrict(
        "330102",
        "上城区",
        "Shangcheng",
        30.2426,
        120.1693,
        ("解放路", "庆春路", "望江路", "秋涛路", "江锦路"),
        ("望江家园", "近江小区", "采荷人家", "景芳三区", "钱江新城公寓"),
    ),
    DemoDistrict(
        "330105",
        "拱墅区",
        "Gongshu",
        30.3192,
        120.1417,
        ("莫干山路", "湖墅南路", "上塘路", "大关路", "丽水路"),
        ("大关西苑", "和睦新村", "德胜新村", "运河人家", "小河佳苑"),
    ),
    DemoDistrict(
        "330108",
        "滨江区",
        "Binjiang",
        30.2084,
        120.2108,
        ("江南大道", "滨盛路", "江陵路", "长河路", "西兴路"),
        ("东方郡", "钱塘春晓", "星耀城公寓", "江南文苑", "白金海岸"),
    ),
    DemoDistrict(
        "330109",
        "萧山区",
        "Xiaoshan",
        30.1838,
        120.2645,
        ("市心路", "人民路", "金城路", "山阴路", "博学路"),
        ("金色钱塘", "湘湖人家", "旺角城公寓", "世纪花园", "新城小区"),
    ),
    DemoDistrict(
        "330110",
        "余杭区",
        "Yuhang",
        30.4190,
        120.3013,
        ("文一西路", "五常大道", "荆长路", "良渚路", "临平大道"),
        ("未来科技城公寓", "五常花苑", "良渚文化村", "临平新城", "闲林山水"),
    ),
)

GRID_NAMES: Final = (
    ("G01", "一网格", "grid 1"),
    ("G02", "二网格", "grid 2"),
    ("G03", "三网格", "grid 3"),
)

SURNAMES: Final = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程"
)
GIVEN_CHARS: Final = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力斌宇浩凯佳欣怡思雨子涵梓轩"
)
ENTERPRISE_WORDS: Final = (
    ("西子", "科技"),
    ("钱塘", "贸易"),
    ("湖畔", "物流"),
    ("之江", "信息技术"),
    ("运河", "餐饮管理"),
    ("良渚", "文化传媒"),
    ("滨江", "电子"),
    ("天目", "建设工程"),
    ("灵隐", "旅游"),
    ("武林", "商贸"),
)
MOBILE_PREFIXES: Final = (
    "130",
    "131",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "158",
    "159",
    "176",
    "177",
    "180",
    "181",
    "186",
    "187",
    "188",
    "189",
    "199",
)


@dataclass(frozen=True)
class DemoBuilding:
    district: DemoDistrict
    grid_id: str
    road: str
    road_number: str
    compound: str
    building: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class DemoPerson:
    family_name: str
    given_name: str
    resident_id: str
    birth_date: date
    gender: str  # "male" | "female"
    mobile: str  # national 11 digits


@dataclass(frozen=True)
class DemoEnterprise:
    name: str
    credit_code: str
    division_code: str


def regions() -> Iterator[tuple[str, str | None, str, str, str]]:
    """``(id, parent_id, level, name, name_en)`` of the province, city, districts and grids."""
    yield PROVINCE[0], None, "province", PROVINCE[1], PROVINCE[2]
    yield CITY[0], PROVINCE[0], "city", CITY[1], CITY[2]
    for d in DISTRICTS:
        yield d.code, CITY[0], "district", d.name, d.name_en
        for suffix, zh, en in GRID_NAMES:
            yield f"{d.code}-{suffix}", d.code, "grid", d.name + zh, f"{d.name_en} {en}"


def buildings(count: int = 200, seed: int = SEED) -> list[DemoBuilding]:
    """``count`` distinct buildings spread over the districts' compounds."""
    rng = random.Random(seed)
    out: list[DemoBuilding] = []
    per_district = count // len(DISTRICTS)
    for index, district in enumerate(DISTRICTS):
        wanted = per_district + (1 if index < count % len(DISTRICTS) else 0)
        made = 0
        for c_index, compound in enumerate(district.compounds):
            road = district.roads[c_index % len(district.roads)]
            number = f"{(c_index + 1) * 17 + rng.randrange(1, 9)}号"
            grid = f"{district.code}-{GRID_NAMES[c_index % len(GRID_NAMES)][0]}"
            buildings_here = -(-wanted // len(district.compounds))
            for b in range(1, buildings_here + 1):
                if made == wanted:
                    break
                out.append(
                    DemoBuilding(
                        district=district,
                        grid_id=grid,
                        road=road,
                        road_number=number,
                        compound=compound,
                        building=f"{b}幢",
                        latitude=round(district.latitude + rng.uniform(-0.02, 0.02), 6),
                        longitude=round(district.longitude + rng.uniform(-0.02, 0.02), 6),
                    )
                )
                made += 1
    return out


def resident_id(rng: random.Random, division: str, birth: date, female: bool) -> str:
    """A valid 18-digit resident ID for ``division`` and ``birth`` (sex in digit 17)."""
    sequence = rng.randrange(0, 100) * 10 + rng.randrange(0, 5) * 2 + (0 if female else 1)
    body = f"{division}{birth:%Y%m%d}{sequence:03d}"
    return body + resident_id_check_char(body)


def person(rng: random.Random, division: str) -> DemoPerson:
    family = rng.choice(SURNAMES)
    given = "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))
    birth = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 54))
    female = rng.random() < 0.5
    mobile = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(0, 10**8):08d}"
    return DemoPerson(
        family_name=family,
        given_name=given,
        resident_id=resident_id(rng, division, birth, female),
        birth_date=birth,
        gender="female" if female else "male",
        mobile=mobile,
    )


def people(count: int, seed: int = SEED) -> list[DemoPerson]:
    """``count`` people with distinct resident IDs and mobiles, born in the demo districts."""
    rng = random.Random(seed + 1)
    seen_ids: set[str] = set()
    seen_phones: set[str] = set()
    out: list[DemoPerson] = []
    while len(out) < count:
        p = person(rng, rng.choice(DISTRICTS).code)
        if p.resident_id in seen_ids or p.mobile in seen_phones:
            continue
        seen_ids.add(p.resident_id)
        seen_phones.add(p.mobile)
        out.append(p)
    return out


def credit_code(rng: random.Random, division: str) -> str:
    """A valid unified social credit code of a company (``91``) registered in ``division``."""
    org_body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    org = org_body + organisation_code_check_char(org_body)
    if org[-1] not in USCC_ALPHABET:  # GB 11714 check 'X' is not a credit-code character
        return credit_code(rng, division)
    body = f"91{division}{org}"
    return body + uscc_check_char(body)


def enterprises(count: int, seed: int = SEED) -> list[DemoEnterprise]:
    rng = random.Random(seed + 2)
    out: list[DemoEnterprise] = []
    seen: set[str] = set()
    i = 0
    while len(out) < count:
        first, trade = ENTERPRISE_WORDS[i % len(ENTERPRISE_WORDS)]
        district = DISTRICTS[i % len(DISTRICTS)]
        suffix = "" if i < len(ENTERPRISE_WORDS) else str(i // len(ENTERPRISE_WORDS) + 1)
        name = f"杭州{first}{trade}{suffix}有限公司"
        code = credit_code(rng, district.code)
        i += 1
        if code in seen:
            continue
        seen.add(code)
        out.append(DemoEnterprise(name=name, credit_code=code, division_code=district.code))
    return out
