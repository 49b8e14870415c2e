"""Parsing TMF630 list queries (no database)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openboss.kit.errors import ValidationFailed
from openboss.kit.tmf.attributes import (
    ConstAttr,
    JsonAttr,
    MoneyAttr,
    jsonpath_for,
    parse_json_scalar,
)
from openboss.kit.tmf.query import MAX_LIMIT, parse_list_query, split_operator
from tests.kit.conftest import THING


def parse(query: str) -> object:
    from urllib.parse import parse_qsl

    return parse_list_query(THING, parse_qsl(query, keep_blank_values=True))


def error_field(query: str) -> tuple[str | None, str]:
    with pytest.raises(ValidationFailed) as info:
        parse(query)
    return info.value.field, info.value.message


def test_defaults_sort_by_id_first_page_of_100() -> None:
    q = parse_list_query(THING, [])
    assert (q.offset, q.limit, q.projection, q.filters) == (0, 100, None, ())
    assert [k.key for k in q.sort] == ["id"]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("state", ("state", "eq")),
        ("quantity.gt", ("quantity", "gt")),
        ("relatedParty.role", ("relatedParty.role", "eq")),
        ("relatedParty.role.ne", ("relatedParty.role", "ne")),
        ("price.value.lte", ("price.value", "lte")),
        ("gt", ("gt", "eq")),
    ],
)
def test_split_operator(key: str, expected: tuple[str, str]) -> None:
    assert split_operator(key) == expected


def test_filters_resolve_attributes_operators_and_alternatives() -> None:
    q = parse(
        "name=alpha,bravo&score.gte=10&validFor.startDateTime.lt=2024-03-02T00:00:00Z"
        "&relatedParty.role=customer&price.value.gt=12.5&flag=true&tags=3"
    )
    by_key = {f.key: f for f in q.filters}  # type: ignore[attr-defined]
    assert by_key["name"].values == ("alpha", "bravo")
    assert by_key["name"].op == "eq"
    assert by_key["score.gte"].values == (10,)
    assert by_key["validFor.startDateTime.lt"].values == (datetime(2024, 3, 2, tzinfo=UTC),)
    assert isinstance(by_key["relatedParty.role"].attr, JsonAttr)
    assert by_key["relatedParty.role"].sub == "role"
    assert isinstance(by_key["price.value.gt"].attr, MoneyAttr)
    assert by_key["price.value.gt"].values == (Decimal("12.5"),)
    assert by_key["flag"].values == (True,)
    assert by_key["tags"].values == (3,)


@pytest.mark.parametrize(
    ("query", "field", "fragment"),
    [
        ("nosuch=1", "nosuch", "unknown attribute 'nosuch'"),
        ("nosuch.gt=1", "nosuch.gt", "unknown attribute 'nosuch'"),
        ("score.gt=abc", "score.gt", "'abc' is not an integer"),
        ("ratio=1.2.3", "ratio", "is not a number"),
        ("flag=yes", "flag", "not a boolean"),
        ("flag.gt=true", "flag.gt", "does not apply to the boolean"),
        ("validFor.startDateTime.gt=yesterday", "validFor.startDateTime.gt", "ISO 8601"),
        ("validFor=x", "validFor", "is an object"),
        ("price=12", "price", "Money object"),
        ("price.amount=12", "price.amount", "Money has 'unit' and 'value'"),
        ("price.value=ten", "price.value", "is not a number"),
        ("relatedParty=x", "relatedParty", "is structured"),
        ("relatedParty.colour=red", "relatedParty.colour", "unknown attribute"),
        ("name.first=x", "name.first", "has no sub-attributes"),
        ("href=x", "href", "'href' cannot be used"),
        ("name=a,,b", "name", "empty alternative"),
        ("offset=-1", "offset", "between 0 and 2147483647"),
        ("offset=2147483648", "offset", "between 0 and 2147483647"),
        ("name=a%00", "name", "NUL"),
        ("offset=x", "offset", "must be an integer"),
        ("limit=1001", "limit", f"between 0 and {MAX_LIMIT}"),
        ("limit=ten", "limit", "must be an integer"),
        ("sort=nosuch", "sort", "unknown attribute 'nosuch'"),
        ("sort=relatedParty", "sort", "cannot sort by 'relatedParty'"),
        ("sort=-", "sort", "names no attribute"),
        ("fields=nosuch", "fields", "unknown attribute 'nosuch'"),
        ("fields=validFor.middle", "fields", "unknown attribute 'validFor.middle'"),
        ("fields=,", "fields", "at least one attribute"),
    ],
)
def test_bad_queries_are_400_naming_the_parameter(query: str, field: str, fragment: str) -> None:
    got_field, message = error_field(query)
    assert got_field == field
    assert fragment in message


def test_sort_keys_directions_and_duplicates() -> None:
    q = parse("sort=-score,name,+validFor.startDateTime,-score,@type")
    keys = [(k.key, k.descending) for k in q.sort]  # type: ignore[attr-defined]
    assert keys == [("score", True), ("name", False), ("validFor.startDateTime", False)]
    q = parse("sort=price.value")
    assert q.sort[0].sub == "value"  # type: ignore[attr-defined]


def test_fields_projection_tree() -> None:
    q = parse("fields=name,validFor.startDateTime,relatedParty.role,price.value,id,href,@type")
    assert q.projection == {  # type: ignore[attr-defined]
        "name": {},
        "validFor": {"startDateTime": {}},
        "relatedParty": {"role": {}},
        "price": {"value": {}},
    }
    # the whole attribute wins over one of its parts, in any order
    assert parse("fields=validFor.startDateTime,validFor").projection == {"validFor": {}}  # type: ignore[attr-defined]
    assert parse("fields=validFor,validFor.startDateTime").projection == {"validFor": {}}  # type: ignore[attr-defined]


def test_constant_attributes_filter_without_sql_cost() -> None:
    q = parse("@type=Thing&@baseType.ne=Entity")
    assert [type(f.attr) for f in q.filters] == [ConstAttr, ConstAttr]  # type: ignore[attr-defined]


def test_extra_parameters_are_handed_back() -> None:
    q = parse_list_query(THING, [("depth", "2")], extra_params=frozenset({"depth"}))
    assert q.extra == {"depth": "2"}


@pytest.mark.parametrize(
    ("raw", "value"),
    [("100", 100), ("-3", -3), ("1.5", 1.5), ("2e3", 2000.0), ("true", True), ("false", False),
     ("abc", "abc"), ("01", "01"), ("1.", "1."), ("", ""), ("null", "null")],
)  # fmt: skip
def test_json_scalars_from_query_values(raw: str, value: object) -> None:
    parsed = parse_json_scalar(raw)
    assert parsed == value
    assert type(parsed) is type(value)


def test_jsonpath_inlines_literals_and_tries_numbers_as_text() -> None:
    assert jsonpath_for("role", "eq", ["customer"]) == '$."role" ? (@ == "customer")'
    assert jsonpath_for("value", "gt", [100]) == '$."value" ? (@ > 100 || @ > "100")'
    assert jsonpath_for("", "eq", [True]) == "$ ? (@ == true)"
    assert (
        jsonpath_for("a.b", "lte", [1.5, "x"]) == '$."a"."b" ? (@ <= 1.5 || @ <= "1.5" || @ <= "x")'
    )
    assert jsonpath_for("a", "gt", [True]) is None  # booleans are not ordered
    assert jsonpath_for('we"ird', "eq", ['say "hi"']) == '$."we\\"ird" ? (@ == "say \\"hi\\"")'


@given(st.text(max_size=20))
def test_any_text_is_a_valid_filter_value_for_strings(raw: str) -> None:
    if "," in raw or "\x00" in raw:
        return
    q = parse_list_query(THING, [("name", raw)])
    assert q.filters[0].values == (raw,)
