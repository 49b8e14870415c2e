"""TMF640 Service Activation and Configuration over the activation platform
(eTOM 1.3.2.3 Implement, Configure & Activate Service).

A ``service`` is configured on the elements its specification maps to
(:data:`SPEC_ELEMENTS`, or a characteristic ``elements`` listing them); its
``serviceCharacteristic`` values are the element parameters (``account``,
``password`` or ``passwordHash``, ``bandwidthDownMbps``, ``ontSerial`` …).
Every request runs synchronously through :func:`service.execute` and leaves a
``monitor`` with state ``Completed``. A failing element answers 409
``ACTIVATION_FAILED`` after compensation; the request's changes are rolled back
and only a monitor with state ``InError`` is kept (:func:`record_failure`).

State moves: ``active`` activates (or resumes an ``inactive`` service),
``inactive`` suspends (on create: activate then suspend), ``terminated``
deactivates; ``feasibilityChecked``/``designed``/``reserved`` are recorded
without element calls. DELETE deactivates and removes the service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.events import publish
from openboss.fulfilment.activation import service
from openboss.fulfilment.activation.contract import Command
from openboss.fulfilment.activation.models import (
    BASE_PATH,
    MONITOR_RESOURCE,
    SERVICE_RESOURCE,
    ActivationMonitor,
    ActivationService,
)
from openboss.fulfilment.activation.schemas import ActivationServiceCreate, ActivationServiceUpdate
from openboss.kit.clock import utcnow
from openboss.kit.errors import IllegalTransition, NotFound, ValidationFailed
from openboss.kit.ids import new_id
from openboss.kit.tmf.http import merge_patch, reject_read_only, validate
from openboss.kit.tmf.listing import Page, fetch_document, list_page
from openboss.kit.tmf.query import ListQuery

#: Service specification id → the elements it is configured on, in order.
SPEC_ELEMENTS: dict[str, list[str]] = {
    "rfs-gpon-access": ["olt"],
    "rfs-ip-session": ["radius"],
    "rfs-broadband": ["olt", "radius"],
    "rfs-mobile-access": ["hlr"],
    "rfs-ims-line": ["ims"],
}

PRE_STATES = ("feasibilityChecked", "designed", "reserved")
CONFIGURED = ("active", "inactive")
MASK = "***"


def _is_secret(name: str) -> bool:
    lowered = name.lower()
    return "password" in lowered or "secret" in lowered


@dataclass
class Written:
    row: ActivationService
    body: bytes


def _elements(spec_id: str, params: dict[str, Any]) -> list[str]:
    listed = params.pop("elements", None)
    if listed is not None:
        if isinstance(listed, str):
            listed = [e.strip() for e in listed.split(",") if e.strip()]
        if not isinstance(listed, list) or not all(isinstance(e, str) for e in listed):
            raise ValidationFailed(
                "the characteristic 'elements' lists element names, e.g. ['olt', 'radius']",
                field="serviceCharacteristic",
            )
        for element in listed:
            service.adapter(element)
        return list(listed)
    if spec_id not in SPEC_ELEMENTS:
        raise ValidationFailed(
            f"no elements for service specification '{spec_id}': one of "
            f"{', '.join(SPEC_ELEMENTS)}, or a characteristic 'elements'",
            field="serviceSpecification.id",
        )
    return list(SPEC_ELEMENTS[spec_id])


def _params(chars: list[dict[str, Any]] | None) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for char in chars or []:
        name, value = char["name"], char.get("value")
        if name in params:
            raise ValidationFailed(
                f"characteristic '{name}' is given twice", field="serviceCharacteristic"
            )
        if _is_secret(name) and value == MASK:
            continue  # the stored, masked value: unchanged
        params[name] = value
    password = params.pop("password", None)
    if password is not None:
        if not isinstance(password, str) or not password:
            raise ValidationFailed(
                "the characteristic 'password' must be a non-empty string",
                field="serviceCharacteristic",
            )
        params["passwordHash"] = service.password_hash(password)
    return params


def _stored_chars(chars: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    if chars is None:
        return None
    return [{**c, "value": MASK} if _is_secret(c["name"]) else c for c in chars]


def _dump(items: list[Any] | None) -> list[dict[str, Any]] | None:
    if items is None:
        return None
    return [i.model_dump(mode="json", by_alias=True, exclude_none=True) for i in items]


def document(row: ActivationService, base_url: str) -> bytes:
    return SERVICE_RESOURCE.represent(
        row.id, row.doc, SERVICE_RESOURCE.href_prefix(base_url)
    ).encode()


def _publish(session: Session, event_type: str, body: bytes, **kw: Any) -> None:
    publish(
        session,
        event_type,
        "service",
        orjson.loads(body),
        api=BASE_PATH,
        domain="fulfilment",
        **kw,
    )


def _run(
    session: Session,
    row: ActivationService,
    commands: list[Command],
    params: dict[str, Any],
    monitor_id: str,
) -> list[dict[str, Any]]:
    results = []
    for command in commands:
        results.append(
            service.execute(
                session,
                command=command,
                service_id=row.id,
                elements=row.elements,
                params=params,
                key=f"tmf640:{monitor_id}:{command}",
            )
        )
    return results


def _monitor(
    session: Session,
    monitor_id: str,
    row: ActivationService,
    base_url: str,
    *,
    method: str,
    request_body: Any,
    status_code: int,
    results: list[dict[str, Any]],
) -> None:
    json_header = [{"name": "Content-Type", "value": "application/json"}]
    monitor = ActivationMonitor(
        id=monitor_id,
        service_id=row.id,
        source_href=SERVICE_RESOURCE.href(base_url, row.id),
        state="Completed",
        request={
            "method": method,
            "to": SERVICE_RESOURCE.href(base_url, row.id),
            "body": orjson.dumps(request_body).decode(),
            "header": json_header,
        },
        response={
            "statusCode": str(status_code),
            "body": orjson.dumps({"activation": results}).decode(),
            "header": json_header,
        },
        created_at=utcnow(),
    )
    session.add(monitor)
    session.flush()
    body = MONITOR_RESOURCE.represent(
        monitor.id, monitor.doc, MONITOR_RESOURCE.href_prefix(base_url)
    )
    publish(
        session,
        "MonitorCreateEvent",
        "monitor",
        orjson.loads(body),
        api=BASE_PATH,
        domain="fulfilment",
    )


def record_failure(
    session: Session,
    *,
    method: str,
    target: str,
    service_id: str | None,
    request_body: Any,
    error: dict[str, Any],
    base_url: str,
) -> str:
    """Keep an ``InError`` monitor of a failed request (after the caller rolled the
    request back); returns its href."""
    json_header = [{"name": "Content-Type", "value": "application/json"}]
    monitor = ActivationMonitor(
        id=new_id(),
        service_id=service_id,
        source_href=target,
        state="InError",
        request={
            "method": method,
            "to": target,
            "body": orjson.dumps(_request_view(request_body)).decode(),
            "header": json_header,
        },
        response={
            "statusCode": str(error.get("status", "409")),
            "body": orjson.dumps(error).decode(),
            "header": json_header,
        },
        created_at=utcnow(),
    )
    session.add(monitor)
    session.flush()
    body = MONITOR_RESOURCE.represent(
        monitor.id, monitor.doc, MONITOR_RESOURCE.href_prefix(base_url)
    )
    publish(
        session,
        "MonitorCreateEvent",
        "monitor",
        orjson.loads(body),
        api=BASE_PATH,
        domain="fulfilment",
    )
    return MONITOR_RESOURCE.href(base_url, monitor.id)


def _request_view(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        return {}
    view = dict(data)
    if view.get("serviceCharacteristic"):
        view["serviceCharacteristic"] = _stored_chars(view["serviceCharacteristic"])
    return view


def create(session: Session, data: ActivationServiceCreate, base_url: str) -> Written:
    if data.state == "terminated":
        raise ValidationFailed("a service cannot be created terminated", field="state")
    chars = _dump(data.service_characteristic)
    params = _params(chars)
    elements = _elements(data.service_specification.id, params)
    now = utcnow()
    row = ActivationService(
        id=new_id(),
        name=data.name,
        description=data.description,
        category=data.category,
        service_type=data.service_type,
        state=data.state,
        specification=data.service_specification.model_dump(
            mode="json", by_alias=True, exclude_none=True
        ),
        characteristic=_stored_chars(chars),
        related_party=_dump(data.related_party),
        elements=elements,
        start_date=data.start_date,
        end_date=data.end_date,
        created_at=now,
    )
    commands: list[Command] = {
        "active": ["activate"],
        "inactive": ["activate", "suspend"],
    }.get(data.state, [])  # type: ignore[assignment]
    monitor_id = new_id()
    results = _run(session, row, commands, params, monitor_id)
    session.add(row)
    session.flush()
    body = document(row, base_url)
    _monitor(
        session,
        monitor_id,
        row,
        base_url,
        method="POST",
        request_body=_request_view(data.model_dump(mode="json", by_alias=True, exclude_none=True)),
        status_code=201,
        results=results,
    )
    _publish(session, "ServiceCreateEvent", body)
    return Written(row, body)


def get(session: Session, ident: str, *, for_update: bool = False) -> ActivationService:
    stmt = select(ActivationService).where(ActivationService.id == ident)
    if for_update:
        stmt = stmt.with_for_update()
    row = session.scalars(stmt).first()
    if row is None:
        raise NotFound(f"service '{ident}' not found")
    return row


def _writable(row: ActivationService) -> dict[str, Any]:
    view: dict[str, Any] = {
        "name": row.name,
        "description": row.description,
        "category": row.category,
        "serviceType": row.service_type,
        "state": row.state,
        "serviceSpecification": row.specification,
        "serviceCharacteristic": row.characteristic,
        "relatedParty": row.related_party,
        "startDate": row.start_date.isoformat() if row.start_date else None,
        "endDate": row.end_date.isoformat() if row.end_date else None,
    }
    return {k: v for k, v in view.items() if v is not None}


def _state_commands(old: str, new: str) -> list[Command]:
    if old == new:
        return []
    if old == "terminated":
        raise IllegalTransition(f"service is terminated; it cannot become {new}", field="state")
    if new in PRE_STATES:
        if old in CONFIGURED:
            raise IllegalTransition(
                f"a configured ({old}) service cannot go back to {new}", field="state"
            )
        return []
    table: dict[tuple[str, str], list[Command]] = {
        ("active", "inactive"): ["suspend"],
        ("inactive", "active"): ["resume"],
        ("active", "terminated"): ["deactivate"],
        ("inactive", "terminated"): ["deactivate"],
    }
    if old in PRE_STATES:
        return {"active": ["activate"], "inactive": ["activate", "suspend"]}.get(new, [])  # type: ignore[return-value]
    return table[(old, new)]


def update(session: Session, ident: str, patch: dict[str, Any], base_url: str) -> Written:
    reject_read_only(patch, sorted(SERVICE_RESOURCE.read_only))
    row = get(session, ident, for_update=True)
    before = _writable(row)
    merged = merge_patch(before, patch)
    data = validate(ActivationServiceUpdate, merged)
    if data.state is None:
        raise ValidationFailed("'state' is required and cannot be removed", field="state")
    if data.service_specification is None:
        raise ValidationFailed(
            "'serviceSpecification' is required and cannot be removed",
            field="serviceSpecification",
        )
    old_state = row.state
    commands = _state_commands(old_state, data.state)
    chars = _dump(data.service_characteristic)
    params = _params(chars)
    elements = _elements(data.service_specification.id, dict(params))
    params.pop("elements", None)
    spec = data.service_specification.model_dump(mode="json", by_alias=True, exclude_none=True)
    if elements != row.elements and old_state not in PRE_STATES and old_state != "terminated":
        raise IllegalTransition(
            f"the elements of a configured service cannot change ({row.elements} → {elements})",
            field="serviceSpecification",
        )
    chars_changed = _stored_chars(chars) != row.characteristic or any(
        _is_secret(c["name"]) and c.get("value") != MASK for c in chars or []
    )
    modify: list[Command] = []
    if chars_changed and old_state in CONFIGURED and data.state != "terminated":
        modify = ["modify"]
    row.elements = elements
    monitor_id = new_id()
    results = _run(session, row, [*modify, *commands], params, monitor_id)
    row.name = data.name
    row.description = data.description
    row.category = data.category
    row.service_type = data.service_type
    row.state = data.state
    row.specification = spec
    row.characteristic = _stored_chars(chars)
    row.related_party = _dump(data.related_party)
    row.start_date = data.start_date
    row.end_date = data.end_date
    if data.state == "terminated" and row.end_date is None:
        row.end_date = utcnow()
    after = _writable(row)
    if after == before and not results:
        return Written(row, document(row, base_url))
    session.flush()
    body = document(row, base_url)
    _monitor(
        session,
        monitor_id,
        row,
        base_url,
        method="PATCH",
        request_body=_request_view(patch),
        status_code=200,
        results=results,
    )
    if {k: v for k, v in after.items() if k != "state"} != {
        k: v for k, v in before.items() if k != "state"
    }:
        _publish(session, "ServiceAttributeValueChangeEvent", body)
    if old_state != row.state:
        _publish(
            session,
            "ServiceStateChangeEvent",
            body,
            description=f"state {old_state} → {row.state}",
        )
    return Written(row, body)


def delete(session: Session, ident: str, base_url: str) -> None:
    row = get(session, ident, for_update=True)
    commands: list[Command] = ["deactivate"] if row.state in CONFIGURED else []
    monitor_id = new_id()
    params = _params(row.characteristic)
    params.pop("elements", None)
    results = _run(session, row, commands, params, monitor_id)
    body = document(row, base_url)
    _monitor(
        session,
        monitor_id,
        row,
        base_url,
        method="DELETE",
        request_body={},
        status_code=204,
        results=results,
    )
    session.delete(row)
    session.flush()
    _publish(session, "ServiceDeleteEvent", body)


def list_services(session: Session, query: ListQuery, base_url: str) -> Page:
    return list_page(session, SERVICE_RESOURCE, query, base_url=base_url)


def service_document(
    session: Session, ident: str, base_url: str, projection: dict[str, Any] | None = None
) -> bytes:
    doc = fetch_document(session, SERVICE_RESOURCE, ident, base_url=base_url, projection=projection)
    if doc is None:
        raise NotFound(f"service '{ident}' not found")
    return doc


def list_monitors(session: Session, query: ListQuery, base_url: str) -> Page:
    return list_page(session, MONITOR_RESOURCE, query, base_url=base_url)


def monitor_document(
    session: Session, ident: str, base_url: str, projection: dict[str, Any] | None = None
) -> bytes:
    doc = fetch_document(session, MONITOR_RESOURCE, ident, base_url=base_url, projection=projection)
    if doc is None:
        raise NotFound(f"monitor '{ident}' not found")
    return doc
