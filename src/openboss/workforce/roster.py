"""Rostering (排班) with OR-Tools CP-SAT: who works which shift on which day.

eTOM Workforce Management (Resource Management & Operations): workforce scheduling;
PBOSS construction management (DOMAIN.md §3.4).

Hard rules (each can be named in a conflict report):

* ``coverage:<area>/<shift>/<skill>`` — at least ``min_staff`` people holding the skill
  and belonging to the area work that shift (every day, or on the listed days);
* ``max_consecutive_days`` — nobody works more than N days in a row;
* ``min_rest`` — at least H hours between the end of one shift and the next start;
* ``weekly_hours_max`` / ``weekly_hours_min`` — contract hours per 7-day week (each
  person's own limits; a trailing partial week and, for the minimum, days of leave
  are prorated);
* ``leave`` — nobody works on a day of approved leave.

Soft goals (objective): fairness (spread night and weekend shifts evenly: the gap
between the most and the least loaded person), preferences (requested days off,
preferred shifts), and not rostering more shifts than the rules need.

When the hard rules cannot all hold, :func:`build_roster` returns :class:`Conflicts`:
every rule group gets an enforcement literal, the model is solved under those
literals as *assumptions*, and CP-SAT's sufficient assumptions for infeasibility
(an unsatisfiable core) name the rule groups that clash; the core is then shrunk by
deletion while time allows, so the report names few rules, each of them needed.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ortools.sat.python import cp_model

WEEKEND = (5, 6)  # day % 7 for Saturday and Sunday when day 0 is a Monday


@dataclass(frozen=True, slots=True)
class Shift:
    """A shift template; ``start``/``end`` are minutes from the day's midnight (``end``
    past 1440 for a night shift ending the next morning)."""

    code: str
    start: int
    end: int
    night: bool = False

    @property
    def minutes(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Staff:
    id: str
    area: str
    skills: frozenset[str]
    weekly_hours_max: int = 40
    weekly_hours_min: int = 0
    leave: frozenset[int] = frozenset()
    preferred_off: frozenset[int] = frozenset()
    preferred_shifts: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Coverage:
    area: str
    shift: str
    skill: str
    min_staff: int
    days: tuple[int, ...] | None = None  # None: every day

    @property
    def rule(self) -> str:
        return f"coverage:{self.area}/{self.shift}/{self.skill}"


DEFAULT_SHIFTS = (
    Shift("D", 8 * 60, 16 * 60),
    Shift("E", 14 * 60, 22 * 60),
    Shift("N", 22 * 60, 30 * 60, night=True),
)


@dataclass(frozen=True, slots=True)
class Rules:
    coverage: tuple[Coverage, ...]
    shifts: tuple[Shift, ...] = DEFAULT_SHIFTS
    max_consecutive_days: int = 6
    min_rest_hours: int = 11
    fairness_weight: int = 20
    preference_weight: int = 5
    shift_cost: int = 1

    def shift(self, code: str) -> Shift:
        for s in self.shifts:
            if s.code == code:
                return s
        raise KeyError(code)


@dataclass(slots=True)
class Roster:
    """``assignment[staff_id][day]`` is a shift code or ``None`` (day off)."""

    staff: list[Staff]
    rules: Rules
    days: int
    assignment: dict[str, list[str | None]]
    objective: float = 0.0
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Conflicts:
    """The hard rules cannot all hold; ``rules`` names a (small) clashing set."""

    rules: list[str]
    message: str
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RosterEdit:
    """A manual change: ``staff_id`` works ``shift`` on ``day`` (``None``: day off)."""

    staff_id: str
    day: int
    shift: str | None


@dataclass(frozen=True, slots=True)
class RuleViolation:
    rule: str
    message: str
    severity: Literal["error", "warning"] = "error"


def _weeks(days: int) -> list[tuple[int, int, float]]:
    """``(first_day, last_day_exclusive, fraction_of_a_week)`` per week."""
    return [(w, min(w + 7, days), (min(w + 7, days) - w) / 7) for w in range(0, days, 7)]


def _min_minutes(s: Staff, lo: int, hi: int) -> int:
    """Minimum contract minutes in days ``lo..hi-1``, prorated by the days not on leave."""
    available = sum(1 for d in range(lo, hi) if d not in s.leave)
    return int(s.weekly_hours_min * 60 * available / 7)


def _rest_clashes(rules: Rules) -> list[tuple[str, str]]:
    """Shift pairs (today, tomorrow) that leave less than the minimum rest."""
    out = []
    for a in rules.shifts:
        for b in rules.shifts:
            rest = 24 * 60 + b.start - a.end
            if rest < rules.min_rest_hours * 60:
                out.append((a.code, b.code))
    return out


class _Model:
    def __init__(
        self,
        staff: Sequence[Staff],
        rules: Rules,
        days: int,
        *,
        assumptions: bool,
        objective: bool,
    ) -> None:
        self.m = cp_model.CpModel()
        m = self.m
        self.staff, self.rules, self.days = list(staff), rules, days
        self.lits: dict[str, Any] = {}

        def guard(rule: str) -> list[Any]:
            if not assumptions:
                return []
            if rule not in self.lits:
                self.lits[rule] = m.new_bool_var(rule)
            return [self.lits[rule]]

        codes = [s.code for s in rules.shifts]
        self.x: dict[tuple[int, int, str], Any] = {}
        for p in range(len(self.staff)):
            for d in range(days):
                row = [m.new_bool_var("") for _ in codes]
                for c, v in zip(codes, row, strict=True):
                    self.x[p, d, c] = v
                m.add_at_most_one(row)
        work = {
            (p, d): sum(self.x[p, d, c] for c in codes)
            for p in range(len(self.staff))
            for d in range(days)
        }
        # leave
        for p, s in enumerate(self.staff):
            for d in s.leave:
                if 0 <= d < days:
                    m.add(work[p, d] == 0).only_enforce_if(guard("leave"))
        # coverage
        by_area_skill: dict[tuple[str, str], list[int]] = {}
        for p, s in enumerate(self.staff):
            for sk in s.skills:
                by_area_skill.setdefault((s.area, sk), []).append(p)
        for cov in rules.coverage:
            people = by_area_skill.get((cov.area, cov.skill), [])
            for d in cov.days if cov.days is not None else range(days):
                if 0 <= d < days:
                    m.add(
                        sum(self.x[p, d, cov.shift] for p in people) >= cov.min_staff
                    ).only_enforce_if(guard(cov.rule))
        # max consecutive days
        k = rules.max_consecutive_days
        if k < days:
            for p in range(len(self.staff)):
                for d in range(days - k):
                    m.add(sum(work[p, d + i] for i in range(k + 1)) <= k).only_enforce_if(
                        guard("max_consecutive_days")
                    )
        # minimum rest
        for a, b in _rest_clashes(rules):
            for p in range(len(self.staff)):
                for d in range(days - 1):
                    m.add_bool_or(
                        [self.x[p, d, a].negated(), self.x[p, d + 1, b].negated()]
                    ).only_enforce_if(guard("min_rest"))
        # weekly hours (in minutes)
        minutes = {s.code: s.minutes for s in rules.shifts}
        for p, s in enumerate(self.staff):
            for lo, hi, frac in _weeks(days):
                total = sum(minutes[c] * self.x[p, d, c] for d in range(lo, hi) for c in codes)
                m.add(total <= int(s.weekly_hours_max * 60 * frac)).only_enforce_if(
                    guard("weekly_hours_max")
                )
                if s.weekly_hours_min:
                    m.add(total >= _min_minutes(s, lo, hi)).only_enforce_if(
                        guard("weekly_hours_min")
                    )
        if objective:
            self._objective(work, codes)

    def _objective(self, work: dict[tuple[int, int], Any], codes: list[str]) -> None:
        m, rules, days = self.m, self.rules, self.days
        terms: list[Any] = []
        n = len(self.staff)
        nights = [c for c in codes if self.rules.shift(c).night]
        for label, counted in (
            ("nights", [[self.x[p, d, c] for d in range(days) for c in nights] for p in range(n)]),
            (
                "weekends",
                [[work[p, d] for d in range(days) if d % 7 in WEEKEND] for p in range(n)],
            ),
        ):
            if not any(counted):
                continue
            ub = max(len(c) for c in counted)
            hi = m.new_int_var(0, ub, f"max_{label}")
            lo = m.new_int_var(0, ub, f"min_{label}")
            for p in range(n):
                if counted[p]:
                    m.add(sum(counted[p]) <= hi)
                    m.add(sum(counted[p]) >= lo)
            terms.append(rules.fairness_weight * (hi - lo))
        for p, s in enumerate(self.staff):
            for d in s.preferred_off:
                if 0 <= d < days:
                    terms.append(rules.preference_weight * work[p, d])
            if s.preferred_shifts:
                for d in range(days):
                    for c in codes:
                        if c not in s.preferred_shifts:
                            terms.append(rules.preference_weight * self.x[p, d, c])
        if rules.shift_cost:
            terms.append(rules.shift_cost * sum(work.values()))
        m.minimize(sum(terms))


class _FirstSolution(cp_model.CpSolverSolutionCallback):
    """Records when the first roster was found (model building included)."""

    def __init__(self, t0: float) -> None:
        super().__init__()
        self.t0 = t0
        self.seconds: float | None = None

    def on_solution_callback(self) -> None:
        if self.seconds is None:
            self.seconds = round(time.perf_counter() - self.t0, 2)


def build_roster(
    staff: Sequence[Staff],
    rules: Rules,
    days: int = 28,
    *,
    seconds: float = 30.0,
    workers: int = 2,
    diagnose_seconds: float = 20.0,
) -> Roster | Conflicts:
    """Roster ``days`` days (day 0 is a Monday), or name the rules that conflict."""
    t0 = time.perf_counter()
    ids = [s.id for s in staff]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate staff ids")
    codes = {s.code for s in rules.shifts}
    for cov in rules.coverage:
        if cov.shift not in codes:
            raise ValueError(f"coverage rule names an unknown shift {cov.shift!r}")
    model = _Model(staff, rules, days, assumptions=False, objective=True)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    first = _FirstSolution(t0)
    status = solver.solve(model.m, first)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        assignment: dict[str, list[str | None]] = {}
        for p, s in enumerate(staff):
            row: list[str | None] = []
            for d in range(days):
                row.append(
                    next(
                        (c.code for c in rules.shifts if solver.value(model.x[p, d, c.code])), None
                    )
                )
            assignment[s.id] = row
        return Roster(
            list(staff),
            rules,
            days,
            assignment,
            objective=solver.objective_value,
            stats={
                "status": solver.status_name(status),
                "best_bound": solver.best_objective_bound,
                "first_solution_seconds": first.seconds,
                "wall_seconds": round(time.perf_counter() - t0, 2),
            },
        )
    if status == cp_model.INFEASIBLE:
        rules_found = diagnose(staff, rules, days, seconds=diagnose_seconds)
        message = (
            "these rules cannot all hold together: " + ", ".join(rules_found)
            if rules_found
            else f"the rules cannot all hold; the conflict was not isolated in {diagnose_seconds} s"
        )
        return Conflicts(
            rules_found,
            message,
            stats={"wall_seconds": round(time.perf_counter() - t0, 2)},
        )
    return Conflicts(
        [],
        f"no roster found within {seconds} s (solver status {solver.status_name(status)})",
        stats={"wall_seconds": round(time.perf_counter() - t0, 2)},
    )


def diagnose(
    staff: Sequence[Staff], rules: Rules, days: int, *, seconds: float = 20.0
) -> list[str]:
    """Names of rule groups that together are infeasible (an unsatisfiable core)."""
    deadline = time.perf_counter() + seconds
    model = _Model(staff, rules, days, assumptions=True, objective=False)
    names = list(model.lits)

    def infeasible_core(active: list[str]) -> list[str] | None:
        model.m.clear_assumptions()
        model.m.add_assumptions([model.lits[r] for r in active])
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.5, deadline - time.perf_counter())
        solver.parameters.num_workers = 1
        st = solver.solve(model.m)
        if st != cp_model.INFEASIBLE:
            return None
        core = set(solver.sufficient_assumptions_for_infeasibility())
        return [r for r in active if model.lits[r].index in core]

    core = infeasible_core(names)
    if core is None:
        return []
    # Deletion-based shrinking: drop a rule if the rest is still infeasible.
    i = 0
    while i < len(core) and time.perf_counter() < deadline:
        trial = core[:i] + core[i + 1 :]
        smaller = infeasible_core(trial) if trial else None
        if smaller is not None:
            core = smaller
        else:
            i += 1
    return sorted(core)


def on_duty(roster: Roster, day: int) -> list[tuple[Staff, Shift]]:
    """Who works on ``day`` and which shift — the technicians a day plan may use."""
    out = []
    for s in roster.staff:
        code = roster.assignment[s.id][day]
        if code is not None:
            out.append((s, roster.rules.shift(code)))
    return out


# --------------------------------------------------------------------------- checks


def check_roster(roster: Roster) -> list[RuleViolation]:
    """Independent check of every hard rule (no solver involved)."""
    rules, days = roster.rules, roster.days
    out: list[RuleViolation] = []
    by_id = {s.id: s for s in roster.staff}
    minutes = {s.code: s.minutes for s in rules.shifts}
    clashes = set(_rest_clashes(rules))
    for s in roster.staff:
        row = roster.assignment[s.id]
        for d in s.leave:
            if 0 <= d < days and row[d] is not None:
                out.append(RuleViolation("leave", f"{s.id} works on day {d}, on leave"))
        run = 0
        for d in range(days):
            run = run + 1 if row[d] is not None else 0
            if run == rules.max_consecutive_days + 1:
                out.append(
                    RuleViolation(
                        "max_consecutive_days",
                        f"{s.id} works more than "
                        f"{rules.max_consecutive_days} days in a row up to day {d}",
                    )
                )
            a, b = row[d], row[d + 1] if d + 1 < days else None
            if a is not None and b is not None and (a, b) in clashes:
                out.append(
                    RuleViolation(
                        "min_rest",
                        f"{s.id}: {a} on day {d} then {b} leaves < {rules.min_rest_hours} h rest",
                    )
                )
        for lo, hi, frac in _weeks(days):
            total = sum(minutes[c] for c in row[lo:hi] if c is not None)
            if total > s.weekly_hours_max * 60 * frac:
                out.append(
                    RuleViolation(
                        "weekly_hours_max", f"{s.id}: {total / 60:g} h in week of day {lo}"
                    )
                )
            if s.weekly_hours_min and total < _min_minutes(s, lo, hi):
                out.append(
                    RuleViolation(
                        "weekly_hours_min", f"{s.id}: {total / 60:g} h in week of day {lo}"
                    )
                )
    for cov in rules.coverage:
        for d in cov.days if cov.days is not None else range(days):
            if not 0 <= d < days:
                continue
            have = sum(
                1
                for sid, row in roster.assignment.items()
                if row[d] == cov.shift
                and by_id[sid].area == cov.area
                and cov.skill in by_id[sid].skills
            )
            if have < cov.min_staff:
                out.append(RuleViolation(cov.rule, f"day {d}: {have} of {cov.min_staff} needed"))
    return out


def validate_edit(roster: Roster, change: RosterEdit | Iterable[RosterEdit]) -> list[RuleViolation]:
    """Rules a manual edit would break that the roster did not already break."""
    changes = [change] if isinstance(change, RosterEdit) else list(change)
    new_assignment = {sid: list(row) for sid, row in roster.assignment.items()}
    codes = {s.code for s in roster.rules.shifts}
    for ch in changes:
        if ch.staff_id not in new_assignment:
            return [RuleViolation("unknown_staff", f"no staff member {ch.staff_id}")]
        if not 0 <= ch.day < roster.days:
            return [RuleViolation("unknown_day", f"day {ch.day} outside the roster")]
        if ch.shift is not None and ch.shift not in codes:
            return [RuleViolation("unknown_shift", f"no shift {ch.shift}")]
        new_assignment[ch.staff_id][ch.day] = ch.shift
    before = {(v.rule, v.message) for v in check_roster(roster)}
    edited = Roster(roster.staff, roster.rules, roster.days, new_assignment)
    return [v for v in check_roster(edited) if (v.rule, v.message) not in before]


# --------------------------------------------------------------------------- synthetic


def synthetic_staff(n: int = 300, *, areas: int = 10, seed: int = 11) -> tuple[list[Staff], Rules]:
    """``n`` technicians over ``areas`` areas with 5 skills, contract 32–40 h a week,
    a week of leave for some, preferred days off and shifts; coverage per area × shift
    × skill set to what the area's staff can sustain."""
    import random

    from openboss.workforce.dispatch import SKILLS

    rng = random.Random(seed)
    staff: list[Staff] = []
    for i in range(n):
        area = f"A{i % areas:02d}"
        skills = frozenset(rng.sample(SKILLS, rng.choice((1, 2, 2, 3))))
        leave: frozenset[int] = frozenset()
        if rng.random() < 0.15:
            start = rng.randrange(0, 22)
            leave = frozenset(range(start, start + rng.choice((2, 3, 5))))
        off = frozenset(rng.sample(range(28), 3)) if rng.random() < 0.5 else frozenset()
        pref = frozenset(rng.sample(("D", "E"), 1)) if rng.random() < 0.3 else frozenset()
        staff.append(
            Staff(
                f"S{i:03d}",
                area,
                skills,
                weekly_hours_max=40,
                weekly_hours_min=rng.choice((24, 32)),
                leave=leave,
                preferred_off=off,
                preferred_shifts=pref,
            )
        )
    coverage: list[Coverage] = []
    for a in range(areas):
        area = f"A{a:02d}"
        for skill in SKILLS:
            holders = sum(1 for s in staff if s.area == area and skill in s.skills)
            # ~5 shifts a week each; spread D/E/N 3:2:1 with room to spare.
            per_day = holders * 5 / 7 * 0.6
            for shift, share in (("D", 0.5), ("E", 1 / 3), ("N", 1 / 6)):
                need = int(per_day * share)
                if need:
                    coverage.append(Coverage(area, shift, skill, need))
    return staff, Rules(coverage=tuple(coverage))
