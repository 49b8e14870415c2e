"""Service-task handlers of the shipped flows: the bridge from the BPMN engine to the
resource, workforce and activation domains.

eTOM 1.4 service configuration & activation (1.4.4 implement, configure and
activate service), 1.5.2 resource provisioning (allocate and install resources,
hand field work to the workforce) and 1.4.2/1.5.2 work-order hand-back, run for
1.1.1.5 order handling.

Every handler is registered by name with :func:`engine.handlers.service_task`
(the ``implementation`` of a ``bpmn:serviceTask``) and is idempotent on
``ctx.key``: what it did is kept in the instance data under ``steps[ctx.key]``,
so a re-run after an incident or a crash returns at once; the activation
platform is called with ``key=ctx.key`` (it stores its result under that key).

What an instance keeps in its data (JSON):

* ``steps`` — done task keys → a short result;
* ``undo`` — what to undo, newest last: ``releaseReservation``, ``releaseResources``,
  ``recoverCpe``, ``releaseIp``, ``deactivate`` (element + params without secrets),
  ``cancelWorkOrder``; each tagged with the task id that did it. ``flow.rollback``
  (on the error paths of the diagrams) undoes all of it in reverse; the
  compensation handlers (``engine.cancel``) undo a task's own records;
* ``reservations``, ``resources`` (resource ids the service uses — SERVICEORDER
  writes them to TMF638 ``supportingResource``), ``cpe``, ``workOrders``
  (kind → id), ``closures`` (kind → the payload of its ``workOrderClosed``);
* ``serviceCharacteristics`` — name → value for the service inventory (accessAccount,
  bandwidth, ONT serial, OLT and PON port, MSISDN, IMSI …), written by
  ``inventory.complete``.

A closed work order resumes its instance through
:func:`on_work_order_closed` (a :mod:`openboss.workforce.hooks` listener) which
correlates ``workOrderClosed`` with the work order id and the payload
``{workOrderId, kind, outcome, state, characteristics, failureReason}``.
"""

from __future__ import annotations

import contextvars
import hashlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy.orm import Session

from openboss.fulfilment.activation import service as activation
from openboss.fulfilment.activation.contract import ActivationFailed
from openboss.fulfilment.contracts import FulfilmentRequest
from openboss.fulfilment.engine import service as engine
from openboss.fulfilment.engine.handlers import BpmnError, TaskContext, compensation, service_task
from openboss.fulfilment.inventory import service as inventory
from openboss.fulfilment.serviceorder import service as serviceorder
from openboss.kit.clock import utcnow
from openboss.kit.errors import Conflict, NotFound, ValidationFailed
from openboss.kit.places import place_directory
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.resource.inventory import resources as resource_rows
from openboss.resource.inventory import service as resource_inventory
from openboss.resource.pools import common as pool_common
from openboss.resource.pools import ip as ip_pools
from openboss.resource.pools import numbers as number_pools
from openboss.resource.pools import stock
from openboss.resource.publishing import qualification
from openboss.workforce import hooks as workforce_hooks
from openboss.workforce import kinds as work_kinds
from openboss.workforce import service as workforce
from openboss.workforce import states as work_states
from openboss.workforce.appointments import service as appointments
from openboss.workforce.schemas import WorkOrderCreate

log = structlog.get_logger(__name__)

ACTOR = workforce.Actor("fulfilment")
#: Reservations made by a flow hold for the longest time the inventory allows; an
#: allocation after expiry claims the same resources again (resource.allocate).
HOLD = timedelta(days=7)
#: Specs that make a product a broadband access (the account other products ride on).
BROADBAND_SPECS = ("ps-home-broadband",)
#: Network elements of a product, by product specification, for in-life commands.
ELEMENTS_BY_SPEC: dict[str, tuple[str, ...]] = {
    "ps-home-broadband": ("radius",),
    "ps-mobile-5g": ("hlr", "ims"),
    "ps-fixed-voice": ("ims",),
}
#: Required skill of a work order by (process key, kind); "*" for any process.
SKILLS: dict[tuple[str, str], str | None] = {
    ("broadband-partner-cable", "installation"): "cableInstall",
    ("home-terminal-partner-install", "installation"): "cableInstall",
    ("iptv-partner-activation", "installation"): "cableInstall",
    ("leased-line-mstp", "installation"): "leasedLine",
    ("leased-line-mstp", "completionAcceptance"): "leasedLine",
    ("*", "installation"): "ftthInstall",
    ("*", "survey"): "survey",
    ("*", "cpeRecovery"): "cpeRecovery",
    ("*", "completionAcceptance"): "ftthInstall",
    ("*", "remoteDialTest"): None,
    ("*", "repair"): "ftthRepair",
}
#: Minutes on site by kind.
DURATION = {
    "installation": 90,
    "survey": 45,
    "remoteDialTest": 15,
    "completionAcceptance": 30,
    "cpeRecovery": 30,
    "repair": 60,
}
#: Processes whose work is executed by the partner covering the building.
PARTNER_PROCESSES = frozenset(
    {"broadband-partner-cable", "home-terminal-partner-install", "iptv-partner-activation"}
)
#: Processes that wait for the partner system's ``partnerCallback`` as well (flows.api).
CALLBACK_PROCESSES = frozenset({"broadband-partner-cable"})
#: VLAN and OLT service profile for IPTV on an ONT.
IPTV_VLAN = 45
INTERNET_VLAN = 41

# A work order closed by a flow itself (sync, rollback) resumes nobody.
_quiet_closure: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "fulfilment_quiet_closure", default=False
)


@contextmanager
def _quiet() -> Iterator[None]:
    token = _quiet_closure.set(True)
    try:
        yield
    finally:
        _quiet_closure.reset(token)


# --------------------------------------------------------------------------- helpers


def _base_url() -> str:
    return inventory.default_base_url()


def _request(ctx: TaskContext) -> FulfilmentRequest:
    """The order item of the instance (read once per session: it never changes)."""
    cache: dict[str, FulfilmentRequest] = ctx.session.info.setdefault("fulfilment.requests", {})
    request = cache.get(ctx.business_key)
    if request is None:
        request = cache[ctx.business_key] = serviceorder.request_of(ctx.session, ctx.business_key)
    return request


def _milestone(ctx: TaskContext, name: str, *, holder: str | None = None, **detail: Any) -> None:
    serviceorder.record_milestone(ctx.session, ctx.business_key, name, holder=holder, **detail)


