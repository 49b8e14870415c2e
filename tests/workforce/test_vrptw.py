"""The routing engine on Solomon instances (short limits: correctness, not speed)."""

from __future__ import annotations

import pytest

from openboss.workforce import solomon, vrptw
from tests.workforce.test_solomon import DATA


def test_c101_is_solved_feasibly_close_to_best_known() -> None:
    inst = solomon.load(DATA / "C101.txt")
    sol = vrptw.solve_solomon(inst, seconds=2)
    assert solomon.check(inst, sol.routes) == []
    assert sol.vehicles == len(sol.routes) <= inst.vehicles
    assert sorted(c for r in sol.routes for c in r) == list(range(1, 101))
    assert sol.distance == pytest.approx(solomon.total_distance(inst, sol.routes))
    # best known distance-only value 828.94; allow 5 % for a 2 s run on a busy machine
    assert vrptw.gap(sol.distance, 828.94) < 5.0


def test_tight_r_instance_respects_windows_and_fleet() -> None:
    inst = solomon.load(DATA / "R101.txt")
    sol = vrptw.solve_solomon(inst, seconds=1)
    assert solomon.check(inst, sol.routes) == []


def test_integer_scaling_never_produces_float_infeasibility() -> None:
    # Travel times are rounded *up* for the solver, so a schedule that is feasible
    # for the solver is feasible in exact arithmetic.
    inst = solomon.load(DATA / "RC101.txt")
    problem = vrptw.solomon_problem(inst)
    for i in (0, 5, 50):
        for j in (1, 7, 99):
            assert problem.travel[i][j] >= inst.distance(i, j) * vrptw.SCALE
            assert abs(problem.cost[i][j] - inst.distance(i, j) * vrptw.SCALE) <= 0.5


def test_unknown_search_preset_is_refused() -> None:
    inst = solomon.load(DATA / "C101.txt")
    with pytest.raises(ValueError, match="unknown search"):
        vrptw.solve_solomon(inst, seconds=0.1, search="nope")


def test_portfolio_keeps_the_shortest_feasible_result() -> None:
    inst = solomon.load(DATA / "C201.txt")
    sol = vrptw.solve_solomon(
        inst, seconds=1, first_solution="parallel_cheapest_insertion,savings", workers=1
    )
    assert sol.strategy in {"parallel_cheapest_insertion", "savings"}
    assert solomon.check(inst, sol.routes) == []
    with pytest.raises(ValueError, match="unknown first solution"):
        vrptw.solve_solomon(inst, seconds=0.1, first_solution="savings,magic")
