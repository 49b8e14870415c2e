"""List queries run in SQL on both databases and agree with Python oracles:
filters with :func:`matches` (the rule hub queries use too), sorting and
paging with plain Python sorts. Every test here runs on SQLite and PostgreSQL."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from openboss.kit.money import minor_digits
from openboss.kit.scope import Scope, apply_scope
from openboss.kit.tmf.attributes import ColumnAttr, ConstAttr, JsonAttr, MoneyAttr
from openboss.kit.tmf.listing import fetch_document, list_page
from openboss.kit.tmf.query import Filter, ListQuery, SortKey, parse_list_query
from openboss.kit.tmf.sqlfuncs import matches
from tests.kit.conftest import BASE_URL, THING, make_things, thing

DB_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le,
}  # fmt: skip


def run(session: Session, query: str, **kw: Any) -> tuple[list[dict[str, Any]], int, int]:
    from urllib.parse import parse_qsl

    q = parse_list_query(THING, parse_qsl(query, keep_blank_values=True))
    page = list_page(session, THING, q, base_url=BASE_URL, **kw)
    items = orjson.loads(page.body)
    assert page.count == len(items)
    return items, page.total, page.count


def representation(row: dict[str, Any]) -> dict[str, Any]:
    return orjson.loads(THING.represent(row["id"], row["doc"], THING.href_prefix(BASE_URL)))  # type: ignore[no-any-return]


def _typed_hit(raw: Any, op: str, values: tuple[Any, ...]) -> bool:
    if op == "ne":
        return raw is None or raw not in values
    if raw is None:
        return False
    if op == "eq":
        return raw in values
    return any(_OPS[op](raw, v) for v in values)


def oracle(row: dict[str, Any], f: Filter) -> bool:
    """Whether ``row`` passes ``f``, computed in Python."""
    attr = f.attr
    if isinstance(attr, ColumnAttr):
        return _typed_hit(row[attr.column.key], f.op, f.values)
    if isinstance(attr, MoneyAttr):
        unit, minor = row["price_unit"], row["price_minor"]
        if f.sub == "unit":
            return _typed_hit(unit, f.op, f.values)
        amount = None if minor is None else Decimal(minor).scaleb(-minor_digits(unit))
        return _typed_hit(amount, f.op, tuple(Decimal(v) for v in f.values))
    if isinstance(attr, ConstAttr):
        return (
            any(matches(attr.value, "", f.op, v) for v in f.values)
            if f.op != "ne"
            else not any(matches(attr.value, "", "eq", v) for v in f.values)
        )
    assert isinstance(attr, JsonAttr)
    rep = representation(row)
    path = attr.name + ("." + f.sub if f.sub else "")
    if f.op == "ne":
        return not any(matches(rep, path, "eq", v) for v in f.values)
    return any(matches(rep, path, f.op, v) for v in f.values)


# candidate filters: (query key without operator, operators, values to draw from)
CANDIDATES: list[tuple[str, tuple[str, ...], list[str]]] = [
    ("name", ("eq", "ne", "gt", "lte"), ["alpha", "alphax", "bravo", "charlie", "delta", "c", "e"]),
    ("score", ("eq", "ne", "gt", "gte", "lt", "lte"), ["0", "13", "24", "37", "49", "-1"]),
    ("ratio", ("eq", "ne", "gt", "lt"), ["0", "0.5", "1.25", "2.875", "3"]),
    ("flag", ("eq", "ne"), ["true", "false"]),
    (
        "validFor.startDateTime",
        ("gt", "lte", "eq"),
        [
            "2024-03-01T08:30:00Z",
            "2024-03-01T12:30:00.028Z",
            "2024-03-01T20:00:00+08:00",
            "2024-03-02",
        ],
    ),
    ("validFor.endDateTime", ("ne", "gte"), ["2024-03-02T08:30:00Z", "2024-03-03T08:30:00.000Z"]),
    (
        "price.value",
        ("eq", "ne", "gt", "gte", "lt", "lte"),
        ["0", "9.11", "18.22", "911", "12.345", "2733", "40"],
    ),
    ("price.unit", ("eq", "ne"), ["CNY", "JPY", "USD"]),
    ("relatedParty.role", ("eq", "ne", "gt"), ["customer", "owner", "payer", "p"]),
    ("relatedParty.id", ("eq", "ne", "lte"), ["p0", "p3", "p5", "q"]),
    ("relatedParty.name", ("eq",), ["Party 1", "Party 3"]),
    (
        "tags",
        ("eq", "ne", "gt", "gte", "lt", "lte"),
        ["0", "1", "3", "7", "2.5", "true", "false", "nested", "zzz"],
    ),
    ("regionId", ("eq", "ne", "lt"), ["r0", "r1", "r2"]),
    ("@type", ("eq", "ne"), ["Thing", "Other"]),
    ("id", ("eq", "gt"), ["00000003-0000-7000-8000-000000000000", "0000000a"]),
]


@st.composite
def filters(draw: st.DrawFn) -> list[tuple[str, str]]:
    chosen = draw(st.lists(st.sampled_from(CANDIDATES), min_size=1, max_size=2))
    params = []
    for key, ops, pool in chosen:
        op = draw(st.sampled_from(ops))
        values = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
        params.append((key if op == "eq" else f"{key}.{op}", ",".join(values)))
    return params


def _pg_divergence(q: ListQuery, session: Session) -> bool:
    """PostgreSQL's jsonpath does not order a JSON number against a non-numeric
    string (matches() compares their text); documented, so not compared."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    return any(
        isinstance(f.attr, JsonAttr)
        and f.op in _OPS
        and any(isinstance(v, str) for v in f.values)
        and f.attr.name == "tags"
        for f in q.filters
    )


