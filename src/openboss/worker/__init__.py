"""The background worker: outbox dispatch, hub deliveries, timers and jobs.

Business code enqueues jobs and timers with :func:`enqueue` (in its own
transaction) and registers handlers with :func:`job_handler`; ``openboss
worker`` runs :class:`openboss.worker.runner.Worker`. Administrators look
at the queue through :func:`list_jobs` and :func:`count_jobs_by_status`.
"""

from openboss.worker.jobs import (
    JOB_STATUSES,
    cancel,
    count_jobs_by_status,
    enqueue,
    job_handler,
    job_kinds,
    list_jobs,
    register_job_handler,
    retry_job,
)

__all__ = [
    "JOB_STATUSES",
    "cancel",
    "count_jobs_by_status",
    "enqueue",
    "job_handler",
    "job_kinds",
    "list_jobs",
    "register_job_handler",
    "retry_job",
]
