"""Technician day planning on the routing engine — which technician does which job, when.

eTOM Workforce Management (Resource Management & Operations): dispatch and work
allocation; PBOSS construction management (DOMAIN.md §3.4).

Input: the day's :class:`Technician` rows (home base, skills with levels, the shift the
roster gives them) and :class:`Job` rows (location, required skills at a minimum
level, duration, the window in which work must *start*, priority, SLA deadline).
Output: a :class:`Plan` — an ordered list of visits per technician with start times,
and every job that could not be placed with its reason:

* ``no_skilled_technician`` — nobody working today has the skills at the level;
* ``no_window_fits`` — a skilled technician exists, but none can reach the job inside
  its window and be home by the end of the shift, even with an empty day;
* ``capacity`` — it would fit on its own, but the skilled technicians' days are full
  with work the optimiser valued more (priority, SLA) or that fits better.

The model (:mod:`openboss.workforce.vrptw`): one node per job and per home base, travel
minutes from coordinates (haversine × a road factor at an average speed, rounded up),
hard time windows and shifts, allowed technicians per job from skills, a drop penalty
per job from its priority (plus an SLA-breach surcharge when its deadline falls in the
day), a soft upper bound on the start at the SLA deadline (cost per minute late), and
a soft cap on each technician's worked minutes (travel + service) at a fair share for
workload balance.

Times are minutes from the start of the planning day (``480`` = 08:00).
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from openboss.workforce import vrptw

Reason = Literal["no_skilled_technician", "no_window_fits", "capacity"]

#: Drop penalty by priority (1 = most urgent … 5 = lowest), in cost units (1 unit =
#: 1 travel minute). Every penalty dwarfs any detour, so the optimiser never leaves a
#: job out to save travel; between jobs, higher priority wins the scarce minutes.
PRIORITY_PENALTY = {1: 200_000, 2: 100_000, 3: 50_000, 4: 25_000, 5: 12_000}
#: Added to the drop penalty of a job whose SLA deadline falls inside the day.
SLA_BREACH_PENALTY = 100_000
#: Cost per minute a job starts after its SLA deadline.
SLA_LATE_PER_MINUTE = 200
#: Cost per worked minute above the fair share (workload balance).
BALANCE_PER_MINUTE = 2


@dataclass(frozen=True, slots=True)
class Technician:
    """A technician available today: home base, skills (name → level), shift."""

    id: str
    lat: float
    lon: float
    skills: Mapping[str, int]
    shift_start: int = 480
    shift_end: int = 1020


@dataclass(frozen=True, slots=True)
class Job:
    """A job (work order) to place: where, what skills at which level, how long, when.

    ``window`` bounds the start of work (an appointment slot or the whole day);
    ``allowed_technicians`` optionally restricts the crew (area, partner company).
    """

    id: str
    lat: float
    lon: float
    duration: int
    skills: Mapping[str, int] = field(default_factory=dict)
    window: tuple[int, int] = (0, 24 * 60)
    priority: int = 3
    sla_deadline: int | None = None
    allowed_technicians: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Travel:
    """Travel minutes from coordinates: great-circle km × ``detour`` at ``speed_kmh``."""

    speed_kmh: float = 30.0
    detour: float = 1.3

    def matrix(self, lats: Sequence[float], lons: Sequence[float]) -> np.ndarray[Any, Any]:
        """Whole minutes (rounded up) between every pair of points."""
        lat = np.radians(np.asarray(lats, dtype=float))
        lon = np.radians(np.asarray(lons, dtype=float))
        dlat = lat[:, None] - lat[None, :]
        dlon = lon[:, None] - lon[None, :]
        a = (
            np.sin(dlat / 2) ** 2
            + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
        )
        km = 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
        minutes: np.ndarray[Any, Any] = np.ceil(km * self.detour / self.speed_kmh * 60.0 - 1e-9)
        return minutes.astype(np.int64)

    def minutes(self, a: tuple[float, float], b: tuple[float, float]) -> int:
        return int(self.matrix([a[0], b[0]], [a[1], b[1]])[0, 1])


@dataclass(frozen=True, slots=True)
class Visit:
    job_id: str
    technician_id: str
    start: int
    end: int
    travel: int


@dataclass(frozen=True, slots=True)
class Unassigned:
    job_id: str
    reason: Reason
    detail: str


@dataclass(frozen=True, slots=True)
class RuleViolation:
    """A rule an assignment breaks; ``severity`` ``warning`` rules may be overridden."""

    rule: str
    message: str
    severity: Literal["error", "warning"] = "error"


@dataclass(slots=True)
class Plan:
    """The day's plan: visits per technician (in order) and unassigned jobs."""

    technicians: list[Technician]
    jobs: list[Job]
    travel: Travel
    routes: dict[str, list[Visit]]
    unassigned: list[Unassigned]
    objective: int = 0
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def assigned(self) -> int:
        return sum(len(r) for r in self.routes.values())

    def visit_of(self, job_id: str) -> Visit | None:
        for route in self.routes.values():
            for v in route:
                if v.job_id == job_id:
                    return v
        return None

    def as_dict(self) -> dict[str, Any]:
        return {
            "routes": {
                t: [
                    {"job": v.job_id, "start": v.start, "end": v.end, "travel": v.travel} for v in r
                ]
                for t, r in self.routes.items()
            },
            "unassigned": [
                {"job": u.job_id, "reason": u.reason, "detail": u.detail} for u in self.unassigned
            ],
            "stats": self.stats,
        }


