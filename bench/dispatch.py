"""Dispatch and rostering benchmark (OR-Tools engines of ``openboss.workforce``).

Three parts, each checked by code that does not trust the solver:

(a) the 56 Solomon 100-customer VRPTW instances (``../shared/datasets/solomon``),
    objective *total distance only*, ``--seconds`` each (default 10): gap to the
    distance-only best-known values (``best-known-distance-only.csv``; the two rows its
    README flags SUSPECT are reported but excluded from the mean), every solution
    re-checked by :func:`openboss.workforce.solomon.check` (capacity, time windows
    including the return to the depot, each customer once, fleet size).
    Target: mean gap ≤ 3 %, all feasible.
(b) a synthetic city day: 200 technicians, 2,000 jobs, 5 skills with levels, time
    windows, service times, home bases, priorities and SLA deadlines — a plan within
    60 s assigning ≥ 98 % of what capacity allows (an LP relaxation bound, see
    :func:`openboss.workforce.dispatch.capacity_bound`), every plan re-checked by
    :func:`~openboss.workforce.dispatch.verify_plan`, every unassigned job with its
    reason; then an urgent repair re-planned incrementally.
(c) a CP-SAT roster of 300 technicians × 28 days within 60 s, re-checked by
    :func:`openboss.workforce.roster.check_roster`; then an infeasible rule set whose
    conflicting rules must be named.

Writes ``bench/results/dispatch.json`` and ``.md`` and prints the summary. The
machine's load (other processes) is recorded: on a shared 2-core machine the solver
gets less than a core, and every figure here is then pessimistic.

    .venv/bin/python bench/dispatch.py                      # all parts (~12 min)
    .venv/bin/python bench/dispatch.py --part a --instances C101,R101 --seconds 5
    .venv/bin/python bench/dispatch.py --part b --day-seconds 45
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sys
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from openboss.workforce import dispatch, roster, solomon, vrptw  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DATA = Path(os.environ.get("OPENBOSS_SOLOMON_DIR", ROOT.parent / "shared" / "datasets" / "solomon"))
if not DATA.exists():
    DATA = Path("/work/shared/datasets/solomon")


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot (/proc/stat)."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    idle = values[3] + values[4]
    return (sum(values) - idle) / ticks, sum(values) / ticks


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (portfolio workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class Meter:
    """Wall time, this process's CPU time, and the CPU other processes took."""

    def __enter__(self) -> Meter:
        self.w0 = time.perf_counter()
        self.c0 = _cpu()
        self.b0, self.t0 = machine_busy()
        self.load0 = os.getloadavg()[0]
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.w0
        self.cpu = _cpu() - self.c0
        b1, _ = machine_busy()
        self.other_cpu = max(0.0, (b1 - self.b0) - self.cpu)
        self.load1 = os.getloadavg()[0]

    def as_dict(self) -> dict[str, float]:
        return {
            "wall_s": round(self.wall, 2),
            "cpu_s": round(self.cpu, 2),
            "cpu_share": round(self.cpu / self.wall, 2) if self.wall else 0.0,
            "other_processes_cpu_s": round(self.other_cpu, 1),
            "loadavg_start": round(self.load0, 2),
            "loadavg_end": round(self.load1, 2),
        }


# --------------------------------------------------------------------------- (a)


def best_known() -> dict[str, dict[str, Any]]:
    with open(DATA / "best-known-distance-only.csv", newline="") as f:
        return {
            r["instance"]: {
                "vehicles": int(r["vehicles"]),
                "distance": float(r["distance"]),
                "suspect": "SUSPECT" in (r.get("note") or ""),
            }
            for r in csv.DictReader(f)
        }


