"""Solomon parser and the independent VRPTW feasibility checker."""

from __future__ import annotations

from pathlib import Path

import pytest

from openboss.workforce import solomon

DATA = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "solomon"
if not DATA.exists():  # the working tree may live elsewhere than /work/main
    DATA = Path("/work/shared/datasets/solomon")


def c101() -> solomon.Instance:
    return solomon.load(DATA / "C101.txt")


def test_parses_the_real_c101_file_with_crlf_endings() -> None:
    raw = (DATA / "C101.txt").read_bytes()
    assert b"\r\n" in raw
    inst = c101()
    assert inst.name == "C101"
    assert (inst.vehicles, inst.capacity) == (25, 200)
    assert len(inst.customers) == 101
    assert inst.depot == solomon.Customer(0, 40.0, 50.0, 0, 0, 1236, 0)
    assert inst.customers[1] == solomon.Customer(1, 45.0, 68.0, 10, 912, 967, 90)
    assert inst.customers[100].id == 100
    assert inst.distance(0, 1) == pytest.approx((5**2 + 18**2) ** 0.5)


def test_parses_lf_text_and_rejects_garbage() -> None:
    text = (DATA / "R101.txt").read_text().replace("\r\n", "\n")
    assert len(solomon.parse(text).customers) == 101
    with pytest.raises(solomon.SolomonFormatError):
        solomon.parse("hello\nworld\n")
    broken = text.replace("VEHICLE", "VEHICLES_GONE").replace("NUMBER", "x")
    with pytest.raises(solomon.SolomonFormatError):
        solomon.parse(broken.replace("CUSTOMER", "NOPE"))


def _tiny() -> solomon.Instance:
    # depot at origin, horizon 100; two customers on the x axis.
    return solomon.Instance(
        "T",
        vehicles=2,
        capacity=10,
        customers=(
            solomon.Customer(0, 0, 0, 0, 0, 100, 0),
            solomon.Customer(1, 10, 0, 6, 0, 20, 5),
            solomon.Customer(2, 20, 0, 6, 30, 40, 5),
        ),
    )


def test_checker_accepts_a_feasible_solution() -> None:
    inst = _tiny()
    assert solomon.check(inst, [[1], [2]]) == []
    assert solomon.total_distance(inst, [[1], [2]]) == pytest.approx(60.0)


@pytest.mark.parametrize(
    ("routes", "kind"),
    [
        ([[1, 2]], "capacity"),  # 12 > 10
        ([[1], [2], []], None),  # empty routes do not count against the fleet
        ([[1], [2, 1]], "duplicate"),
        ([[1]], "missing"),
        ([[1], [7]], "unknown_customer"),
    ],
)
def test_checker_catches_each_violation_kind(routes: list[list[int]], kind: str | None) -> None:
    kinds = {v.kind for v in solomon.check(_tiny(), routes)}
    if kind is None:
        assert kinds == set()
    else:
        assert kind in kinds


def test_checker_catches_time_window_depot_return_and_fleet() -> None:
    base = _tiny()
    late = solomon.Instance("late", 2, 100, base.customers)
    # customer 2 (ready 30, due 40) first, then customer 1 whose due date 20 has passed.
    assert "time_window" in {v.kind for v in solomon.check(late, [[2, 1]])}
    short = solomon.Instance(
        "short",
        2,
        100,
        (solomon.Customer(0, 0, 0, 0, 0, 30, 0), *base.customers[1:]),
    )
    # customer 2 starts at 30 ≤ due 40 but the vehicle is back at 55 > 30.
    assert {v.kind for v in solomon.check(short, [[1], [2]])} == {"depot_return"}
    one = solomon.Instance("one", 1, 100, base.customers)
    assert {v.kind for v in solomon.check(one, [[1], [2]])} == {"fleet"}