def _done(ctx: TaskContext) -> bool:
    """True when this task execution already ran (a re-run after a crash or retry)."""
    _remember_closure(ctx)
    return ctx.key in ctx.data.get("steps", {})


def _mark(ctx: TaskContext, result: Any = True) -> None:
    ctx.data.setdefault("steps", {})[ctx.key] = result


def _undo_later(ctx: TaskContext, op: str, **params: Any) -> None:
    record = {"op": op, "task": ctx.task_id, **params}
    records: list[dict[str, Any]] = ctx.data.setdefault("undo", [])
    if record not in records:  # a re-run records nothing twice
        records.append(record)


def _remember_closure(ctx: TaskContext) -> None:
    closed = ctx.data.get("workOrderClosed")
    if isinstance(closed, dict) and closed.get("kind"):
        ctx.data.setdefault("closures", {})[str(closed["kind"])] = closed


def _service_id(request: FulfilmentRequest, ctx: TaskContext) -> str:
    """The id the network elements and resource usage know the service by: the product."""
    return request.product_id or ctx.business_key


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


BANDWIDTH_KEYS = ("bandwidthDownMbps", "bandwidthDown", "downloadSpeed")


def _bandwidth(chars: Mapping[str, Any]) -> tuple[int, int]:
    """Down and up Mbps: ``bandwidthDown``/``downloadSpeed``; up is a tenth (≥ 10)."""
    down = _int(
        chars.get("bandwidthDownMbps", chars.get("bandwidthDown", chars.get("downloadSpeed"))), 100
    )
    up = _int(chars.get("bandwidthUpMbps", chars.get("bandwidthUp")), max(10, down // 10))
    return down, up


def _address(ctx: TaskContext, request: FulfilmentRequest) -> tuple[str | None, str | None]:
    if not request.place_id:
        return None, request.region_id
    address = place_directory().address(ctx.session, SYSTEM_SCOPE, request.place_id)
    if address is None:
        return None, request.region_id
    return address.site_id, address.region_id or request.region_id


def _facts(session: Session, product_id: str | None) -> dict[str, Any]:
    """Characteristics of a product and of the services realising it, by name."""
    if not product_id:
        return {}
    out: dict[str, Any] = {}
    try:
        product = inventory.product_view(session, product_id)
    except NotFound:
        return {}
    for ch in product.get("productCharacteristic") or []:
        out[str(ch.get("name"))] = ch.get("value")
    for svc in inventory.services_of_product(session, product_id):
        for ch in svc.service_characteristic or []:
            out[str(ch.get("name"))] = ch.get("value")
    out["_spec"] = (product.get("productSpecification") or {}).get("id")
    out["_status"] = product.get("status")
    return out


def _broadband_of(session: Session, request: FulfilmentRequest) -> dict[str, Any]:
    """The facts of the customer's broadband product (the same address if possible)."""
    if not request.customer_id:
        return {}
    candidates = []
    for product in inventory.products_of_customer(session, request.customer_id):
        spec = (product.get("productSpecification") or {}).get("id")
        if spec in BROADBAND_SPECS and product.get("status") in ("active", "suspended"):
            candidates.append(product)
    if not candidates:
        return {}
    same_place = [
        p
        for p in candidates
        if any((pl.get("id") == request.place_id) for pl in p.get("place") or [])
    ]
    return _facts(session, (same_place or candidates)[0]["id"])


def _characteristics(ctx: TaskContext, **values: Any) -> None:
    chars = ctx.data.setdefault("serviceCharacteristics", {})
    chars.update({k: v for k, v in values.items() if v is not None})


def _resource_ids(ctx: TaskContext, *ids: str) -> None:
    have: list[str] = ctx.data.setdefault("resources", [])
    for ident in ids:
        if ident not in have:
            have.append(ident)


def _activation(
    ctx: TaskContext,
    command: str,
    elements: list[str],
    params: Mapping[str, Any],
    *,
    undo: bool = True,
) -> dict[str, Any]:
    """Run the activation platform; a failed element is a BPMN error ACTIVATION_FAILED."""
    request = _request(ctx)
    service_id = _service_id(request, ctx)
    try:
        result = activation.execute(
            ctx.session,
            command=command,  # type: ignore[arg-type]
            service_id=service_id,
            elements=elements,
            params=params,
            key=ctx.key,
        )
    except ActivationFailed as exc:
        ctx.data["failure"] = {
            "task": ctx.task_id,
            "code": "ACTIVATION_FAILED",
            "element": exc.element,
            "reason": exc.reason,
        }
        _milestone(ctx, "activationFailed", holder="system", element=exc.element, reason=exc.reason)
        raise BpmnError("ACTIVATION_FAILED", str(exc)) from exc
    if undo and command == "activate":
        public = {k: v for k, v in params.items() if k != "passwordHash"}
        for element in reversed(elements):
            _undo_later(ctx, "deactivate", element=element, params=public, serviceId=service_id)
    return result


# --------------------------------------------------------------------------- undo


def _cancel_work_order(session: Session, wo_id: str) -> None:
    try:
        order = workforce.get_work_order(session, SYSTEM_SCOPE, wo_id)
    except NotFound:
        return
    if order.state in work_states.FINAL:
        return
    path = {
        "inProgress": ["assessingCancellation", "pendingCancellation", "cancelled"],
        "assessingCancellation": ["pendingCancellation", "cancelled"],
        "pendingCancellation": ["cancelled"],
    }.get(order.state, ["cancelled"])
    with _quiet():
        for target in path:
            workforce.update_work_order(
                session, SYSTEM_SCOPE, wo_id, {"state": target}, _base_url(), ACTOR
            )


def _undo_one(session: Session, record: Mapping[str, Any], key: str) -> None:
    op = record.get("op")
    try:
        if op == "releaseReservation":
            resource_inventory.release_reservation(session, SYSTEM_SCOPE, str(record["id"]))
        elif op == "releaseResources":
            ids = [str(i) for i in record.get("ids") or []]
            if ids:
                resource_inventory.release(session, SYSTEM_SCOPE, ids, "order undone")
        elif op == "recoverCpe":
            stock.recover(
                session, SYSTEM_SCOPE, str(record["id"]), reason="order undone", actor="fulfilment"
            )
        elif op == "releaseIp":
            ip_pools.release(session, SYSTEM_SCOPE, str(record["pool"]), str(record["id"]))
        elif op == "deactivate":
            element = str(record["element"])
            activation.execute(
                session,
                command="deactivate",
                service_id=str(record["serviceId"]),
                elements=[element],
                params=dict(record.get("params") or {}),
                key=f"{key}:{element}"[:200],
            )
        elif op == "cancelWorkOrder":
            _cancel_work_order(session, str(record["id"]))
    except (Conflict, NotFound) as exc:
        # already undone (released, expired, recovered, closed): nothing left to do
        log.info("fulfilment.undo.skipped", op=op, reason=str(exc))


def _undo(ctx: TaskContext, *, task_id: str | None = None) -> int:
    """Undo the recorded steps (of ``task_id`` only, if given), newest first."""
    records: list[dict[str, Any]] = ctx.data.get("undo", [])
    keep: list[dict[str, Any]] = []
    done = 0
    for index in range(len(records) - 1, -1, -1):
        record = records[index]
        if task_id is not None and record.get("task") != task_id:
            keep.insert(0, record)
            continue
        _undo_one(ctx.session, record, f"{ctx.key}:undo:{index}")
        done += 1
    ctx.data["undo"] = keep
    return done


@service_task("flow.rollback")
def rollback(ctx: TaskContext) -> None:
    """Undo everything the instance did (the error paths of the diagrams)."""
    if _done(ctx):
        return
    undone = _undo(ctx)
    closed = ctx.data.get("workOrderClosed") or {}
    failure = ctx.data.get("failure") or {}
    reason = failure.get("reason") or closed.get("failureReason") or closed.get("outcome")
    _milestone(ctx, "failed", holder="system", reason=reason, undone=undone)
    _mark(ctx, {"undone": undone})


def _compensate_task(ctx: TaskContext) -> None:
    _undo(ctx, task_id=ctx.task_id)


# --------------------------------------------------------------------------- resources


def _region_chain(region_id: str | None) -> list[str]:
    """A region and the ones above it: ``330106-G01`` → 330106-G01, 330106, 330100, 330000."""
    if not region_id:
        return []
    code = region_id.split("-", 1)[0]
    chain = [region_id, code]
    if code.isdigit() and len(code) == 6:
        chain += [code[:4] + "00", code[:2] + "0000"]
    return list(dict.fromkeys(chain))


def _warehouse_for(ctx: TaskContext, region_id: str | None) -> str:
    """The warehouse of the installation's region, else of a region above it, else any."""
    for region in _region_chain(region_id):
        houses = stock.list_warehouses(ctx.session, SYSTEM_SCOPE, region)
        if houses:
            return houses[0].id
    houses = stock.list_warehouses(ctx.session, SYSTEM_SCOPE)
    if not houses:
        raise BpmnError("NO_CAPACITY", "no warehouse holds CPE")
    return houses[0].id


def _issue_cpe(
    ctx: TaskContext, request: FulfilmentRequest, kind: str, model: str | None = None
) -> dict[str, Any]:
    site_id, region_id = _address(ctx, request)
    warehouse = _warehouse_for(ctx, region_id)
    try:
        cpe = stock.issue(
            ctx.session,
            SYSTEM_SCOPE,
            warehouse,
            kind=kind,
            model=model,
            order_id=request.product_order_id,
            service_id=_service_id(request, ctx),
            customer_id=request.customer_id,
            site_id=site_id,
            actor="fulfilment",
        )
    except Conflict as exc:
        if model is None:
            raise BpmnError("NO_CAPACITY", str(exc)) from exc
        return _issue_cpe(ctx, request, kind)  # the model is out of stock: any model
    _undo_later(ctx, "recoverCpe", id=cpe.id)
    _resource_ids(ctx, cpe.id)
    info = {"id": cpe.id, "serial": cpe.value, "kind": kind, "model": cpe.name}
    ctx.data["cpe"] = info
    return info


def _reserve_port(ctx: TaskContext, request: FulfilmentRequest) -> dict[str, Any]:
    site_id, _region = _address(ctx, request)
    if site_id is None:
        raise BpmnError("NO_CAPACITY", "the installation address has no building")
    try:
        reservation = resource_inventory.reserve(
            ctx.session,
            SYSTEM_SCOPE,
            "splitterPort",
            1,
            site_id=site_id,
            hold=HOLD,
            purpose=f"FTTH installation {request.product_order_id}",
            customer_id=request.customer_id,
            related_entity=[
                {
                    "id": request.product_order_id,
                    "role": "productOrder",
                    "@referredType": "ProductOrder",
                }
            ],
            actor="fulfilment",
            own_only=True,
        )
    except (Conflict, ValidationFailed) as exc:
        ctx.data["failure"] = {"task": ctx.task_id, "code": "NO_CAPACITY", "reason": str(exc)}
        raise BpmnError("NO_CAPACITY", str(exc)) from exc
    rows = resource_inventory.reserved_resources(ctx.session, reservation.id)
    port = rows[0]
    chain = resource_rows.parent_chain(ctx.session, SYSTEM_SCOPE, port)
    olt = next((r for r in chain if r.spec_id == "olt"), None)
    pon = next((r for r in chain if r.spec_id == "ponPort"), None)
    info = {
        "reservation": reservation.id,
        "port": port.id,
        "portName": port.name,
        "oltId": (olt.value or olt.id) if olt else None,
        "ponPort": (pon.value or pon.name) if pon else None,
        "resourceIds": [r.id for r in rows],
    }
    ctx.data.setdefault("reservations", []).append(
        {"id": reservation.id, "kind": "port", "resourceIds": info["resourceIds"]}
    )
    _undo_later(ctx, "releaseReservation", id=reservation.id)
    ctx.data["port"] = info
    return info


def _static_ip(ctx: TaskContext, request: FulfilmentRequest) -> dict[str, Any]:
    pools = [
        p
        for p in ip_pools.list_pools(ctx.session, SYSTEM_SCOPE)
        if pool_common.char(p, "purpose") == "staticBusiness" and ":" not in (p.value or "")
    ]
    for pool in pools:
        try:
            row = ip_pools.allocate(
                ctx.session,
                SYSTEM_SCOPE,
                pool.id,
                kind="address",
                service_id=_service_id(request, ctx),
                customer_id=request.customer_id,
                order_id=request.product_order_id,
                description=f"static IP of {request.product_id}",
            )
        except Conflict:
            continue
        _undo_later(ctx, "releaseIp", pool=pool.id, id=row.id)
        _resource_ids(ctx, row.id)
        ctx.data["staticIp"] = row.value
        return {"ip": row.value, "id": row.id}
    raise BpmnError("NO_CAPACITY", "no static address is free")


@service_task("resource.reserve")
def reserve_resources(ctx: TaskContext) -> None:
    """Reserve (or issue from stock) what the process needs before the field work:
    FTTH — a free splitter port at the building (own network) and an ONT from the
    region's warehouse; IPTV — a set-top box; home terminal — the ONT/router model
    ordered; static IP — a public address. 409s of the inventory become the BPMN
    error ``NO_CAPACITY`` (nothing is held then)."""
    if _done(ctx):
        return
    request = _request(ctx)
    key = ctx.process_key
    result: dict[str, Any] = {}
    if key == "broadband-ftth-install":
        result["port"] = _reserve_port(ctx, request)
        try:
            result["ont"] = _issue_cpe(ctx, request, "ont")
        except BpmnError:
            _undo(ctx, task_id=ctx.task_id)  # nothing half-held
            raise
        _milestone(
            ctx,
            "resourcesReserved",
            holder="system",
            port=result["port"]["portName"],
            ont=result["ont"]["serial"],
        )
    elif key in ("iptv-activation",):
        result["stb"] = _issue_cpe(ctx, request, "stb")
        _milestone(ctx, "resourcesReserved", holder="system", stb=result["stb"]["serial"])
    elif key in ("home-terminal-install", "home-terminal-partner-install"):
        model = request.characteristics.get("model")
        kind = "router" if str(model or "").upper().startswith("AX") else "ont"
        result["terminal"] = _issue_cpe(ctx, request, kind, str(model) if model else None)
        _milestone(ctx, "resourcesReserved", holder="system", terminal=result["terminal"]["serial"])
    elif key == "static-ip-activation":
        result["ip"] = _static_ip(ctx, request)
        _milestone(ctx, "resourcesReserved", holder="system", staticIp=result["ip"]["ip"])
    _mark(ctx, result)


@service_task("resource.allocate")
def allocate_resources(ctx: TaskContext) -> None:
    """Reserved → allocated for the flow's reservations (usage opened for the
    product); a reservation that lapsed during a long installation claims the same
    resources again first."""
    if _done(ctx):
        return
    request = _request(ctx)
    allocated: list[str] = []
    for held in ctx.data.get("reservations", []):
        if held.get("allocated"):
            continue
        try:
            rows = resource_inventory.allocate(
                ctx.session,
                SYSTEM_SCOPE,
                held["id"],
                _service_id(request, ctx),
                request.customer_id,
                request.product_order_id,
            )
        except Conflict:
            again = resource_inventory.reserve(
                ctx.session,
                SYSTEM_SCOPE,
                resource_ids=held["resourceIds"],
                hold=timedelta(minutes=5),
                customer_id=request.customer_id,
                actor="fulfilment",
            )
            rows = resource_inventory.allocate(
                ctx.session,
                SYSTEM_SCOPE,
                again.id,
                _service_id(request, ctx),
                request.customer_id,
                request.product_order_id,
            )
        held["allocated"] = True
        ids = [r.id for r in rows]
        allocated += ids
        _resource_ids(ctx, *ids)
        _undo_later(ctx, "releaseResources", ids=ids)
    # the reservation records are allocated now: releasing them is the undo
    ctx.data["undo"] = [
        r
        for r in ctx.data.get("undo", [])
        if not (r.get("op") == "releaseReservation" and r.get("task") != ctx.task_id)
    ]
    _milestone(ctx, "resourcesAllocated", holder="system", count=len(allocated))
    _mark(ctx, allocated)


@service_task("resource.release")
def release_resources(ctx: TaskContext) -> None:
    """Terminate: release what the product uses (ports, addresses, numbers — numbers
    rest in quarantine); a CPE at the customer's is recovered by a work order."""
    if _done(ctx):
        return
    request = _request(ctx)
    service_id = _service_id(request, ctx)
    used = resource_inventory.usage_of_service(ctx.session, service_id)
    cpe = [r for _u, r in used if r.spec_id == "cpe"]
    others = [r.id for _u, r in used if r.spec_id != "cpe"]
    if others:
        resource_inventory.release(ctx.session, SYSTEM_SCOPE, others, "service terminated")
    ctx.data["cpe"] = (
        {"id": cpe[0].id, "serial": cpe[0].value, "kind": None, "model": cpe[0].name}
        if cpe
        else None
    )
    _milestone(ctx, "resourcesReleased", holder="system", count=len(others))
    _mark(ctx, others)


@service_task("resource.recover")
def recover_cpe(ctx: TaskContext) -> None:
    """The recovered terminal goes back to stock (retired when the crew reports it
    faulty); a failed recovery leaves it allocated for the dispatcher to chase."""
    if _done(ctx):
        return
    closed = ctx.data.get("closures", {}).get("cpeRecovery") or {}
    cpe = ctx.data.get("cpe") or {}
    if closed.get("outcome") == "completed" and cpe.get("id"):
        faulty = str((closed.get("characteristics") or {}).get("faulty", "")).lower() == "true"
        try:
            stock.recover(
                ctx.session,
                SYSTEM_SCOPE,
                cpe["id"],
                faulty=faulty,
                reason="recovered after termination",
                actor="fulfilment",
            )
        except Conflict as exc:
            log.info("fulfilment.recover.skipped", reason=str(exc))
        _milestone(ctx, "cpeRecovered", holder="system", serial=cpe.get("serial"))
    else:
        _milestone(ctx, "cpeNotRecovered", holder="dispatch", serial=cpe.get("serial"))
    _mark(ctx)


def _pool_of_kind(ctx: TaskContext, kind: str) -> str:
    """The first number pool of ``kind`` (looked up once per session)."""
    cache: dict[str, str] = ctx.session.info.setdefault("fulfilment.numberPools", {})
    if kind not in cache:
        for pool in number_pools.list_pools(ctx.session, SYSTEM_SCOPE):
            if pool_common.char(pool, "numberKind") == kind:
                cache[kind] = pool.id
                break
        else:
            raise BpmnError("NO_CAPACITY", f"no {kind} number pool")
    return cache[kind]


def _digits(seed: str, n: int) -> str:
    return str(int(hashlib.sha256(seed.encode()).hexdigest(), 16))[:n].rjust(n, "0")


@service_task("number.assign")
def assign_number(ctx: TaskContext) -> None:
    """A number from the pool (MSISDN for mobile, a fixed number for IMS voice):
    the one asked for (characteristic ``msisdn``/``number``) or the next free normal
    one, reserved and allocated to the product; for mobile also the IMSI and ICCID
    of the USIM and whether VoLTE is needed (``voice``)."""
    if _done(ctx):
        return
    request = _request(ctx)
    mobile = ctx.process_key == "mobile-activation"
    kind = "msisdn" if mobile else "fixed"
    pool_id = _pool_of_kind(ctx, kind)
    wanted = request.characteristics.get("msisdn" if mobile else "number")
    try:
        if wanted:
            page = number_pools.search(ctx.session, SYSTEM_SCOPE, pool_id, pattern=str(wanted))
            match = [r for r in page.items if r.value == str(wanted)]
            if not match:
                raise Conflict(f"number {wanted} is not free")
            reservation, _rows = number_pools.reserve_number(
                ctx.session, SYSTEM_SCOPE, match[0].id, customer_id=request.customer_id
            )
        else:
            reservation, _rows = number_pools.reserve_next(
                ctx.session, SYSTEM_SCOPE, pool_id, grade="normal", customer_id=request.customer_id
            )
        rows = resource_inventory.allocate(
            ctx.session,
            SYSTEM_SCOPE,
            reservation.id,
            _service_id(request, ctx),
            request.customer_id,
            request.product_order_id,
        )
    except (Conflict, ValidationFailed) as exc:
        ctx.data["failure"] = {"task": ctx.task_id, "code": "NO_CAPACITY", "reason": str(exc)}
        raise BpmnError("NO_CAPACITY", str(exc)) from exc
    number = str(rows[0].value)
    _undo_later(ctx, "releaseResources", ids=[r.id for r in rows])
    _resource_ids(ctx, *[r.id for r in rows])
    if mobile:
        minutes = _int(request.characteristics.get("includedMinutes"), 0)
        ctx.data["voice"] = minutes > 0 or bool(request.characteristics.get("volte"))
        imsi = "46000" + _digits(number, 10)
        iccid = "898600" + _digits("iccid" + number, 13)
        ctx.data["subscriber"] = {"msisdn": number, "imsi": imsi, "iccid": iccid}
        _characteristics(ctx, msisdn=number, imsi=imsi, iccid=iccid)
    else:
        ctx.data["subscriber"] = {"number": number}
        _characteristics(ctx, number=number)
    _milestone(ctx, "numberAssigned", holder="system", number=number)
    _mark(ctx, number)


# --------------------------------------------------------------------------- workforce


@service_task("appointment.ensure")
def ensure_appointment(ctx: TaskContext) -> None:
    """The visit: the TMF646 appointment booked with the order (its window goes on the
    installation work order), else none yet — the dispatcher books it when the
    work order appears (the work order carries the SLA deadline either way)."""
    if _done(ctx):
        return
    request = _request(ctx)
    found: dict[str, Any] | None = None
    if request.appointment_id:
        try:
            appt = appointments.get(ctx.session, SYSTEM_SCOPE, request.appointment_id)
        except NotFound:
            appt = None
        if appt is not None and appt.status in ("initialized", "confirmed"):
            found = {
                "id": appt.id,
                "start": appt.valid_start.isoformat(),
                "end": appt.valid_end.isoformat(),
            }
    ctx.data["appointment"] = found
    if found:
        _milestone(ctx, "appointmentBooked", holder="customer", at=found["start"])
    else:
        _milestone(ctx, "appointmentPending", holder="dispatch")
    _mark(ctx, found)


def _kind_of(ctx: TaskContext) -> str:
    kind = ctx.task_id.removeprefix("wo_")
    if kind not in work_kinds.KINDS:
        raise ValueError(f"task {ctx.task_id}: no work-order kind (name it wo_<kind>)")
    return kind


def _partner_for(ctx: TaskContext, request: FulfilmentRequest) -> str:
    if not request.place_id:
        raise BpmnError("NO_CAPACITY", "no installation address")
    specs = list(request.cfs_specs) or ["cfs-internet-access"]
    for result in qualification.qualify(ctx.session, SYSTEM_SCOPE, request.place_id, specs):
        if result.owner_partner_id:
            return result.owner_partner_id
    ctx.data["failure"] = {"task": ctx.task_id, "code": "NO_CAPACITY", "reason": "noCoverage"}
    raise BpmnError("NO_CAPACITY", "no partner covers the installation address")


@service_task("workorder.create")
def create_work_order(ctx: TaskContext) -> None:
    """A TMF697 work order for the field or the desk: kind from the task id
    (``wo_<kind>``), required skill by process and kind, the installation address,
    the SLA deadline, the agreed window, the customer, ``relatedEntity`` with the
    product order (role ``productOrder``) and the service order; executed by the
    covering partner in the partner processes. The instance then expects
    ``workOrderClosed`` for it."""
    kind = _kind_of(ctx)
    done = ctx.data.get("steps", {}).get(ctx.key)
    _remember_closure(ctx)
    if done:
        ctx.expect("workOrderClosed", str(done))
        return
    request = _request(ctx)
    partner = _partner_for(ctx, request) if ctx.process_key in PARTNER_PROCESSES else None
    skill = SKILLS.get((ctx.process_key, kind), SKILLS.get(("*", kind)))
    now = utcnow()
    hours = request.sla_completion_hours or 48
    contact = dict(request.contact or {})
    body: dict[str, Any] = {
        "workOrderKind": kind,
        "externalId": ctx.business_key,
        "description": f"{ctx.task_name}: {request.product_offering_name}",
        "priority": "2",
        "workOrderItem": [
            {
                "id": "1",
                "action": "delete" if request.action == "delete" else "add",
                "description": f"{kind} — {request.product_offering_name}",
            }
        ],
        "relatedEntity": [
            {
                "id": request.product_order_id,
                "role": "productOrder",
                "@referredType": "ProductOrder",
            },
            {"id": ctx.business_key, "role": "serviceOrder", "@referredType": "ServiceOrder"},
        ],
        "requiredSkill": [{"skill": skill, "minLevel": 2}] if skill else [],
        "estimatedDuration": DURATION.get(kind, 60),
        "slaDeadline": (now + timedelta(hours=hours)).isoformat(),
        "partnerId": partner,
    }
    if request.place_id:
        body["place"] = {"id": request.place_id}
    else:
        body["regionId"] = request.region_id
    if request.customer_id:
        party: dict[str, Any] = {
            "id": request.customer_id,
            "role": "customer",
            "@referredType": "Individual",
        }
        if contact.get("name"):
            party["name"] = str(contact["name"])[:256]
        if contact.get("phone"):
            party["contactPhone"] = str(contact["phone"])[:32]
        body["relatedParty"] = [party]
    appt = ctx.data.get("appointment")
    if kind == "installation" and appt:
        body["appointment"] = {"id": appt["id"], "@referredType": "Appointment"}
        body["timeWindow"] = {"startDateTime": appt["start"], "endDateTime": appt["end"]}
    cpe = ctx.data.get("cpe")
    if cpe and kind in ("installation", "cpeRecovery"):
        body["note"] = {"text": f"{cpe.get('model') or ''} serial {cpe.get('serial')}".strip()}
    written = workforce.create_work_order(
        ctx.session, SYSTEM_SCOPE, WorkOrderCreate.model_validate(body), _base_url(), ACTOR
    )
    wo_id = written.order.id
    ctx.data.setdefault("workOrders", {})[kind] = wo_id
    _undo_later(ctx, "cancelWorkOrder", id=wo_id)
    ctx.expect("workOrderClosed", wo_id)
    if ctx.process_key in CALLBACK_PROCESSES and kind == "installation":
        ctx.expect("partnerCallback", wo_id)
    _milestone(ctx, "workOrderCreated", holder=partner or "dispatch", workOrderId=wo_id, kind=kind)
    _mark(ctx, wo_id)


@service_task("workorder.escalate")
def escalate_work_order(ctx: TaskContext) -> None:
    """The crew is late: the open work order goes to priority 1 and the business view
    shows who holds it (a non-interrupting timer; the flow keeps waiting)."""
    if _done(ctx):
        return
    for wo_id in (ctx.data.get("workOrders") or {}).values():
        try:
            order = workforce.get_work_order(ctx.session, SYSTEM_SCOPE, wo_id)
        except NotFound:
            continue
        if order.state in work_states.FINAL or order.priority == "1":
            continue
        workforce.update_work_order(
            ctx.session, SYSTEM_SCOPE, wo_id, {"priority": "1"}, _base_url(), ACTOR
        )
        _milestone(ctx, "workOrderEscalated", holder="dispatch", workOrderId=wo_id)
    _mark(ctx)


@service_task("workorder.sync")
def sync_partner_work_order(ctx: TaskContext) -> None:
    """The partner system reported through its callback: its work order is closed
    with the reported data (without resuming the instance a second time), and the
    report becomes this flow's ``workOrderClosed``."""
    if _done(ctx):
        return
    report = ctx.data.get("partnerCallback") or {}
    wo_id = report.get("workOrderId") or (ctx.data.get("workOrders") or {}).get("installation")
    outcome = "completed" if report.get("outcome") == "completed" else "failed"
    chars = {str(k): str(v) for k, v in (report.get("characteristics") or {}).items()}
    if wo_id:
        order = workforce.get_work_order(ctx.session, SYSTEM_SCOPE, wo_id)
        if order.state not in work_states.FINAL:
            with _quiet():
                if order.state in ("acknowledged", "pending", "held"):
                    workforce.update_work_order(
                        ctx.session,
                        SYSTEM_SCOPE,
                        wo_id,
                        {"state": "inProgress"},
                        _base_url(),
                        ACTOR,
                    )
                if outcome == "completed":
                    workforce.complete(ctx.session, SYSTEM_SCOPE, wo_id, chars, _base_url(), ACTOR)
                else:
                    workforce.fail(
                        ctx.session,
                        SYSTEM_SCOPE,
                        wo_id,
                        str(report.get("failureReason") or "reported failed by the partner"),
                        _base_url(),
                        ACTOR,
                    )
    ctx.data["workOrderClosed"] = {
        "workOrderId": wo_id,
        "kind": "installation",
        "outcome": outcome,
        "characteristics": chars,
        "failureReason": report.get("failureReason"),
    }
    _remember_closure(ctx)
    _milestone(
        ctx,
        "workOrderCompleted" if outcome == "completed" else "workOrderFailed",
        holder="system",
        workOrderId=wo_id,
        via="partnerCallback",
    )
    _mark(ctx)


@workforce_hooks.on_work_order_closed
def on_work_order_closed(session: Session, work_order: dict[str, Any], outcome: str) -> None:
    """A work order created by a flow closed: resume its instance (``workOrderClosed``
    with the completion data) and record the milestone. Work orders of no flow (no
    ``serviceOrder`` related entity) and closures done by a flow itself are ignored."""
    if _quiet_closure.get():
        return
    related = work_order.get("relatedEntity") or []
    service_order = next((e.get("id") for e in related if e.get("role") == "serviceOrder"), None)
    if not service_order:
        return
    ident = str(work_order["id"])
    chars = work_kinds.item_characteristics(list(work_order.get("workOrderItem") or []))
    payload = {
        "workOrderId": ident,
        "kind": work_order.get("workOrderKind"),
        "outcome": outcome,
        "state": work_order.get("state"),
        "characteristics": {k: v for k, v in chars.items() if v is not None},
        "failureReason": work_order.get("failureReason"),
    }
    assignee = (work_order.get("assignee") or {}).get("name")
    try:
        serviceorder.record_milestone(
            session,
            str(service_order),
            "workOrderCompleted" if outcome == "completed" else f"workOrder{outcome.title()}",
            holder=assignee or work_order.get("partnerId") or "field",
            workOrderId=ident,
            kind=work_order.get("workOrderKind"),
        )
    except NotFound:
        return
    engine.correlate(session, "workOrderClosed", ident, payload)


# --------------------------------------------------------------------------- activation


def _olt_params(ctx: TaskContext, request: FulfilmentRequest, serial: str) -> dict[str, Any]:
    port = ctx.data.get("port") or {}
    down, _up = _bandwidth(request.characteristics)
    return {
        "ontSerial": serial,
        "oltId": port.get("oltId") or "OLT-UNKNOWN",
        "ponPort": port.get("ponPort") or "PON-UNKNOWN",
        "vlan": INTERNET_VLAN,
        "profile": f"FTTH-{down}M",
    }


@service_task("olt.register")
def register_ont(ctx: TaskContext) -> None:
    """Register the ONT the crew installed (``ontSerial`` of the installation work
    order) on the OLT and PON port behind the reserved splitter port, with the
    service profile of the ordered bandwidth."""
    if _done(ctx):
        return
    request = _request(ctx)
    closed = ctx.data.get("closures", {}).get("installation") or {}
    serial = (closed.get("characteristics") or {}).get("ontSerial") or (
        ctx.data.get("cpe") or {}
    ).get("serial")
    if not serial:
        raise BpmnError("ACTIVATION_FAILED", "no ONT serial reported")
    params = _olt_params(ctx, request, str(serial))
    _activation(ctx, "activate", ["olt"], params)
    ctx.data["ontSerial"] = str(serial)
    _characteristics(
        ctx,
        ontSerial=str(serial),
        oltId=params["oltId"],
        ponPort=params["ponPort"],
        oltProfile=params["profile"],
    )
    _milestone(ctx, "ontRegistered", holder="system", ontSerial=str(serial))
    _mark(ctx)


def _account(request: FulfilmentRequest) -> str:
    account = request.characteristics.get("accessAccount")
    if account:
        return str(account)
    base = (request.product_id or request.product_order_id).replace("-", "")[-12:]
    return f"hz{base}".lower()


@service_task("radius.activate")
def activate_radius(ctx: TaskContext) -> None:
    """The PPPoE/IPoE account in the AAA tables FreeRADIUS reads: the stored password
    hash of ``accessPassword`` and the ordered bandwidth in the reply."""
    if _done(ctx):
        return
    request = _request(ctx)
    account = _account(request)
    hashed = serviceorder.secret_of(ctx.session, ctx.business_key, "accessPassword")
    if not hashed:
        ctx.data["failure"] = {"task": ctx.task_id, "reason": "no access password"}
        raise BpmnError("ACTIVATION_FAILED", "the order carries no access password")
    down, up = _bandwidth(request.characteristics)
    params: dict[str, Any] = {
        "account": account,
        "passwordHash": hashed,
        "bandwidthDownMbps": down,
        "bandwidthUpMbps": up,
    }
    _activation(ctx, "activate", ["radius"], params)
    _characteristics(ctx, accessAccount=account, bandwidthDownMbps=down, bandwidthUpMbps=up)
    _milestone(ctx, "accountActivated", holder="system", account=account)
    _mark(ctx)


@service_task("hlr.activate")
def activate_hlr(ctx: TaskContext) -> None:
    """The subscriber on the HLR/HSS: MSISDN, IMSI, ICCID and the plan's profile."""
    if _done(ctx):
        return
    request = _request(ctx)
    sub = ctx.data.get("subscriber") or {}
    gb = _int(request.characteristics.get("includedDataGB"), 0)
    profile = f"5G-{gb}GB" if gb else "5G"
    params = {
        "msisdn": sub["msisdn"],
        "imsi": sub["imsi"],
        "iccid": sub["iccid"],
        "profile": profile,
    }
    _activation(ctx, "activate", ["hlr"], params)
    _characteristics(ctx, hlrProfile=profile)
    _mark(ctx)  # instant: the business view shows numberAssigned and activated


def _impu(number: str) -> str:
    digits = number.lstrip("0") if not number.startswith("1") else number
    return f"sip:+86{digits}@ims.openboss.local"


@service_task("ims.activate")
def activate_ims(ctx: TaskContext) -> None:
    """The IMS public user identity (VoLTE for mobile, the fixed line for IMS voice)."""
    if _done(ctx):
        return
    sub = ctx.data.get("subscriber") or {}
    number = str(sub.get("msisdn") or sub.get("number"))
    impu = _impu(number)
    params: dict[str, Any] = {"impu": impu}
    params["msisdn" if sub.get("msisdn") else "number"] = number
    _activation(ctx, "activate", ["ims"], params)
    _characteristics(ctx, impu=impu)
    _mark(ctx)


@service_task("iptv.activate")
def activate_iptv(ctx: TaskContext) -> None:
    """IPTV rides on the customer's FTTH access: the multicast VLAN and IPTV service
    profile on the ONT (an OLT modify). There is no IPTV middleware adapter: the
    subscription itself is the product in the inventory."""
    if _done(ctx):
        return
    request = _request(ctx)
    access = _broadband_of(ctx.session, request)
    serial = access.get("ontSerial")
    if not serial:
        ctx.data["failure"] = {"task": ctx.task_id, "reason": "no FTTH access with an ONT"}
        raise BpmnError("ACTIVATION_FAILED", "IPTV needs an active FTTH access with an ONT")
    params = {
        "ontSerial": serial,
        "oltId": access.get("oltId"),
        "ponPort": access.get("ponPort"),
        "vlan": IPTV_VLAN,
        "profile": f"{access.get('oltProfile') or 'FTTH'}+IPTV",
    }
    _activation(ctx, "modify", ["olt"], params, undo=False)
    stb = (ctx.data.get("cpe") or {}).get("serial")
    _characteristics(
        ctx,
        ontSerial=serial,
        iptvVlan=IPTV_VLAN,
        stbSerial=stb,
        channelPackage=request.characteristics.get("channelPackage"),
    )
    _milestone(ctx, "iptvActivated", holder="system", ontSerial=serial)
    _mark(ctx)


def _inlife_params(
    request: FulfilmentRequest, facts: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """Params per element for an existing product, from the inventory's characteristics."""
    asked = request.characteristics
    ordered = any(k in asked for k in BANDWIDTH_KEYS)
    down, up = _bandwidth(asked if ordered else facts)
    out: dict[str, dict[str, Any]] = {}
    if facts.get("accessAccount") or request.characteristics.get("accessAccount"):
        out["radius"] = {
            "account": str(request.characteristics.get("accessAccount") or facts["accessAccount"]),
            "bandwidthDownMbps": down,
            "bandwidthUpMbps": up,
        }
    if facts.get("msisdn"):
        out["hlr"] = {
            "msisdn": facts["msisdn"],
            "imsi": facts.get("imsi"),
            "iccid": facts.get("iccid"),
            "profile": facts.get("hlrProfile") or "5G",
        }
    if facts.get("impu"):
        ims: dict[str, Any] = {"impu": facts["impu"]}
        if facts.get("msisdn"):
            ims["msisdn"] = facts["msisdn"]
        elif facts.get("number"):
            ims["number"] = facts["number"]
        out["ims"] = ims
    if facts.get("ontSerial") and facts.get("oltId"):
        out["olt"] = {
            "ontSerial": facts["ontSerial"],
            "oltId": facts["oltId"],
            "ponPort": facts.get("ponPort"),
            "profile": facts.get("oltProfile") or f"FTTH-{down}M",
        }
    return out


def _inlife(ctx: TaskContext, command: str) -> None:
    request = _request(ctx)
    facts = _facts(ctx.session, request.product_id)
    params = _inlife_params(request, facts)
    spec = request.product_spec_id or facts.get("_spec") or ""
    wanted = list(ELEMENTS_BY_SPEC.get(spec, ()))
    if command == "deactivate" and "olt" in params and spec in BROADBAND_SPECS:
        wanted.append("olt")
    elements = [e for e in wanted if e in params]
    merged: dict[str, Any] = {}
    for element in elements:
        merged.update(params[element])
    if elements:
        _activation(ctx, command, elements, merged, undo=False)
    ctx.data["elements"] = elements
    _milestone(
        ctx,
        {
            "suspend": "suspended",
            "resume": "resumed",
            "deactivate": "deactivated",
            "modify": "modified",
        }[command],
        holder="system",
        elements=elements,
    )
    _mark(ctx, elements)


@service_task("activation.modify")
def modify_service(ctx: TaskContext) -> None:
    """Modify: the new bandwidth in the RADIUS reply (CoA to the NAS when the
    subscriber is online — the activation platform sends it), the new profile on the
    HLR; for a static IP order, ``Framed-IP-Address`` on the broadband account."""
    if _done(ctx):
        return
    request = _request(ctx)
    if ctx.process_key == "static-ip-activation":
        access = _broadband_of(ctx.session, request)
        account = access.get("accessAccount")
        if not account:
            ctx.data["failure"] = {"task": ctx.task_id, "reason": "no broadband account"}
            raise BpmnError("ACTIVATION_FAILED", "a static IP needs an active broadband account")
        ip = ctx.data.get("staticIp")
        down, up = _bandwidth(access)
        _activation(
            ctx,
            "modify",
            ["radius"],
            {"account": account, "staticIp": ip, "bandwidthDownMbps": down, "bandwidthUpMbps": up},
            undo=False,
        )
        _characteristics(ctx, staticIp=ip, accessAccount=account)
        _milestone(ctx, "staticIpRouted", holder="system", ip=ip)
        _mark(ctx)
        return
    _inlife(ctx, "modify")
    if any(k in request.characteristics for k in BANDWIDTH_KEYS):
        down, up = _bandwidth(request.characteristics)
        _characteristics(ctx, bandwidthDownMbps=down, bandwidthUpMbps=up)


@service_task("activation.suspend")
def suspend_service(ctx: TaskContext) -> None:
    """Suspend: RADIUS rejects the account, the HLR bars the subscriber, IMS bars the line."""
    if _done(ctx):
        return
    _inlife(ctx, "suspend")


@service_task("activation.resume")
def resume_service(ctx: TaskContext) -> None:
    """Resume: the barring is lifted on every element of the product."""
    if _done(ctx):
        return
    _inlife(ctx, "resume")


@service_task("activation.deactivate")
def deactivate_service(ctx: TaskContext) -> None:
    """Terminate: the account, subscriber, IMPU and ONT registration are removed."""
    if _done(ctx):
        return
    _inlife(ctx, "deactivate")


# --------------------------------------------------------------------------- closing


@service_task("acceptance.record")
def record_acceptance(ctx: TaskContext) -> None:
    """Customer acceptance (竣工确认), signed on the installer's phone: the installation
    work order's ``acceptanceResult`` — ``rejected`` is the BPMN error
    ``CUSTOMER_REJECTED``; absent counts as accepted (the signature is optional in the
    crew's app)."""
    if _done(ctx):
        return
    closures = ctx.data.get("closures", {})
    closed = closures.get("installation") or ctx.data.get("workOrderClosed") or {}
    result = (closed.get("characteristics") or {}).get("acceptanceResult") or "accepted"
    if result == "rejected":
        ctx.data["failure"] = {"task": ctx.task_id, "reason": "the customer rejected"}
        raise BpmnError("CUSTOMER_REJECTED", "the customer rejected the installation")
    _milestone(ctx, "accepted", holder="customer")
    _mark(ctx, result)


@service_task("inventory.complete")
def complete_inventory(ctx: TaskContext) -> None:
    """Everything the inventories need from this instance is in its data
    (``serviceCharacteristics``, ``resources``); SERVICEORDER writes TMF637/TMF638 when
    the instance ends. Here the last characteristics are added and the milestone set."""
    if _done(ctx):
        return
    request = _request(ctx)
    closures = ctx.data.get("closures", {})
    if ctx.process_key in ("home-terminal-install", "home-terminal-partner-install"):
        chars = (closures.get("installation") or {}).get("characteristics") or {}
        _characteristics(
            ctx,
            terminalSerial=chars.get("ontSerial") or (ctx.data.get("cpe") or {}).get("serial"),
            terminalModel=(ctx.data.get("cpe") or {}).get("model"),
        )
    elif ctx.process_key == "iptv-partner-activation":
        chars = (closures.get("installation") or {}).get("characteristics") or {}
        _characteristics(ctx, stbSerial=chars.get("ontSerial"))
    elif ctx.process_key == "leased-line-mstp":
        _characteristics(
            ctx,
            circuitId=ctx.data.get("circuitId"),
            bandwidthMbps=request.characteristics.get("bandwidthMbps"),
        )
    elif ctx.process_key == "broadband-ftth-install":
        _characteristics(ctx, accessTechnology="FTTH/GPON")
    elif ctx.process_key == "broadband-partner-cable":
        _characteristics(ctx, accessTechnology="partner cable")
    name = {
        "service-suspend": "suspended",
        "service-resume": "resumed",
        "service-terminate": "terminated",
        "bandwidth-change": "modified",
    }.get(ctx.process_key, "activated")
    _milestone(ctx, name, holder="system")
    _mark(ctx)


# --------------------------------------------------------------------------- compensation

#: The handlers whose effects a cancellation undoes (each its own records).
UNDOABLE: tuple[str, ...] = (
    "resource.reserve",
    "resource.allocate",
    "number.assign",
    "workorder.create",
    "olt.register",
    "radius.activate",
    "hlr.activate",
    "ims.activate",
)


def _register_compensations() -> None:
    for name in UNDOABLE:
        compensation(name)(_compensate_task)


_register_compensations()

HANDLERS: tuple[str, ...] = (
    "flow.rollback",
    "resource.reserve",
    "resource.allocate",
    "resource.release",
    "resource.recover",
    "number.assign",
    "appointment.ensure",
    "workorder.create",
    "workorder.escalate",
    "workorder.sync",
    "olt.register",
    "radius.activate",
    "hlr.activate",
    "ims.activate",
    "iptv.activate",
    "activation.modify",
    "activation.suspend",
    "activation.resume",
    "activation.deactivate",
    "acceptance.record",
    "inventory.complete",
)
