"""Console: the order entry wizard (订单受理向导), eTOM 1.1.1.5 order handling.

Customer → installation address and qualification → offers eligible there →
characteristics → appointment (optional) → summary with prices → submit.

Each step is an HTMX form post that swaps the wizard in place (without
JavaScript the same form posts and the whole page comes back). The draft
travels in one hidden field as JSON; every step validates what it adds and
shows the problems next to the fields, and the final submit validates the
whole order again through the ordering service, so a tampered draft can do
no more than the API allows. The draft carries an idempotency key made when
the wizard opens: a double click on *Submit* creates one order.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any, Final

import orjson
from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from openboss.auth.deps import DbSession
from openboss.auth.principal import Principal
from openboss.catalog import browse, mapping
from openboss.catalog.schemas import LAUNCHED
from openboss.kit.clock import utcnow
from openboss.kit.errors import AppError
from openboss.kit.ids import new_id
from openboss.kit.scope import Scope
from openboss.kit.tmf import idempotency
from openboss.kit.tmf.http import base_url, validate
from openboss.ordering import offers as order_offers
from openboss.ordering import service as ordering
from openboss.ordering.schemas import ProductOrderCreate
from openboss.party.account import service as account_service
from openboss.party.address import service as address_service
from openboss.party.customer import repository as customer_repository
from openboss.party.customer.facts import customer_facts
from openboss.party.customer.search import search_customers
from openboss.resource.publishing import qualification
from openboss.web import csrf, nav
from openboss.web.i18n import N_, gettext_for
from openboss.web.ordering.orders import iso
from openboss.web.shell import ConsoleRoute, console_roles, is_htmx, redirect, render
from openboss.workforce.appointments import service as appointments
from openboss.workforce.appointments.schemas import AppointmentCreate, SearchTimeSlotCreate

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False, tags=["console"])

WIZARD_URL: Final = "/console/ordering/new"
ORDERS_URL: Final = "/console/ordering/orders"
WRITE_ROLES: Final[tuple[str, ...]] = ("csr", "manager")
STEPS: Final[tuple[str, ...]] = (
    "customer",
    "address",
    "offer",
    "characteristics",
    "appointment",
    "summary",
)
STEP_LABELS: Final[dict[str, str]] = {
    "customer": N_("Customer"),
    "address": N_("Address and qualification"),
    "offer": N_("Offers"),
    "characteristics": N_("Characteristics"),
    "appointment": N_("Appointment"),
    "summary": N_("Summary"),
}
#: The skill of the installation visit per coverage type (partner crews install cable).
VISIT_SKILL: Final[dict[str, str]] = {"ownFtth": "ftthInstall", "partnerCable": "cableInstall"}
VISIT_MINUTES: Final = 120
SLOT_DAYS: Final = 7
#: Characteristics the wizard does not ask for (generated and sent to the customer).
HIDDEN_CHARS: Final = frozenset({order_offers.ACCESS_PASSWORD})
ENDPOINT: Final = "console POST /console/ordering/new"

nav.register(
    N_("Orders"),
    N_("New order"),
    WIZARD_URL,
    roles=WRITE_ROLES,
    icon="cart-plus",
    order=10,
)

Writer = Annotated[Principal, Depends(console_roles(*WRITE_ROLES))]


@dataclass
class Draft:
    """What the wizard has collected so far (the hidden ``draft`` field)."""

    key: str = ""
    customer_id: str = ""
    customer_name: str = ""
    address_id: str = ""
    address_name: str = ""
    region_id: str = ""
    coverage_type: str = ""
    offering_id: str = ""
    offering_name: str = ""
    chars: dict[str, Any] = field(default_factory=dict)
    slot_start: str = ""
    slot_end: str = ""
    account_id: str = ""
    contact: str = ""

    @classmethod
    def parse(cls, raw: str) -> Draft:
        try:
            data = orjson.loads(raw) if raw else {}
        except orjson.JSONDecodeError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        draft = cls()
        for name, value in known.items():
            expected = type(getattr(draft, name))
            if isinstance(value, expected):
                setattr(draft, name, value)
        if not draft.key:
            draft.key = new_id()
        return draft

    def dump(self) -> str:
        return orjson.dumps(asdict(self)).decode()


# --------------------------------------------------------------------------- data per step


def _localized(names: dict[str, str], fallback: str, locale: str) -> str:
    tag = "zh-CN" if locale.startswith("zh") else "en"
    return names.get(tag) or names.get(locale) or fallback


def _addresses(session: Session, scope: Scope, customer_id: str) -> list[dict[str, str]]:
    out = []
    for address_id, role in customer_repository.customer_places(session, customer_id):
        try:
            summary = address_service.get_address_summary(session, scope, address_id)
        except AppError:
            continue
        out.append(
            {
                "id": summary.id,
                "formatted": summary.formatted,
                "role": role,
                "region": summary.region_id,
            }
        )
    return out


def _qualification(session: Session, scope: Scope, address_id: str) -> list[dict[str, Any]]:
    results = qualification.qualify(session, scope, address_id, None)
    return [
        {
            "service": r.service_spec_id,
            "result": r.result,
            "qualified": r.qualified,
            "deliveryMode": r.delivery_mode,
            "coverageType": r.coverage_type,
            "expectedDate": r.expected_date,
            "reasons": [qualification.REASON_LABELS.get(c, c) for c in r.reasons],
        }
        for r in results
    ]


def _candidate_offers(
    session: Session, scope: Scope, draft: Draft, locale: str
) -> list[dict[str, Any]]:
    """Launched offerings, each with why it cannot be sold here (empty: eligible)."""
    qualified = {
        q["service"]: q for q in _qualification(session, scope, draft.address_id) if q["qualified"]
    }
    _ = gettext_for(locale)
    facts = customer_facts(session, scope, draft.customer_id)
    rows, _total = browse.list_offerings(session, status=LAUNCHED, limit=200)
    catalog = order_offers.Offers(session)
    found = []
    for row in rows:
        offer = catalog.get(row.id)
        if offer is None or not offer.is_sellable:
            continue
        try:
            _sale, reasons = mapping.eligibility(
                session,
                row.id,
                region_id=draft.region_id or facts.region_id or "",
                customer_type=(
                    "organization" if facts.party_type == "Organization" else "individual"
                ),
                segment=facts.segment,
            )
        except AppError as exc:
            reasons = [exc.message]
        missing = [
            s for s in offer.cfs if s not in order_offers.ADDRESS_FREE_CFS and s not in qualified
        ]
        if missing:
            reasons = [
                *reasons,
                _("not deliverable at this address: %(services)s", services=", ".join(missing)),
            ]
        found.append(
            {
                "id": row.id,
                "name": _localized(row.localized_name, row.name, locale),
                "bundle": row.is_bundle,
                "reasons": list(reasons),
            }
        )
    found.sort(key=lambda o: (bool(o["reasons"]), o["name"]))
    return found


def _characteristics(offer: order_offers.Offer) -> list[dict[str, Any]]:
    out = []
    for name, char in offer.characteristics.items():
        if name in HIDDEN_CHARS:
            continue
        options = [v.value for v in char.product_spec_characteristic_value if v.value is not None]
        unit = next(
            (
                v.unit_of_measure
                for v in char.product_spec_characteristic_value
                if v.unit_of_measure
            ),
            None,
        )
        out.append(
            {
                "name": name,
                "description": char.description,
                "type": char.value_type,
                "options": options,
                "default": char.default(),
                "configurable": char.configurable,
                "required": char.min_cardinality > 0 and char.default() is None,
                "unit": unit,
            }
        )
    if offer.is_access:
        out.append(
            {
                "name": order_offers.ACCESS_ACCOUNT,
                "description": N_("Broadband account (generated when empty)"),
                "type": "string",
                "options": [],
                "default": None,
                "configurable": True,
                "required": False,
                "unit": None,
            }
        )
    return out


def _typed(raw: str, value_type: str) -> Any:
    text = raw.strip()
    if value_type == "integer":
        return int(text)
    if value_type == "number":
        return float(text)
    if value_type == "boolean":
        if text.lower() in ("true", "1", "yes"):
            return True
        if text.lower() in ("false", "0", "no"):
            return False
        raise ValueError(text)
    return text


def _order_body(draft: Draft, *, appointment_id: str | None = None) -> dict[str, Any]:
    product: dict[str, Any] = {}
    if draft.address_id:
        product["place"] = [
            {
                "id": draft.address_id,
                "role": "installationAddress",
                "@referredType": "GeographicAddress",
            }
        ]
    if draft.chars:
        product["productCharacteristic"] = [{"name": k, "value": v} for k, v in draft.chars.items()]
    item: dict[str, Any] = {
        "id": "1",
        "action": "add",
        "productOffering": {"id": draft.offering_id},
    }
    if product:
        item["product"] = product
    if appointment_id:
        item["appointment"] = {"id": appointment_id, "@referredType": "Appointment"}
    body: dict[str, Any] = {
        "relatedParty": [
            {"id": draft.customer_id, "role": "customer", "@referredType": "Customer"}
        ],
        "productOrderItem": [item],
        "channel": [{"id": "console", "name": "operator console", "role": "salesChannel"}],
    }
    if draft.account_id:
        body["billingAccount"] = {"id": draft.account_id}
    if draft.contact:
        body["notificationContact"] = draft.contact
    return body


def _slots(session: Session, scope: Scope, draft: Draft) -> tuple[list[dict[str, str]], str | None]:
    skill = VISIT_SKILL.get(draft.coverage_type)
    if skill is None:
        return [], None
    now = utcnow()
    raw = {
        "requestedTimeSlot": [
            {
                "validFor": {
                    "startDateTime": (now + timedelta(hours=1)).isoformat(),
                    "endDateTime": (now + timedelta(days=SLOT_DAYS)).isoformat(),
                }
            }
        ],
        "relatedPlace": {"id": draft.address_id, "@referredType": "GeographicAddress"},
        "requiredSkill": {"skill": skill},
        "duration": VISIT_MINUTES,
    }
    try:
        data = validate(SearchTimeSlotCreate, raw)
        _row, body = appointments.search(session, scope, data, "")
    except AppError as exc:
        return [], exc.message
    doc = orjson.loads(body)
    slots = [
        {
            "start": s["validFor"]["startDateTime"],
            "end": s["validFor"]["endDateTime"],
            "startAt": datetime.fromisoformat(s["validFor"]["startDateTime"]),
            "endAt": datetime.fromisoformat(s["validFor"]["endDateTime"]),
        }
        for s in doc.get("availableTimeSlot") or []
    ]
    return slots[:40], doc.get("reason")


def _book(session: Session, scope: Scope, draft: Draft, actor: str) -> str:
    skill = VISIT_SKILL.get(draft.coverage_type, "ftthInstall")
    data: dict[str, Any] = {
        "validFor": {"startDateTime": draft.slot_start, "endDateTime": draft.slot_end},
        "relatedPlace": {"id": draft.address_id, "@referredType": "GeographicAddress"},
        "requiredSkill": {"skill": skill},
        "duration": VISIT_MINUTES,
        "category": "installation",
        "relatedParty": [
            {
                "id": draft.customer_id,
                "role": "customer",
                "@referredType": "Customer",
                "name": draft.customer_name,
            }
        ],
    }
    if draft.contact and "@" not in draft.contact:
        data["contactMedium"] = [
            {"mediumType": "mobile", "characteristic": {"phoneNumber": draft.contact}}
        ]
    written = appointments.book(session, scope, validate(AppointmentCreate, data), "", actor)
    return str(written.appointment.id)


# --------------------------------------------------------------------------- steps


def _context(
    request: Request,
    session: Session,
    principal: Principal,
    draft: Draft,
    step: str,
    errors: dict[str, str],
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    from openboss.web.shell import request_locale

    locale = request_locale(request)
    scope = principal.scope
    ctx: dict[str, Any] = {
        "draft": draft,
        "draft_json": draft.dump(),
        "step": step,
        "steps": STEPS,
        "step_labels": STEP_LABELS,
        "step_index": STEPS.index(step),
        "errors": errors,
        "hits": [],
        "q": "",
        "addresses": [],
        "qualification": [],
        "offers": [],
        "characteristics": [],
        "visit_needed": False,
        "slots": [],
        "slot_reason": None,
        "accounts": [],
        "prices": None,
        "problems": [],
        "submit_problems": [],
        "iso": iso,
    }
    try:
        if step == "address" and draft.customer_id:
            ctx["addresses"] = _addresses(session, scope, draft.customer_id)
            if draft.address_id:
                ctx["qualification"] = _qualification(session, scope, draft.address_id)
        elif step == "offer":
            ctx["offers"] = _candidate_offers(session, scope, draft, locale)
        elif step == "characteristics":
            offer = order_offers.Offers(session).get(draft.offering_id)
            ctx["characteristics"] = _characteristics(offer) if offer else []
        elif step == "appointment":
            ctx["visit_needed"] = draft.coverage_type in VISIT_SKILL
        elif step == "summary":
            ctx["accounts"] = account_service.customer_accounts(session, scope, draft.customer_id)
            body = _order_body(draft)
            ctx["prices"] = ordering.price_summary(session, body)
            ctx["problems"] = ordering.validate_order(session, scope, body)
    except AppError as exc:
        errors.setdefault("step", exc.message)
    if extra:
        ctx.update(extra)
    return ctx


def _show(
    request: Request,
    session: Session,
    principal: Principal,
    draft: Draft,
    step: str,
    errors: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    ctx = _context(request, session, principal, draft, step, dict(errors or {}), extra)
    template = "ordering/_wizard.html" if is_htmx(request) else "ordering/wizard.html"
    return render(request, template, ctx, status=status, principal=principal)


@router.get(WIZARD_URL, name="console_order_wizard")
def wizard(request: Request, principal: Writer, session: DbSession) -> Response:
    """The first step, with a fresh draft."""
    return _show(request, session, principal, Draft.parse(""), "customer")


def _apply(
    session: Session,
    principal: Principal,
    draft: Draft,
    step: str,
    form: dict[str, str],
    locale: str,
) -> dict[str, str]:
    """Take the step's fields into the draft; the field errors (empty: fine)."""
    _ = gettext_for(locale)
    scope = principal.scope
    errors: dict[str, str] = {}
    if step == "customer":
        chosen = form.get("customer_id", "").strip()
        if not chosen:
            return {"customer_id": _("Choose a customer.")}
        try:
            facts = customer_facts(session, scope, chosen)
        except AppError as exc:
            return {"customer_id": exc.message}
        if facts.blacklisted:
            return {
                "customer_id": _(
                    "The customer is blacklisted: %(reason)s", reason=facts.blacklist_reason or ""
                )
            }
        if chosen != draft.customer_id:
            draft.address_id = draft.offering_id = ""
            draft.chars = {}
        draft.customer_id, draft.customer_name = facts.id, facts.name
    elif step == "address":
        chosen = form.get("address_id", "").strip()
        if not chosen:
            return {"address_id": _("Choose or enter the installation address.")}
        try:
            summary = address_service.get_address_summary(session, scope, chosen)
            results = _qualification(session, scope, chosen)
        except AppError as exc:
            return {"address_id": exc.message}
        if chosen != draft.address_id:
            draft.offering_id = ""
            draft.chars = {}
        draft.address_id, draft.address_name = summary.id, summary.formatted
        draft.region_id = summary.region_id
        access = next((r for r in results if r["service"] == order_offers.ACCESS_CFS), None)
        draft.coverage_type = (access or {}).get("coverageType") or ""
        bound = [r for r in results if r["service"] not in order_offers.ADDRESS_FREE_CFS]
        if bound and not any(r["qualified"] for r in bound):
            reasons = sorted({x for r in bound for x in r["reasons"]})
            return {
                "address_id": _(
                    "No service can be delivered here: %(reasons)s", reasons=", ".join(reasons)
                )
            }
    elif step == "offer":
        chosen = form.get("offering_id", "").strip()
        if not chosen:
            return {"offering_id": _("Choose an offer.")}
        offers = {o["id"]: o for o in _candidate_offers(session, scope, draft, locale)}
        offer = offers.get(chosen)
        if offer is None:
            return {"offering_id": _("Unknown offer.")}
        if offer["reasons"]:
            return {"offering_id": "; ".join(offer["reasons"])}
        if chosen != draft.offering_id:
            draft.chars = {}
        draft.offering_id, draft.offering_name = chosen, offer["name"]
    elif step == "characteristics":
        offer_obj = order_offers.Offers(session).get(draft.offering_id)
        if offer_obj is None:
            return {"step": _("Choose an offer first.")}
        values: dict[str, Any] = {}
        for char in _characteristics(offer_obj):
            raw = form.get(f"char_{char['name']}", "")
            if raw.strip() == "":
                continue
            try:
                values[char["name"]] = _typed(raw, char["type"])
            except ValueError:
                errors[f"char_{char['name']}"] = _("Not a valid value.")
        for name, message in order_offers.check_characteristics(offer_obj, values, action="add"):
            errors.setdefault(f"char_{name}", message)
        draft.chars = values
    elif step == "appointment":
        chosen = form.get("slot", "").strip()
        if chosen and "|" in chosen:
            draft.slot_start, draft.slot_end = chosen.split("|", 1)
        elif not chosen:
            draft.slot_start = draft.slot_end = ""
    elif step == "summary":
        draft.account_id = form.get("account_id", "").strip()
        draft.contact = form.get("contact", "").strip()
        if not draft.contact:
            errors["contact"] = _("A phone number or e-mail address for notifications is needed.")
    return errors