def part_a(args: argparse.Namespace) -> dict[str, Any]:
    bk = best_known()
    names = args.instances.split(",") if args.instances else sorted(bk)
    rows: list[dict[str, Any]] = []
    with Meter() as total:
        for name in names:
            inst = solomon.load(DATA / f"{name}.txt")
            with Meter() as m:
                sol = vrptw.solve_solomon(
                    inst,
                    seconds=args.seconds,
                    first_solution=args.first_solution,
                    search=args.search,
                    workers=args.workers,
                )
            problems = solomon.check(inst, sol.routes)
            ref = bk[name]
            row = {
                "instance": name,
                "vehicles": sol.vehicles,
                "distance": round(sol.distance, 2),
                "best_known": ref["distance"],
                "best_known_vehicles": ref["vehicles"],
                "gap_pct": round(vrptw.gap(sol.distance, ref["distance"]), 2),
                "feasible": not problems,
                "violations": [f"{p.kind}: {p.detail}" for p in problems],
                "excluded": ref["suspect"],
                "cpu_share": m.as_dict()["cpu_share"],
                "wall_s": m.as_dict()["wall_s"],
                "winner": sol.strategy,
            }
            rows.append(row)
            print(
                f"  {name:6s} v={sol.vehicles:2d} d={sol.distance:8.2f} bk={ref['distance']:8.2f} "
                f"gap={row['gap_pct']:6.2f}% {'ok' if not problems else 'INFEASIBLE'}"
                f"{' (excluded)' if ref['suspect'] else ''} cpu={row['cpu_share']}",
                flush=True,
            )
    counted = [r["gap_pct"] for r in rows if not r["excluded"]]
    by_family: dict[str, list[float]] = {}
    for r in rows:
        if not r["excluded"]:
            fam = r["instance"].rstrip("0123456789")
            fam += r["instance"][len(fam)]
            by_family.setdefault(fam, []).append(r["gap_pct"])
    mean_gap = round(vrptw.mean(counted), 2) if counted else None
    all_feasible = all(r["feasible"] for r in rows)
    return {
        "settings": {
            "seconds": args.seconds,
            "first_solution": args.first_solution,
            "search": args.search,
            "workers": args.workers,
        },
        "instances": len(rows),
        "counted_in_mean": len(counted),
        "mean_gap_pct": mean_gap,
        "max_gap_pct": max(counted) if counted else None,
        "family_mean_gap_pct": {k: round(vrptw.mean(v), 2) for k, v in sorted(by_family.items())},
        "all_feasible": all_feasible,
        "target": "mean gap ≤ 3 % over the 54 counted instances, every route feasible",
        "met": bool(
            mean_gap is not None and mean_gap <= 3.0 and all_feasible and len(counted) == 54
        ),
        "rows": rows,
        "meter": total.as_dict(),
    }


# --------------------------------------------------------------------------- (b)


