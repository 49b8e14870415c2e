"""Service orders (TMF641): a product order item decomposed into its
customer-facing services and run by one BPMN process instance.

eTOM 1.4.1 service configuration & activation (and 1.1.1.5 order handling,
whose items it fulfils). Order handling calls :func:`submit` with one
:class:`~openboss.fulfilment.contracts.FulfilmentRequest` per item:

* one service order per request, one item per CFS of the product
  specification (``cfs_specs``), each with its ``service`` (id,
  ``serviceSpecification``, ``serviceCharacteristic`` without secrets,
  ``place``); the product order and item are the order's ``externalId``,
  ``externalReference`` and ``orderRelationship`` and each service's
  ``relatedEntity``;
* secrets (``accessPassword``) are hashed (``activation.password_hash``) into a
  column never rendered, audited or evented; :func:`secret_of` reads them;
* an item that ``depends_on`` other items of the same product order is
  ``held`` until they complete (``failed`` / ``cancelled`` when they do not);
  the others start at once: ``engine.start(process_key, business_key=<service
  order id>)`` and ``inProgress``;
* a new product (action add) is recorded in the product inventory at once
  (``created``, ``pendingActive`` while its order runs), so its id exists
  from the start.

When the instance ends (:func:`complete_item`, registered with
``engine.on_instance_closed``), the order closes, the product and service
inventories are written, order handling is told (``hooks.item_closed``) and
the orders waiting for this one start.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, replace
from datetime import datetime, timedelta
from typing import Any, cast

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.events import publish
from openboss.fulfilment import hooks
from openboss.fulfilment.activation import service as activation
from openboss.fulfilment.contracts import FulfilmentRequest, Milestone, Outcome
from openboss.fulfilment.engine import service as engine
from openboss.fulfilment.engine.models import ProcessInstance
from openboss.fulfilment.inventory import service as inventory
from openboss.fulfilment.inventory.schemas import SECRET_NAMES
from openboss.fulfilment.serviceorder import states
from openboss.fulfilment.serviceorder.models import (
    BASE_PATH,
    CANCEL_RESOURCE,
    SERVICE_ORDER_RESOURCE,
    CancelServiceOrder,
    ServiceOrder,
    ServiceOrderMilestone,
)
from openboss.fulfilment.serviceorder.schemas import (
    CancelServiceOrderCreate,
    ServiceOrderChange,
    ServiceOrderCreate,
)
from openboss.kit.clock import utcnow
from openboss.kit.errors import AppError, Conflict, NotFound, ValidationFailed
from openboss.kit.ids import new_id
from openboss.kit.places import place_directory
from openboss.kit.scope import SYSTEM_SCOPE, Scope, apply_scope, region_for_write
from openboss.kit.tmf.attributes import format_datetime, strip_nulls, truncate_datetime
from openboss.kit.tmf.http import merge_patch, reject_read_only, validate
from openboss.kit.tmf.listing import Page, fetch_document, list_page
from openboss.kit.tmf.query import ListQuery

#: Service order states by the outcome of its process instance.
_CLOSED_STATE: dict[str, str] = {
    "completed": "completed",
    "failed": "failed",
    "cancelled": "cancelled",
}
#: Final service order states and the outcome order handling is told.
_OUTCOME_OF: dict[str, Outcome] = {
    "completed": "completed",
    "failed": "failed",
    "partial": "failed",
    "rejected": "failed",
    "cancelled": "cancelled",
}
#: Service state after an item completes, by product order action.
_SERVICE_STATE = {
    "add": "active",
    "modify": "active",
    "resume": "active",
    "suspend": "inactive",
    "delete": "terminated",
}
#: Product status after an item completes, by product order action.
_PRODUCT_STATUS = {
    "add": "active",
    "modify": None,
    "resume": "active",
    "suspend": "suspended",
    "delete": "terminated",
}
#: TMF641 item action by product order action (suspend/resume modify the service).
_ITEM_ACTION = {
    "add": "add",
    "modify": "modify",
    "delete": "delete",
    "suspend": "modify",
    "resume": "modify",
}


def _now() -> datetime:
    return truncate_datetime(utcnow())


def _loads(body: bytes) -> dict[str, Any]:
    return cast(dict[str, Any], orjson.loads(body))


def document(order: ServiceOrder, base_url: str | None = None) -> bytes:
    """The TMF641 representation of a flushed order."""
    prefix = SERVICE_ORDER_RESOURCE.href_prefix(base_url or inventory.default_base_url())
    return SERVICE_ORDER_RESOURCE.represent(order.id, _rendered(order), prefix).encode()


def _rendered(order: ServiceOrder) -> str:
    """The stored document as the next flush writes it (no flush needed)."""
    return SERVICE_ORDER_RESOURCE.render_document(
        {c.key: getattr(order, c.key) for c in ServiceOrder.__table__.columns}
    )


def view(order: ServiceOrder, base_url: str | None = None) -> dict[str, Any]:
    return _loads(document(order, base_url))


def _publish(
    session: Session, event_type: str, order: ServiceOrder, body: bytes, **kw: Any
) -> None:
    publish(
        session,
        event_type,
        "serviceOrder",
        _loads(body),
        api=BASE_PATH,
        domain="fulfilment",
        region_id=order.region_id,
        **kw,
    )


# --------------------------------------------------------------------------- requests


def _request_json(request: FulfilmentRequest) -> dict[str, Any]:
    """The request as JSON, without its secrets (only their names are kept)."""
    data = asdict(request)
    data["secrets"] = {}
    data["secretNames"] = sorted(request.secrets)
    data["characteristics"] = {
        k: v for k, v in dict(request.characteristics).items() if k not in SECRET_NAMES
    }
    return cast(dict[str, Any], orjson.loads(orjson.dumps(data, default=_json_default)))


def _json_default(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def _request_from_json(data: Mapping[str, Any]) -> FulfilmentRequest:
    fields = dict(data)
    fields.pop("secretNames", None)
    for name in ("cfs_specs", "rfs_specs", "resource_specs", "depends_on"):
        fields[name] = tuple(fields.get(name) or ())
    fields["product_price"] = tuple(fields.get("product_price") or ())
    fields["secrets"] = {}
    fields["characteristics"] = dict(fields.get("characteristics") or {})
    return FulfilmentRequest(**fields)


def _check_request(request: FulfilmentRequest, index: int) -> None:
    def need(value: Any, field: str) -> None:
        if not value or not isinstance(value, str):
            raise ValidationFailed(f"requests[{index}].{field} is required", field=field)

    need(request.product_order_id, "product_order_id")
    need(request.product_order_item_id, "product_order_item_id")
    need(request.process_key, "process_key")
    need(request.product_spec_id, "product_spec_id")
    if request.action not in _ITEM_ACTION:
        raise ValidationFailed(
            f"requests[{index}].action '{request.action}' is not one of " + ", ".join(_ITEM_ACTION),
            field="action",
        )
    if request.action != "add":
        need(request.product_id, "product_id")
    if request.product_order_item_id in request.depends_on:
        raise ValidationFailed(f"requests[{index}] depends on itself", field="depends_on")


# --------------------------------------------------------------------------- building


def _service_items(
    session: Session, request: FulfilmentRequest, product_id: str
) -> list[dict[str, Any]]:
    """One TMF641 item per CFS (existing services of the product for a change)."""
    existing: dict[str, Any] = {}
    if request.action != "add":
        for svc in inventory.services_of_product(session, product_id):
            if svc.category == "CFS" and svc.state != "terminated":
                existing[str(svc.service_specification.get("id"))] = svc
    specs = list(request.cfs_specs)
    if request.action != "add" and not specs:
        specs = [str(k) for k in existing]
    if not specs:
        specs = [request.product_spec_id]
    chars = inventory.characteristics(request.characteristics, secrets=request.secrets.keys())
    related = [
        {
            "id": request.product_order_id,
            "name": f"item {request.product_order_item_id}",
            "role": "productOrder",
            "@referredType": "ProductOrder",
        },
        {"id": product_id, "role": "product", "@referredType": "Product"},
    ]
    items = []
    for index, spec in enumerate(specs, start=1):
        current = existing.get(spec)
        action = _ITEM_ACTION[request.action]
        if current is None and action != "add":
            if request.action == "modify":
                action = "add"  # a CFS the new configuration adds
            else:
                continue
        service: dict[str, Any] = {
            "id": current.id if current is not None else new_id(),
            "name": spec,
            "category": "CFS",
            "state": _SERVICE_STATE[request.action],
            "serviceSpecification": {"id": spec, "@referredType": "ServiceSpecification"},
            "serviceCharacteristic": chars or None,
            "place": inventory.place_refs(request.place_id),
            "relatedEntity": related,
            "@type": "Service",
        }
        item: dict[str, Any] = {
            "id": str(index),
            "action": action,
            "state": states.SERVICE_ORDER.initial,
            "quantity": 1,
            "service": strip_nulls(service),
        }
        if request.appointment_id:
            item["appointment"] = {"id": request.appointment_id, "@referredType": "Appointment"}
        items.append(item)
    if not items:
        raise ValidationFailed(
            f"product '{product_id}' has no customer-facing service to {request.action}",
            field="product_id",
        )
    return items


def _new_order(session: Session, request: FulfilmentRequest) -> ServiceOrder:
    product_id = request.product_id or new_id()
    before: str | None = None
    if request.action == "add":
        if inventory.find_product(session, product_id) is not None:
            raise Conflict(
                f"product '{product_id}' already exists; an add item creates a new product",
                field="product_id",
            )
    else:
        product = inventory.find_product(session, product_id)
        if product is None:
            raise ValidationFailed(
                f"product '{product_id}' is not in the product inventory", field="product_id"
            )
        before = product.status
    now = _now()
    contact = dict(request.contact or {})
    order = ServiceOrder(
        id=new_id(),
        state=states.SERVICE_ORDER.initial,
        category=request.delivery_mode,
        description=f"{request.action} {request.product_offering_name}",
        priority="2",
        external_id=request.product_order_id,
        notification_contact=contact.get("phone") or contact.get("email"),
        order_date=now,
        external_reference=[
            {"name": request.product_order_id, "externalReferenceType": "ProductOrder"},
            {
                "name": f"{request.product_order_id}/{request.product_order_item_id}",
                "externalReferenceType": "ProductOrderItem",
            },
        ],
        order_relationship=[
            {
                "id": request.product_order_id,
                "relationshipType": "fulfils",
                "@referredType": "ProductOrder",
            }
        ],
        related_party=inventory.customer_refs(request.customer_id),
        service_order_item=_service_items(session, request, product_id),
        product_order_id=request.product_order_id,
        product_order_item_id=request.product_order_item_id,
        product_id=product_id,
        customer_id=request.customer_id,
        process_key=request.process_key,
        depends_on=[],
        request=_request_json(request),
        secret={name: activation.password_hash(value) for name, value in request.secrets.items()}
        or None,
        product_status_before=before,
        region_id=request.region_id,
        state_change_date=now,
        updated_at=now,
    )
    if request.sla_completion_hours:
        order.requested_completion = now + timedelta(hours=request.sla_completion_hours)
    session.add(order)
    if request.action == "add":
        inventory.upsert_product(
            session,
            product_id=product_id,
            request=_request_from_json(order.request or {}),
            status="created",
        )
    body = document(order)
    _publish(session, "ServiceOrderCreateEvent", order, body)
    return order


def _existing_for_item(
    session: Session, product_order_id: str, item_id: str
) -> ServiceOrder | None:
    """The latest service order of a product order item."""
    return session.scalars(
        select(ServiceOrder)
        .where(
            ServiceOrder.product_order_id == product_order_id,
            ServiceOrder.product_order_item_id == item_id,
        )
        .order_by(ServiceOrder.order_date.desc(), ServiceOrder.id.desc())
        .limit(1)
    ).first()


# --------------------------------------------------------------------------- submit


def submit(session: Session, requests: Sequence[FulfilmentRequest]) -> list[dict[str, Any]]:
    """One TMF641 service order per request; starts those with no open
    dependency (``inProgress``), holds the others. Returns the representations."""
    for index, request in enumerate(requests):
        _check_request(request, index)
    requests = [_with_place_region(session, r) for r in requests]
    keys = [(r.product_order_id, r.product_order_item_id) for r in requests]
    if len(set(keys)) != len(keys):
        raise ValidationFailed("a product order item is submitted twice", field="requests")
    for po, item in keys:
        prior = _existing_for_item(session, po, item)
        if prior is not None and prior.state not in ("cancelled", "failed", "rejected"):
            raise Conflict(
                f"product order {po} item {item} already has service order {prior.id} "
                f"({prior.state})",
                field="product_order_item_id",
                code="DUPLICATE",
            )
    batch: dict[tuple[str, str], ServiceOrder] = {}
    orders: list[ServiceOrder] = []
    for request in requests:
        order = _new_order(session, request)
        batch[(request.product_order_id, request.product_order_item_id)] = order
        orders.append(order)
    for request, order in zip(requests, orders, strict=True):
        deps: list[str] = []
        for item in request.depends_on:
            dep = batch.get((request.product_order_id, item)) or _existing_for_item(
                session, request.product_order_id, item
            )
            if dep is None:
                raise ValidationFailed(
                    f"item {request.product_order_item_id} depends on item {item}, which has "
                    "no service order",
                    field="depends_on",
                )
            deps.append(dep.id)
        order.depends_on = deps
    _check_cycles(orders)
    for order in orders:
        record_milestone(session, order.id, "serviceOrderCreated", holder="system")
    for order in orders:
        _advance(session, order)
    session.flush()
    return [view(o) for o in orders]


def _with_place_region(session: Session, request: FulfilmentRequest) -> FulfilmentRequest:
    """The request with the region of its installation address (row scope of the
    order, the product and the services); the request's own region otherwise."""
    if not request.place_id:
        return request
    try:
        address = place_directory().address(session, SYSTEM_SCOPE, request.place_id)
    except RuntimeError:  # no place directory registered (tests of this package alone)
        return request
    if address is None or not address.region_id or address.region_id == request.region_id:
        return request
    return replace(request, region_id=address.region_id)


