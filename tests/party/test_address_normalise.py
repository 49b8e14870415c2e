"""The address normaliser: equivalent spellings of one building share a key."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openboss.party.address import normalise as n

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
CN_DIGITS = "〇一二三四五六七八九"


def chinese(number: int) -> str:
    """1 … 99 in Chinese numerals, the way people write them (十二, 二十五)."""
    tens, ones = divmod(number, 10)
    if tens == 0:
        return CN_DIGITS[ones]
    head = "" if tens == 1 else CN_DIGITS[tens]
    return head + "十" + (CN_DIGITS[ones] if ones else "")


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("3幢", "3幢"),
        ("三幢", "3幢"),
        ("3栋", "3幢"),
        ("3号楼", "3幢"),
        ("３号楼", "3幢"),
        ("3#", "3幢"),
        ("3#楼", "3幢"),
        (" 3 ", "3幢"),
        ("03", "3幢"),
        ("十二栋", "12幢"),
        ("二十五号楼", "25幢"),
        ("Ａ座", "a幢"),
        ("综合楼", "综合楼"),
        ("", ""),
    ],
)
def test_building_key(raw: str, key: str) -> None:
    assert n.building_key(raw) == key


@pytest.mark.parametrize(
    ("run", "value"),
    [
        ("三", 3),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("二十五", 25),
        ("三百零五", 305),
        ("一〇一", 101),
        ("两千", 2000),
        ("五〇一", 501),
    ],
)
def test_chinese_numerals(run: str, value: int) -> None:
    assert n.chinese_numeral_value(run) == value


def test_parts() -> None:
    assert n.street_number_key("90号") == n.street_number_key("九十") == "90"
    assert n.street_number_key("９０ 号") == "90"
    assert n.unit_key("2单元") == n.unit_key("二单元") == n.unit_key("2") == "2"
    assert n.room_key("501室") == n.room_key("五〇一") == n.room_key("501号") == "501"
    assert n.floor_key("5层") == n.floor_key("5F") == n.floor_key("第五层") == "5"
    assert n.region_name_key("杭州市") == n.region_name_key("杭州") == "杭州"
    assert n.basic_form("Wen San Rd.") == "wensanrd"


def test_site_key_spellings_collide_and_the_compound_only_counts_without_a_number() -> None:
    a = n.site_key(
        province="浙江省",
        city="杭州市",
        district="西湖区",
        road="文三路",
        road_number="90号",
        compound="翠苑一区",
        building="3幢",
    )
    b = n.site_key(
        province="浙江",
        city="杭州",
        district="西湖区",
        road="文 三 路",
        road_number="九十",
        compound=None,
        building="３号楼",
    )
    assert a == b
    other = n.site_key(
        province="浙江省",
        city="杭州市",
        district="西湖区",
        road="文三路",
        road_number="92号",
        compound="翠苑一区",
        building="3幢",
    )
    assert other != a
    c1 = n.site_key(
        province="浙江省",
        city="杭州市",
        district="西湖区",
        road=None,
        road_number=None,
        compound="翠苑一区",
        building="3幢",
    )
    c2 = n.site_key(
        province="浙江省",
        city="杭州市",
        district="西湖区",
        road=None,
        road_number=None,
        compound="翠苑二区",
        building="3幢",
    )
    assert c1 != c2


def test_search_form_keeps_street_numbers_apart_from_buildings() -> None:
    assert n.search_form("文三路 90号 翠苑一区 3号楼") == "文3路90号翠苑1区3幢"
    assert n.search_form("3栋") == "3幢"


@given(st.text(max_size=40))
def test_normal_forms_are_idempotent(text: str) -> None:
    for f in (n.basic_form, n.search_form):
        once = f(text)
        assert f(once) == once
    key = n.building_key(text)
    assert n.building_key(key) == key


@given(
    st.integers(min_value=1, max_value=99),
    st.sampled_from(["幢", "栋", "号楼", "#", "号", ""]),
    st.sampled_from(["幢", "栋", "号楼", "#", "号", ""]),
    st.booleans(),
    st.booleans(),
    st.text(alphabet=" \u3000", max_size=2),
)
def test_equivalent_building_spellings_collide(
    number: int, word_a: str, word_b: str, chinese_a: bool, full_width_b: bool, space: str
) -> None:
    a = (chinese(number) if chinese_a else str(number)) + space + word_a
    b = (str(number).translate(FULL_WIDTH) if full_width_b else str(number)) + word_b
    assert n.building_key(a) == n.building_key(b) == f"{number}幢"


@given(st.integers(min_value=1, max_value=99), st.integers(min_value=1, max_value=99))
def test_different_buildings_do_not_collide(a: int, b: int) -> None:
    if a != b:
        assert n.building_key(f"{a}栋") != n.building_key(chinese(b) + "幢")