def part_b(args: argparse.Namespace) -> dict[str, Any]:
    techs, jobs = dispatch.synthetic_day(200, 2000, seed=args.seed)
    with Meter() as m:
        plan = dispatch.plan_day(techs, jobs, seconds=args.day_seconds)
    errors = dispatch.verify_plan(plan)
    t0 = time.perf_counter()
    bound = dispatch.capacity_bound(plan)
    bound_s = time.perf_counter() - t0
    reasons = Counter(u.reason for u in plan.unassigned)
    ratio = plan.assigned / bound["bound"] * 100 if bound["bound"] else 100.0
    loads = [sum(v.end - v.start + v.travel for v in r) for r in plan.routes.values()]
    service = sum(j.duration for j in jobs)
    supply = sum(t.shift_end - t.shift_start for t in techs)
    sla_jobs = [j for j in jobs if j.sla_deadline is not None]
    sla_late = 0
    for j in sla_jobs:
        v = plan.visit_of(j.id)
        if v is not None and j.sla_deadline is not None and v.start > j.sla_deadline:
            sla_late += 1
    print(
        f"  plan: {plan.assigned}/{len(jobs)} assigned, bound {bound['bound']}, "
        f"{ratio:.2f}% in {m.wall:.1f}s, reasons {dict(reasons)}, errors {len(errors)}",
        flush=True,
    )
    # incremental re-optimisation: an urgent repair at 11:00, started jobs locked
    urgent = dispatch.Job(
        "URGENT-1",
        30.27,
        120.16,
        duration=60,
        skills={"copper_repair": 1},
        window=(660, 900),
        priority=1,
        sla_deadline=720,
    )
    locked = [v.job_id for r in plan.routes.values() for v in r if v.start < 660]
    with Meter() as rm:
        new = dispatch.replan(plan, [urgent], locked=locked, now=660, seconds=args.replan_seconds)
    new_errors = dispatch.verify_plan(new)
    moved_locked = sum(
        1
        for jid in locked
        if (a := plan.visit_of(jid)) is None
        or (b := new.visit_of(jid)) is None
        or (a.technician_id, a.start) != (b.technician_id, b.start)
    )
    uv = new.visit_of("URGENT-1")
    where = f"placed at {uv.start} with {uv.technician_id}" if uv else "NOT placed"
    print(
        f"  replan: urgent job {where} in {rm.wall:.1f}s, locked moved {moved_locked}, "
        f"errors {len(new_errors)}",
        flush=True,
    )
    # the same day with 60 % longer jobs: capacity binds, the LP bound gets loose
    tight_jobs = [replace(j, duration=int(j.duration * 1.6)) for j in jobs]
    with Meter() as tm:
        tight = dispatch.plan_day(techs, tight_jobs, seconds=args.day_seconds)
    tight_bound = dispatch.capacity_bound(tight)
    tight_reasons = Counter(u.reason for u in tight.unassigned)
    print(
        f"  overloaded day: {tight.assigned} assigned, LP bound {tight_bound['bound']} in "
        f"{tm.wall:.1f}s, reasons {dict(tight_reasons)}",
        flush=True,
    )
    return {
        "technicians": len(techs),
        "jobs": len(jobs),
        "seconds_limit": args.day_seconds,
        "assigned": plan.assigned,
        "capacity_bound": bound,
        "capacity_bound_seconds": round(bound_s, 2),
        "assigned_pct_of_bound": round(ratio, 2),
        "unassigned_by_reason": dict(reasons),
        "verify_errors": errors[:20],
        "service_minutes_over_shift_minutes": round(service / supply, 3),
        "travel_minutes": plan.stats.get("travel_minutes"),
        "worked_minutes_per_technician": {
            "min": min(loads),
            "max": max(loads),
            "mean": round(sum(loads) / len(loads), 1),
        },
        "sla_jobs": len(sla_jobs),
        "sla_started_late": sla_late,
        "engine_stats": plan.stats,
        "meter": m.as_dict(),
        "target": "plan in ≤ 60 s assigning ≥ 98 % of the capacity bound, verified",
        "met": bool(m.wall <= 60 and ratio >= 98.0 and not errors),
        "overloaded_day": {
            "note": "job durations × 1.6; informational, the LP bound ignores most travel",
            "assigned": tight.assigned,
            "capacity_bound": tight_bound,
            "assigned_pct_of_bound": round(tight.assigned / tight_bound["bound"] * 100, 2),
            "unassigned_by_reason": dict(tight_reasons),
            "verify_errors": dispatch.verify_plan(tight)[:20],
            "service_minutes_over_shift_minutes": round(
                sum(j.duration for j in tight_jobs) / supply, 3
            ),
            "meter": tm.as_dict(),
        },
        "replan": {
            "urgent_placed": uv is not None,
            "urgent_start": uv.start if uv else None,
            "urgent_technician": uv.technician_id if uv else None,
            "locked_jobs": len(locked),
            "locked_moved": moved_locked,
            "verify_errors": new_errors[:20],
            "groups_resolved": new.stats.get("groups_solved"),
            "meter": rm.as_dict(),
        },
    }


# --------------------------------------------------------------------------- (c)


def part_c(args: argparse.Namespace) -> dict[str, Any]:
    staff, rules = roster.synthetic_staff(300, areas=10, seed=args.seed)
    with Meter() as m:
        result = roster.build_roster(staff, rules, 28, seconds=args.roster_seconds, workers=2)
    out: dict[str, Any] = {
        "staff": len(staff),
        "days": 28,
        "coverage_rules": len(rules.coverage),
        "seconds_limit": args.roster_seconds,
        "meter": m.as_dict(),
    }
    if isinstance(result, roster.Roster):
        violations = roster.check_roster(result)
        shifts = sum(1 for row in result.assignment.values() for c in row if c)
        nights = [sum(1 for c in row if c == "N") for row in result.assignment.values()]
        out |= {
            "status": result.stats.get("status"),
            "objective": result.objective,
            "best_bound": result.stats.get("best_bound"),
            "first_solution_seconds": result.stats.get("first_solution_seconds"),
            "violations": len(violations),
            "shifts_rostered": shifts,
            "nights_per_person": {"min": min(nights), "max": max(nights)},
        }
        ok = not violations and m.wall <= 60
    else:
        out |= {"status": "conflicts", "conflicts": result.rules, "message": result.message}
        ok = False
    print(
        f"  roster: {out.get('status')} in {m.wall:.1f}s, violations {out.get('violations')}",
        flush=True,
    )
    # an infeasible rule set: every splicer of area A00 on the night shift, every night
    holders = [s for s in staff if s.area == "A00" and "fiber_splice" in s.skills]
    need = len(holders)
    bad = roster.Rules(
        coverage=(*rules.coverage, roster.Coverage("A00", "N", "fiber_splice", need)),
    )
    with Meter() as cm:
        conflict = roster.build_roster(staff, bad, 28, seconds=args.roster_seconds, workers=2)
    named = conflict.rules if isinstance(conflict, roster.Conflicts) else []
    print(f"  conflict demo: {named} in {cm.wall:.1f}s", flush=True)
    out |= {
        "target": "roster of 300 × 28 in ≤ 60 s meeting every hard rule",
        "met": ok,
        "conflict_demo": {
            "added_rule": f"coverage:A00/N/fiber_splice ≥ {need} "
            f"({len(holders)} holders in the area)",
            "named_rules": named,
            "message": getattr(conflict, "message", None),
            "meter": cm.as_dict(),
        },
    }
    return out


