"""Use cases of the billing account — eTOM 1.1.1.5 order handling (the account
an order is billed to) and 1.1.1.11 bill payments & receivables (balance
control: billing records the balances through :func:`record_balance`).

**Lifecycle** (explicit state machine)::

    created ──► active ◄──► suspended
       │          │             │
       └──────────┴─────────────┴──► closed (final)

Closing needs zero balances (deposit refunded, nothing outstanding or
overdue) and no open child account. An account may be deleted only while
``created`` with zero balances and no child (once active it has been used).

**Account number.** Every account gets an operator account number printed on
bills: ``8`` + 10 random digits + a Luhn check digit (12 digits), unique.

**Region.** The account belongs to its customer's region (row scope); it
follows the ``customer`` (or ``owner``) entry of ``relatedParty``, which is
validated through :func:`openboss.party.customer.service.customer_ref` and
cannot change afterwards.

**Hierarchy.** ``accountRelationship`` with ``relationshipType: parent``
names the parent account; the parent shows its children as ``child``
entries (kept here). ``paidByParent`` marks a child whose bills the parent
pays. Rules: no self-parenting, no cycle, at most :data:`MAX_DEPTH` levels,
the parent is not closed, the currencies are equal, and the parent belongs
to the same customer **or to a customer of the same party** ("the same
enterprise": an organisation with several customer records, e.g. one per
branch, may pay for all of them from one account). Accounts of different
parties are never linked.

Every change publishes its TMF event in the same transaction; services never
commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy.orm import Session

from openboss.events import publish
from openboss.kit.clock import utcnow
from openboss.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from openboss.kit.ids import new_id
from openboss.kit.money import minor_digits
from openboss.kit.scope import SYSTEM_SCOPE, Scope, row_in_scope
from openboss.kit.statemachine import StateMachine
from openboss.kit.tmf.attributes import format_datetime, strip_nulls, truncate_datetime
from openboss.kit.tmf.http import merge_patch, reject_read_only, validate
from openboss.party.account import events, repository
from openboss.party.account.models import BillingAccount, cycle_specification, payment_method_ref
from openboss.party.account.schemas import (
    CUSTOMER_ROLES,
    AccountRelationship,
    BillingAccountChange,
    BillingAccountCreate,
    BillStructure,
    Money,
    RelatedParty,
)
from openboss.party.customer import service as customers

LIFECYCLE = StateMachine(
    "billingAccount",
    {
        "created": ["active", "closed"],
        "active": ["suspended", "closed"],
        "suspended": ["active", "closed"],
        "closed": [],
    },
    initial="created",
)

#: Levels an account hierarchy may have (a root and its descendants).
MAX_DEPTH = 5

DEFAULT_CURRENCY = "CNY"
DEFAULT_CYCLE_DAY = 1

#: Attributes a merge patch may leave out but not remove.
REQUIRED = ("name", "state", "relatedParty")


@dataclass(frozen=True, slots=True)
class Written:
    """The account after a change and its representation (JSON bytes)."""

    account: BillingAccount
    body: bytes


# --------------------------------------------------------------------------- numbers


def luhn_check_digit(payload: str) -> str:
    """The Luhn check digit to append to the digits ``payload``."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:  # doubled: these become odd positions once the digit is appended
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def is_valid_account_number(number: str) -> bool:
    """12 digits, starting with 8, with a correct Luhn check digit."""
    return (
        len(number) == 12
        and number.isdigit()
        and number[0] == "8"
        and luhn_check_digit(number[:-1]) == number[-1]
    )


def new_account_number(session: Session) -> str:
    """A fresh, unused account number (the unique constraint guards races)."""
    for _ in range(20):
        payload = "8" + f"{secrets.randbelow(10**10):010d}"
        number = payload + luhn_check_digit(payload)
        if not repository.number_taken(session, number):
            return number
    raise Conflict("could not allocate an account number; retry", code="ACCOUNT_NUMBER_EXHAUSTED")


# --------------------------------------------------------------------------- helpers


def _now() -> datetime:
    return truncate_datetime(utcnow())


def _document(account: BillingAccount, base_url: str) -> bytes:
    return repository.RESOURCE.represent(
        account.id, account.doc, repository.RESOURCE.href_prefix(base_url)
    ).encode()


def _publish(
    session: Session, event_type: str, account: BillingAccount, resource: dict[str, Any], **kw: Any
) -> None:
    publish(
        session,
        event_type,
        events.RESOURCE_NAME,
        resource,
        api=repository.BASE_PATH,
        region_id=account.region_id,
        **kw,
    )


