"""CP-SAT rostering: rules hold, conflicting rules are named, edits are validated."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openboss.workforce import roster
from openboss.workforce.roster import Coverage, Roster, RosterEdit, Rules, Staff


def team(
    n: int = 8, area: str = "A", skills: tuple[str, ...] = ("splice",), **kw: object
) -> list[Staff]:
    return [Staff(f"S{i}", area, frozenset(skills), **kw) for i in range(n)]  # type: ignore[arg-type]


def test_small_roster_meets_every_rule() -> None:
    staff = team(8, weekly_hours_max=40, weekly_hours_min=16)
    staff[0] = Staff("S0", "A", frozenset({"splice"}), leave=frozenset({0, 1, 2}))
    rules = Rules(
        coverage=(Coverage("A", "D", "splice", 2), Coverage("A", "N", "splice", 1)),
        max_consecutive_days=5,
    )
    r = roster.build_roster(staff, rules, 14, seconds=5, workers=1)
    assert isinstance(r, Roster), r
    assert roster.check_roster(r) == []
    assert r.assignment["S0"][:3] == [None, None, None]
    for d in range(14):
        assert sum(1 for row in r.assignment.values() if row[d] == "D") >= 2
        assert sum(1 for row in r.assignment.values() if row[d] == "N") >= 1
    # N then D the next morning leaves 0 h of rest: never rostered
    for row in r.assignment.values():
        for a, b in itertools.pairwise(row):
            assert (a, b) not in {("N", "D"), ("N", "E"), ("E", "D")}


def test_preferences_and_fairness_shape_the_roster() -> None:
    staff = [
        Staff(
            f"S{i}",
            "A",
            frozenset({"splice"}),
            preferred_off=frozenset({3}) if i < 2 else frozenset(),
        )
        for i in range(6)
    ]
    rules = Rules(coverage=(Coverage("A", "N", "splice", 1),))
    r = roster.build_roster(staff, rules, 14, seconds=5, workers=1)
    assert isinstance(r, Roster)
    assert r.assignment["S0"][3] is None and r.assignment["S1"][3] is None
    nights = [sum(1 for c in row if c == "N") for row in r.assignment.values()]
    assert max(nights) - min(nights) <= 1  # 14 nights over 6 people: 2 or 3 each


def test_conflicting_rules_are_named() -> None:
    # Three people must all work the day shift every day of the week, but nobody may
    # work more than 3 days in a row: coverage and max_consecutive_days clash (the
    # 56 h week, the rest rule and leave are not part of the conflict).
    staff = team(3, weekly_hours_max=56)
    rules = Rules(coverage=(Coverage("A", "D", "splice", 3),), max_consecutive_days=3)
    r = roster.build_roster(staff, rules, 7, seconds=5, workers=1, diagnose_seconds=10)
    assert isinstance(r, roster.Conflicts)
    assert r.rules == ["coverage:A/D/splice", "max_consecutive_days"]
    assert "cannot all hold" in r.message


def test_leave_against_coverage_is_named() -> None:
    staff = team(2)
    staff[1] = Staff("S1", "A", frozenset({"splice"}), leave=frozenset({2}))
    rules = Rules(coverage=(Coverage("A", "D", "splice", 2, days=(2,)),))
    r = roster.build_roster(staff, rules, 7, seconds=5, workers=1)
    assert isinstance(r, roster.Conflicts)
    assert r.rules == ["coverage:A/D/splice", "leave"]


def test_validate_edit_reports_only_the_new_violations() -> None:
    staff = team(4)
    rules = Rules(coverage=(Coverage("A", "D", "splice", 1),), max_consecutive_days=5)
    r = roster.build_roster(staff, rules, 7, seconds=5, workers=1)
    assert isinstance(r, Roster)
    d = 0
    on = next(s for s, row in r.assignment.items() if row[d] == "D")
    # removing the only D on day 0 (if only one) breaks coverage
    if sum(1 for row in r.assignment.values() if row[d] == "D") == 1:
        v = roster.validate_edit(r, RosterEdit(on, d, None))
        assert [x.rule for x in v] == ["coverage:A/D/splice"]
    # working every day breaks max consecutive days and maybe rest/hours
    edits = [RosterEdit("S0", day, "D") for day in range(7)]
    rules_broken = {x.rule for x in roster.validate_edit(r, edits)}
    assert "max_consecutive_days" in rules_broken
    # a night followed by a day shift breaks the minimum rest
    v2 = roster.validate_edit(r, [RosterEdit("S1", 3, "N"), RosterEdit("S1", 4, "D")])
    assert "min_rest" in {x.rule for x in v2}
    assert roster.validate_edit(r, RosterEdit("S9", 0, None))[0].rule == "unknown_staff"
    assert roster.validate_edit(r, RosterEdit("S0", 0, "X"))[0].rule == "unknown_shift"


def test_check_roster_catches_hand_made_breaches() -> None:
    staff = team(1, weekly_hours_max=16)
    staff[0] = Staff("S0", "A", frozenset({"splice"}), weekly_hours_max=16, leave=frozenset({6}))
    rules = Rules(coverage=(Coverage("A", "E", "splice", 1, days=(5,)),), max_consecutive_days=2)
    bad = Roster(staff, rules, 7, {"S0": ["D", "D", "D", None, "N", "D", "D"]})
    kinds = {v.rule for v in roster.check_roster(bad)}
    assert kinds == {
        "max_consecutive_days",
        "min_rest",
        "weekly_hours_max",
        "leave",
        "coverage:A/E/splice",
    }


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(3, 10),
    need=st.integers(0, 3),
    max_days=st.integers(2, 6),
    hours_max=st.sampled_from((24, 32, 40, 48)),
    leave_days=st.sets(st.integers(0, 9), max_size=4),
)
def test_any_roster_returned_meets_every_hard_rule(
    n: int, need: int, max_days: int, hours_max: int, leave_days: set[int]
) -> None:
    staff = team(n, weekly_hours_max=hours_max)
    staff[0] = Staff(
        "S0", "A", frozenset({"splice"}), weekly_hours_max=hours_max, leave=frozenset(leave_days)
    )
    rules = Rules(
        coverage=(Coverage("A", "D", "splice", need), Coverage("A", "N", "splice", min(need, 1))),
        max_consecutive_days=max_days,
    )
    # generous limits: the solver stops as soon as it has an answer; short ones
    # made the conflict diagnosis time out on a loaded machine
    r = roster.build_roster(staff, rules, 10, seconds=20, workers=1, diagnose_seconds=30)
    if isinstance(r, Roster):
        assert roster.check_roster(r) == []
    else:
        # a conflict names at least one rule, and only rules of this rule set
        assert r.rules
        known = {
            "coverage:A/D/splice",
            "coverage:A/N/splice",
            "max_consecutive_days",
            "min_rest",
            "weekly_hours_max",
            "leave",
        }
        assert set(r.rules) <= known
