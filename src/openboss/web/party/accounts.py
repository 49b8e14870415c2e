"""Console: billing accounts and the credit check — eTOM 1.1.1.5 order handling.

* ``/console/party/accounts`` — accounts the reader may see, searched by
  account number (prefix) or name (htmx refreshes the table as one types).
* ``/console/party/accounts/new?customerId=`` — open an account for a customer.
* ``/console/party/accounts/{id}`` — balances, billing settings, the hierarchy
  (ancestors → this account → children) and state buttons.
* ``/console/party/credit-check?customerId=`` — run a credit check and read
  the recorded decisions.

Everything goes through :mod:`openboss.party.account.service` /
:mod:`openboss.party.account.credit`; the customer's name comes from
:func:`openboss.party.customer.service.customer_ref`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Query, Request
from pydantic import ValidationError
from starlette.responses import Response

from openboss.auth.deps import DbSession
from openboss.auth.principal import Principal
from openboss.kit.errors import AppError
from openboss.kit.money import minor_digits
from openboss.kit.tmf.attributes import minor_to_text
from openboss.kit.tmf.http import base_url
from openboss.party.account import credit, service
from openboss.party.account.models import BillingAccount
from openboss.party.account.schemas import PAYMENT_METHODS, BillingAccountCreate
from openboss.party.customer import service as customers
from openboss.web import csrf, nav
from openboss.web.admin import Pager
from openboss.web.i18n import N_
from openboss.web.shell import (
    ConsoleRoute,
    console_roles,
    gettext,
    htmx_target,
    redirect,
    render,
    url_with,
)

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False, tags=["console"])

ACCOUNTS_URL: Final = "/console/party/accounts"
CREDIT_URL: Final = "/console/party/credit-check"
READ_ROLES: Final[tuple[str, ...]] = ("csr", "manager", "billing")
WRITE_ROLES: Final[tuple[str, ...]] = ("csr", "manager", "billing")
PAGE_SIZE: Final = 25

nav.register(
    N_("Customers"), N_("Accounts"), ACCOUNTS_URL, roles=READ_ROLES, icon="wallet2", order=30
)
nav.register(
    N_("Customers"),
    N_("Credit check"),
    CREDIT_URL,
    roles=READ_ROLES,
    icon="shield-check",
    order=35,
)

Reader = Annotated[Principal, Depends(console_roles(*READ_ROLES))]
Writer = Annotated[Principal, Depends(console_roles(*WRITE_ROLES))]

STATE_LABELS: Final[dict[str, str]] = {
    "created": N_("Created"),
    "active": N_("Active"),
    "suspended": N_("Suspended"),
    "closed": N_("Closed"),
}
STATE_CLASSES: Final[dict[str, str]] = {
    "created": "",
    "active": "is-ok",
    "suspended": "",
    "closed": "is-off",
}
#: The button that moves an account to a state.
STATE_ACTIONS: Final[dict[str, str]] = {
    "active": N_("Activate"),
    "suspended": N_("Suspend"),
    "closed": N_("Close account"),
}
PAYMENT_STATUS_LABELS: Final[dict[str, str]] = {
    "paid": N_("Paid"),
    "due": N_("Due"),
    "inArrears": N_("In arrears"),
}
PAYMENT_METHOD_LABELS: Final[dict[str, str]] = {
    "cash": N_("Cash"),
    "bankTransfer": N_("Bank transfer"),
    "directDebit": N_("Direct debit"),
    "alipay": N_("Alipay"),
    "wechatPay": N_("WeChat Pay"),
    "unionPay": N_("UnionPay"),
    "bankCard": N_("Bank card"),
    "voucher": N_("Voucher"),
}
ACCOUNT_TYPE_LABELS: Final[dict[str, str]] = {
    "individual": N_("Individual"),
    "enterprise": N_("Enterprise"),
    "government": N_("Government"),
}
DECISION_LABELS: Final[dict[str, str]] = {
    "approved": N_("Approved"),
    "referred": N_("Referred"),
    "rejected": N_("Rejected"),
}
DECISION_CLASSES: Final[dict[str, str]] = {
    "approved": "text-bg-success",
    "referred": "text-bg-warning",
    "rejected": "text-bg-danger",
}
REASON_LABELS: Final[dict[str, str]] = {
    "BLACKLISTED": N_("The customer is blacklisted."),
    "CUSTOMER_NOT_ACTIVE": N_("The customer is suspended or closed."),
    "NO_DOCUMENT": N_("No identity document on file."),
    "DOCUMENT_EXPIRED": N_("The identity document has expired."),
    "DOCUMENT_INVALID": N_("The identity document number is not valid."),
    "ACCOUNT_NOT_ACTIVE": N_("The account is suspended or closed."),
    "OVERDUE_BALANCE": N_("The customer has an overdue balance."),
    "CREDIT_LIMIT_EXCEEDED": N_("Outstanding plus requested amounts exceed the credit limit."),
    "VIP_OVERRIDE": N_("Approved because of the customer's VIP grade."),
}

_LABELS: Final[dict[str, Any]] = {
    "state_labels": STATE_LABELS,
    "state_classes": STATE_CLASSES,
    "state_actions": STATE_ACTIONS,
    "payment_status_labels": PAYMENT_STATUS_LABELS,
    "payment_method_labels": PAYMENT_METHOD_LABELS,
    "account_type_labels": ACCOUNT_TYPE_LABELS,
    "decision_labels": DECISION_LABELS,
    "decision_classes": DECISION_CLASSES,
    "reason_labels": REASON_LABELS,
}


def money(minor: int | None, currency: str) -> str:
    """``12.34 CNY`` (empty for no amount)."""
    if minor is None:
        return ""
    return f"{minor_to_text(minor, currency)} {currency}"


# ---- list ---------------------------------------------------------------------


@router.get(ACCOUNTS_URL, name="console_accounts")
def accounts_page(
    request: Request,
    principal: Reader,
    session: DbSession,
    q: Annotated[str, Query(max_length=128)] = "",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    """Accounts, newest first, searched by number prefix or name."""
    text = q.strip()
    pager = Pager(page, PAGE_SIZE, 0)
    rows, total = service.search_accounts(
        session, principal.scope, text or None, limit=PAGE_SIZE, offset=pager.offset
    )
    context: dict[str, Any] = {
        "accounts": rows,
        "q": text,
        "pager": Pager(page, PAGE_SIZE, total),
        "page_sizes": (PAGE_SIZE,),
        "page_url": lambda n: url_with(request, page=n if n > 1 else None),
        "size_url": lambda s: url_with(request, page=None),
        "money": money,
        **_LABELS,
    }
    if htmx_target(request) == "accounts-table":
        return render(request, "party/accounts/_table.html", context, principal=principal)
    return render(request, "party/accounts/list.html", context, principal=principal)


# ---- create -------------------------------------------------------------------


@dataclass
class AccountForm:
    """The new-account form as typed."""

    customer_id: str = ""
    name: str = ""
    account_type: str = "individual"
    bill_cycle_day: str = "1"
    payment_method: str = ""
    credit_limit: str = ""
    currency: str = "CNY"
    parent_id: str = ""
    paid_by_parent: bool = False


def _form_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    form: AccountForm,
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    customer = None
    if form.customer_id:
        try:
            customer = customers.customer_ref(session, principal.scope, form.customer_id)
        except AppError:
            _ = gettext(request)
            errors = {**errors, "customer_id": _("No such customer in your regions.")}
            status = 400 if status == 200 and request.method == "POST" else status
    context = {
        "form": form,
        "errors": errors,
        "customer": customer,
        "cycle_days": list(range(1, 29)),
        "payment_methods": PAYMENT_METHODS,
        **_LABELS,
    }
    return render(request, "party/accounts/new.html", context, status=status, principal=principal)


@router.get(ACCOUNTS_URL + "/new", name="console_new_account")
def new_account_page(
    request: Request,
    principal: Writer,
    session: DbSession,
    customer_id: Annotated[str, Query(alias="customerId", max_length=64)] = "",
) -> Response:
    """The new-account form for a customer."""
    return _form_page(request, session, principal, AccountForm(customer_id=customer_id.strip()), {})


_FIELD_OF_ERROR: Final[dict[str, str]] = {
    "relatedParty": "customer_id",
    "name": "name",
    "creditLimit": "credit_limit",
    "creditLimit.unit": "credit_limit",
    "creditLimit.value": "credit_limit",
    "currency": "currency",
    "accountRelationship": "parent_id",
    "paidByParent": "paid_by_parent",
}


@router.post(ACCOUNTS_URL + "/new", name="console_create_account")
def create_account(
    request: Request,
    principal: Writer,
    session: DbSession,
    customer_id: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    account_type: Annotated[str, Form()] = "individual",
    bill_cycle_day: Annotated[str, Form()] = "1",
    payment_method: Annotated[str, Form()] = "",
    credit_limit: Annotated[str, Form()] = "",
    currency: Annotated[str, Form()] = "CNY",
    parent_id: Annotated[str, Form()] = "",
    paid_by_parent: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Open the account; rule violations come back inline on the form."""
    csrf.verify(request, csrf_token, principal.subject)
    _ = gettext(request)
    form = AccountForm(
        customer_id=customer_id.strip(),
        name=name.strip(),
        account_type=account_type.strip(),
        bill_cycle_day=bill_cycle_day.strip(),
        payment_method=payment_method.strip(),
        credit_limit=credit_limit.strip(),
        currency=(currency.strip() or "CNY").upper(),
        parent_id=parent_id.strip(),
        paid_by_parent=bool(paid_by_parent),
    )
    errors: dict[str, str] = {}
    if not form.name:
        errors["name"] = _("Enter a name.")
    if not form.bill_cycle_day.isdigit() or not 1 <= int(form.bill_cycle_day) <= 28:
        errors["bill_cycle_day"] = _("Choose a day from 1 to 28.")
    if form.payment_method and form.payment_method not in PAYMENT_METHODS:
        errors["payment_method"] = _("Choose one of the offered payment methods.")
    limit: Decimal | None = None
    if form.credit_limit:
        try:
            limit = Decimal(form.credit_limit)
            if not limit.is_finite() or limit < 0:
                raise InvalidOperation
        except InvalidOperation:
            errors["credit_limit"] = _("Enter an amount such as 500 or 500.00.")
    if errors:
        return _form_page(request, session, principal, form, errors, status=400)
    body: dict[str, Any] = {
        "name": form.name,
        "accountType": form.account_type or None,
        "relatedParty": [{"id": form.customer_id or "-", "role": "customer"}],
        "billStructure": {"cycleSpecification": {"billingDateShift": int(form.bill_cycle_day) - 1}},
        "currency": form.currency,
        "paidByParent": form.paid_by_parent,
    }
    if form.payment_method:
        body["defaultPaymentMethod"] = {"id": form.payment_method}
    if limit is not None:
        body["creditLimit"] = {"unit": form.currency, "value": str(limit)}
    if form.parent_id:
        body["accountRelationship"] = [
            {"relationshipType": "parent", "account": {"id": form.parent_id}}
        ]
    try:
        data = BillingAccountCreate.model_validate(body)
        written = service.create_account(session, principal.scope, data, base_url(request))
    except ValidationError as exc:
        loc = ".".join(str(p) for p in exc.errors()[0].get("loc", ()))
        key = _FIELD_OF_ERROR.get(loc.split(".")[0], "form")
        errors[key] = _("Invalid value.") if key != "form" else str(exc.errors()[0]["msg"])
        return _form_page(request, session, principal, form, errors, status=400)
    except AppError as exc:
        session.rollback()
        errors[_FIELD_OF_ERROR.get(exc.field or "", "form")] = exc.message
        return _form_page(request, session, principal, form, errors, status=exc.status)
    return redirect(request, f"{ACCOUNTS_URL}/{written.account.id}")