def _customer_entry(parties: list[RelatedParty]) -> RelatedParty:
    owners = [p for p in parties if (p.role or "").lower() in CUSTOMER_ROLES]
    if len(owners) != 1:
        raise ValidationFailed(
            "relatedParty must have exactly one entry with role 'customer' (or 'owner')",
            field="relatedParty",
        )
    return owners[0]


def _parties_json(
    parties: list[RelatedParty], owner_id: str, owner_ref: dict[str, Any]
) -> list[dict[str, Any]]:
    out = []
    for party in parties:
        item = strip_nulls(party.model_dump(mode="json", by_alias=True, exclude_none=True))
        if party.id == owner_id and (party.role or "").lower() in CUSTOMER_ROLES:
            item = {**item, "name": owner_ref.get("name"), "@referredType": "Customer"}
            item = strip_nulls(item)
        out.append(item)
    return out


def _cycle_day(structure: BillStructure | None) -> int:
    spec = structure.cycle_specification if structure else None
    if spec is None or spec.billing_date_shift is None:
        return DEFAULT_CYCLE_DAY
    return spec.billing_date_shift + 1


def _credit_limit(account_currency: str, limit: Money | None) -> int | None:
    if limit is None:
        return None
    if limit.unit != account_currency:
        raise ValidationFailed(
            f"creditLimit is in {limit.unit}; the account's currency is {account_currency}",
            field="creditLimit.unit",
        )
    if limit.value < 0:
        raise ValidationFailed("creditLimit cannot be negative", field="creditLimit.value")
    return limit.to_minor()


def _parent_from(relationships: list[AccountRelationship] | None) -> str | None:
    """The parent named in ``accountRelationship`` (``child`` entries are ignored:
    the system keeps them)."""
    parents = [r for r in relationships or [] if r.relationship_type == "parent"]
    if len(parents) > 1:
        raise ValidationFailed("an account has at most one parent", field="accountRelationship")
    return parents[0].account.id if parents else None


def _account_ref(account: BillingAccount) -> dict[str, Any]:
    return {"id": account.id, "name": account.name, "@referredType": "BillingAccount"}


def _relationship(kind: str, other: BillingAccount, since: datetime) -> dict[str, Any]:
    return {
        "relationshipType": kind,
        "account": _account_ref(other),
        "validFor": {"startDateTime": format_datetime(since)},
    }


def _without(
    entries: list[dict[str, Any]] | None, kind: str, ident: str | None
) -> list[dict[str, Any]]:
    return [
        e
        for e in entries or []
        if not (
            e.get("relationshipType") == kind
            and (ident is None or e.get("account", {}).get("id") == ident)
        )
    ]


def _same_enterprise(session: Session, customer_a: str, customer_b: str) -> bool:
    if customer_a == customer_b:
        return True
    try:
        a = customers.customer_facts(session, SYSTEM_SCOPE, customer_a)
        b = customers.customer_facts(session, SYSTEM_SCOPE, customer_b)
    except NotFound:
        return False
    return a.party_id == b.party_id


def _check_parent(
    session: Session, scope: Scope, account: BillingAccount, parent_id: str
) -> BillingAccount:
    field = "accountRelationship"
    if parent_id == account.id:
        raise ValidationFailed(
            "an account cannot be its own parent", field=field, code="HIERARCHY_SELF"
        )
    try:
        parent = repository.get_account(session, parent_id, scope)
    except NotFound:
        raise ValidationFailed(
            f"parent billingAccount '{parent_id}' does not exist", field=field
        ) from None
    if parent.state == "closed":
        raise ValidationFailed(
            f"parent billingAccount '{parent_id}' is closed", field=field, code="PARENT_CLOSED"
        )
    if parent.currency != account.currency:
        raise ValidationFailed(
            f"the parent account is in {parent.currency}, this account in {account.currency}",
            field=field,
            code="CURRENCY_MISMATCH",
        )
    if not _same_enterprise(session, parent.customer_id, account.customer_id):
        raise ValidationFailed(
            "the parent account belongs to another customer that is not the same party "
            "(enterprise)",
            field=field,
            code="HIERARCHY_OTHER_CUSTOMER",
        )
    # walk up from the parent: meeting this account again would close a cycle
    depth = 1
    cursor: BillingAccount | None = parent
    while cursor is not None:
        if cursor.id == account.id:
            raise ValidationFailed(
                "the parent is a descendant of this account (cycle)",
                field=field,
                code="HIERARCHY_CYCLE",
            )
        depth += 1
        cursor = repository.find_account(session, cursor.parent_id) if cursor.parent_id else None
    depth += _height(session, account.id)
    if depth > MAX_DEPTH:
        raise ValidationFailed(
            f"an account hierarchy has at most {MAX_DEPTH} levels",
            field=field,
            code="HIERARCHY_DEPTH",
        )
    return parent


