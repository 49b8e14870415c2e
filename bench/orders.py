"""Order benchmark (issue 6): instant-activation orders end to end through the engine.

What it does, on PostgreSQL (a fresh database) and on SQLite (a file), each
with the demo operator loaded (catalog, customers, number pools, flows):

1. **throughput** — ``--workers`` ``openboss worker`` processes run while the
   benchmark places ``--orders`` TMF622 orders for the instant ``Mobile 5G 59``
   offering (order capture: validation, credit check, pricing, hand-off to
   fulfilment, SLA clock, notification) in transactions of ``--batch``; the
   worker processes run each order's ``mobile-activation`` process (number →
   HLR/HSS → IMS → inventory). Orders/s = orders / (first order placed → last
   order completed); capture/s alone is reported too.
2. **latency** — orders placed one per transaction at ``--rate`` orders/s for
   ``--seconds`` while the workers run; order-to-completed time of each order
   (``completionDate`` − ``orderDate``): p50, p95, p99, max.
3. **per step** — mean and p95 ms per service task from the engine's task
   log, and the stored bytes per completed order (process instance row and its
   task log).

Numbers go to ``bench/results/orders.json`` and are printed. Targets (issue 6):
≥ 200 orders/s on PostgreSQL, ≥ 100/s on SQLite, p99 ≤ 2 s at 50 orders/s.

    .venv/bin/python bench/orders.py [--orders 1000] [--workers 2] [--rate 50]
                                     [--seconds 20] [--only sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text

ROOT = Path(__file__).resolve().parent.parent
# bench/resource.py would shadow the standard library's ``resource`` module
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

from openboss.app import load_domains  # noqa: E402
from openboss.db import Database  # noqa: E402
from openboss.db.migrate import upgrade  # noqa: E402
from openboss.db.registry import import_all_models  # noqa: E402
from openboss.kit.scope import SYSTEM_SCOPE  # noqa: E402

RESULTS = ROOT / "bench" / "results"
ADMIN_URL = os.environ.get(
    "OPENBOSS_BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
OFFERING = "po-mobile-5g-59"


def _pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return round(ordered[k], 1)


def _prepare(url: str) -> tuple[Database, Any]:
    upgrade(url)
    db = Database(url)
    from openboss.demo import load_demo
    from openboss.ordering.schemas import ProductOrderCreate
    from openboss.party.customer.search import search_customers

    with db.transaction(actor="bench") as s:
        load_demo(s, customers=0)
    if db.engine.dialect.name == "postgresql":
        # planner statistics after the bulk load, as autovacuum gives a real database; without
        # them the next free number is found by walking the primary key (33 ms instead of 1)
        with db.engine.connect() as c:
            c.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    with db.transaction(actor="bench") as s:
        customer = search_customers(s, SYSTEM_SCOPE, "DEMO-HH-1")[0].id
        account = s.execute(
            text("SELECT id FROM billing_account WHERE customer_id = :c AND state = 'active'"),
            {"c": customer},
        ).scalar_one()
    body = ProductOrderCreate.model_validate(
        {
            "relatedParty": [{"id": customer, "role": "customer", "@referredType": "Customer"}],
            "billingAccount": {"id": account},
            "notificationContact": "13800138000",
            "productOrderItem": [{"id": "1", "action": "add", "productOffering": {"id": OFFERING}}],
        }
    )
    return db, body


def _workers(url: str, n: int, log: Path) -> list[subprocess.Popen[bytes]]:
    env = dict(os.environ)
    env.update(
        OPENBOSS_DATABASE_URL=url, OPENBOSS_LOG_LEVEL="WARNING", OPENBOSS_WORKER_POLL_SECONDS="0.02"
    )
    out = log.open("ab")
    return [
        subprocess.Popen(
            [sys.executable, "-m", "openboss", "worker", "--name", f"bench-{i}"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        for i in range(n)
    ]


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(60)
        except subprocess.TimeoutExpired:
            p.kill()


def _count(db: Database, state: str) -> int:
    with db.engine.connect() as c:
        return int(
            c.execute(
                text("SELECT count(*) FROM product_order WHERE state = :s"), {"s": state}
            ).scalar_one()
        )


def _wait_completed(db: Database, total: int, procs: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + 1800
    while _count(db, "completed") < total:
        for p in procs:
            if p.poll() is not None:
                raise SystemExit(f"a worker died with {p.returncode}")
        if time.monotonic() > deadline:
            raise SystemExit("orders did not complete in 30 minutes")
        time.sleep(0.05)


def _throughput(db: Database, body: Any, url: str, args: argparse.Namespace, log: Path) -> dict:
    from openboss.ordering import service as ordering

    before = _count(db, "completed")
    procs = _workers(url, args.workers, log)
    try:
        time.sleep(3)  # the workers import every domain first
        t0 = time.perf_counter()
        placed = 0
        while placed < args.orders:
            n = min(args.batch, args.orders - placed)
            with db.transaction(actor="bench") as s:
                for _ in range(n):
                    ordering.create_order(s, SYSTEM_SCOPE, body)
            placed += n
        captured = time.perf_counter() - t0
        _wait_completed(db, before + args.orders, procs)
        total = time.perf_counter() - t0
    finally:
        _stop(procs)
    return {
        "orders": args.orders,
        "workers": args.workers,
        "captureSeconds": round(captured, 2),
        "capturePerSecond": round(args.orders / captured, 1),
        "endToEndSeconds": round(total, 2),
        "ordersPerSecond": round(args.orders / total, 1),
    }


def _latency(db: Database, body: Any, url: str, args: argparse.Namespace, log: Path) -> dict:
    from openboss.ordering import service as ordering

    before = _count(db, "completed")
    procs = _workers(url, args.workers, log)
    ids: list[str] = []
    try:
        time.sleep(3)
        n = int(args.rate * args.seconds)
        t0 = time.perf_counter()
        late = 0
        for i in range(n):
            due = t0 + i / args.rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            elif pause < -0.5:
                late += 1
            with db.transaction(actor="bench") as s:
                ids.append(str(ordering.create_order(s, SYSTEM_SCOPE, body)["id"]))
        offered = n / (time.perf_counter() - t0)
        _wait_completed(db, before + n, procs)
    finally:
        _stop(procs)
    from openboss.ordering.models import ProductOrder

    waits = []
    with db.session() as s:
        for chunk in range(0, len(ids), 500):
            part = ids[chunk : chunk + 500]
            rows = s.execute(
                select(ProductOrder.created_at, ProductOrder.completion_date).where(
                    ProductOrder.id.in_(part)
                )
            ).all()
            waits += [(done - created).total_seconds() * 1000 for created, done in rows if done]
    return {
        "targetRate": args.rate,
        "offeredRate": round(offered, 1),
        "ordersLate": late,
        "orders": len(waits),
        "p50Ms": _pct(waits, 50),
        "p95Ms": _pct(waits, 95),
        "p99Ms": _pct(waits, 99),
        "maxMs": round(max(waits), 1) if waits else 0.0,
    }


def _steps(db: Database) -> dict:
    with db.engine.connect() as c:
        rows = c.execute(
            text(
                "SELECT coalesce(implementation, task_type), duration_ms FROM process_task_log"
                " WHERE task_type = 'ServiceTask' OR implementation IS NOT NULL"
            )
        ).all()
        instances = int(
            c.execute(
                text("SELECT count(*) FROM process_instance WHERE status = 'completed'")
            ).scalar_one()
        )
        inst_bytes = c.execute(
            text(
                "SELECT avg(length(coalesce(state, ''))), avg(length(CAST(data AS TEXT)))"
                " FROM process_instance WHERE status = 'completed'"
            )
        ).one()
        log_rows = int(c.execute(text("SELECT count(*) FROM process_task_log")).scalar_one())
    by: dict[str, list[float]] = {}
    for name, ms in rows:
        by.setdefault(str(name), []).append(float(ms))
    return {
        "perStepMs": {
            name: {"mean": round(statistics.fmean(v), 2), "p95": _pct(v, 95), "n": len(v)}
            for name, v in sorted(by.items())
        },
        "storedInstance": {
            "stateBytes": round(float(inst_bytes[0] or 0), 1),
            "dataBytes": round(float(inst_bytes[1] or 0), 1),
            "taskLogRowsPerInstance": round(log_rows / instances, 1) if instances else 0,
        },
    }


def _run(kind: str, url: str, args: argparse.Namespace) -> dict:
    log = Path(tempfile.gettempdir()) / f"openboss-bench-orders-{kind}.log"
    log.unlink(missing_ok=True)
    t = time.perf_counter()
    db, body = _prepare(url)
    prepared = time.perf_counter() - t
    try:
        out = {
            "database": kind,
            "demoLoadSeconds": round(prepared, 1),
            "throughput": _throughput(db, body, url, args, log),
            "latency": _latency(db, body, url, args, log),
        }
        out.update(_steps(db))
        return out
    finally:
        db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    import_all_models()
    load_domains()
    results: dict[str, Any] = {
        "benchmark": "orders",
        "offering": OFFERING,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "loadAverage1mAtStart": round(os.getloadavg()[0], 2),
        "targets": {"postgresqlPerSecond": 200, "sqlitePerSecond": 100, "p99MsAt50PerSecond": 2000},
        "runs": [],
    }
    if args.only in (None, "postgresql"):
        name = f"openboss_bench_orders_{uuid.uuid4().hex[:8]}"
        admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
            results["runs"].append(_run("postgresql", url, args))
        finally:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            results["runs"].append(_run("sqlite", f"sqlite:///{tmp}/bench.db", args))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "orders.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
