"""Console: customer search and the new-customer wizards — eTOM 1.1.1.2
customer interface management.

* ``/console/party/customers`` — one search box (phone, document, name
  prefix, customer id, external reference; the kind is guessed or chosen),
  results with masked documents and phones, each linking to the customer's
  360 view ``/console/party/customers/{id}``. Roles csr, manager, billing,
  marketing.
* ``/console/party/customers/new/household`` — a household or individual
  customer: the person, their identity document, phone, installation address
  (picked by address search) and region.
* ``/console/party/customers/new/enterprise`` — an enterprise or government
  customer: the organisation and its credit code, contact persons with roles.

The wizards submit through
:func:`openboss.party.customer.service.onboard_customer` in one transaction
(roles csr, manager); rule violations come back next to the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import Response

from openboss.auth.deps import DbSession, ReadSession
from openboss.auth.principal import Principal
from openboss.kit.errors import AppError
from openboss.kit.tmf.http import validate
from openboss.party.customer import search, service
from openboss.party.customer.party_service import full_name
from openboss.party.customer.schemas import IndividualCreate, OrganizationCreate
from openboss.party.region import service as region_service
from openboss.web import csrf, nav
from openboss.web.i18n import N_
from openboss.web.shell import (
    ConsoleRoute,
    console_roles,
    gettext,
    htmx_target,
    redirect,
    render,
)

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False, tags=["console"])

CUSTOMERS_URL: Final = "/console/party/customers"
NEW_URL: Final = CUSTOMERS_URL + "/new/{wizard}"
ADDRESS_OPTIONS_URL: Final = CUSTOMERS_URL + "/address-options"
READ_ROLES: Final[tuple[str, ...]] = ("csr", "manager", "billing", "marketing")
WRITE_ROLES: Final[tuple[str, ...]] = ("csr", "manager")
SECTION: Final = N_("Customers")

nav.register(
    SECTION, N_("Customer search"), CUSTOMERS_URL, roles=READ_ROLES, icon="search", order=10
)

Reader = Annotated[Principal, Depends(console_roles(*READ_ROLES))]
Writer = Annotated[Principal, Depends(console_roles(*WRITE_ROLES))]

KIND_LABELS: Final[dict[str, str]] = {
    "": N_("Guess from the text"),
    "phone": N_("Phone number"),
    "document": N_("Document number"),
    "name": N_("Name (beginning)"),
    "id": N_("Customer id"),
    "externalReference": N_("External reference"),
}
TYPE_LABELS: Final[dict[str, str]] = {
    "household": N_("Household"),
    "individual": N_("Individual"),
    "enterprise": N_("Enterprise"),
    "government": N_("Government"),
}
GRADE_LABELS: Final[dict[str, str]] = {
    "regular": N_("Regular"),
    "vipSilver": N_("VIP silver"),
    "vipGold": N_("VIP gold"),
}
STATUS_LABELS: Final[dict[str, str]] = {
    "prospect": N_("Prospect"),
    "active": N_("Active"),
    "suspended": N_("Suspended"),
    "closed": N_("Closed"),
}
DOCUMENT_LABELS: Final[dict[str, str]] = {
    "residentIdCard": N_("Resident ID card"),
    "passport": N_("Passport"),
}
ROLE_LABELS: Final[dict[str, str]] = {
    "contact": N_("Contact"),
    "legalRepresentative": N_("Legal representative"),
    "technicalContact": N_("Technical contact"),
    "billingContact": N_("Billing contact"),
}
WIZARDS: Final[dict[str, tuple[str, ...]]] = {
    "household": ("household", "individual"),
    "enterprise": ("enterprise", "government"),
}
#: Contact rows the enterprise wizard offers.
CONTACT_ROWS: Final = 3


@router.get(CUSTOMERS_URL, name="console_customers")
def customers_page(
    request: Request,
    principal: Reader,
    session: ReadSession,
    q: Annotated[str, Query(max_length=128)] = "",
    kind: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """The search page (the results table alone when htmx asks for it)."""
    _ = gettext(request)
    text = q.strip()
    error = None
    hits: list[search.CustomerHit] = []
    if kind and kind not in search.search_kinds():
        error = _("Unknown kind of search.")
    elif text:
        hits = search.search_customers(session, principal.scope, text, kind=kind or None)
    kinds = {**KIND_LABELS, **{k: k for k in search.search_kinds() if k not in KIND_LABELS}}
    context = {
        "q": text,
        "kind": kind,
        "kinds": kinds,
        "hits": hits,
        "searched": bool(text),
        "error": error,
        "detected": search.detect_kind(text) if text and not kind else None,
        "type_labels": TYPE_LABELS,
        "grade_labels": GRADE_LABELS,
        "status_labels": STATUS_LABELS,
        "can_create": principal.has_role(*WRITE_ROLES),
    }
    status = 400 if error else 200
    if htmx_target(request) == "customer-results":
        return render(
            request,
            "party/customers/_results.html",
            context,
            principal=principal,
            status=status,
        )
    return render(
        request, "party/customers/search.html", context, principal=principal, status=status
    )


@router.get(ADDRESS_OPTIONS_URL, name="console_customer_address_options")
def address_options(
    request: Request,
    principal: Writer,
    session: ReadSession,
    address_q: Annotated[str, Query(max_length=128)] = "",
) -> Response:
    """Addresses matching the typed text, to pick the installation address."""
    from openboss.party.address import service as address_service

    text = address_q.strip()
    options = address_service.search_addresses(session, principal.scope, text) if text else []
    return render(
        request,
        "party/customers/_address_options.html",
        {"options": options, "address_q": text},
        principal=principal,
    )


@dataclass
class ContactRow:
    family_name: str = ""
    given_name: str = ""
    phone: str = ""
    role: str = "contact"


@dataclass
class WizardForm:
    """The wizard as typed, so it can be shown again with its errors."""

    customer_type: str = ""
    family_name: str = ""
    given_name: str = ""
    id_type: str = "residentIdCard"
    id_number: str = ""
    issuing_country: str = ""
    trading_name: str = ""
    credit_code: str = ""
    phone: str = ""
    email: str = ""
    address_id: str = ""
    address_label: str = ""
    region_id: str = ""
    grade: str = "regular"
    contacts: list[ContactRow] = field(default_factory=list)


def _regions(session: Any, principal: Principal) -> list[Any]:
    regions = region_service.list_regions(session)
    allowed = principal.scope.regions
    return [r for r in regions if allowed is None or r.id in allowed]


def _wizard_context(
    session: Any, principal: Principal, wizard: str, form: WizardForm, errors: dict[str, str]
) -> dict[str, Any]:
    while len(form.contacts) < CONTACT_ROWS:
        form.contacts.append(ContactRow())
    return {
        "wizard": wizard,
        "types": WIZARDS[wizard],
        "form": form,
        "errors": errors,
        "regions": _regions(session, principal),
        "type_labels": TYPE_LABELS,
        "grade_labels": GRADE_LABELS,
        "document_labels": DOCUMENT_LABELS,
        "role_labels": ROLE_LABELS,
    }


def _check_wizard(wizard: str) -> None:
    if wizard not in WIZARDS:
        from openboss.kit.errors import NotFound

        raise NotFound(f"no wizard '{wizard}'")


@router.get(NEW_URL, name="console_new_customer")
def new_customer_page(
    request: Request, wizard: str, principal: Writer, session: ReadSession
) -> Response:
    """An empty wizard."""
    _check_wizard(wizard)
    form = WizardForm(customer_type=WIZARDS[wizard][0])
    regions = _regions(session, principal)
    if len(regions) == 1:
        form.region_id = regions[0].id
    return render(
        request,
        "party/customers/new.html",
        _wizard_context(session, principal, wizard, form, {}),
        principal=principal,
    )


_FIELD_MAP: Final[dict[str, str]] = {
    "familyName": "family_name",
    "givenName": "given_name",
    "tradingName": "trading_name",
    "individualIdentification[0].identificationId": "id_number",
    "individualIdentification[0].issuingAuthority": "issuing_country",
    "organizationIdentification[0].identificationId": "credit_code",
    "contactMedium[0].characteristic.phoneNumber": "phone",
    "contactMedium[1].characteristic.emailAddress": "email",
    "regionId": "region_id",
    "place[0].id": "address_id",
    "customerType": "customer_type",
    "grade": "grade",
}


def _error_field(exc: AppError) -> str:
    name = exc.field or "form"
    if name.startswith("contacts["):
        n = name[len("contacts[") : name.index("]")]
        inner = name.split("].", 1)[1] if "]." in name else ""
        mapped = _FIELD_MAP.get(inner, "family_name")
        return f"contacts.{n}.{mapped}"
    return _FIELD_MAP.get(name, "form")


def _message(exc: AppError, _: Any) -> str:
    if exc.code == "DUPLICATE_PARTY":
        return str(
            _("A party with this document already exists (%(id)s).", id=exc.details.get("partyId"))
        )
    return exc.message


def _media(phone: str, email: str) -> list[dict[str, Any]]:
    media: list[dict[str, Any]] = []
    if phone:
        media.append({"mediumType": "phone", "characteristic": {"phoneNumber": phone}})
    if email:
        media.append({"mediumType": "email", "characteristic": {"emailAddress": email}})
    return media


@router.post(NEW_URL, name="console_create_customer")
def create_customer(
    request: Request,
    wizard: str,
    principal: Writer,
    session: DbSession,
    customer_type: Annotated[str, Form()] = "",
    family_name: Annotated[str, Form()] = "",
    given_name: Annotated[str, Form()] = "",
    id_type: Annotated[Literal["residentIdCard", "passport"], Form()] = "residentIdCard",
    id_number: Annotated[str, Form()] = "",
    issuing_country: Annotated[str, Form()] = "",
    trading_name: Annotated[str, Form()] = "",
    credit_code: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    address_id: Annotated[str, Form()] = "",
    address_label: Annotated[str, Form()] = "",
    region_id: Annotated[str, Form()] = "",
    grade: Annotated[str, Form()] = "regular",
    contact_family_name: Annotated[list[str] | None, Form()] = None,
    contact_given_name: Annotated[list[str] | None, Form()] = None,
    contact_phone: Annotated[list[str] | None, Form()] = None,
    contact_role: Annotated[list[str] | None, Form()] = None,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Create the party (and contacts) and the customer; back to the form on errors."""
    _check_wizard(wizard)
    csrf.verify(request, csrf_token, principal.subject)
    _ = gettext(request)
    families = contact_family_name or []
    contacts = [
        ContactRow(
            family_name=f.strip(),
            given_name=(contact_given_name or [""] * len(families))[i].strip()
            if i < len(contact_given_name or [])
            else "",
            phone=(contact_phone or [])[i].strip() if i < len(contact_phone or []) else "",
            role=(contact_role or [])[i] if i < len(contact_role or []) else "contact",
        )
        for i, f in enumerate(families)
    ]
    form = WizardForm(
        customer_type=customer_type,
        family_name=family_name.strip(),
        given_name=given_name.strip(),
        id_type=id_type,
        id_number=id_number.strip(),
        issuing_country=issuing_country.strip().upper(),
        trading_name=trading_name.strip(),
        credit_code=credit_code.strip(),
        phone=phone.strip(),
        email=email.strip(),
        address_id=address_id.strip(),
        address_label=address_label.strip(),
        region_id=region_id.strip(),
        grade=grade,
        contacts=contacts,
    )
    errors: dict[str, str] = {}
    if form.customer_type not in WIZARDS[wizard]:
        errors["customer_type"] = _("Choose the kind of customer.")
    if wizard == "household":
        if not form.family_name:
            errors["family_name"] = _("Enter the family name.")
        if not form.given_name:
            errors["given_name"] = _("Enter the given name.")
        if not form.id_number:
            errors["id_number"] = _("Enter the document number.")
    else:
        if not form.trading_name:
            errors["trading_name"] = _("Enter the name of the organisation.")
        if not form.credit_code:
            errors["credit_code"] = _("Enter the unified social credit code.")
    if not form.phone:
        errors["phone"] = _("Enter a phone number.")
    for n, row in enumerate(form.contacts):
        if (row.family_name or row.given_name or row.phone) and not (
            row.family_name and row.given_name
        ):
            errors[f"contacts.{n}.family_name"] = _("Enter the family and given name.")
    if wizard == "household" and not form.address_id:
        errors["address_id"] = _("Pick the installation address.")
    if not errors:
        try:
            written = _onboard(request, session, principal, wizard, form)
        except AppError as exc:
            session.rollback()
            errors[_error_field(exc)] = _message(exc, _)
        else:
            return redirect(request, f"{CUSTOMERS_URL}/{written.customer.id}")
    context = _wizard_context(session, principal, wizard, form, errors)
    return render(request, "party/customers/new.html", context, status=400, principal=principal)