def _height(session: Session, account_id: str) -> int:
    """Levels below an account (0 for a leaf); bounded by MAX_DEPTH."""
    level, frontier = 0, [account_id]
    while frontier and level <= MAX_DEPTH:
        frontier = [c.id for p in frontier for c in repository.children(session, p)]
        if frontier:
            level += 1
    return level


def _link(
    session: Session, scope: Scope, account: BillingAccount, parent_id: str | None, now: datetime
) -> list[BillingAccount]:
    """Set the parent of ``account``; returns the other accounts whose
    relationships changed (old and new parent)."""
    if parent_id == account.parent_id:
        return []
    touched: list[BillingAccount] = []
    if parent_id is not None:
        parent = _check_parent(session, scope, account, parent_id)
    if account.parent_id is not None:
        old = repository.find_account(session, account.parent_id)
        if old is not None:
            old.account_relationship = (
                _without(old.account_relationship, "child", account.id) or None
            )
            old.updated_at = now
            touched.append(old)
    rels = _without(account.account_relationship, "parent", None)
    if parent_id is not None:
        rels.insert(0, _relationship("parent", parent, now))
        parent.account_relationship = [
            *_without(parent.account_relationship, "child", account.id),
            _relationship("child", account, now),
        ]
        parent.updated_at = now
        touched.append(parent)
    account.account_relationship = rels or None
    account.parent_id = parent_id
    return touched


def _publish_touched(session: Session, touched: list[BillingAccount], base_url: str) -> None:
    if not touched:
        return
    session.flush()
    for other in touched:
        _publish(
            session,
            events.ATTRIBUTE_VALUE_CHANGE,
            other,
            orjson.loads(_document(other, base_url)),
            description="changed: accountRelationship",
        )


def _check_paid_by_parent(account: BillingAccount) -> None:
    if account.paid_by_parent and account.parent_id is None:
        raise ValidationFailed("paidByParent needs a parent account", field="paidByParent")


# --------------------------------------------------------------------------- create


def create_account(
    session: Session, scope: Scope, data: BillingAccountCreate, base_url: str
) -> Written:
    """Open an account for a customer the caller may see; it starts ``created``."""
    owner = _customer_entry(data.related_party)
    ref = customers.customer_ref(session, scope, owner.id, field="relatedParty")
    facts = customers.customer_facts(session, scope, owner.id)
    region = facts.region_id
    if region is not None and scope.regions is not None and region not in scope.regions:
        raise Forbidden(f"customer '{owner.id}' is outside your regions", field="relatedParty")
    currency = (
        data.currency or (data.credit_limit.unit if data.credit_limit else None) or DEFAULT_CURRENCY
    ).upper()
    try:
        minor_digits(currency)
    except Exception:
        raise ValidationFailed(f"unsupported currency '{currency}'", field="currency") from None
    now = _now()
    account = BillingAccount(
        id=new_id(),
        account_number=new_account_number(session),
        name=data.name,
        description=data.description,
        account_type=data.account_type,
        state=LIFECYCLE.initial,
        payment_status="paid",
        customer_id=owner.id,
        related_party=_parties_json(data.related_party, owner.id, ref),
        paid_by_parent=bool(data.paid_by_parent),
        bill_cycle_day=_cycle_day(data.bill_structure),
        currency=currency,
        credit_limit_minor=_credit_limit(currency, data.credit_limit),
        payment_method=data.default_payment_method.id if data.default_payment_method else None,
        deposit_minor=0,
        outstanding_minor=0,
        overdue_minor=0,
        region_id=region,
        created_at=now,
        updated_at=now,
    )
    touched = _link(session, scope, account, _parent_from(data.account_relationship), now)
    _check_paid_by_parent(account)
    repository.add(session, account)
    body = _document(account, base_url)
    _publish(session, events.CREATE, account, orjson.loads(body))
    _publish_touched(session, touched, base_url)
    return Written(account, body)


# --------------------------------------------------------------------------- change


