"""Console: the customer 360 view (eTOM 1.1.1.2 customer interface management).

``/console/party/customers/{id}``: profile and identity (documents in full
only for customer service and managers), region, addresses, billing
accounts, the contact timeline with "log contact", credit check, and every
panel another domain registered in :mod:`openboss.kit.panels` (products,
orders, tickets, bills as those domains land).
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from openboss.auth.deps import DbSession
from openboss.auth.principal import Principal
from openboss.kit.tmf.http import base_url
from openboss.party import customer360
from openboss.party.customer.documents_view import FULL_DOCUMENT_ROLES, masked_documents
from openboss.party.interaction import service as interaction_service
from openboss.web.i18n import N_
from openboss.web.party.accounts import STATE_LABELS as ACCOUNT_STATE_LABELS
from openboss.web.party.accounts import money
from openboss.web.party.customers import (
    DOCUMENT_LABELS,
    GRADE_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
    TYPE_LABELS,
)
from openboss.web.party.regions import LEVEL_LABELS
from openboss.web.shell import ConsoleRoute, console_roles, render

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False, tags=["console"])

VIEW_ROLES: Final[tuple[str, ...]] = ("csr", "manager", "billing", "marketing")
WRITE_ROLES: Final[tuple[str, ...]] = ("csr", "manager")

ADDRESS_ROLE_LABELS: Final[dict[str, str]] = {
    "installation": N_("Installation address"),
    "billing": N_("Billing address"),
    "contact": N_("Contact address"),
}
GENDER_LABELS: Final[dict[str, str]] = {"male": N_("Male"), "female": N_("Female")}
MEDIUM_LABELS: Final[dict[str, str]] = {
    "phone": N_("Phone"),
    "email": N_("E-mail"),
    "postalAddress": N_("Postal address"),
    "fax": N_("Fax"),
}
DOCUMENT_TYPE_LABELS: Final[dict[str, str]] = {
    **DOCUMENT_LABELS,
    "unifiedSocialCreditCode": N_("Unified social credit code"),
}

Viewer = Annotated[Principal, Depends(console_roles(*VIEW_ROLES))]


@router.get("/console/party/customers/{customer_id}", name="console_customer_360")
def customer_page(
    request: Request, customer_id: str, principal: Viewer, session: DbSession
) -> Response:
    """One customer on one page (404 page when missing or outside the reader's regions)."""
    view = customer360.customer_360(
        session, principal.scope, customer_id, base_url(request), roles=principal.roles
    )
    full_documents = principal.has_role(*FULL_DOCUMENT_ROLES)
    party = view.party if full_documents else masked_documents(view.party)
    context = {
        "view": view,
        "customer": view.customer,
        "party": party,
        "facts": view.facts,
        "can_write": principal.has_role(*WRITE_ROLES),
        "full_documents": full_documents,
        "type_labels": TYPE_LABELS,
        "grade_labels": GRADE_LABELS,
        "status_labels": STATUS_LABELS,
        "address_role_labels": ADDRESS_ROLE_LABELS,
        "level_labels": LEVEL_LABELS,
        "gender_labels": GENDER_LABELS,
        "medium_labels": MEDIUM_LABELS,
        "document_labels": DOCUMENT_TYPE_LABELS,
        "role_labels": ROLE_LABELS,
        "account_state_labels": ACCOUNT_STATE_LABELS,
        "money": money,
    }
    context.update(interaction_service.timeline_context(session, principal.scope, customer_id))
    return render(request, "party/customer360/view.html", context, principal=principal)