def _onboard(
    request: Request, session: Any, principal: Principal, wizard: str, form: WizardForm
) -> service.Written:
    party: IndividualCreate | OrganizationCreate
    contacts: list[tuple[IndividualCreate, str]] = []
    if wizard == "household":
        identification: dict[str, Any] = {
            "identificationType": form.id_type,
            "identificationId": form.id_number,
        }
        if form.id_type == "passport":
            identification["issuingAuthority"] = form.issuing_country or "CHN"
        party = validate(
            IndividualCreate,
            {
                "familyName": form.family_name,
                "givenName": form.given_name,
                "individualIdentification": [identification],
                "contactMedium": _media(form.phone, form.email),
            },
        )
        kind = "individual"
        name = full_name(form.family_name, form.given_name)
    else:
        party = validate(
            OrganizationCreate,
            {
                "tradingName": form.trading_name,
                "isLegalEntity": True,
                "organizationType": "government"
                if form.customer_type == "government"
                else "company",
                "organizationIdentification": [
                    {
                        "identificationType": "unifiedSocialCreditCode",
                        "identificationId": form.credit_code,
                    }
                ],
                "contactMedium": _media(form.phone, form.email),
            },
        )
        kind = "organization"
        name = form.trading_name
        for row in form.contacts:
            if not (row.family_name or row.given_name or row.phone):
                continue
            person: dict[str, Any] = {"familyName": row.family_name, "givenName": row.given_name}
            if row.phone:
                person["contactMedium"] = _media(row.phone, "")
            contacts.append((validate(IndividualCreate, person), row.role))
    customer: dict[str, Any] = {
        "name": name,
        "status": "active",
        "customerType": form.customer_type,
        "grade": form.grade or None,
        "regionId": form.region_id or None,
    }
    if form.address_id:
        customer["place"] = [{"id": form.address_id, "role": "installation"}]
    return service.onboard_customer(
        session,
        principal.scope,
        kind,
        party,
        customer,
        contacts=contacts,
        base_url=str(request.base_url).rstrip("/"),
    )


__all__ = ["router"]