def _writable_view(account: BillingAccount) -> dict[str, Any]:
    view: dict[str, Any] = {
        "name": account.name,
        "state": account.state,
        "relatedParty": account.related_party,
        "paidByParent": account.paid_by_parent,
        "billStructure": {"cycleSpecification": cycle_specification(account.bill_cycle_day)},
    }
    if account.description is not None:
        view["description"] = account.description
    if account.account_type is not None:
        view["accountType"] = account.account_type
    if account.account_relationship:
        view["accountRelationship"] = account.account_relationship
    if account.payment_method:
        view["defaultPaymentMethod"] = payment_method_ref(account.payment_method)
    if account.credit_limit_minor is not None:
        view["creditLimit"] = {
            "unit": account.currency,
            "value": Decimal(account.credit_limit_minor).scaleb(-minor_digits(account.currency)),
        }
    return view


def _comparable(account: BillingAccount) -> dict[str, Any]:
    return {
        "name": account.name,
        "description": account.description,
        "accountType": account.account_type,
        "state": account.state,
        "relatedParty": account.related_party,
        "accountRelationship": account.parent_id,
        "paidByParent": account.paid_by_parent,
        "billStructure": account.bill_cycle_day,
        "defaultPaymentMethod": account.payment_method,
        "creditLimit": account.credit_limit_minor,
    }


def _check_close(session: Session, account: BillingAccount) -> None:
    if account.deposit_minor or account.outstanding_minor or account.overdue_minor:
        raise Conflict(
            f"billingAccount '{account.id}' has a non-zero balance; settle it and refund the "
            "deposit before closing",
            field="state",
            code="ACCOUNT_HAS_BALANCE",
        )
    if repository.has_children(session, account.id, open_only=True):
        raise Conflict(
            f"billingAccount '{account.id}' has open child accounts; close or move them first",
            field="state",
            code="ACCOUNT_HAS_CHILDREN",
        )


def update_account(
    session: Session, scope: Scope, ident: str, patch: dict[str, Any], base_url: str
) -> Written:
    """Apply a JSON merge patch (state moves follow the lifecycle: 409 otherwise)."""
    reject_read_only(patch, sorted(repository.RESOURCE.read_only))
    account = repository.get_account(session, ident, scope, for_update=True)
    merged = merge_patch(_writable_view(account), patch)
    for name in REQUIRED:
        if name not in merged:
            raise ValidationFailed(f"'{name}' is required and cannot be removed", field=name)
    data = validate(BillingAccountChange, merged)
    if account.state == "closed" and set(patch) - {"state"}:
        raise Conflict(
            f"billingAccount '{ident}' is closed and cannot change",
            field="state",
            code="ACCOUNT_CLOSED",
        )
    owner = _customer_entry(data.related_party)
    if owner.id != account.customer_id:
        raise ValidationFailed("the customer owning an account cannot change", field="relatedParty")
    old_state = account.state
    LIFECYCLE.check(old_state, data.state)
    if data.state == "closed" and old_state != "closed":
        _check_close(session, account)
    before = _comparable(account)
    now = _now()
    account.name = data.name
    account.description = data.description
    account.account_type = data.account_type
    account.state = data.state
    owner_ref = {
        "name": next(
            (p.get("name") for p in account.related_party if p.get("id") == owner.id), None
        )
    }
    account.related_party = _parties_json(data.related_party, owner.id, owner_ref)
    account.paid_by_parent = data.paid_by_parent
    account.bill_cycle_day = _cycle_day(data.bill_structure)
    account.payment_method = data.default_payment_method.id if data.default_payment_method else None
    account.credit_limit_minor = _credit_limit(account.currency, data.credit_limit)
    touched: list[BillingAccount] = []
    if "accountRelationship" in patch:
        touched = _link(session, scope, account, _parent_from(data.account_relationship), now)
    _check_paid_by_parent(account)
    after = _comparable(account)
    state_changed = old_state != account.state
    changed = {k for k in after if k != "state" and after[k] != before[k]}
    if not state_changed and not changed:
        return Written(account, _document(account, base_url))
    account.updated_at = now
    session.flush()
    body = _document(account, base_url)
    resource = orjson.loads(body)
    if changed:
        _publish(
            session,
            events.ATTRIBUTE_VALUE_CHANGE,
            account,
            resource,
            description="changed: " + ", ".join(sorted(changed)),
        )
    if state_changed:
        _publish(
            session,
            events.STATE_CHANGE,
            account,
            resource,
            description=f"state {old_state} → {account.state}",
        )
    _publish_touched(session, touched, base_url)
    return Written(account, body)


def change_state(session: Session, scope: Scope, ident: str, state: str, base_url: str) -> Written:
    """Move an account to ``state`` (the console's state buttons)."""
    return update_account(session, scope, ident, {"state": state}, base_url)


