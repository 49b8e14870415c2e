"""The partner callback API: a partner's own work-order system reports an installation
done (or failed) and the waiting flow resumes.

eTOM 1.6 party (partner) relationship management — partner order handling feeding
back into 1.5.2 resource provisioning.

``POST /api/fulfilment/v1/partnerCallbacks`` (role ``partner``, its own work orders
only; ``admin`` for tests and support) with ``{workOrderId, outcome, characteristics,
failureReason}``:

* the work order must be a fulfilment work order (``relatedEntity`` role
  ``serviceOrder``) of the caller's company, still open (else 404 / 409);
* a completion must carry the kind's completion data (400 naming
  ``characteristics.<name>``, e.g. ``ontSerial`` for an installation);
* the partner-cable flow waits for either the work order's closure or this
  callback (an event-based gateway): the callback is correlated as the message
  ``partnerCallback`` and the flow closes the work order itself; for the other
  partner flows the work order is closed here, which resumes them with
  ``workOrderClosed``.

Answers 202 with where the report went.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import Field
from starlette.responses import JSONResponse

import openboss.fulfilment.flows.handlers as flow_handlers  # registers handlers and hooks
from openboss.auth.deps import DbSession, require_roles
from openboss.auth.principal import Principal
from openboss.fulfilment.engine import service as engine
from openboss.fulfilment.inventory import service as inventory
from openboss.fulfilment.serviceorder import service as serviceorder
from openboss.kit.errors import Conflict, NotFound, ValidationFailed
from openboss.kit.tmf.schemas import Text, TmfModel
from openboss.workforce import kinds as work_kinds
from openboss.workforce import service as workforce
from openboss.workforce import states as work_states

BASE = "/api/fulfilment/v1"
#: The flows that wait for the ``partnerCallback`` message themselves.
CALLBACK_PROCESSES = flow_handlers.CALLBACK_PROCESSES

router = APIRouter(
    responses={
        400: {"description": "Bad Request (naming the field)"},
        401: {"description": "Unauthorized"},
        403: {"description": "Forbidden"},
        404: {"description": "Not Found (or not the caller's work order)"},
        409: {"description": "Conflict (closed already, not a fulfilment work order)"},
    }
)

Caller = Annotated[Principal, Depends(require_roles("partner", "admin"))]


class PartnerCallback(TmfModel):
    """What the partner's system reports about one work order."""

    work_order_id: Text = Field(
        description="The TMF697 work order id.", min_length=1, max_length=64
    )
    outcome: Literal["completed", "failed"] = Field(description="completed or failed.")
    characteristics: dict[
        Annotated[Text, Field(min_length=1, max_length=64)],
        Annotated[Text, Field(max_length=256)],
    ] = Field(
        default_factory=dict,
        description='Completion data by name, e.g. {"ontSerial": "HWTC1234ABCD"}.',
        max_length=50,
    )
    failure_reason: Text | None = Field(
        None, description="Why it failed (required when outcome is failed).", max_length=500
    )


@router.post(
    f"{BASE}/partnerCallbacks",
    name="partner_callback",
    status_code=202,
    tags=["fulfilment flows"],
)
def partner_callback(body: PartnerCallback, session: DbSession, principal: Caller) -> JSONResponse:
    """A partner's system reports its work order completed or failed."""
    scope = principal.scope
    order = workforce.get_work_order(session, scope, body.work_order_id)
    if principal.partner_id is not None and order.partner_id != principal.partner_id:
        raise NotFound(f"workOrder '{body.work_order_id}' not found")
    service_order = next(
        (e.get("id") for e in order.related_entity or [] if e.get("role") == "serviceOrder"),
        None,
    )
    if not service_order:
        raise Conflict(
            f"workOrder '{order.id}' was not created by a fulfilment flow", code="NOT_FULFILMENT"
        )
    if order.state in work_states.FINAL:
        raise Conflict(f"workOrder '{order.id}' is {order.state} already", code="CLOSED")
    chars = {k.strip(): v.strip() for k, v in body.characteristics.items() if v.strip()}
    if body.outcome == "completed":
        try:
            work_kinds.check_completion(
                order.kind,
                [{"characteristic": [{"name": k, "value": v} for k, v in chars.items()]}],
            )
        except ValidationFailed as exc:
            name = (exc.field or "").rsplit(".", 1)[-1]
            raise ValidationFailed(str(exc), field=f"characteristics.{name}") from exc
    reason = (body.failure_reason or "").strip()
    if body.outcome == "failed" and not reason:
        raise ValidationFailed("a failed report needs a failureReason", field="failureReason")
    request = serviceorder.request_of(session, str(service_order))
    result: dict[str, Any] = {
        "workOrderId": order.id,
        "serviceOrderId": service_order,
        "outcome": body.outcome,
    }
    if request.process_key in CALLBACK_PROCESSES:
        payload = {
            "workOrderId": order.id,
            "outcome": body.outcome,
            "characteristics": chars,
            "failureReason": reason or None,
        }
        result["instances"] = engine.correlate(session, "partnerCallback", order.id, payload)
        result["delivered"] = "partnerCallback"
    else:
        base = inventory.default_base_url()
        actor = workforce.Actor(principal.name)
        if order.state in ("acknowledged", "pending", "held"):
            workforce.update_work_order(
                session, scope, order.id, {"state": "inProgress"}, base, actor
            )
        if body.outcome == "completed":
            workforce.complete(session, scope, order.id, chars, base, actor)
        else:
            workforce.fail(session, scope, order.id, reason, base, actor)
        result["delivered"] = "workOrderClosed"
    return JSONResponse(result, status_code=202)