def _check_cycles(orders: Sequence[ServiceOrder]) -> None:
    graph = {o.id: list(o.depends_on) for o in orders}
    seen: set[str] = set()
    stack: set[str] = set()

    def visit(node: str) -> None:
        if node in stack:
            raise ValidationFailed("the items depend on each other in a cycle", field="depends_on")
        if node in seen or node not in graph:
            return
        stack.add(node)
        for nxt in graph[node]:
            visit(nxt)
        stack.discard(node)
        seen.add(node)

    for node in graph:
        visit(node)


def _advance(session: Session, order: ServiceOrder) -> None:
    """Start ``order`` when its dependencies completed, hold it while they run,
    fail or cancel it when one of them did not complete."""
    if order.state not in ("acknowledged", "held", "pending"):
        return
    # fresh states (not the identity map's): another worker may have closed one
    deps: list[tuple[str, str]] = []
    if order.depends_on:
        deps = [
            (row.id, row.state)
            for row in session.execute(
                select(ServiceOrder.id, ServiceOrder.state).where(
                    ServiceOrder.id.in_(list(order.depends_on))
                )
            )
        ]
    for dep_id, dep_state in deps:
        if dep_state in ("failed", "partial", "rejected"):
            _close(
                session,
                order,
                "failed",
                reason=f"service order {dep_id} it depends on {dep_state}",
            )
            return
        if dep_state == "cancelled":
            _close(
                session,
                order,
                "cancelled",
                reason=f"service order {dep_id} it depends on was cancelled",
            )
            return
    waiting = [dep_id for dep_id, dep_state in deps if dep_state != "completed"]
    if not waiting:
        _start(session, order)
    elif order.state != "held":
        _move(session, order, "held")
        record_milestone(session, order.id, "held", holder="system", waitingFor=waiting)


