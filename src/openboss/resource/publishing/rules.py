"""Business resource types and their packaging rules (资源发布: 业务资源).

eTOM 1.5.1 resource management — packaging network capacity into what sales
can sell at a building.

A business resource type is a configured row (:class:`BusinessResourceType`):
its coverage type and delivery mode (the catalog's words, used by
``catalog.mapping.resolve_fulfilment``), the CFS ids it serves, a lead time,
a preference, and one of the packaging rules below. Each rule computes the
sellable capacity of many buildings at once with one SQL aggregate (GROUP BY
building and owner) — no resource row is loaded into Python:

* ``ftthSplitterPorts`` — free own ``splitterPort``\\ s at the building whose
  chain up through the splitters (cascades included) to the PON port is
  operational (``operationalState`` enable) and not retired; ports behind a
  planned element, or planned themselves, count as planned.
* ``partnerCoverage`` — active partner coverage rows of the type's coverage
  type: ``capacity − used`` of those valid now (partner active); rows that
  start later make the building ``planned``; suspended rows count as full.
* ``mstpNodeCapacity`` — own ``mstpNode``\\ s at the building: their
  ``capacity`` (tributary ports) minus the contained resources (circuits,
  ports) that are reserved or allocated.
* ``everywhere`` — no capacity limit (mobile access: the radio network covers
  the city); not published per building, qualification answers it directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    Select,
    String,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session

from openboss.db.types import UTCDateTime
from openboss.kit.clock import utcnow
from openboss.resource.inventory.models import NetworkPartner, Resource
from openboss.resource.publishing.models import BusinessResourceType, PartnerCoverage

#: Spec ids of the network view the rules read (seeded by the inventory).
SPLITTER, SPLITTER_PORT, PON_PORT, MSTP_NODE = "splitter", "splitterPort", "ponPort", "mstpNode"


@dataclass(frozen=True, slots=True)
class BusinessTypeDef:
    id: str
    name: str
    name_zh: str
    coverage_type: str
    delivery_mode: str
    service_specs: tuple[str, ...]
    rule: str
    lead_days: int
    preference: int


#: The business types shipped with OpenBOSS (seeded by :func:`ensure_business_types`).
BUILTIN_TYPES: tuple[BusinessTypeDef, ...] = (
    BusinessTypeDef(
        "ftthAccess",
        "FTTH access at building",
        "楼宇自建光纤接入",
        "ownFtth",
        "ownConstruction",
        (
            "cfs-internet-access",
            "cfs-iptv",
            "cfs-fixed-voice",
            "cfs-static-ip",
            "cfs-home-terminal",
        ),
        "ftthSplitterPorts",
        2,
        10,
    ),
    BusinessTypeDef(
        "partnerCableAccess",
        "Partner cable access at building",
        "楼宇合作方有线接入",
        "partnerCable",
        "partner",
        ("cfs-internet-access", "cfs-iptv", "cfs-home-terminal"),
        "partnerCoverage",
        3,
        20,
    ),
    BusinessTypeDef(
        "leasedLineAccess",
        "Leased line access at building",
        "楼宇专线接入",
        "leasedLine",
        "ownConstruction",
        ("cfs-leased-line",),
        "mstpNodeCapacity",
        10,
        30,
    ),
    BusinessTypeDef(
        "mobileAccess",
        "Mobile access",
        "移动接入",
        "mobile",
        "instant",
        ("cfs-mobile",),
        "everywhere",
        0,
        40,
    ),
)


def ensure_business_types(session: Session) -> list[str]:
    """Insert the built-in business types that are missing (idempotent; rows an
    operator changed are left as they are). Returns the ids inserted."""
    existing = set(session.scalars(select(BusinessResourceType.id)))
    now = utcnow()
    added = []
    for d in BUILTIN_TYPES:
        if d.id in existing:
            continue
        session.add(
            BusinessResourceType(
                id=d.id,
                name=d.name,
                localized_name={"en": d.name, "zh-CN": d.name_zh},
                coverage_type=d.coverage_type,
                delivery_mode=d.delivery_mode,
                service_specs=list(d.service_specs),
                rule=d.rule,
                lead_days=d.lead_days,
                preference=d.preference,
                status="active",
                builtin=True,
                created_at=now,
                updated_at=now,
            )
        )
        added.append(d.id)
    if added:
        session.flush()
    return added


def active_types(session: Session) -> list[BusinessResourceType]:
    """The active business types, preferred first."""
    stmt = (
        select(BusinessResourceType)
        .where(BusinessResourceType.status == "active")
        .order_by(BusinessResourceType.preference, BusinessResourceType.id)
    )
    return list(session.scalars(stmt))


@dataclass(frozen=True, slots=True)
class Capacity:
    """What a rule computed for one building and owner (``partner_id`` None = own)."""

    site_id: str
    partner_id: str | None
    total: int
    free: int
    planned: int
    ready_date: datetime | None
    #: The region of the building's resources (or coverage rows)
    region_id: str | None = None

    @property
    def status(self) -> str:
        if self.free > 0:
            return "available"
        if self.planned > 0:
            return "planned"
        return "exhausted"


def _flag(condition: Any) -> Any:
    return case((condition, 1), else_=0)


# The rules' statements are built once (aliases and CTEs are costly to build in
# Python); each call binds the buildings (an expanding IN) and the time.
_SITES: BindParameter[str] = bindparam("sites", expanding=True)
_NOW: BindParameter[datetime] = bindparam("now", type_=UTCDateTime())
_COVERAGE_TYPE: BindParameter[str] = bindparam("coverage_type", type_=String())


def _ftth_statement() -> Select[Any]:
    r = Resource.__table__
    s = r.alias("s")
    n = r.alias("n")
    p = r.alias("p")

    def bad(t: Any) -> Any:
        return _flag(or_(t.c.lifecycle_status == "retired", t.c.operational_state != "enable"))

    def planned(t: Any) -> Any:
        return _flag(t.c.lifecycle_status == "planned")

    # Walk up from each splitter of the buildings: splitter → (splitter port →
    # splitter)* → PON port, counting broken and planned elements on the way.
    up = (
        select(
            s.c.id.label("splitter_id"),
            s.c.parent_id.label("parent_id"),
            s.c.spec_id.label("spec_id"),
            bad(s).label("bad"),
            planned(s).label("planned"),
            literal(0).label("depth"),
        )
        .where(s.c.site_id.in_(_SITES), s.c.spec_id == SPLITTER, s.c.partner_id.is_(None))
        .cte("up", recursive=True)
    )
    up = up.union_all(
        select(
            up.c.splitter_id,
            n.c.parent_id,
            n.c.spec_id,
            up.c.bad + bad(n),
            up.c.planned + planned(n),
            up.c.depth + 1,
        )
        .select_from(up.join(n, n.c.id == up.c.parent_id))
        .where(up.c.spec_id != PON_PORT, up.c.depth < 16)
    )
    chain = (
        select(up.c.splitter_id, up.c.bad, up.c.planned).where(up.c.spec_id == PON_PORT).subquery()
    )
    live = p.c.lifecycle_status != "retired"
    free = and_(p.c.lifecycle_status == "available", chain.c.bad == 0, chain.c.planned == 0)
    is_planned = and_(
        chain.c.bad == 0,
        or_(
            p.c.lifecycle_status == "planned",
            and_(p.c.lifecycle_status == "available", chain.c.planned > 0),
        ),
    )
    return (
        select(
            p.c.site_id,
            func.sum(_flag(live)),
            func.sum(_flag(free)),
            func.sum(_flag(is_planned)),
            func.min(case((is_planned, p.c.start_operating_date), else_=None)),
            func.min(p.c.region_id),
        )
        .select_from(p.outerjoin(chain, chain.c.splitter_id == p.c.parent_id))
        .where(
            p.c.site_id.in_(_SITES),
            p.c.spec_id == SPLITTER_PORT,
            p.c.partner_id.is_(None),
        )
        .group_by(p.c.site_id)
    )


def _partner_statement() -> Select[Any]:
    pc = PartnerCoverage.__table__
    np_ = NetworkPartner.__table__
    started = or_(pc.c.valid_from.is_(None), pc.c.valid_from <= _NOW)
    current = and_(pc.c.status == "active", started)
    future = and_(pc.c.status == "active", pc.c.valid_from > _NOW)
    headroom = case((pc.c.capacity > pc.c.used, pc.c.capacity - pc.c.used), else_=0)
    return (
        select(
            pc.c.site_id,
            pc.c.partner_id,
            func.sum(pc.c.capacity),
            func.sum(case((current, headroom), else_=0)),
            func.sum(_flag(future)),
            func.min(case((future, pc.c.valid_from), else_=None)),
            func.min(pc.c.region_id),
        )
        .select_from(pc.join(np_, np_.c.id == pc.c.partner_id))
        .where(
            pc.c.site_id.in_(_SITES),
            pc.c.coverage_type == _COVERAGE_TYPE,
            np_.c.status == "active",
            or_(pc.c.valid_to.is_(None), pc.c.valid_to > _NOW),
        )
        .group_by(pc.c.site_id, pc.c.partner_id)
    )


def _mstp_statement() -> Select[Any]:
    r = Resource.__table__
    node = r.alias("node")
    child = r.alias("child")
    used = (
        select(child.c.parent_id, func.count().label("used"))
        .where(child.c.lifecycle_status.in_(("reserved", "allocated")))
        .group_by(child.c.parent_id)
        .subquery()
    )
    in_service = node.c.lifecycle_status.in_(("available", "reserved", "allocated"))
    sound = and_(in_service, node.c.operational_state == "enable")
    cap = func.coalesce(node.c.capacity, 0)
    taken = func.coalesce(used.c.used, 0)
    headroom = case((cap > taken, cap - taken), else_=0)
    is_planned = node.c.lifecycle_status == "planned"
    return (
        select(
            node.c.site_id,
            func.sum(cap),
            func.sum(case((sound, headroom), else_=0)),
            func.sum(_flag(is_planned)),
            func.min(case((is_planned, node.c.start_operating_date), else_=None)),
            func.min(node.c.region_id),
        )
        .select_from(node.outerjoin(used, used.c.parent_id == node.c.id))
        .where(
            node.c.site_id.in_(_SITES),
            node.c.spec_id == MSTP_NODE,
            node.c.partner_id.is_(None),
            node.c.lifecycle_status != "retired",
        )
        .group_by(node.c.site_id)
    )


_FTTH = _ftth_statement()
_PARTNER = _partner_statement()
_MSTP = _mstp_statement()


def ftth_capacity(
    session: Session, site_ids: Sequence[str], _bt: BusinessResourceType
) -> list[Capacity]:
    """Free own splitter ports per building whose chain to a PON port is sound."""
    return [
        Capacity(site, None, int(total or 0), int(nfree or 0), int(npl or 0), ready, region)
        for site, total, nfree, npl, ready, region in session.execute(
            _FTTH, {"sites": list(site_ids)}
        )
        if total
    ]


def partner_capacity(
    session: Session, site_ids: Sequence[str], bt: BusinessResourceType
) -> list[Capacity]:
    """Partner coverage per building and partner: capacity − used of rows valid now."""
    params = {"sites": list(site_ids), "now": utcnow(), "coverage_type": bt.coverage_type}
    return [
        Capacity(site, partner, int(total or 0), int(nfree or 0), int(nfut or 0), ready, region)
        for site, partner, total, nfree, nfut, ready, region in session.execute(_PARTNER, params)
    ]


def mstp_capacity(
    session: Session, site_ids: Sequence[str], _bt: BusinessResourceType
) -> list[Capacity]:
    """Own MSTP nodes per building: capacity minus the reserved/allocated resources in them."""
    return [
        Capacity(site, None, int(total or 0), int(nfree or 0), int(npl or 0), ready, region)
        for site, total, nfree, npl, ready, region in session.execute(
            _MSTP, {"sites": list(site_ids)}
        )
        if total or npl
    ]


RULE_FUNCTIONS = {
    "ftthSplitterPorts": ftth_capacity,
    "partnerCoverage": partner_capacity,
    "mstpNodeCapacity": mstp_capacity,
}
