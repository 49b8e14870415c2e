"""Use cases of TMF622 product orders — eTOM 1.1.1.5 order handling: capture
and validate an order against the catalog, qualify its addresses, check the
customer's credit, price it, accept it and hand its items to fulfilment,
follow it to its end, cancel it.

* :func:`validate_order` names every problem of an order (field and message)
  without writing; :func:`create_order` refuses an order with problems (400,
  all problems in ``details.problems``), with a rejected credit check (409
  ``CREDIT_REJECTED``), and otherwise stores it ``acknowledged`` and accepts
  it: ``held`` when the credit check was referred (a manager releases it),
  ``pending`` until its ``requestedStartDate``, else ``inProgress`` at once.
* Acceptance (:func:`start_order`) resolves each leaf item's fulfilment plan
  in the catalog (``mapping.resolve_fulfilment`` with the address's coverage
  type), hands one :class:`~openboss.fulfilment.contracts.FulfilmentRequest`
  per item to fulfilment, starts the SLA clock (the longest item SLA) and
  notifies the customer.
* Fulfilment reports back through :mod:`openboss.fulfilment.hooks`: an item's
  end moves the item, and the order once every item is closed
  (:func:`openboss.ordering.states.derive`); milestones notify the customer.
* Cancellation (:func:`cancel_order`) assesses, cancels the service orders
  (compensation releases resources) and ends ``cancelled``; a completed order
  is refused (409).

Write-only values (``accessPassword``) are handed to fulfilment in memory,
never stored, returned, published or audited here.

Events (outbox, same transaction): ``ProductOrderCreateEvent``,
``ProductOrderAttributeValueChangeEvent``, ``ProductOrderStateChangeEvent``,
``ProductOrderDeleteEvent``, ``CancelProductOrderCreateEvent``,
``CancelProductOrderStateChangeEvent``.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, cast

import orjson
import structlog
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.catalog import mapping
from openboss.events import publish
from openboss.fulfilment import hooks
from openboss.fulfilment.contracts import Action, FulfilmentRequest, Milestone, Outcome
from openboss.fulfilment.flows import process_for
from openboss.kit.clock import utcnow
from openboss.kit.errors import AppError, Conflict, Forbidden, NotFound, ValidationFailed
from openboss.kit.ids import new_id
from openboss.kit.places import place_directory
from openboss.kit.scope import SYSTEM_SCOPE, Scope, apply_scope, region_for_write
from openboss.kit.tmf import idempotency
from openboss.kit.tmf.attributes import parse_datetime, strip_nulls, truncate_datetime
from openboss.kit.tmf.http import merge_patch, reject_read_only
from openboss.kit.tmf.listing import Page, fetch_document, list_page
from openboss.kit.tmf.query import ListQuery, parse_list_query
from openboss.ordering import offers as catalog_offers
from openboss.ordering import ports, prices, states, testorders
from openboss.ordering.models import (
    BASE_PATH,
    CANCEL_PRODUCT_ORDER,
    PRODUCT_ORDER,
    CancelProductOrder,
    ProductOrder,
)
from openboss.ordering.offers import ACCESS_ACCOUNT, ACCESS_PASSWORD, Offer, Offers
from openboss.ordering.schemas import (
    CancelProductOrderCreate,
    ProductOrderCreate,
    ProductOrderItemIn,
    ProductOrderUpdate,
)
from openboss.party.account import credit
from openboss.party.account import service as accounts
from openboss.party.contact import validate_email, validate_phone
from openboss.party.customer.facts import CustomerFacts, customer_facts
from openboss.party.customer360 import customer_360
from openboss.resource.publishing import qualification
from openboss.worker import jobs

log = structlog.get_logger(__name__)

DEFAULT_BASE_URL = "http://openboss.local"
START_JOB = "ordering.start"
INSTALLATION = "installationAddress"
RELIES_ON = "reliesOn"
#: Item actions that need no fulfilment.
NO_WORK = frozenset({"noChange"})

CREATE = "ProductOrderCreateEvent"
CHANGE = "ProductOrderAttributeValueChangeEvent"
STATE_CHANGE = "ProductOrderStateChangeEvent"
DELETE = "ProductOrderDeleteEvent"
CANCEL_CREATE = "CancelProductOrderCreateEvent"
CANCEL_STATE_CHANGE = "CancelProductOrderStateChangeEvent"


# --------------------------------------------------------------------------- analysis


@dataclass
class Leaf:
    """An item fulfilment works on (a simple offering, or a bundle member)."""

    id: str
    path: str
    action: str
    offer: Offer | None
    parent_id: str | None
    characteristics: dict[str, Any]
    secrets: dict[str, str]
    place_id: str | None
    region_id: str | None
    product_id: str | None
    appointment_id: str | None
    relies_on: list[str] = field(default_factory=list)
    coverage_type: str | None = None


@dataclass
class Analysis:
    """An order taken apart: problems, customer, items, prices."""

    problems: list[dict[str, str]] = field(default_factory=list)
    customer: CustomerFacts | None = None
    billing_account_id: str | None = None
    region_id: str | None = None
    leaves: list[Leaf] = field(default_factory=list)
    #: item id → (itemPrice, itemTotalPrice, itemTerm) of every item (bundles too)
    item_prices: dict[str, tuple[list[prices.Line], list[dict[str, Any]]]] = field(
        default_factory=dict
    )
    lines: list[prices.Line] = field(default_factory=list)
    #: item id → every line of the item (a bundle: its members' too)
    item_totals: dict[str, list[prices.Line]] = field(default_factory=dict)
    #: bundle item id → its offering
    bundles: dict[str, Offer] = field(default_factory=dict)
    #: a test order (``category`` testOrder) may order offerings In test
    test_order: bool = False

    def add(self, path: str, message: str) -> None:
        self.problems.append({"field": path, "message": message})


def _installation(item: ProductOrderItemIn) -> tuple[str | None, int | None]:
    places = item.product.place if item.product and item.product.place else []
    for k, place in enumerate(places):
        if place.role == INSTALLATION:
            return place.id, k
    return None, None


def _chars(item: ProductOrderItemIn) -> tuple[dict[str, Any], dict[str, str], list[str]]:
    values: dict[str, Any] = {}
    hidden: dict[str, str] = {}
    dupes: list[str] = []
    for c in (item.product.product_characteristic if item.product else None) or []:
        if c.name in values or c.name in hidden:
            dupes.append(c.name)
        if c.name == ACCESS_PASSWORD:
            hidden[c.name] = c.value if isinstance(c.value, str) else ""
            values[c.name] = c.value  # checked with the others, dropped before storing
        else:
            values[c.name] = c.value
    return values, hidden, dupes


def _region_of_place(
    session: Session, scope: Scope, place_id: str, path: str, analysis: Analysis
) -> str | None:
    address = place_directory().address(session, scope, place_id)
    if address is None:
        analysis.add(path, f"geographic address '{place_id}' not found")
        return None
    return address.region_id


def analyse(session: Session, scope: Scope, data: ProductOrderCreate) -> Analysis:
    """Take an order apart and name every problem (nothing is written)."""
    a = Analysis(test_order=testorders.is_test_order(data.category))
    if scope.partner_id is not None:
        raise Forbidden("partners do not place product orders", field="relatedParty")
    # customer and account
    customers = [
        (i, p) for i, p in enumerate(data.related_party) if (p.role or "").lower() == "customer"
    ]
    if len(customers) != 1:
        a.add("relatedParty", "exactly one related party has role 'customer'")
    else:
        i, party = customers[0]
        try:
            a.customer = customer_facts(session, scope, party.id)
        except NotFound:
            a.add(f"relatedParty[{i}].id", f"customer '{party.id}' not found")
    if data.billing_account is not None:
        try:
            account = accounts.get_account(session, scope, data.billing_account.id)
        except NotFound:
            a.add("billingAccount.id", f"billing account '{data.billing_account.id}' not found")
        else:
            if a.customer is not None and account.customer_id != a.customer.id:
                a.add(
                    "billingAccount.id",
                    f"billing account '{account.id}' does not belong to customer '{a.customer.id}'",
                )
            elif account.state in ("suspended", "closed"):
                a.add("billingAccount.id", f"billing account '{account.id}' is {account.state}")
            else:
                a.billing_account_id = account.id
    if data.notification_contact:
        try:
            if "@" in data.notification_contact:
                validate_email(data.notification_contact, field="notificationContact")
            else:
                validate_phone(data.notification_contact, field="notificationContact")
        except ValidationFailed as exc:
            a.add("notificationContact", exc.message)
    # items
    seen: set[str] = set()
    catalog = Offers(session)
    for index, item in enumerate(data.product_order_item):
        _analyse_item(session, scope, a, catalog, item, f"productOrderItem[{index}]", None, seen)
    ids = {leaf.id for leaf in a.leaves} | seen
    _relationships(a, data.product_order_item, "productOrderItem", ids)
    _implicit_dependencies(a)
    _check_cycles(a)
    regions = [leaf.region_id for leaf in a.leaves if leaf.region_id]
    a.region_id = regions[0] if regions else (a.customer.region_id if a.customer else None)
    _qualify(session, scope, a)
    _price(a, data.product_order_item, catalog)
    return a


def _analyse_item(
    session: Session,
    scope: Scope,
    a: Analysis,
    catalog: Offers,
    item: ProductOrderItemIn,
    path: str,
    parent: tuple[str, str | None, str | None] | None,
    seen: set[str],
) -> None:
    """Check one item (and its members); ``parent`` = (bundle id, place, region)."""
    if item.id in seen:
        a.add(f"{path}.id", f"item id '{item.id}' is used twice")
    seen.add(item.id)
    offer: Offer | None = None
    if item.product_offering is None:
        a.add(f"{path}.productOffering", "productOffering is required")
    else:
        offer = catalog.get(item.product_offering.id)
        if offer is None:
            a.add(
                f"{path}.productOffering.id",
                f"product offering '{item.product_offering.id}' not found",
            )
    place_id, place_index = _installation(item)
    region_id: str | None = None
    if place_id is not None:
        region_id = _region_of_place(
            session, scope, place_id, f"{path}.product.place[{place_index}].id", a
        )
    elif item.product and item.product.place:
        a.add(f"{path}.product.place", f"a place with role '{INSTALLATION}' and an id is expected")
    if parent is not None and place_id is None:
        place_id, region_id = parent[1], parent[2]
    product_id = item.product.id if item.product else None
    if item.action not in ("add", "noChange") and not product_id:
        a.add(f"{path}.product.id", f"action {item.action} names the existing product")
    if item.action == "add" and product_id:
        a.add(f"{path}.product.id", "a new product gets its id from the order")
    if offer is None:
        return
    # eligibility (top-level items; members are sold through their bundle)
    if parent is None and item.action == "add":
        region = region_id or (a.customer.region_id if a.customer else None)
        if region:
            try:
                _sale, reasons = mapping.eligibility(
                    session,
                    offer.id,
                    region_id=region,
                    customer_type=_customer_type(a.customer),
                    segment=a.customer.segment if a.customer else None,
                    in_test_ok=a.test_order,
                )
            except AppError as exc:
                reasons = [exc.message]
            for reason in reasons:
                a.add(f"{path}.productOffering.id", f"'{offer.id}': {reason}")
    elif parent is None and offer.lifecycle_status != "Launched" and item.action != "delete":
        a.add(f"{path}.productOffering.id", f"'{offer.id}' is {offer.lifecycle_status}")
    if offer.is_bundle:
        a.bundles[item.id] = offer
        members = list(item.product_order_item or [])
        chars, _hidden, _d = _chars(item)
        if chars:
            a.add(f"{path}.product.productCharacteristic", "a bundle's members carry the values")
        if item.action == "add" and not members:
            members = _default_members(item, offer)
        chosen: dict[str, int] = {}
        for m in members:
            if m.product_offering is not None:
                chosen[m.product_offering.id] = chosen.get(m.product_offering.id, 0) + 1
        if item.action == "add":
            for reason in catalog_offers.check_members(offer, chosen):
                a.add(f"{path}.productOrderItem", reason)
        for k, member in enumerate(members):
            mpath = f"{path}.productOrderItem[{k}]"
            if member.product_offering and member.product_offering.id not in {
                m.id for m in offer.members
            }:
                continue  # named by check_members
            if member.action != item.action and item.action == "add":
                a.add(
                    f"{mpath}.action", f"a member of a new bundle is added too, not {member.action}"
                )
            _analyse_item(
                session, scope, a, catalog, member, mpath, (item.id, place_id, region_id), seen
            )
        return
    if item.product_order_item:
        a.add(f"{path}.productOrderItem", f"'{offer.id}' is not a bundle: no nested items")
    values, hidden, dupes = _chars(item)
    for name in dupes:
        a.add(f"{path}.product.productCharacteristic[{name}]", f"'{name}' is given twice")
    for name, message in catalog_offers.check_characteristics(offer, values, action=item.action):
        a.add(f"{path}.product.productCharacteristic[{name}]", message)
    values.pop(ACCESS_PASSWORD, None)
    if item.action == "add":
        values = catalog_offers.defaults(offer, values)
    if offer.needs_address and place_id is None and item.action != "noChange":
        a.add(
            f"{path}.product.place",
            f"'{offer.id}' is delivered at an address: give a place with role '{INSTALLATION}'",
        )
    a.leaves.append(
        Leaf(
            id=item.id,
            path=path,
            action=item.action,
            offer=offer,
            parent_id=parent[0] if parent else None,
            characteristics=values,
            secrets={k: v for k, v in hidden.items() if v},
            place_id=place_id,
            region_id=region_id,
            product_id=product_id,
            appointment_id=item.appointment.id if item.appointment else None,
        )
    )


def _customer_type(customer: CustomerFacts | None) -> str | None:
    if customer is None:
        return None
    return "organization" if customer.party_type == "Organization" else "individual"


def _default_members(item: ProductOrderItemIn, offer: Offer) -> list[ProductOrderItemIn]:
    """The bundle's default selection as nested items ``<id>.1``, ``<id>.2`` …"""
    out = []
    n = 0
    for m in offer.members:
        for _ in range(m.default):
            n += 1
            out.append(
                ProductOrderItemIn.model_validate(
                    {"id": f"{item.id}.{n}", "action": item.action, "productOffering": {"id": m.id}}
                )
            )
    item.product_order_item = out
    return out


