"""Reference data of customer interface management (eTOM 1.1.1.2): the fixed
contact channels, the route targets, the outcomes, the per-channel SLA of an
open contact, and the configurable reason taxonomy (``interaction_reason``).

Channels, route targets and outcomes are code: other domains and the report
rely on them. Reasons are configuration: administrators and managers edit the
tree (``/api/party/v1/interactionReasons``, console page), and
:func:`seed_default_reasons` loads a sensible starting tree once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.kit.clock import utcnow
from openboss.kit.errors import Conflict, NotFound, ValidationFailed
from openboss.party.interaction.models import InteractionReason

#: Contact channels (PBOSS 接触渠道) and their English labels; the console
#: translates the labels (zh_CN: 自有营业厅, 合作营业厅, 代理商, 呼叫中心 …).
CHANNELS: Final[dict[str, str]] = {
    "ownHall": "Own service hall",
    "partnerHall": "Partner service hall",
    "agent": "Agent",
    "callCentre": "Call centre",
    "web": "Web portal",
    "wap": "Mobile portal (WAP)",
    "sms": "SMS",
    "email": "E-mail",
    "fax": "Fax",
    "enterprisePortal": "Enterprise portal",
}

DIRECTIONS: Final[tuple[str, ...]] = ("inbound", "outbound")

#: Where a contact may be routed: the process it starts and the TMF type of the
#: object that process creates (the ``@referredType`` of the interaction item).
#: ``information`` is answered in the contact itself (no object).
ROUTE_TARGETS: Final[dict[str, tuple[str, str | None]]] = {
    "order": ("1.1.1.5 Order Handling", "ProductOrder"),
    "complaint": ("1.1.1.6 Problem Handling", "TroubleTicket"),
    "fault": ("1.1.1.6 Problem Handling", "TroubleTicket"),
    "billEnquiry": ("1.1.1.12 Bill Inquiry Handling", "CustomerBillEnquiry"),
    "retention": ("1.1.1.9 Retention & Loyalty", "RetentionCase"),
    "information": ("1.1.1.2 Customer Interface Management", None),
}

ROUTE_LABELS: Final[dict[str, str]] = {
    "order": "Order handling",
    "complaint": "Complaint",
    "fault": "Fault repair",
    "billEnquiry": "Bill enquiry",
    "retention": "Retention",
    "information": "Information",
}

#: How a contact ended (extension attribute ``outcome``).
OUTCOMES: Final[dict[str, str]] = {
    "resolved": "Resolved",
    "orderCreated": "Order created",
    "complaintRaised": "Complaint raised",
    "faultReported": "Fault reported",
    "enquiryRaised": "Enquiry raised",
    "informationGiven": "Information given",
    "callbackPromised": "Call-back promised",
    "retained": "Customer retained",
    "noAction": "No action",
}

#: How long a contact may stay open before it is an exception, per channel
#: (written channels get three days; everything else one).
DEFAULT_SLA: Final = timedelta(hours=24)
CHANNEL_SLA: Final[dict[str, timedelta]] = {
    "email": timedelta(hours=72),
    "fax": timedelta(hours=72),
}


def sla_for(channel: str) -> timedelta:
    return CHANNEL_SLA.get(channel, DEFAULT_SLA)


def check_channel(value: str, field_name: str = "channel") -> str:
    if value not in CHANNELS:
        raise ValidationFailed(
            f"unknown channel '{value}'; expected one of: {', '.join(CHANNELS)}", field=field_name
        )
    return value


def check_route_target(value: str, field_name: str = "targetType") -> str:
    if value not in ROUTE_TARGETS:
        raise ValidationFailed(
            f"unknown route target '{value}'; expected one of: {', '.join(ROUTE_TARGETS)}",
            field=field_name,
        )
    return value


def check_outcome(value: str, field_name: str = "outcome") -> str:
    if value not in OUTCOMES:
        raise ValidationFailed(
            f"unknown outcome '{value}'; expected one of: {', '.join(OUTCOMES)}", field=field_name
        )
    return value


# ---- the reason taxonomy ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReasonSeed:
    code: str
    name: str
    name_en: str
    routes_to: str | None = None
    parent: str | None = None


#: The default tree: (code, 中文, English, routes_to, parent).
DEFAULT_REASONS: Final[tuple[ReasonSeed, ...]] = (
    ReasonSeed("order", "业务办理", "Orders and changes", "order"),
    ReasonSeed("order.new", "新装", "New connection", None, "order"),
    ReasonSeed("order.change", "套餐变更", "Plan change", None, "order"),
    ReasonSeed("order.relocation", "移机", "Relocation", None, "order"),
    ReasonSeed("order.disconnect", "拆机", "Disconnection", "retention", "order"),
    ReasonSeed("fault", "故障报修", "Fault report", "fault"),
    ReasonSeed("fault.noService", "无法上网", "No service", None, "fault"),
    ReasonSeed("fault.slow", "网速慢", "Slow connection", None, "fault"),
    ReasonSeed("fault.iptv", "电视故障", "IPTV fault", None, "fault"),
    ReasonSeed("complaint", "投诉", "Complaint", "complaint"),
    ReasonSeed("complaint.staff", "服务态度", "Staff conduct", None, "complaint"),
    ReasonSeed("complaint.billing", "计费争议", "Billing dispute", None, "complaint"),
    ReasonSeed("complaint.installation", "装机延误", "Installation delay", None, "complaint"),
    ReasonSeed("billing", "账单咨询", "Bill enquiry", "billEnquiry"),
    ReasonSeed("billing.balance", "余额查询", "Balance enquiry", None, "billing"),
    ReasonSeed("billing.invoice", "发票", "Invoice request", None, "billing"),
    ReasonSeed("billing.payment", "缴费", "Payment", None, "billing"),
    ReasonSeed("info", "业务咨询", "Information", "information"),
    ReasonSeed("info.product", "产品资费", "Products and prices", None, "info"),
    ReasonSeed("info.coverage", "覆盖查询", "Coverage check", None, "info"),
    ReasonSeed("info.progress", "进度查询", "Order progress", None, "info"),
    ReasonSeed("retention", "挽留", "Retention", "retention"),
    ReasonSeed("retention.churnRisk", "离网意向", "Intends to leave", None, "retention"),
)


def seed_default_reasons(session: Session) -> int:
    """Insert the default reasons that are missing (idempotent: existing codes,
    possibly edited by an administrator, are left alone). Returns how many
    were added. Never commits."""
    existing = set(session.scalars(select(InteractionReason.code)))
    now = utcnow()
    added = 0
    for order, seed in enumerate(DEFAULT_REASONS):
        if seed.code in existing:
            continue
        session.add(
            InteractionReason(
                code=seed.code,
                parent_code=seed.parent,
                name=seed.name,
                name_en=seed.name_en,
                routes_to=seed.routes_to,
                active=True,
                sort_order=order * 10,
                created_at=now,
                updated_at=now,
            )
        )
        added += 1
        # parents first, so the self-referencing key holds at every flush
        session.flush()
    return added


@dataclass(frozen=True, slots=True)
class ReasonNode:
    """A reason with its effective route (inherited from the parent when unset)
    and its children."""

    code: str
    parent_code: str | None
    name: str
    name_en: str | None
    routes_to: str | None
    effective_route: str | None
    active: bool
    sort_order: int
    children: list[ReasonNode] = field(default_factory=list)

    def label(self, locale: str) -> str:
        return self.name if locale.startswith("zh") or not self.name_en else self.name_en


def all_reasons(session: Session, *, active_only: bool = False) -> list[ReasonNode]:
    """Every reason, flat, parents before children, in display order."""
    rows = session.scalars(
        select(InteractionReason).order_by(InteractionReason.sort_order, InteractionReason.code)
    ).all()
    by_code = {r.code: r for r in rows}

    def effective(code: str | None, depth: int = 0) -> str | None:
        row = by_code.get(code) if code else None
        if row is None or depth > 16:
            return None
        return row.routes_to or effective(row.parent_code, depth + 1)

    nodes = {
        r.code: ReasonNode(
            r.code,
            r.parent_code,
            r.name,
            r.name_en,
            r.routes_to,
            effective(r.code),
            r.active,
            r.sort_order,
        )
        for r in rows
    }

    def offered(node: ReasonNode, depth: int = 0) -> bool:
        parent = nodes.get(node.parent_code) if node.parent_code else None
        if not node.active or depth > 16:
            return False
        return parent is None or offered(parent, depth + 1)

    kept = {c: n for c, n in nodes.items() if not active_only or offered(n)}
    roots: list[ReasonNode] = []
    for node in kept.values():
        parent = kept.get(node.parent_code) if node.parent_code else None
        (parent.children if parent else roots).append(node)
    flat: list[ReasonNode] = []

    def walk(level: list[ReasonNode]) -> None:
        for node in level:
            flat.append(node)
            walk(node.children)

    walk(roots)
    return flat


def reason_tree(session: Session, *, active_only: bool = False) -> list[ReasonNode]:
    """The roots of the taxonomy, children attached."""
    return [n for n in all_reasons(session, active_only=active_only) if n.parent_code is None]


def reason_names(session: Session) -> dict[str, tuple[str, str | None]]:
    """``code → (name, name_en)`` for every reason (labels for lists and reports)."""
    return {
        code: (name, name_en)
        for code, name, name_en in session.execute(
            select(InteractionReason.code, InteractionReason.name, InteractionReason.name_en)
        )
    }


def get_reason(session: Session, code: str) -> InteractionReason:
    row = session.get(InteractionReason, code)
    if row is None:
        raise NotFound(f"interaction reason '{code}' not found")
    return row


def effective_route(session: Session, code: str) -> str | None:
    """The route of a reason: its own, else its nearest ancestor's."""
    seen = 0
    current: str | None = code
    while current is not None and seen < 16:
        row = session.get(InteractionReason, current)
        if row is None:
            return None
        if row.routes_to:
            return row.routes_to
        current = row.parent_code
        seen += 1
    return None


