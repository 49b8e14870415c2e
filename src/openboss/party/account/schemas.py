"""TMF666 shapes of the billing account (``BillingAccountCreate`` /
``BillingAccountUpdate`` / ``BillingAccount``) and of the credit check.

Extensions to TMF666 (documented in the OpenAPI descriptions):
``accountNumber`` (operator account number, generated, read-only),
``paidByParent`` (the parent account pays this account's bills),
``currency`` (currency of the account, fixed at creation) and ``regionId``
(row scope, the customer's region, read-only).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field, model_validator

from openboss.kit.money import minor_digits
from openboss.kit.tmf.schemas import Text, TmfModel

#: Payment method kinds a ``defaultPaymentMethod`` may name (its ``id``).
PAYMENT_METHODS: tuple[str, ...] = (
    "cash",
    "bankTransfer",
    "directDebit",
    "alipay",
    "wechatPay",
    "unionPay",
    "bankCard",
    "voucher",
)

#: Roles of the ``relatedParty`` entry naming the owning customer.
CUSTOMER_ROLES = ("customer", "owner")


class Money(TmfModel):
    """TMF ``Money``; stored as integer minor units (no more decimals than the currency has)."""

    unit: Text = Field(description="ISO 4217 currency code, e.g. CNY.", min_length=3, max_length=3)
    value: Decimal = Field(description="Amount in the currency's major unit, e.g. 5000.00.")

    @model_validator(mode="after")
    def _fits_minor_units(self) -> Money:
        try:
            digits = minor_digits(self.unit)
        except Exception:
            raise ValueError(f"unsupported currency '{self.unit}'") from None
        if not self.value.is_finite():
            raise ValueError("amount is not a number")
        if self.value.scaleb(digits) != self.value.scaleb(digits).to_integral_value():
            raise ValueError(f"{self.unit} amounts have at most {digits} decimals")
        if abs(self.value.scaleb(digits)) >= 2**62:
            raise ValueError("amount out of range")
        return self

    def to_minor(self) -> int:
        return int(self.value.scaleb(minor_digits(self.unit)))


class MoneyPatch(TmfModel):
    """A merge patch of a ``Money``: either member may be left out (and is kept)."""

    unit: Text | None = Field(
        None, description="ISO 4217 currency code, e.g. CNY.", min_length=3, max_length=3
    )
    value: Decimal | None = Field(None, description="Amount in the currency's major unit.")


class RelatedParty(TmfModel):
    """TMF ``RelatedParty``; the entry with role ``customer`` (or ``owner``) names
    the customer owning the account."""

    id: Text = Field(
        description="Identifier of the party or customer.", min_length=1, max_length=64
    )
    href: Text | None = Field(None, description="Reference of the party.", max_length=512)
    name: Text | None = Field(None, description="Name of the party.", max_length=256)
    role: Text | None = Field(
        None, description="Role played: customer (the owner), payer, contact…", max_length=64
    )
    referred_type: Text | None = Field(
        None,
        alias="@referredType",
        description="Type of the referred party: Customer, Individual, Organization.",
        max_length=64,
    )


class AccountRef(TmfModel):
    """TMF ``AccountRef``: another billing account."""

    id: Text = Field(description="Identifier of the account.", min_length=1, max_length=64)
    href: Text | None = Field(None, description="Reference of the account.", max_length=512)
    name: Text | None = Field(None, description="Name of the account.", max_length=256)
    referred_type: Text | None = Field(
        None, alias="@referredType", description="'BillingAccount'.", max_length=64
    )


class AccountRelationship(TmfModel):
    """TMF ``AccountRelationship``. On input only ``relationshipType: parent``
    is accepted (naming the parent account); ``child`` entries are kept by the
    system on the parent."""

    relationship_type: Literal["parent", "child"] = Field(
        description="'parent': the referred account is this account's parent; "
        "'child': the referred account is a child of this account (read-only)."
    )
    account: AccountRef = Field(description="The related account.")
    valid_for: dict[str, Any] | None = Field(
        None, description="Validity period of the relationship (set by the system)."
    )
    type: Text | None = Field(None, alias="@type", description="'AccountRelationship'.")


class CycleSpecification(TmfModel):
    """TMF ``BillingCycleSpecificationRefOrValue``, reduced to what OpenBOSS
    bills: a monthly cycle whose bill day is ``billingDateShift`` + 1 (1–28)."""

    id: Text | None = Field(None, description="Not used (cycles are values).", max_length=64)
    href: Text | None = Field(None, description="Not used.", max_length=512)
    name: Text | None = Field(None, description="Set by the system: monthly-DD.", max_length=64)
    frequency: Literal["monthly"] | None = Field(None, description="Only 'monthly'.")
    billing_period: Literal["month"] | None = Field(None, description="Only 'month'.")
    billing_date_shift: int | None = Field(
        None,
        description="Days from the start of the month to the bill date: 0–27 "
        "(bill cycle day 1–28). Default 0.",
        ge=0,
        le=27,
    )
    is_ref: bool | None = Field(None, alias="isRef", description="Always false.")
    type: Text | None = Field(None, alias="@type", description="'BillingCycleSpecification'.")


class BillStructure(TmfModel):
    """TMF ``BillStructure``: only the cycle specification is kept."""

    cycle_specification: CycleSpecification | None = Field(
        None, description="The billing cycle (monthly, on a day 1–28)."
    )


class PaymentMethodRef(TmfModel):
    """TMF ``PaymentMethodRef``: ``id`` names the kind of payment method."""

    id: Literal[
        "cash",
        "bankTransfer",
        "directDebit",
        "alipay",
        "wechatPay",
        "unionPay",
        "bankCard",
        "voucher",
    ] = Field(description="Kind: " + ", ".join(PAYMENT_METHODS) + ".")
    href: Text | None = Field(None, description="Not used.", max_length=512)
    name: Text | None = Field(None, description="Set to the id.", max_length=64)
    referred_type: Text | None = Field(
        None, alias="@referredType", description="'PaymentMethod'.", max_length=64
    )


def _description() -> Any:
    return Field(None, description="Detailed description of the account.", max_length=2000)


def _account_type() -> Any:
    return Field(
        None,
        description="Category of the account, e.g. individual, enterprise, government.",
        max_length=32,
    )


def _credit_limit() -> Any:
    return Field(
        None,
        description="Maximum amount that may be charged on the account before the "
        "credit check refers an order; in the account's currency.",
    )


def _related_party() -> Any:
    return Field(
        description="Parties related to the account; exactly one entry with role "
        "'customer' (or 'owner') names the owning customer.",
        min_length=1,
        max_length=20,
    )


def _relationship() -> Any:
    return Field(
        None,
        description="Hierarchy: one entry with relationshipType 'parent' names the parent "
        "account (same customer or the same enterprise, same currency).",
        max_length=1000,
    )


class BillingAccountCreate(TmfModel):
    """The body of ``POST /billingAccount``."""

    name: Text = Field(description="Name of the account.", min_length=1, max_length=128)
    description: Text | None = _description()
    account_type: Text | None = _account_type()
    state: Literal["created"] | None = Field(
        None, description="Lifecycle state; a new account is always 'created'."
    )
    related_party: list[RelatedParty] = _related_party()
    account_relationship: list[AccountRelationship] | None = _relationship()
    paid_by_parent: bool | None = Field(
        None, description="Extension: the parent account pays this account's bills."
    )
    bill_structure: BillStructure | None = Field(None, description="Billing cycle.")
    default_payment_method: PaymentMethodRef | None = Field(
        None, description="How bills are paid by default."
    )
    credit_limit: Money | None = _credit_limit()
    currency: Text | None = Field(
        None,
        description="Extension: currency of the account (ISO 4217); default the credit "
        "limit's unit, else CNY.",
        min_length=3,
        max_length=3,
    )
    type: Literal["BillingAccount"] | None = Field(
        None, alias="@type", description="'BillingAccount'."
    )


class BillingAccountUpdate(TmfModel):
    """The body of ``PATCH /billingAccount/{id}`` (JSON merge patch)."""

    name: Text | None = Field(
        None, description="Name of the account.", min_length=1, max_length=128
    )
    description: Text | None = _description()
    account_type: Text | None = _account_type()
    state: Text | None = Field(
        None,
        description="Target state: created → active ⇄ suspended; created/active/suspended → "
        "closed (only with zero balances and no open child account).",
    )
    related_party: list[RelatedParty] | None = Field(
        None, description="Parties related to the account; the customer entry cannot change."
    )
    account_relationship: list[AccountRelationship] | None = _relationship()
    paid_by_parent: bool | None = Field(
        None, description="Extension: the parent account pays this account's bills."
    )
    bill_structure: BillStructure | None = Field(None, description="Billing cycle.")
    default_payment_method: PaymentMethodRef | None = Field(
        None, description="How bills are paid by default."
    )
    credit_limit: MoneyPatch | None = Field(
        None, description="Credit limit (members merge; the unit is the account's currency)."
    )


class BillingAccountChange(TmfModel):
    """The writable attributes after a merge patch (validated as a whole; internal)."""

    name: Text = Field(min_length=1, max_length=128)
    description: Text | None = None
    account_type: Text | None = Field(None, max_length=32)
    state: Text
    related_party: list[RelatedParty] = Field(min_length=1, max_length=20)
    account_relationship: list[AccountRelationship] | None = Field(None, max_length=1000)
    paid_by_parent: bool = False
    bill_structure: BillStructure | None = None
    default_payment_method: PaymentMethodRef | None = None
    credit_limit: Money | None = None


class AccountBalance(TmfModel):
    """TMF ``AccountBalance``: ``deposit``, ``outstanding`` or ``overdue``."""

    balance_type: Text = Field(description="deposit, outstanding or overdue.")
    amount: Money = Field(description="Balance amount.")
    valid_for: dict[str, Any] = Field(
        description="Since when the balance holds (overdue: since when it is overdue)."
    )


class BillingAccount(TmfModel):
    """A billing account as the API represents it (absent attributes omitted)."""

    id: Text = Field(description="Unique identifier.")
    href: Text = Field(description="Absolute URL of the account.")
    account_number: Text = Field(
        description="Extension: operator account number on bills (8 + 10 digits + Luhn digit)."
    )
    name: Text = Field(description="Name of the account.")
    description: Text | None = _description()
    account_type: Text | None = _account_type()
    state: Text = Field(description="Lifecycle state: created, active, suspended, closed.")
    payment_status: Text = Field(description="paid, due or inArrears (from the balances).")
    related_party: list[RelatedParty] = Field(description="Parties related to the account.")
    account_relationship: list[AccountRelationship] | None = Field(
        None, description="The parent account and the child accounts."
    )
    paid_by_parent: bool = Field(description="Extension: the parent pays this account's bills.")
    bill_structure: BillStructure = Field(description="The billing cycle.")
    default_payment_method: PaymentMethodRef | None = Field(None, description="Payment method.")
    credit_limit: Money | None = _credit_limit()
    account_balance: list[AccountBalance] = Field(
        description="Balances kept by billing: deposit, outstanding, overdue."
    )
    currency: Text = Field(description="Extension: currency of the account.")
    region_id: Text | None = Field(None, description="Extension: region (the customer's).")
    creation_date: datetime = Field(description="When the account was created.")
    last_modified: datetime = Field(description="When the account last changed.")
    type: Text = Field("BillingAccount", alias="@type", description="'BillingAccount'.")
    base_type: Text | None = Field(None, alias="@baseType", description="'Account'.")


# --------------------------------------------------------------------------- credit check


class CreditCheckRequest(TmfModel):
    """The body of ``POST /api/party/v1/creditCheck``."""

    customer_id: Text = Field(description="The customer to check.", min_length=1, max_length=64)
    account_id: Text | None = Field(
        None, description="The account the order will be billed to.", min_length=1, max_length=64
    )
    requested_recurring: Money | None = Field(
        None, description="Monthly recurring charges the order adds."
    )
    requested_one_time: Money | None = Field(None, description="One-time charges the order adds.")

    @model_validator(mode="after")
    def _same_currency(self) -> CreditCheckRequest:
        units = {m.unit for m in (self.requested_recurring, self.requested_one_time) if m}
        if len(units) > 1:
            raise ValueError("requestedRecurring and requestedOneTime differ in currency")
        for m in (self.requested_recurring, self.requested_one_time):
            if m is not None and m.value < 0:
                raise ValueError("requested amounts are not negative")
        return self


class CreditReasonOut(TmfModel):
    code: Text = Field(description="Machine code, e.g. OVERDUE_BALANCE.")
    message: Text = Field(description="Explanation for the agent.")


class CreditCheckResult(TmfModel):
    """A credit decision as recorded."""

    id: Text = Field(description="Identifier of the recorded check.")
    customer_id: Text = Field(description="The customer checked.")
    account_id: Text | None = Field(None, description="The account checked, if any.")
    decision: Literal["approved", "referred", "rejected"] = Field(
        description="approved; referred (a supervisor decides); rejected."
    )
    reasons: list[CreditReasonOut] = Field(description="Why (empty when simply approved).")
    figures: dict[str, Any] = Field(description="The figures the decision used.")
    checked_by: Text = Field(description="Who asked.")
    checked_at: datetime = Field(description="When.")
