"""``GET /api/party/v1/customer360/{customerId}`` — the customer 360 view as JSON
(eTOM 1.1.1.2): profile, engaged party, credit flags, region path, addresses,
billing accounts (TMF666 representations), recent contacts and every panel
other domains contribute. Roles csr, manager, billing, marketing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from openboss.auth.deps import CurrentPrincipal, ReadSession, require_roles
from openboss.kit.tmf.http import base_url
from openboss.party import customer360
from openboss.party.customer.documents_view import FULL_DOCUMENT_ROLES, masked_documents

router = APIRouter(
    prefix="/api/party/v1/customer360",
    tags=["customer 360"],
    dependencies=[Depends(require_roles("csr", "manager", "billing", "marketing"))],
    responses={
        401: {"description": "Unauthorized"},
        403: {"description": "Forbidden"},
        404: {"description": "Not Found"},
    },
)


@router.get("/{customer_id}", summary="Everything about one customer")
def get_customer_360(
    customer_id: str, request: Request, session: ReadSession, principal: CurrentPrincipal
) -> dict[str, Any]:
    url = base_url(request)
    view = customer360.customer_360(
        session, principal.scope, customer_id, url, roles=principal.roles
    )
    facts = view.facts
    party = view.party
    if not principal.has_role(*FULL_DOCUMENT_ROLES):
        party = masked_documents(party)
    return {
        "customer": view.customer,
        "engagedParty": party,
        "flags": {
            "blacklisted": facts.blacklisted,
            "blacklistReason": facts.blacklist_reason,
            "validDocument": any(d.valid for d in facts.documents),
        },
        "regionPath": [{"id": r.id, "level": r.level, "name": r.name} for r in view.region_path],
        "addresses": [
            {
                "role": p.role,
                "id": p.address.id,
                "siteId": p.address.site_id,
                "formatted": p.address.formatted,
                "regionId": p.address.region_id,
            }
            for p in view.addresses
        ],
        "accounts": [customer360.account_json(a, url) for a in view.accounts],
        "contacts": [
            {
                "id": c.id,
                "channel": c.channel,
                "direction": c.direction,
                "reason": c.reason,
                "status": c.status,
                "outcome": c.outcome,
                "start": c.start.isoformat(),
                "end": c.end.isoformat() if c.end else None,
                "description": c.description,
            }
            for c in view.contacts
        ],
        "panels": [
            {
                "key": p.panel.key,
                "title": p.panel.title,
                "columns": [{"key": c.key, "label": c.label} for c in p.panel.columns],
                "rows": [dict(r) for r in p.data.rows] if p.data else [],
                "total": p.data.total if p.data else 0,
                "moreUrl": p.data.more_url if p.data else None,
                "error": p.error,
            }
            for p in view.panels
        ],
    }
