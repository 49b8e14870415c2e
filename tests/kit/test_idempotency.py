"""Idempotency-Key: one effect per key, replayed responses, conflicting reuse."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openboss.db import Database
from openboss.kit.clock import utcnow
from openboss.kit.errors import Conflict, ValidationFailed
from openboss.kit.tmf.idempotency import (
    StoredResponse,
    fingerprint,
    purge_idempotency_keys,
    run_idempotent,
)
from openboss.kit.tmf.models import IdempotencyKey

ENDPOINT = "POST /tmf-api/kitTest/v4/thing"


class Counter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> StoredResponse:
        self.calls += 1
        return StoredResponse(
            201, f'{{"n":{self.calls}}}'.encode(), {"Location": f"/t/{self.calls}"}
        )


def call(
    session: Session, key: str | None, payload: object, produce: Counter, owner: str = "u1"
) -> StoredResponse:
    return run_idempotent(
        session, key=key, owner=owner, endpoint=ENDPOINT, payload=payload, produce=produce
    )


def test_same_key_same_body_replays_the_first_response(session: Session) -> None:
    produce = Counter()
    first = call(session, "k-1", {"a": 1, "b": [1, 2]}, produce)
    again = call(session, "k-1", {"b": [1, 2], "a": 1}, produce)  # key order does not matter
    assert produce.calls == 1
    assert (again.status, again.body, again.headers) == (first.status, first.body, first.headers)
    assert not first.replayed
    assert again.replayed
    assert again.response_headers()["Idempotent-Replayed"] == "true"


def test_same_key_different_body_is_a_conflict(session: Session) -> None:
    produce = Counter()
    call(session, "k-2", {"a": 1}, produce)
    with pytest.raises(Conflict) as info:
        call(session, "k-2", {"a": 2}, produce)
    assert info.value.field == "Idempotency-Key"
    assert info.value.code == "IDEMPOTENCY_KEY_REUSED"
    assert produce.calls == 1


def test_keys_are_per_caller_and_without_key_every_call_acts(session: Session) -> None:
    produce = Counter()
    call(session, "shared", {"a": 1}, produce, owner="u1")
    call(session, "shared", {"a": 1}, produce, owner="u2")
    call(session, None, {"a": 1}, produce)
    call(session, None, {"a": 1}, produce)
    assert produce.calls == 4


@pytest.mark.parametrize("key", ["", "   ", "x" * 256, "naïve", "tab\tkey"])
def test_malformed_keys_are_400(session: Session, key: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        call(session, key, {}, Counter())
    assert info.value.field == "Idempotency-Key"


def test_a_failed_request_leaves_no_key_behind(database: Database) -> None:
    def fail() -> StoredResponse:
        raise ValidationFailed("bad input", field="name")

    with database.session() as s:
        with pytest.raises(ValidationFailed):
            run_idempotent(s, key="k-3", owner="u1", endpoint=ENDPOINT, payload={}, produce=fail)
        s.rollback()  # the request's transaction rolls back
    with database.session() as s:
        produce = Counter()
        response = call(s, "k-3", {}, produce)
        assert (produce.calls, response.replayed) == (1, False)


def test_a_stored_key_survives_commit_and_is_replayed_by_a_new_session(database: Database) -> None:
    with database.transaction() as s:
        call(s, "k-4", {"x": 1}, Counter())
    with database.session() as s:
        produce = Counter()
        replay = call(s, "k-4", {"x": 1}, produce)
        assert produce.calls == 0
        assert replay.body == b'{"n":1}'


def test_purge_forgets_old_keys(session: Session) -> None:
    call(session, "old", {}, Counter())
    session.flush()
    assert purge_idempotency_keys(session, utcnow() - timedelta(hours=1)) == 0
    assert purge_idempotency_keys(session, utcnow() + timedelta(seconds=1)) == 1
    assert session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0


def test_fingerprint_ignores_key_order_not_values() -> None:
    assert fingerprint({"a": 1, "b": 2}) == fingerprint({"b": 2, "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": "1"})


@pytest.mark.pg_only
def test_concurrent_retries_on_postgresql_create_once(postgresql_url: str) -> None:
    """The second request's claim waits for the first transaction, then replays it."""
    import threading

    from sqlalchemy import delete, text

    db = Database(postgresql_url, pool_size=3)
    key = "k-concurrent"
    produce = Counter()
    results: dict[str, StoredResponse] = {}
    second_started = threading.Event()

    def second() -> None:
        with db.transaction() as s:
            second_started.set()
            results["second"] = call(s, key, {"q": 1}, produce)

    try:
        with db.transaction() as s1:
            results["first"] = call(s1, key, {"q": 1}, produce)
            worker = threading.Thread(target=second)
            worker.start()
            second_started.wait(10)
            with db.engine.connect() as watch:  # wait until the second INSERT blocks on ours
                for _ in range(3000):  # up to 30 s on a loaded machine
                    waiting = watch.execute(
                        text(
                            "SELECT count(*) FROM pg_stat_activity "
                            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                        )
                    ).scalar_one()
                    if waiting:
                        break
                    watch.execute(text("SELECT pg_sleep(0.01)"))
                assert waiting == 1
        worker.join(10)
        assert produce.calls == 1
        assert results["second"].replayed
        assert results["second"].body == results["first"].body
    finally:
        with db.transaction() as s:
            s.execute(delete(IdempotencyKey).where(IdempotencyKey.key == key))
        db.dispose()
