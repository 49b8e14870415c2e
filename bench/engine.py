"""Process-engine benchmark: instances of a 5-service-task process run by the runner.

What it does:

1. creates a fresh PostgreSQL database (or uses ``--sqlite``), migrates it and
   deploys a process ``benchFive`` of five service tasks with no-op handlers;
2. starts ``--instances`` instances in batches (one transaction per batch,
   as order capture would);
3. runs them with ``--workers`` runner threads (each a worker:
   claim a batch with ``FOR UPDATE SKIP LOCKED``, advance each instance in its
   own transaction) until all are completed;
4. writes ``bench/results/engine.json``: instances/s (start and run separately,
   and end to end), mean and p95 per service-task ms (from the task log),
   mean run transaction ms, stored bytes per instance (state while waiting,
   the instance row and its task log once completed); prints it.

    .venv/bin/python bench/engine.py [--instances 2000] [--workers 2] [--sqlite]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text

ROOT = Path(__file__).resolve().parent.parent
# bench/resource.py would shadow the standard library's ``resource`` module
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

from openboss.db import Database  # noqa: E402
from openboss.db.migrate import upgrade  # noqa: E402
from openboss.fulfilment.engine import runner, service  # noqa: E402
from openboss.fulfilment.engine.handlers import TaskContext, service_task  # noqa: E402
from openboss.fulfilment.engine.models import ProcessInstance, ProcessTaskLog  # noqa: E402

RESULTS = ROOT / "bench" / "results"
ADMIN_URL = os.environ.get(
    "OPENBOSS_BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
STEPS = ("validate", "reserve", "radius", "inventory", "notify")


def _bpmn(wait: bool = False) -> str:
    tasks = "".join(
        f'<bpmn:serviceTask id="{s}" name="{s.title()}" implementation="bench.{s}"/>' for s in STEPS
    )
    chain = ["start", *STEPS]
    if wait:
        tasks += (
            '<bpmn:intermediateCatchEvent id="wait">'
            '<bpmn:messageEventDefinition messageRef="m"/></bpmn:intermediateCatchEvent>'
        )
        chain.append("wait")
    chain.append("end")
    flows = "".join(
        f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>'
        for i, (a, b) in enumerate(itertools.pairwise(chain))
    )
    key = "benchWait" if wait else "benchFive"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'id="bench" targetNamespace="http://openboss.org/bench">'
        '<bpmn:message id="m" name="benchMessage"/>'
        f'<bpmn:process id="{key}" isExecutable="true"><bpmn:startEvent id="start"/>'
        f'{tasks}<bpmn:endEvent id="end"/>{flows}</bpmn:process></bpmn:definitions>'
    )


def _noop(ctx: TaskContext) -> None:
    ctx.data[ctx.task_id] = "ok"


for _step in STEPS:
    service_task(f"bench.{_step}")(_noop)


def _database(args: argparse.Namespace) -> tuple[str, Any]:
    if args.sqlite:
        path = Path(tempfile.mkdtemp()) / "engine-bench.db"
        url = f"sqlite:///{path}"
        upgrade(url)
        return url, lambda: None
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"openboss_bench_engine_{uuid.uuid4().hex[:8]}"
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    upgrade(url)

    def drop() -> None:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def _pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--instances", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--sqlite", action="store_true")
    args = ap.parse_args()
    url, drop = _database(args)
    db = Database(url, pool_size=args.workers + 2)
    try:
        with db.transaction() as s:
            service.deploy(s, _bpmn(), source="bench")
            service.deploy(s, _bpmn(wait=True), source="bench")
            # warm the spec cache and the code paths
            iid = service.start(s, "benchFive", business_key="warm", data={}).id
            service.run(s, iid)
        t0 = time.perf_counter()
        for b in range(0, args.instances, args.batch):
            with db.transaction() as s:
                for i in range(b, min(args.instances, b + args.batch)):
                    service.start(
                        s,
                        "benchFive",
                        business_key=f"SO-{i}",
                        data={"order": f"PO-{i}", "offering": "FTTH-300", "region": "GZ"},
                    )
        started = time.perf_counter() - t0

        run_times: list[float] = []
        lock = threading.Lock()

        def work(name: str) -> None:
            while True:
                ids = runner.claim_due(
                    db, worker=name, lease=runner.timedelta(seconds=60), limit=args.batch
                )
                if not ids:
                    return
                done = 0
                while done < len(ids):
                    t = time.perf_counter()
                    n = runner.run_claimed_batch(db, ids[done:], worker=name)
                    done += n
                    with lock:
                        run_times.append((time.perf_counter() - t) * 1000)

        t1 = time.perf_counter()
        cpu1 = time.process_time()
        threads = [threading.Thread(target=work, args=(f"bench-{i}",)) for i in range(args.workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ran = time.perf_counter() - t1
        run_cpu = time.process_time() - cpu1
        load = os.getloadavg()[0]

        with db.transaction() as s:
            done = s.scalar(
                select(func.count())
                .select_from(ProcessInstance)
                .where(
                    ProcessInstance.status == "completed", ProcessInstance.business_key != "warm"
                )
            )
            durations = list(
                s.scalars(
                    select(ProcessTaskLog.duration_ms).where(
                        ProcessTaskLog.task_type == "serviceTask"
                    )
                )
            )
            log_rows = s.scalar(select(func.count()).select_from(ProcessTaskLog))
            # a waiting instance: the state kept while it waits for a message
            wid = service.start(
                s,
                "benchWait",
                business_key="wait",
                data={"order": "PO-W", "offering": "FTTH-300", "region": "GZ"},
            ).id
            winst = service.run(s, wid)
            state_bytes = len(winst.state or b"")
            if db.engine.dialect.name == "postgresql":
                row_bytes = s.scalar(
                    text(
                        "SELECT avg(pg_column_size(p.*)) FROM process_instance p"
                        " WHERE status = 'completed'"
                    )
                )
                log_bytes = s.scalar(
                    text("SELECT avg(pg_column_size(l.*)) FROM process_task_log l")
                )
            else:
                row_bytes = log_bytes = None
        total = started + ran
        result = {
            "benchmark": "engine",
            "database": db.engine.dialect.name,
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            "instances": args.instances,
            "completed": done,
            "workers": args.workers,
            "serviceTasksPerInstance": len(STEPS),
            "startPerSecond": round(args.instances / started, 1),
            "runPerSecond": round(args.instances / ran, 1),
            "endToEndPerSecond": round(args.instances / total, 1),
            # CPU of this process per instance run (PostgreSQL's own CPU not included):
            # what the runner costs independently of other load on the machine.
            "runCpuMsPerInstance": round(run_cpu * 1000 / args.instances, 3),
            "loadAverage1m": round(load, 2),
            # one transaction advances a chunk of instances (runner.CHUNK_SECONDS)
            "runChunkMsMean": round(statistics.fmean(run_times), 3) if run_times else None,
            "runChunkMsP95": round(_pct(run_times, 0.95), 3),
            "serviceTaskMsMean": round(statistics.fmean(durations), 4) if durations else None,
            "serviceTaskMsP95": round(_pct(durations, 0.95), 4),
            "taskLogRows": log_rows,
            "waitingStateBytes": state_bytes,
            "completedInstanceRowBytes": round(float(row_bytes), 1)
            if row_bytes is not None
            else None,
            "taskLogRowBytes": round(float(log_bytes), 1) if log_bytes is not None else None,
        }
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "engine.json").write_text(json.dumps(result, indent=2) + "\n")
        print(json.dumps(result, indent=2))
    finally:
        db.dispose()
        drop()


if __name__ == "__main__":
    main()