@router.post(WIZARD_URL, name="console_order_wizard_step")
async def wizard_step(request: Request, principal: Writer, session: DbSession) -> Response:
    """One step: ``action`` next, back, search (customers), slots, or submit."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    return await _run_step(request, principal, session, form)


async def _run_step(
    request: Request, principal: Principal, session: Session, form: dict[str, str]
) -> Response:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_step_sync, request, principal, session, form)


def _step_sync(
    request: Request, principal: Principal, session: Session, form: dict[str, str]
) -> Response:
    from openboss.web.shell import gettext, request_locale

    csrf.verify(request, form.get(csrf.CSRF_FIELD), principal.subject)
    _ = gettext(request)
    draft = Draft.parse(form.get("draft", ""))
    step = form.get("step", "customer")
    if step not in STEPS:
        step = "customer"
    action = form.get("action", "next")
    if action == "back":
        return _show(request, session, principal, draft, STEPS[max(0, STEPS.index(step) - 1)])
    if action == "search" and step == "customer":
        q = form.get("q", "").strip()
        try:
            hits = search_customers(session, principal.scope, q, limit=20) if q else []
        except AppError as exc:
            return _show(request, session, principal, draft, step, {"q": exc.message}, {"q": q})
        errors = {} if hits or not q else {"q": _("No customer matches.")}
        return _show(request, session, principal, draft, step, errors, {"hits": hits, "q": q})
    if action == "slots" and step == "appointment":
        found, reason = _slots(session, principal.scope, draft)
        extra = {"slots": found, "slot_reason": reason, "visit_needed": True}
        return _show(request, session, principal, draft, step, {}, extra)
    if action == "qualify" and step == "address":
        errors = _apply(session, principal, draft, step, form, request_locale(request))
        return _show(request, session, principal, draft, step, errors)
    errors = _apply(session, principal, draft, step, form, request_locale(request))
    if errors:
        return _show(request, session, principal, draft, step, errors, status=400)
    if step != "summary":
        return _show(request, session, principal, draft, STEPS[STEPS.index(step) + 1])
    return _submit(request, principal, session, draft)


def _submit(request: Request, principal: Principal, session: Session, draft: Draft) -> Response:
    """Create the order (once per draft key) and open it."""
    url = base_url(request)
    payload = {"draft": orjson.loads(draft.dump())}

    def produce() -> idempotency.StoredResponse:
        appointment_id = (
            _book(session, principal.scope, draft, principal.name)
            if (draft.slot_start and draft.slot_end)
            else None
        )
        body = validate(ProductOrderCreate, _order_body(draft, appointment_id=appointment_id))
        order = ordering.create_order(
            session,
            principal.scope,
            body,
            idempotency_key=draft.key,
            base_url=url,
            actor=principal.name,
        )
        return idempotency.StoredResponse(
            201, orjson.dumps(order), {"Location": f"{ORDERS_URL}/{order['id']}"}
        )

    try:
        stored = idempotency.run_idempotent(
            session,
            key=draft.key,
            owner=principal.subject,
            endpoint=ENDPOINT,
            payload=payload,
            produce=produce,
        )
    except AppError as exc:
        session.rollback()
        problems = (exc.details or {}).get("problems") or [
            {"field": exc.field or "order", "message": exc.message}
        ]
        return _show(
            request,
            session,
            principal,
            draft,
            "summary",
            {"submit": exc.message},
            {"submit_problems": problems},
            status=exc.status,
        )
    return redirect(request, stored.headers["Location"] + "?done=created")
