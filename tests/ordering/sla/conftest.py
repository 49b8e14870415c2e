from tests.events.support import clock, make_worker

__all__ = ["clock", "make_worker"]
