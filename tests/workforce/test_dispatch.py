"""Technician day planning: skills, windows, shifts, reasons, replanning, overrides."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openboss.workforce import dispatch, roster
from openboss.workforce.dispatch import Job, Technician

# Around West Lake, Hangzhou; 0.01° ≈ 1.1 km, ≈ 3 travel minutes at the default speed.
LAT, LON = 30.25, 120.15


def tech(tid: str, dx: float = 0, skills: dict[str, int] | None = None, **kw: int) -> Technician:
    return Technician(tid, LAT, LON + dx, skills or {"ftth_install": 2}, **kw)


def job(jid: str, dx: float = 0.01, **kw: object) -> Job:
    kw.setdefault("duration", 30)
    kw.setdefault("skills", {"ftth_install": 1})
    return Job(jid, LAT, LON + dx, **kw)  # type: ignore[arg-type]


def test_travel_minutes_from_coordinates() -> None:
    travel = dispatch.Travel(speed_kmh=30, detour=1.0)
    # one degree of latitude ≈ 111.2 km → 222.4 min at 30 km/h, rounded up
    assert travel.minutes((30.0, 120.0), (31.0, 120.0)) == 223
    assert travel.minutes((30.0, 120.0), (30.0, 120.0)) == 0


def test_job_goes_to_the_technician_with_the_skill_level() -> None:
    techs = [tech("near", 0.0, {"fiber_splice": 1}), tech("far", 0.2, {"fiber_splice": 3})]
    plan = dispatch.plan_day(techs, [job("J1", skills={"fiber_splice": 2})], seconds=0.5)
    assert [v.job_id for v in plan.routes["far"]] == ["J1"]
    assert plan.routes["near"] == []
    assert dispatch.verify_plan(plan) == []


def test_every_unassigned_job_has_its_reason() -> None:
    techs = [tech("T1", shift_start=480, shift_end=960)]
    jobs = [
        job("skill", skills={"enterprise_line": 1}),
        job("window", window=(1000, 1100)),  # after the shift
        job("big1", duration=300, priority=1),
        job("big2", duration=300, priority=4),  # both do not fit in 480 min
    ]
    plan = dispatch.plan_day(techs, jobs, seconds=0.5)
    reasons = {u.job_id: u.reason for u in plan.unassigned}
    assert reasons == {
        "skill": "no_skilled_technician",
        "window": "no_window_fits",
        "big2": "capacity",
    }
    assert [v.job_id for v in plan.routes["T1"]] == ["big1"]  # higher priority kept


def test_sla_deadline_puts_the_urgent_job_first() -> None:
    techs = [tech("T1")]
    jobs = [job("normal", dx=0.01), job("urgent", dx=0.012, sla_deadline=540)]
    plan = dispatch.plan_day(techs, jobs, seconds=0.5)
    route = plan.routes["T1"]
    assert route[0].job_id == "urgent"
    assert route[0].start <= 540


def test_replan_keeps_locked_jobs_and_places_the_urgent_repair() -> None:
    techs = [tech("T1", 0.0), tech("T2", 0.05)]
    jobs = [job(f"J{i}", dx=0.01 * i, window=(480, 1000)) for i in range(6)]
    plan = dispatch.plan_day(techs, jobs, seconds=0.5)
    assert plan.assigned == 6
    locked = [r[0].job_id for r in plan.routes.values() if r]
    urgent = job("R1", dx=0.03, priority=1, sla_deadline=700, window=(600, 1000))
    new = dispatch.replan(plan, [urgent], locked=locked, now=600, seconds=0.5)
    assert dispatch.verify_plan(new) == []
    assert new.visit_of("R1") is not None
    for jid in locked:
        before, after = plan.visit_of(jid), new.visit_of(jid)
        assert after is not None and before is not None
        assert (after.technician_id, after.start) == (before.technician_id, before.start)
        assert new.routes[after.technician_id][0].job_id == jid
    for v in (v for r in new.routes.values() for v in r if v.job_id not in locked):
        assert v.start >= 600  # nothing new starts in the past


def test_replan_refuses_unknown_locked_jobs() -> None:
    plan = dispatch.plan_day([tech("T1")], [job("J1")], seconds=0.2)
    with pytest.raises(ValueError, match="locked jobs not in the plan"):
        dispatch.replan(plan, [], locked=["nope"], seconds=0.2)


def test_check_assignment_names_the_rules_an_override_breaks() -> None:
    techs = [
        tech("T1", 0.0, {"ftth_install": 1}, shift_start=480, shift_end=720),
        tech("T2", 0.0, {"ftth_install": 3}),
    ]
    jobs = [
        job("lvl", skills={"ftth_install": 2}),
        job("late", window=(900, 960)),  # T1 could wait for it, but goes home at 720
        job("early", window=(400, 450)),  # nobody starts before 480
        job("long", duration=230),
        job("sla", sla_deadline=480),
    ]
    plan = dispatch.plan_day(techs, jobs, seconds=0.5)
    rules = lambda j, t: {v.rule for v in dispatch.check_assignment(plan, j, t)}  # noqa: E731
    assert "skill" in rules("lvl", "T1")
    assert rules("lvl", "T2") <= {"sla_deadline"}
    assert rules("late", "T1") == {"shift_end"}
    assert "time_window" in rules("early", "T2")
    assert "shift_end" in rules("long", "T1")
    warnings = [v for v in dispatch.check_assignment(plan, "sla", "T2") if v.rule == "sla_deadline"]
    assert warnings and warnings[0].severity == "warning"
    assert {v.rule for v in dispatch.check_assignment(plan, "x", "T1")} == {"unknown_job"}
    holder = plan.visit_of("lvl")
    assert holder is not None and holder.technician_id == "T2"
    assert "locked" in rules_locked(plan, "lvl", "T1")


def rules_locked(plan: dispatch.Plan, job_id: str, tech_id: str) -> set[str]:
    return {v.rule for v in dispatch.check_assignment(plan, job_id, tech_id, locked=[job_id])}


def test_verify_plan_catches_a_tampered_plan() -> None:
    plan = dispatch.plan_day([tech("T1")], [job("J1", window=(600, 660))], seconds=0.2)
    v = plan.routes["T1"][0]
    plan.routes["T1"][0] = replace(v, start=700, end=730)
    assert any("outside window" in e for e in dispatch.verify_plan(plan))
    plan.routes["T1"][0] = replace(v, start=v.start, end=v.end)
    plan.routes["T1"].append(replace(v))
    assert any("planned twice" in e for e in dispatch.verify_plan(plan))


# --------------------------------------------------------------------------- properties

SK = ("a", "b", "c")


@st.composite
def day(draw: st.DrawFn) -> tuple[list[Technician], list[Job]]:
    n_t = draw(st.integers(1, 3))
    n_j = draw(st.integers(1, 8))
    coord = st.floats(-0.05, 0.05)
    techs = []
    for k in range(n_t):
        skills = draw(st.dictionaries(st.sampled_from(SK), st.integers(1, 3), min_size=1))
        start = draw(st.sampled_from((420, 480, 540)))
        techs.append(
            Technician(
                f"T{k}",
                LAT + draw(coord),
                LON + draw(coord),
                skills,
                start,
                start + draw(st.integers(120, 540)),
            )
        )
    jobs = []
    for i in range(n_j):
        lo = draw(st.integers(400, 1000))
        jobs.append(
            Job(
                f"J{i}",
                LAT + draw(coord),
                LON + draw(coord),
                duration=draw(st.integers(5, 120)),
                skills=draw(st.dictionaries(st.sampled_from(SK), st.integers(1, 3), max_size=2)),
                window=(lo, lo + draw(st.integers(0, 300))),
                priority=draw(st.integers(1, 5)),
                sla_deadline=draw(st.none() | st.integers(450, 1100)),
            )
        )
    return techs, jobs


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(day())
def test_every_plan_respects_skills_windows_and_shifts(
    inst: tuple[list[Technician], list[Job]],
) -> None:
    techs, jobs = inst
    plan = dispatch.plan_day(techs, jobs, seconds=0.1)
    assert dispatch.verify_plan(plan) == []
    by_id = {j.id: j for j in jobs}
    for u in plan.unassigned:
        j = by_id[u.job_id]
        skilled = [t for t in techs if dispatch.has_skills(t, j)]
        if u.reason == "no_skilled_technician":
            assert skilled == []
        else:
            assert skilled
    assert plan.assigned <= dispatch.capacity_bound(plan)["bound"]
    # an override onto the planned technician is always valid
    for route in plan.routes.values():
        for v in route:
            assert [
                x
                for x in dispatch.check_assignment(plan, v.job_id, v.technician_id)
                if x.severity == "error"
            ] == []


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 6), st.integers(0, 10_000))
def test_plans_only_use_technicians_the_roster_puts_on_duty(day_no: int, seed: int) -> None:
    staff, rules = roster.synthetic_staff(30, areas=1, seed=seed)
    r = roster.build_roster(staff, rules, 7, seconds=2, workers=1)
    assert isinstance(r, roster.Roster)
    duty = roster.on_duty(r, day_no)
    techs = [
        Technician(
            s.id, LAT + (i % 5) * 0.01, LON, dict.fromkeys(s.skills, 2), sh.start, min(sh.end, 1440)
        )
        for i, (s, sh) in enumerate(duty)
    ]
    _, jobs = dispatch.synthetic_day(1, 15, seed=seed, radius_km=4)
    plan = dispatch.plan_day(techs, jobs, seconds=0.3)
    assert dispatch.verify_plan(plan) == []
    on = {s.id: sh for s, sh in duty}
    for tid, route in plan.routes.items():
        for v in route:
            assert tid in on
            assert on[tid].start <= v.start and v.end <= on[tid].end


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(day(), st.integers(500, 900))
def test_replan_never_moves_locked_jobs_nor_starts_new_work_in_the_past(
    inst: tuple[list[Technician], list[Job]], now: int
) -> None:
    techs, jobs = inst
    plan = dispatch.plan_day(techs, jobs, seconds=0.1)
    locked = [r[0].job_id for r in plan.routes.values() if r and r[0].start < now]
    extra = Job("NEW", LAT, LON, duration=30, skills={}, window=(now, now + 240), priority=1)
    new = dispatch.replan(plan, [extra], locked=locked, now=now, seconds=0.1)
    assert dispatch.verify_plan(new) == []
    for jid in locked:
        a, b = plan.visit_of(jid), new.visit_of(jid)
        assert a is not None and b is not None
        assert (a.technician_id, a.start) == (b.technician_id, b.start)
    for route in new.routes.values():
        for v in route:
            if v.job_id not in locked:
                assert v.start >= now
