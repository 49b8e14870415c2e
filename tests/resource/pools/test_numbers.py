"""Number pools: bulk load with grades, duplicates, search, reservation, status."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openboss.kit.errors import Conflict, NotFound, ValidationFailed
from openboss.kit.scope import SYSTEM_SCOPE, Scope
from openboss.resource.inventory.models import Resource, ResourceReservation, ResourceSpec
from openboss.resource.pools import common, numbers
from openboss.resource.pools.specs import NUMBER

S = SYSTEM_SCOPE


def _pool(session: Session, first: str = "13757100000", last: str = "13757100999", **kw: object):  # type: ignore[no-untyped-def]
    return numbers.create_pool(
        session,
        S,
        name=str(kw.pop("name", "杭州移动 137571")),
        kind=str(kw.pop("kind", "msisdn")),
        region_id="330100",
        range_start=first,
        range_end=last,
        **kw,  # type: ignore[arg-type]
    )


def _number(session: Session, value: str) -> Resource:
    return session.scalars(
        select(Resource).where(Resource.spec_id == NUMBER, Resource.value == value)
    ).one()


def test_range_is_loaded_graded_with_fees(session: Session, specs: None) -> None:
    pool = _pool(session, grade_fees={"golden": 8000})
    assert pool.capacity == 1000
    n = _number(session, "13757100888")
    assert (n.grade, n.lifecycle_status, n.parent_id) == ("gold", "available", pool.id)
    assert common.char(n, "gradeFee") == 1000
    golden = _number(session, "13757100123")  # tail 0123 is a run
    assert golden.grade == "golden" and common.char(golden, "gradeFee") == 8000
    assert '"value":"13757100888"' in n.doc  # the TMF document is rendered on bulk load
    # numbers carry the spec whose quarantine rests a released number
    assert session.get(ResourceSpec, NUMBER).quarantine_days == 90  # type: ignore[union-attr]


def test_fixed_numbers(session: Session, specs: None) -> None:
    pool = _pool(session, "057188000000", "057188000099", name="杭州固话", kind="fixed")
    assert pool.capacity == 100


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        ("12757100000", "12757100010", "rangeStart"),  # not 1[3-9]
        ("1375710000", "13757100010", "rangeStart"),  # 10 digits
        ("13757100010", "13757100000", "rangeEnd"),  # backwards
        ("13757100000", "13757300000", "rangeEnd"),  # too many
    ],
)
def test_bad_ranges_are_400(
    session: Session, specs: None, first: str, last: str, field: str
) -> None:
    with pytest.raises(ValidationFailed) as err:
        _pool(session, first, last)
    assert err.value.field == field


def test_duplicates_are_409_and_nothing_is_written(session: Session, specs: None) -> None:
    pool = _pool(session, "13757100000", "13757100009")
    with pytest.raises(Conflict) as err:
        numbers.add_numbers(session, pool, ["13757100010", "13757100005"])
    assert "13757100005" in err.value.message
    with pytest.raises(Conflict) as err:
        numbers.add_numbers(session, pool, ["13757100011", "13757100011"])
    assert "13757100011" in err.value.message
    count = session.scalar(select(func.count()).where(Resource.spec_id == NUMBER))
    assert count == 10
    with pytest.raises(Conflict):
        _pool(session, "13757100100", "13757100101")  # same name


def test_search_by_pattern_grade_and_paging(session: Session, specs: None) -> None:
    pool = _pool(session)
    page = numbers.search(session, S, pool.id, pattern="*888")
    assert [r.value for r in page.items] == ["13757100888"]
    page = numbers.search(session, S, pool.id, pattern="1375710088*", limit=3)
    assert page.total == 10 and len(page.items) == 3
    assert page.items[0].value == "13757100880"
    page = numbers.search(session, S, pool.id, pattern="99", offset=0, limit=100)
    assert all("99" in (r.value or "") for r in page.items) and page.total == 19
    page = numbers.search(session, S, pool.id, grade="golden")
    assert page.total > 0 and all(r.grade == "golden" for r in page.items)
    assert numbers.search(session, S, pool.id, pattern="*0?88").total == 10
    with pytest.raises(ValidationFailed) as err:
        numbers.search(session, S, pool.id, pattern="13%")
    assert err.value.field == "pattern"
    with pytest.raises(ValidationFailed):
        numbers.search(session, S, pool.id, grade="platinum")


def test_reserve_a_picked_number_and_the_next_golden(session: Session, specs: None) -> None:
    pool = _pool(session)
    n = _number(session, "13757100888")
    reservation, rows = numbers.reserve_number(
        session, S, n.id, hold_minutes=60, customer_id="C-1", actor="tester"
    )
    assert rows == [n] and n.lifecycle_status == "reserved"
    assert n.reservation_id == reservation.id and n.hold_until == reservation.expires_at
    assert isinstance(reservation, ResourceReservation) and reservation.state == "active"
    with pytest.raises(Conflict) as err:
        numbers.reserve_number(session, S, n.id)
    assert "reserved" in err.value.message
    _, golden = numbers.reserve_next(session, S, pool.id, grade="golden", count=2)
    assert len(golden) == 2 and all(g.grade == "golden" for g in golden)
    status = numbers.status(session, S, pool.id)
    assert status["byStatus"]["reserved"] == 3 and status["total"] == 1000
    assert status["byGrade"]["golden"]["reserved"] == 2
    assert status["byGrade"]["gold"]["reserved"] == 1
    with pytest.raises(ValidationFailed) as err:
        numbers.reserve_number(session, S, n.id, hold_minutes=0)
    assert err.value.field == "holdMinutes"


def test_next_free_runs_out_with_409(session: Session, specs: None) -> None:
    pool = _pool(session, "13757100000", "13757100009")
    with pytest.raises(Conflict):
        numbers.reserve_next(session, S, pool.id, grade="golden", count=5)


def test_out_of_scope_is_404(session: Session, specs: None) -> None:
    pool = _pool(session)
    elsewhere = Scope(regions=frozenset({"330105"}))
    with pytest.raises(NotFound):
        numbers.search(session, elsewhere, pool.id)
    with pytest.raises(NotFound):
        numbers.reserve_number(session, elsewhere, _number(session, "13757100001").id)


def test_ten_thousand_numbers_load(session: Session, specs: None) -> None:
    seen: list[int] = []
    pool = numbers.create_pool(session, S, name="big", kind="msisdn")
    added = numbers.add_numbers(
        session,
        pool,
        [str(n) for n in range(13757100000, 13757110000)],
        progress=seen.append,
    )
    assert added == 10_000 and seen[-1] == 10_000 and len(seen) == 5
    assert numbers.status(session, S, pool.id)["byStatus"]["available"] == 10_000