# --------------------------------------------------------------------------- report


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "# Dispatch and rostering benchmark",
        "",
        f"Last run {result['started']} on {result['machine']}, OR-Tools {result['ortools']}; "
        "see `bench/dispatch.py` for what",
        "each part does. *cpu share* is the CPU time of the solver processes over wall time;",
        "when it is below the number of processes used, the machine was shared with other",
        "work (other helpers' test runs) and the figures are pessimistic.",
        "",
    ]
    a = result.get("a")
    if a:
        lines += [
            "## (a) Solomon VRPTW, 100 customers, total distance only",
            "",
            f"Started {a.get('started', result['started'])}.",
            "",
            f"{a['instances']} instances, {a['settings']['seconds']} s each "
            f"(first solution {a['settings']['first_solution']}, {a['settings']['search']}, "
            f"{a['settings']['workers']} worker process(es)). "
            f"**Mean gap {a['mean_gap_pct']} %** over {a['counted_in_mean']} instances "
            f"({', '.join(r['instance'] for r in a['rows'] if r['excluded']) or 'none'} "
            f"excluded: flagged SUSPECT), max {a['max_gap_pct']} %; "
            f"all feasible: **{a['all_feasible']}**; target met: **{a['met']}**.",
            f"Whole part: {a['meter']['wall_s']} s wall, cpu share {a['meter']['cpu_share']}, "
            f"other processes took {a['meter']['other_processes_cpu_s']} CPU-s, load average "
            f"{a['meter']['loadavg_start']} → {a['meter']['loadavg_end']}.",
            "",
            "Mean gap by family: "
            + ", ".join(f"{k} {v} %" for k, v in a["family_mean_gap_pct"].items()),
            "",
            "| instance | vehicles | distance | best known (veh.) | gap % | feasible | winner "
            "| wall s | cpu share |",
            "|---|---:|---:|---:|---:|---|---|---:|---:|",
        ]
        for r in a["rows"]:
            lines.append(
                f"| {r['instance']}{' *(excluded)*' if r['excluded'] else ''} | {r['vehicles']} | "
                f"{r['distance']:.2f} | {r['best_known']:.2f} ({r['best_known_vehicles']}) | "
                f"{r['gap_pct']:.2f} | {'yes' if r['feasible'] else 'NO'} | {r['winner']} | "
                f"{r['wall_s']} | {r['cpu_share']} |"
            )
        lines.append("")
    b = result.get("b")
    if b:
        rp = b["replan"]
        lines += [
            "## (b) Synthetic day: 200 technicians, 2,000 jobs, 5 skills",
            "",
            f"Started {b.get('started', result['started'])}.",
            "",
            f"- plan in **{b['meter']['wall_s']} s** (limit {b['seconds_limit']} s for the search; "
            f"cpu share {b['meter']['cpu_share']}, load {b['meter']['loadavg_start']} → "
            f"{b['meter']['loadavg_end']})",
            f"- assigned **{b['assigned']}** of {b['jobs']}; capacity bound "
            f"{b['capacity_bound']['bound']} (individually feasible "
            f"{b['capacity_bound']['individually_feasible']}, LP bound "
            f"{b['capacity_bound']['lp_bound']}) → **{b['assigned_pct_of_bound']} %**; "
            f"target met: **{b['met']}**",
            f"- unassigned by reason: {b['unassigned_by_reason']}",
            f"- independent verification errors: {len(b['verify_errors'])}",
            f"- service minutes / shift minutes: {b['service_minutes_over_shift_minutes']}; "
            f"travel {b['travel_minutes']} min in total; worked minutes per technician "
            f"{b['worked_minutes_per_technician']}",
            f"- SLA jobs {b['sla_jobs']}, started after the deadline {b['sla_started_late']}",
            f"- engine: {b['engine_stats']}",
            f"- overloaded variant (durations × 1.6, service/shift "
            f"{b['overloaded_day']['service_minutes_over_shift_minutes']}): assigned "
            f"{b['overloaded_day']['assigned']}, LP bound "
            f"{b['overloaded_day']['capacity_bound']['bound']} → "
            f"{b['overloaded_day']['assigned_pct_of_bound']} % (the LP counts only the "
            f"nearest-neighbour hop per job, so this is a loose bound), reasons "
            f"{b['overloaded_day']['unassigned_by_reason']}, verification errors "
            f"{len(b['overloaded_day']['verify_errors'])}, "
            f"{b['overloaded_day']['meter']['wall_s']} s",
            f"- replan (urgent repair at 11:00, {rp['locked_jobs']} started jobs locked): placed "
            f"{rp['urgent_placed']} at {rp['urgent_start']} with {rp['urgent_technician']}, "
            f"{rp['groups_resolved']} group(s) re-solved in {rp['meter']['wall_s']} s, locked "
            f"jobs moved {rp['locked_moved']}, verification errors {len(rp['verify_errors'])}",
            "",
        ]
    c = result.get("c")
    if c:
        cd = c["conflict_demo"]
        lines += [
            "## (c) Roster: 300 technicians × 28 days (CP-SAT, 2 workers)",
            "",
            f"Started {c.get('started', result['started'])}.",
            "",
            f"- {c.get('status')} in **{c['meter']['wall_s']} s** (limit {c['seconds_limit']} s; "
            f"first roster after {c.get('first_solution_seconds')} s; cpu share "
            f"{c['meter']['cpu_share']}, load {c['meter']['loadavg_start']} → "
            f"{c['meter']['loadavg_end']})",
            f"- {c['coverage_rules']} coverage rules; hard-rule violations found by the "
            f"independent checker: **{c.get('violations')}**; target met: **{c['met']}**",
            f"- objective {c.get('objective')} (bound {c.get('best_bound')}); shifts "
            f"{c.get('shifts_rostered')}; nights per person {c.get('nights_per_person')}",
            f"- conflict demo: added {cd['added_rule']} → named **{cd['named_rules']}** "
            f"in {cd['meter']['wall_s']} s",
            "",
        ]
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--part", choices=("a", "b", "c", "all"), default="all")
    p.add_argument("--seconds", type=float, default=10.0, help="per Solomon instance")
    p.add_argument("--instances", default="", help="comma-separated, e.g. C101,R101")
    p.add_argument(
        "--first-solution",
        default="parallel_cheapest_insertion,savings",
        help="a strategy or a comma-separated portfolio",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="portfolio processes in parallel (1: one after another, sharing --seconds)",
    )
    p.add_argument("--search", default="gls", choices=vrptw.SEARCHES)
    p.add_argument("--day-seconds", type=float, default=45.0)
    p.add_argument("--replan-seconds", type=float, default=5.0)
    p.add_argument("--roster-seconds", type=float, default=40.0)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--out", default="dispatch", help="results file stem")
    p.add_argument("--results-dir", default=str(RESULTS), help="where to write them")
    args = p.parse_args()
    result: dict[str, Any] = {
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        ),
        "ortools": __import__("ortools").__version__,
    }
    # keep earlier parts' results when running one part
    results = Path(args.results_dir)
    path = results / f"{args.out}.json"
    if args.part != "all" and path.exists():
        previous = json.loads(path.read_text())
        result = {**previous, **{k: result[k] for k in ("started", "machine", "ortools")}}
    for part, fn in (("a", part_a), ("b", part_b), ("c", part_c)):
        if args.part in (part, "all"):
            print(f"part ({part})", flush=True)
            started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
            result[part] = fn(args) | {"started": started}
    results.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    md = markdown(result)
    (results / f"{args.out}.md").write_text(md + "\n")
    print(md)


if __name__ == "__main__":
    main()