def delete_account(session: Session, scope: Scope, ident: str, base_url: str) -> None:
    """Delete an account never used: ``created``, zero balances, no child."""
    account = repository.get_account(session, ident, scope, for_update=True)
    if account.state != "created":
        raise Conflict(
            f"billingAccount '{ident}' is {account.state}; only a 'created' account can be "
            "deleted (close it instead)",
            field="state",
            code="ILLEGAL_STATE",
        )
    if account.deposit_minor or account.outstanding_minor or account.overdue_minor:
        raise Conflict(f"billingAccount '{ident}' has balances", code="ACCOUNT_HAS_BALANCE")
    if repository.has_children(session, account.id):
        raise Conflict(f"billingAccount '{ident}' has child accounts", code="ACCOUNT_HAS_CHILDREN")
    resource = orjson.loads(_document(account, base_url))
    touched = _link(session, scope, account, None, _now())
    _publish(session, events.DELETE, account, resource)
    session.flush()
    repository.remove(session, account)
    _publish_touched(session, touched, base_url)


# --------------------------------------------------------------------------- billing


def payment_status(outstanding_minor: int, overdue_minor: int) -> str:
    """``inArrears`` with an overdue amount, ``due`` with an outstanding one, else ``paid``."""
    if overdue_minor > 0:
        return "inArrears"
    if outstanding_minor > 0:
        return "due"
    return "paid"


def record_balance(
    session: Session,
    account_id: str,
    *,
    outstanding_minor: int,
    overdue_minor: int,
    overdue_since: datetime | None,
    deposit_minor: int | None = None,
    base_url: str = "",
) -> BillingAccount:
    """Billing's entry point: the account's current balances (minor units of its
    currency). ``overdue`` is the part of ``outstanding`` past its due date;
    ``overdue_since`` is when the oldest overdue amount fell due (required with
    an overdue amount, ignored without). Publishes an attribute-value-change
    event. System use: no row scope."""
    account = repository.find_account(session, account_id)
    if account is None:
        raise NotFound(f"billingAccount '{account_id}' not found")
    if outstanding_minor < 0 or overdue_minor < 0 or (deposit_minor or 0) < 0:
        raise ValidationFailed("balances are not negative", field="accountBalance")
    if overdue_minor > outstanding_minor:
        raise ValidationFailed(
            "the overdue amount is part of the outstanding amount", field="accountBalance"
        )
    if overdue_minor > 0 and overdue_since is None:
        raise ValidationFailed(
            "overdue_since is required with an overdue amount", field="overdueSince"
        )
    account.outstanding_minor = outstanding_minor
    account.overdue_minor = overdue_minor
    account.overdue_since = (
        truncate_datetime(overdue_since) if overdue_minor and overdue_since else None
    )
    if deposit_minor is not None:
        account.deposit_minor = deposit_minor
    account.payment_status = payment_status(outstanding_minor, overdue_minor)
    now = _now()
    account.balance_updated_at = now
    account.updated_at = now
    session.flush()
    _publish(
        session,
        events.ATTRIBUTE_VALUE_CHANGE,
        account,
        orjson.loads(_document(account, base_url)),
        description="changed: accountBalance, paymentStatus",
    )
    return account


# --------------------------------------------------------------------------- reads


def get_account(session: Session, scope: Scope, ident: str) -> BillingAccount:
    """One account the caller may see (404 otherwise)."""
    return repository.get_account(session, ident, scope)


def account_tree(
    session: Session, scope: Scope, ident: str
) -> tuple[list[BillingAccount], list[BillingAccount]]:
    """The ancestors of an account (root first) and its direct children."""
    account = repository.get_account(session, ident, scope)
    ancestors: list[BillingAccount] = []
    cursor = account
    while cursor.parent_id and len(ancestors) < MAX_DEPTH:
        parent = repository.find_account(session, cursor.parent_id)
        if parent is None:
            break
        ancestors.insert(0, parent)
        cursor = parent
    return ancestors, list(repository.children(session, account.id))


def customer_accounts(session: Session, scope: Scope, customer_id: str) -> list[BillingAccount]:
    """The accounts of a customer the caller may see."""
    return [a for a in repository.customer_accounts(session, customer_id) if row_in_scope(a, scope)]


def search_accounts(
    session: Session, scope: Scope, text: str | None, *, limit: int = 50, offset: int = 0
) -> tuple[list[BillingAccount], int]:
    rows, total = repository.search_accounts(session, scope, text, limit=limit, offset=offset)
    return list(rows), total