# ---- detail -------------------------------------------------------------------


def _detail_context(session: DbSession, principal: Principal, account_id: str) -> dict[str, Any]:
    account = service.get_account(session, principal.scope, account_id)
    ancestors, children = service.account_tree(session, principal.scope, account_id)
    try:
        customer = customers.customer_ref(session, principal.scope, account.customer_id)
    except AppError:
        customer = {"id": account.customer_id, "name": account.customer_id}
    return {
        "account": account,
        "customer": customer,
        "ancestors": ancestors,
        "children": children,
        "next_states": sorted(service.LIFECYCLE.allowed(account.state)),
        "can_write": principal.has_role(*WRITE_ROLES),
        "money": money,
        "credit_url": f"{CREDIT_URL}?customerId={account.customer_id}",
        **_LABELS,
    }


@router.get(ACCOUNTS_URL + "/{account_id}", name="console_account")
def account_page(
    request: Request, principal: Reader, session: DbSession, account_id: str
) -> Response:
    """One account: balances, billing settings, hierarchy, state buttons."""
    context = _detail_context(session, principal, account_id)
    context["error"] = None
    return render(request, "party/accounts/detail.html", context, principal=principal)


@router.post(ACCOUNTS_URL + "/{account_id}/state", name="console_account_state")
def account_state(
    request: Request,
    principal: Writer,
    session: DbSession,
    account_id: str,
    state: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Move the account to ``state``; a refusal (balance, children) is shown on the page."""
    csrf.verify(request, csrf_token, principal.subject)
    try:
        service.change_state(session, principal.scope, account_id, state, base_url(request))
    except AppError as exc:
        if exc.status == 404:
            raise
        session.rollback()
        context = _detail_context(session, principal, account_id)
        context["error"] = exc.message
        return render(
            request, "party/accounts/detail.html", context, status=exc.status, principal=principal
        )
    return redirect(request, f"{ACCOUNTS_URL}/{account_id}")


# ---- credit check -------------------------------------------------------------


def _credit_context(
    request: Request, session: DbSession, principal: Principal, customer_id: str
) -> dict[str, Any]:
    customer = None
    accounts: list[BillingAccount] = []
    history: list[credit.CreditDecision] = []
    if customer_id:
        customer = customers.customer_ref(session, principal.scope, customer_id, field="customerId")
        accounts = service.customer_accounts(session, principal.scope, customer_id)
        history = credit.credit_history(session, principal.scope, customer_id, limit=20)
    return {
        "customer_id": customer_id,
        "customer": customer,
        "accounts": accounts,
        "history": history,
        "result": None,
        "errors": {},
        "values": {"account_id": "", "recurring": "", "one_time": ""},
        "money": money,
        **_LABELS,
    }


@router.get(CREDIT_URL, name="console_credit_check")
def credit_check_page(
    request: Request,
    principal: Reader,
    session: DbSession,
    customer_id: Annotated[str, Query(alias="customerId", max_length=64)] = "",
) -> Response:
    """The credit-check form and the decisions recorded for the customer."""
    context = _credit_context(request, session, principal, customer_id.strip())
    return render(request, "party/accounts/credit_check.html", context, principal=principal)


def _amount(raw: str, currency: str) -> int | None:
    """Minor units of a typed amount (``None`` when it is not one)."""
    if not raw:
        return 0
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    digits = minor_digits(currency)
    if not value.is_finite() or value < 0 or value.scaleb(digits) != int(value.scaleb(digits)):
        return None
    return int(value.scaleb(digits))


@router.post(CREDIT_URL, name="console_run_credit_check")
def run_credit_check(
    request: Request,
    principal: Reader,
    session: DbSession,
    customer_id: Annotated[str, Form()] = "",
    account_id: Annotated[str, Form()] = "",
    recurring: Annotated[str, Form()] = "",
    one_time: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Run the check; the decision and its reasons are shown above the history."""
    csrf.verify(request, csrf_token, principal.subject)
    _ = gettext(request)
    customer_id = customer_id.strip()
    context = _credit_context(request, session, principal, customer_id)
    chosen = next((a for a in context["accounts"] if a.id == account_id), None)
    currency = chosen.currency if chosen else "CNY"
    values = {
        "account_id": account_id,
        "recurring": recurring.strip(),
        "one_time": one_time.strip(),
    }
    context["values"] = values
    errors: dict[str, str] = {}
    rec = _amount(values["recurring"], currency)
    one = _amount(values["one_time"], currency)
    if rec is None:
        errors["recurring"] = _("Enter an amount such as 500 or 500.00.")
    if one is None:
        errors["one_time"] = _("Enter an amount such as 500 or 500.00.")
    if account_id and chosen is None:
        errors["account_id"] = _("Choose one of the customer's accounts.")
    if errors or rec is None or one is None:
        context["errors"] = errors
        return render(
            request, "party/accounts/credit_check.html", context, status=400, principal=principal
        )
    decision = credit.check_credit(
        session,
        principal.scope,
        customer_id,
        account_id=chosen.id if chosen else None,
        requested_recurring_minor=rec,
        requested_one_time_minor=one,
        currency=currency,
        checked_by=principal.subject,
    )
    context["result"] = decision
    context["history"] = credit.credit_history(session, principal.scope, customer_id, limit=20)
    return render(request, "party/accounts/credit_check.html", context, principal=principal)
