"""The credit check order handling calls before accepting an order — eTOM 1.1.1.5
order handling (credit check).

:func:`check_credit` reads the customer through
:func:`openboss.party.customer.service.customer_facts` and the customer's
billing accounts, applies the rules below, records the decision in
``credit_check`` (the audit trail: inputs, figures, answer, who, when) and
returns it. Each rule that fires adds a reason; the decision is the worst
outcome of all reasons (``rejected`` > ``referred`` > ``approved``).

=====================  =========================================  ==========
code                   rule                                       outcome
=====================  =========================================  ==========
BLACKLISTED            the customer's party is blacklisted        rejected
CUSTOMER_NOT_ACTIVE    customer suspended or closed               rejected
NO_DOCUMENT            no identity document on file               referred
DOCUMENT_EXPIRED       no valid document; one has expired         rejected
DOCUMENT_INVALID       no valid document; numbers fail checks     rejected
ACCOUNT_NOT_ACTIVE     the account named is suspended or closed   rejected
OVERDUE_BALANCE        overdue for more than 30 days              rejected
OVERDUE_BALANCE        overdue for 30 days or less                referred
CREDIT_LIMIT_EXCEEDED  outstanding + requested > 2 × limit         rejected
CREDIT_LIMIT_EXCEEDED  outstanding + requested > limit             referred
VIP_OVERRIDE           vipGold customer: a credit-limit referral  (note)
                       becomes an approval
=====================  =========================================  ==========

Documents: one valid, unexpired document is enough; expired ones next to it
do not matter. Figures: with ``account_id``, the account's payer (the account
itself, or the ancestor that pays for it through ``paidByParent``) gives the
outstanding amount and the credit limit; without, every open account of the
customer in ``currency`` that has a limit counts (limits and outstanding
summed). An account without a credit limit is not limit-checked. Overdue
amounts count over every account of the customer in ``currency``. The
requested amount is the recurring plus the one-time charges of the order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from openboss.kit.clock import utcnow
from openboss.kit.errors import NotFound, ValidationFailed
from openboss.kit.ids import new_id
from openboss.kit.money import minor_digits
from openboss.kit.scope import Scope
from openboss.kit.tmf.attributes import minor_to_text, truncate_datetime
from openboss.party.account import repository
from openboss.party.account.models import BillingAccount, CreditCheck
from openboss.party.customer import service as customers

APPROVED, REFERRED, REJECTED = "approved", "referred", "rejected"
_RANK = {APPROVED: 0, REFERRED: 1, REJECTED: 2}

#: Overdue for longer than this many days rejects, shorter refers.
OVERDUE_REJECT_DAYS = 30
#: Exposure above this multiple of the credit limit rejects (above 1× refers).
LIMIT_REJECT_FACTOR = 2
#: Customer grades whose credit-limit referrals are approved.
VIP_GRADES = frozenset({"vipGold"})
#: Customer statuses that reject.
INACTIVE_STATUSES = frozenset({"suspended", "closed"})
#: Account states that reject.
INACTIVE_ACCOUNT_STATES = frozenset({"suspended", "closed"})


class CreditReason(NamedTuple):
    """Why: a machine code and a message for the agent."""

    code: str
    message: str


@dataclass(frozen=True)
class CreditDecision:
    """The answer of a credit check and what it was based on."""

    id: str
    customer_id: str
    account_id: str | None
    decision: str
    reasons: list[CreditReason]
    figures: dict[str, Any] = field(default_factory=dict)
    checked_by: str = "system"
    checked_at: datetime | None = None


def _money(minor: int, currency: str) -> str:
    return f"{minor_to_text(minor, currency)} {currency}"


def _payer(session: Session, account: BillingAccount) -> BillingAccount:
    """The account that pays: up the hierarchy while ``paidByParent``."""
    cursor = account
    for _ in range(10):
        if not cursor.paid_by_parent or not cursor.parent_id:
            break
        parent = repository.find_account(session, cursor.parent_id)
        if parent is None:
            break
        cursor = parent
    return cursor


def check_credit(
    session: Session,
    scope: Scope,
    customer_id: str,
    *,
    account_id: str | None = None,
    requested_recurring_minor: int = 0,
    requested_one_time_minor: int = 0,
    currency: str = "CNY",
    checked_by: str = "system",
) -> CreditDecision:
    """Decide whether an order of ``customer_id`` may go ahead, and record it.

    404 when the customer (or the account) is not visible to the caller; 400
    when the account belongs to another customer or is in another currency.
    """
    try:
        minor_digits(currency)
    except Exception:
        raise ValidationFailed(f"unsupported currency '{currency}'", field="currency") from None
    if requested_recurring_minor < 0 or requested_one_time_minor < 0:
        raise ValidationFailed("requested amounts are not negative", field="requestedRecurring")
    facts = customers.customer_facts(session, scope, customer_id)
    now = truncate_datetime(utcnow())
    outcomes: list[tuple[str, CreditReason]] = []

    def add(outcome: str, code: str, message: str) -> None:
        outcomes.append((outcome, CreditReason(code, message)))

    if facts.blacklisted:
        add(REJECTED, "BLACKLISTED", f"customer is blacklisted: {facts.blacklist_reason or '-'}")
    if facts.status in INACTIVE_STATUSES:
        add(REJECTED, "CUSTOMER_NOT_ACTIVE", f"customer is {facts.status}")

    today = now.date()
    if not facts.documents:
        add(REFERRED, "NO_DOCUMENT", "no identity document on file")
    elif not any(d.valid for d in facts.documents):
        if any(d.valid_to is not None and d.valid_to < today for d in facts.documents):
            add(REJECTED, "DOCUMENT_EXPIRED", "the identity document has expired")
        else:
            add(REJECTED, "DOCUMENT_INVALID", "the identity document number is not valid")

    accounts = [
        a for a in repository.customer_accounts(session, customer_id) if a.currency == currency
    ]
    payer: BillingAccount | None = None
    if account_id is not None:
        try:
            account = repository.get_account(session, account_id, scope)
        except NotFound:
            raise NotFound(f"billingAccount '{account_id}' not found") from None
        if account.customer_id != customer_id:
            raise ValidationFailed(
                f"billingAccount '{account_id}' does not belong to customer '{customer_id}'",
                field="accountId",
            )
        if account.currency != currency:
            raise ValidationFailed(
                f"billingAccount '{account_id}' is in {account.currency}, not {currency}",
                field="currency",
            )
        if account.state in INACTIVE_ACCOUNT_STATES:
            add(
                REJECTED,
                "ACCOUNT_NOT_ACTIVE",
                f"account {account.account_number} is {account.state}",
            )
        payer = _payer(session, account)
        limited = [payer] if payer.credit_limit_minor is not None else []
    else:
        limited = [a for a in accounts if a.state != "closed" and a.credit_limit_minor is not None]

    overdue = sum(a.overdue_minor for a in accounts)
    since_list = [a.overdue_since for a in accounts if a.overdue_minor and a.overdue_since]
    overdue_since = min(since_list) if since_list else None
    overdue_days = (now - overdue_since).days if overdue_since else 0
    if overdue > 0:
        if overdue_days > OVERDUE_REJECT_DAYS:
            add(
                REJECTED,
                "OVERDUE_BALANCE",
                f"{_money(overdue, currency)} overdue for {overdue_days} days "
                f"(more than {OVERDUE_REJECT_DAYS})",
            )
        else:
            add(
                REFERRED,
                "OVERDUE_BALANCE",
                f"{_money(overdue, currency)} overdue for {overdue_days} days",
            )

    requested = requested_recurring_minor + requested_one_time_minor
    limit = sum(a.credit_limit_minor or 0 for a in limited) if limited else None
    outstanding = (
        sum(a.outstanding_minor for a in limited)
        if limited
        else sum(a.outstanding_minor for a in accounts)
    )
    exposure = outstanding + requested
    vip = facts.grade in VIP_GRADES
    if limit is not None and exposure > limit:
        text = (
            f"outstanding {_money(outstanding, currency)} + requested "
            f"{_money(requested, currency)} exceeds the credit limit {_money(limit, currency)}"
        )
        if exposure > LIMIT_REJECT_FACTOR * limit:
            add(REJECTED, "CREDIT_LIMIT_EXCEEDED", text + f" more than {LIMIT_REJECT_FACTOR}×")
        elif vip:
            add(APPROVED, "CREDIT_LIMIT_EXCEEDED", text)
            add(APPROVED, "VIP_OVERRIDE", f"approved as a {facts.grade} customer")
        else:
            add(REFERRED, "CREDIT_LIMIT_EXCEEDED", text)

    decision = APPROVED
    for outcome, _ in outcomes:
        if _RANK[outcome] > _RANK[decision]:
            decision = outcome
    reasons = [reason for _, reason in outcomes]
    figures: dict[str, Any] = {
        "currency": currency,
        "customerStatus": facts.status,
        "grade": facts.grade,
        "blacklisted": facts.blacklisted,
        "documents": len(facts.documents),
        "validDocuments": sum(1 for d in facts.documents if d.valid),
        "accounts": len(accounts),
        "payerAccountId": payer.id if payer else None,
        "overdueMinor": overdue,
        "overdueSince": overdue_since.isoformat() if overdue_since else None,
        "overdueDays": overdue_days,
        "outstandingMinor": outstanding,
        "creditLimitMinor": limit,
        "requestedRecurringMinor": requested_recurring_minor,
        "requestedOneTimeMinor": requested_one_time_minor,
        "exposureMinor": exposure,
    }
    row = CreditCheck(
        id=new_id(),
        customer_id=customer_id,
        account_id=account_id,
        currency=currency,
        requested_recurring_minor=requested_recurring_minor,
        requested_one_time_minor=requested_one_time_minor,
        decision=decision,
        reasons=[{"code": r.code, "message": r.message} for r in reasons],
        figures=figures,
        checked_by=checked_by,
        checked_at=now,
        region_id=facts.region_id,
    )
    repository.add(session, row)
    return _decision(row)


def _decision(row: CreditCheck) -> CreditDecision:
    return CreditDecision(
        id=row.id,
        customer_id=row.customer_id,
        account_id=row.account_id,
        decision=row.decision,
        reasons=[CreditReason(r["code"], r["message"]) for r in row.reasons],
        figures=dict(row.figures),
        checked_by=row.checked_by,
        checked_at=row.checked_at,
    )


def credit_history(
    session: Session, scope: Scope, customer_id: str, *, limit: int = 100
) -> list[CreditDecision]:
    """The recorded decisions for a customer, newest first (404 when the
    customer is not visible)."""
    customers.customer_ref(session, scope, customer_id, field="customerId")
    return [
        _decision(r) for r in repository.credit_checks(session, scope, customer_id, limit=limit)
    ]


def decision_json(decision: CreditDecision) -> dict[str, Any]:
    """The API shape of a decision (``CreditCheckResult``)."""
    return {
        "id": decision.id,
        "customerId": decision.customer_id,
        "accountId": decision.account_id,
        "decision": decision.decision,
        "reasons": [{"code": r.code, "message": r.message} for r in decision.reasons],
        "figures": decision.figures,
        "checkedBy": decision.checked_by,
        "checkedAt": decision.checked_at.isoformat().replace("+00:00", "Z")
        if decision.checked_at
        else None,
    }