def has_skills(tech: Technician, job: Job) -> bool:
    """The technician holds every skill the job needs, each at the level or above."""
    return all(tech.skills.get(s, 0) >= lvl for s, lvl in job.skills.items())


def may_serve(tech: Technician, job: Job) -> bool:
    allowed = job.allowed_technicians
    return has_skills(tech, job) and (allowed is None or tech.id in allowed)


class _Index:
    """Node numbering: jobs ``0..J-1``, then one home base per technician."""

    def __init__(self, technicians: Sequence[Technician], jobs: Sequence[Job], travel: Travel):
        self.techs = list(technicians)
        self.jobs = list(jobs)
        self.job_node = {j.id: i for i, j in enumerate(self.jobs)}
        self.tech_pos = {t.id: k for k, t in enumerate(self.techs)}
        lats = [j.lat for j in self.jobs] + [t.lat for t in self.techs]
        lons = [j.lon for j in self.jobs] + [t.lon for t in self.techs]
        self.matrix = travel.matrix(lats, lons)

    def home(self, k: int) -> int:
        return len(self.jobs) + k

    def fits_alone(self, tech_k: int, job_node: int) -> bool:
        """Could this technician do this job with an otherwise empty day?"""
        t, j = self.techs[tech_k], self.jobs[job_node]
        h = self.home(tech_k)
        arrive = max(t.shift_start + int(self.matrix[h, job_node]), j.window[0])
        return (
            arrive <= j.window[1]
            and arrive + j.duration + int(self.matrix[job_node, h]) <= t.shift_end
        )


def _penalty(job: Job, day_end: int) -> int:
    pen = PRIORITY_PENALTY.get(job.priority, PRIORITY_PENALTY[5])
    if job.sla_deadline is not None and job.sla_deadline <= day_end:
        pen += SLA_BREACH_PENALTY
    return pen


def _screen(idx: _Index) -> tuple[dict[int, list[int]], list[Unassigned]]:
    """Allowed technicians per job node, and the jobs no technician can ever take."""
    allowed: dict[int, list[int]] = {}
    out: list[Unassigned] = []
    for n, job in enumerate(idx.jobs):
        skilled = [k for k, t in enumerate(idx.techs) if may_serve(t, job)]
        if not skilled:
            need = ", ".join(f"{s}≥{lv}" for s, lv in sorted(job.skills.items()))
            out.append(Unassigned(job.id, "no_skilled_technician", f"needs {need or 'nothing'}"))
            continue
        fitting = [k for k in skilled if idx.fits_alone(k, n)]
        if not fitting:
            out.append(
                Unassigned(
                    job.id,
                    "no_window_fits",
                    f"{len(skilled)} skilled technician(s), none can start within "
                    f"{job.window[0]}–{job.window[1]} and be back by the end of the shift",
                )
            )
            continue
        allowed[n] = fitting
    return allowed, out


@dataclass(slots=True)
class _Group:
    """A slice of the day solved as one routing model: some technicians, some jobs."""

    techs: list[int]
    jobs: list[int]


