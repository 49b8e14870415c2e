"""The price model and rating (pure; no database): validation, tiers,
allowances, time bands, zones, proration and early-termination fees."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from openboss.catalog import pricing
from openboss.catalog.pricing import UsagePrice, parse_price_model, rate_usage


def usage(**kw: Any) -> UsagePrice:
    body: dict[str, Any] = {
        "kind": "usage",
        "unit": "minute",
        "taxCategory": "basicTelecom",
        "tiers": [
            {"upTo": 100, "unitPrice": 20},
            {"upTo": 500, "unitPrice": 15},
            {"unitPrice": 10},
        ],
    }
    body.update(kw)
    model = parse_price_model(body)
    assert isinstance(model, UsagePrice)
    return model


def test_graduated_and_volume_tiers_by_hand() -> None:
    graduated = usage(tierMode="graduated")
    volume = usage(tierMode="volume")
    assert rate_usage(graduated, 0) == rate_usage(volume, 0) == 0
    assert rate_usage(graduated, 100) == rate_usage(volume, 100) == 2000
    # 100 at 20, 400 at 15, 100 at 10
    assert rate_usage(graduated, 600) == 2000 + 6000 + 1000
    # all 600 at the rate of the tier 600 falls in
    assert rate_usage(volume, 600) == 6000
    assert rate_usage(volume, 500) == 500 * 15


def test_allowance_per_units_and_rounding() -> None:
    data = usage(
        unit="MB",
        perUnits=1024,
        included=30720,
        tiers=[{"upTo": 10240, "unitPrice": 500}, {"unitPrice": 300}],
    )
    assert rate_usage(data, 30720) == 0
    assert rate_usage(data, 30720 + 1024) == 500
    assert rate_usage(data, 30720 + 512) == 250
    assert rate_usage(data, 30720 + 1) == 0  # 0.488 fen rounds to 0
    assert rate_usage(data, 30720 + 3) == 1  # 1.46 fen rounds to 1
    assert rate_usage(data, 30720 + 10240 + 2048) == 5000 + 600


def test_time_bands_and_zones_multiply() -> None:
    calls = usage(
        tiers=[{"unitPrice": 10}],
        timeBands=[{"name": "night", "start": "23:00", "end": "07:00", "percent": 50}],
        zones=[{"name": "local", "percent": 100}, {"name": "international", "percent": 3000}],
    )
    noon_beijing = datetime(2026, 5, 1, 4, 0, tzinfo=UTC)
    midnight_beijing = datetime(2026, 5, 1, 16, 30, tzinfo=UTC)
    assert rate_usage(calls, 10, at=noon_beijing, zone="local") == 100
    assert rate_usage(calls, 10, at=midnight_beijing, zone="local") == 50
    assert rate_usage(calls, 10, at=midnight_beijing, zone="international") == 1500
    with pytest.raises(ValueError, match="zone"):
        rate_usage(calls, 10, at=noon_beijing)
    with pytest.raises(ValueError, match="unknown zone"):
        rate_usage(calls, 10, at=noon_beijing, zone="moon")
    with pytest.raises(ValueError, match="negative"):
        rate_usage(calls, -1, zone="local")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"tiers": []}, "at least 1"),
        ({"tiers": [{"upTo": 5, "unitPrice": 1}]}, "last tier must be open"),
        ({"tiers": [{"unitPrice": 1}, {"unitPrice": 2}]}, "only the last tier"),
        (
            {"tiers": [{"upTo": 5, "unitPrice": 1}, {"upTo": 5, "unitPrice": 1}, {"unitPrice": 1}]},
            "increase strictly",
        ),
        (
            {
                "timeBands": [
                    {"name": "a", "start": "22:00", "end": "06:00", "percent": 50},
                    {"name": "b", "start": "05:00", "end": "08:00", "percent": 80},
                ]
            },
            "overlaps",
        ),
        ({"timeBands": [{"name": "a", "start": "25:00", "end": "06:00", "percent": 50}]}, "HH:MM"),
        ({"zones": [{"name": "a", "percent": 1}, {"name": "a", "percent": 2}]}, "unique"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"unit": "hour"}, "unit"),
        ({"currency": "XXX"}, "unsupported currency"),
    ],
)
def test_invalid_usage_prices_are_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        usage(**change)


def test_proration_policies() -> None:
    def monthly(policy: str) -> pricing.RecurringPrice:
        model = parse_price_model(
            {"kind": "recurring", "amount": 9900, "proration": policy, "taxCategory": "exempt"}
        )
        assert isinstance(model, pricing.RecurringPrice)
        return model

    assert pricing.prorate(monthly("daily"), 10, 30) == 3300
    assert pricing.prorate(monthly("daily"), 30, 30) == 9900
    assert pricing.prorate(monthly("fullPeriod"), 1, 31) == 9900
    assert pricing.prorate(monthly("freePartial"), 29, 30) == 0
    assert pricing.prorate(monthly("daily"), 0, 30) == 0
    with pytest.raises(ValueError, match="days_used"):
        pricing.prorate(monthly("daily"), 31, 30)


def test_early_termination_fee() -> None:
    def contract(policy: str) -> pricing.AlterationPrice:
        model = parse_price_model(
            {
                "kind": "alteration",
                "alteration": "contractTerm",
                "months": 24,
                "earlyTerminationFee": 60000,
                "etfPolicy": policy,
                "taxCategory": "exempt",
            }
        )
        assert isinstance(model, pricing.AlterationPrice)
        return model

    assert pricing.early_termination_fee(contract("fixed"), 3) == 60000
    assert pricing.early_termination_fee(contract("proratedRemaining"), 6) == 45000
    assert pricing.early_termination_fee(contract("proratedRemaining"), 24) == 0


# --------------------------------------------------------------------------- properties

tier_lists = st.lists(st.integers(min_value=0, max_value=5000), min_size=1, max_size=5).flatmap(
    lambda prices: st.lists(
        st.integers(min_value=1, max_value=1000),
        min_size=len(prices) - 1,
        max_size=len(prices) - 1,
        unique=True,
    ).map(
        lambda bounds: (
            [{"upTo": b, "unitPrice": p} for b, p in zip(sorted(bounds), prices, strict=False)]
            + [{"unitPrice": prices[-1]}]
        )
    )
)


def _per_unit_sum(model: UsagePrice, quantity: int) -> int:
    """Brute force graduated: every unit priced by the tier it falls in."""
    total = 0
    for unit in range(1, quantity - model.included + 1):
        for tier in model.tiers:
            if tier.up_to is None or unit <= tier.up_to:
                total += tier.unit_price
                break
    return total


@given(tiers=tier_lists, quantity=st.integers(0, 2000), included=st.integers(0, 300))
def test_graduated_equals_pricing_each_unit_by_its_tier(
    tiers: list[dict[str, int]], quantity: int, included: int
) -> None:
    model = usage(tiers=tiers, included=included, tierMode="graduated")
    assert rate_usage(model, quantity) == _per_unit_sum(model, quantity)


@given(tiers=tier_lists, quantity=st.integers(0, 2000))
def test_volume_prices_every_unit_at_the_tier_of_the_total(
    tiers: list[dict[str, int]], quantity: int
) -> None:
    model = usage(tiers=tiers, tierMode="volume")
    tier = next(t for t in model.tiers if t.up_to is None or quantity <= t.up_to)
    assert rate_usage(model, quantity) == quantity * tier.unit_price


@given(tiers=tier_lists, a=st.integers(0, 2000), b=st.integers(0, 2000))
def test_graduated_is_monotonic(tiers: list[dict[str, int]], a: int, b: int) -> None:
    model = usage(tiers=tiers, tierMode="graduated")
    low, high = sorted((a, b))
    assert rate_usage(model, low) <= rate_usage(model, high)


@given(
    prices=st.lists(st.integers(0, 5000), min_size=2, max_size=5).map(
        lambda ps: sorted(ps, reverse=True)
    ),
    quantity=st.integers(0, 3000),
)
def test_with_falling_prices_volume_never_exceeds_graduated(
    prices: list[int], quantity: int
) -> None:
    tiers: list[dict[str, Any]] = [
        {"upTo": 100 * (i + 1), "unitPrice": p} for i, p in enumerate(prices[:-1])
    ] + [{"unitPrice": prices[-1]}]
    graduated = rate_usage(usage(tiers=tiers, tierMode="graduated"), quantity)
    volume = rate_usage(usage(tiers=tiers, tierMode="volume"), quantity)
    assert volume <= graduated


@given(price=st.integers(0, 5000), quantity=st.integers(0, 3000))
def test_one_tier_graduated_equals_volume(price: int, quantity: int) -> None:
    tiers = [{"unitPrice": price}]
    assert rate_usage(usage(tiers=tiers, tierMode="graduated"), quantity) == rate_usage(
        usage(tiers=tiers, tierMode="volume"), quantity
    )