def _relationships(
    a: Analysis, items: Sequence[ProductOrderItemIn], path: str, ids: set[str]
) -> None:
    by_id = {leaf.id: leaf for leaf in a.leaves}
    for index, item in enumerate(items):
        ipath = f"{path}[{index}]"
        for k, rel in enumerate(item.product_order_item_relationship or []):
            if rel.id not in ids or rel.id == item.id:
                a.add(
                    f"{ipath}.productOrderItemRelationship[{k}].id",
                    f"no other item '{rel.id}' in this order",
                )
                continue
            if rel.relationship_type != RELIES_ON:
                continue
            targets = (
                [rel.id] if rel.id in by_id else [x.id for x in a.leaves if x.parent_id == rel.id]
            )
            sources = (
                [by_id[item.id]]
                if item.id in by_id
                else [x for x in a.leaves if x.parent_id == item.id]
            )
            for source in sources:
                for target in targets:
                    if target not in source.relies_on:
                        source.relies_on.append(target)
        if item.product_order_item:
            _relationships(a, item.product_order_item, f"{ipath}.productOrderItem", ids)


def _implicit_dependencies(a: Analysis) -> None:
    """Items over a fixed access rely on the access item of the same order and
    address; bundle ``requires`` rules make a member rely on the one it requires."""
    access = [x for x in a.leaves if x.offer and x.offer.is_access and x.action == "add"]
    for leaf in a.leaves:
        if leaf.offer is None or leaf.action != "add":
            continue
        if leaf.offer.needs_access and not leaf.offer.is_access:
            for acc in access:
                if acc.place_id == leaf.place_id and acc.id not in leaf.relies_on:
                    leaf.relies_on.append(acc.id)
        bundle_offer = a.bundles.get(leaf.parent_id) if leaf.parent_id else None
        for rule in bundle_offer.rules if bundle_offer else ():
            if rule.get("ruleType") == "requires" and rule.get("fromId") == leaf.offer.id:
                for other in a.leaves:
                    if (
                        other.parent_id == leaf.parent_id
                        and other.offer is not None
                        and other.offer.id == rule.get("toId")
                        and other.id not in leaf.relies_on
                    ):
                        leaf.relies_on.append(other.id)


