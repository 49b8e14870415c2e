"""Concurrent allocators of one IP pool and one warehouse never get the same
address or CPE (real transactions, one per thread)."""

from __future__ import annotations

import threading

from sqlalchemy import select

from openboss.db import Database
from openboss.kit.errors import Conflict
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.resource.inventory.models import Resource
from openboss.resource.pools import common, ip, stock

THREADS = 12


def _run(committed_database: Database, work: object) -> tuple[list[str], list[str]]:
    got: list[str] = []
    failed: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def one() -> None:
        start.wait()
        try:
            with committed_database.session() as s:
                value = work(s)  # type: ignore[operator]
                s.commit()
            with lock:
                got.append(value)
        except Conflict as exc:
            with lock:
                failed.append(exc.message)

    threads = [threading.Thread(target=one) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return got, failed


def test_parallel_address_allocation(committed_database: Database) -> None:
    with committed_database.session() as s:
        common.ensure_specs(s)
        pool_id = ip.create_pool(s, SYSTEM_SCOPE, cidr="100.64.0.0/24", purpose="dynamic").id
        s.commit()
    got, failed = _run(committed_database, lambda s: ip.allocate(s, SYSTEM_SCOPE, pool_id).value)
    assert failed == [] and len(got) == THREADS and len(set(got)) == THREADS
    with committed_database.session() as s:
        values = s.scalars(select(Resource.value).where(Resource.parent_id == pool_id)).all()
    assert sorted(values) == sorted(got)


def test_parallel_issue_of_scarce_stock(committed_database: Database) -> None:
    with committed_database.session() as s:
        common.ensure_specs(s)
        house = stock.create_warehouse(s, SYSTEM_SCOPE, code="W", name="W", region_id=None)
        stock.receive(
            s, SYSTEM_SCOPE, house.id, model="M", kind="ont", serials=[f"S{i:04}" for i in range(5)]
        )
        house_id = house.id
        s.commit()
    got, failed = _run(
        committed_database,
        lambda s: stock.issue(s, SYSTEM_SCOPE, house_id, kind="ont").value,
    )
    assert len(got) == 5 and len(set(got)) == 5 and len(failed) == THREADS - 5
