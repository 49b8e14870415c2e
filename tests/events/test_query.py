"""Hub listener queries (pure logic, no database)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openboss.events.query import InvalidQuery, parse_query


def envelope(
    state: str = "active", priority: Any = 2, tags: list[str] | None = None
) -> dict[str, Any]:
    return {
        "eventId": "e1",
        "eventType": "SampleItemStateChangeEvent",
        "event": {
            "sampleItem": {
                "id": "s1",
                "state": state,
                "priority": priority,
                "urgent": priority == 1,
                "note": [{"tag": t} for t in (tags or [])],
            }
        },
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (None, True),
        ("", True),
        ("eventType=SampleItemStateChangeEvent", True),
        ("eventType=SampleItemCreateEvent", False),
        ("eventType=SampleItemCreateEvent,SampleItemStateChangeEvent", True),
        ("eventType=SampleItemStateChangeEvent&event.sampleItem.state=active", True),
        ("eventType=SampleItemStateChangeEvent&event.sampleItem.state=closed", False),
        ("event.sampleItem.state.ne=closed", True),
        ("event.sampleItem.state.ne=closed,active", False),
        ("event.sampleItem.priority.lte=2", True),
        ("event.sampleItem.priority.lt=2", False),
        ("event.sampleItem.priority.gt=10", False),  # 2 > 10 numerically false, "2" > "10" as text
        ("event.sampleItem.priority.gte=1.5", True),
        ("event.sampleItem.priority=2", True),
        ("event.sampleItem.priority=02", False),  # not a canonical number: compared as text
        ("event.sampleItem.id=s1", True),
        ("event.sampleItem.urgent=false", True),
        ("event.sampleItem.urgent=true", False),
        ("event.sampleItem.missing=x", False),
        ("event.sampleItem.missing.ne=x", True),
        ("event.sampleItem.note.tag=vip", True),  # arrays fan out
        ("event.sampleItem.note.tag=gold", False),
    ],
)
def test_query_matches_like_list_filters(query: str | None, expected: bool) -> None:
    assert parse_query(query).matches(envelope(tags=["new", "vip"])) is expected


@pytest.mark.parametrize(
    "query",
    ["state", "a=1&b", "=x", "a..b=1", ".gt=1", "event.priority.gt=", "a=1&&b=2"],
)
def test_invalid_queries_are_refused(query: str) -> None:
    with pytest.raises(InvalidQuery):
        parse_query(query)


def test_an_operator_name_alone_is_a_field() -> None:
    assert parse_query("gt=1").matches({"gt": 1})


values = st.text(alphabet="abcxyz0123", min_size=1, max_size=4)


@given(actual=values, wanted=st.lists(values, min_size=1, max_size=4))
def test_ne_is_the_negation_of_eq(actual: str, wanted: list[str]) -> None:
    env = envelope(state=actual)
    joined = ",".join(wanted)
    eq = parse_query(f"event.sampleItem.state={joined}").matches(env)
    ne = parse_query(f"event.sampleItem.state.ne={joined}").matches(env)
    assert eq is not ne
    assert eq is (actual in wanted)


@given(number=st.integers(-10_000, 10_000), wanted=st.lists(st.integers(-5, 5), min_size=1))
def test_numbers_equal_numbers(number: int, wanted: list[int]) -> None:
    env = envelope(priority=number)
    query = "event.sampleItem.priority=" + ",".join(str(w) for w in wanted)
    assert parse_query(query).matches(env) is (number in wanted)


@given(priority=st.integers(-1000, 1000), bound=st.integers(-1000, 1000))
def test_numeric_comparisons_are_numeric(priority: int, bound: int) -> None:
    env = envelope(priority=priority)
    assert parse_query(f"event.sampleItem.priority.gt={bound}").matches(env) is (priority > bound)
    assert parse_query(f"event.sampleItem.priority.lte={bound}").matches(env) is (priority <= bound)
