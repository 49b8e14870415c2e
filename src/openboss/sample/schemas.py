"""TMF shapes of the sample item: ``SampleItemCreate`` / ``SampleItemUpdate`` /
``SampleItem`` (camelCase on the wire, every field described for OpenAPI).

Reads are rendered by the database from the resource declaration in
:mod:`openboss.sample.repository`; :class:`SampleItem` documents that shape.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from openboss.kit.money import minor_digits
from openboss.kit.tmf.attributes import truncate_datetime
from openboss.kit.tmf.schemas import Text, TmfModel, json_value


class Money(TmfModel):
    """TMF ``Money``: an amount in a currency. Stored as integer minor units,
    so the value may not carry more decimals than the currency has."""

    unit: Text = Field(description="ISO 4217 currency code, e.g. CNY.", min_length=3, max_length=3)
    value: Decimal = Field(description="Amount in the currency's major unit, e.g. 12.34.")

    @model_validator(mode="after")
    def _fits_minor_units(self) -> Money:
        try:
            digits = minor_digits(self.unit)
        except Exception:
            raise ValueError(f"unsupported currency '{self.unit}'") from None
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


class TimePeriod(TmfModel):
    """TMF ``TimePeriod``; an open end means "no limit" (stored to the millisecond)."""

    start_date_time: datetime | None = Field(
        None, description="Start of the period (UTC if no offset)."
    )
    end_date_time: datetime | None = Field(
        None, description="End of the period (UTC if no offset)."
    )

    @field_validator("start_date_time", "end_date_time")
    @classmethod
    def _utc_ms(cls, value: datetime | None) -> datetime | None:
        return truncate_datetime(value) if value is not None else None

    @model_validator(mode="after")
    def _ordered(self) -> TimePeriod:
        if (
            self.start_date_time
            and self.end_date_time
            and self.end_date_time < self.start_date_time
        ):
            raise ValueError("endDateTime is before startDateTime")
        return self


class RelatedParty(TmfModel):
    """TMF ``RelatedParty``: a reference to a party and the role it plays."""

    id: Text = Field(description="Identifier of the party.", min_length=1, max_length=64)
    href: Text | None = Field(None, description="Reference of the party.", max_length=512)
    name: Text | None = Field(None, description="Name of the party.", max_length=256)
    role: Text | None = Field(None, description="Role played, e.g. customer, owner.", max_length=64)
    referred_type: Text = Field(
        alias="@referredType",
        description="Type of the referred party, e.g. Individual, Organization.",
        max_length=64,
    )


class Characteristic(TmfModel):
    """TMF ``Characteristic``: a named value describing the item."""

    id: Text | None = Field(None, description="Identifier of the characteristic.", max_length=64)
    name: Text = Field(description="Name, e.g. bandwidth.", min_length=1, max_length=128)
    value_type: Text | None = Field(
        None, description="Type of the value, e.g. string, integer.", max_length=32
    )
    value: Any = Field(description="The value: a string, number, boolean, object or array.")

    @field_validator("value")
    @classmethod
    def _present(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("value is required")
        return json_value(value)


def _description() -> Any:
    return Field(None, description="Free-text description.", max_length=2000)


def _price() -> Any:
    return Field(None, description="Unit price.")


def _valid_for() -> Any:
    return Field(None, description="Period during which the item is valid.")


def _related_party() -> Any:
    return Field(None, description="Parties related to the item and their roles.", max_length=100)


def _characteristic() -> Any:
    return Field(None, description="Characteristics describing the item.", max_length=100)


class SampleItemCreate(TmfModel):
    """The body of ``POST /sampleItem``."""

    name: Text = Field(description="Name of the item.", min_length=1, max_length=128)
    description: Text | None = _description()
    state: Literal["initialized"] | None = Field(
        None, description="Lifecycle state; a new item is always 'initialized'."
    )
    quantity: int = Field(1, description="How many units the item stands for.", ge=0, le=2**31 - 1)
    price: Money | None = _price()
    valid_for: TimePeriod | None = _valid_for()
    related_party: list[RelatedParty] | None = _related_party()
    characteristic: list[Characteristic] | None = _characteristic()
    region_id: Text | None = Field(
        None,
        description="Region owning the item (row scope). Callers restricted to regions must "
        "name one of theirs.",
        min_length=1,
        max_length=64,
    )
    partner_id: Text | None = Field(
        None,
        description="Partner owning the item (row scope); partner callers get their own.",
        min_length=1,
        max_length=64,
    )
    type: Literal["SampleItem"] | None = Field(
        None, alias="@type", description="When sub-classing, the sub-class name; 'SampleItem'."
    )


class SampleItemUpdate(TmfModel):
    """The body of ``PATCH /sampleItem/{id}`` (JSON merge patch: ``null`` removes
    an optional attribute; objects merge, arrays replace)."""

    name: Text | None = Field(None, description="Name of the item.", min_length=1, max_length=128)
    description: Text | None = _description()
    state: Text | None = Field(
        None,
        description="Target lifecycle state: initialized → active → suspended ⇄ active; "
        "any non-final → terminated.",
    )
    quantity: int | None = Field(
        None, description="How many units the item stands for.", ge=0, le=2**31 - 1
    )
    price: MoneyPatch | None = Field(None, description="Unit price (members merge).")
    valid_for: TimePeriod | None = _valid_for()
    related_party: list[RelatedParty] | None = _related_party()
    characteristic: list[Characteristic] | None = _characteristic()


class SampleItemChange(TmfModel):
    """The writable attributes of an item after a merge patch was applied
    (validated as a whole; not part of the API)."""

    name: Text = Field(description="Name of the item.", min_length=1, max_length=128)
    description: Text | None = _description()
    state: Text = Field(
        description="Target lifecycle state: initialized → active → suspended ⇄ active; "
        "any non-final → terminated.",
    )
    quantity: int = Field(description="How many units the item stands for.", ge=0, le=2**31 - 1)
    price: Money | None = _price()
    valid_for: TimePeriod | None = _valid_for()
    related_party: list[RelatedParty] | None = _related_party()
    characteristic: list[Characteristic] | None = _characteristic()


class SampleItem(TmfModel):
    """A sample item as the API represents it (absent attributes are omitted)."""

    id: Text = Field(description="Unique identifier.")
    href: Text = Field(description="Absolute URL of this item.")
    name: Text = Field(description="Name of the item.", min_length=1, max_length=128)
    description: Text | None = _description()
    state: Text = Field(description="Lifecycle state: initialized, active, suspended, terminated.")
    quantity: int = Field(description="How many units the item stands for.")
    price: Money | None = _price()
    valid_for: TimePeriod | None = _valid_for()
    related_party: list[RelatedParty] | None = _related_party()
    characteristic: list[Characteristic] | None = _characteristic()
    region_id: Text | None = Field(None, description="Region owning the item.")
    partner_id: Text | None = Field(None, description="Partner owning the item.")
    creation_date: datetime = Field(description="When the item was created.")
    last_update: datetime = Field(description="When the item last changed.")
    type: Text = Field("SampleItem", alias="@type", description="Class name: 'SampleItem'.")
    base_type: Text | None = Field(None, alias="@baseType", description="Super-class name.")
    schema_location: Text | None = Field(
        None, alias="@schemaLocation", description="URI of the JSON schema of the class."
    )
