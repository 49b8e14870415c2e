"""``Idempotency-Key`` on POSTs that create orders, payments, tickets.

A client that did not see the answer to a create (timeout, dropped
connection) sends the same request again with the same ``Idempotency-Key``
header and must not create a second order. The first request claims the key
(a row in ``idempotency_key``, written in the request's own transaction) and
stores its response; a retry with the same key and the same body gets that
response again (same status, body and ``Location``, plus
``Idempotent-Replayed: true``); the same key with a different body is a 409.

Concurrent retries: the claim is a unique row. On PostgreSQL the second
INSERT waits for the first transaction, then fails on the unique constraint
inside a savepoint, and the retry replays the committed response. Nothing is
remembered for a request that failed: its transaction, claim included, rolls
back and the key may be used again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openboss.kit.errors import Conflict, ValidationFailed
from openboss.kit.tmf.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """What a create answered: status, JSON body, headers (``Location``)."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    replayed: bool = False

    def response_headers(self) -> dict[str, str]:
        if self.replayed:
            return {**self.headers, REPLAYED_HEADER: "true"}
        return dict(self.headers)


def fingerprint(payload: Any) -> str:
    """SHA-256 of the request's canonical JSON (key order and spacing ignored)."""
    return hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()


def check_key(raw: str) -> str:
    key = raw.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
        raise ValidationFailed(
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII characters", field=HEADER
        )
    return key


def _find(session: Session, owner: str, endpoint: str, key: str) -> IdempotencyKey | None:
    return session.scalars(
        select(IdempotencyKey).where(
            IdempotencyKey.owner == owner,
            IdempotencyKey.endpoint == endpoint,
            IdempotencyKey.key == key,
        )
    ).one_or_none()


def _replay(row: IdempotencyKey, digest: str) -> StoredResponse:
    if row.request_hash != digest:
        raise Conflict(
            f"{HEADER} '{row.key}' was already used with a different request body",
            field=HEADER,
            code="IDEMPOTENCY_KEY_REUSED",
        )
    if row.status is None or row.response_body is None:
        raise Conflict(
            f"the request with {HEADER} '{row.key}' is still being processed; retry later",
            field=HEADER,
            code="IDEMPOTENCY_KEY_IN_USE",
        )
    return StoredResponse(
        status=row.status,
        body=row.response_body.encode(),
        headers={str(k): str(v) for k, v in (row.response_headers or {}).items()},
        replayed=True,
    )


def run_idempotent(
    session: Session,
    *,
    key: str | None,
    owner: str,
    endpoint: str,
    payload: Any,
    produce: Callable[[], StoredResponse],
) -> StoredResponse:
    """Run ``produce`` once per ``(owner, endpoint, key)``; replay it afterwards.

    ``key`` is the header value (``None``: no idempotency asked for),
    ``owner`` the caller's stable id, ``endpoint`` e.g. ``"POST
    /tmf-api/productOrderingManagement/v4/productOrder"``, ``payload`` the
    validated request body (what the fingerprint is computed over).
    """
    if key is None:
        return produce()
    key = check_key(key)
    digest = fingerprint(payload)
    existing = _find(session, owner, endpoint, key)
    if existing is None:
        claim = IdempotencyKey(owner=owner, endpoint=endpoint, key=key, request_hash=digest)
        try:
            with session.begin_nested():
                session.add(claim)
                session.flush()
        except IntegrityError:
            existing = _find(session, owner, endpoint, key)
            if existing is None:  # the other request failed and rolled back
                raise Conflict(
                    f"the request with {HEADER} '{key}' is being retried concurrently",
                    field=HEADER,
                    code="IDEMPOTENCY_KEY_IN_USE",
                ) from None
        else:
            response = produce()
            claim.status = response.status
            claim.response_body = response.body.decode()
            claim.response_headers = dict(response.headers)
            session.flush()
            return response
    return _replay(existing, digest)


def purge_idempotency_keys(session: Session, older_than: datetime) -> int:
    """Forget keys created before ``older_than`` (a periodic job); returns the count."""
    result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < older_than))
    return int(getattr(result, "rowcount", 0) or 0)
