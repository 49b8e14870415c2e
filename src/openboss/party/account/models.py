"""The ``billing_account`` and ``credit_check`` tables and the TMF666 representation.

A billing account (账户) is where charges of a customer are collected and
billed: it carries the customer it belongs to, an operator account number
printed on bills, the bill cycle day, the currency, the default payment
method, a credit limit and the balances billing keeps current (deposit,
outstanding, overdue). Accounts form a hierarchy: an enterprise parent
account may pay for its children.

``credit_check`` is the audit trail of every credit decision taken for a
customer (who asked, with which inputs and figures, and the answer).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openboss.db.base import Base
from openboss.db.types import JSONDoc, UTCDateTime
from openboss.kit.errors import ValidationFailed
from openboss.kit.scope import RegionScoped
from openboss.kit.tmf.attributes import (
    Attr,
    ColumnAttr,
    JsonAttr,
    Kind,
    MoneyAttr,
    decimal_json,
    format_datetime,
    minor_to_text,
)
from openboss.kit.tmf.resource import TmfResource

BASE_PATH = "/tmf-api/accountManagement/v4"
TYPE_NAME = "BillingAccount"

_BIGINT = BigInteger().with_variant(Integer(), "sqlite")


class BillingAccount(RegionScoped, Base):
    """A billing account of one customer (TMF666 ``BillingAccount``).

    The region of the account is the region of its customer (row scope).
    ``parent_id`` links a child account to the enterprise account above it;
    ``paid_by_parent`` says the parent pays the child's bills. Money is in
    integer minor units of ``currency``.
    """

    __tablename__ = "billing_account"
    __audited__ = True
    __audit_exclude__ = frozenset({"doc"})
    __table_args__ = (
        Index("ix_billing_account_state_created", "state", "created_at"),
        Index("ix_billing_account_name_id", "name", "id"),
        Index(
            "ix_billing_account_related_party_gin",
            "related_party",
            postgresql_using="gin",
            postgresql_ops={"related_party": "jsonb_path_ops"},
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    #: Operator account number printed on bills: ``8`` + 10 digits + Luhn check digit.
    account_number: Mapped[str] = mapped_column(String(12), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    account_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    payment_status: Mapped[str] = mapped_column(String(16), nullable=False)
    #: The owning customer (also the ``customer`` entry of ``related_party``).
    customer_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    related_party: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, nullable=False)
    parent_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("billing_account.id"), nullable=True, index=True
    )
    paid_by_parent: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: TMF ``accountRelationship`` kept by the service: the parent and the children.
    account_relationship: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSONDoc, nullable=True
    )
    bill_cycle_day: Mapped[int] = mapped_column(Integer, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    credit_limit_minor: Mapped[int | None] = mapped_column(_BIGINT, nullable=True)
    payment_method: Mapped[str | None] = mapped_column(String(32), nullable=True)
    deposit_minor: Mapped[int] = mapped_column(_BIGINT, nullable=False, default=0)
    outstanding_minor: Mapped[int] = mapped_column(_BIGINT, nullable=False, default=0)
    overdue_minor: Mapped[int] = mapped_column(_BIGINT, nullable=False, default=0)
    overdue_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    balance_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    #: The stored TMF representation (without id and href), kept by RESOURCE.
    doc: Mapped[str] = mapped_column(Text, nullable=False)


class CreditCheck(RegionScoped, Base):
    """One credit decision (audit trail): inputs, figures, answer, who and when."""

    __tablename__ = "credit_check"
    __table_args__ = (Index("ix_credit_check_customer_checked", "customer_id", "checked_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(36), nullable=False)
    account_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    requested_recurring_minor: Mapped[int] = mapped_column(_BIGINT, nullable=False)
    requested_one_time_minor: Mapped[int] = mapped_column(_BIGINT, nullable=False)
    decision: Mapped[str] = mapped_column(String(16), nullable=False)
    #: ``[{"code": ..., "message": ...}, ...]``
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, nullable=False)
    #: The figures the decision used (balances, limit, grade, ...).
    figures: Mapped[dict[str, Any]] = mapped_column(JSONDoc, nullable=False)
    checked_by: Mapped[str] = mapped_column(String(128), nullable=False)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


@dataclass(frozen=True, eq=False)
class ComputedAttr(Attr):
    """An attribute rendered from several columns by a function (shown and
    projectable with ``fields=``, but neither filterable nor sortable)."""

    sources: tuple[Any, ...] = ()
    build: Callable[[Mapping[str, Any]], Any] | None = None

    def check_path(self, sub: str, field_name: str) -> None:
        return None

    def parse(self, sub: str, raw: str, field_name: str) -> Any:
        raise ValidationFailed(f"cannot filter by '{self.name}'", field=field_name)

    def columns(self) -> tuple[Any, ...]:
        return self.sources

    def render(self, values: Mapping[str, Any]) -> Any:
        assert self.build is not None
        return self.build(values)


_t = BillingAccount.__table__.c


def _money(minor: int | None, currency: str) -> dict[str, Any]:
    return {"unit": currency, "value": decimal_json(Decimal(minor_to_text(minor or 0, currency)))}


def _balances(values: Mapping[str, Any]) -> list[dict[str, Any]]:
    currency = values[_t.currency.key]
    since = values.get(_t.balance_updated_at.key) or values.get(_t.created_at.key)
    start = {"startDateTime": format_datetime(since)} if since is not None else {}
    overdue_since = values.get(_t.overdue_since.key)
    out = []
    for balance_type, column in (
        ("deposit", _t.deposit_minor),
        ("outstanding", _t.outstanding_minor),
        ("overdue", _t.overdue_minor),
    ):
        period = start
        if balance_type == "overdue" and overdue_since is not None:
            period = {"startDateTime": format_datetime(overdue_since)}
        out.append(
            {
                "balanceType": balance_type,
                "amount": _money(values.get(column.key), currency),
                "validFor": period,
            }
        )
    return out


def cycle_specification(day: int) -> dict[str, Any]:
    """The TMF ``BillingCycleSpecification`` value of a monthly cycle on ``day``
    (``billingDateShift`` is the offset in days from the start of the month)."""
    return {
        "name": f"monthly-{day:02d}",
        "frequency": "monthly",
        "billingPeriod": "month",
        "billingDateShift": day - 1,
        "isRef": False,
        "@type": "BillingCycleSpecification",
    }


def _bill_structure(values: Mapping[str, Any]) -> dict[str, Any] | None:
    day = values.get(_t.bill_cycle_day.key)
    if day is None:
        return None
    return {"cycleSpecification": cycle_specification(int(day))}


def payment_method_ref(method: str) -> dict[str, Any]:
    """The TMF ``PaymentMethodRef`` of a payment method kind (``alipay``)."""
    return {"id": method, "name": method, "@referredType": "PaymentMethod"}


def _payment_method(values: Mapping[str, Any]) -> dict[str, Any] | None:
    method = values.get(_t.payment_method.key)
    return payment_method_ref(method) if method else None


RESOURCE = TmfResource(
    name="billingAccount",
    type_name=TYPE_NAME,
    base_type="Account",
    base_path=BASE_PATH,
    path="/billingAccount",
    table=BillingAccount.__table__,
    id_column=_t.id,
    document_column=_t.doc,
    attrs=(
        ColumnAttr("accountNumber", column=_t.account_number, read_only=True),
        ColumnAttr("name", column=_t.name),
        ColumnAttr("description", column=_t.description, sortable=False),
        ColumnAttr("accountType", column=_t.account_type),
        ColumnAttr("state", column=_t.state),
        ColumnAttr("paymentStatus", column=_t.payment_status, read_only=True),
        JsonAttr(
            "relatedParty",
            column=_t.related_party,
            keys=frozenset({"id", "href", "name", "role", "@referredType"}),
        ),
        JsonAttr(
            "accountRelationship",
            column=_t.account_relationship,
            keys=frozenset({"relationshipType", "account", "validFor"}),
        ),
        ColumnAttr("paidByParent", column=_t.paid_by_parent, kind=Kind.BOOLEAN),
        ComputedAttr(
            "billStructure", sources=(_t.bill_cycle_day,), build=_bill_structure, read_only=False
        ),
        ComputedAttr("defaultPaymentMethod", sources=(_t.payment_method,), build=_payment_method),
        MoneyAttr("creditLimit", unit_column=_t.currency, minor_column=_t.credit_limit_minor),
        ComputedAttr(
            "accountBalance",
            sources=(
                _t.currency,
                _t.deposit_minor,
                _t.outstanding_minor,
                _t.overdue_minor,
                _t.overdue_since,
                _t.balance_updated_at,
                _t.created_at,
            ),
            build=_balances,
            read_only=True,
        ),
        ColumnAttr("currency", column=_t.currency),
        ColumnAttr("regionId", column=_t.region_id, read_only=True),
        ColumnAttr("creationDate", column=_t.created_at, kind=Kind.DATETIME, read_only=True),
        ColumnAttr("lastModified", column=_t.updated_at, kind=Kind.DATETIME, read_only=True),
    ),
    # The currency of an account never changes (balances are kept in it).
    extra_read_only=frozenset({"currency"}),
    versioned_count=True,
)
RESOURCE.keep_document(BillingAccount)
