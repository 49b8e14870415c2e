"""Solomon VRPTW instances: parser, exact distances and an independent feasibility checker.

The Solomon (1987) benchmark is how the dispatch engine (:mod:`openboss.workforce.vrptw`)
is measured against the literature. This module knows nothing about OR-Tools: the
checker re-evaluates routes in double precision, so a solver bug (a rounding slip in
the integer scaling, a missed window) cannot hide behind the solver's own numbers.

Conventions (``/work/shared/datasets/solomon/README.md``): row 0 is the depot whose due
date is the end of the horizon (every vehicle back by then); travel time equals the
Euclidean distance; a vehicle may wait for the ready time; service must *start* by the
due date; capacity bounds the sum of demands of a route; each customer is served once;
at most the instance's vehicle count is used.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path

#: Slack allowed when comparing floating point times (sums of square roots).
EPS = 1e-6


@dataclass(frozen=True, slots=True)
class Customer:
    """One row of the CUSTOMER table (``id`` 0 is the depot)."""

    id: int
    x: float
    y: float
    demand: int
    ready: int
    due: int
    service: int


@dataclass(frozen=True, slots=True)
class Instance:
    """A Solomon instance: fleet size and capacity, depot first then customers."""

    name: str
    vehicles: int
    capacity: int
    customers: tuple[Customer, ...]

    @property
    def depot(self) -> Customer:
        return self.customers[0]

    def distance(self, i: int, j: int) -> float:
        """Double-precision Euclidean distance (also the travel time) between rows."""
        a, b = self.customers[i], self.customers[j]
        return math.hypot(a.x - b.x, a.y - b.y)


class SolomonFormatError(ValueError):
    """The text is not a Solomon instance."""


def parse(text: str, *, name: str | None = None) -> Instance:
    """Parse the Solomon text format (LF or CRLF line endings, any whitespace)."""
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if len(lines) < 6:
        raise SolomonFormatError("too short to be a Solomon instance")
    inst_name = name or lines[0]
    try:
        v_idx = next(i for i, line in enumerate(lines) if line.upper().startswith("VEHICLE"))
        c_idx = next(i for i, line in enumerate(lines) if line.upper().startswith("CUSTOMER"))
    except StopIteration as exc:
        raise SolomonFormatError("missing VEHICLE or CUSTOMER section") from exc
    fleet = lines[v_idx + 2].split()
    if len(fleet) != 2:
        raise SolomonFormatError(f"bad vehicle line: {lines[v_idx + 2]!r}")
    vehicles, capacity = int(fleet[0]), int(fleet[1])
    rows: list[Customer] = []
    for line in lines[c_idx + 1 :]:
        parts = line.split()
        if not parts[0].lstrip("-").isdigit():
            continue  # the column header
        if len(parts) != 7:
            raise SolomonFormatError(f"bad customer line: {line!r}")
        cid, x, y, demand, ready, due, service = (int(float(p)) for p in parts)
        rows.append(Customer(cid, float(x), float(y), demand, ready, due, service))
    if not rows or rows[0].id != 0:
        raise SolomonFormatError("the first customer row must be the depot (0)")
    if [c.id for c in rows] != list(range(len(rows))):
        raise SolomonFormatError("customer numbers must run 0, 1, 2, … without gaps")
    return Instance(inst_name, vehicles, capacity, tuple(rows))


def load(path: str | Path) -> Instance:
    """Read and parse an instance file."""
    p = Path(path)
    return parse(p.read_text(encoding="ascii"), name=p.stem)


def route_distance(instance: Instance, route: list[int]) -> float:
    """Length of depot → customers → depot."""
    stops = [0, *route, 0]
    return sum(instance.distance(a, b) for a, b in itertools.pairwise(stops))


def total_distance(instance: Instance, routes: list[list[int]]) -> float:
    return sum(route_distance(instance, r) for r in routes if r)


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: ``kind`` is one of ``unknown_customer``, ``duplicate``,
    ``missing``, ``capacity``, ``time_window``, ``depot_return``, ``fleet``."""

    kind: str
    detail: str


def check(instance: Instance, routes: list[list[int]]) -> list[Violation]:
    """Every rule a solution breaks (empty list: feasible), evaluated in floats."""
    out: list[Violation] = []
    n = len(instance.customers)
    used = [r for r in routes if r]
    if len(used) > instance.vehicles:
        out.append(Violation("fleet", f"{len(used)} routes > {instance.vehicles} vehicles"))
    seen: dict[int, int] = {}
    for k, route in enumerate(used):
        load_ = 0
        t = float(instance.depot.ready)
        prev = 0
        for c in route:
            if not 1 <= c < n:
                out.append(Violation("unknown_customer", f"route {k}: {c}"))
                continue
            if c in seen:
                out.append(Violation("duplicate", f"customer {c} in routes {seen[c]} and {k}"))
            seen[c] = k
            cust = instance.customers[c]
            load_ += cust.demand
            t = max(t + instance.distance(prev, c), float(cust.ready))
            if t > cust.due + EPS:
                out.append(
                    Violation("time_window", f"route {k}: customer {c} at {t:.3f} > {cust.due}")
                )
            t += cust.service
            prev = c
        t += instance.distance(prev, 0)
        if t > instance.depot.due + EPS:
            out.append(
                Violation("depot_return", f"route {k}: back at {t:.3f} > {instance.depot.due}")
            )
        if load_ > instance.capacity:
            out.append(Violation("capacity", f"route {k}: load {load_} > {instance.capacity}"))
    missing = sorted(set(range(1, n)) - set(seen))
    if missing:
        out.append(Violation("missing", f"customers not served: {missing[:20]}"))
    return out
