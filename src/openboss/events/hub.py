"""TMF630 event subscription hub: ``POST {api}/hub`` and ``DELETE {api}/hub/{id}``.

Every TM Forum v4 API lets a client register a *listener*: a callback URL to
which the API POSTs its events (TMF688 envelopes), optionally narrowed by a
``query`` (see :mod:`openboss.events.query`). A listener registered on one API
(``/tmf-api/troubleTicket/v4``) receives only that API's events. Each API
module mounts its hub with ``app.include_router(make_hub_router(BASE_PATH))``.

Delivery is asynchronous and at-least-once: after the business transaction
commits, the worker creates one delivery per matching listener and POSTs it,
retrying with back-off and dead-lettering it after ``hub_max_attempts``.

A listener sees only events about rows inside the row scope of whoever
registered it (a partner's listener only its partner's rows, a
region-limited one only its regions and central data). A listener that
answers ``410 Gone`` has gone away for good: the worker unregisters it
(:func:`drop_listener`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from openboss.auth.deps import CurrentPrincipal, DbSession
from openboss.auth.principal import Principal
from openboss.events.models import DEAD, DONE, EventDelivery, HubSubscription, OutboxEvent
from openboss.events.query import InvalidQuery, parse_query
from openboss.kit.errors import NotFound, ValidationFailed
from openboss.kit.scope import row_in_scope

MAX_CALLBACK_LENGTH = 2048
MAX_QUERY_LENGTH = 4096


class EventSubscriptionInput(BaseModel):
    """TMF630 ``EventSubscriptionInput``: where to send events, and which."""

    model_config = ConfigDict(extra="ignore")

    callback: str = Field(
        description="Absolute http(s) URL the events are POSTed to, "
        "e.g. https://crm.example.com/listener/troubleTicket.",
        examples=["https://crm.example.com/listener"],
    )
    query: str | None = Field(
        None,
        description="Optional filter on the event, in list-filter syntax: "
        "eventType=TroubleTicketStateChangeEvent&event.troubleTicket.status=resolved. "
        "Operators .ne/.gt/.gte/.lt/.lte, commas for alternatives.",
    )


class EventSubscription(BaseModel):
    """TMF630 ``EventSubscription``: a registered listener."""

    id: str = Field(description="Id of the listener; DELETE {api}/hub/{id} removes it.")
    callback: str = Field(description="The callback being registered.")
    query: str | None = Field(None, description="The filter given at registration, if any.")


def validate_callback(callback: str) -> str:
    """An absolute ``http``/``https`` URL with a host, or :class:`ValidationFailed`."""
    value = callback.strip()
    if not value:
        raise ValidationFailed("callback is required", field="callback")
    if len(value) > MAX_CALLBACK_LENGTH:
        raise ValidationFailed(
            f"callback is longer than {MAX_CALLBACK_LENGTH} characters", field="callback"
        )
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0
    except ValueError as exc:
        raise ValidationFailed(f"callback is not a valid URL: {exc}", field="callback") from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or not port_ok:
        raise ValidationFailed(
            "callback must be an absolute http:// or https:// URL with a host", field="callback"
        )
    if any(c.isspace() for c in value):
        raise ValidationFailed("callback must not contain whitespace", field="callback")
    return value


def validate_query(query: str | None) -> str | None:
    """The query unchanged (None when blank), or :class:`ValidationFailed` naming the problem."""
    if query is None or not query.strip():
        return None
    if len(query) > MAX_QUERY_LENGTH:
        raise ValidationFailed(f"query is longer than {MAX_QUERY_LENGTH} characters", field="query")
    try:
        parse_query(query)
    except InvalidQuery as exc:
        raise ValidationFailed(str(exc), field="query") from exc
    return query


def register_listener(
    session: Session, api: str, callback: str, query: str | None, principal: Principal
) -> HubSubscription:
    """Register a listener for the events of ``api`` (a TMF base path).

    The listener keeps ``principal``'s row scope as it is now: it receives
    only events published for rows that principal may see.
    """
    scope = principal.scope
    sub = HubSubscription(
        api=api,
        callback=validate_callback(callback),
        query=validate_query(query),
        owner=principal.subject[:64],
        partner_id=scope.partner_id,
        region_ids=sorted(scope.regions) if scope.regions is not None else None,
    )
    session.add(sub)
    session.flush()
    return sub


def get_listener(
    session: Session,
    api: str,
    subscription_id: str,
    principal: Principal,
    *,
    for_update: bool = False,
) -> HubSubscription:
    """The listener, if it belongs to ``api`` and the caller may see it (owner or admin)."""
    sub = session.get(HubSubscription, subscription_id, with_for_update=for_update or None)
    if (
        sub is None
        or sub.api != api
        or not (principal.has_role("admin") or sub.owner == principal.subject[:64])
    ):
        raise NotFound(f"no listener with id {subscription_id} on {api}/hub", field="id")
    return sub


def unregister_listener(
    session: Session, api: str, subscription_id: str, principal: Principal
) -> None:
    """Remove a listener. Its undelivered events are dropped; delivered and dead
    deliveries stay for the record (their ``subscription_id`` becomes NULL)."""
    drop_listener(session, get_listener(session, api, subscription_id, principal, for_update=True))


def drop_listener(session: Session, sub: HubSubscription) -> int:
    """Delete ``sub`` and its undelivered deliveries; returns how many were dropped.

    Used by :func:`unregister_listener` and by the worker when a listener
    answers ``410 Gone``. Delivered and dead deliveries stay for the record,
    with ``subscription_id`` NULL. The deletion is audited like any other.
    """
    dropped = session.execute(
        delete(EventDelivery).where(
            EventDelivery.subscription_id == sub.id, EventDelivery.status.not_in((DONE, DEAD))
        )
    )
    session.execute(
        update(EventDelivery)
        .where(EventDelivery.subscription_id == sub.id)
        .values(subscription_id=None)
    )
    session.delete(sub)
    session.flush()
    return int(getattr(dropped, "rowcount", 0) or 0)


def in_listener_scope(sub: HubSubscription, event: OutboxEvent) -> bool:
    """Whether ``event`` concerns a row inside ``sub``'s scope (same rule as
    :func:`openboss.kit.scope.row_in_scope` for the event's partner and region)."""
    return row_in_scope(event, sub.scope)


