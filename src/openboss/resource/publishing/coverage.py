"""Partner coverage of buildings — part of the inventory (issue item 2).

eTOM 1.5.1 resource management (partner resources, S/P 1.6 supplier/partner
relationship: status feedback from partners).

The operator's staff (admin, noc) record which partner covers which building
with what capacity; a partner's users and systems see and update only their
own rows (row scope), which is how partners report their capacity and usage.
Every change refreshes the building's availability (through
:func:`lifecycle.notify_capacity`, in the same transaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openboss.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from openboss.kit.ids import new_id
from openboss.kit.places import place_directory
from openboss.kit.scope import Scope, apply_scope
from openboss.resource.inventory import lifecycle
from openboss.resource.inventory.models import NetworkPartner
from openboss.resource.publishing.models import PartnerCoverage
from openboss.resource.publishing.schemas import (
    PartnerCoverageCreate,
    PartnerCoverageOut,
    PartnerCoverageUpdate,
)

#: What a partner may change on its own rows.
PARTNER_FIELDS = frozenset({"capacity", "used", "status"})


def out(row: PartnerCoverage) -> dict[str, Any]:
    return PartnerCoverageOut.model_validate(row, from_attributes=True).model_dump(
        mode="json", by_alias=True
    )


@dataclass(frozen=True, slots=True)
class CoveragePage:
    rows: list[PartnerCoverage]
    total: int


def list_coverage(
    session: Session,
    scope: Scope,
    *,
    site_id: str | None = None,
    partner_id: str | None = None,
    status: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> CoveragePage:
    stmt = apply_scope(select(PartnerCoverage), PartnerCoverage, scope)
    if site_id:
        stmt = stmt.where(PartnerCoverage.site_id == site_id)
    if partner_id:
        stmt = stmt.where(PartnerCoverage.partner_id == partner_id)
    if status:
        stmt = stmt.where(PartnerCoverage.status == status)
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = session.scalars(
        stmt.order_by(PartnerCoverage.site_id, PartnerCoverage.id).offset(offset).limit(limit)
    )
    return CoveragePage(list(rows), total)


def get_coverage(session: Session, scope: Scope, ident: str) -> PartnerCoverage:
    stmt = apply_scope(
        select(PartnerCoverage).where(PartnerCoverage.id == ident), PartnerCoverage, scope
    )
    row = session.scalars(stmt).one_or_none()
    if row is None:
        raise NotFound(f"partnerCoverage '{ident}' not found")
    return row


def _check_period(row: PartnerCoverage) -> None:
    if row.valid_from and row.valid_to and row.valid_to <= row.valid_from:
        raise ValidationFailed("validTo must be after validFrom", field="validTo")


def create_coverage(session: Session, scope: Scope, data: PartnerCoverageCreate) -> PartnerCoverage:
    """Record a partner's coverage of a building (400 unknown building/partner,
    409 when that partner already covers it with that technology)."""
    partner_id = data.partner_id or scope.partner_id
    if partner_id is None:
        raise ValidationFailed("partnerId is required", field="partnerId")
    if scope.partner_id is not None and partner_id != scope.partner_id:
        raise Forbidden(f"partner '{partner_id}' is not yours", field="partnerId")
    site = place_directory().site(session, scope_for_sites(scope), data.site_id)
    if site is None:
        raise ValidationFailed(f"building '{data.site_id}' not found", field="siteId")
    partner = session.get(NetworkPartner, partner_id)
    if partner is None:
        raise ValidationFailed(f"network partner '{partner_id}' not found", field="partnerId")
    duplicate = session.scalar(
        select(PartnerCoverage.id).where(
            PartnerCoverage.site_id == data.site_id,
            PartnerCoverage.partner_id == partner_id,
            PartnerCoverage.technology == data.technology,
        )
    )
    if duplicate:
        raise Conflict(
            f"partner '{partner_id}' already covers building '{data.site_id}'"
            f" with {data.technology} ('{duplicate}')"
        )
    now = lifecycle.now()
    row = PartnerCoverage(
        id=new_id(),
        site_id=data.site_id,
        partner_id=partner_id,
        technology=data.technology,
        coverage_type=data.coverage_type,
        capacity=data.capacity,
        used=data.used,
        status=data.status,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
        note=data.note,
        region_id=site.region_id,
        created_at=now,
        updated_at=now,
    )
    _check_period(row)
    session.add(row)
    session.flush()
    lifecycle.notify_capacity(session, [row.site_id])
    return row


def scope_for_sites(scope: Scope) -> Scope:
    """Buildings are not partner rows: a partner user sees them by region only."""
    return Scope(regions=scope.regions)


def update_coverage(
    session: Session, scope: Scope, ident: str, data: PartnerCoverageUpdate
) -> PartnerCoverage:
    """Change a coverage row; partners only their own rows' capacity, used and status."""
    row = get_coverage(session, scope, ident)
    changes = data.model_dump(exclude_unset=True)
    if scope.partner_id is not None:
        refused = sorted(set(changes) - PARTNER_FIELDS)
        if refused:
            raise Forbidden(
                f"a partner may change only capacity, used and status, not {refused[0]}",
                field=refused[0],
            )
    for key, value in changes.items():
        if value is None and key in ("technology", "capacity", "used", "status"):
            raise ValidationFailed(f"{key} cannot be removed", field=key)
        setattr(row, key, value)
    _check_period(row)
    row.updated_at = lifecycle.now()
    session.flush()
    lifecycle.notify_capacity(session, [row.site_id])
    return row


def delete_coverage(session: Session, scope: Scope, ident: str) -> None:
    row = get_coverage(session, scope, ident)
    site_id = row.site_id
    session.delete(row)
    session.flush()
    lifecycle.notify_capacity(session, [site_id])
