"""The background worker: outbox dispatch, hub deliveries, timers and jobs.

Business code enqueues jobs and timers with :func:`enqueue` (in its own
transaction) and registers handlers with :func:`job_handler`; ``openboss
worker`` runs :class:`openboss.worker.runner.Worker`.
"""

from openboss.worker.jobs import cancel, enqueue, job_handler, register_job_handler

__all__ = ["cancel", "enqueue", "job_handler", "register_job_handler"]