@DB_SETTINGS
@given(params=filters())
def test_filters_select_the_rows_the_python_oracle_selects(
    kit_session: Session, things: list[dict[str, Any]], params: list[tuple[str, str]]
) -> None:
    q = parse_list_query(THING, [*params, ("limit", "1000")])
    if _pg_divergence(q, kit_session):
        return
    page = list_page(kit_session, THING, q, base_url=BASE_URL)
    got = sorted(item["id"] for item in orjson.loads(page.body))
    expected = sorted(r["id"] for r in things if all(oracle(r, f) for f in q.filters))
    assert got == expected, params
    assert page.total == len(expected)


SORTABLE = ["name", "score", "ratio", "flag", "validFor.startDateTime", "validFor.endDateTime",
            "price.value", "price.unit", "regionId", "id"]  # fmt: skip


def _sort_value(row: dict[str, Any], key: SortKey) -> Any:
    attr = key.attr
    if isinstance(attr, MoneyAttr):
        return row["price_unit"] if key.sub == "unit" else row["price_minor"]
    assert isinstance(attr, ColumnAttr)
    return row[attr.column.key]


def oracle_order(rows: list[dict[str, Any]], sort: tuple[SortKey, ...]) -> list[str]:
    ordered = sorted(rows, key=lambda r: r["id"])
    for key in reversed(sort):
        ordered.sort(
            key=lambda r, k=key: (1,) if _sort_value(r, k) is None else (0, _sort_value(r, k)),  # type: ignore[misc]
            reverse=key.descending,
        )
    return [r["id"] for r in ordered]


@DB_SETTINGS
@given(
    sort=st.lists(st.sampled_from(SORTABLE), min_size=0, max_size=3, unique=True),
    descending=st.lists(st.booleans(), min_size=3, max_size=3),
    limit=st.integers(min_value=1, max_value=9),
    extra=st.sampled_from(["", "score.gte=10", "relatedParty.role=owner", "regionId.ne=r1"]),
)
def test_paging_returns_every_row_once_in_the_oracle_order(
    kit_session: Session,
    things: list[dict[str, Any]],
    sort: list[str],
    descending: list[bool],
    limit: int,
    extra: str,
) -> None:
    sort_param = ",".join(("-" if d else "") + s for s, d in zip(sort, descending, strict=False))
    base = (extra + "&" if extra else "") + (f"sort={sort_param}&" if sort_param else "")
    seen: list[str] = []
    offset = 0
    totals = set()
    while True:
        items, total, _ = run(kit_session, f"{base}offset={offset}&limit={limit}")
        totals.add(total)
        if not items:
            break
        seen.extend(i["id"] for i in items)
        offset += limit
    q = parse_list_query(THING, [("sort", sort_param)] if sort_param else [])
    f = parse_list_query(THING, [tuple(extra.split("=", 1))]).filters if extra else ()  # type: ignore[list-item]
    matching = [r for r in things if all(oracle(r, x) for x in f)]
    assert seen == oracle_order(matching, q.sort)
    assert totals == {len(matching)}


def test_page_shape_and_headers_totals(kit_session: Session, things: list[dict[str, Any]]) -> None:
    items, total, count = run(kit_session, "limit=5&offset=20")
    assert (total, count) == (24, 4)
    items, total, count = run(kit_session, "limit=5&offset=24")
    assert (items, total, count) == ([], 24, 0)
    items, total, count = run(kit_session, "limit=0")
    assert (items, total, count) == ([], 24, 0)
    items, total, count = run(kit_session, "name=nobody")
    assert (items, total, count) == ([], 0, 0)
    items, _, _ = run(kit_session, "limit=1")
    assert items == [representation(things[0])]


def test_fields_project_every_item(kit_session: Session, things: list[dict[str, Any]]) -> None:
    items, _, _ = run(kit_session, "fields=name,validFor.endDateTime,relatedParty.role&limit=3")
    for item, row in zip(items, things[:3], strict=True):
        full = representation(row)
        expected = {"id": row["id"], "href": full["href"], "@type": "Thing", "name": full["name"]}
        if "endDateTime" in full.get("validFor", {}):
            expected["validFor"] = {"endDateTime": full["validFor"]["endDateTime"]}
        if "relatedParty" in full:
            expected["relatedParty"] = [{"role": p["role"]} for p in full["relatedParty"]]
        assert item == expected