def _start_instance(session: Session, order: ServiceOrder) -> str:
    """The one call into the process engine that starts an order's instance."""
    try:
        instance = engine.start(
            session,
            order.process_key or "",
            business_key=order.id,
            data={
                "serviceOrderId": order.id,
                "productOrderId": order.product_order_id,
                "itemId": order.product_order_item_id,
                "productId": order.product_id,
            },
        )
    except NotFound as exc:
        raise ValidationFailed(
            f"process '{order.process_key}' is not deployed: {exc.message}", field="process_key"
        ) from None
    return instance.id


def _start(session: Session, order: ServiceOrder) -> None:
    order.process_instance_id = _start_instance(session, order)
    order.start_date = _now()
    _move(session, order, "inProgress")
    request = order.request or {}
    if request.get("action") == "add" and order.product_id:
        inventory.set_product_status(session, order.product_id, "pendingActive")
    elif request.get("action") == "delete" and order.product_id:
        product = inventory.find_product(session, order.product_id)
        if product is not None and product.status in ("active", "suspended"):
            inventory.set_product_status(session, order.product_id, "pendingTerminate")


def _move(session: Session, order: ServiceOrder, target: str, **kw: Any) -> None:
    """Move the order (and its items) to ``target`` and publish the change."""
    old = order.state
    states.SERVICE_ORDER.check(old, target)
    if old == target:
        return
    now = _now()
    order.state = target
    order.state_change_date = now
    order.updated_at = now
    order.service_order_item = [{**i, "state": target} for i in order.service_order_item]
    if target in ("completed", "failed", "partial", "rejected"):
        order.completion_date = now
    if target == "cancelled":
        order.cancellation_date = now
    _publish(
        session,
        "ServiceOrderStateChangeEvent",
        order,
        document(order),
        description=f"state {old} → {target}",
        **kw,
    )


