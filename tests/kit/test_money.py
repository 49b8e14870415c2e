from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openboss.kit.errors import ValidationFailed
from openboss.kit.money import Money


def test_from_decimal_rounds_half_even() -> None:
    assert Money.from_decimal("0.125").minor == 12
    assert Money.from_decimal("0.135").minor == 14
    assert Money.from_decimal("12.34").minor == 1234
    assert Money.from_decimal("5", "JPY").minor == 5


def test_currencies_do_not_mix() -> None:
    with pytest.raises(ValidationFailed, match="cannot combine CNY with USD"):
        _ = Money(1, "CNY") + Money(1, "USD")
    with pytest.raises(ValidationFailed, match="unsupported currency"):
        Money(1, "XXX")


def test_tmf_shape() -> None:
    assert Money(1234).to_tmf() == {"unit": "CNY", "value": 12.34}
    assert str(Money(-5)) == "-0.05 CNY"


@given(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=12).filter(
        lambda r: sum(r) > 0
    ),
)
def test_allocation_always_adds_back_to_the_whole(amount: int, ratios: list[int]) -> None:
    parts = Money(amount).allocate(ratios)
    assert sum(p.minor for p in parts) == amount
    assert len(parts) == len(ratios)
    # no part deviates from its exact share by a whole unit or more
    total = sum(ratios)
    for part, ratio in zip(parts, ratios, strict=True):
        assert abs(Decimal(part.minor) - Decimal(amount) * ratio / total) < 1 + Decimal(len(ratios))


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2))
def test_decimal_round_trip(value: Decimal) -> None:
    assert Money.from_decimal(value).to_decimal() == value
