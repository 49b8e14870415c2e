"""Crash safety of order fulfilment (issue 6, "Done when"): a worker killed with
SIGKILL while 1,000 instant orders are in flight loses none and activates none
twice.

The world is the demo operator on a fresh PostgreSQL database. 1,000 TMF622
orders for the instant ``Mobile 5G 59`` offering are accepted (each hands one
service order and one ``mobile-activation`` process instance to fulfilment),
then ``openboss worker`` runs as a real process and is killed with SIGKILL
part-way. A second worker process finishes the work after the dead one's
leases expire. Every order must end ``completed`` with its product active, and
the activation call log must hold exactly one effective HLR activation per
service — the element state and the call log commit in the same transaction as
the process step, and each step is keyed (``ctx.key``), so the steps the dead
worker had begun are re-run, not repeated.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from openboss.db import Database
from openboss.fulfilment.activation import service as activation
from openboss.kit.scope import SYSTEM_SCOPE

ORDERS = 1000
BATCH = 100
#: The process lease of the engine's runner; the second worker takes over after it.
SETTLE_SECONDS = 900


def _world(db: Database) -> tuple[str, str]:
    from openboss.demo import load_demo
    from openboss.party.customer.search import search_customers

    with db.transaction(actor="test") as s:
        load_demo(s, customers=0)
    with db.transaction(actor="test") as s:
        customer = search_customers(s, SYSTEM_SCOPE, "DEMO-HH-1")[0].id
        account = s.execute(
            text("SELECT id FROM billing_account WHERE customer_id = :c AND state = 'active'"),
            {"c": customer},
        ).scalar_one()
    return customer, str(account)


def _place_orders(db: Database, customer: str, account: str) -> list[str]:
    from openboss.ordering import service as ordering
    from openboss.ordering.schemas import ProductOrderCreate

    body = ProductOrderCreate.model_validate(
        {
            "relatedParty": [{"id": customer, "role": "customer", "@referredType": "Customer"}],
            "billingAccount": {"id": account},
            "notificationContact": "13800138000",
            "productOrderItem": [
                {"id": "1", "action": "add", "productOffering": {"id": "po-mobile-5g-59"}}
            ],
        }
    )
    ids: list[str] = []
    for _ in range(ORDERS // BATCH):
        with db.transaction(actor="test") as s:
            for _ in range(BATCH):
                ids.append(str(ordering.create_order(s, SYSTEM_SCOPE, body)["id"]))
    return ids


def _states(db: Database) -> Counter[str]:
    with db.engine.connect() as c:
        rows = c.execute(text("SELECT state, count(*) FROM product_order GROUP BY state")).all()
    return Counter({str(state): int(n) for state, n in rows})


def _worker(url: str, log: Path, name: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        OPENBOSS_DATABASE_URL=url,
        OPENBOSS_LOG_LEVEL="WARNING",
        # a short lease so that the second worker takes the dead one's instances soon
        OPENBOSS_WORKER_LEASE_SECONDS="10",
    )
    out = log.open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "openboss", "worker", "--name", name],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_sigkill_with_1000_instant_orders_in_flight(
    committed_database: Database, db_url: str, tmp_path: Path
) -> None:
    db = committed_database
    customer, account = _world(db)
    ids = _place_orders(db, customer, account)
    assert len(set(ids)) == ORDERS
    assert _states(db)["inProgress"] == ORDERS

    log = tmp_path / "worker.log"
    first = _worker(db_url, log, "crash-1")
    try:
        deadline = time.monotonic() + SETTLE_SECONDS
        while _states(db)["completed"] < ORDERS // 10:
            assert first.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the worker completes no orders"
            time.sleep(0.05)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(30)
    killed_at = _states(db)
    assert killed_at["completed"] < ORDERS, "the kill came too late to prove anything"

    second = _worker(db_url, log, "crash-2")
    try:
        deadline = time.monotonic() + SETTLE_SECONDS
        while _states(db)["completed"] < ORDERS:
            assert second.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, f"not finished: {_states(db)}"
            time.sleep(0.2)
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(60)
        except subprocess.TimeoutExpired:
            second.kill()

    assert _states(db) == Counter({"completed": ORDERS})
    with db.transaction(actor="test") as s:
        hlr = [c for c in activation.call_log(s, element="hlr") if c["outcome"] == "done"]
        activations = Counter(c["serviceId"] for c in hlr if c["command"] == "activate")
        assert len(activations) == ORDERS
        assert set(activations.values()) == {1}, activations.most_common(3)
        assert all(c["command"] == "activate" for c in hlr)
        products = s.execute(
            text("SELECT status, count(*) FROM inventory_product GROUP BY status")
        ).all()
        assert dict(products) == {"active": ORDERS}
        from openboss.fulfilment.engine.models import ProcessInstance

        statuses = dict(
            s.execute(
                select(ProcessInstance.status, func.count()).group_by(ProcessInstance.status)
            ).all()
        )
        assert statuses == {"completed": ORDERS}