def _check_cycles(a: Analysis) -> None:
    graph = {leaf.id: list(leaf.relies_on) for leaf in a.leaves}
    state: dict[str, int] = {}

    def visit(node: str) -> bool:
        if state.get(node) == 1:
            return True
        if state.get(node) == 2:
            return False
        state[node] = 1
        for nxt in graph.get(node, []):
            if visit(nxt):
                return True
        state[node] = 2
        return False

    for leaf in a.leaves:
        if visit(leaf.id):
            a.add(
                f"{leaf.path}.productOrderItemRelationship",
                "the reliesOn relationships form a cycle",
            )
            return


def _qualify(session: Session, scope: Scope, a: Analysis) -> None:
    """Qualify each address for the services of its items; name what cannot be
    delivered there and why (e.g. noCoverage)."""
    by_place: dict[str, list[Leaf]] = {}
    for leaf in a.leaves:
        if leaf.offer is None:
            continue
        if not leaf.offer.needs_address or leaf.place_id is None:
            leaf.coverage_type = "mobile"
            continue
        by_place.setdefault(leaf.place_id, []).append(leaf)
    for place_id, leaves in by_place.items():
        cfs = list(dict.fromkeys(s for x in leaves if x.offer for s in x.offer.cfs))
        try:
            results = qualification.qualify(session, scope, place_id, cfs)
        except AppError as exc:
            for leaf in leaves:
                a.add(f"{leaf.path}.product.place", exc.message)
            continue
        by_cfs = {r.service_spec_id: r for r in results}
        access = by_cfs.get(catalog_offers.ACCESS_CFS)
        fixed = access.coverage_type if access is not None and access.qualified else None
        for leaf in leaves:
            assert leaf.offer is not None
            coverage = fixed
            for spec in leaf.offer.cfs:
                r = by_cfs.get(spec)
                if r is None:
                    continue
                if r.qualified:
                    coverage = coverage or r.coverage_type
                elif leaf.action == "add":
                    reasons = ", ".join(
                        f"{code} ({qualification.REASON_LABELS.get(code, code)})"
                        for code in r.reasons
                    )
                    when = f"; available from {r.expected_date.date()}" if r.expected_date else ""
                    a.add(
                        f"{leaf.path}.product.place",
                        f"{spec} cannot be delivered at '{place_id}': {reasons}{when}",
                    )
            leaf.coverage_type = coverage or ("ownFtth" if leaf.action != "add" else None)


def _price(a: Analysis, items: Sequence[ProductOrderItemIn], catalog: Offers) -> None:
    def walk(
        item: ProductOrderItemIn, alterations: Sequence[Mapping[str, Any]]
    ) -> list[prices.Line]:
        offer = catalog.get(item.product_offering.id) if item.product_offering else None
        if offer is None:
            return []
        if offer.is_bundle and item.action == "add" and not item.product_order_item:
            _default_members(item, offer)
        own = [p for p in offer.prices if not prices.is_alteration(p)]
        alts = [p for p in offer.prices if prices.is_alteration(p)]
        lines: list[prices.Line] = []
        mine: list[prices.Line] = []
        if item.action == "add" or item.action == "modify":
            mine = prices.lines_of(own, list(alterations) + alts)
        lines.extend(mine)
        for member in item.product_order_item or []:
            lines.extend(walk(member, list(alterations) + alts))
        terms = prices.terms_of(alts) if item.action == "add" else []
        a.item_prices[item.id] = (mine, terms)
        a.item_totals[item.id] = lines
        return lines

    for item in items:
        a.lines.extend(walk(item, ()))


# --------------------------------------------------------------------------- representation


def _now() -> datetime:
    return truncate_datetime(utcnow())


def _stored_item(
    a: Analysis, item: ProductOrderItemIn, leaf_ids: dict[str, Leaf], state: str
) -> dict[str, Any]:
    raw = item.model_dump(mode="json", by_alias=True, exclude_none=True)
    raw.pop("productOrderItem", None)
    leaf = leaf_ids.get(item.id)
    product = raw.get("product") or {}
    if leaf is not None:
        chars = [
            {"name": k, "value": v, "@type": "Characteristic"}
            for k, v in leaf.characteristics.items()
            if k != ACCESS_PASSWORD
        ]
        if chars:
            product["productCharacteristic"] = chars
        else:
            product.pop("productCharacteristic", None)
        if leaf.product_id:
            product["id"] = leaf.product_id
        if leaf.offer and leaf.offer.spec_id:
            product["productSpecification"] = {"id": leaf.offer.spec_id}
        if leaf.relies_on:
            rels = [
                r
                for r in raw.get("productOrderItemRelationship") or []
                if r.get("relationshipType") != RELIES_ON
            ]
            rels += [{"id": t, "relationshipType": RELIES_ON} for t in leaf.relies_on]
            raw["productOrderItemRelationship"] = rels
    elif product.get("productCharacteristic"):
        product["productCharacteristic"] = [
            c for c in product["productCharacteristic"] if c.get("name") != ACCESS_PASSWORD
        ]
    if item.id in a.bundles:
        product["isBundle"] = True
    if product:
        product.setdefault("@type", "Product")
        raw["product"] = product
    raw["state"] = state
    raw["quantity"] = 1
    raw["@type"] = "ProductOrderItem"
    mine, terms = a.item_prices.get(item.id, ([], []))
    if mine:
        raw["itemPrice"] = [prices.order_price(line) for line in mine]
    total = a.item_totals.get(item.id, [])
    if total:
        raw["itemTotalPrice"] = prices.total_prices(total)
    if terms:
        raw["itemTerm"] = terms
    if item.product_order_item:
        raw["productOrderItem"] = [
            _stored_item(a, m, leaf_ids, state) for m in item.product_order_item
        ]
    return cast(dict[str, Any], strip_nulls(raw))


