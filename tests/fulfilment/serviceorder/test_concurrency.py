"""Two items a third one depends on close at the same time in two workers
(PostgreSQL, real transactions): the dependant starts exactly once."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from openboss.db.engine import Database
from openboss.fulfilment.engine import service as engine
from openboss.fulfilment.serviceorder import service as so
from tests.fulfilment.serviceorder.conftest import BARRIER, BPMN, request


def test_a_dependant_of_two_items_closing_at_once_starts(
    committed_database: Database, db_url: str
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writing transactions: the race cannot happen")
    with committed_database.transaction() as s:
        engine.deploy(s, BPMN.read_bytes(), source="test")
        a, b, d = so.submit(
            s,
            [
                request("1", process_key="soTestBarrier"),
                request("2", process_key="soTestBarrier", product_id="PRD-2"),
                request("3", depends_on=("1", "2"), product_id="PRD-3"),
            ],
        )
    assert d["state"] == "held"
    errors: list[BaseException] = []
    BARRIER.append(threading.Barrier(2))

    def work(order: dict[str, Any]) -> None:
        try:
            with committed_database.transaction() as s:
                engine.run(s, order["processInstanceId"])
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(o,)) for o in (a, b)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        BARRIER.clear()
    assert not errors, errors
    with committed_database.transaction() as s:
        states = {o["id"]: o for o in so.service_orders_of(s, "PO-1")}
        assert states[a["id"]]["state"] == states[b["id"]]["state"] == "completed"
        assert states[d["id"]]["state"] == "inProgress"
        assert len(engine.instances_of(s, d["id"])) == 1