# --------------------------------------------------------------------------- closing


def _outcome_path(current: str, target: str) -> list[str]:
    """The states an order passes through from ``current`` to the final ``target``."""
    if target in states.SERVICE_ORDER.allowed(current) or target == current:
        return [target]
    if target == "cancelled" and current == "inProgress":
        return ["assessingCancellation", "pendingCancellation", "cancelled"]
    if target == "cancelled" and current == "assessingCancellation":
        return ["pendingCancellation", "cancelled"]
    if target == "completed" and current == "assessingCancellation":
        return ["inProgress", "completed"]
    if target == "failed" and current == "assessingCancellation":
        return ["pendingCancellation", "failed"]
    if target == "completed" and current == "pendingCancellation":
        # the process finished before the cancellation reached it: record a failed cancel
        return ["failed"]
    return [target]


def complete_item(
    session: Session, service_order_id: str, *, outcome: Outcome, detail: Mapping[str, Any]
) -> None:
    """Close a service order with the outcome of its process: TMF641 state,
    product and service inventories, ``hooks.item_closed``, then the orders
    waiting for it. A second call for a closed order does nothing."""
    order = session.get(ServiceOrder, service_order_id, with_for_update=True)
    if order is None:
        raise NotFound(f"serviceOrder '{service_order_id}' not found")
    if order.state in states.FINAL:
        return
    if outcome not in _CLOSED_STATE:
        raise ValidationFailed(f"unknown outcome '{outcome}'", field="outcome")
    failure = detail.get("failure")
    reason = (
        (failure.get("reason") if isinstance(failure, Mapping) else None)
        or detail.get("reason")
        or detail.get("error")
    )
    _close(session, order, _CLOSED_STATE[outcome], reason=reason, detail=detail)