def _kmeans_groups(idx: _Index, size: int, seed: int = 1) -> list[list[int]]:
    """Technicians clustered by home base into groups of about ``size``."""
    n = len(idx.techs)
    g = max(1, round(n / size))
    if g == 1:
        return [list(range(n))]
    pts = np.array([[t.lat, t.lon * math.cos(math.radians(t.lat))] for t in idx.techs])
    rng = np.random.default_rng(seed)
    centers = pts[rng.choice(n, g, replace=False)]
    label = np.zeros(n, dtype=int)
    for _ in range(25):
        d = ((pts[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
        label = d.argmin(axis=1)
        for c in range(g):
            members = pts[label == c]
            if len(members):
                centers[c] = members.mean(axis=0)
    groups = [[k for k in range(n) if label[k] == c] for c in range(g)]
    return [grp for grp in groups if grp]


def _partition(
    idx: _Index,
    allowed: dict[int, list[int]],
    size: int,
    *,
    fixed: dict[int, int] | None = None,
) -> list[_Group]:
    """Split the day into groups: technicians by home base, each job to the group of
    the technician a greedy load-aware assignment picks for it (nearest free skilled
    technician, most urgent jobs first). ``fixed`` pins jobs to technicians."""
    tech_groups = _kmeans_groups(idx, size)
    group_of = {k: gi for gi, grp in enumerate(tech_groups) for k in grp}
    groups = [_Group(list(grp), []) for grp in tech_groups]
    if len(groups) == 1:
        groups[0].jobs = sorted(allowed)
        return groups
    free = {k: float(t.shift_end - t.shift_start) * 0.9 for k, t in enumerate(idx.techs)}
    order = sorted(
        allowed,
        key=lambda n: (idx.jobs[n].priority, idx.jobs[n].sla_deadline or 10**9, len(allowed[n])),
    )
    for node in order:
        job = idx.jobs[node]
        if fixed and node in fixed:
            k = fixed[node]
        else:
            ks = allowed[node]
            dist = idx.matrix[[idx.home(k) for k in ks], node]
            need = job.duration + 12  # ~ a typical hop in a city day
            best, best_score = ks[0], math.inf
            for k, d in zip(ks, dist, strict=True):
                # Prefer near technicians with time left; full ones only as a last resort.
                score = float(d) + (0.0 if free[k] >= need else 10_000.0 - free[k])
                if score < best_score:
                    best, best_score = k, score
            k = best
        free[k] -= job.duration + 12
        groups[group_of[k]].jobs.append(node)
    return [g for g in groups if g.techs]


def _build(
    idx: _Index,
    allowed: dict[int, list[int]],
    group: _Group,
    *,
    balance: bool,
    locked_prefix: dict[int, list[int]],
    pinned: dict[int, int],
    not_before: int | None,
) -> vrptw.RoutingProblem:
    """The routing model of one group, in local node numbers (jobs, then homes)."""
    jobs, techs = group.jobs, group.techs
    glob = jobs + [idx.home(k) for k in techs]
    local_of = {node: i for i, node in enumerate(jobs)}
    vehicle_of = {k: v for v, k in enumerate(techs)}
    day_end = max(idx.techs[k].shift_end for k in techs)
    service = [idx.jobs[n].duration for n in jobs] + [0] * len(techs)
    windows: list[tuple[int, int]] = []
    for node in jobs:
        lo, hi = idx.jobs[node].window
        if not_before is not None and node not in pinned:
            lo = max(lo, not_before)
        windows.append((lo, max(lo, hi)))
    windows += [(0, day_end)] * len(techs)
    locked_nodes = {n for p in locked_prefix.values() for n in p}
    penalties: list[int | None] = [
        None if n in locked_nodes else _penalty(idx.jobs[n], day_end) for n in jobs
    ]
    penalties += [None] * len(techs)
    allowed_local: dict[int, list[int]] = {}
    excluded: list[int] = []
    for node in jobs:
        vs = [vehicle_of[k] for k in allowed[node] if k in vehicle_of]
        if vs:
            allowed_local[local_of[node]] = vs
        else:
            excluded.append(local_of[node])
    deadline = {
        local_of[n]: (idx.jobs[n].sla_deadline or 0, SLA_LATE_PER_MINUTE)
        for n in jobs
        if idx.jobs[n].sla_deadline is not None
    }
    soft_cap: list[tuple[int, int]] | None = None
    if balance:
        demand = sum(idx.jobs[n].duration for n in jobs)
        supply = sum(idx.techs[k].shift_end - idx.techs[k].shift_start for k in techs)
        # Fair share: the same fraction of every shift, plus headroom for travel.
        share = min(1.0, demand / supply * 1.1 + 0.1) if supply else 1.0
        soft_cap = [
            (
                int((idx.techs[k].shift_end - idx.techs[k].shift_start) * share),
                BALANCE_PER_MINUTE,
            )
            for k in techs
        ]
    homes = [len(jobs) + v for v in range(len(techs))]
    return vrptw.RoutingProblem(
        travel=idx.matrix[np.ix_(glob, glob)],
        service=service,
        windows=windows,
        starts=homes,
        ends=homes,
        shifts=[(idx.techs[k].shift_start, idx.techs[k].shift_end) for k in techs],
        drop_penalty=penalties,
        allowed=allowed_local,
        deadline=deadline or None,
        work_soft_cap=soft_cap,
        locked_prefix={
            vehicle_of[k]: [local_of[n] for n in p] for k, p in locked_prefix.items() if p
        },
        pinned_start={local_of[n]: t for n, t in pinned.items() if n in local_of},
        excluded=excluded,
    )


_Routes = dict[int, list[tuple[int, int]]]  # technician -> [(job node, start)]


def _solve_group(
    idx: _Index,
    allowed: dict[int, list[int]],
    group: _Group,
    *,
    seconds: float,
    balance: bool,
    locked_prefix: dict[int, list[int]],
    pinned: dict[int, int],
    not_before: int | None,
    initial: dict[int, list[int]] | None,
    first_solution: str,
    neighbors_ratio: float | None,
    log: bool,
) -> tuple[_Routes, list[int], dict[str, Any]]:
    problem = _build(
        idx,
        allowed,
        group,
        balance=balance,
        locked_prefix={k: p for k, p in locked_prefix.items() if k in set(group.techs)},
        pinned=pinned,
        not_before=not_before,
    )
    local_of = {node: i for i, node in enumerate(group.jobs)}
    init = None
    if initial is not None:
        init = [
            [local_of[n] for n in initial.get(k, []) if n in local_of and n in allowed]
            for k in group.techs
        ]
    ratio = neighbors_ratio if neighbors_ratio is not None else _auto_neighbors(len(group.jobs))
    result = vrptw.solve(
        problem,
        seconds=seconds,
        first_solution=first_solution,
        initial_routes=init,
        neighbors_ratio=ratio,
        log=log,
    )
    routes: _Routes = {}
    for v, k in enumerate(group.techs):
        routes[k] = [
            (group.jobs[i], s) for i, s in zip(result.routes[v], result.starts[v], strict=True)
        ]
    dropped = [group.jobs[i] for i in result.dropped if i < len(group.jobs)]
    return routes, dropped, {"status": result.status, "objective": result.objective}


def _earliest(
    idx: _Index,
    k: int,
    nodes: list[int],
    pinned: dict[int, int],
    not_before: int | None = None,
) -> list[int] | None:
    """Earliest start times of a route, or ``None`` when a window or the shift breaks.
    Pinned (locked) nodes keep their start; others start no earlier than ``not_before``."""
    t = idx.techs[k]
    clock, prev = t.shift_start, idx.home(k)
    out = []
    for n in nodes:
        j = idx.jobs[n]
        clock = max(clock + int(idx.matrix[prev, n]), j.window[0])
        if not_before is not None and n not in pinned:
            clock = max(clock, not_before)
        if n in pinned:
            if clock > pinned[n]:
                return None
            clock = pinned[n]
        if clock > j.window[1]:
            return None
        out.append(clock)
        clock += j.duration
        prev = n
    if clock + int(idx.matrix[prev, idx.home(k)]) > t.shift_end:
        return None
    return out


def _lateness(idx: _Index, nodes: list[int], starts: list[int]) -> int:
    """Minutes past SLA deadlines over a route."""
    late = 0
    for n, t in zip(nodes, starts, strict=True):
        deadline = idx.jobs[n].sla_deadline
        if deadline is not None and t > deadline:
            late += t - deadline
    return late


def _best_insertion(
    idx: _Index,
    candidates: list[int],
    routes: _Routes,
    node: int,
    locked_prefix: dict[int, list[int]],
    pinned: dict[int, int],
    not_before: int | None,
) -> tuple[int, int, list[int], list[int]] | None:
    """Cheapest feasible insertion of ``node`` over the candidate technicians, scored by
    added travel plus SLA lateness: ``(score, technician, new route, new starts)``."""
    best: tuple[int, int, list[int], list[int]] | None = None
    for k in candidates:
        nodes = [n for n, _ in routes[k]]
        first = len(locked_prefix.get(k, []))
        base = _route_cost(idx, k, nodes)
        base_late = _lateness(idx, nodes, [t for _, t in routes[k]])
        for pos in range(first, len(nodes) + 1):
            cand = [*nodes[:pos], node, *nodes[pos:]]
            starts = _earliest(idx, k, cand, pinned, not_before)
            if starts is None:
                continue
            score = _route_cost(idx, k, cand) - base
            score += SLA_LATE_PER_MINUTE * (_lateness(idx, cand, starts) - base_late)
            if best is None or score < best[0]:
                best = (score, k, cand, starts)
    return best


def _repair(
    idx: _Index,
    allowed: dict[int, list[int]],
    routes: _Routes,
    dropped: list[int],
    locked_prefix: dict[int, list[int]],
    pinned: dict[int, int],
    not_before: int | None,
) -> list[int]:
    """Greedy cheapest insertion of dropped jobs over *all* skilled technicians (the
    groups only saw their own); returns the jobs still left out."""
    left: list[int] = []
    order = sorted(dropped, key=lambda n: (idx.jobs[n].priority, idx.jobs[n].sla_deadline or 10**9))
    for node in order:
        best = _best_insertion(idx, allowed[node], routes, node, locked_prefix, pinned, not_before)
        if best is None:
            left.append(node)
            continue
        _, k, cand, starts = best
        routes[k] = list(zip(cand, starts, strict=True))
    return left


def _route_cost(idx: _Index, k: int, nodes: list[int]) -> int:
    stops = [idx.home(k), *nodes, idx.home(k)]
    return int(sum(idx.matrix[a, b] for a, b in itertools.pairwise(stops)))


def _optimise(
    idx: _Index,
    allowed: dict[int, list[int]],
    *,
    seconds: float,
    balance: bool,
    group_size: int,
    locked_prefix: dict[int, list[int]] | None = None,
    pinned: dict[int, int] | None = None,
    not_before: int | None = None,
    previous: dict[int, list[int]] | None = None,
    previous_starts: dict[int, int] | None = None,
    hint: dict[int, int] | None = None,
    only_groups_with: set[int] | None = None,
    first_solution: str = "parallel_cheapest_insertion",
    neighbors_ratio: float | None = None,
    log: bool = False,
) -> tuple[_Routes, list[int], dict[str, Any]]:
    """Solve the day group by group, then repair across groups."""
    import time

    t0 = time.perf_counter()
    locked_prefix = locked_prefix or {}
    pinned = pinned or {}
    fixed = None
    if previous is not None:
        fixed = {n: k for k, nodes in previous.items() for n in nodes if n in allowed}
    if hint:
        fixed = {**(fixed or {}), **hint}
    groups = _partition(idx, allowed, group_size, fixed=fixed)
    routes: _Routes = {k: [] for k in range(len(idx.techs))}
    dropped: list[int] = []
    todo = [g for g in groups if only_groups_with is None or set(g.jobs) & only_groups_with]
    for g in groups:
        if g not in todo and previous is not None:
            for k in g.techs:  # untouched group: keep its routes and times as they were
                routes[k] = [
                    (n, (previous_starts or {})[n]) for n in previous.get(k, []) if n in allowed
                ]
    statuses: list[str] = []
    reserve = min(2.0, seconds * 0.1)
    for i, g in enumerate(todo):
        remaining = seconds - (time.perf_counter() - t0) - reserve
        share = max(0.2, remaining / (len(todo) - i)) if remaining > 0 else 0.2
        if not g.jobs:
            continue
        group_routes, group_dropped, info = _solve_group(
            idx,
            allowed,
            g,
            seconds=share,
            balance=balance,
            locked_prefix=locked_prefix,
            pinned=pinned,
            not_before=not_before,
            initial=previous,
            first_solution=first_solution,
            neighbors_ratio=neighbors_ratio,
            log=log,
        )
        routes.update(group_routes)
        dropped += group_dropped
        statuses.append(info["status"])
    repaired_from = len(dropped)
    left = _repair(idx, allowed, routes, dropped, locked_prefix, pinned, not_before)
    stats = {
        "groups": len(groups),
        "groups_solved": len(todo),
        "group_status": sorted(set(statuses)),
        "repaired": repaired_from - len(left),
        "wall_seconds": round(time.perf_counter() - t0, 2),
    }
    return routes, left, stats


def _to_plan(
    idx: _Index,
    routes: _Routes,
    left: list[int],
    screened: list[Unassigned],
    travel: Travel,
    allowed: dict[int, list[int]],
    stats: dict[str, Any],
) -> Plan:
    out: dict[str, list[Visit]] = {}
    for k, t in enumerate(idx.techs):
        prev = idx.home(k)
        visits: list[Visit] = []
        for node, start in routes.get(k, []):
            j = idx.jobs[node]
            visits.append(Visit(j.id, t.id, start, start + j.duration, int(idx.matrix[prev, node])))
            prev = node
        out[t.id] = visits
    unassigned = list(screened)
    for node in left:
        j = idx.jobs[node]
        unassigned.append(
            Unassigned(
                j.id,
                "capacity",
                f"{len(allowed[node])} technician(s) could take it alone; their days are full "
                "of work of higher value or better fit",
            )
        )
    cost = sum(_route_cost(idx, k, [n for n, _ in r]) for k, r in routes.items() if r)
    return Plan(
        technicians=idx.techs,
        jobs=idx.jobs,
        travel=travel,
        routes=out,
        unassigned=unassigned,
        objective=cost,
        stats={**stats, "travel_minutes": cost},
    )


#: Technicians per routing model; bigger days are split by home base (k-means) and
#: the groups solved one after another, then repaired across groups.
GROUP_SIZE = 20


def plan_day(
    technicians: Sequence[Technician],
    jobs: Sequence[Job],
    *,
    travel: Travel | None = None,
    seconds: float = 10.0,
    balance: bool = True,
    group_size: int = GROUP_SIZE,
    first_solution: str = "parallel_cheapest_insertion",
    neighbors_ratio: float | None = None,
    log: bool = False,
) -> Plan:
    """Plan the day: assign and sequence ``jobs`` over ``technicians``."""
    travel = travel or Travel()
    _unique([t.id for t in technicians], "technician")
    _unique([j.id for j in jobs], "job")
    idx = _Index(technicians, jobs, travel)
    allowed, screened = _screen(idx)
    if not technicians:
        return Plan([], list(jobs), travel, {}, screened, 0, {"status": "no_technicians"})
    routes, left, stats = _optimise(
        idx,
        allowed,
        seconds=seconds,
        balance=balance,
        group_size=group_size,
        first_solution=first_solution,
        neighbors_ratio=neighbors_ratio,
        log=log,
    )
    return _to_plan(idx, routes, left, screened, travel, allowed, stats)


def _auto_neighbors(n_jobs: int) -> float:
    """Neighbour ratio for the heuristics: all below 300 jobs, ~60 nodes above."""
    return 1.0 if n_jobs <= 300 else max(0.01, 60 / n_jobs)


def replan(
    plan: Plan,
    new_jobs: Iterable[Job],
    *,
    locked: Iterable[str] = (),
    now: int | None = None,
    seconds: float = 5.0,
    balance: bool = True,
    group_size: int = GROUP_SIZE,
) -> Plan:
    """Re-optimise after new (e.g. urgent repair) jobs arrive.

    Jobs in ``locked`` (started or dispatched) stay with their technician, in their
    order, at their planned start, ahead of anything else on that route. Other jobs may
    move; none is scheduled to start before ``now``. Only the technician groups that
    receive a new job (or hold an unassigned job, or an unlocked job planned before
    ``now``) are re-solved, seeded with the current routes; the others keep their plan
    unchanged.
    """
    new_list = list(new_jobs)
    jobs = list(plan.jobs) + new_list
    _unique([j.id for j in jobs], "job")
    idx = _Index(plan.technicians, jobs, plan.travel)
    allowed, screened = _screen(idx)
    locked_ids = set(locked)
    prefix: dict[int, list[int]] = {}
    pinned: dict[int, int] = {}
    previous: dict[int, list[int]] = {}
    previous_starts: dict[int, int] = {}
    for k, t in enumerate(idx.techs):
        for v in plan.routes.get(t.id, []):
            node = idx.job_node[v.job_id]
            previous.setdefault(k, []).append(node)
            previous_starts[node] = v.start
            if v.job_id in locked_ids:
                prefix.setdefault(k, []).append(node)
                pinned[node] = v.start
                allowed[node] = [k]
    unknown = locked_ids - {idx.jobs[n].id for p in prefix.values() for n in p}
    if unknown:
        raise ValueError(f"locked jobs not in the plan: {sorted(unknown)}")
    if now is not None:
        for n in [n for n in allowed if n not in pinned and idx.jobs[n].window[1] < now]:
            del allowed[n]
            screened.append(
                Unassigned(idx.jobs[n].id, "no_window_fits", f"its window closed before {now}")
            )
    # Previously unassigned jobs get another chance alongside the new ones.
    was_left = {idx.job_node[u.job_id] for u in plan.unassigned}
    new_nodes = {idx.job_node[j.id] for j in new_list} | was_left
    if now is not None:  # planned in the past but not locked: its group must re-plan it
        new_nodes |= {
            n for n, t in previous_starts.items() if t < now and idx.jobs[n].id not in locked_ids
        }
    # Each new job joins the group of the technician where it fits best right now
    # (travel + SLA lateness over every skilled technician), so the re-solved group
    # is the one that can serve it soonest.
    current: _Routes = {
        k: [(n, previous_starts[n]) for n in previous.get(k, [])] for k in range(len(idx.techs))
    }
    hint: dict[int, int] = {}
    for j in new_list:
        node = idx.job_node[j.id]
        if node in allowed:
            best = _best_insertion(idx, allowed[node], current, node, prefix, pinned, now)
            if best is not None:
                hint[node] = best[1]
    routes, left, stats = _optimise(
        idx,
        allowed,
        seconds=seconds,
        balance=balance,
        group_size=group_size,
        hint=hint,
        locked_prefix=prefix,
        pinned=pinned,
        not_before=now,
        previous=previous,
        previous_starts=previous_starts,
        only_groups_with={n for n in new_nodes if n in allowed},
    )
    new = _to_plan(idx, routes, left, screened, plan.travel, allowed, stats)
    new.stats["locked"] = sorted(locked_ids)
    return new


def _unique(ids: list[str], what: str) -> None:
    if len(set(ids)) != len(ids):
        raise ValueError(f"duplicate {what} ids")


# --------------------------------------------------------------------------- checks


def _simulate(
    plan: Plan, tech: Technician, job_ids: list[str], jobs: Mapping[str, Job]
) -> tuple[list[int], list[RuleViolation]]:
    """Earliest start times of a route and the rules it breaks."""
    out: list[RuleViolation] = []
    pts = [(tech.lat, tech.lon)] + [(jobs[j].lat, jobs[j].lon) for j in job_ids]
    pts.append((tech.lat, tech.lon))
    m = plan.travel.matrix([p[0] for p in pts], [p[1] for p in pts])
    t = tech.shift_start
    starts: list[int] = []
    for i, jid in enumerate(job_ids):
        j = jobs[jid]
        t = max(t + int(m[i, i + 1]), j.window[0])
        if t > j.window[1]:
            out.append(RuleViolation("time_window", f"{jid} would start at {t} > {j.window[1]}"))
        starts.append(t)
        t += j.duration
    t += int(m[len(job_ids), len(job_ids) + 1])
    if t > tech.shift_end:
        out.append(RuleViolation("shift_end", f"{tech.id} back home at {t} > {tech.shift_end}"))
    return starts, out


def check_assignment(
    plan: Plan, job_id: str, technician_id: str, *, locked: Iterable[str] = ()
) -> list[RuleViolation]:
    """Validate a dispatcher's override: give ``job_id`` to ``technician_id``.

    Tries every position in the technician's route (keeping locked visits first) and
    reports the rules broken by the best one: ``skill``, ``allowed_technician``,
    ``locked`` (the job is started/dispatched elsewhere), ``time_window``,
    ``shift_end`` (errors) and ``sla_deadline`` (a warning: allowed but late).
    An empty list means the override is valid as it stands.
    """
    jobs = {j.id: j for j in plan.jobs}
    techs = {t.id: t for t in plan.technicians}
    if job_id not in jobs:
        return [RuleViolation("unknown_job", f"no job {job_id} in the plan")]
    if technician_id not in techs:
        return [RuleViolation("unknown_technician", f"no technician {technician_id} today")]
    job, tech = jobs[job_id], techs[technician_id]
    out: list[RuleViolation] = []
    missing = {s: lv for s, lv in job.skills.items() if tech.skills.get(s, 0) < lv}
    if missing:
        have = ", ".join(f"{s}={tech.skills.get(s, 0)}" for s in sorted(missing))
        need = ", ".join(f"{s}≥{lv}" for s, lv in sorted(missing.items()))
        out.append(RuleViolation("skill", f"needs {need}; {tech.id} has {have}"))
    if job.allowed_technicians is not None and tech.id not in job.allowed_technicians:
        out.append(RuleViolation("allowed_technician", f"{tech.id} is not in the job's crew"))
    locked_ids = set(locked)
    current = plan.visit_of(job_id)
    if job_id in locked_ids and current is not None and current.technician_id != technician_id:
        out.append(
            RuleViolation("locked", f"{job_id} is already dispatched to {current.technician_id}")
        )
    route = [v.job_id for v in plan.routes.get(technician_id, []) if v.job_id != job_id]
    first_free = 0
    while first_free < len(route) and route[first_free] in locked_ids:
        first_free += 1
    best: tuple[int, list[int], list[RuleViolation], int] | None = None
    for pos in range(first_free, len(route) + 1):
        cand = [*route[:pos], job_id, *route[pos:]]
        starts, viol = _simulate(plan, tech, cand, jobs)
        score = (len(viol), starts[pos])
        if best is None or score < (len(best[2]), best[3]):
            best = (pos, starts, viol, starts[pos])
    assert best is not None
    out.extend(best[2])
    if job.sla_deadline is not None and best[3] > job.sla_deadline:
        out.append(
            RuleViolation(
                "sla_deadline",
                f"{job_id} would start at {best[3]}, after its SLA deadline {job.sla_deadline}",
                "warning",
            )
        )
    return out


def verify_plan(plan: Plan) -> list[str]:
    """Independent check of a plan: skills, crews, windows, shifts, travel, each job once."""
    errors: list[str] = []
    jobs = {j.id: j for j in plan.jobs}
    techs = {t.id: t for t in plan.technicians}
    seen: set[str] = set()
    for tid, route in plan.routes.items():
        tech = techs[tid]
        if not route:
            continue
        ids = [v.job_id for v in route]
        pts = [(tech.lat, tech.lon)] + [(jobs[j].lat, jobs[j].lon) for j in ids]
        pts.append((tech.lat, tech.lon))
        m = plan.travel.matrix([p[0] for p in pts], [p[1] for p in pts])
        t = tech.shift_start
        for i, v in enumerate(route):
            j = jobs[v.job_id]
            if v.job_id in seen:
                errors.append(f"{v.job_id} planned twice")
            seen.add(v.job_id)
            if not may_serve(tech, j):
                errors.append(f"{v.job_id}: {tid} lacks the skills or is not in the crew")
            if v.start < t + int(m[i, i + 1]):
                errors.append(f"{v.job_id}: starts at {v.start} before {tid} can arrive")
            if not j.window[0] <= v.start <= j.window[1]:
                errors.append(f"{v.job_id}: start {v.start} outside window {j.window}")
            if v.end != v.start + j.duration:
                errors.append(f"{v.job_id}: end {v.end} ≠ start + duration")
            t = v.end
        back = t + int(m[len(route), len(route) + 1])
        if back > tech.shift_end:
            errors.append(f"{tid}: back home at {back} > shift end {tech.shift_end}")
    for u in plan.unassigned:
        if u.job_id in seen:
            errors.append(f"{u.job_id} both planned and unassigned")
        seen.add(u.job_id)
    missing = set(jobs) - seen
    if missing:
        errors.append(f"jobs neither planned nor unassigned: {sorted(missing)[:10]}")
    return errors


def capacity_bound(plan: Plan) -> dict[str, int]:
    """Upper bound on the jobs any plan could assign — "what capacity allows".

    A linear relaxation of the assignment: ``x[j,k] ∈ [0, 1]`` for every job ``j`` and
    technician ``k`` that could do ``j`` on an otherwise empty day (skills, crew, window,
    shift); each job at most once; each technician's jobs need at most the shift's
    minutes, where a job needs its duration plus the shortest travel into it from any
    other point. Sequencing and the interplay of windows are relaxed away, so no real
    plan can beat the optimum of this LP (solved with GLOP). Also reported:
    ``individually_feasible`` (jobs with at least one such technician).
    """
    from ortools.linear_solver import pywraplp

    idx = _Index(plan.technicians, plan.jobs, plan.travel)
    allowed, _ = _screen(idx)
    m = idx.matrix.copy()
    np.fill_diagonal(m, np.iinfo(np.int64).max)
    nearest_in = m.min(axis=0) if len(m) > 1 else np.zeros(len(m), dtype=np.int64)
    solver = pywraplp.Solver.CreateSolver("GLOP")
    per_tech: dict[int, list[Any]] = {}
    objective = solver.Objective()
    for node, ks in allowed.items():
        need = idx.jobs[node].duration + int(nearest_in[node])
        xs = []
        for k in ks:
            x = solver.NumVar(0.0, 1.0, "")
            xs.append(x)
            per_tech.setdefault(k, []).append((need, x))
            objective.SetCoefficient(x, 1)
        once = solver.Constraint(0.0, 1.0)
        for x in xs:
            once.SetCoefficient(x, 1)
    for k, items in per_tech.items():
        t = idx.techs[k]
        cap = solver.Constraint(0.0, float(t.shift_end - t.shift_start))
        for need, x in items:
            cap.SetCoefficient(x, need)
    objective.SetMaximization()
    solver.Solve()
    lp = math.floor(objective.Value() + 1e-6)
    return {"individually_feasible": len(allowed), "lp_bound": lp, "bound": min(lp, len(allowed))}


# --------------------------------------------------------------------------- synthetic day

SKILLS = ("ftth_install", "fiber_splice", "copper_repair", "enterprise_line", "cpe_config")


def synthetic_day(
    technicians: int = 200,
    jobs: int = 2000,
    *,
    seed: int = 7,
    center: tuple[float, float] = (30.27, 120.16),
    radius_km: float = 18.0,
) -> tuple[list[Technician], list[Job]]:
    """A reproducible city day: techs with 1–3 of 5 skills at levels 1–3, shifts
    08:00–17:00 or 09:00–18:00, jobs of 15–55 minutes in half-day or two-hour
    appointment slots or anytime, priorities 1–5, a fifth with an SLA deadline; 1 % need a
    skill level nobody holds and 0.5 % lie far out of town with a short slot."""
    rng = random.Random(seed)
    km_lat = 1 / 110.574
    km_lon = 1 / (111.320 * math.cos(math.radians(center[0])))

    def point() -> tuple[float, float]:
        r = radius_km * math.sqrt(rng.random())
        a = rng.random() * 2 * math.pi
        return center[0] + r * math.sin(a) * km_lat, center[1] + r * math.cos(a) * km_lon

    techs: list[Technician] = []
    for k in range(technicians):
        lat, lon = point()
        chosen = rng.sample(SKILLS, rng.choice((1, 2, 2, 3)))
        skills = {s: rng.choice((1, 2, 2, 3)) for s in chosen}
        start = rng.choice((480, 540))
        techs.append(Technician(f"T{k:03d}", lat, lon, skills, start, start + 540))
    out: list[Job] = []
    for i in range(jobs):
        lat, lon = point()
        skill = rng.choices(SKILLS, weights=(5, 2, 2, 1, 2))[0]
        skills = {skill: rng.choices((1, 2, 3), weights=(6, 3, 1))[0]}
        if rng.random() < 0.1:
            other = rng.choice([s for s in SKILLS if s != skill])
            skills[other] = 1
        kind = rng.random()
        if kind < 0.35:
            window = (480, 1000)
        elif kind < 0.75:
            am = rng.random() < 0.5
            window = (480, 720) if am else (720, 960)
        else:
            s = rng.choice(range(480, 960, 60))
            window = (s, s + 120)
        odd = rng.random()
        if odd < 0.01:  # a level nobody holds → no_skilled_technician
            skills = {skill: 4}
        elif odd < 0.015:  # out in the countryside, short slot → no_window_fits
            lat, lon = lat + 0.6, lon + 0.6
            window = (480, 500)
        priority = rng.choices((1, 2, 3, 4, 5), weights=(1, 2, 4, 2, 1))[0]
        sla = window[0] + rng.choice((120, 240, 360)) if rng.random() < 0.2 else None
        out.append(
            Job(
                f"J{i:04d}",
                lat,
                lon,
                duration=rng.choice(range(15, 56, 5)),
                skills=skills,
                window=window,
                priority=priority,
                sla_deadline=sla,
            )
        )
    return techs, out
