"""Events and worker benchmark: outbox dispatch, webhook deliveries and jobs on PostgreSQL.

What it does, end to end:

1. creates a fresh PostgreSQL database and migrates it with
   ``openboss.db.migrate.upgrade``;
2. starts a minimal hub listener — an ASGI app answering ``204`` under
   uvicorn (uvloop, httptools) in a process of its own on 127.0.0.1, so that
   it does not share the worker's interpreter lock;
3. for each scenario, seeds the work in one transaction (not timed), then
   times the real :class:`openboss.worker.runner.Worker` processing it
   (``run_once`` round after round until nothing is due), with a time limit
   per run:

   ``events_plain``        outbox events, no subscriber, no listener
   ``events_subscriber``   outbox events, one no-op in-process subscriber
   ``deliveries``          webhook POSTs of already dispatched events to the listener
   ``events_to_listener``  events dispatched, fanned out to one listener and delivered
   ``jobs_1_worker``       no-op jobs, one worker process
   ``jobs_2_workers``      no-op jobs, two worker processes sharing the queue

4. repeats every scenario (default 3 runs; the median is reported), records
   the CPU time spent by the worker, the database's backends, the listener
   and everything else on the machine, and writes
   ``bench/results/events_worker.json`` and ``.md`` and prints them; drops
   the database.

    .venv/bin/python bench/events_worker.py [--repeat 3] [--max-seconds 60]
    .venv/bin/python bench/events_worker.py --quick          # small counts, one run
    .venv/bin/python bench/events_worker.py --only jobs_1_worker jobs_2_workers

Needs PostgreSQL (``OPENBOSS_BENCH_PG_ADMIN_URL``, default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import socket
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.synchronize import Event as MpEvent
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, insert, select, text, update
from sqlalchemy.orm import Session

from openboss.auth.principal import SYSTEM
from openboss.config import Settings
from openboss.db import Database
from openboss.db.migrate import upgrade
from openboss.events import publish, register_subscriber, unregister_subscriber
from openboss.events.hub import register_listener
from openboss.events.models import DONE, PENDING, EventDelivery, OutboxEvent
from openboss.kit.clock import utcnow
from openboss.kit.ids import new_id
from openboss.worker.jobs import register_job_handler
from openboss.worker.models import Job
from openboss.worker.runner import Worker

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
ADMIN_URL = os.environ.get(
    "OPENBOSS_BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SECRET = "bench-secret-key-0123456789-not-for-production"
API = "/tmf-api/benchItem/v4"
EVENT_TYPE = "BenchItemStateChangeEvent"
JOB_KIND = "bench.noop"
SCENARIOS = (
    "events_plain",
    "events_subscriber",
    "deliveries",
    "events_to_listener",
    "jobs_1_worker",
    "jobs_2_workers",
)
DESCRIPTIONS = {
    "events_plain": "outbox events dispatched, no subscriber or listener",
    "events_subscriber": "outbox events dispatched to one no-op in-process subscriber",
    "deliveries": "webhook POSTs to a listener on 127.0.0.1 (events already dispatched)",
    "events_to_listener": "events dispatched, fanned out to one listener and delivered",
    "jobs_1_worker": "no-op jobs, one worker process",
    "jobs_2_workers": "no-op jobs, two worker processes on one queue",
}
UNITS = {
    "events_plain": "events/s",
    "events_subscriber": "events/s",
    "deliveries": "deliveries/s",
    "events_to_listener": "events/s",
    "jobs_1_worker": "jobs/s",
    "jobs_2_workers": "jobs/s",
}


# ---- helpers -------------------------------------------------------------------------


def settings_for(url: str, var_dir: Path) -> Settings:
    return Settings(
        database_url=url,
        var_dir=var_dir,
        secret_key=SECRET,
        demo_mode=False,
        log_format="console",
        log_level="WARNING",
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _proc_cpu(pid: int) -> float:
    """User + system CPU seconds of one process (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot (/proc/stat)."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    idle = values[3] + values[4]
    return (sum(values) - idle) / ticks, sum(values) / ticks


class CpuMeter:
    """CPU spent by the worker (this process, or worker processes that report
    their own), the database's backends, the listener and everything else
    on the machine during one timed run."""

    def __init__(self, db_name: str, listener_pid: int | None) -> None:
        self.db_name = db_name
        self.listener_pid = listener_pid
        self.admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")

    def _pg_cpu(self) -> dict[int, float]:
        with self.admin.connect() as c:
            rows = c.execute(
                text("SELECT pid FROM pg_stat_activity WHERE datname = :d"), {"d": self.db_name}
            )
            return {int(r[0]): _proc_cpu(int(r[0])) for r in rows}

    def start(self) -> None:
        self.pg0 = self._pg_cpu()
        self.me0 = _proc_cpu(os.getpid())
        self.listener0 = _proc_cpu(self.listener_pid) if self.listener_pid else 0.0
        self.busy0, self.total0 = _machine_busy()

    def stop(self, *, worker_cpu: float | None = None) -> dict[str, Any]:
        """``worker_cpu``: CPU of worker processes (else this process's CPU counts)."""
        busy, total = _machine_busy()
        pg_now = self._pg_cpu()
        # Backends that started during the run count from zero.
        pg = sum(cpu - self.pg0.get(pid, 0.0) for pid, cpu in pg_now.items())
        me = _proc_cpu(os.getpid()) - self.me0
        worker = worker_cpu if worker_cpu is not None else me
        listener = _proc_cpu(self.listener_pid) - self.listener0 if self.listener_pid else 0.0
        machine = busy - self.busy0
        # With worker processes, this process only coordinated: its CPU is "other" too.
        accounted = worker + pg + listener + (me if worker_cpu is not None else 0.0)
        return {
            "worker_cpu_s": round(worker, 3),
            "db_cpu_s": round(pg, 3),
            "listener_cpu_s": round(listener, 3),
            "machine_busy_share": round(machine / max(total - self.total0, 1e-9), 3),
            "other_load_cpu_s": round(max(machine - accounted, 0.0), 2),
        }

    def close(self) -> None:
        self.admin.dispose()


def reset(db: Database) -> None:
    """Empty the work tables between runs (the next run starts from an empty queue)."""
    with db.transaction() as s:
        s.execute(
            text(
                "TRUNCATE event_delivery, outbox_event, hub_subscription, job, audit_log "
                "RESTART IDENTITY CASCADE"
            )
        )
    with db.engine.connect() as c:
        c.execution_options(isolation_level="AUTOCOMMIT")
        c.execute(text("VACUUM ANALYZE outbox_event, event_delivery, job"))


def seed_events(db: Database, n: int) -> None:
    with db.transaction() as s:
        for i in range(n):
            publish(
                s,
                EVENT_TYPE,
                "benchItem",
                {"id": f"item-{i}", "state": "active", "n": i},
                api=API,
            )


def seed_listener(db: Database, callback: str) -> str:
    with db.transaction() as s:
        return register_listener(s, API, callback, None, SYSTEM).id


def seed_deliveries(db: Database, n: int, callback: str, max_attempts: int) -> None:
    """``n`` events already dispatched, each with a pending delivery to ``callback``."""
    sub_id = seed_listener(db, callback)
    seed_events(db, n)
    now = utcnow()
    with db.transaction() as s:
        s.execute(
            update(OutboxEvent).values(
                status=DONE, fanned_out_at=now, handled_at=now, dispatched_at=now, attempts=1
            )
        )
        seqs = list(s.scalars(select(OutboxEvent.seq).order_by(OutboxEvent.seq)))
        s.execute(
            insert(EventDelivery),
            [
                {
                    "id": new_id(),
                    "event_seq": seq,
                    "subscription_id": sub_id,
                    "callback": callback,
                    "status": PENDING,
                    "attempts": 0,
                    "max_attempts": max_attempts,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for seq in seqs
            ],
        )


def seed_jobs(db: Database, n: int) -> None:
    now = utcnow()
    with db.transaction() as s:
        s.execute(
            insert(Job),
            [
                {
                    "id": new_id(),
                    "kind": JOB_KIND,
                    "payload": {"n": i},
                    "run_at": now,
                    "status": PENDING,
                    "attempts": 0,
                    "max_attempts": 5,
                    "created_at": now,
                }
                for i in range(n)
            ],
        )


def count_done(db: Database, model: Any) -> int:
    with db.session() as s:
        return int(
            s.scalar(select(func.count()).select_from(model).where(model.status == DONE)) or 0
        )


def _noop_subscriber(session: Session, envelope: dict[str, Any]) -> None:
    """An in-process subscriber that does nothing: the dispatch cost alone."""


def _noop_job(session: Session, payload: dict[str, Any]) -> None:
    """A job handler that does nothing: the claim/run/commit cost alone."""


def drain(worker: Worker, max_seconds: float) -> tuple[float, bool]:
    """Run the worker until nothing is due; (seconds, finished before the limit)."""
    started = time.monotonic()
    while time.monotonic() - started < max_seconds:
        if worker.run_once(max_rounds=1) == 0:
            return time.monotonic() - started, True
    return time.monotonic() - started, False


# ---- the listener process ------------------------------------------------------------


async def _listener_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The cheapest possible hub listener: read the body, answer 204."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = bool(message.get("more_body", False))
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def _serve_listener(port: int) -> None:
    import uvicorn

    uvicorn.run(
        _listener_app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        loop="uvloop",
        http="httptools",
    )


def start_listener(ctx: Any) -> tuple[Any, str]:
    port = free_port()
    proc = ctx.Process(target=_serve_listener, args=(port,), daemon=True)
    proc.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, f"http://127.0.0.1:{port}/listener"
        except OSError:
            time.sleep(0.05)
    proc.terminate()
    raise SystemExit("the benchmark listener did not start within 20 s")


# ---- job worker processes ------------------------------------------------------------


def _job_worker(
    url: str,
    var_dir: str,
    name: str,
    ready: Any,
    start: MpEvent,
    release: MpEvent,
    results: Any,
    max_seconds: float,
) -> None:
    """One worker process: waits for the start signal, drains the job queue,
    reports (jobs, start, end, cpu), keeps its connections until released
    (so the parent can read the backends' CPU)."""
    register_job_handler(JOB_KIND, _noop_job)
    db = Database(url)
    with db.transaction() as s:
        s.execute(text("SELECT 1"))  # connection established before the clock starts
    worker = Worker(db, settings_for(url, Path(var_dir)), name=name, retention=None)
    ready.put(name)
    start.wait()
    cpu0 = time.process_time()
    t0 = time.monotonic()
    elapsed, finished = drain(worker, max_seconds)
    t1 = t0 + elapsed
    results.put(
        {
            "name": name,
            "jobs": worker.processed["jobs"],
            "start": t0,
            "end": t1,
            "cpu": time.process_time() - cpu0,
            "finished": finished,
        }
    )
    release.wait(60)
    worker.close()
    db.dispose()


# ---- scenarios -----------------------------------------------------------------------


@dataclass
class Run:
    items: int
    seconds: float
    finished: bool
    cpu: dict[str, Any]

    @property
    def rate(self) -> float:
        return self.items / self.seconds if self.seconds > 0 else 0.0


class Bench:
    def __init__(self, url: str, db_name: str, var_dir: Path, ctx: Any, args: Any) -> None:
        self.url = url
        self.db = Database(url)
        self.var_dir = var_dir
        self.ctx = ctx
        self.args = args
        self.settings = settings_for(url, var_dir)
        self.listener_proc, self.callback = start_listener(ctx)
        self.meter = CpuMeter(db_name, self.listener_proc.pid)

    def close(self) -> None:
        self.meter.close()
        self.listener_proc.terminate()
        self.listener_proc.join(10)
        self.db.dispose()

    def _timed_worker(self, items: Callable[[], int]) -> Run:
        worker = Worker(self.db, self.settings, name="bench-main", retention=None)
        try:
            self.meter.start()
            seconds, finished = drain(worker, self.args.max_seconds)
            cpu = self.meter.stop()
        finally:
            worker.close()
        return Run(items(), seconds, finished, cpu)

    def events_plain(self, n: int) -> Run:
        seed_events(self.db, n)
        return self._timed_worker(lambda: count_done(self.db, OutboxEvent))

    def events_subscriber(self, n: int) -> Run:
        seed_events(self.db, n)
        register_subscriber(EVENT_TYPE, _noop_subscriber)
        try:
            return self._timed_worker(lambda: count_done(self.db, OutboxEvent))
        finally:
            unregister_subscriber(EVENT_TYPE, _noop_subscriber)

    def deliveries(self, n: int) -> Run:
        seed_deliveries(self.db, n, self.callback, self.settings.hub_max_attempts)
        return self._timed_worker(lambda: count_done(self.db, EventDelivery))

    def events_to_listener(self, n: int) -> Run:
        seed_listener(self.db, self.callback)
        seed_events(self.db, n)
        run = self._timed_worker(lambda: count_done(self.db, OutboxEvent))
        delivered = count_done(self.db, EventDelivery)
        # an event counts when it was dispatched and its delivery accepted
        return Run(min(run.items, delivered), run.seconds, run.finished, run.cpu)

    def jobs(self, n: int, workers: int) -> Run:
        seed_jobs(self.db, n)
        ready, results = self.ctx.Queue(), self.ctx.Queue()
        start, release = self.ctx.Event(), self.ctx.Event()
        procs = [
            self.ctx.Process(
                target=_job_worker,
                args=(
                    self.url,
                    str(self.var_dir),
                    f"bench-{i + 1}",
                    ready,
                    start,
                    release,
                    results,
                    self.args.max_seconds,
                ),
            )
            for i in range(workers)
        ]
        for p in procs:
            p.start()
        try:
            for _ in procs:
                ready.get(timeout=60)
            self.meter.start()
            t0 = time.monotonic()
            start.set()
            reports = [results.get(timeout=self.args.max_seconds + 60) for _ in procs]
            cpu = self.meter.stop(worker_cpu=sum(r["cpu"] for r in reports))
        finally:
            release.set()
            for p in procs:
                p.join(30)
                if p.is_alive():
                    p.terminate()
        seconds = max(r["end"] for r in reports) - t0
        finished = all(r["finished"] for r in reports)
        cpu["jobs_per_worker"] = [r["jobs"] for r in reports]
        return Run(count_done(self.db, Job), seconds, finished, cpu)

    def run(self, scenario: str) -> Run:
        a = self.args
        reset(self.db)
        if scenario == "events_plain":
            return self.events_plain(a.events)
        if scenario == "events_subscriber":
            return self.events_subscriber(a.events)
        if scenario == "deliveries":
            return self.deliveries(a.deliveries)
        if scenario == "events_to_listener":
            return self.events_to_listener(a.deliveries)
        if scenario == "jobs_1_worker":
            return self.jobs(a.jobs, 1)
        if scenario == "jobs_2_workers":
            return self.jobs(a.jobs, 2)
        raise ValueError(scenario)

    def warm_up(self) -> None:
        """Connections, statement caches and the listener's first requests, untimed."""
        reset(self.db)
        seed_listener(self.db, self.callback)
        seed_events(self.db, 200)
        worker = Worker(self.db, self.settings, name="bench-warm-up", retention=None)
        try:
            drain(worker, 30)
        finally:
            worker.close()


# ---- report --------------------------------------------------------------------------


def summarise(scenario: str, runs: list[Run], n: int) -> dict[str, Any]:
    rates = [r.rate for r in runs]

    def per_item(key: str) -> float:
        """Median CPU milliseconds per processed item."""
        costs = [float(r.cpu[key]) / max(r.items, 1) for r in runs]
        return round(1000 * statistics.median(costs), 3)

    return {
        "description": DESCRIPTIONS[scenario],
        "unit": UNITS[scenario],
        "items_per_run": n,
        "median_rate": round(statistics.median(rates), 1),
        "min_rate": round(min(rates), 1),
        "max_rate": round(max(rates), 1),
        "worker_cpu_ms_per_item": per_item("worker_cpu_s"),
        "db_cpu_ms_per_item": per_item("db_cpu_s"),
        "listener_cpu_ms_per_item": per_item("listener_cpu_s"),
        "all_finished": all(r.finished for r in runs),
        "runs": [
            {
                "items": r.items,
                "seconds": round(r.seconds, 3),
                "rate": round(r.rate, 1),
                "finished": r.finished,
                **r.cpu,
            }
            for r in runs
        ],
    }


def markdown(result: dict[str, Any]) -> str:
    m = result["machine"]
    s = result["settings"]
    lines = [
        "# Events and worker benchmark (`bench/events_worker.py`)",
        "",
        f"Run {result['run_at']} on {m['machine']} ({m['cpus']} CPUs), PostgreSQL "
        f"{m['postgresql']} (synchronous_commit={m['synchronous_commit']}), "
        f"load average before {m['load_before']}, after {m['load_after']}. "
        f"Worker batch size {s['batch_size']}, {s['repeat']} runs per scenario "
        f"(median shown), at most {s['max_seconds']} s per run.",
        "",
        "| scenario | what | items/run | median | min–max | worker CPU/item | "
        "db CPU/item | listener CPU/item | machine busy | other load |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, sc in result["scenarios"].items():
        busy = statistics.median(r["machine_busy_share"] for r in sc["runs"])
        other = statistics.median(r["other_load_cpu_s"] for r in sc["runs"])
        flag = "" if sc["all_finished"] else " (time limit hit)"
        lines.append(
            f"| {name} | {sc['description']} | {sc['items_per_run']:,} | "
            f"**{sc['median_rate']:,.0f} {sc['unit']}**{flag} | "
            f"{sc['min_rate']:,.0f}–{sc['max_rate']:,.0f} | "
            f"{sc['worker_cpu_ms_per_item']:.2f} ms | {sc['db_cpu_ms_per_item']:.2f} ms | "
            f"{sc['listener_cpu_ms_per_item']:.2f} ms | {busy:.0%} | {other:.1f} cpu-s |"
        )
    lines += [
        "",
        "How it is measured: each run starts from empty work tables; the work is",
        "seeded in one transaction (not timed), then the real `Worker` drains it",
        "(`run_once` round by round until nothing is due). Jobs run in separate",
        "worker processes started before the clock and released together. The",
        "listener is an ASGI app answering 204 under uvicorn in its own process on",
        "127.0.0.1. CPU per item is read from /proc for the worker (this process or",
        "the worker processes), the database's backends and the listener; *machine",
        "busy* is the share of all CPUs in use during the run and *other load* the",
        "CPU time other processes took meanwhile (non-zero means the rates are",
        "pessimistic on this shared machine; compare CPU per item between runs).",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--events", type=int, default=3000, help="events per dispatch run")
    ap.add_argument("--deliveries", type=int, default=1500, help="deliveries per delivery run")
    ap.add_argument("--jobs", type=int, default=1500, help="jobs per job run")
    ap.add_argument("--repeat", type=int, default=3, help="runs per scenario (median reported)")
    ap.add_argument("--max-seconds", type=float, default=60.0, help="time limit of one run")
    ap.add_argument("--only", nargs="*", choices=SCENARIOS, help="run only these scenarios")
    ap.add_argument("--quick", action="store_true", help="small counts, one run (smoke test)")
    args = ap.parse_args()
    if args.quick:
        args.events, args.deliveries, args.jobs, args.repeat = 300, 150, 150, 1
    args.repeat = max(1, args.repeat)
    args.max_seconds = max(5.0, min(300.0, args.max_seconds))
    ctx = mp.get_context("spawn")
    load_before = [round(x, 2) for x in os.getloadavg()]

    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"openboss_bench_ew_{os.getpid()}"
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
        pg_version = c.execute(text("SHOW server_version")).scalar_one()
        sync_commit = c.execute(text("SHOW synchronous_commit")).scalar_one()
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    bench: Bench | None = None
    scenarios: dict[str, Any] = {}
    try:
        upgrade(url)
        with tempfile.TemporaryDirectory() as tmp:
            bench = Bench(url, name, Path(tmp), ctx, args)
            bench.warm_up()
            counts = {
                "events_plain": args.events,
                "events_subscriber": args.events,
                "deliveries": args.deliveries,
                "events_to_listener": args.deliveries,
                "jobs_1_worker": args.jobs,
                "jobs_2_workers": args.jobs,
            }
            for scenario in SCENARIOS:
                if args.only and scenario not in args.only:
                    continue
                runs = []
                for i in range(args.repeat):
                    run = bench.run(scenario)
                    runs.append(run)
                    print(
                        f"  {scenario:20s} run {i + 1}: {run.items:6d} items in "
                        f"{run.seconds:7.2f} s = {run.rate:8.1f} {UNITS[scenario]}"
                        f"{'' if run.finished else '  (time limit hit)'}"
                        f"  other load {run.cpu['other_load_cpu_s']:.1f} cpu-s",
                        flush=True,
                    )
                scenarios[scenario] = summarise(scenario, runs, counts[scenario])
            batch_size = bench.settings.worker_batch_size
            bench.close()
            bench = None
    finally:
        if bench is not None:
            bench.close()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    result = {
        "benchmark": "events_worker",
        "run_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "machine": {
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "postgresql": pg_version,
            "synchronous_commit": sync_commit,
            "load_before": load_before,
            "load_after": [round(x, 2) for x in os.getloadavg()],
        },
        "settings": {
            "batch_size": batch_size,
            "repeat": args.repeat,
            "max_seconds": args.max_seconds,
            "events": args.events,
            "deliveries": args.deliveries,
            "jobs": args.jobs,
        },
        "scenarios": scenarios,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "events_worker.json").write_text(json.dumps(result, indent=2) + "\n")
    md = markdown(result)
    (RESULTS / "events_worker.md").write_text(md)
    print()
    print(json.dumps(result, indent=2))
    print()
    print(md)


if __name__ == "__main__":
    main()