def require_active_reason(session: Session, code: str, field_name: str = "reason") -> str:
    """A reason a new contact may use: known and active (400 naming the field)."""
    row = session.get(InteractionReason, code)
    if row is None:
        raise ValidationFailed(f"unknown interaction reason '{code}'", field=field_name)
    if not row.active:
        raise ValidationFailed(f"interaction reason '{code}' is no longer in use", field=field_name)
    return row.code


def _check_parent(session: Session, code: str, parent_code: str | None) -> None:
    if parent_code is None:
        return
    if parent_code == code:
        raise ValidationFailed("a reason cannot be its own parent", field="parentCode")
    current: str | None = parent_code
    depth = 0
    while current is not None:
        row = session.get(InteractionReason, current)
        if row is None:
            raise ValidationFailed(f"unknown parent reason '{current}'", field="parentCode")
        if row.code == code:
            raise ValidationFailed(
                f"'{parent_code}' is below '{code}': the tree would have a cycle",
                field="parentCode",
            )
        current = row.parent_code
        depth += 1
        if depth > 16:
            raise ValidationFailed("the reason tree is too deep", field="parentCode")


def create_reason(
    session: Session,
    *,
    code: str,
    name: str,
    name_en: str | None = None,
    parent_code: str | None = None,
    routes_to: str | None = None,
    active: bool = True,
    sort_order: int = 0,
) -> InteractionReason:
    """Add a reason (409 when the code exists)."""
    if session.get(InteractionReason, code) is not None:
        raise Conflict(f"interaction reason '{code}' exists", field="code", code="DUPLICATE")
    _check_parent(session, code, parent_code)
    if routes_to is not None:
        check_route_target(routes_to, "routesTo")
    now = utcnow()
    row = InteractionReason(
        code=code,
        parent_code=parent_code,
        name=name,
        name_en=name_en,
        routes_to=routes_to,
        active=active,
        sort_order=sort_order,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


#: Attributes :func:`update_reason` changes.
REASON_FIELDS: Final = frozenset(
    {"name", "name_en", "parent_code", "routes_to", "active", "sort_order"}
)


def update_reason(session: Session, code: str, changes: dict[str, object]) -> InteractionReason:
    """Change a reason; ``changes`` holds only what changes (``None`` clears an
    optional attribute)."""
    row = get_reason(session, code)
    unknown = set(changes) - REASON_FIELDS
    if unknown:
        raise ValidationFailed(f"cannot change {sorted(unknown)[0]}", field=sorted(unknown)[0])
    if "parent_code" in changes:
        parent = changes["parent_code"]
        _check_parent(session, code, parent if isinstance(parent, str) else None)
    if changes.get("routes_to") is not None:
        check_route_target(str(changes["routes_to"]), "routesTo")
    for required in ("name", "active", "sort_order"):
        if required in changes and changes[required] is None:
            raise ValidationFailed(f"'{required}' cannot be removed", field=required)
    for key, value in changes.items():
        setattr(row, key, value)
    row.updated_at = utcnow()
    session.flush()
    return row
