"""The price model of the catalog — what billing rates from.

A product offering price carries, as the extension attribute ``priceModel``,
one of four validated shapes (discriminated by ``kind``); the TMF620
attributes of the price (``priceType``, ``price``, ``unitOfMeasure`` …) are
derived from it by :func:`tmf_fields`:

* ``oneTime`` — an activation, installation or terminal charge;
* ``recurring`` — a charge every ``periodLength`` ``period`` (month …), with a
  proration policy for partial periods and billing in advance or arrears;
* ``usage`` — a rate per ``perUnits`` units of ``unit`` (second, minute, MB,
  GB, SMS, event) in tiers (``graduated``: each unit at its tier's rate;
  ``volume``: every unit at the rate of the tier the total falls in), after
  an included allowance, with time-of-day bands and destination zones
  adjusting the rate by a percentage;
* ``alteration`` — a bundle discount, a promotion for N months, or a
  fixed-term contract with an early-termination fee.

Money is always integer minor units (fen) plus an ISO 4217 currency; tax is
a category (PRC VAT: basic telecom 9 %, value-added telecom 6 %, goods 13 %,
exempt) and whether amounts include it.

:func:`rate_usage` is the pure rating function billing reuses. It works in
exact fractions and rounds once, half-even, to minor units.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator
from pydantic.alias_generators import to_camel

from openboss.kit import money

#: VAT rates per tax category (PRC: basic telecom services 9 %, value-added
#: telecom services 6 %, sale of goods such as terminals 13 %).
TAX_RATES: dict[str, Decimal] = {
    "basicTelecom": Decimal("0.09"),
    "valueAddedTelecom": Decimal("0.06"),
    "goods": Decimal("0.13"),
    "exempt": Decimal("0"),
}
TaxCategory = Literal["basicTelecom", "valueAddedTelecom", "goods", "exempt"]
UsageUnit = Literal["second", "minute", "MB", "GB", "SMS", "event"]
Period = Literal["day", "week", "month", "year"]

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_MAX_MINOR = 10**12  # ten billion yuan: a bound that catches typos, not business


class _Model(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", serialize_by_alias=True
    )


class _Charge(_Model):
    currency: str = Field("CNY", description="ISO 4217 code, e.g. CNY.")
    tax_category: TaxCategory = Field(description="VAT category (sets the rate).")
    tax_included: bool = Field(True, description="Amounts include VAT (China retail: true).")

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        if value not in money._MINOR_DIGITS:
            raise ValueError(f"unsupported currency '{value}'")
        return value


def _minor(description: str, *, ge: int = 0) -> Any:
    return Field(description=description, ge=ge, le=_MAX_MINOR)


class OneTimePrice(_Charge):
    """A charge made once (activation, installation, terminal)."""

    kind: Literal["oneTime"]
    amount: int = _minor("Amount in minor units (fen).")
    charge_event: Literal["activation", "installation", "terminal", "other"] = Field(
        "activation", description="What the charge is for."
    )


class RecurringPrice(_Charge):
    """A charge repeated every ``period_length`` ``period``."""

    kind: Literal["recurring"]
    amount: int = _minor("Amount per period in minor units (fen).")
    period: Period = Field("month", description="The period unit.")
    period_length: int = Field(1, ge=1, le=36, description="Periods between charges.")
    proration: Literal["daily", "fullPeriod", "freePartial"] = Field(
        "daily",
        description="Partial first/last period: charged per day used, charged in full, or free.",
    )
    billing: Literal["advance", "arrears"] = Field("advance", description="When it is billed.")


class Tier(_Model):
    """A usage tier: units above the previous tier's ``up_to`` up to this one's."""

    up_to: int | None = Field(
        None, ge=1, description="Upper bound (inclusive) in billable units; null: no bound."
    )
    unit_price: int = Field(
        ge=0, le=_MAX_MINOR, description="Minor units per `perUnits` units in this tier."
    )
    flat_fee: int = Field(
        0, ge=0, le=_MAX_MINOR, description="Minor units charged once when the tier is reached."
    )


class TimeBand(_Model):
    """A time-of-day band (local time); ``end`` before ``start`` wraps midnight."""

    name: str = Field(min_length=1, max_length=32, description="e.g. night.")
    start: str = Field(description="Local start HH:MM (inclusive).")
    end: str = Field(description="Local end HH:MM (exclusive).")
    percent: int = Field(ge=0, le=10_000, description="Rate in this band, % of the base rate.")

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError("expected HH:MM (00:00 … 23:59)")
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> TimeBand:
        if self.start == self.end:
            raise ValueError("start and end are equal: the band is empty")
        return self

    def minutes(self) -> set[int]:
        s, e = _minute_of(self.start), _minute_of(self.end)
        return set(range(s, e)) if s < e else set(range(s, 1440)) | set(range(0, e))


class Zone(_Model):
    """A destination zone and its rate as a percentage of the base rate."""

    name: str = Field(min_length=1, max_length=32, description="e.g. domestic, hkMacauTaiwan.")
    percent: int = Field(ge=0, le=100_000, description="Rate to this zone, % of the base rate.")


class UsagePrice(_Charge):
    """A usage rate: allowance, tiers, time-of-day bands, destination zones."""

    kind: Literal["usage"]
    unit: UsageUnit = Field(description="Unit the usage is measured in.")
    per_units: int = Field(
        1, ge=1, le=1_000_000, description="Tier prices are per this many units."
    )
    tier_mode: Literal["graduated", "volume"] = Field(
        "graduated",
        description="graduated: each unit at its tier's rate; volume: all units at the rate "
        "of the tier the total falls in.",
    )
    tiers: list[Tier] = Field(min_length=1, max_length=20, description="Ascending tiers.")
    included: int = Field(
        0, ge=0, le=10**15, description="Units included per period before charging."
    )
    time_bands: list[TimeBand] = Field(default_factory=list, max_length=12)
    zones: list[Zone] = Field(default_factory=list, max_length=50)
    timezone: str = Field("Asia/Shanghai", description="IANA zone of the time bands.")

    @model_validator(mode="after")
    def _consistent(self) -> UsagePrice:
        bounds = [t.up_to for t in self.tiers]
        if bounds[-1] is not None:
            raise ValueError("tiers: the last tier must be open (upTo null)")
        closed = bounds[:-1]
        if any(b is None for b in closed):
            raise ValueError("tiers: only the last tier may be open (upTo null)")
        ints = [b for b in closed if b is not None]
        if any(later <= earlier for earlier, later in pairwise(ints)):
            raise ValueError("tiers: upTo must increase strictly")
        seen: set[int] = set()
        for band in self.time_bands:
            minutes = band.minutes()
            if seen & minutes:
                raise ValueError(f"timeBands: '{band.name}' overlaps another band")
            seen |= minutes
        names = [z.name for z in self.zones]
        if len(set(names)) != len(names):
            raise ValueError("zones: names must be unique")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"timezone: unknown time zone '{self.timezone}'") from None
        return self


class AlterationPrice(_Charge):
    """A change to other prices: a bundle discount, an N-month promotion, or a
    fixed-term contract with an early-termination fee."""

    kind: Literal["alteration"]
    alteration: Literal["bundleDiscount", "promotion", "contractTerm"]
    percent: Decimal | None = Field(
        None, ge=0, le=100, description="Discount in % of the altered prices."
    )
    amount_off: int | None = Field(
        None, ge=0, le=_MAX_MINOR, description="Discount in minor units per period."
    )
    months: int | None = Field(
        None, ge=1, le=120, description="Promotion length or contract term in months."
    )
    early_termination_fee: int | None = Field(
        None, ge=0, le=_MAX_MINOR, description="Fee in minor units when a contract ends early."
    )
    etf_policy: Literal["fixed", "proratedRemaining"] | None = Field(
        None, description="Fee charged in full, or pro rata to the months remaining."
    )
    applies_to: list[str] = Field(
        default_factory=list, max_length=50, description="Ids of the prices altered."
    )

    @model_validator(mode="after")
    def _complete(self) -> AlterationPrice:
        if self.alteration in ("bundleDiscount", "promotion"):
            if (self.percent is None) == (self.amount_off is None):
                raise ValueError(f"{self.alteration}: give exactly one of percent, amountOff")
            if not self.applies_to:
                raise ValueError(f"{self.alteration}: appliesTo names the prices it alters")
            if self.early_termination_fee is not None:
                raise ValueError("earlyTerminationFee belongs to a contractTerm")
        if self.alteration == "promotion" and self.months is None:
            raise ValueError("promotion: months is required")
        if self.alteration == "contractTerm":
            if self.months is None or self.early_termination_fee is None:
                raise ValueError("contractTerm: months and earlyTerminationFee are required")
            if self.percent is not None or self.amount_off is not None:
                raise ValueError("contractTerm: no percent or amountOff")
        return self


PriceModel = Annotated[
    OneTimePrice | RecurringPrice | UsagePrice | AlterationPrice, Field(discriminator="kind")
]
PRICE_MODEL: TypeAdapter[OneTimePrice | RecurringPrice | UsagePrice | AlterationPrice] = (
    TypeAdapter(PriceModel)
)

AnyPrice = OneTimePrice | RecurringPrice | UsagePrice | AlterationPrice


def parse_price_model(data: Any) -> AnyPrice:
    """Validate a ``priceModel`` document (raises pydantic's ValidationError)."""
    return PRICE_MODEL.validate_python(data)


def dump_price_model(model: AnyPrice) -> dict[str, Any]:
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


# --------------------------------------------------------------------------- TMF fields


def _money(minor: int, currency: str) -> tuple[str, int]:
    return currency, minor


def tmf_fields(model: AnyPrice) -> dict[str, Any]:
    """The TMF620 attributes of a price derived from its model.

    Returns column-ready values: ``price`` as ``(currency, minor)``.
    """
    rate = TAX_RATES[model.tax_category]
    out: dict[str, Any] = {
        "price_type": None,
        "recurring_charge_period_type": None,
        "recurring_charge_period_length": None,
        "percentage": None,
        "price": None,
        "unit_of_measure": None,
        "tax": [{"taxCategory": model.tax_category, "taxRate": float(rate)}],
        "pop_relationship": None,
        "pricing_logic_algorithm": None,
        "product_offering_term": None,
    }
    if isinstance(model, OneTimePrice):
        out["price_type"] = "oneTime"
        out["price"] = _money(model.amount, model.currency)
    elif isinstance(model, RecurringPrice):
        out["price_type"] = "recurring"
        out["recurring_charge_period_type"] = model.period
        out["recurring_charge_period_length"] = model.period_length
        out["price"] = _money(model.amount, model.currency)
    elif isinstance(model, UsagePrice):
        out["price_type"] = "usage"
        out["unit_of_measure"] = {"amount": model.per_units, "units": model.unit}
        out["price"] = _money(model.tiers[0].unit_price, model.currency)
        out["pricing_logic_algorithm"] = [
            {
                "name": f"{model.tier_mode}Tiers",
                "description": f"{model.tier_mode} tiers after {model.included} included "
                f"{model.unit}; {len(model.time_bands)} time bands, {len(model.zones)} zones",
            }
        ]
    else:
        if model.alteration == "contractTerm":
            out["price_type"] = "penalty"
            out["price"] = _money(model.early_termination_fee or 0, model.currency)
            out["product_offering_term"] = [
                {
                    "name": f"{model.months}-month contract",
                    "duration": {"amount": model.months, "units": "month"},
                }
            ]
        else:
            out["price_type"] = "discount"
            if model.percent is not None:
                out["percentage"] = model.percent
            if model.amount_off is not None:
                out["price"] = _money(model.amount_off, model.currency)
            if model.months is not None:
                out["product_offering_term"] = [
                    {
                        "name": f"{model.months}-month promotion",
                        "duration": {"amount": model.months, "units": "month"},
                    }
                ]
        if model.applies_to:
            out["pop_relationship"] = [
                {"id": ident, "relationshipType": model.alteration} for ident in model.applies_to
            ]
    return out


# --------------------------------------------------------------------------- rating


def _minute_of(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def band_at(price: UsagePrice, at: datetime) -> TimeBand | None:
    """The time band ``at`` falls in (local time of the price), if any."""
    if not price.time_bands:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    local: time = at.astimezone(ZoneInfo(price.timezone)).time()
    minute = local.hour * 60 + local.minute
    for band in price.time_bands:
        if minute in band.minutes():
            return band
    return None


def _tier_cost(price: UsagePrice, billable: int) -> Fraction:
    """Cost in minor units (exact) of ``billable`` units before adjustments."""
    if billable <= 0:
        return Fraction(0)
    per = price.per_units
    if price.tier_mode == "volume":
        for tier in price.tiers:
            if tier.up_to is None or billable <= tier.up_to:
                return Fraction(billable * tier.unit_price, per) + tier.flat_fee
        raise AssertionError("the last tier is open")  # pragma: no cover
    cost = Fraction(0)
    lower = 0
    for tier in price.tiers:
        upper = billable if tier.up_to is None else min(billable, tier.up_to)
        if upper <= lower:
            break
        cost += Fraction((upper - lower) * tier.unit_price, per) + tier.flat_fee
        lower = upper
    return cost


def round_half_even(value: Fraction) -> int:
    """Round an exact amount of minor units to an integer, half to even."""
    return round(value)


def rate_usage(
    price: UsagePrice,
    quantity: int,
    *,
    at: datetime | None = None,
    zone: str | None = None,
) -> int:
    """The charge in minor units for ``quantity`` units used in one rating
    period (the allowance is deducted first), at time ``at`` (time band) to
    ``zone`` (destination zone).

    A price with zones needs a known ``zone``; a price without zones ignores
    it. Percentages of the band and the zone multiply. The result is exact
    and rounded once, half to even.
    """
    if quantity < 0:
        raise ValueError("quantity must not be negative")
    cost = _tier_cost(price, quantity - price.included)
    if at is not None:
        band = band_at(price, at)
        if band is not None:
            cost *= Fraction(band.percent, 100)
    if price.zones:
        if zone is None:
            raise ValueError("this price is zoned: give the destination zone")
        for z in price.zones:
            if z.name == zone:
                cost *= Fraction(z.percent, 100)
                break
        else:
            raise ValueError(
                f"unknown zone '{zone}'; known: {', '.join(z.name for z in price.zones)}"
            )
    return round_half_even(cost)


def prorate(price: RecurringPrice, days_used: int, days_in_period: int) -> int:
    """The recurring charge for a partial period under the proration policy."""
    if not 0 <= days_used <= days_in_period or days_in_period <= 0:
        raise ValueError("need 0 <= days_used <= days_in_period and days_in_period > 0")
    if days_used == days_in_period or price.proration == "fullPeriod":
        return price.amount if days_used else 0
    if price.proration == "freePartial":
        return 0
    return round_half_even(Fraction(price.amount * days_used, days_in_period))


def early_termination_fee(price: AlterationPrice, months_served: int) -> int:
    """The fee when a contract ends after ``months_served`` months."""
    if price.alteration != "contractTerm" or price.months is None:
        raise ValueError("not a contract term")
    fee = price.early_termination_fee or 0
    remaining = max(0, price.months - months_served)
    if remaining == 0:
        return 0
    if price.etf_policy == "proratedRemaining":
        return round_half_even(Fraction(fee * remaining, price.months))
    return fee