def _close(
    session: Session,
    order: ServiceOrder,
    target: str,
    *,
    reason: Any = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    detail = detail or {}
    if order.state in states.FINAL:
        return
    path = _outcome_path(order.state, target)
    if target == "failed" or (target == "completed" and path == ["failed"]):
        order.failure_reason = (str(reason) if reason else "the process failed")[:1024]
    if target == "cancelled" and reason and not order.cancellation_reason:
        order.cancellation_reason = str(reason)[:512]
    for step in path:
        _move(session, order, step)
    final = order.state
    services = _write_inventory(session, order, final, detail)
    record_milestone(
        session,
        order.id,
        final if final in ("completed", "failed", "cancelled") else "failed",
        holder="system",
        **({"reason": str(reason)[:500]} if reason and final != "completed" else {}),
    )
    if order.product_order_id and order.product_order_item_id:
        out: dict[str, Any] = {
            "serviceOrderId": order.id,
            "productId": order.product_id,
            "serviceIds": services,
        }
        if final != "completed":
            out["reason"] = order.failure_reason or order.cancellation_reason
        hooks.item_closed(
            session,
            order.product_order_id,
            order.product_order_item_id,
            _OUTCOME_OF.get(final, "failed"),
            out,
        )
    _release_dependants(session, order)


def _release_dependants(session: Session, order: ServiceOrder) -> None:
    if not order.product_order_id:
        return
    # locked, so that two items closing at once in two workers cannot both leave
    # a dependant of both held (the second one waits and then sees the first)
    waiting = session.scalars(
        select(ServiceOrder)
        .where(
            ServiceOrder.product_order_id == order.product_order_id,
            ServiceOrder.state.in_(("held", "acknowledged", "pending")),
        )
        .order_by(ServiceOrder.order_date, ServiceOrder.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    for dependant in waiting:
        if order.id in (dependant.depends_on or []):
            _advance(session, dependant)


def _resource_refs(value: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for entry in value or []:
        if isinstance(entry, str):
            out.append({"id": entry, "@referredType": "Resource"})
        elif isinstance(entry, Mapping) and entry.get("id"):
            ref = {k: entry[k] for k in ("id", "href", "name", "@referredType") if k in entry}
            ref["id"] = str(ref["id"])
            ref.setdefault("@referredType", "Resource")
            out.append(ref)
    return out


def _flow_characteristics(detail: Mapping[str, Any], spec: str) -> list[dict[str, Any]]:
    """``serviceCharacteristics`` the flow left in the instance data: ``{name:
    value}`` for every CFS, or ``{<cfs spec id>: {name: value}}`` per CFS, or a
    list of ``{name, value}``."""
    raw = detail.get("serviceCharacteristics")
    if isinstance(raw, list):
        return inventory.characteristics(raw)
    if not isinstance(raw, Mapping):
        return []
    common = {k: v for k, v in raw.items() if not isinstance(v, Mapping)}
    own = raw.get(spec)
    chars = inventory.characteristics(common)
    if isinstance(own, Mapping):
        chars = inventory.merge_characteristics(chars, inventory.characteristics(own))
    return chars


def _write_inventory(
    session: Session, order: ServiceOrder, final: str, detail: Mapping[str, Any]
) -> list[str]:
    """Products and services after the order closed; the CFS ids written."""
    if not order.request or not order.product_id:
        return []
    request = _request_from_json(order.request)
    action = request.action
    product_id = order.product_id
    if final != "completed":
        product = inventory.find_product(session, product_id)
        if product is None:
            return []
        if action == "add" and product.status in ("created", "pendingActive"):
            inventory.set_product_status(session, product_id, "cancelled")
        elif (
            order.product_status_before
            and product.status != order.product_status_before
            and product.status == "pendingTerminate"
        ):
            inventory.set_product_status(session, product_id, order.product_status_before)
        return []
    now = _now()
    resources = _resource_refs(detail.get("resources"))
    service_state = _SERVICE_STATE[action]
    rfs_refs: list[dict[str, Any]] = []
    existing = {s.id: s for s in inventory.services_of_product(session, product_id)}
    if action == "add":
        for spec in request.rfs_specs:
            rfs_id = new_id()
            inventory.upsert_service(
                session,
                service_id=rfs_id,
                spec_id=spec,
                state=service_state,
                category="RFS",
                product_id=product_id,
                customer_id=request.customer_id,
                region_id=request.region_id,
                place_id=request.place_id,
                supporting_resource=resources,
                product_order_id=request.product_order_id,
            )
            rfs_refs.append({"id": rfs_id, "name": spec, "@referredType": "Service"})
    else:
        for rfs in existing.values():
            if rfs.category == "RFS" and rfs.state != "terminated":
                target = "terminated" if action == "delete" else service_state
                if rfs.state != target:
                    inventory.upsert_service(session, service_id=rfs.id, spec_id="", state=target)
    cfs_ids: list[str] = []
    for item in order.service_order_item:
        svc = item.get("service") or {}
        spec = (svc.get("serviceSpecification") or {}).get("id", "")
        chars = inventory.merge_characteristics(
            svc.get("serviceCharacteristic") or [], _flow_characteristics(detail, spec)
        )
        state = service_state
        current = existing.get(svc["id"])
        if action == "modify" and current is not None:
            state = current.state  # a modification keeps a suspended service suspended
        inventory.upsert_service(
            session,
            service_id=svc["id"],
            spec_id=spec,
            state=state,
            category="CFS",
            name=svc.get("name"),
            product_id=product_id,
            customer_id=request.customer_id,
            region_id=request.region_id,
            place_id=request.place_id,
            service_characteristic=chars,
            supporting_service=rfs_refs,
            supporting_resource=resources,
            service_order_item={
                "serviceOrderId": order.id,
                "itemId": item["id"],
                "itemAction": item["action"],
                "role": "fulfilledBy",
            },
            product_order_id=request.product_order_id,
        )
        cfs_ids.append(svc["id"])
    names = {i["service"]["id"]: i["service"].get("name") for i in order.service_order_item}
    realizing = [{"id": sid, "name": names.get(sid), "@referredType": "Service"} for sid in cfs_ids]
    status = _PRODUCT_STATUS[action]
    product = inventory.find_product(session, product_id)
    if product is None:
        return cfs_ids
    inventory.upsert_product(
        session,
        product_id=product_id,
        request=request,
        status=status or product.status,
        realizing_service=[strip_nulls(r) for r in realizing],
        realizing_resource=resources or None,
        start_date=now if action == "add" else None,
    )
    return cfs_ids


# --------------------------------------------------------------------------- cancel


def cancel_for_product_order(
    session: Session, product_order_id: str, reason: str
) -> list[dict[str, Any]]:
    """Cancel every open service order of a product order: the running ones
    through ``engine.cancel`` (compensation releases what they took), the
    waiting ones at once. Returns their representations."""
    orders = session.scalars(
        select(ServiceOrder)
        .where(ServiceOrder.product_order_id == product_order_id)
        .order_by(ServiceOrder.order_date, ServiceOrder.id)
    ).all()
    out = []
    for order in orders:
        if order.state not in states.FINAL:
            _cancel(session, order, reason)
        out.append(order)
    session.flush()
    return [view(o) for o in out]


def _cancel(session: Session, order: ServiceOrder, reason: str) -> None:
    order.cancellation_reason = (reason or "cancelled")[:512]
    if order.state in states.CANCEL_AT_ONCE or not order.process_instance_id:
        _close(session, order, "cancelled", reason=reason)
        return
    if order.state == "inProgress":
        _move(session, order, "assessingCancellation")
    if order.state == "assessingCancellation":
        _move(session, order, "pendingCancellation")
    try:
        engine.cancel(session, order.process_instance_id, reason or "cancelled")
    except AppError:
        session.refresh(order)
        if order.state in states.FINAL:
            return
        raise
    if order.state not in states.FINAL:
        _close(session, order, "cancelled", reason=reason)


def _on_instance_closed(session: Session, instance: ProcessInstance, outcome: str) -> None:
    """``engine.on_instance_closed`` listener: the instance of a service order ended."""
    order = session.get(ServiceOrder, instance.business_key)
    if order is None or order.process_instance_id != instance.id:
        return
    detail = dict(instance.data or {})
    if outcome != "completed" and getattr(instance, "last_error", None):
        detail.setdefault("reason", instance.last_error)
    complete_item(session, order.id, outcome=cast(Outcome, outcome), detail=detail)


engine.on_instance_closed(_on_instance_closed)


# --------------------------------------------------------------------------- milestones


def record_milestone(
    session: Session,
    service_order_id: str,
    name: str,
    *,
    holder: str | None = None,
    **detail: Any,
) -> None:
    """Store a milestone of a service order and tell order handling
    (``hooks.milestone``). FLOWS handlers call it (resourcesReserved,
    appointmentBooked, workOrderCreated, activated …)."""
    order = session.get(ServiceOrder, service_order_id)
    if order is None:
        raise NotFound(f"serviceOrder '{service_order_id}' not found")
    clean = {k: v for k, v in detail.items() if k not in SECRET_NAMES}
    clean = cast(dict[str, Any], orjson.loads(orjson.dumps(clean, default=str)))
    now = utcnow()
    session.add(
        ServiceOrderMilestone(
            service_order_id=order.id,
            product_order_id=order.product_order_id,
            product_order_item_id=order.product_order_item_id,
            name=name[:64],
            holder=holder[:128] if holder else None,
            at=now,
            detail=clean or None,
        )
    )
    if order.product_order_id:
        hooks.milestone(
            session,
            order.product_order_id,
            Milestone(
                product_order_item_id=order.product_order_item_id or "",
                name=name,
                at=format_datetime(now),
                holder=holder,
                detail=clean,
            ),
        )


def progress(session: Session, product_order_id: str) -> list[Milestone]:
    """Every milestone of a product order's items, in time order."""
    rows = session.scalars(
        select(ServiceOrderMilestone)
        .where(ServiceOrderMilestone.product_order_id == product_order_id)
        .order_by(ServiceOrderMilestone.at, ServiceOrderMilestone.id)
    )
    return [
        Milestone(
            product_order_item_id=r.product_order_item_id or "",
            name=r.name,
            at=format_datetime(r.at),
            holder=r.holder,
            detail=r.detail or {},
        )
        for r in rows
    ]


def service_orders_of(session: Session, product_order_id: str) -> list[dict[str, Any]]:
    """The TMF641 representations of a product order's service orders."""
    session.flush()
    rows = session.scalars(
        select(ServiceOrder)
        .where(ServiceOrder.product_order_id == product_order_id)
        .order_by(ServiceOrder.order_date, ServiceOrder.id)
    )
    return [view(r) for r in rows]


def _order(session: Session, service_order_id: str) -> ServiceOrder:
    order = session.get(ServiceOrder, service_order_id)
    if order is None:
        raise NotFound(f"serviceOrder '{service_order_id}' not found")
    return order


def request_of(session: Session, service_order_id: str) -> FulfilmentRequest:
    """The fulfilment request of a service order (secrets left out: see
    :func:`secret_of`)."""
    order = _order(session, service_order_id)
    if order.request is None:
        raise NotFound(f"serviceOrder '{service_order_id}' was not created from a product order")
    return _request_from_json(order.request)


def secret_of(session: Session, service_order_id: str, name: str) -> str | None:
    """The stored (hashed) secret ``name`` of a service order, e.g. the
    ``passwordHash`` kept for ``accessPassword``."""
    return (_order(session, service_order_id).secret or {}).get(name)


# --------------------------------------------------------------------------- TMF641 API


def _scoped(scope: Scope) -> Any:
    return lambda stmt: apply_scope(stmt, ServiceOrder, scope)


def list_service_orders(session: Session, query: ListQuery, scope: Scope, base_url: str) -> Page:
    return list_page(
        session, SERVICE_ORDER_RESOURCE, query, base_url=base_url, restrict=_scoped(scope)
    )


def service_order_document(
    session: Session,
    ident: str,
    scope: Scope,
    base_url: str,
    projection: Mapping[str, Any] | None = None,
) -> bytes:
    doc = fetch_document(
        session,
        SERVICE_ORDER_RESOURCE,
        ident,
        base_url=base_url,
        restrict=_scoped(scope),
        projection=projection,
    )
    if doc is None:
        raise NotFound(f"serviceOrder '{ident}' not found")
    return doc


def get_service_order(
    session: Session, ident: str, scope: Scope = SYSTEM_SCOPE, *, for_update: bool = False
) -> ServiceOrder:
    stmt = apply_scope(select(ServiceOrder).where(ServiceOrder.id == ident), ServiceOrder, scope)
    if for_update:
        stmt = stmt.with_for_update()
    order = session.scalars(stmt).first()
    if order is None:
        raise NotFound(f"serviceOrder '{ident}' not found")
    return order


def _dump(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, list):
        return [_dump(v) for v in value] or None
    return strip_nulls(value.model_dump(mode="json", by_alias=True, exclude_none=True))


def create_service_order(
    session: Session, scope: Scope, data: ServiceOrderCreate, base_url: str
) -> tuple[str, bytes]:
    """``POST /serviceOrder`` (administrators): a service order not coming from
    a product order. With ``processKey`` it starts that process at once;
    without, it stays ``acknowledged`` and is moved by PATCH."""
    now = _now()
    items = []
    regions: set[str] = set()
    for index, item in enumerate(data.service_order_item):
        svc = item.service
        if item.action != "add":
            try:
                existing = inventory.get_service(session, svc.id or "", scope)
            except NotFound:
                raise ValidationFailed(
                    f"service '{svc.id}' does not exist",
                    field=f"serviceOrderItem[{index}].service.id",
                ) from None
            if existing.region_id:
                regions.add(existing.region_id)
        dumped = _dump(item)
        dumped["state"] = states.SERVICE_ORDER.initial
        if item.action == "add" and not svc.id:
            dumped["service"]["id"] = new_id()
        items.append(dumped)
    if data.process_key is not None:
        try:
            engine.get_definition(session, data.process_key)
        except NotFound:
            raise ValidationFailed(
                f"process '{data.process_key}' is not deployed", field="processKey"
            ) from None
    order = ServiceOrder(
        id=new_id(),
        state=states.SERVICE_ORDER.initial,
        category=data.category,
        description=data.description,
        priority=data.priority,
        external_id=data.external_id,
        notification_contact=data.notification_contact,
        order_date=now,
        requested_start=data.requested_start_date,
        requested_completion=data.requested_completion_date,
        external_reference=_dump(data.external_reference),
        order_relationship=_dump(data.order_relationship),
        related_party=_dump(data.related_party),
        note=_dump(data.note),
        service_order_item=items,
        customer_id=next((p.id for p in data.related_party or [] if p.role == "customer"), None),
        process_key=data.process_key,
        depends_on=[],
        region_id=region_for_write(scope, next(iter(sorted(regions)), None)),
        state_change_date=now,
        updated_at=now,
    )
    session.add(order)
    session.flush()
    _publish(session, "ServiceOrderCreateEvent", order, document(order, base_url))
    if data.process_key is not None:
        _start(session, order)
    return order.id, document(order, base_url)


def _writable(order: ServiceOrder) -> dict[str, Any]:
    values = {
        "state": order.state,
        "category": order.category,
        "description": order.description,
        "externalId": order.external_id,
        "notificationContact": order.notification_contact,
        "priority": order.priority,
        "requestedCompletionDate": order.requested_completion,
        "requestedStartDate": order.requested_start,
        "expectedCompletionDate": order.expected_completion,
        "externalReference": order.external_reference,
        "note": order.note,
        "orderRelationship": order.order_relationship,
        "relatedParty": order.related_party,
    }
    return cast(
        dict[str, Any],
        orjson.loads(orjson.dumps({k: v for k, v in values.items() if v is not None})),
    )


#: Attributes of a PATCH that the order itself sets.
PATCH_READ_ONLY = frozenset(
    {"serviceOrderItem", "cancellationDate", "cancellationReason", "processKey"}
)


def patch_service_order(
    session: Session, scope: Scope, ident: str, patch: dict[str, Any], base_url: str
) -> bytes:
    """``PATCH /serviceOrder/{id}``: descriptive attributes; ``state`` only for
    an order without a process (a running process owns its order's state)."""
    reject_read_only(patch, sorted(SERVICE_ORDER_RESOURCE.read_only | PATCH_READ_ONLY))
    order = get_service_order(session, ident, scope, for_update=True)
    merged = merge_patch(_writable(order), patch)
    if "state" not in merged:
        raise ValidationFailed("'state' is required and cannot be removed", field="state")
    data = validate(ServiceOrderChange, merged)
    if data.state != order.state:
        if order.process_instance_id or order.product_order_id:
            raise Conflict(
                f"serviceOrder '{ident}' is run by a process; its state follows the process "
                "(cancel it with cancelServiceOrder)",
                field="state",
                code="ILLEGAL_STATE_TRANSITION",
            )
        states.SERVICE_ORDER.check(order.state, data.state)
    before = order.doc
    order.category = data.category
    order.description = data.description
    order.external_id = data.external_id
    order.notification_contact = data.notification_contact
    order.priority = data.priority
    order.requested_completion = data.requested_completion_date
    order.requested_start = data.requested_start_date
    order.expected_completion = data.expected_completion_date
    order.external_reference = _dump(data.external_reference)
    order.note = _dump(data.note)
    order.order_relationship = _dump(data.order_relationship)
    order.related_party = _dump(data.related_party)
    order.updated_at = _now()
    session.flush()
    if order.doc != before:
        _publish(session, "ServiceOrderAttributeValueChangeEvent", order, document(order, base_url))
    if data.state != order.state:
        if data.state in states.FINAL:
            _close(session, order, data.state, reason="closed by hand")
        else:
            if data.state == "inProgress" and order.start_date is None:
                order.start_date = _now()
            _move(session, order, data.state)
    return document(order, base_url)


def delete_service_order(session: Session, scope: Scope, ident: str, base_url: str) -> None:
    """``DELETE /serviceOrder/{id}``: only an order that never ran (no process
    instance, not from a product order) and is acknowledged, rejected or cancelled."""
    order = get_service_order(session, ident, scope, for_update=True)
    if (
        order.process_instance_id
        or order.product_order_id
        or order.state not in ("acknowledged", "rejected", "cancelled")
    ):
        raise Conflict(
            f"serviceOrder '{ident}' is {order.state}"
            + (" and was run by a process" if order.process_instance_id else "")
            + "; only an order that never ran can be deleted",
            field="state",
            code="ILLEGAL_STATE",
        )
    _publish(session, "ServiceOrderDeleteEvent", order, document(order, base_url))
    session.delete(order)
    session.flush()


def cancel_service_order(
    session: Session, scope: Scope, data: CancelServiceOrderCreate, base_url: str
) -> tuple[str, bytes]:
    """``POST /cancelServiceOrder``: cancel one service order now (409 when it
    is closed already). The request is recorded ``done``."""
    try:
        order = get_service_order(session, data.service_order.id, scope, for_update=True)
    except NotFound:
        raise ValidationFailed(
            f"serviceOrder '{data.service_order.id}' does not exist", field="serviceOrder.id"
        ) from None
    if order.state in states.FINAL:
        raise Conflict(
            f"serviceOrder '{order.id}' is {order.state}; it cannot be cancelled",
            field="serviceOrder.id",
            code="ILLEGAL_STATE_TRANSITION",
        )
    reason = data.cancellation_reason or "cancelled by request"
    _cancel(session, order, reason)
    now = _now()
    ref = {
        "id": order.id,
        "href": SERVICE_ORDER_RESOURCE.href(base_url, order.id),
        "@referredType": "ServiceOrder",
    }
    row = CancelServiceOrder(
        id=new_id(),
        service_order_id=order.id,
        service_order=ref,
        state="done" if order.state == "cancelled" else "terminatedWithError",
        cancellation_reason=reason[:512],
        requested_cancellation=data.requested_cancellation_date or now,
        effective_cancellation=now if order.state == "cancelled" else None,
        region_id=order.region_id,
        created_at=now,
    )
    session.add(row)
    session.flush()
    body = CANCEL_RESOURCE.represent(
        row.id, row.doc, CANCEL_RESOURCE.href_prefix(base_url)
    ).encode()
    publish(
        session,
        "CancelServiceOrderCreateEvent",
        "cancelServiceOrder",
        _loads(body),
        api=BASE_PATH,
        domain="fulfilment",
        region_id=row.region_id,
    )
    return row.id, body


def list_cancellations(session: Session, query: ListQuery, scope: Scope, base_url: str) -> Page:
    return list_page(
        session,
        CANCEL_RESOURCE,
        query,
        base_url=base_url,
        restrict=lambda stmt: apply_scope(stmt, CancelServiceOrder, scope),
    )


def cancellation_document(
    session: Session,
    ident: str,
    scope: Scope,
    base_url: str,
    projection: Mapping[str, Any] | None = None,
) -> bytes:
    doc = fetch_document(
        session,
        CANCEL_RESOURCE,
        ident,
        base_url=base_url,
        restrict=lambda stmt: apply_scope(stmt, CancelServiceOrder, scope),
        projection=projection,
    )
    if doc is None:
        raise NotFound(f"cancelServiceOrder '{ident}' not found")
    return doc
