from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from openboss.kit import clock
from openboss.kit.ids import new_id, uuid7


def test_uuid7_is_version_7_and_strictly_increasing() -> None:
    ids = [uuid7() for _ in range(5000)]
    assert all(i.version == 7 for i in ids)
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert uuid.UUID(new_id()).version == 7


def test_frozen_clock_moves_only_when_told() -> None:
    frozen = clock.FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
    clock.set_clock(frozen)
    try:
        assert clock.utcnow() == datetime(2026, 1, 1, tzinfo=UTC)
        frozen.advance(hours=48)
        assert clock.utcnow() == datetime(2026, 1, 3, tzinfo=UTC)
    finally:
        clock.set_clock(None)
    assert clock.utcnow().year >= 2026
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.FrozenClock(datetime(2026, 1, 1))