def document(order: ProductOrder, base_url: str) -> bytes:
    return PRODUCT_ORDER.represent(
        order.id, order.doc, PRODUCT_ORDER.href_prefix(base_url)
    ).encode()


def view(order: ProductOrder, base_url: str = DEFAULT_BASE_URL) -> dict[str, Any]:
    return cast(dict[str, Any], orjson.loads(document(order, base_url)))


def _cancel_view(row: CancelProductOrder, base_url: str) -> dict[str, Any]:
    raw = CANCEL_PRODUCT_ORDER.represent(
        row.id, row.doc, CANCEL_PRODUCT_ORDER.href_prefix(base_url)
    )
    return cast(dict[str, Any], orjson.loads(raw))


def _publish(session: Session, event_type: str, order: ProductOrder, **kw: Any) -> None:
    session.flush()
    publish(
        session,
        event_type,
        "productOrder",
        view(order),
        api=BASE_PATH,
        domain="ordering",
        region_id=order.region_id,
        **kw,
    )


def _publish_cancel(session: Session, event_type: str, row: CancelProductOrder) -> None:
    session.flush()
    publish(
        session,
        event_type,
        "cancelProductOrder",
        _cancel_view(row, DEFAULT_BASE_URL),
        api=BASE_PATH,
        domain="ordering",
        region_id=row.region_id,
    )


def _problems_error(problems: list[dict[str, str]]) -> ValidationFailed:
    text = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
    return ValidationFailed(
        f"the order has {len(problems)} problem(s): {text}",
        field=problems[0]["field"],
        details={"problems": problems},
    )


# --------------------------------------------------------------------------- public API


def validate_order(
    session: Session, scope: Scope, data: ProductOrderCreate | Mapping[str, Any]
) -> list[dict[str, str]]:
    """Every problem of an order, each ``{"field", "message"}`` (empty: valid).
    Writes nothing (no credit check is recorded)."""
    try:
        parsed = _parse(data)
    except ValidationFailed as exc:
        return [{"field": exc.field or "body", "message": exc.message}]
    return analyse(session, scope, parsed).problems


def price_summary(session: Session, data: ProductOrderCreate | Mapping[str, Any]) -> dict[str, Any]:
    """The prices of an order as it would be accepted, without writing:
    ``orderTotalPrice``, each item's ``itemPrice`` / ``itemTotalPrice`` /
    ``itemTerm``, and ``totals`` in minor units per price type, period and
    currency. Unknown offerings simply add nothing."""
    parsed = _parse(data)
    a = Analysis()
    catalog = Offers(session)
    _price(a, parsed.product_order_item, catalog)
    items: dict[str, Any] = {}
    for item_id, (mine, terms) in a.item_prices.items():
        total = a.item_totals.get(item_id, [])
        items[item_id] = strip_nulls(
            {
                "itemPrice": [prices.order_price(x) for x in mine] or None,
                "itemTotalPrice": prices.total_prices(total) or None,
                "itemTerm": terms or None,
            }
        )
    return {
        "orderTotalPrice": prices.total_prices(a.lines),
        "items": items,
        "totals": [prices.total_json(t) for t in prices.totals(a.lines)],
    }


def _parse(data: ProductOrderCreate | Mapping[str, Any]) -> ProductOrderCreate:
    if isinstance(data, ProductOrderCreate):
        return data
    try:
        return ProductOrderCreate.model_validate(dict(data))
    except ValidationError as exc:
        from openboss.kit.tmf.errors import validation_message

        where, message = validation_message(list(exc.errors()))
        raise ValidationFailed(message, field=where) from None


def _unique_account(session: Session, account: str, own_order: str | None = None) -> bool:
    """No other order names ``account`` as a product characteristic value."""
    for path in (
        "productOrderItem.product.productCharacteristic.value",
        "productOrderItem.productOrderItem.product.productCharacteristic.value",
    ):
        query = parse_list_query(PRODUCT_ORDER, [(path, account), ("limit", "2"), ("fields", "id")])
        page = list_page(session, PRODUCT_ORDER, query, base_url=DEFAULT_BASE_URL)
        ids = [row["id"] for row in orjson.loads(page.body)]
        if any(i != own_order for i in ids):
            return False
    return True


def _new_account(session: Session) -> str:
    for _ in range(20):
        candidate = "bb" + "".join(secrets.choice(string.digits) for _ in range(10))
        if _unique_account(session, candidate):
            return candidate
    raise Conflict("could not choose a free access account", code="ACCOUNT_EXHAUSTED")


def _new_password() -> str:
    alphabet = string.ascii_letters + string.digits
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(12))
        if any(c.isdigit() for c in pw) and any(c.isalpha() for c in pw):
            return pw


def _prepare_leaves(session: Session, a: Analysis, order_id: str | None = None) -> None:
    """Product ids for new products; a unique access account for new broadband."""
    for leaf in a.leaves:
        if leaf.action != "add" or leaf.offer is None:
            continue
        leaf.product_id = leaf.product_id or new_id()
        if leaf.offer.is_access:
            given = leaf.characteristics.get(ACCESS_ACCOUNT)
            if given:
                if not _unique_account(session, str(given), order_id):
                    a.add(
                        f"{leaf.path}.product.productCharacteristic[{ACCESS_ACCOUNT}]",
                        f"access account '{given}' is taken",
                    )
            else:
                leaf.characteristics[ACCESS_ACCOUNT] = _new_account(session)


def _plan(a: Analysis) -> dict[str, Any]:
    return {
        leaf.id: strip_nulls(
            {
                "path": leaf.path,
                "action": leaf.action,
                "offeringId": leaf.offer.id if leaf.offer else None,
                "offeringName": leaf.offer.name if leaf.offer else None,
                "offeringVersion": leaf.offer.version if leaf.offer else None,
                "specId": leaf.offer.spec_id if leaf.offer else None,
                "parentId": leaf.parent_id,
                "productId": leaf.product_id,
                "placeId": leaf.place_id,
                "regionId": leaf.region_id,
                "coverageType": leaf.coverage_type,
                "reliesOn": leaf.relies_on or None,
                "appointmentId": leaf.appointment_id,
                "characteristics": leaf.characteristics,
                "state": "acknowledged",
            }
        )
        for leaf in a.leaves
    }


def _requested_minor(a: Analysis) -> tuple[int, int]:
    recurring = sum(
        x.included_minor for x in a.lines if x.price_type == "recurring" and x.currency == "CNY"
    )
    once = sum(
        x.included_minor for x in a.lines if x.price_type == "oneTime" and x.currency == "CNY"
    )
    return recurring, once


def create_order(
    session: Session,
    scope: Scope,
    data: ProductOrderCreate,
    *,
    idempotency_key: str | None = None,
    base_url: str = DEFAULT_BASE_URL,
    actor: str = "system",
) -> dict[str, Any]:
    """Validate, price, credit-check, store and accept an order; its representation.

    With ``idempotency_key`` the creation runs once per ``(actor, key)``
    (``kit.tmf.idempotency``): the same key and order again answer the first
    order's representation as it was created; another order with that key is a
    409. (The TMF622 API applies its ``Idempotency-Key`` header itself.)"""
    if idempotency_key is not None:
        stored = idempotency.run_idempotent(
            session,
            key=idempotency_key,
            owner=actor,
            endpoint="ordering.create_order",
            payload=data.model_dump(mode="json", exclude_unset=True),
            produce=lambda: idempotency.StoredResponse(
                201, orjson.dumps(_create_order(session, scope, data, base_url, actor))
            ),
        )
        return cast(dict[str, Any], orjson.loads(stored.body))
    return _create_order(session, scope, data, base_url, actor)


