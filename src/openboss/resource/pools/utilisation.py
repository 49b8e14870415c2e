"""Utilisation: how full pools, warehouses and the access network are.

eTOM 1.5.1 resource management (resource performance / capacity view).

Everything is a SQL aggregate (GROUP BY over the ``resource`` table, a
recursive walk down the containment tree for the network) — no rows are
loaded. "Used" means reserved or allocated; "total" counts every resource
but retired ones.

Levels:

* ``pool`` — IP pools (addresses taken / capacity: an IPv4 block counts its
  addresses, an IPv6 prefix counts one) and number pools (numbers by status);
* ``warehouse`` — CPE per warehouse by status;
* ``olt`` — per OLT: PON ports used / total, and splitter ports used / total
  anywhere below it (cascaded splitters included);
* ``ponPort`` — per PON port: splitter ports used / total below it;
* ``building`` — per building (site): splitter ports at the site by status.

A ``regionId`` filter follows the administrative codes (GB/T 2260): a
province ``330000`` takes every region code starting ``33``, a city
``330100`` every code starting ``3301``, a district ``330106`` itself and its
grids (``330106-G01``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal_column, select
from sqlalchemy.orm import Session, aliased

from openboss.kit.errors import ValidationFailed
from openboss.kit.places import place_directory
from openboss.kit.scope import Scope, apply_scope
from openboss.resource.inventory.models import LIFECYCLE_STATUSES, Resource
from openboss.resource.pools.specs import (
    CPE,
    IP_ADDRESS,
    IP_BLOCK,
    IP_POOL,
    NUMBER,
    NUMBER_POOL,
    WAREHOUSE,
)

LEVELS = ("pool", "warehouse", "olt", "ponPort", "building")
USED = ("reserved", "allocated")
OLT, PON_PORT, SPLITTER_PORT = "olt", "ponPort", "splitterPort"


def region_prefix(region_id: str) -> str:
    """The code prefix of a region and everything below it."""
    code = region_id.strip()
    if not code or len(code) > 64:
        raise ValidationFailed("regionId is malformed", field="regionId")
    if code.isdigit() and len(code) == 6:
        while code.endswith("00") and len(code) > 2:
            code = code[:-2]
    return code


def _in_region(stmt: Select[Any], entity: Any, region_id: str | None) -> Select[Any]:
    if region_id is None:
        return stmt
    prefix = region_prefix(region_id)
    return stmt.where(entity.region_id.like(f"{prefix}%"))


def percent(used: int, total: int) -> float:
    return round(100.0 * used / total, 1) if total else 0.0


@dataclass
class Row:
    """One line of a utilisation table."""

    id: str
    name: str
    kind: str
    used: int = 0
    total: int = 0
    region_id: str | None = None
    site_id: str | None = None
    by_status: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def percent(self) -> float:
        return percent(self.used, self.total)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "used": self.used,
            "total": self.total,
            "percent": self.percent,
            "regionId": self.region_id,
            "siteId": self.site_id,
        }
        if self.by_status:
            out["byStatus"] = self.by_status
        out.update(self.extra)
        return {k: v for k, v in out.items() if v is not None}


def _used(column: Any) -> ColumnElement[Any]:
    return func.sum(case((column.in_(USED), 1), else_=0))


def _total(column: Any) -> ColumnElement[Any]:
    return func.sum(case((column == "retired", 0), else_=1))


def pools(session: Session, scope: Scope, region_id: str | None = None) -> list[Row]:
    """IP and number pools with what is used of them."""
    stmt = _in_region(
        apply_scope(
            select(Resource).where(Resource.spec_id.in_((IP_POOL, NUMBER_POOL))), Resource, scope
        ),
        Resource,
        region_id,
    )
    return pools_for(session, list(session.scalars(stmt.order_by(Resource.spec_id, Resource.name))))


def pools_by_id(session: Session, pool_ids: Sequence[str]) -> list[Row]:
    """:func:`pools` for these pools (no scope: the caller read them already)."""
    stmt = select(Resource).where(Resource.id.in_(list(pool_ids)))
    return pools_for(session, list(session.scalars(stmt)))


def pools_for(session: Session, pool_rows: list[Resource]) -> list[Row]:
    """Utilisation rows of these IP and number pools (one GROUP BY query)."""
    ids = [p.id for p in pool_rows]
    if not ids:
        return []
    child = aliased(Resource)
    # IPv4 blocks count their addresses, IPv6 prefixes and single addresses count one
    weight = case(
        (
            (child.spec_id == IP_BLOCK) & ~child.value.like("%:%"),
            func.coalesce(child.capacity, 1),
        ),
        else_=1,
    )
    counts: dict[str, dict[str, int]] = {}
    taken: dict[str, int] = {}
    for parent, lifecycle, n, w in session.execute(
        select(child.parent_id, child.lifecycle_status, func.count(), func.sum(weight))
        .where(child.parent_id.in_(ids), child.spec_id.in_((IP_ADDRESS, IP_BLOCK, NUMBER)))
        .group_by(child.parent_id, child.lifecycle_status)
    ):
        counts.setdefault(parent, {})[lifecycle] = int(n)
        if lifecycle in (*USED, "retired"):
            taken[parent] = taken.get(parent, 0) + int(w or 0)
    out = []
    for pool in pool_rows:
        by_status = {s: counts.get(pool.id, {}).get(s, 0) for s in LIFECYCLE_STATUSES}
        if pool.spec_id == IP_POOL:
            row = Row(
                pool.id,
                pool.name,
                "ipPool",
                used=taken.get(pool.id, 0),
                total=pool.capacity or 0,
                region_id=pool.region_id,
                extra={"value": pool.value},
            )
        else:
            total = sum(v for k, v in by_status.items() if k != "retired")
            used = sum(by_status[s] for s in USED)
            row = Row(
                pool.id,
                pool.name,
                "numberPool",
                used=used,
                total=total,
                region_id=pool.region_id,
                by_status=by_status,
            )
        out.append(row)
    return out


def warehouses(session: Session, scope: Scope, region_id: str | None = None) -> list[Row]:
    """CPE per warehouse by status (used = issued)."""
    stmt = _in_region(
        apply_scope(select(Resource).where(Resource.spec_id == WAREHOUSE), Resource, scope),
        Resource,
        region_id,
    )
    houses = list(session.scalars(stmt.order_by(Resource.value)))
    if not houses:
        return []
    counts: dict[str, dict[str, int]] = {}
    for parent, lifecycle, n in session.execute(
        select(Resource.parent_id, Resource.lifecycle_status, func.count())
        .where(Resource.parent_id.in_([h.id for h in houses]), Resource.spec_id == CPE)
        .group_by(Resource.parent_id, Resource.lifecycle_status)
    ):
        counts.setdefault(str(parent), {})[lifecycle] = int(n)
    out = []
    for house in houses:
        by_status = {s: counts.get(house.id, {}).get(s, 0) for s in LIFECYCLE_STATUSES}
        out.append(
            Row(
                house.id,
                house.name,
                "warehouse",
                used=sum(by_status[s] for s in USED),
                total=sum(v for k, v in by_status.items() if k != "retired"),
                region_id=house.region_id,
                site_id=house.site_id,
                by_status=by_status,
                extra={"value": house.value},
            )
        )
    return out


def _below(
    session: Session,
    scope: Scope,
    root_spec: str,
    counted: Sequence[str],
    region_id: str | None,
) -> tuple[list[Resource], dict[tuple[str, str], tuple[int, int]]]:
    """Roots of ``root_spec`` and, per (root id, counted spec), (used, total) of
    the resources below them — one recursive query."""
    roots_stmt = _in_region(
        apply_scope(select(Resource).where(Resource.spec_id == root_spec), Resource, scope),
        Resource,
        region_id,
    )
    roots = list(session.scalars(roots_stmt.order_by(Resource.name, Resource.id)))
    if not roots:
        return [], {}
    anchor: Any = select(
        Resource.id.label("root"), Resource.id.label("node"), literal_column("0").label("depth")
    ).where(Resource.id.in_([r.id for r in roots]))
    tree = anchor.cte("tree", recursive=True)
    child = aliased(Resource)
    tree = tree.union_all(
        select(tree.c.root, child.id, tree.c.depth + 1).where(
            child.parent_id == tree.c.node, tree.c.depth < 12
        )
    )
    node = aliased(Resource)
    sums: dict[tuple[str, str], tuple[int, int]] = {}
    for root, spec_id, used, total in session.execute(
        select(
            tree.c.root,
            node.spec_id,
            _used(node.lifecycle_status),
            _total(node.lifecycle_status),
        )
        .join(node, node.id == tree.c.node)
        .where(node.spec_id.in_(list(counted)), tree.c.depth > 0)
        .group_by(tree.c.root, node.spec_id)
    ):
        sums[(root, spec_id)] = (int(used or 0), int(total or 0))
    return roots, sums


def olts(session: Session, scope: Scope, region_id: str | None = None) -> list[Row]:
    """Per OLT: PON ports and splitter ports below it, used / total."""
    roots, sums = _below(session, scope, OLT, (PON_PORT, SPLITTER_PORT), region_id)
    out = []
    for olt in roots:
        pon_used, pon_total = sums.get((olt.id, PON_PORT), (0, 0))
        sp_used, sp_total = sums.get((olt.id, SPLITTER_PORT), (0, 0))
        out.append(
            Row(
                olt.id,
                olt.name,
                "olt",
                used=sp_used,
                total=sp_total,
                region_id=olt.region_id,
                site_id=olt.site_id,
                extra={
                    "ponPortsUsed": pon_used,
                    "ponPortsTotal": pon_total,
                    "ponPercent": percent(pon_used, pon_total),
                    "splitterPortsUsed": sp_used,
                    "splitterPortsTotal": sp_total,
                },
            )
        )
    return out


def pon_ports(session: Session, scope: Scope, region_id: str | None = None) -> list[Row]:
    """Per PON port: splitter ports below it, used / total."""
    roots, sums = _below(session, scope, PON_PORT, (SPLITTER_PORT,), region_id)
    out = []
    for port in roots:
        used, total = sums.get((port.id, SPLITTER_PORT), (0, 0))
        out.append(
            Row(
                port.id,
                port.name,
                "ponPort",
                used=used,
                total=total,
                region_id=port.region_id,
                site_id=port.site_id,
                extra={"parentId": port.parent_id, "lifecycleStatus": port.lifecycle_status},
            )
        )
    return out


def buildings(
    session: Session, scope: Scope, region_id: str | None = None, limit: int = 500
) -> list[Row]:
    """Per building: the splitter ports at the site by status."""
    base: Any = select(Resource.site_id, Resource.lifecycle_status, func.count())
    stmt = _in_region(
        apply_scope(
            base.where(Resource.spec_id == SPLITTER_PORT, Resource.site_id.is_not(None)),
            Resource,
            scope,
        ),
        Resource,
        region_id,
    ).group_by(Resource.site_id, Resource.lifecycle_status)
    counts: dict[str, dict[str, int]] = {}
    for site_id, lifecycle, n in session.execute(stmt):
        counts.setdefault(site_id, {})[lifecycle] = int(n)
    site_ids = sorted(counts)[:limit]
    names = {s.id: s for s in place_directory().sites(session, scope, site_ids)} if site_ids else {}
    out = []
    for site_id in site_ids:
        by_status = {s: counts[site_id].get(s, 0) for s in LIFECYCLE_STATUSES}
        site = names.get(site_id)
        out.append(
            Row(
                site_id,
                site.name if site else site_id,
                "building",
                used=sum(by_status[s] for s in USED),
                total=sum(v for k, v in by_status.items() if k != "retired"),
                region_id=site.region_id if site else None,
                site_id=site_id,
                by_status=by_status,
            )
        )
    return out


def utilisation(
    session: Session, scope: Scope, level: str, region_id: str | None = None
) -> list[Row]:
    """The utilisation table of ``level`` (400 on an unknown level)."""
    if level not in LEVELS:
        raise ValidationFailed(f"level must be one of {', '.join(LEVELS)}", field="level")
    if level == "pool":
        return pools(session, scope, region_id)
    if level == "warehouse":
        return warehouses(session, scope, region_id)
    if level == "olt":
        return olts(session, scope, region_id)
    if level == "ponPort":
        return pon_ports(session, scope, region_id)
    return buildings(session, scope, region_id)
