"""Retry delays: exponential back-off with jitter.

Attempt ``n`` (1-based) failed → wait between half and all of
``min(cap, base · 2^(n-1))`` seconds. Doubling spreads the load of a
listener that is down; the jitter keeps a thousand deliveries that failed
together from retrying together.
"""

from __future__ import annotations

import random
from datetime import timedelta

#: Hub deliveries and jobs: 2 s, 4 s, 8 s … capped at one hour.
DEFAULT_BASE_SECONDS = 2.0
DEFAULT_CAP_SECONDS = 3600.0

_rng = random.Random()


def backoff_seconds(
    attempt: int,
    *,
    base: float = DEFAULT_BASE_SECONDS,
    cap: float = DEFAULT_CAP_SECONDS,
    rng: random.Random | None = None,
) -> float:
    """Delay after the ``attempt``-th failure, in ``[ceiling/2, ceiling]``."""
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    ceiling = min(cap, base * 2.0 ** min(attempt - 1, 60))
    return (rng or _rng).uniform(ceiling / 2, ceiling)


def backoff(
    attempt: int, *, base: float = DEFAULT_BASE_SECONDS, cap: float = DEFAULT_CAP_SECONDS
) -> timedelta:
    """:func:`backoff_seconds` as a ``timedelta``."""
    return timedelta(seconds=backoff_seconds(attempt, base=base, cap=cap))
