from tests.events.support import clock, job_kind, listener, make_worker, on_event

__all__ = ["clock", "job_kind", "listener", "make_worker", "on_event"]
