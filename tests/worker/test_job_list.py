"""Listing the job queue for administrators: list_jobs, count_jobs_by_status, job_kinds."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from openboss.events.models import DEAD, DONE, FAILED, PENDING, RUNNING
from openboss.kit.clock import FrozenClock
from openboss.kit.errors import ValidationFailed
from openboss.worker import count_jobs_by_status, enqueue, job_kinds, list_jobs
from openboss.worker.jobs import MAX_PAGE, JobHandler


def _enqueue(session: Session, clock: FrozenClock, kind: str, status: str = PENDING) -> str:
    clock.advance(seconds=1)
    job = enqueue(session, kind, {})
    job.status = status
    session.flush()
    return job.id


def test_lists_newest_first_with_filters_and_total(session: Session, clock: FrozenClock) -> None:
    a = _enqueue(session, clock, "sla.jeopardy")
    b = _enqueue(session, clock, "billing.close_cycle", DEAD)
    c = _enqueue(session, clock, "sla.jeopardy", DEAD)
    d = _enqueue(session, clock, "sla.jeopardy", DONE)

    rows, total = list_jobs(session)
    assert ([j.id for j in rows], total) == ([d, c, b, a], 4)
    rows, total = list_jobs(session, status=DEAD)
    assert ([j.id for j in rows], total) == ([c, b], 2)
    rows, total = list_jobs(session, kind="sla.jeopardy")
    assert ([j.id for j in rows], total) == ([d, c, a], 3)
    rows, total = list_jobs(session, kind="sla.jeopardy", status=DEAD)
    assert ([j.id for j in rows], total) == ([c], 1)
    rows, total = list_jobs(session, offset=1, limit=2)
    assert ([j.id for j in rows], total) == ([c, b], 4)
    rows, total = list_jobs(session, kind="unknown.kind")
    assert (rows, total) == ([], 0)


def test_counts_every_status_including_zeros(session: Session, clock: FrozenClock) -> None:
    empty = count_jobs_by_status(session)
    assert empty == {PENDING: 0, RUNNING: 0, DONE: 0, FAILED: 0, DEAD: 0}
    _enqueue(session, clock, "a.kind")
    _enqueue(session, clock, "a.kind", DEAD)
    _enqueue(session, clock, "b.kind", DEAD)
    _enqueue(session, clock, "b.kind", FAILED)
    assert count_jobs_by_status(session) == {
        PENDING: 1,
        RUNNING: 0,
        DONE: 0,
        FAILED: 1,
        DEAD: 2,
    }
    assert count_jobs_by_status(session, kind="b.kind") == {
        PENDING: 0,
        RUNNING: 0,
        DONE: 0,
        FAILED: 1,
        DEAD: 1,
    }


def test_kinds_include_stored_and_registered_ones(
    session: Session, clock: FrozenClock, job_kind: Callable[[JobHandler], str]
) -> None:
    registered = job_kind(lambda s, p: None)
    _enqueue(session, clock, "zz.stored")
    _enqueue(session, clock, "zz.stored")
    kinds = job_kinds(session)
    assert registered in kinds and kinds.count("zz.stored") == 1
    assert kinds == sorted(kinds)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"status": "sleeping"}, "status"),
        ({"kind": ""}, "kind"),
        ({"kind": "k" * 97}, "kind"),
        ({"offset": -1}, "offset"),
        ({"limit": 0}, "limit"),
        ({"limit": MAX_PAGE + 1}, "limit"),
    ],
)
def test_bad_arguments_name_the_field(
    session: Session, kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationFailed) as exc:
        list_jobs(session, **kwargs)  # type: ignore[arg-type]
    assert exc.value.field == field
    if "kind" in kwargs:
        with pytest.raises(ValidationFailed):
            count_jobs_by_status(session, kind=kwargs.get("kind"))  # type: ignore[arg-type]