def listeners_for(session: Session, api: str) -> list[HubSubscription]:
    """Every listener registered on ``api``."""
    if not api:
        return []
    stmt = select(HubSubscription).where(HubSubscription.api == api).order_by(HubSubscription.id)
    return list(session.scalars(stmt))


def _to_schema(sub: HubSubscription) -> EventSubscription:
    return EventSubscription(id=sub.id, callback=sub.callback, query=sub.query)


def make_hub_router(base_path: str) -> APIRouter:
    """The two TMF630 hub endpoints under ``{base_path}/hub``."""
    api = base_path.rstrip("/")
    if not api.startswith("/") or len(api) > 128:
        raise ValueError("base_path must be an absolute path such as /tmf-api/troubleTicket/v4")
    router = APIRouter(prefix=f"{api}/hub", tags=["events subscription"])

    @router.post(
        "",
        status_code=201,
        response_model=EventSubscription,
        response_model_exclude_none=True,
        name="register_listener",
        summary="Register a listener",
    )
    def register(
        body: EventSubscriptionInput,
        session: DbSession,
        principal: CurrentPrincipal,
        response: Response,
    ) -> EventSubscription:
        """Register a callback receiving this API's events (TMF630 hub)."""
        sub = register_listener(session, api, body.callback, body.query, principal)
        response.headers["Location"] = f"{api}/hub/{sub.id}"
        return _to_schema(sub)

    @router.delete(
        "/{subscription_id}",
        status_code=204,
        response_class=Response,
        name="unregister_listener",
        summary="Unregister a listener",
    )
    def unregister(
        subscription_id: str, session: DbSession, principal: CurrentPrincipal
    ) -> Response:
        """Remove a listener registered on this API; 404 when unknown."""
        unregister_listener(session, api, subscription_id, principal)
        return Response(status_code=204)

    return router
