"""SLA clocks and business alarms over HTTP (eTOM 1.1.1.5), under ``/api/ordering/v1``
(TMF622 has no resource for them):

* ``GET /slaClocks/{orderId}`` — the order's clock: state, deadline, jeopardyAt,
  secondsLeft;
* ``GET /businessAlarms`` — jeopardy and breach alarms (``state`` raised /
  acknowledged / cleared / open, ``kind``, ``orderId``, ``offset``, ``limit``;
  ``X-Total-Count``);
* ``POST /businessAlarms/{id}/acknowledge`` — someone has it in hand.

Reads: admin, csr, manager, noc, dispatcher; acknowledge: admin, manager, noc, csr.
Everything is region-scoped by the order's region.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from openboss.auth.deps import DbSession, ReadSession, require_roles
from openboss.auth.principal import Principal
from openboss.kit.tmf.http import json_response
from openboss.kit.tmf.schemas import ResourceId
from openboss.ordering.sla import service

READ_ROLES = ("admin", "csr", "manager", "noc", "dispatcher")
ACK_ROLES = ("admin", "manager", "noc", "csr")

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Bad Request (naming the field)"},
    401: {"description": "Unauthorized"},
    403: {"description": "Forbidden"},
    404: {"description": "Not Found (or outside the caller's scope)"},
    409: {"description": "Conflict (alarm already acknowledged or cleared)"},
}

router = APIRouter(prefix=service.API, tags=["order SLA"], responses=_ERRORS)

Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
Acker = Annotated[Principal, Depends(require_roles(*ACK_ROLES))]


@router.get("/slaClocks/{orderId}", name="get_sla_clock", summary="The SLA clock of an order")
def get_sla_clock(orderId: ResourceId, session: ReadSession, principal: Reader) -> Response:
    return json_response(orjson.dumps(service.scoped_clock(session, principal.scope, orderId)))


@router.get("/businessAlarms", name="list_business_alarms", summary="SLA jeopardy and breach")
def list_business_alarms(
    session: ReadSession,
    principal: Reader,
    state: Annotated[
        Literal["raised", "acknowledged", "cleared", "open"] | None,
        Query(description="raised, acknowledged, cleared or open (raised or acknowledged)."),
    ] = None,
    kind: Annotated[
        Literal["orderJeopardy", "orderBreach"] | None, Query(description="Alarm kind.")
    ] = None,
    orderId: Annotated[
        str | None, Query(description="Product order id.", min_length=1, max_length=64)
    ] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    rows = service.alarms(
        session,
        principal.scope,
        state=state,
        kind=kind,
        object_id=orderId,
        offset=offset,
        limit=limit,
    )
    total = service.count_alarms(
        session, principal.scope, state=state, kind=kind, object_id=orderId
    )
    return json_response(
        orjson.dumps(rows), headers={"X-Total-Count": str(total), "X-Result-Count": str(len(rows))}
    )


@router.post(
    "/businessAlarms/{id}/acknowledge",
    name="acknowledge_business_alarm",
    summary="Acknowledge a business alarm",
)
def acknowledge_business_alarm(id: ResourceId, session: DbSession, principal: Acker) -> Response:
    return json_response(
        orjson.dumps(service.acknowledge(session, principal.scope, id, by=principal.name))
    )
