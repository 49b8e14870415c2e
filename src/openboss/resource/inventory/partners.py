"""Network partners: who owns part of the network the operator sells over
(eTOM 1.6 supplier/partner relationship management, as seen by 1.5.1
resource management).

A partner caller (partner scope) sees only its own partner row; writes are
for admin and noc. :func:`require_owner` is the check every write naming an
owner goes through: an unknown or inactive partner is a 400 naming
``relatedParty``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.kit.errors import Conflict, NotFound, ValidationFailed
from openboss.kit.scope import Scope
from openboss.resource.inventory.lifecycle import now
from openboss.resource.inventory.models import NetworkPartner
from openboss.resource.inventory.schemas import PartnerCreate, PartnerUpdate


def _visible(scope: Scope, partner_id: str) -> bool:
    return scope.partner_id is None or scope.partner_id == partner_id


def list_partners(session: Session, scope: Scope) -> list[NetworkPartner]:
    stmt = select(NetworkPartner).order_by(NetworkPartner.id)
    if scope.partner_id is not None:
        stmt = stmt.where(NetworkPartner.id == scope.partner_id)
    return list(session.scalars(stmt))


def get_partner(session: Session, scope: Scope, partner_id: str) -> NetworkPartner:
    partner = session.get(NetworkPartner, partner_id)
    if partner is None or not _visible(scope, partner_id):
        raise NotFound(f"partner '{partner_id}' not found")
    return partner


def require_owner(
    session: Session, partner_id: str, *, field: str = "relatedParty"
) -> NetworkPartner:
    """The active partner named as an owner (400 naming ``field`` otherwise)."""
    partner = session.get(NetworkPartner, partner_id)
    if partner is None:
        raise ValidationFailed(f"unknown partner '{partner_id}'", field=field)
    if partner.status != "active":
        raise ValidationFailed(f"partner '{partner_id}' is {partner.status}", field=field)
    return partner


def _check_share(partner: NetworkPartner) -> None:
    if partner.default_terms == "revenueShare" and partner.revenue_share_percent is None:
        raise ValidationFailed(
            "revenueSharePercent is required for revenue-share terms", field="revenueSharePercent"
        )


def create_partner(session: Session, data: PartnerCreate) -> NetworkPartner:
    if session.get(NetworkPartner, data.id) is not None:
        raise Conflict(f"partner '{data.id}' already exists")
    at = now()
    partner = NetworkPartner(
        id=data.id,
        name=data.name,
        localized_name=data.localized_name,
        kind=data.kind,
        default_terms=data.default_terms,
        revenue_share_percent=data.revenue_share_percent,
        status=data.status,
        contact=data.contact,
        created_at=at,
        updated_at=at,
    )
    _check_share(partner)
    session.add(partner)
    session.flush()
    return partner


def update_partner(
    session: Session, scope: Scope, partner_id: str, data: PartnerUpdate
) -> NetworkPartner:
    partner = get_partner(session, scope, partner_id)
    for key, value in data.model_dump(exclude_unset=True).items():
        if value is None and key in ("name", "kind", "default_terms", "status"):
            raise ValidationFailed(f"{key} cannot be removed", field=key)
        setattr(partner, key, value)
    _check_share(partner)
    partner.updated_at = now()
    session.flush()
    return partner


def partner_view(partner: NetworkPartner) -> dict[str, Any]:
    return {
        "id": partner.id,
        "href": f"/api/resource/v1/partners/{partner.id}",
        "name": partner.name,
        "localizedName": partner.localized_name or {},
        "kind": partner.kind,
        "defaultTerms": partner.default_terms,
        "revenueSharePercent": partner.revenue_share_percent,
        "status": partner.status,
        "contact": partner.contact,
    }
