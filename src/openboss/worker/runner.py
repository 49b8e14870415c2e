"""The background worker: outbox dispatch, hub deliveries, timers and jobs.

``openboss worker`` runs one :class:`Worker` in the foreground; ``openboss
demo`` runs one in a thread beside the API. Any number of workers may share
one PostgreSQL database: each round a worker *claims* a batch of due rows
(``FOR UPDATE SKIP LOCKED``; ``BEGIN IMMEDIATE`` on SQLite), then processes
them one by one, each in a transaction of its own that re-checks its lease
and records the outcome in the same commit (see :mod:`openboss.worker.claim`).

A round does, in order:

1. dispatch due outbox events (:func:`openboss.events.dispatch.dispatch_event`);
2. POST due hub deliveries, concurrently, and record each result (a listener
   answering ``410 Gone`` is unregistered);
3. run due jobs and timers (:mod:`openboss.worker.jobs`).

Failures are retried with exponential back-off and jitter; rows that keep
failing become dead letters (:mod:`openboss.worker.deadletters`).

When idle, the worker sleeps ``worker_poll_seconds``, and wakes at once when
a transaction of this process commits outbox rows or jobs (an
``after_commit`` hook on the :class:`~openboss.db.Database`).

Graceful shutdown (SIGTERM/SIGINT, or :meth:`Worker.stop`): the item being
processed is finished, claimed items not yet started are released (their
attempt is not counted), then the worker exits. A second signal interrupts
at once; the leases of anything in flight then expire and another worker
takes over.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from types import FrameType, TracebackType
from typing import Any

import orjson
import structlog
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from openboss.config import Settings
from openboss.db import Database
from openboss.events.aio import LoopThread
from openboss.events.delivery import DeliveryRequest, DeliveryResult, HubDeliverer, parse_networks
from openboss.events.dispatch import dispatch_event
from openboss.events.hub import drop_listener, listeners_for
from openboss.events.models import (
    DEAD,
    DONE,
    FAILED,
    EventDelivery,
    HubSubscription,
    OutboxEvent,
)
from openboss.events.nats import NatsPublisher
from openboss.kit.clock import utcnow
from openboss.worker import metrics
from openboss.worker.backoff import backoff
from openboss.worker.claim import claim, own, own_many, release
from openboss.worker.deadletters import count_dead_letters
from openboss.worker.housekeeping import purge_finished, queue_depths
from openboss.worker.jobs import handler_for
from openboss.worker.models import Job

log = structlog.get_logger("openboss.worker")

#: Finished events and jobs are deleted after this long (``None`` keeps them).
DEFAULT_RETENTION = timedelta(days=7)
#: In-process subscribers: 1 s, 2 s, 4 s … at most 10 minutes between attempts.
EVENT_BACKOFF = {"base": 1.0, "cap": 600.0}
#: NATS unavailable: retry after a few seconds, without counting the attempt.
NATS_RETRY_ATTEMPT = 2
#: How often (seconds) the queue gauges are refreshed and finished rows purged.
STATS_INTERVAL = 15.0
HOUSEKEEPING_INTERVAL = 3600.0
#: Events dispatched in one transaction for at most this long (SQLite holds its
#: write lock meanwhile), then committed.
CHUNK_SECONDS = 0.2
#: Longest uninterrupted nap of a worker in the main thread (signal latency).
SIGNAL_SLICE = 0.25
#: Pause after an unexpected error of a whole round (database down …).
ERROR_PAUSE = 5.0
#: A listener answering this status has gone for good and is unregistered.
HTTP_GONE = 410


#: ``fn(worker) -> items handled``: extra queues a domain runs in every round
#: (the process engine's due instances). Registered at import by the domain.
Poller = Callable[["Worker"], int]
_pollers: list[Poller] = []
_pollers_lock = threading.Lock()


def register_poller(fn: Poller) -> Poller:
    """Run ``fn(worker)`` in every round of every worker, after the jobs; it
    claims and processes its own rows and returns how many it handled."""
    with _pollers_lock:
        if fn not in _pollers:
            _pollers.append(fn)
    return fn


def unregister_poller(fn: Poller) -> None:
    with _pollers_lock:
        if fn in _pollers:
            _pollers.remove(fn)


def default_worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"[:64]


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


class _ListenerCache:
    """Hub listeners per API, loaded once per dispatch transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._by_api: dict[str, list[HubSubscription]] = {}

    def of(self, api: str) -> list[HubSubscription]:
        if api not in self._by_api:
            self._by_api[api] = listeners_for(self.session, api)
        return self._by_api[api]