def test_scope_restriction_applies_to_rows_and_total(
    kit_session: Session, things: list[dict[str, Any]]
) -> None:
    scope = Scope(regions=frozenset({"r1"}))
    items, total, _ = run(
        kit_session, "limit=1000", restrict=lambda s: apply_scope(s, thing.c, scope)
    )
    expected = {r["id"] for r in things if r["region_id"] in (None, "r1")}
    assert {i["id"] for i in items} == expected
    assert total == len(expected)


def test_fetch_document_by_id_with_projection_and_scope(
    kit_session: Session, things: list[dict[str, Any]]
) -> None:
    row = things[5]  # region r2
    doc = fetch_document(kit_session, THING, row["id"], base_url=BASE_URL)
    assert doc is not None
    assert orjson.loads(doc) == representation(row)
    doc = fetch_document(kit_session, THING, row["id"], base_url=BASE_URL, projection={"score": {}})
    assert doc is not None
    assert orjson.loads(doc) == {"id": row["id"], "href": representation(row)["href"],
                                 "@type": "Thing", "score": row["score"]}  # fmt: skip
    outside = Scope(regions=frozenset({"r1"}))
    restricted = fetch_document(
        kit_session, THING, row["id"], base_url=BASE_URL,
        restrict=lambda s: apply_scope(s, thing.c, outside),
    )  # fmt: skip
    assert restricted is None
    assert fetch_document(kit_session, THING, "missing", base_url=BASE_URL) is None


@pytest.fixture
def statements(kit_session: Session) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = kit_session.get_bind().engine

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize("rows", [3, 24, 60])
def test_statement_count_does_not_grow_with_rows(
    kit_session: Session, statements: list[str], rows: int
) -> None:
    kit_session.execute(insert(thing), make_things(rows))
    queries = {
        "limit=100&relatedParty.role=owner&sort=-score": 1,  # page and total in one statement
        "offset=1000": 2,  # past the end: the page is empty, the total is counted
        "limit=0": 1,  # only the total
        "name=nobody": 1,  # empty first page: the total is 0 without counting
    }
    for query, expected in queries.items():
        statements.clear()
        run(kit_session, query)
        assert len(statements) == expected, (query, statements)


def test_datetimes_compare_as_instants(kit_session: Session, things: list[dict[str, Any]]) -> None:
    # 20:00+08:00 is 12:00Z: rows starting before it, whatever the offset written
    items, total, _ = run(kit_session, "validFor.startDateTime.lt=2024-03-01T20:00:00%2B08:00")
    cutoff = datetime.fromisoformat("2024-03-01T12:00:00+00:00")
    assert total == sum(1 for r in things if r["starts"] is not None and r["starts"] < cutoff)
    assert all(i["validFor"]["startDateTime"] < "2024-03-01T12:00:00.000Z" for i in items)


def test_money_filters_compare_minor_units_per_currency(
    kit_session: Session, things: list[dict[str, Any]]
) -> None:
    # 18.22 CNY is 1822 fen; 1822 JPY is a different (larger) amount
    items, _, _ = run(kit_session, "price.value=18.22&limit=1000")
    assert [(i["price"]["unit"], i["price"]["value"]) for i in items] == [("CNY", 18.22)]
    items, _, _ = run(kit_session, "price.value.gte=2733&price.unit=JPY&limit=1000")
    expected = [r["id"] for r in things if r["price_unit"] == "JPY" and r["price_minor"] >= 2733]
    assert [i["id"] for i in items] == expected


@pytest.mark.parametrize(
    "fields",
    ["ratio,flag,price", "price.value,tags", "validFor", "regionId,@baseType", "relatedParty.name"],
)
def test_projections_equal_the_projected_full_representation(
    kit_session: Session, things: list[dict[str, Any]], fields: str
) -> None:
    from openboss.kit.tmf.query import parse_fields

    items, _, _ = run(kit_session, f"fields={fields}&limit=1000")
    projection = parse_fields(THING, fields)
    assert items == [THING.project(representation(r), projection) for r in things]


@pytest.mark.parametrize("offset", [0, 3, 499, 500, 501, 600])
def test_deep_pages_found_on_ids_first_are_the_same_pages(
    kit_session: Session, offset: int
) -> None:
    kit_session.execute(insert(thing), make_things(620))
    for sort in ("-score,name", "validFor.startDateTime", "price.value,-name"):
        items, total, _ = run(kit_session, f"sort={sort}&offset={offset}&limit=7&score.gte=3")
        everything, _, _ = run(kit_session, f"sort={sort}&limit=1000&score.gte=3")
        assert [i["id"] for i in items] == [i["id"] for i in everything[offset : offset + 7]]
        assert total == len(everything)
