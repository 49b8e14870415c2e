"""Administration of the worker's queues: the dead-letter list (role admin).

``GET /api/admin/deadLetters`` lists deliveries, events and jobs the worker
gave up on (``X-Total-Count`` gives the total); ``GET …/{id}`` shows one and
``POST …/{id}/retry`` queues it again with a fresh set of attempts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from openboss.auth.deps import DbSession, require_roles
from openboss.kit.tmf.query import MAX_OFFSET
from openboss.worker import deadletters
from openboss.worker.deadletters import MAX_PAGE, DeadLetter

router = APIRouter(
    prefix="/api/admin/deadLetters",
    tags=["administration"],
    dependencies=[Depends(require_roles("admin"))],
)


class DeadLetterOut(BaseModel):
    """A delivery, event or job the worker gave up on after its last attempt."""

    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(description="Delivery id, event id or job id.")
    kind: Literal["delivery", "event", "job"] = Field(
        description="delivery: a hub listener kept refusing the event; event: an in-process "
        "subscriber kept failing; job: a background job or timer kept failing."
    )
    status: str = Field(description="dead; pending (or later states) once retried.")
    name: str = Field(description="Event type, or job kind.")
    target: str | None = Field(
        None, description="Callback URL (delivery), event id (event), dedup key (job)."
    )
    attempts: int = Field(description="Attempts made.")
    last_error: str | None = Field(
        None, alias="lastError", description="Error of the last attempt."
    )
    created_at: datetime = Field(alias="createdAt", description="When the row was created.")
    failed_at: datetime | None = Field(None, alias="failedAt", description="When it was given up.")
    event_id: str | None = Field(
        None, alias="eventId", description="Event id (events, deliveries)."
    )

    @classmethod
    def of(cls, item: DeadLetter) -> DeadLetterOut:
        return cls(
            id=item.id,
            kind=item.kind,
            status=item.status,
            name=item.name,
            target=item.target,
            attempts=item.attempts,
            last_error=item.last_error,
            created_at=item.created_at,
            failed_at=item.failed_at,
            event_id=item.event_id,
        )


@router.get(
    "", response_model=list[DeadLetterOut], response_model_by_alias=True, name="list_dead_letters"
)
def list_dead_letters(
    session: DbSession,
    response: Response,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Items per page.")] = 50,
) -> list[DeadLetterOut]:
    """Dead letters of all kinds, most recently failed first."""
    page = deadletters.list_dead_letters(session, offset, limit)
    response.headers["X-Total-Count"] = str(page.total)
    response.headers["X-Result-Count"] = str(len(page.items))
    return [DeadLetterOut.of(i) for i in page.items]


@router.get(
    "/{dead_letter_id}",
    response_model=DeadLetterOut,
    response_model_by_alias=True,
    name="get_dead_letter",
)
def get_dead_letter(dead_letter_id: str, session: DbSession) -> DeadLetterOut:
    """One dead letter (also after it was retried)."""
    return DeadLetterOut.of(deadletters.get_dead_letter(session, dead_letter_id))


@router.post(
    "/{dead_letter_id}/retry",
    response_model=DeadLetterOut,
    response_model_by_alias=True,
    name="retry_dead_letter",
)
def retry_dead_letter(dead_letter_id: str, session: DbSession) -> DeadLetterOut:
    """Queue a dead letter again with a fresh set of attempts; 409 when it is not dead."""
    return DeadLetterOut.of(deadletters.retry_dead_letter(session, dead_letter_id))