def _create_order(
    session: Session, scope: Scope, data: ProductOrderCreate, base_url: str, actor: str
) -> dict[str, Any]:
    a = analyse(session, scope, data)
    if a.problems:
        raise _problems_error(a.problems)
    assert a.customer is not None
    _prepare_leaves(session, a)
    if a.problems:
        raise _problems_error(a.problems)
    region = region_for_write(scope, a.region_id, field="productOrderItem")
    recurring, once = _requested_minor(a)
    decision = credit.check_credit(
        session,
        scope,
        a.customer.id,
        account_id=a.billing_account_id,
        requested_recurring_minor=recurring,
        requested_one_time_minor=once,
        checked_by=actor,
    )
    reasons = [{"code": r.code, "message": r.message} for r in decision.reasons]
    if decision.decision == credit.REJECTED:
        raise Conflict(
            "the credit check rejected the order: " + "; ".join(r["message"] for r in reasons),
            code="CREDIT_REJECTED",
            field="relatedParty",
            details={"creditCheckId": decision.id, "reasons": reasons},
        )
    now = _now()
    leaf_ids = {leaf.id: leaf for leaf in a.leaves}
    items = [_stored_item(a, item, leaf_ids, "acknowledged") for item in data.product_order_item]
    parties = [
        strip_nulls(p.model_dump(mode="json", by_alias=True, exclude_none=True))
        for p in data.related_party
    ]
    for p in parties:
        if (p.get("role") or "").lower() == "customer":
            p.setdefault("@referredType", "Customer")
            p.setdefault("name", a.customer.name)
    order = ProductOrder(
        id=new_id(),
        state=states.ORDER.initial,
        category=data.category,
        description=data.description,
        external_id=data.external_id,
        priority=data.priority,
        notification_contact=data.notification_contact or _customer_phone(session, a.customer.id),
        customer_id=a.customer.id,
        billing_account=_ref(data.billing_account),
        related_party=parties,
        channel=_dump_list(data.channel),
        note=_dump_list(data.note),
        agreement=_dump_list(data.agreement),
        product_order_item=items,
        order_total_price=prices.total_prices(a.lines) or None,
        requested_start=data.requested_start_date,
        requested_completion=data.requested_completion_date,
        plan=_plan(a),
        credit_check={"id": decision.id, "decision": decision.decision, "reasons": reasons},
        region_id=region,
        state_change_date=now,
        created_at=now,
        updated_at=now,
    )
    session.add(order)
    _publish(session, CREATE, order)
    _notify(session, order, "order.acknowledged", offerings=_offering_names(order))
    leaf_secrets = {leaf.id: dict(leaf.secrets) for leaf in a.leaves if leaf.secrets}
    if decision.decision == credit.REFERRED:
        _move(
            session,
            order,
            "held",
            reason="credit check referred: " + "; ".join(r["message"] for r in reasons),
        )
    elif data.requested_start_date is not None and data.requested_start_date > now:
        _move(session, order, "pending", reason="waiting for the requested start date")
        jobs.enqueue(
            session,
            START_JOB,
            {"productOrderId": order.id},
            run_at=data.requested_start_date,
            dedup_key=f"{START_JOB}:{order.id}",
        )
    else:
        start_order(session, order, leaf_secrets)
    session.flush()
    return view(order, base_url)


def _ref(ref: Any) -> dict[str, Any] | None:
    if ref is None:
        return None
    return cast(
        dict[str, Any], strip_nulls(ref.model_dump(mode="json", by_alias=True, exclude_none=True))
    )


def _dump_list(values: Sequence[Any] | None) -> list[dict[str, Any]] | None:
    if not values:
        return None
    return [
        cast(
            dict[str, Any], strip_nulls(v.model_dump(mode="json", by_alias=True, exclude_none=True))
        )
        for v in values
    ]


def _set_item_states(
    items: list[dict[str, Any]], target: Mapping[str, str] | str
) -> list[dict[str, Any]]:
    """A copy of the item tree with states set (a bundle takes its members' state)."""
    out = []
    for item in items:
        item = dict(item)
        children = item.get("productOrderItem")
        if children:
            item["productOrderItem"] = _set_item_states(children, target)
            kids = [c["state"] for c in item["productOrderItem"]]
            derived = states.derive(kids)
            if derived is not None:
                item["state"] = "failed" if derived == "partial" else derived
            elif isinstance(target, str):
                item["state"] = target
            else:
                open_kids = [s for s in kids if s not in states.ITEM_CLOSED]
                item["state"] = open_kids[0] if open_kids else item["state"]
        elif isinstance(target, str):
            if item.get("state") not in states.ITEM_CLOSED:
                item["state"] = target
        elif item["id"] in target:
            item["state"] = target[item["id"]]
        out.append(item)
    return out


def _move(session: Session, order: ProductOrder, target: str, *, reason: str | None = None) -> None:
    """Move the order (and its open items) to ``target`` along the state table."""
    old = order.state
    states.ORDER.check(old, target)
    if old == target:
        return
    now = _now()
    order.state = target
    order.state_change_date = now
    order.updated_at = now
    order.state_reason = reason[:512] if reason else None
    item_target = {"partial": None, "completed": None, "failed": None}.get(target, target)
    if item_target is not None and target in states.ITEM.states:
        order.product_order_item = _set_item_states(order.product_order_item, target)
        if order.plan:
            order.plan = {
                k: {
                    **v,
                    "state": target if v.get("state") not in states.ITEM_CLOSED else v["state"],
                }
                for k, v in order.plan.items()
            }
    if target in ("completed", "failed", "partial"):
        order.completion_date = now
    if target == "cancelled":
        order.cancellation_date = now
    _publish(session, STATE_CHANGE, order)


