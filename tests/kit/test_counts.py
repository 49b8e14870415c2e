"""Cached list totals stay exact: every committed change moves the table's version."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, insert, text

from openboss.db import Database
from openboss.kit.scope import SYSTEM_SCOPE, Scope
from openboss.kit.tmf.counts import COUNTS, CountCache, trigger_name
from openboss.kit.tmf.query import parse_list_query
from openboss.kit.tmf.resource import RESOURCES
from openboss.sample import repository
from openboss.sample.models import RESOURCE, SampleItem


def _rows(n: int, start: int = 0, region: str | None = None) -> list[dict[str, Any]]:
    return [
        {
            "id": f"item-{start + i:05d}",
            "name": f"item {start + i}",
            "state": "active" if i % 2 else "initialized",
            "quantity": i,
            "region_id": region,
            "created_at": datetime(2026, 1, 1, tzinfo=UTC),
            "updated_at": datetime(2026, 1, 1, tzinfo=UTC),
            "doc": RESOURCE.render_document(
                {
                    "name": f"item {start + i}",
                    "state": "active" if i % 2 else "initialized",
                    "quantity": i,
                }
            ),
        }
        for i in range(n)
    ]


def _list(db: Database, qs: str, scope: Scope = SYSTEM_SCOPE) -> tuple[int, int]:
    with db.read_session() as s:
        page = repository.list_items(
            s, parse_list_query(RESOURCE, list(_params(qs))), scope, "http://t"
        )
    return page.total, page.count


def _params(qs: str) -> list[tuple[str, str]]:
    return [tuple(p.split("=", 1)) for p in qs.split("&") if p]  # type: ignore[misc]


def _statements(db: Database) -> list[str]:
    seen: list[str] = []

    @event.listens_for(db.engine, "before_cursor_execute")
    def record(_c: Any, _cur: Any, statement: str, *_a: Any) -> None:
        seen.append(statement)

    return seen


@pytest.fixture
def pg_db(postgresql_url: str) -> Iterator[Database]:
    """Totals are cached on PostgreSQL only (SQLite counts every time): real commits."""
    db = Database(postgresql_url)
    COUNTS.clear()
    yield db
    with db.engine.begin() as c:
        c.execute(text("DELETE FROM sample_item"))
    db.dispose()


def test_totals_are_cached_until_a_committed_change(pg_db: Database) -> None:
    with pg_db.transaction() as s:
        s.execute(insert(SampleItem), _rows(30))
    assert _list(pg_db, "limit=10") == (30, 10)
    seen = _statements(pg_db)
    assert _list(pg_db, "limit=10") == (30, 10)
    assert len(seen) == 1, "a cached total needs no count statement"
    assert _list(pg_db, "state=active&limit=5") == (15, 5)
    with pg_db.transaction() as s:
        s.execute(insert(SampleItem), _rows(3, start=100))
    assert _list(pg_db, "limit=10") == (33, 10)
    with pg_db.transaction() as s:
        s.execute(text("DELETE FROM sample_item WHERE quantity < 4"))
    assert _list(pg_db, "limit=10") == (26, 10)  # 4 + 3 rows had quantity < 4
    assert _list(pg_db, "state=active&limit=5") == (13, 5)


def test_uncommitted_and_rolled_back_changes_never_reach_the_cache(pg_db: Database) -> None:
    with pg_db.transaction() as s:
        s.execute(insert(SampleItem), _rows(10))
    with pg_db.session() as s:
        s.execute(insert(SampleItem), _rows(5, start=50))
        # another reader meanwhile sees committed rows only, and caches that
        assert _list(pg_db, "limit=3") == (10, 3)
        s.rollback()
    assert _list(pg_db, "limit=3") == (10, 3)


def test_scope_is_part_of_the_cache_key(pg_db: Database) -> None:
    with pg_db.transaction() as s:
        s.execute(insert(SampleItem), _rows(4, region="gz") + _rows(6, start=10, region="sz"))
    assert _list(pg_db, "limit=2", Scope(regions=frozenset({"gz"}))) == (4, 2)
    assert _list(pg_db, "limit=2", Scope(regions=frozenset({"sz"}))) == (6, 2)
    assert _list(pg_db, "limit=2") == (10, 2)


def test_every_versioned_resource_has_its_trigger(pg_db: Database) -> None:
    with pg_db.engine.connect() as c:
        triggers = set(c.execute(text("SELECT tgname FROM pg_trigger")).scalars())
    versioned = [r for r in RESOURCES if r.versioned_count]
    assert versioned, "the sample resource opts in"
    missing = [r.name for r in versioned if trigger_name(r.table.name) not in triggers]  # type: ignore[attr-defined]
    assert missing == [], f"versioned_count without the trigger migration: {missing}"


def test_cache_is_bounded_and_versioned() -> None:
    cache = CountCache(size=2)
    cache.put("a", 1, 10)
    assert cache.get("a", 1) == 10
    assert cache.get("a", 2) is None
    cache.put("b", 1, 20)
    cache.put("c", 1, 30)
    assert cache.get("a", 1) is None
    assert cache.get("c", 1) == 30
