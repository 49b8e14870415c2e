"""The price summary of a product order (eTOM 1.1.1.5 order handling: what
the customer pays), from the catalog prices of each item's offering.

Every amount is integer minor units (fen) with its currency; tax follows the
price's VAT category (:data:`openboss.catalog.pricing.TAX_RATES`). A price
given tax-included keeps its amount as ``taxIncludedAmount`` and derives the
duty-free amount (rounded half-even once); a price given without tax derives
the tax-included amount the same way.

* One-time and recurring prices of an item's offering become ``itemPrice``
  entries (``OrderPrice``); usage prices are rated by billing later and are
  not part of the order's totals.
* A bundle's alterations that apply at order time alter the member prices
  they name (``appliesTo``): a ``bundleDiscount`` for good, a ``promotion``
  for its first months (``applicationDuration``). They are applied in the
  bundle's order, each on the amount the previous left, rounded half-even to
  minor units, and listed as ``priceAlteration`` of the altered price. A
  ``contractTerm`` becomes the bundle item's ``itemTerm``.
* ``itemTotalPrice`` sums an item's prices (a bundle: its members') per
  price type, period and currency; ``orderTotalPrice`` sums the items.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from pydantic import ValidationError

from openboss.catalog import pricing
from openboss.kit.money import minor_digits


@dataclass
class Line:
    """One price of one item, after alterations."""

    price_id: str
    name: str
    price_type: str  # oneTime | recurring
    period: str | None
    currency: str
    tax_rate: Decimal
    tax_included: bool
    list_minor: int
    minor: int
    alterations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def included_minor(self) -> int:
        if self.tax_included:
            return self.minor
        return pricing.round_half_even(Fraction(self.minor) * (1 + Fraction(self.tax_rate)))

    @property
    def duty_free_minor(self) -> int:
        if not self.tax_included:
            return self.minor
        return pricing.round_half_even(Fraction(self.minor) / (1 + Fraction(self.tax_rate)))


@dataclass(frozen=True, slots=True)
class Total:
    price_type: str
    period: str | None
    currency: str
    included_minor: int
    duty_free_minor: int


def money(minor: int, currency: str) -> dict[str, Any]:
    """A TMF ``Money``: the exact decimal amount as a JSON number."""
    digits = minor_digits(currency)
    value = Decimal(minor).scaleb(-digits)
    return {"unit": currency, "value": float(value)}


def lines_of(
    prices: Iterable[Mapping[str, Any]], alterations: Sequence[Mapping[str, Any]] = ()
) -> list[Line]:
    """The one-time and recurring prices of an offering, altered by
    ``alterations`` (price documents of the bundle's alteration prices)."""
    out: list[Line] = []
    for doc in prices:
        model = _model(doc)
        if not isinstance(model, pricing.OneTimePrice | pricing.RecurringPrice):
            continue
        is_recurring = isinstance(model, pricing.RecurringPrice)
        line = Line(
            price_id=str(doc.get("id")),
            name=str(doc.get("name") or doc.get("id")),
            price_type="recurring" if is_recurring else "oneTime",
            period=model.period if isinstance(model, pricing.RecurringPrice) else None,
            currency=model.currency,
            tax_rate=pricing.TAX_RATES[model.tax_category],
            tax_included=model.tax_included,
            list_minor=model.amount,
            minor=model.amount,
        )
        priority = 0
        for alt_doc in alterations:
            alt = _model(alt_doc)
            if not isinstance(alt, pricing.AlterationPrice) or alt.alteration == "contractTerm":
                continue
            if line.price_id not in alt.applies_to or alt.currency != line.currency:
                continue
            before = line.minor
            if alt.percent is not None:
                after = pricing.round_half_even(
                    Fraction(before) * (100 - Fraction(alt.percent)) / 100
                )
            else:
                after = max(0, before - (alt.amount_off or 0))
            priority += 1
            entry: dict[str, Any] = {
                "name": str(alt_doc.get("name") or alt_doc.get("id")),
                "priceType": line.price_type,
                "priority": priority,
                "productOfferingPrice": {"id": str(alt_doc.get("id"))},
                "price": {"taxIncludedAmount": money(after - before, line.currency)},
                "@type": "PriceAlteration",
            }
            if alt.percent is not None:
                entry["price"]["percentage"] = float(alt.percent)
            if line.period:
                entry["recurringChargePeriod"] = line.period
            if alt.alteration == "promotion" and alt.months is not None:
                entry["applicationDuration"] = alt.months
            line.alterations.append(entry)
            line.minor = after
        out.append(line)
    return out


def terms_of(alterations: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``itemTerm`` entries: the contract terms among a bundle's alteration prices."""
    out = []
    for doc in alterations:
        model = _model(doc)
        if isinstance(model, pricing.AlterationPrice) and model.alteration == "contractTerm":
            out.append(
                {
                    "name": str(doc.get("name") or doc.get("id")),
                    "duration": {"amount": model.months, "units": "month"},
                    "@type": "OrderTerm",
                }
            )
    return out


def is_alteration(doc: Mapping[str, Any]) -> bool:
    return isinstance(_model(doc), pricing.AlterationPrice)


def _model(doc: Mapping[str, Any]) -> pricing.AnyPrice | None:
    raw = doc.get("priceModel")
    if raw is None:
        return None
    try:
        return pricing.parse_price_model(raw)
    except ValidationError:
        return None


def order_price(line: Line) -> dict[str, Any]:
    """A TMF ``OrderPrice`` for one line."""
    price: dict[str, Any] = {
        "taxIncludedAmount": money(line.included_minor, line.currency),
        "dutyFreeAmount": money(line.duty_free_minor, line.currency),
        "taxRate": float(line.tax_rate),
        "@type": "Price",
    }
    out: dict[str, Any] = {
        "name": line.name,
        "priceType": line.price_type,
        "productOfferingPrice": {"id": line.price_id, "name": line.name},
        "price": price,
        "@type": "OrderPrice",
    }
    if line.period:
        out["recurringChargePeriod"] = line.period
    if line.alterations:
        out["priceAlteration"] = line.alterations
    return out


def totals(lines: Iterable[Line]) -> list[Total]:
    """Sums per price type, period and currency (one-time first)."""
    sums: dict[tuple[str, str | None, str], list[int]] = {}
    for line in lines:
        key = (line.price_type, line.period, line.currency)
        acc = sums.setdefault(key, [0, 0])
        acc[0] += line.included_minor
        acc[1] += line.duty_free_minor
    ordered = sorted(sums.items(), key=lambda kv: (kv[0][0] != "oneTime", kv[0][1] or "", kv[0][2]))
    return [Total(t, p, c, inc, free) for (t, p, c), (inc, free) in ordered]


def total_prices(lines: Iterable[Line]) -> list[dict[str, Any]]:
    """``itemTotalPrice`` / ``orderTotalPrice`` entries."""
    out = []
    for t in totals(lines):
        entry: dict[str, Any] = {
            "name": "Total " + ("one-time" if t.price_type == "oneTime" else t.price_type),
            "priceType": t.price_type,
            "price": {
                "taxIncludedAmount": money(t.included_minor, t.currency),
                "dutyFreeAmount": money(t.duty_free_minor, t.currency),
                "@type": "Price",
            },
            "@type": "OrderPrice",
        }
        if t.period:
            entry["recurringChargePeriod"] = t.period
        out.append(entry)
    return out


def total_json(t: Total) -> dict[str, Any]:
    """A total in minor units (the console wizard and tests read these)."""
    return {
        "priceType": t.price_type,
        "recurringChargePeriod": t.period,
        "currency": t.currency,
        "taxIncludedMinor": t.included_minor,
        "dutyFreeMinor": t.duty_free_minor,
        "taxMinor": t.included_minor - t.duty_free_minor,
    }
