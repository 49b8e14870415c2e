"""Two concurrent bookings of the last place in a slot: exactly one succeeds
(PostgreSQL: the day's advisory lock; SQLite: IMMEDIATE write transactions)."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import func, select

from openboss.db.engine import Database
from openboss.kit.errors import Conflict
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.workforce.appointments import service
from openboss.workforce.appointments.models import Appointment
from openboss.workforce.appointments.schemas import AppointmentCreate
from tests.workforce.appointments.conftest import BASE, booking, build_world, next_weekday


def test_last_place_is_booked_once(committed_database: Database) -> None:
    with committed_database.session() as s:
        world = build_world(s)
        world.tech()
    day = next_weekday(2)
    body = AppointmentCreate.model_validate(booking(world, day, 9))
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []
    lock = threading.Lock()

    def book() -> None:
        with committed_database.session() as s:
            barrier.wait()
            try:
                written = service.book(s, SYSTEM_SCOPE, body, BASE, "tester")
                s.commit()
                result: Any = written.appointment.id
            except Conflict as exc:
                s.rollback()
                result = exc
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=book) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 2
    assert sum(isinstance(o, str) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, Conflict) for o in outcomes) == 1, outcomes
    with committed_database.session() as s:
        assert s.scalar(select(func.count()).select_from(Appointment)) == 1
