"""Retry delays (pure logic)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openboss.worker.backoff import backoff, backoff_seconds


@given(attempt=st.integers(1, 200), seed=st.integers(0, 2**32))
def test_delay_lies_between_half_and_all_of_the_capped_doubling(attempt: int, seed: int) -> None:
    ceiling = min(3600.0, 2.0 * 2 ** (attempt - 1))
    delay = backoff_seconds(attempt, rng=random.Random(seed))
    assert ceiling / 2 <= delay <= ceiling


@given(attempt=st.integers(1, 30))
def test_ceilings_never_decrease(attempt: int) -> None:
    # With the same random draw, a later attempt never waits less.
    a = backoff_seconds(attempt, rng=random.Random(7))
    b = backoff_seconds(attempt + 1, rng=random.Random(7))
    assert b >= a


def test_jitter_spreads_retries() -> None:
    rng = random.Random(1)
    delays = {round(backoff_seconds(10, rng=rng), 3) for _ in range(50)}
    assert len(delays) > 40


def test_custom_base_and_cap_and_timedelta() -> None:
    assert 0.5 <= backoff_seconds(1, base=1.0, cap=600.0) <= 1.0
    assert backoff_seconds(50, base=1.0, cap=600.0) <= 600.0
    assert 1.0 <= backoff(1).total_seconds() <= 2.0
    with pytest.raises(ValueError, match="attempt"):
        backoff_seconds(0)
