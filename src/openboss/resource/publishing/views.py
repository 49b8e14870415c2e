"""Read models of the building view (console): coverage by owner, capacity and
utilisation per building, the network at a building as a tree, partner names.

eTOM 1.5.1 resource management — resource capability reporting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openboss.kit.scope import Scope, apply_scope
from openboss.resource.inventory.models import NetworkPartner, Resource
from openboss.resource.publishing import rules
from openboss.resource.publishing.availability import earliest_date
from openboss.resource.publishing.models import (
    OWN,
    BusinessResourceType,
    PartnerCoverage,
    ResourceAvailability,
)


@dataclass(frozen=True, slots=True)
class Offer:
    """One availability row as the console shows it."""

    business_type_id: str
    type_name: str
    owner_key: str
    owner_name: str | None
    coverage_type: str
    delivery_mode: str
    total: int
    free: int
    status: str
    earliest: datetime

    @property
    def used(self) -> int:
        return self.total - self.free

    @property
    def utilisation(self) -> int:
        return round(100 * self.used / self.total) if self.total else 0


def partner_names(session: Session, locale: str) -> dict[str, str]:
    out = {}
    for p in session.scalars(select(NetworkPartner)):
        names = p.localized_name or {}
        out[p.id] = names.get(locale) or names.get("en") or p.name
    return out


def type_names(session: Session, locale: str) -> dict[str, tuple[str, int]]:
    out = {}
    for t in session.scalars(select(BusinessResourceType)):
        names = t.localized_name or {}
        out[t.id] = (names.get(locale) or names.get("en") or t.name, t.lead_days)
    return out


def offers(
    session: Session, scope: Scope, site_ids: Sequence[str], locale: str
) -> dict[str, list[Offer]]:
    """The availability rows of these buildings, per building, preferred type first."""
    if not site_ids:
        return {}
    partners = partner_names(session, locale)
    types = type_names(session, locale)
    order = {t.id: t.preference for t in rules.active_types(session)}
    stmt = apply_scope(
        select(ResourceAvailability).where(ResourceAvailability.site_id.in_(list(site_ids))),
        ResourceAvailability,
        scope,
    )
    out: dict[str, list[Offer]] = {}
    for r in session.scalars(stmt):
        name, lead = types.get(r.business_type_id, (r.business_type_id, 0))
        out.setdefault(r.site_id, []).append(
            Offer(
                business_type_id=r.business_type_id,
                type_name=name,
                owner_key=r.owner_key,
                owner_name=None if r.owner_key == OWN else partners.get(r.owner_key, r.owner_key),
                coverage_type=r.coverage_type,
                delivery_mode=r.delivery_mode,
                total=r.capacity_total,
                free=r.capacity_free,
                status=r.status,
                earliest=earliest_date(r.ready_date, lead),
            )
        )
    for rows in out.values():
        rows.sort(key=lambda o: (order.get(o.business_type_id, 99), o.owner_key))
    return out


def covered_site_ids(session: Session, scope: Scope, limit: int) -> list[str]:
    """Buildings with something published (for the building list without a search)."""
    stmt = apply_scope(
        select(ResourceAvailability.site_id).distinct(), ResourceAvailability, scope
    ).order_by(ResourceAvailability.site_id)
    return list(session.scalars(stmt.limit(limit)))


@dataclass
class Node:
    """A network element in the building's tree, with port counts for splitters."""

    id: str
    spec_id: str
    name: str
    lifecycle_status: str
    operational_state: str
    free: int = 0
    used: int = 0
    total: int = 0
    children: list[Node] = field(default_factory=list)


def network_tree(session: Session, scope: Scope, site_id: str) -> list[Node]:
    """OLT → PON port → splitters (cascades nested) serving the building, with
    the free/used/total splitter ports under each splitter."""
    splitters = list(
        session.scalars(
            apply_scope(
                select(Resource).where(
                    Resource.site_id == site_id, Resource.spec_id == rules.SPLITTER
                ),
                Resource,
                scope,
            ).order_by(Resource.name)
        )
    )
    if not splitters:
        return []
    ids = [s.id for s in splitters]
    counts: dict[str, dict[str, int]] = {}
    stmt = (
        select(Resource.parent_id, Resource.lifecycle_status, func.count())
        .where(Resource.parent_id.in_(ids), Resource.spec_id == rules.SPLITTER_PORT)
        .group_by(Resource.parent_id, Resource.lifecycle_status)
    )
    for parent, status, how_many in session.execute(stmt):
        counts.setdefault(str(parent), {})[str(status)] = int(how_many)
    nodes: dict[str, Node] = {}
    parent_of: dict[str, str | None] = {}

    def node(r: Resource) -> Node:
        c = counts.get(r.id, {})
        n = Node(r.id, r.spec_id, r.name, r.lifecycle_status, r.operational_state)
        n.free = c.get("available", 0)
        n.total = sum(v for k, v in c.items() if k != "retired")
        n.used = c.get("allocated", 0) + c.get("reserved", 0)
        return n

    for s in splitters:
        nodes[s.id] = node(s)
        parent_of[s.id] = s.parent_id
    # walk up: splitter ports (cascade), PON ports, cards, OLTs
    pending = {p for p in parent_of.values() if p and p not in nodes}
    for _depth in range(8):
        if not pending:
            break
        found = list(session.scalars(select(Resource).where(Resource.id.in_(list(pending)))))
        pending = set()
        for r in found:
            nodes[r.id] = node(r)
            parent_of[r.id] = r.parent_id if r.spec_id not in ("olt",) else None
            if r.parent_id and r.parent_id not in nodes and r.spec_id != "olt":
                pending.add(r.parent_id)
    roots: list[Node] = []
    for ident, n in nodes.items():
        parent = parent_of.get(ident)
        if parent and parent in nodes:
            nodes[parent].children.append(n)
        else:
            roots.append(n)
    # splitter ports in a cascade are shown through their splitter only
    return [_collapse(r) for r in roots]


def _collapse(n: Node) -> Node:
    kids: list[Node] = []
    for c in n.children:
        c = _collapse(c)
        if c.spec_id == rules.SPLITTER_PORT:
            kids.extend(c.children)
        else:
            kids.append(c)
    n.children = sorted(kids, key=lambda k: k.name)
    return n


def coverage_rows(session: Session, scope: Scope, site_id: str) -> list[dict[str, Any]]:
    stmt = apply_scope(
        select(PartnerCoverage).where(PartnerCoverage.site_id == site_id),
        PartnerCoverage,
        scope,
    ).order_by(PartnerCoverage.partner_id)
    return [
        {
            "partner_id": c.partner_id,
            "technology": c.technology,
            "coverage_type": c.coverage_type,
            "capacity": c.capacity,
            "used": c.used,
            "status": c.status,
            "valid_from": c.valid_from,
            "valid_to": c.valid_to,
        }
        for c in session.scalars(stmt)
    ]