def start_order(
    session: Session,
    order: ProductOrder,
    leaf_secrets: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """Accept an order: resolve each item's delivery, hand the items to
    fulfilment, start the SLA clock (the longest item SLA), move the order
    inProgress and send new broadband credentials to the customer by SMS."""
    leaf_secrets = leaf_secrets or {}
    plan = {k: dict(v) for k, v in (order.plan or {}).items()}
    work = [k for k, p in plan.items() if p.get("action") not in NO_WORK and p.get("offeringId")]
    requests: list[FulfilmentRequest] = []
    credentials: list[tuple[str, str]] = []
    sla_pick: tuple[int, int] | None = None
    contact = _contact(order)
    for item_id in work:
        p = plan[item_id]
        action = str(p["action"])
        where = f"{p.get('path')}.productOffering.id"
        region = p.get("regionId") or order.region_id
        fitem: mapping.FulfilmentItem | None = None
        version = p.get("offeringVersion")
        if region:
            try:
                fplan = mapping.resolve_fulfilment(
                    session,
                    p["offeringId"],
                    region,
                    p.get("coverageType") or "mobile",
                    in_test_ok=testorders.is_test_order(order.category),
                )
            except AppError as exc:
                if action == "add":
                    raise Conflict(
                        f"item {item_id}: {exc.message}", code=exc.code, field=where
                    ) from None
            else:
                version = version or fplan.version
                fitem = next(
                    (x for x in fplan.items if x.product_spec_id == p.get("specId")),
                    fplan.items[0] if fplan.items else None,
                )
        try:
            process_key = process_for(action, fitem.process_key if fitem else None)
        except ValueError:
            raise Conflict(
                f"item {item_id}: no delivery process for '{p['offeringId']}' in region "
                f"{region} with coverage {p.get('coverageType')}",
                code="NO_DELIVERY_RULE",
                field=where,
            ) from None
        chars = dict(p.get("characteristics") or {})
        hidden = dict(leaf_secrets.get(item_id) or {})
        if action == "add" and ACCESS_ACCOUNT in chars and not hidden.get(ACCESS_PASSWORD):
            hidden[ACCESS_PASSWORD] = _new_password()
            credentials.append((str(chars[ACCESS_ACCOUNT]), hidden[ACCESS_PASSWORD]))
        sla = fitem.sla if fitem is not None and action == "add" else None
        if sla is not None and (sla_pick is None or sla.completion_hours > sla_pick[0]):
            sla_pick = (sla.completion_hours, sla.jeopardy_percent)
        p["processKey"] = process_key
        p["deliveryMode"] = fitem.delivery_mode if fitem else "instant"
        if fitem is not None:
            p["coverageType"] = fitem.coverage_type
        if sla is not None:
            p["slaHours"] = sla.completion_hours
        requests.append(
            FulfilmentRequest(
                product_order_id=order.id,
                product_order_item_id=item_id,
                action=cast(Action, action),
                product_offering_id=p["offeringId"],
                product_offering_name=p.get("offeringName") or p["offeringId"],
                product_spec_id=p.get("specId") or (fitem.product_spec_id if fitem else ""),
                process_key=process_key,
                delivery_mode=p["deliveryMode"],
                customer_id=order.customer_id,
                billing_account_id=(order.billing_account or {}).get("id"),
                product_offering_version=version,
                product_id=p.get("productId"),
                product_name=p.get("offeringName"),
                place_id=p.get("placeId"),
                region_id=region,
                coverage_type=p.get("coverageType"),
                sla_completion_hours=sla.completion_hours if sla else None,
                sla_jeopardy_percent=sla.jeopardy_percent if sla else None,
                cfs_specs=tuple(fitem.chain.cfs) if fitem else (),
                rfs_specs=tuple(fitem.chain.rfs) if fitem else (),
                resource_specs=tuple(fitem.chain.resource_specs) if fitem else (),
                characteristics=chars,
                secrets=hidden,
                depends_on=tuple(x for x in p.get("reliesOn") or [] if x in work),
                appointment_id=p.get("appointmentId"),
                product_price=tuple(_item_prices(order.product_order_item, item_id)),
                contact=contact,
            )
        )
    order.plan = plan
    _move(session, order, "inProgress")
    if requests:
        ports.submit(session, requests)
    if sla_pick is not None:
        clock = ports.start_clock(
            session,
            product_order_id=order.id,
            completion_hours=sla_pick[0],
            jeopardy_percent=sla_pick[1],
            region_id=order.region_id,
        )
        deadline = clock.get("deadline")
        if isinstance(deadline, str):
            order.expected_completion = parse_datetime(deadline, "deadline")
            order.updated_at = _now()
    for account, password in credentials:
        _notify(
            session,
            order,
            "order.accessCredentials",
            account=account,
            password=password,
            channel="sms",
        )


def _item_prices(items: Sequence[Mapping[str, Any]], item_id: str) -> list[Mapping[str, Any]]:
    for item in items:
        if item.get("id") == item_id:
            return list(item.get("itemPrice") or [])
        found = _item_prices(item.get("productOrderItem") or [], item_id)
        if found:
            return found
    return []


def _offering_names(order: ProductOrder) -> str:
    names = []
    for item in order.product_order_item:
        offering = item.get("productOffering") or {}
        names.append(
            str(
                offering.get("name")
                or (order.plan or {}).get(item["id"], {}).get("offeringName")
                or offering.get("id")
            )
        )
    return ", ".join(names)


def _customer_phone(session: Session, customer_id: str) -> str | None:
    """The customer's preferred phone (for notifications when the order names
    no contact), or ``None``."""
    try:
        view = customer_360(
            session,
            SYSTEM_SCOPE,
            customer_id,
            DEFAULT_BASE_URL,
            roles=frozenset(),
            contact_limit=1,
        )
    except AppError:
        return None
    phones = [
        m
        for m in view.party.get("contactMedium") or []
        if m.get("mediumType") in ("phone", "mobile")
        and (m.get("characteristic") or {}).get("phoneNumber")
    ]
    phones.sort(key=lambda m: not m.get("preferred"))
    return str(phones[0]["characteristic"]["phoneNumber"])[:256] if phones else None


def _contact(order: ProductOrder) -> dict[str, Any] | None:
    value = order.notification_contact
    if not value:
        return None
    customer = next(
        (p for p in order.related_party if (p.get("role") or "").lower() == "customer"), {}
    )
    if "@" in value:
        return {"email": value, "name": customer.get("name")}
    return {"phone": value, "name": customer.get("name")}


def _notify(
    session: Session,
    order: ProductOrder,
    template: str,
    *,
    channel: Literal["sms", "email"] | None = None,
    **params: Any,
) -> None:
    """Tell the customer (SMS to a phone, e-mail to an address) — best effort:
    an order without a notification contact is not notified."""
    contact = _contact(order)
    if contact is None:
        return
    use: Literal["sms", "email"] = channel or ("sms" if contact.get("phone") else "email")
    if use == "sms" and not contact.get("phone"):
        use = "email"
    to = contact.get("phone") if use == "sms" else contact.get("email")
    params = {"orderId": order.id, "customerName": contact.get("name") or "", **params}
    ports.send(
        session,
        channel=use,
        to=str(to),
        template=template,
        params=params,
        related=[{"id": order.id, "role": "productOrder", "@referredType": "ProductOrder"}],
        receiver_name=contact.get("name"),
    )


# --------------------------------------------------------------------------- reads


def _restrict(scope: Scope) -> Any:
    def restrict(stmt: Any) -> Any:
        if scope.partner_id is not None:
            return stmt.where(PRODUCT_ORDER.id_column.is_(None))
        return apply_scope(stmt, ProductOrder.__table__.c, scope)

    return restrict


def _restrict_cancel(scope: Scope) -> Any:
    def restrict(stmt: Any) -> Any:
        if scope.partner_id is not None:
            return stmt.where(CANCEL_PRODUCT_ORDER.id_column.is_(None))
        return apply_scope(stmt, CancelProductOrder.__table__.c, scope)

    return restrict


def list_orders(
    session: Session, scope: Scope, query: ListQuery, base_url: str = DEFAULT_BASE_URL
) -> Page:
    """A page of orders in the caller's scope (TMF630 filters, sort, paging)."""
    return list_page(session, PRODUCT_ORDER, query, base_url=base_url, restrict=_restrict(scope))


def order_document(
    session: Session,
    scope: Scope,
    order_id: str,
    base_url: str = DEFAULT_BASE_URL,
    projection: Any = None,
) -> bytes:
    doc = fetch_document(
        session,
        PRODUCT_ORDER,
        order_id,
        base_url=base_url,
        restrict=_restrict(scope),
        projection=projection,
    )
    if doc is None:
        raise NotFound(f"productOrder '{order_id}' not found")
    return doc


def get_order(
    session: Session, scope: Scope, order_id: str, base_url: str = DEFAULT_BASE_URL
) -> dict[str, Any]:
    """One order in the caller's scope (404 otherwise)."""
    return cast(dict[str, Any], orjson.loads(order_document(session, scope, order_id, base_url)))


def _load(
    session: Session, scope: Scope, order_id: str, *, for_update: bool = True
) -> ProductOrder:
    if scope.partner_id is not None:
        raise NotFound(f"productOrder '{order_id}' not found")
    stmt = apply_scope(select(ProductOrder).where(ProductOrder.id == order_id), ProductOrder, scope)
    if for_update:
        stmt = stmt.with_for_update()
    row = session.scalars(stmt).one_or_none()
    if row is None:
        raise NotFound(f"productOrder '{order_id}' not found")
    return row


def list_cancellations(
    session: Session, scope: Scope, query: ListQuery, base_url: str = DEFAULT_BASE_URL
) -> Page:
    return list_page(
        session, CANCEL_PRODUCT_ORDER, query, base_url=base_url, restrict=_restrict_cancel(scope)
    )


def cancellation_document(
    session: Session,
    scope: Scope,
    ident: str,
    base_url: str = DEFAULT_BASE_URL,
    projection: Any = None,
) -> bytes:
    doc = fetch_document(
        session,
        CANCEL_PRODUCT_ORDER,
        ident,
        base_url=base_url,
        restrict=_restrict_cancel(scope),
        projection=projection,
    )
    if doc is None:
        raise NotFound(f"cancelProductOrder '{ident}' not found")
    return doc


# --------------------------------------------------------------------------- changes


def _writable(order: ProductOrder) -> dict[str, Any]:
    return cast(
        dict[str, Any],
        strip_nulls(
            {
                "state": order.state,
                "description": order.description,
                "category": order.category,
                "externalId": order.external_id,
                "priority": order.priority,
                "notificationContact": order.notification_contact,
                "requestedStartDate": order.requested_start,
                "requestedCompletionDate": order.requested_completion,
                "cancellationReason": order.cancellation_reason,
                "note": order.note,
            }
        ),
    )


def _as_input_items(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Stored items back to the input shape (states and prices dropped)."""
    keep = {
        "id",
        "action",
        "product",
        "productOffering",
        "productOrderItemRelationship",
        "appointment",
        "billingAccount",
        "@type",
    }
    out = []
    for item in items:
        raw = {k: v for k, v in item.items() if k in keep}
        product = dict(raw.get("product") or {})
        product.pop("productSpecification", None)
        if raw.get("action") == "add":
            product.pop("id", None)
        if product:
            raw["product"] = product
        raw["productOrderItemRelationship"] = [
            r
            for r in raw.get("productOrderItemRelationship") or []
            if r.get("relationshipType") != RELIES_ON
        ] or None
        if item.get("productOrderItem"):
            raw["productOrderItem"] = _as_input_items(item["productOrderItem"])
        out.append({k: v for k, v in raw.items() if v is not None})
    return out


def update_order(
    session: Session,
    scope: Scope,
    order_id: str,
    patch: Mapping[str, Any],
    base_url: str = DEFAULT_BASE_URL,
    actor: str = "system",
) -> dict[str, Any]:
    """Apply a JSON merge patch: attributes; the items (the whole list) while
    acknowledged, pending or held — revalidated and repriced as a new order
    would be; ``state`` cancelled (cancellation), held (hold an order not yet
    started), inProgress (release a held or pending order)."""
    reject_read_only(patch, sorted(PRODUCT_ORDER.read_only))
    order = _load(session, scope, order_id)
    if order.state in states.FINAL:
        raise Conflict(f"productOrder is {order.state}; it no longer changes", field="state")
    merged = merge_patch(_writable(order), dict(patch))
    try:
        data = ProductOrderUpdate.model_validate(merged)
    except ValidationError as exc:
        from openboss.kit.tmf.errors import validation_message

        where, message = validation_message(list(exc.errors()))
        raise ValidationFailed(message, field=where) from None
    target = data.state or order.state
    leaf_secrets: dict[str, dict[str, str]] = {}
    changed = False
    if "productOrderItem" in patch:
        if order.state not in states.MODIFIABLE:
            raise Conflict(
                f"productOrder is {order.state}; items change only while "
                + ", ".join(sorted(states.MODIFIABLE)),
                field="productOrderItem",
                code="NOT_MODIFIABLE",
            )
        if not data.product_order_item:
            raise ValidationFailed("an order keeps at least one item", field="productOrderItem")
        full = ProductOrderCreate.model_validate(
            {
                "relatedParty": order.related_party,
                "billingAccount": order.billing_account,
                "productOrderItem": [
                    i.model_dump(mode="json", by_alias=True, exclude_none=True)
                    for i in data.product_order_item
                ],
            }
        )
        a = analyse(session, scope, full)
        if not a.problems:
            _prepare_leaves(session, a, order.id)
        if a.problems:
            raise _problems_error(a.problems)
        leaf_ids = {leaf.id: leaf for leaf in a.leaves}
        order.product_order_item = [
            _stored_item(a, i, leaf_ids, order.state) for i in full.product_order_item
        ]
        order.order_total_price = prices.total_prices(a.lines) or None
        order.plan = {k: {**v, "state": order.state} for k, v in _plan(a).items()}
        if a.region_id and a.region_id != order.region_id:
            order.region_id = region_for_write(scope, a.region_id, field="productOrderItem")
        leaf_secrets = {leaf.id: dict(leaf.secrets) for leaf in a.leaves if leaf.secrets}
        changed = True
    for attr, value in (
        ("description", data.description),
        ("category", data.category),
        ("external_id", data.external_id),
        ("priority", data.priority),
        ("notification_contact", data.notification_contact),
        ("requested_start", data.requested_start_date),
        ("requested_completion", data.requested_completion_date),
        ("cancellation_reason", data.cancellation_reason),
    ):
        if getattr(order, attr) != value:
            setattr(order, attr, value)
            changed = True
    notes = _dump_list(data.note)
    if notes != order.note:
        order.note = notes
        changed = True
    if changed:
        order.updated_at = _now()
        _publish(session, CHANGE, order)
    if target != order.state:
        if target == "cancelled":
            _cancel(session, order, data.cancellation_reason or "cancelled on request")
        elif target == "held" and order.state in ("acknowledged", "pending"):
            _move(session, order, "held", reason=f"held by {actor}")
        elif target == "inProgress" and order.state in ("held", "pending", "acknowledged"):
            start_order(session, order, leaf_secrets)
        else:
            states.ORDER.check(order.state, target)
            raise Conflict(
                f"productOrder state {target} is set by order handling, not by a request",
                field="state",
                code="ILLEGAL_STATE_TRANSITION",
            )
    session.flush()
    return view(order, base_url)


def delete_order(session: Session, scope: Scope, order_id: str) -> None:
    """Delete a closed order (rejected, cancelled, completed, failed, partial)."""
    order = _load(session, scope, order_id)
    if order.state not in states.FINAL:
        raise Conflict(
            f"productOrder is {order.state}; only closed orders are deleted (cancel it first)",
            field="state",
        )
    _publish(session, DELETE, order)
    session.delete(order)
    session.flush()


def _cancel(session: Session, order: ProductOrder, reason: str) -> None:
    if order.state not in states.CANCELLABLE:
        raise Conflict(
            f"productOrder is {order.state}; it cannot be cancelled",
            field="state",
            code="NOT_CANCELLABLE",
            details={"state": order.state},
        )
    submitted = order.state == "inProgress"
    order.cancellation_reason = reason[:512]
    _move(session, order, "assessingCancellation", reason=reason)
    if submitted:
        ports.cancel_fulfilment(session, order.id, reason)
    _move(session, order, "pendingCancellation", reason=reason)
    _move(session, order, "cancelled", reason=reason)
    ports.stop_clock(session, order.id, "cancelled")
    jobs.cancel(session, f"{START_JOB}:{order.id}")
    _notify(session, order, "order.cancelled", reason=reason)


def cancel_order(session: Session, scope: Scope, order_id: str, reason: str) -> dict[str, Any]:
    """Cancel an open order (its service orders are cancelled, resources
    released); 409 ``NOT_CANCELLABLE`` for a completed or otherwise closed
    order. Returns the order's representation."""
    order = _load(session, scope, order_id)
    _cancel(session, order, reason)
    session.flush()
    return view(order)


def create_cancellation(
    session: Session, scope: Scope, data: CancelProductOrderCreate, base_url: str = DEFAULT_BASE_URL
) -> dict[str, Any]:
    """A ``cancelProductOrder`` request: acknowledged → inProgress → done (the
    order is cancelled), or 409 with the reason when the order cannot be."""
    order = _load(session, scope, data.product_order.id)
    if order.state not in states.CANCELLABLE:
        raise Conflict(
            f"productOrder '{order.id}' is {order.state}; it cannot be cancelled",
            field="productOrder.id",
            code="NOT_CANCELLABLE",
            details={"state": order.state},
        )
    now = _now()
    row = CancelProductOrder(
        id=new_id(),
        product_order_id=order.id,
        product_order={
            "id": order.id,
            "href": PRODUCT_ORDER.href(base_url, order.id),
            "@referredType": "ProductOrder",
        },
        state=states.CANCEL.initial,
        cancellation_reason=data.cancellation_reason,
        requested_cancellation_date=data.requested_cancellation_date,
        region_id=order.region_id,
        created_at=now,
    )
    session.add(row)
    _publish_cancel(session, CANCEL_CREATE, row)
    _task(session, row, "inProgress")
    _cancel(session, order, data.cancellation_reason or "cancellation requested")
    row.effective_cancellation_date = _now()
    _task(session, row, "done")
    session.flush()
    return _cancel_view(row, base_url)


def _task(
    session: Session, row: CancelProductOrder, target: str, reason: str | None = None
) -> None:
    states.CANCEL.check(row.state, target)
    row.state = target
    row.state_reason = reason
    _publish_cancel(session, CANCEL_STATE_CHANGE, row)


def start_pending(session: Session, order_id: str) -> bool:
    """Start a pending order whose requested start has come (the worker's timer)."""
    row = session.scalars(
        select(ProductOrder).where(ProductOrder.id == order_id).with_for_update()
    ).one_or_none()
    if row is None or row.state != "pending":
        return False
    start_order(session, row)
    return True


@jobs.job_handler(START_JOB)
def _on_start(session: Session, payload: dict[str, Any]) -> None:
    start_pending(session, str(payload.get("productOrderId", "")))


# --------------------------------------------------------------------------- fulfilment reports


def item_closed(
    session: Session,
    product_order_id: str,
    item_id: str,
    outcome: Outcome,
    detail: Mapping[str, Any],
) -> None:
    """An item's fulfilment ended: move the item, then the order once every
    item is closed; stop the SLA clock and tell the customer."""
    order = session.scalars(
        select(ProductOrder).where(ProductOrder.id == product_order_id).with_for_update()
    ).one_or_none()
    if order is None:
        log.warning("ordering.unknown_order", product_order_id=product_order_id, item_id=item_id)
        return
    plan = dict(order.plan or {})
    if item_id not in plan:
        log.warning("ordering.unknown_item", product_order_id=product_order_id, item_id=item_id)
        return
    entry = dict(plan[item_id])
    if entry.get("state") in states.ITEM_CLOSED:
        return  # reported twice
    entry["state"] = outcome
    if detail.get("reason"):
        entry["reason"] = str(detail.get("reason"))[:512]
    plan[item_id] = entry
    order.plan = plan
    order.product_order_item = _set_item_states(order.product_order_item, {item_id: outcome})
    order.updated_at = _now()
    if order.state in ("assessingCancellation", "pendingCancellation", "cancelled"):
        session.flush()
        return  # the cancellation finishes the order
    leaf_states = [
        v.get("state", "acknowledged") for k, v in plan.items() if v.get("action") not in NO_WORK
    ]
    final = states.derive(leaf_states)
    if final is None:
        _publish(session, CHANGE, order)
        return
    if final == "cancelled":
        final = "failed"
    if final not in states.ORDER.allowed(order.state):
        _publish(session, CHANGE, order)
        return
    reason = entry.get("reason") if final != "completed" else None
    _move(session, order, final, reason=reason)
    ports.stop_clock(session, order.id, final)
    if final == "completed":
        _notify(session, order, "order.completed", offerings=_offering_names(order))
    else:
        _notify(session, order, "order.failed", reason=reason or final)


def milestone(session: Session, product_order_id: str, reached: Milestone) -> None:
    """A fulfilment milestone: an appointment is told to the customer."""
    if reached.name != "appointmentBooked":
        return
    order = session.get(ProductOrder, product_order_id)
    if order is None:
        return
    detail = dict(reached.detail or {})
    _notify(
        session,
        order,
        "order.appointment",
        when=str(detail.get("when") or detail.get("start") or reached.at),
        address=str(detail.get("address") or ""),
    )


hooks.on_item_closed(item_closed)
hooks.on_milestone(milestone)


# --------------------------------------------------------------------------- business view


def business_view(session: Session, scope: Scope, order_id: str) -> dict[str, Any]:
    """The order as the business follows it: per item its state, milestones
    (from fulfilment), who has it now; the SLA clock and time left."""
    order = _load(session, scope, order_id, for_update=False)
    reached = ports.progress(session, order.id)
    by_item: dict[str, list[Milestone]] = {}
    for m in reached:
        by_item.setdefault(m.product_order_item_id, []).append(m)
    items = []
    for item_id, p in (order.plan or {}).items():
        ms = sorted(by_item.get(item_id, []), key=lambda m: m.at)
        holder = next((m.holder for m in reversed(ms) if m.holder), None)
        items.append(
            {
                "id": item_id,
                "action": p.get("action"),
                "productOffering": {"id": p.get("offeringId"), "name": p.get("offeringName")},
                "productId": p.get("productId"),
                "state": p.get("state"),
                "deliveryMode": p.get("deliveryMode"),
                "processKey": p.get("processKey"),
                "reliesOn": p.get("reliesOn") or [],
                "holder": holder if p.get("state") not in states.ITEM_CLOSED else None,
                "milestones": [
                    {"name": m.name, "at": m.at, "holder": m.holder, "detail": dict(m.detail)}
                    for m in ms
                ],
            }
        )
    clock = ports.clock_of(session, order.id)
    return {
        "id": order.id,
        "state": order.state,
        "stateReason": order.state_reason,
        "orderDate": order.created_at.isoformat().replace("+00:00", "Z"),
        "customerId": order.customer_id,
        "regionId": order.region_id,
        "items": items,
        "sla": clock,
        "secondsLeft": clock.get("secondsLeft") if clock else None,
        "holder": next((i["holder"] for i in items if i["holder"]), None),
    }
