"""Prometheus metrics of the worker (served on ``/metrics`` of the process)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

EVENTS_DISPATCHED = Counter(
    "openboss_events_dispatched_total",
    "Outbox event dispatch attempts by outcome (done, retry, dead).",
    ["outcome"],
)
HUB_DELIVERIES = Counter(
    "openboss_hub_deliveries_total",
    "Hub listener delivery attempts by outcome (done, failed, dead, gone: the listener "
    "answered 410 and was unregistered).",
    ["outcome"],
)
JOBS_PROCESSED = Counter(
    "openboss_jobs_processed_total",
    "Jobs run by kind and outcome (done, failed, dead).",
    ["kind", "outcome"],
)
QUEUE_DEPTH = Gauge(
    "openboss_worker_queue_depth",
    "Work that is due and not yet running, per queue (events, deliveries, jobs).",
    ["queue"],
)
DEAD_LETTERS = Gauge(
    "openboss_dead_letters",
    "Dead-lettered rows per queue (events, deliveries, jobs).",
    ["queue"],
)