class Worker:
    """One worker; see the module docstring.

    ``run_once()`` processes everything due now and returns how many items it
    handled (tests drive the worker with it); ``run_forever()`` loops until
    stopped; ``start_in_thread()``/``stop()`` run it beside the API.
    """

    def __init__(
        self,
        database: Database,
        settings: Settings,
        *,
        name: str | None = None,
        batch_size: int | None = None,
        lease_seconds: float | None = None,
        poll_seconds: float | None = None,
        retention: timedelta | None = DEFAULT_RETENTION,
    ) -> None:
        self.database = database
        self.settings = settings
        self.name = (name or default_worker_name())[:64]
        self.batch_size = max(1, batch_size or settings.worker_batch_size)
        self.lease = timedelta(seconds=lease_seconds or settings.worker_lease_seconds)
        self.poll_seconds = (
            poll_seconds if poll_seconds is not None else settings.worker_poll_seconds
        )
        self.max_attempts = max(1, settings.hub_max_attempts)
        self.retention = retention
        self._actor = f"worker:{self.name}"[:64]
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._idle = threading.Event()
        self._wake_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._io = LoopThread(f"openboss-io-{self.name}")
        self._deliverer = HubDeliverer(
            timeout=settings.hub_timeout_seconds,
            allowed_networks=parse_networks(settings.hub_callback_allowed_networks),
        )
        self._nats = (
            NatsPublisher(
                settings.nats_url,
                settings.nats_stream,
                settings.nats_subject_prefix,
                loop=self._io,
                timeout=settings.hub_timeout_seconds,
            )
            if settings.nats_url
            else None
        )
        self._next_stats = 0.0
        self._next_housekeeping = 0.0
        #: Items processed since start, per queue (events, deliveries, jobs).
        self.processed: dict[str, int] = {"events": 0, "deliveries": 0, "jobs": 0}
        database.after_commit_hooks.append(self._after_commit)

    # -- lifecycle -------------------------------------------------------------

    def __enter__(self) -> Worker:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until the running worker has found no work and sleeps. A commit
        that wakes the worker clears the idle state at once, so after committing
        work ``wait_idle()`` returns only once that work was processed."""
        return self._idle.wait(timeout)

    def wake(self) -> None:
        """Look for work now instead of at the end of the poll interval."""
        with self._wake_lock:
            self._idle.clear()
            self._wake.set()

    def _after_commit(self, session: Session) -> None:
        if session.info.get("outbox_written") or session.info.get("jobs_written"):
            self.wake()

    def run_once(self, max_rounds: int = 1000) -> int:
        """Process what is due now — including work that this work makes due
        (an event whose subscriber enqueues a job) — and return the number of
        items handled. Stops early when the worker is stopping."""
        total = 0
        for _ in range(max_rounds):
            if self._stop.is_set():
                break
            handled = (
                self._process_events()
                + self._process_deliveries()
                + self._process_jobs()
                + self._run_pollers()
            )
            total += handled
            if handled == 0:
                break
        return total

    def run_forever(self) -> None:
        """Work until :meth:`stop` (or SIGTERM/SIGINT in the main thread)."""
        restore = self._install_signal_handlers()
        # A process signal may be delivered to any thread; Python runs the handler
        # in the main thread only when that thread wakes up, so it naps in slices.
        in_main = threading.current_thread() is threading.main_thread()
        signal_slice = SIGNAL_SLICE if in_main else None
        log.info("worker_started", worker=self.name, nats=bool(self._nats))
        try:
            while not self._stop.is_set():
                self._wake.clear()
                try:
                    handled = self.run_once()
                    self._maintenance()
                except Exception:
                    log.exception("worker_round_failed", worker=self.name)
                    self._sleep(ERROR_PAUSE, slice_seconds=signal_slice)
                    continue
                if handled == 0:
                    with self._wake_lock:  # idle only if no wake-up is pending
                        if not self._wake.is_set():
                            self._idle.set()
                    self._sleep(self.poll_seconds, slice_seconds=signal_slice)
                    self._idle.clear()
        finally:
            restore()
            self.close()
            log.info("worker_stopped", worker=self.name, processed=self.processed)

    def _sleep(self, seconds: float, *, slice_seconds: float | None) -> None:
        """Wait up to ``seconds`` for a wake-up (commit, stop)."""
        deadline = time.monotonic() + seconds
        while not self._stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            step = remaining if slice_seconds is None else min(remaining, slice_seconds)
            if self._wake.wait(step):
                return

    def start_in_thread(self) -> threading.Thread:
        """Run :meth:`run_forever` in a daemon thread (the API's in-process worker)."""
        if self._thread is not None and self._thread.is_alive():
            return self._thread
        self._stop.clear()
        self._thread = threading.Thread(
            target=self.run_forever, name=f"openboss-worker-{self.name}", daemon=True
        )
        self._thread.start()
        return self._thread

    def stop(self, timeout: float = 30.0) -> bool:
        """Ask the worker to finish its current item and exit; wait up to
        ``timeout`` seconds for its thread. True when it has stopped."""
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                log.warning("worker_stop_timeout", worker=self.name, timeout=timeout)
                return False
        if thread is None:
            self.close()
        return True

    def close(self) -> None:
        """Release the worker's connections (NATS, HTTP, its event loop) and
        unhook it from the database. Idempotent."""
        with contextlib.suppress(ValueError):
            self.database.after_commit_hooks.remove(self._after_commit)
        try:
            self._deliverer.close()
            if self._nats is not None:
                self._nats.close()
        finally:
            self._io.close()

    def _install_signal_handlers(self) -> Callable[[], None]:
        if threading.current_thread() is not threading.main_thread():
            return lambda: None
        previous: dict[int, Any] = {}

        def handle(signum: int, _frame: FrameType | None) -> None:
            if self._stop.is_set():
                raise KeyboardInterrupt
            log.info("worker_stopping", worker=self.name, signal=signal.Signals(signum).name)
            self._stop.set()
            self._wake.set()

        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, handle)

        def restore() -> None:
            for sig, old in previous.items():
                signal.signal(sig, old)

        return restore

    # -- claiming --------------------------------------------------------------

    def _claim(
        self, model: Any, due: InstrumentedAttribute[Any], order_by: Sequence[Any]
    ) -> list[Any]:
        now = utcnow()
        with self.database.claim_transaction(actor=self._actor) as s:
            return claim(
                s,
                model,
                worker=self.name,
                now=now,
                lease=self.lease,
                limit=self.batch_size,
                due_column=due,
                order_by=order_by,
            )

    def _release(self, model: Any, keys: Sequence[Any]) -> None:
        if not keys:
            return
        with self.database.claim_transaction(actor=self._actor) as s:
            released = release(s, model, keys, worker=self.name)
        log.info("worker_released", worker=self.name, table=model.__tablename__, rows=released)

    # -- outbox events -----------------------------------------------------------

    def _process_events(self) -> int:
        seqs = self._claim(OutboxEvent, OutboxEvent.next_attempt_at, [OutboxEvent.seq])
        handled = 0
        while handled < len(seqs):
            if self._stop.is_set():
                self._release(OutboxEvent, seqs[handled:])
                break
            handled += self._dispatch_chunk(seqs[handled:])
        self.processed["events"] += handled
        return handled

    def _dispatch_chunk(self, seqs: list[int]) -> int:
        """Dispatch claimed events in one transaction (one savepoint per part of
        each event) until the chunk's time budget is spent; returns how many."""
        started = time.monotonic()
        handled = 0
        try:
            with self.database.claim_transaction(actor=self._actor) as s:
                events = own_many(s, OutboxEvent, seqs, worker=self.name)
                listeners = _ListenerCache(s)
                for seq in seqs:
                    handled += 1
                    event = events.get(seq)
                    if event is not None:
                        self._dispatch(s, event, listeners)
                    if self._stop.is_set() or time.monotonic() - started > CHUNK_SECONDS:
                        break
        except Exception:
            # Failed outside the per-event savepoints (a database error): nothing
            # of the chunk was committed. Redo its events one per transaction so
            # one bad event cannot hold the others back.
            log.exception("event_chunk_failed", worker=self.name, events=handled)
            for seq in seqs[:handled]:
                self._dispatch_alone(seq)
        return handled

    def _dispatch_alone(self, seq: int) -> None:
        try:
            with self.database.claim_transaction(actor=self._actor) as s:
                event = own(s, OutboxEvent, seq, worker=self.name)
                if event is not None:
                    self._dispatch(s, event, _ListenerCache(s))
        except Exception as exc:
            log.exception("event_dispatch_crashed", worker=self.name, seq=seq)
            self._record_crash(OutboxEvent, seq, exc)

    def _dispatch(self, s: Session, event: OutboxEvent, listeners: _ListenerCache) -> None:
        now = utcnow()
        if event.attempts > self.max_attempts:
            self._event_gave_up(event, "dispatch never finished (worker died or hung)")
            return
        result = dispatch_event(
            s,
            event,
            now=now,
            max_attempts=self.max_attempts,
            nats=self._nats,
            listeners=listeners.of(event.api),
        )
        event.locked_by = event.locked_until = None
        if result.done:
            event.status, event.dispatched_at, event.last_error = DONE, now, None
            metrics.EVENTS_DISPATCHED.labels("done").inc()
        elif result.error is not None:
            event.last_error = result.error
            if event.attempts >= self.max_attempts:
                self._event_gave_up(event, result.error)
            else:
                event.status = FAILED
                event.next_attempt_at = now + backoff(event.attempts, **EVENT_BACKOFF)
                metrics.EVENTS_DISPATCHED.labels("retry").inc()
        else:  # only NATS failed: retry soon, the attempt does not count
            event.status = FAILED
            event.attempts -= 1
            event.last_error = result.nats_error
            event.next_attempt_at = now + backoff(NATS_RETRY_ATTEMPT)
            metrics.EVENTS_DISPATCHED.labels("retry").inc()

    def _event_gave_up(self, event: OutboxEvent, error: str) -> None:
        event.status, event.dispatched_at, event.last_error = DEAD, utcnow(), error
        event.locked_by = event.locked_until = None
        metrics.EVENTS_DISPATCHED.labels("dead").inc()
        log.warning(
            "event_dead_lettered",
            event_id=event.event_id,
            event_type=event.event_type,
            attempts=event.attempts,
            error=error,
        )

    # -- hub deliveries ------------------------------------------------------------

    def _process_deliveries(self) -> int:
        ids = self._claim(
            EventDelivery,
            EventDelivery.next_attempt_at,
            [EventDelivery.next_attempt_at, EventDelivery.id],
        )
        if not ids:
            return 0
        if self._stop.is_set():
            self._release(EventDelivery, ids)
            return 0
        with self.database.transaction() as s:
            rows = s.execute(
                select(
                    EventDelivery.id,
                    EventDelivery.callback,
                    EventDelivery.attempts,
                    EventDelivery.max_attempts,
                    OutboxEvent.event_id,
                    OutboxEvent.event_type,
                    OutboxEvent.payload,
                )
                .join(OutboxEvent, OutboxEvent.seq == EventDelivery.event_seq)
                .where(EventDelivery.id.in_(ids), EventDelivery.locked_by == self.name)
            ).all()
        requests: list[DeliveryRequest] = []
        results: list[DeliveryResult] = []
        for row in rows:
            if row.attempts > row.max_attempts:  # leases expired again and again
                results.append(
                    DeliveryResult(
                        row.id, False, None, "delivery never finished (worker died or hung)"
                    )
                )
            else:
                requests.append(
                    DeliveryRequest(
                        row.id,
                        row.callback,
                        row.event_id,
                        row.event_type,
                        orjson.dumps(row.payload),
                    )
                )
        try:
            results.extend(self._deliverer.deliver(requests))
        except Exception as exc:
            log.exception("hub_delivery_batch_failed", worker=self.name)
            results.extend(
                DeliveryResult(r.delivery_id, False, None, _error_text(exc)) for r in requests
            )
        self._record_deliveries(results)
        self.processed["deliveries"] += len(rows)
        return len(ids)

    def _record_deliveries(self, results: list[DeliveryResult]) -> None:
        now = utcnow()
        gone: set[str] = set()
        with self.database.claim_transaction(actor=self._actor) as s:
            owned = own_many(s, EventDelivery, [r.delivery_id for r in results], worker=self.name)
            for res in results:
                d = owned.get(res.delivery_id)
                if d is None:  # unregistered meanwhile, or taken over
                    continue
                if res.status_code == HTTP_GONE:
                    # The listener has gone for good: this delivery is dropped now,
                    # the listener and its other pending deliveries just below.
                    if d.subscription_id is not None:
                        gone.add(d.subscription_id)
                    s.delete(d)
                    metrics.HUB_DELIVERIES.labels("gone").inc()
                    continue
                d.locked_by = d.locked_until = None
                d.last_status_code = res.status_code
                if res.ok:
                    d.status, d.finished_at, d.last_error = DONE, now, None
                    metrics.HUB_DELIVERIES.labels("done").inc()
                    continue
                d.last_error = res.error
                if d.attempts >= d.max_attempts:
                    d.status, d.finished_at = DEAD, now
                    metrics.HUB_DELIVERIES.labels("dead").inc()
                    log.warning(
                        "hub_delivery_dead_lettered",
                        delivery=d.id,
                        callback=d.callback,
                        attempts=d.attempts,
                        error=res.error,
                    )
                else:
                    d.status = FAILED
                    d.next_attempt_at = now + backoff(d.attempts)
                    metrics.HUB_DELIVERIES.labels("failed").inc()
        # One transaction per listener, after the batch committed: this worker then
        # holds no delivery locks while it deletes the listener's other deliveries
        # (another worker may hold some of them), so two workers cannot deadlock.
        for subscription_id in sorted(gone):
            self._unregister_gone(subscription_id)

    def _unregister_gone(self, subscription_id: str) -> None:
        """Unregister a listener that answered ``410 Gone`` (see :func:`drop_listener`)."""
        try:
            with self.database.claim_transaction(actor=self._actor) as s:
                sub = s.get(HubSubscription, subscription_id, with_for_update=True)
                if sub is None:  # unregistered already (by its owner, or another worker)
                    return
                callback = sub.callback
                dropped = drop_listener(s, sub)
        except Exception:
            # The listener stays registered; its next delivery answers 410 again.
            log.exception("hub_listener_gone_failed", subscription=subscription_id)
            return
        log.warning(
            "hub_listener_gone",
            subscription=subscription_id,
            callback=callback,
            dropped_deliveries=dropped,
        )

    # -- jobs ----------------------------------------------------------------------

    def _process_jobs(self) -> int:
        ids = self._claim(Job, Job.run_at, [Job.run_at, Job.id])
        for i, job_id in enumerate(ids):
            if self._stop.is_set():
                self._release(Job, ids[i:])
                return i
            self._run_job(job_id)
            self.processed["jobs"] += 1
        return len(ids)

    def _run_job(self, job_id: str) -> None:
        kind = "?"
        try:
            with self.database.claim_transaction(actor=self._actor) as s:
                job = own(s, Job, job_id, worker=self.name)
                if job is None:
                    return
                kind = job.kind
                if job.attempts > job.max_attempts:
                    job.status, job.finished_at = DEAD, utcnow()
                    job.last_error = "the job never finished (worker died or hung while running it)"
                    job.locked_by = job.locked_until = None
                    metrics.JOBS_PROCESSED.labels(kind, "dead").inc()
                    return
                handler = handler_for(job.kind)
                if handler is None:
                    raise LookupError(f"no handler registered for job kind {job.kind!r}")
                handler(s, dict(job.payload))
                job.status, job.finished_at, job.last_error = DONE, utcnow(), None
                job.locked_by = job.locked_until = None
            metrics.JOBS_PROCESSED.labels(kind, "done").inc()
        except Exception as exc:
            log.warning("job_failed", worker=self.name, job=job_id, kind=kind, error=repr(exc))
            self._record_crash(Job, job_id, exc, kind=kind)

    def _run_pollers(self) -> int:
        with _pollers_lock:
            pollers = list(_pollers)
        handled = 0
        for fn in pollers:
            if self._stop.is_set():
                break
            handled += fn(self)
        return handled

    # -- failures ------------------------------------------------------------------

    def _record_crash(self, model: Any, key: Any, exc: BaseException, *, kind: str = "") -> None:
        """The processing transaction failed and rolled back: record the attempt
        as failed (retry with back-off) or dead, in a transaction of its own."""
        try:
            with self.database.claim_transaction(actor=self._actor) as s:
                row = own(s, model, key, worker=self.name)
                if row is None:
                    return
                now = utcnow()
                limit = getattr(row, "max_attempts", self.max_attempts)
                row.last_error = _error_text(exc)
                row.locked_by = row.locked_until = None
                if row.attempts >= limit:
                    row.status = DEAD
                    if isinstance(row, OutboxEvent):
                        row.dispatched_at = now
                        metrics.EVENTS_DISPATCHED.labels("dead").inc()
                    else:
                        row.finished_at = now
                        metrics.JOBS_PROCESSED.labels(kind, "dead").inc()
                    log.warning(
                        "dead_lettered", table=model.__tablename__, key=key, error=row.last_error
                    )
                    return
                row.status = FAILED
                if isinstance(row, Job):
                    row.run_at = now + backoff(row.attempts)
                    metrics.JOBS_PROCESSED.labels(kind, "failed").inc()
                else:
                    row.next_attempt_at = now + backoff(row.attempts, **EVENT_BACKOFF)
                    metrics.EVENTS_DISPATCHED.labels("retry").inc()
        except Exception:
            # The lease expires and the row is retried: nothing is lost.
            log.exception("worker_record_failure_failed", table=model.__tablename__, key=key)

    # -- maintenance ---------------------------------------------------------------

    def _maintenance(self) -> None:
        clock = time.monotonic()
        if clock >= self._next_stats:
            self._next_stats = clock + STATS_INTERVAL
            self.update_metrics()
        if self.retention is not None and clock >= self._next_housekeeping:
            self._next_housekeeping = clock + HOUSEKEEPING_INTERVAL
            with self.database.transaction(actor=self._actor) as s:
                removed = purge_finished(s, utcnow() - self.retention)
            if removed:
                log.info("worker_purged", worker=self.name, rows=removed)

    def update_metrics(self) -> dict[str, int]:
        """Refresh the queue-depth and dead-letter gauges; returns the depths."""
        with self.database.transaction() as s:
            depths = queue_depths(s, utcnow())
            dead = count_dead_letters(s)
        for queue, n in depths.items():
            metrics.QUEUE_DEPTH.labels(queue).set(n)
        for kind, n in dead.items():
            metrics.DEAD_LETTERS.labels(
                {"delivery": "deliveries", "event": "events", "job": "jobs"}[kind]
            ).set(n)
        return depths


__all__ = [
    "DEFAULT_RETENTION",
    "Poller",
    "Worker",
    "default_worker_name",
    "register_poller",
    "unregister_poller",
]
