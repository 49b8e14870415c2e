"""Customer 360 — one customer on one page: profile, accounts, addresses,
contacts (eTOM 1.1.1.2 customer interface management) and the panels other
domains contribute (products, orders, tickets, bills) through
:mod:`openboss.kit.panels`.

Also wires the customer search to the other party areas: a customer is found
by the number of one of its billing accounts (kind ``account``) or by any part
of one of its addresses (kind ``address``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy.orm import Session

from openboss.kit.errors import AppError
from openboss.kit.panels import CustomerPanel, PanelData, customer_panels
from openboss.kit.scope import Scope
from openboss.party.account import repository as account_repository
from openboss.party.account import service as account_service
from openboss.party.account.models import BillingAccount
from openboss.party.address import service as address_service
from openboss.party.address.service import AddressSummary
from openboss.party.customer import repository as customer_repository
from openboss.party.customer import search
from openboss.party.customer.facts import CustomerFacts, customer_facts
from openboss.party.interaction import service as interaction_service
from openboss.party.interaction.service import ContactRow
from openboss.party.region import service as region_service
from openboss.party.region.service import RegionInfo


def _by_account_number(session: Session, scope: Scope, text: str) -> list[str]:
    return account_repository.customers_with_account_number(session, scope, text.strip())


def _by_address(session: Session, scope: Scope, text: str) -> list[str]:
    ids = address_service.find_address_ids(session, scope, text)
    return customer_repository.customers_at_addresses(session, ids)


search.register_search_kind(
    "account", _by_account_number, detect=lambda t: account_service.is_valid_account_number(t)
)
search.register_search_kind("address", _by_address)


@dataclass(frozen=True)
class PlacedAddress:
    """An address of the customer and the role it plays (installation, billing, contact)."""

    role: str
    address: AddressSummary


@dataclass(frozen=True)
class LoadedPanel:
    """A contributed panel and what it shows for this customer (or why it could not)."""

    panel: CustomerPanel
    data: PanelData | None
    error: str | None = None


@dataclass(frozen=True)
class Customer360:
    """Everything the 360 view shows."""

    customer: dict[str, Any]
    party: dict[str, Any]
    facts: CustomerFacts
    region_path: list[RegionInfo]
    addresses: list[PlacedAddress]
    accounts: list[BillingAccount]
    contacts: list[ContactRow]
    panels: list[LoadedPanel]


def customer_360(
    session: Session,
    scope: Scope,
    customer_id: str,
    base_url: str,
    *,
    roles: frozenset[str],
    contact_limit: int = 50,
) -> Customer360:
    """The whole view of one customer (404 when missing or outside ``scope``)."""
    facts = customer_facts(session, scope, customer_id)
    customer = orjson.loads(
        customer_repository.resource_document(session, "customer", customer_id, scope, base_url)
    )
    kind = "individual" if facts.party_type == "Individual" else "organization"
    party = orjson.loads(
        customer_repository.resource_document(session, kind, facts.party_id, scope, base_url)
    )
    addresses: list[PlacedAddress] = []
    for address_id, role in customer_repository.customer_places(session, customer_id):
        try:
            summary = address_service.get_address_summary(session, scope, address_id)
        except AppError:
            continue  # an address outside the reader's regions is not shown
        addresses.append(PlacedAddress(role, summary))
    path = region_service.region_path(session, facts.region_id) if facts.region_id else []
    panels: list[LoadedPanel] = []
    for panel in customer_panels(roles):
        try:
            panels.append(LoadedPanel(panel, panel.load(session, scope, customer_id)))
        except AppError as exc:
            panels.append(LoadedPanel(panel, None, exc.message))
    return Customer360(
        customer=customer,
        party=party,
        facts=facts,
        region_path=path,
        addresses=addresses,
        accounts=account_service.customer_accounts(session, scope, customer_id),
        contacts=interaction_service.timeline(session, scope, customer_id, contact_limit),
        panels=panels,
    )


def account_json(account: BillingAccount, base_url: str) -> dict[str, Any]:
    """An account's TMF representation."""
    resource = account_repository.RESOURCE
    return dict(
        orjson.loads(resource.represent(account.id, account.doc, resource.href_prefix(base_url)))
    )
