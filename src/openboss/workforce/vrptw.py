"""Routing engine (OR-Tools) for dispatch and for the Solomon VRPTW benchmark.

eTOM Workforce Management (Resource Management & Operations): dispatch optimisation;
PBOSS construction management (DOMAIN.md §3.4).

One engine, two callers: :func:`solve_solomon` (the literature benchmark, objective
*total distance only*) and :mod:`openboss.workforce.dispatch` (a technician's day).
Both describe their problem as a :class:`RoutingProblem` of integer matrices; the
engine builds the OR-Tools routing model (time dimension with waiting slack, optional
capacity, allowed vehicles per node, optional drop penalties, soft deadlines, span
costs) and runs a first-solution heuristic followed by guided local search.

Matrices are registered with ``RegisterTransitMatrix`` rather than Python callbacks:
the solver then evaluates arcs in C++, which measured ~5× more local-search moves per
second than a Python callback on the Solomon set.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from openboss.workforce import solomon

#: An integer square matrix: nested lists or a 2-D numpy array.
Matrix = Any

#: Solomon distances are scaled by this factor to integers for the solver.
SCALE = 1000

FIRST_SOLUTION = {
    "path_cheapest_arc": routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC,
    "parallel_cheapest_insertion": (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    ),
    "local_cheapest_insertion": routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION,
    "savings": routing_enums_pb2.FirstSolutionStrategy.SAVINGS,
    "christofides": routing_enums_pb2.FirstSolutionStrategy.CHRISTOFIDES,
    "automatic": routing_enums_pb2.FirstSolutionStrategy.AUTOMATIC,
}
METAHEURISTIC = {
    "guided_local_search": routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH,
    "simulated_annealing": routing_enums_pb2.LocalSearchMetaheuristic.SIMULATED_ANNEALING,
    "tabu_search": routing_enums_pb2.LocalSearchMetaheuristic.TABU_SEARCH,
    "greedy_descent": routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT,
}


@dataclass(slots=True)
class RoutingProblem:
    """A rich VRPTW over ``n`` nodes (indices into the matrices) and ``len(starts)`` vehicles.

    ``travel[i][j]`` is the travel time and ``cost[i][j]`` the arc cost (defaults to
    ``travel``); the time transit of arc ``i→j`` is ``service[i] + travel[i][j]``.
    ``windows[i]`` bounds the *start of service* at node ``i``. Vehicle ``v`` leaves
    ``starts[v]`` no earlier than ``shifts[v][0]`` and is back at ``ends[v]`` by
    ``shifts[v][1]``. ``drop_penalty[i]`` ``None`` means node ``i`` must be served;
    otherwise dropping it costs that much. ``allowed[i]`` (if given) lists the vehicles
    that may serve ``i``. ``deadline[i] = (t, cost_per_unit)`` is a soft upper bound on
    the service start (an SLA). Depots/home bases are nodes too and are never visited
    as customers (they carry no window or penalty of their own).
    """

    travel: Matrix
    service: list[int]
    windows: list[tuple[int, int]]
    starts: list[int]
    ends: list[int]
    shifts: list[tuple[int, int]]
    cost: Matrix | None = None
    demand: list[int] | None = None
    capacity: list[int] | None = None
    drop_penalty: list[int | None] | None = None
    allowed: dict[int, list[int]] | None = None
    deadline: dict[int, tuple[int, int]] | None = None
    #: Cost per unit of each vehicle's route duration (end − start): balances work and
    #: removes idle waiting; 0 for the distance-only Solomon objective.
    span_cost: int = 0
    #: Cost per unit of the longest route duration minus the shortest start (balance).
    global_span_cost: int = 0
    #: Fixed cost of using a vehicle at all.
    fixed_cost: int = 0
    #: Per vehicle ``(cap, cost_per_unit)``: soft cap on worked time (travel + service,
    #: waiting excluded) — workload balance without a global span.
    work_soft_cap: list[tuple[int, int]] | None = None
    #: Nodes that must stay out of every route (screened out by the caller).
    excluded: list[int] = field(default_factory=list)
    #: Fixed routes (node lists) that must start each vehicle's tour, in order.
    locked_prefix: dict[int, list[int]] = field(default_factory=dict)
    #: Pinned service-start times for locked nodes (node -> time).
    pinned_start: dict[int, int] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.travel)

    @property
    def vehicles(self) -> int:
        return len(self.starts)


@dataclass(slots=True)
class RoutingResult:
    """Routes as node lists (depots excluded), service-start times, dropped nodes."""

    status: str
    routes: list[list[int]]
    starts: list[list[int]]
    ends: list[int]
    dropped: list[int]
    objective: int
    wall_seconds: float
    stats: dict[str, Any] = field(default_factory=dict)


class RoutingFailed(RuntimeError):
    """The solver found no solution at all (a hard constraint cannot hold)."""


def solve(
    problem: RoutingProblem,
    *,
    seconds: float = 10.0,
    first_solution: str = "parallel_cheapest_insertion",
    metaheuristic: str = "guided_local_search",
    initial_routes: list[list[int]] | None = None,
    search: str = "gls",
    neighbors_ratio: float = 1.0,
    log: bool = False,
) -> RoutingResult:
    """Build the OR-Tools model for ``problem`` and search for ``seconds``."""
    import time

    t0 = time.perf_counter()
    manager = pywrapcp.RoutingIndexManager(
        problem.n, problem.vehicles, list(problem.starts), list(problem.ends)
    )
    routing = pywrapcp.RoutingModel(manager)
    n = problem.n
    travel = np.asarray(problem.travel, dtype=np.int64)
    transit = (travel + np.asarray(problem.service, dtype=np.int64)[:, None]).tolist()
    time_cb = routing.RegisterTransitMatrix(transit)
    cost_cb = (
        routing.RegisterTransitMatrix(np.asarray(problem.cost, dtype=np.int64).tolist())
        if problem.cost is not None
        else routing.RegisterTransitMatrix(travel.tolist())
    )
    routing.SetArcCostEvaluatorOfAllVehicles(cost_cb)
    horizon = max(s[1] for s in problem.shifts)
    routing.AddDimension(time_cb, horizon, horizon, False, "Time")
    time_dim = routing.GetDimensionOrDie("Time")
    depots = set(problem.starts) | set(problem.ends)
    excluded = set(problem.excluded)
    for node in range(n):
        if node in depots:
            continue
        idx = manager.NodeToIndex(node)
        lo, hi = problem.windows[node]
        time_dim.CumulVar(idx).SetRange(lo, hi)
    for v in range(problem.vehicles):
        lo, hi = problem.shifts[v]
        time_dim.CumulVar(routing.Start(v)).SetRange(lo, hi)
        time_dim.CumulVar(routing.End(v)).SetRange(lo, hi)
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(v)))
        routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(v)))
    if problem.span_cost:
        time_dim.SetSpanCostCoefficientForAllVehicles(problem.span_cost)
    if problem.global_span_cost:
        time_dim.SetGlobalSpanCostCoefficient(problem.global_span_cost)
    if problem.fixed_cost:
        routing.SetFixedCostOfAllVehicles(problem.fixed_cost)
    if problem.demand is not None and problem.capacity is not None:
        demand_cb = routing.RegisterUnaryTransitVector(list(problem.demand))
        routing.AddDimensionWithVehicleCapacity(
            demand_cb, 0, list(problem.capacity), True, "Capacity"
        )
    if problem.allowed:
        # SetAllowedVehiclesForIndex's SWIG wrapper rejects Python lists in 9.15, so
        # restrict the vehicle variable directly (-1 = not performed).
        for node, vehicles in problem.allowed.items():
            if len(vehicles) < problem.vehicles:
                routing.VehicleVar(manager.NodeToIndex(node)).SetValues([-1, *vehicles])
    if problem.drop_penalty is not None:
        for node, pen in enumerate(problem.drop_penalty):
            if pen is None or node in depots or node in excluded:
                continue
            routing.AddDisjunction([manager.NodeToIndex(node)], pen)
    if problem.work_soft_cap is not None:
        routing.AddDimension(time_cb, 0, horizon, True, "Work")
        work_dim = routing.GetDimensionOrDie("Work")
        for v, (cap, per_unit) in enumerate(problem.work_soft_cap):
            work_dim.SetCumulVarSoftUpperBound(routing.End(v), cap, per_unit)
    for node in problem.excluded:
        idx = manager.NodeToIndex(node)
        routing.AddDisjunction([idx], 0)
        routing.ActiveVar(idx).SetValue(0)
    if problem.deadline:
        for node, (t, per_unit) in problem.deadline.items():
            time_dim.SetCumulVarSoftUpperBound(manager.NodeToIndex(node), t, per_unit)
    solver = routing.solver()
    for v, prefix in problem.locked_prefix.items():
        prev = routing.Start(v)
        for node in prefix:
            idx = manager.NodeToIndex(node)
            solver.Add(routing.NextVar(prev) == idx)
            prev = idx
    for node, t in problem.pinned_start.items():
        time_dim.CumulVar(manager.NodeToIndex(node)).SetRange(t, t)

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = FIRST_SOLUTION[first_solution]
    params.local_search_metaheuristic = METAHEURISTIC[metaheuristic]
    params.time_limit.FromMilliseconds(max(1, int(seconds * 1000)))
    params.log_search = log
    apply_search(params, search)
    if neighbors_ratio < 1.0:
        # Large instances: insertion heuristics and LS operators look at the nearest
        # fraction of nodes only (quadratic → near-linear first solution).
        gci = params.global_cheapest_insertion_first_solution_parameters
        gci.neighbors_ratio = neighbors_ratio
        gci.min_neighbors = 10
        params.ls_operator_neighbors_ratio = neighbors_ratio
        params.ls_operator_min_neighbors = 10
        gls_ops = params.global_cheapest_insertion_ls_operator_parameters
        gls_ops.neighbors_ratio = neighbors_ratio
        gls_ops.min_neighbors = 10
        params.savings_parameters.neighbors_ratio = neighbors_ratio
    build_s = time.perf_counter() - t0
    if initial_routes is not None:
        routing.CloseModelWithParameters(params)
        init = routing.ReadAssignmentFromRoutes(initial_routes, True)
        solution = routing.SolveFromAssignmentWithParameters(init, params) if init else None
        if solution is None:
            solution = routing.SolveWithParameters(params)
    else:
        solution = routing.SolveWithParameters(params)
    status = routing.status()
    status_name = {
        0: "not_solved",
        1: "success",
        2: "partial_success_local_optimum_not_reached",
        3: "fail",
        4: "fail_timeout",
        5: "invalid",
        6: "infeasible",
        7: "optimal",
    }.get(int(status), str(status))
    if solution is None:
        raise RoutingFailed(f"no solution ({status_name})")
    routes: list[list[int]] = []
    times: list[list[int]] = []
    ends: list[int] = []
    for v in range(problem.vehicles):
        idx = routing.Start(v)
        route: list[int] = []
        ts: list[int] = []
        idx = solution.Value(routing.NextVar(idx))
        while not routing.IsEnd(idx):
            route.append(manager.IndexToNode(idx))
            ts.append(solution.Min(time_dim.CumulVar(idx)))
            idx = solution.Value(routing.NextVar(idx))
        ends.append(solution.Min(time_dim.CumulVar(idx)))
        routes.append(route)
        times.append(ts)
    dropped = []
    for node in range(n):
        if node in depots:
            continue
        idx = manager.NodeToIndex(node)
        if solution.Value(routing.NextVar(idx)) == idx:
            dropped.append(node)
    return RoutingResult(
        status=status_name,
        routes=routes,
        starts=times,
        ends=ends,
        dropped=dropped,
        objective=solution.ObjectiveValue(),
        wall_seconds=time.perf_counter() - t0,
        stats={"build_seconds": round(build_s, 3)},
    )


SEARCHES = ("gls", "gls_wide", "ils_sisr", "ils_sisr_gls")


def apply_search(params: Any, search: str) -> None:
    """Search presets compared in ``docs/workforce.md`` (measured on the Solomon set).

    ``gls``: the metaheuristic given (guided local search by default) with OR-Tools'
    default operators. ``gls_wide``: plus neighbour-relocation, cross-exchange and the
    close-nodes LNS operators. ``ils_sisr``: iterated local search whose perturbation
    is a SISR ruin (string removals, Christiaens & Vanden Berghe 2020) recreated by
    cheapest insertion, simulated-annealing acceptance. ``ils_sisr_gls``: both.
    """
    if search not in SEARCHES:
        raise ValueError(f"unknown search preset {search!r}; one of {SEARCHES}")
    # Identical vehicles: penalise arcs per vehicle class, otherwise GLS "escapes" its
    # penalties by moving a route to another empty vehicle and cycles (measured: C101
    # stuck at 854.31 without it, 828.94 = best known with it, 3 s).
    params.guided_local_search_penalize_with_vehicle_classes = True
    ops = params.local_search_operators
    if search == "gls_wide":
        ops.use_relocate_neighbors = 3  # BOOL_TRUE
        ops.use_cross_exchange = 3
        ops.use_global_cheapest_insertion_close_nodes_lns = 3
        ops.use_local_cheapest_insertion_close_nodes_lns = 3
    if search.startswith("ils"):
        params.use_iterated_local_search = True
        ils = params.iterated_local_search_parameters
        rr = ils.ruin_recreate_parameters
        del rr.ruin_strategies[:]
        sisr = rr.ruin_strategies.add().sisr
        sisr.max_removed_sequence_size = 10
        sisr.avg_num_removed_visits = 10
        sisr.bypass_factor = 0.01
        rr.recreate_strategy.heuristic = (
            routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION
        )
        ils.improve_perturbed_solution = True
        sa = ils.reference_solution_acceptance_strategy.simulated_annealing
        sa.automatic_temperatures = True
        if search == "ils_sisr":
            params.local_search_metaheuristic = METAHEURISTIC["greedy_descent"]


# --------------------------------------------------------------------------- Solomon


@dataclass(slots=True)
class SolomonSolution:
    """Routes of customer numbers, their exact (float) total distance and vehicle count."""

    instance: str
    vehicles: int
    distance: float
    routes: list[list[int]]
    wall_seconds: float
    strategy: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "vehicles": self.vehicles,
            "distance": round(self.distance, 4),
            "routes": self.routes,
        }


def solomon_problem(instance: solomon.Instance) -> RoutingProblem:
    """The distance-only Solomon model as integer matrices.

    Arc costs are ``round(d × SCALE)``; travel *times* are ``ceil(d × SCALE)`` so that
    every schedule the solver accepts is also feasible in exact arithmetic (windows
    are integers scaled by the same factor). Node 0 is the depot of every vehicle.
    """
    custs = instance.customers
    n = len(custs)
    dist = [[instance.distance(i, j) for j in range(n)] for i in range(n)]
    cost = [[round(d * SCALE) for d in row] for row in dist]
    travel = [[math.ceil(d * SCALE - 1e-9) for d in row] for row in dist]
    return RoutingProblem(
        travel=travel,
        cost=cost,
        service=[c.service * SCALE for c in custs],
        windows=[(c.ready * SCALE, c.due * SCALE) for c in custs],
        starts=[0] * instance.vehicles,
        ends=[0] * instance.vehicles,
        shifts=[(instance.depot.ready * SCALE, instance.depot.due * SCALE)] * instance.vehicles,
        demand=[c.demand for c in custs],
        capacity=[instance.capacity] * instance.vehicles,
    )


def solve_solomon(
    instance: solomon.Instance,
    *,
    seconds: float = 10.0,
    first_solution: str = "parallel_cheapest_insertion",
    metaheuristic: str = "guided_local_search",
    search: str = "gls",
    workers: int = 1,
    log: bool = False,
) -> SolomonSolution:
    """Minimise total distance with at most ``instance.vehicles`` routes.

    ``first_solution`` may list several strategies separated by commas: a portfolio.
    With ``workers`` ≥ 2 they run at the same time in separate processes, each for
    the full ``seconds`` (wall time stays ``seconds``, CPU time is multiplied);
    otherwise one after another, sharing ``seconds``. The shortest feasible result wins.
    """
    strategies = [s.strip() for s in first_solution.split(",") if s.strip()]
    for s in strategies:
        if s not in FIRST_SOLUTION:
            raise ValueError(f"unknown first solution strategy {s!r}")
    if len(strategies) == 1:
        return _solve_one(instance, seconds, strategies[0], metaheuristic, search, log)
    import time

    t0 = time.perf_counter()
    if workers >= 2:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=min(workers, len(strategies)), mp_context=ctx) as ex:
            futures = [
                ex.submit(_solve_one, instance, seconds, s, metaheuristic, search, log)
                for s in strategies
            ]
            results = [f.result() for f in futures]
    else:
        share = seconds / len(strategies)
        results = [_solve_one(instance, share, s, metaheuristic, search, log) for s in strategies]
    feasible = [r for r in results if not solomon.check(instance, r.routes)] or results
    best = min(feasible, key=lambda r: r.distance)
    best.wall_seconds = time.perf_counter() - t0
    return best


def _solve_quietly(
    instance: solomon.Instance,
    seconds: float,
    first_solution: str,
    metaheuristic: str,
    search: str,
    log: bool,
) -> SolomonSolution | None:
    """One portfolio member; ``None`` when its first solution heuristic found nothing."""
    try:
        return _solve_one(instance, seconds, first_solution, metaheuristic, search, log)
    except RoutingFailed:
        return None


def _solve_one(
    instance: solomon.Instance,
    seconds: float,
    first_solution: str,
    metaheuristic: str,
    search: str,
    log: bool,
) -> SolomonSolution:
    result = solve(
        solomon_problem(instance),
        seconds=seconds,
        first_solution=first_solution,
        metaheuristic=metaheuristic,
        search=search,
        log=log,
    )
    routes = [r for r in result.routes if r]
    return SolomonSolution(
        instance=instance.name,
        vehicles=len(routes),
        distance=solomon.total_distance(instance, routes),
        routes=routes,
        wall_seconds=result.wall_seconds,
        strategy=first_solution,
    )


def gap(found: float, best_known: float) -> float:
    """Relative gap in percent (negative: better than the reference)."""
    return (found - best_known) / best_known * 100.0


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else math.nan
