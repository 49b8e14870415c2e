"""Every query of the account domain; row scope is applied here.

Serves eTOM 1.1.1.5 order handling (accounts, credit checks) and 1.1.1.11
bill payments & receivables (balances).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from openboss.kit.errors import NotFound
from openboss.kit.scope import Scope, apply_scope
from openboss.kit.tmf.listing import Page, fetch_document, list_page
from openboss.kit.tmf.query import ListQuery
from openboss.party.account.models import BASE_PATH, RESOURCE, BillingAccount, CreditCheck

__all__ = ["BASE_PATH", "RESOURCE", "account_document", "get_account", "list_accounts"]

_t = BillingAccount.__table__.c


def _scoped(scope: Scope) -> Any:
    def restrict(stmt: Select[Any]) -> Select[Any]:
        return apply_scope(stmt, _t, scope)

    return restrict


def list_accounts(session: Session, query: ListQuery, scope: Scope, base_url: str) -> Page:
    """One page of the accounts the caller may see."""
    return list_page(session, RESOURCE, query, base_url=base_url, restrict=_scoped(scope))


def account_document(
    session: Session,
    ident: str,
    scope: Scope,
    base_url: str,
    projection: dict[str, Any] | None = None,
) -> bytes:
    """The representation of one account (404 when missing or out of scope)."""
    doc = fetch_document(
        session, RESOURCE, ident, base_url=base_url, restrict=_scoped(scope), projection=projection
    )
    if doc is None:
        raise NotFound(f"billingAccount '{ident}' not found")
    return doc


def get_account(
    session: Session, ident: str, scope: Scope, *, for_update: bool = False
) -> BillingAccount:
    """The account row (404 when missing or out of scope)."""
    stmt = apply_scope(
        select(BillingAccount).where(BillingAccount.id == ident), BillingAccount, scope
    )
    if for_update:
        stmt = stmt.with_for_update()
    account = session.scalars(stmt).one_or_none()
    if account is None:
        raise NotFound(f"billingAccount '{ident}' not found")
    return account


def find_account(session: Session, ident: str) -> BillingAccount | None:
    """The account row whatever the scope (system use: hierarchy walks, billing)."""
    return session.get(BillingAccount, ident)


def number_taken(session: Session, number: str) -> bool:
    return bool(session.scalar(select(exists().where(_t.account_number == number))))


def children(session: Session, parent_id: str) -> Sequence[BillingAccount]:
    """The direct children of an account (any scope: the hierarchy is one unit)."""
    return session.scalars(
        select(BillingAccount)
        .where(BillingAccount.parent_id == parent_id)
        .order_by(BillingAccount.account_number)
    ).all()


def has_children(session: Session, parent_id: str, *, open_only: bool = False) -> bool:
    cond = _t.parent_id == parent_id
    if open_only:
        cond = cond & (_t.state != "closed")
    return bool(session.scalar(select(exists().where(cond))))


def customer_accounts(session: Session, customer_id: str) -> Sequence[BillingAccount]:
    """Every account of a customer (system use: the credit check)."""
    return session.scalars(
        select(BillingAccount)
        .where(BillingAccount.customer_id == customer_id)
        .order_by(BillingAccount.created_at, BillingAccount.id)
    ).all()


def search_accounts(
    session: Session, scope: Scope, text: str | None, *, limit: int = 50, offset: int = 0
) -> tuple[Sequence[BillingAccount], int]:
    """Accounts whose number starts with ``text`` or whose name contains it (console)."""
    stmt = apply_scope(select(BillingAccount), BillingAccount, scope)
    if text:
        pattern = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(
            or_(
                _t.account_number.like(pattern + "%", escape="\\"),
                func.lower(_t.name).like("%" + pattern.lower() + "%", escape="\\"),
            )
        )
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = session.scalars(
        stmt.order_by(_t.created_at.desc(), _t.id).limit(limit).offset(offset)
    ).all()
    return rows, total


def add(session: Session, row: Any) -> None:
    session.add(row)
    session.flush()


def remove(session: Session, account: BillingAccount) -> None:
    session.delete(account)
    session.flush()


def credit_checks(
    session: Session, scope: Scope, customer_id: str, *, limit: int = 100
) -> Sequence[CreditCheck]:
    """The recorded credit checks of a customer, newest first."""
    stmt = apply_scope(
        select(CreditCheck).where(CreditCheck.customer_id == customer_id), CreditCheck, scope
    )
    return session.scalars(
        stmt.order_by(CreditCheck.checked_at.desc(), CreditCheck.id.desc()).limit(limit)
    ).all()


def customers_with_account_number(session: Session, scope: Scope, number: str) -> list[str]:
    """The customer owning the account with this exact number (customer search)."""
    stmt = apply_scope(
        select(BillingAccount.customer_id).where(_t.account_number == number),
        BillingAccount,
        scope,
    )
    return [c for c in session.scalars(stmt) if c]
