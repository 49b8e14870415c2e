"""Use cases of the product inventory (TMF637) and the service inventory (TMF638).

eTOM 1.1.1.5 order handling closes by recording what the customer has; eTOM
1.4.1 service configuration records the services realising it. Fulfilment
(:mod:`openboss.fulfilment.serviceorder.service`) calls :func:`upsert_product`,
:func:`set_product_status` and :func:`upsert_service` as service orders
progress; the TMF APIs (``api.py``) call the ``*_api`` functions.

* Products and services carry their region (from the place) and customer;
  queries apply row scope.
* Status changes follow :mod:`openboss.fulfilment.inventory.states` (409).
* Events in the same transaction: ``ProductCreateEvent``,
  ``ProductAttributeValueChangeEvent``, ``ProductStateChangeEvent``,
  ``ProductDeleteEvent`` and the same for ``Service``.
* Characteristics named as secrets (``accessPassword``) are never stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, cast

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.config import get_settings
from openboss.events import publish
from openboss.fulfilment.contracts import FulfilmentRequest
from openboss.fulfilment.inventory import states
from openboss.fulfilment.inventory.models import (
    PRODUCT_BASE_PATH,
    PRODUCT_RESOURCE,
    SERVICE_BASE_PATH,
    SERVICE_RESOURCE,
    InventoryProduct,
    InventoryService,
)
from openboss.fulfilment.inventory.schemas import SECRET_NAMES, ProductCreate, ServiceCreate
from openboss.kit.clock import utcnow
from openboss.kit.errors import Conflict, NotFound, ValidationFailed
from openboss.kit.ids import new_id
from openboss.kit.places import place_directory
from openboss.kit.scope import SYSTEM_SCOPE, Scope, apply_scope, check_in_scope, region_for_write
from openboss.kit.tmf.attributes import strip_nulls, truncate_datetime
from openboss.kit.tmf.http import merge_patch, reject_read_only, validate
from openboss.kit.tmf.listing import Page, fetch_document, list_page
from openboss.kit.tmf.query import ListQuery


def _now() -> datetime:
    return truncate_datetime(utcnow())


def default_base_url() -> str:
    """The base of hrefs when no request is at hand (worker, hooks)."""
    return get_settings().public_url.rstrip("/")


def value_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object"


def characteristics(
    values: Mapping[str, Any] | Iterable[Mapping[str, Any]] | None,
    *,
    secrets: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """TMF ``Characteristic`` entries from ``{name: value}`` or a list of
    ``{name, value}``, without secrets and without absent values."""
    hidden = SECRET_NAMES | set(secrets)
    out: list[dict[str, Any]] = []
    if values is None:
        return out
    pairs: Iterable[tuple[str, Any]]
    if isinstance(values, Mapping):
        pairs = values.items()
    else:
        pairs = [(str(c.get("name")), c.get("value")) for c in values if c.get("name")]
    for name, value in pairs:
        if name in hidden or value is None:
            continue
        out.append({"name": name, "valueType": value_type(value), "value": value})
    return out


def merge_characteristics(
    current: Sequence[Mapping[str, Any]] | None, new: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """``current`` with the entries of ``new`` replacing those of the same name."""
    names = {c["name"] for c in new}
    kept = [dict(c) for c in current or [] if c.get("name") not in names]
    return kept + [dict(c) for c in new]


# --------------------------------------------------------------------------- views


def _product_doc(row: InventoryProduct, base_url: str | None = None) -> bytes:
    prefix = PRODUCT_RESOURCE.href_prefix(base_url or default_base_url())
    rendered = PRODUCT_RESOURCE.render_document(
        {c.key: getattr(row, c.key) for c in InventoryProduct.__table__.columns}
    )
    return PRODUCT_RESOURCE.represent(row.id, rendered, prefix).encode()


def _service_doc(row: InventoryService, base_url: str | None = None) -> bytes:
    prefix = SERVICE_RESOURCE.href_prefix(base_url or default_base_url())
    rendered = SERVICE_RESOURCE.render_document(
        {c.key: getattr(row, c.key) for c in InventoryService.__table__.columns}
    )
    return SERVICE_RESOURCE.represent(row.id, rendered, prefix).encode()


def _loads(body: bytes) -> dict[str, Any]:
    return cast(dict[str, Any], orjson.loads(body))


def _publish_product(
    session: Session, event_type: str, row: InventoryProduct, body: bytes, **kw: Any
) -> None:
    publish(
        session,
        event_type,
        "product",
        _loads(body),
        api=PRODUCT_BASE_PATH,
        domain="fulfilment",
        region_id=row.region_id,
        **kw,
    )


def _publish_service(
    session: Session, event_type: str, row: InventoryService, body: bytes, **kw: Any
) -> None:
    publish(
        session,
        event_type,
        "service",
        _loads(body),
        api=SERVICE_BASE_PATH,
        domain="fulfilment",
        region_id=row.region_id,
        **kw,
    )


def get_product(
    session: Session, product_id: str, scope: Scope = SYSTEM_SCOPE, *, for_update: bool = False
) -> InventoryProduct:
    stmt = apply_scope(
        select(InventoryProduct).where(InventoryProduct.id == product_id), InventoryProduct, scope
    )
    if for_update:
        stmt = stmt.with_for_update()
    row = session.scalars(stmt).first()
    if row is None:
        raise NotFound(f"product '{product_id}' not found")
    return row


def find_product(session: Session, product_id: str) -> InventoryProduct | None:
    return session.get(InventoryProduct, product_id)


def get_service(
    session: Session, service_id: str, scope: Scope = SYSTEM_SCOPE, *, for_update: bool = False
) -> InventoryService:
    stmt = apply_scope(
        select(InventoryService).where(InventoryService.id == service_id), InventoryService, scope
    )
    if for_update:
        stmt = stmt.with_for_update()
    row = session.scalars(stmt).first()
    if row is None:
        raise NotFound(f"service '{service_id}' not found")
    return row


def product_view(session: Session, product_id: str, base_url: str | None = None) -> dict[str, Any]:
    """The TMF637 representation of a product (404 when unknown)."""
    session.flush()
    return _loads(_product_doc(get_product(session, product_id), base_url))


def service_view(session: Session, service_id: str, base_url: str | None = None) -> dict[str, Any]:
    """The TMF638 representation of a service (404 when unknown)."""
    session.flush()
    return _loads(_service_doc(get_service(session, service_id), base_url))


def products_of_customer(
    session: Session, customer_id: str, base_url: str | None = None
) -> list[dict[str, Any]]:
    """Every product of a customer (any status), newest first."""
    session.flush()
    rows = session.scalars(
        select(InventoryProduct)
        .where(InventoryProduct.customer_id == customer_id)
        .order_by(InventoryProduct.created_at.desc(), InventoryProduct.id)
    )
    return [_loads(_product_doc(r, base_url)) for r in rows]


def services_of_product(session: Session, product_id: str) -> list[InventoryService]:
    """The services (CFS and RFS) recorded for a product."""
    return list(
        session.scalars(
            select(InventoryService)
            .where(InventoryService.product_id == product_id)
            .order_by(InventoryService.created_at, InventoryService.id)
        )
    )


def services_of_customer(
    session: Session, customer_id: str, base_url: str | None = None
) -> list[dict[str, Any]]:
    session.flush()
    rows = session.scalars(
        select(InventoryService)
        .where(InventoryService.customer_id == customer_id)
        .order_by(InventoryService.created_at.desc(), InventoryService.id)
    )
    return [_loads(_service_doc(r, base_url)) for r in rows]


# --------------------------------------------------------------------------- fulfilment writes


def _ref(ident: str | None, referred: str, name: str | None = None) -> dict[str, Any] | None:
    if not ident:
        return None
    out: dict[str, Any] = {"id": ident, "@referredType": referred}
    if name:
        out["name"] = name
    return out


def place_refs(place_id: str | None) -> list[dict[str, Any]] | None:
    if not place_id:
        return None
    return [{"id": place_id, "role": "installationAddress", "@referredType": "GeographicAddress"}]


def customer_refs(customer_id: str | None) -> list[dict[str, Any]] | None:
    if not customer_id:
        return None
    return [{"id": customer_id, "role": "customer", "@referredType": "Customer"}]


def upsert_product(
    session: Session,
    *,
    product_id: str,
    request: FulfilmentRequest,
    status: str,
    realizing_service: Sequence[Mapping[str, Any]] | None = None,
    realizing_resource: Sequence[Mapping[str, Any]] | None = None,
    extra_characteristics: Mapping[str, Any] | None = None,
    start_date: datetime | None = None,
    base_url: str | None = None,
) -> dict[str, Any]:
    """Create or refresh the product ordered by ``request`` (TMF637).

    A new product gets everything from the request (offering, specification,
    characteristics without secrets, prices, place, customer, billing account,
    the product order item); an existing one gets its characteristics merged
    and its status moved along :data:`states.PRODUCT`.
    """
    now = _now()
    chars = characteristics(request.characteristics, secrets=request.secrets.keys())
    if extra_characteristics:
        chars = merge_characteristics(chars, characteristics(extra_characteristics))
    order_item = {
        "productOrderId": request.product_order_id,
        "orderItemId": request.product_order_item_id,
        "orderItemAction": request.action,
        "role": "fulfils",
        "@referredType": "ProductOrderItem",
    }
    row = find_product(session, product_id)
    if row is None:
        if status not in states.PRODUCT.states:
            raise ValidationFailed(f"'{status}' is not a product status", field="status")
        row = InventoryProduct(
            id=product_id,
            status=status,
            name=request.product_name or request.product_offering_name,
            is_bundle=False,
            is_customer_visible=True,
            order_date=now,
            start_date=start_date,
            customer_id=request.customer_id,
            billing_account=_ref(request.billing_account_id, "BillingAccount"),
            place=place_refs(request.place_id),
            product_characteristic=chars or None,
            product_offering=_ref(
                request.product_offering_id, "ProductOffering", request.product_offering_name
            ),
            product_order_item=[order_item],
            product_price=[dict(p) for p in request.product_price] or None,
            product_specification=_ref(request.product_spec_id, "ProductSpecification"),
            realizing_service=[dict(s) for s in realizing_service or []] or None,
            realizing_resource=[dict(r) for r in realizing_resource or []] or None,
            related_party=customer_refs(request.customer_id),
            region_id=request.region_id,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        body = _product_doc(row, base_url)
        _publish_product(session, "ProductCreateEvent", row, body)
        return _loads(body)
    old_status = row.status
    states.PRODUCT.check(old_status, status, field="status")
    row.status = status
    row.product_characteristic = merge_characteristics(row.product_characteristic, chars) or None
    items = [i for i in row.product_order_item or [] if i != order_item]
    row.product_order_item = [*items, order_item]
    if realizing_service is not None:
        row.realizing_service = _union(row.realizing_service, realizing_service)
    if realizing_resource is not None:
        row.realizing_resource = _union(row.realizing_resource, realizing_resource)
    if request.product_price and request.action in ("add", "modify"):
        row.product_price = [dict(p) for p in request.product_price]
    if start_date is not None and row.start_date is None:
        row.start_date = start_date
    if status == "terminated":
        row.termination_date = now
    row.updated_at = now
    body = _product_doc(row, base_url)
    _publish_product(session, "ProductAttributeValueChangeEvent", row, body)
    if status != old_status:
        _publish_product(
            session,
            "ProductStateChangeEvent",
            row,
            body,
            description=f"status {old_status} → {status}",
        )
    return _loads(body)


def _union(
    current: Sequence[Mapping[str, Any]] | None, new: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]] | None:
    out = [dict(c) for c in current or []]
    ids = {c.get("id") for c in out}
    for ref in new:
        if ref.get("id") not in ids:
            out.append(dict(ref))
            ids.add(ref.get("id"))
    return out or None


def set_product_status(
    session: Session, product_id: str, status: str, *, base_url: str | None = None
) -> dict[str, Any]:
    """Move a product along :data:`states.PRODUCT` (409 when not allowed)."""
    row = get_product(session, product_id, for_update=True)
    old = row.status
    states.PRODUCT.check(old, status, field="status")
    if old == status:
        return _loads(_product_doc(row, base_url))
    now = _now()
    row.status = status
    if status == "active" and row.start_date is None:
        row.start_date = now
    if status == "terminated":
        row.termination_date = now
    row.updated_at = now
    body = _product_doc(row, base_url)
    _publish_product(
        session, "ProductStateChangeEvent", row, body, description=f"status {old} → {status}"
    )
    return _loads(body)


def upsert_service(
    session: Session,
    *,
    service_id: str,
    spec_id: str,
    state: str,
    category: str = "CFS",
    name: str | None = None,
    product_id: str | None = None,
    customer_id: str | None = None,
    region_id: str | None = None,
    place_id: str | None = None,
    service_characteristic: Sequence[Mapping[str, Any]] | None = None,
    supporting_service: Sequence[Mapping[str, Any]] | None = None,
    supporting_resource: Sequence[Mapping[str, Any]] | None = None,
    service_order_item: Mapping[str, Any] | None = None,
    product_order_id: str | None = None,
    base_url: str | None = None,
) -> dict[str, Any]:
    """Create or update a TMF638 service (``category`` CFS or RFS).

    Characteristics merge by name; supporting services and resources are
    added to those already recorded.
    """
    now = _now()
    chars = [dict(c) for c in service_characteristic or [] if c.get("name") not in SECRET_NAMES]
    row = session.get(InventoryService, service_id)
    if row is None:
        if state not in states.SERVICE.states:
            raise ValidationFailed(f"'{state}' is not a service state", field="state")
        related: list[dict[str, Any]] = []
        if product_id:
            related.append({"id": product_id, "role": "product", "@referredType": "Product"})
        if product_order_id:
            related.append(
                {"id": product_order_id, "role": "productOrder", "@referredType": "ProductOrder"}
            )
        row = InventoryService(
            id=service_id,
            state=state,
            name=name or spec_id,
            category=category,
            service_type=category,
            is_service_enabled=state == "active",
            has_started=state == "active",
            is_stateful=True,
            is_bundle=False,
            start_mode="1",
            service_date=now,
            start_date=now if state == "active" else None,
            end_date=now if state == "terminated" else None,
            product_id=product_id,
            customer_id=customer_id,
            service_specification={"id": spec_id, "@referredType": "ServiceSpecification"},
            service_characteristic=chars or None,
            place=place_refs(place_id),
            related_entity=related or None,
            related_party=customer_refs(customer_id),
            service_order_item=[dict(service_order_item)] if service_order_item else None,
            supporting_service=[dict(s) for s in supporting_service or []] or None,
            supporting_resource=[dict(r) for r in supporting_resource or []] or None,
            region_id=region_id,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        body = _service_doc(row, base_url)
        _publish_service(session, "ServiceCreateEvent", row, body)
        return _loads(body)
    old = row.state
    states.SERVICE.check(old, state, field="state")
    row.state = state
    row.is_service_enabled = state == "active"
    if state == "active":
        row.has_started = True
        if row.start_date is None:
            row.start_date = now
    if state == "terminated":
        row.end_date = now
    if chars:
        row.service_characteristic = merge_characteristics(row.service_characteristic, chars)
    if supporting_service:
        row.supporting_service = _union(row.supporting_service, supporting_service)
    if supporting_resource:
        row.supporting_resource = _union(row.supporting_resource, supporting_resource)
    if service_order_item:
        items = [i for i in row.service_order_item or [] if i != dict(service_order_item)]
        row.service_order_item = [*items, dict(service_order_item)]
    row.updated_at = now
    body = _service_doc(row, base_url)
    _publish_service(session, "ServiceAttributeValueChangeEvent", row, body)
    if old != state:
        _publish_service(
            session, "ServiceStateChangeEvent", row, body, description=f"state {old} → {state}"
        )
    return _loads(body)


# --------------------------------------------------------------------------- TMF APIs


def list_products(session: Session, query: ListQuery, scope: Scope, base_url: str) -> Page:
    return list_page(
        session,
        PRODUCT_RESOURCE,
        query,
        base_url=base_url,
        restrict=lambda stmt: apply_scope(stmt, InventoryProduct, scope),
    )


def product_document(
    session: Session,
    ident: str,
    scope: Scope,
    base_url: str,
    projection: Mapping[str, Any] | None = None,
) -> bytes:
    doc = fetch_document(
        session,
        PRODUCT_RESOURCE,
        ident,
        base_url=base_url,
        restrict=lambda stmt: apply_scope(stmt, InventoryProduct, scope),
        projection=projection,
    )
    if doc is None:
        raise NotFound(f"product '{ident}' not found")
    return doc


def list_services(session: Session, query: ListQuery, scope: Scope, base_url: str) -> Page:
    return list_page(
        session,
        SERVICE_RESOURCE,
        query,
        base_url=base_url,
        restrict=lambda stmt: apply_scope(stmt, InventoryService, scope),
    )


def service_document(
    session: Session,
    ident: str,
    scope: Scope,
    base_url: str,
    projection: Mapping[str, Any] | None = None,
) -> bytes:
    doc = fetch_document(
        session,
        SERVICE_RESOURCE,
        ident,
        base_url=base_url,
        restrict=lambda stmt: apply_scope(stmt, InventoryService, scope),
        projection=projection,
    )
    if doc is None:
        raise NotFound(f"service '{ident}' not found")
    return doc


def _dump(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, list):
        return [_dump(v) for v in value] or None
    return strip_nulls(value.model_dump(mode="json", by_alias=True, exclude_none=True))


def _customer_of(parties: list[dict[str, Any]] | None) -> str | None:
    for party in parties or []:
        if party.get("role") == "customer":
            return str(party["id"])
    return None


def _region_of_place(session: Session, places: list[dict[str, Any]] | None) -> str | None:
    for place in places or []:
        try:
            address = place_directory().address(session, SYSTEM_SCOPE, str(place["id"]))
        except RuntimeError:  # no place directory registered
            return None
        if address is not None:
            return address.region_id
    return None


def _apply_product(row: InventoryProduct, data: ProductCreate) -> None:
    row.name = data.name
    row.description = data.description
    row.is_bundle = data.is_bundle
    row.is_customer_visible = data.is_customer_visible
    row.product_serial_number = data.product_serial_number
    row.order_date = data.order_date
    row.start_date = data.start_date
    row.termination_date = data.termination_date
    row.agreement = _dump(data.agreement)
    row.billing_account = _dump(data.billing_account)
    row.place = _dump(data.place)
    row.product = _dump(data.product)
    row.product_characteristic = _dump(data.product_characteristic)
    row.product_offering = _dump(data.product_offering)
    row.product_order_item = _dump(data.product_order_item)
    row.product_price = _dump(data.product_price)
    row.product_relationship = _dump(data.product_relationship)
    row.product_specification = _dump(data.product_specification)
    row.product_term = _dump(data.product_term)
    row.realizing_resource = _dump(data.realizing_resource)
    row.realizing_service = _dump(data.realizing_service)
    row.related_party = _dump(data.related_party)
    row.customer_id = _customer_of(row.related_party)


def create_product_api(
    session: Session, scope: Scope, data: ProductCreate, base_url: str
) -> tuple[str, bytes]:
    """``POST /product``: record a product directly (an administrator's
    correction or a migration); it starts in the status given."""
    now = _now()
    row = InventoryProduct(id=new_id(), status=data.status, created_at=now, updated_at=now)
    _apply_product(row, data)
    row.region_id = region_for_write(scope, _region_of_place(session, row.place))
    session.add(row)
    session.flush()
    body = _product_doc(row, base_url)
    _publish_product(session, "ProductCreateEvent", row, body)
    return row.id, body


def _product_writable(row: InventoryProduct) -> dict[str, Any]:
    rendered = PRODUCT_RESOURCE.render(
        {c.key: getattr(row, c.key) for c in InventoryProduct.__table__.columns}
    )
    for key in ("@type", "regionId", "lastUpdate"):
        rendered.pop(key, None)
    return cast(dict[str, Any], orjson.loads(orjson.dumps(rendered)))


def patch_product_api(
    session: Session, scope: Scope, ident: str, patch: dict[str, Any], base_url: str
) -> bytes:
    """``PATCH /product/{id}`` (merge patch): attributes and ``status`` along
    :data:`states.PRODUCT`."""
    reject_read_only(patch, sorted(PRODUCT_RESOURCE.read_only))
    row = get_product(session, ident, scope, for_update=True)
    merged = merge_patch(_product_writable(row), patch)
    if "status" not in merged:
        raise ValidationFailed("'status' is required and cannot be removed", field="status")
    data = validate(ProductCreate, merged)
    old = row.status
    states.PRODUCT.check(old, data.status, field="status")
    before = row.doc
    _apply_product(row, data)
    row.status = data.status
    if old != row.status:
        now = _now()
        if row.status == "terminated" and row.termination_date is None:
            row.termination_date = now
        if row.status == "active" and row.start_date is None:
            row.start_date = now
    row.updated_at = _now()
    session.flush()
    body = _product_doc(row, base_url)
    if row.doc != before:
        _publish_product(session, "ProductAttributeValueChangeEvent", row, body)
    if old != row.status:
        _publish_product(
            session,
            "ProductStateChangeEvent",
            row,
            body,
            description=f"status {old} → {row.status}",
        )
    return body


#: Statuses in which a product may be deleted from the inventory.
DELETABLE_PRODUCT = frozenset({"created", "cancelled", "terminated"})
DELETABLE_SERVICE = frozenset({"feasibilityChecked", "designed", "reserved", "terminated"})


def delete_product_api(session: Session, scope: Scope, ident: str, base_url: str) -> None:
    row = get_product(session, ident, scope, for_update=True)
    if row.status not in DELETABLE_PRODUCT:
        raise Conflict(
            f"product '{ident}' is {row.status}; only a product that is "
            + ", ".join(sorted(DELETABLE_PRODUCT))
            + " can be deleted",
            field="status",
            code="ILLEGAL_STATE",
        )
    body = _product_doc(row, base_url)
    _publish_product(session, "ProductDeleteEvent", row, body)
    session.delete(row)
    session.flush()


def _apply_service(row: InventoryService, data: ServiceCreate) -> None:
    row.name = data.name
    row.category = data.category
    row.description = data.description
    row.service_type = data.service_type
    row.is_service_enabled = data.is_service_enabled
    row.has_started = data.has_started
    row.is_stateful = data.is_stateful
    row.is_bundle = data.is_bundle
    row.start_mode = data.start_mode
    row.start_date = data.start_date
    row.end_date = data.end_date
    row.service_specification = _dump(data.service_specification)
    row.service_characteristic = _dump(data.service_characteristic)
    row.feature = _dump(data.feature)
    row.note = _dump(data.note)
    row.place = _dump(data.place)
    row.related_entity = _dump(data.related_entity)
    row.related_party = _dump(data.related_party)
    row.service_order_item = _dump(data.service_order_item)
    row.service_relationship = _dump(data.service_relationship)
    row.supporting_resource = _dump(data.supporting_resource)
    row.supporting_service = _dump(data.supporting_service)
    row.customer_id = _customer_of(row.related_party)
    row.product_id = next(
        (str(e["id"]) for e in row.related_entity or [] if e.get("role") == "product"), None
    )


def create_service_api(
    session: Session, scope: Scope, data: ServiceCreate, base_url: str
) -> tuple[str, bytes]:
    """``POST /service``: record a service directly (administrators)."""
    now = _now()
    row = InventoryService(
        id=new_id(), state=data.state, service_date=now, created_at=now, updated_at=now
    )
    _apply_service(row, data)
    row.region_id = region_for_write(scope, _region_of_place(session, row.place))
    session.add(row)
    session.flush()
    body = _service_doc(row, base_url)
    _publish_service(session, "ServiceCreateEvent", row, body)
    return row.id, body


def _service_writable(row: InventoryService) -> dict[str, Any]:
    rendered = SERVICE_RESOURCE.render(
        {c.key: getattr(row, c.key) for c in InventoryService.__table__.columns}
    )
    for key in ("@type", "regionId", "lastUpdate", "serviceDate"):
        rendered.pop(key, None)
    return cast(dict[str, Any], orjson.loads(orjson.dumps(rendered)))


def patch_service_api(
    session: Session, scope: Scope, ident: str, patch: dict[str, Any], base_url: str
) -> bytes:
    """``PATCH /service/{id}`` (merge patch): attributes and ``state`` along
    :data:`states.SERVICE`."""
    reject_read_only(patch, sorted(SERVICE_RESOURCE.read_only))
    row = get_service(session, ident, scope, for_update=True)
    merged = merge_patch(_service_writable(row), patch)
    for name in ("state", "serviceSpecification"):
        if name not in merged:
            raise ValidationFailed(f"'{name}' is required and cannot be removed", field=name)
    data = validate(ServiceCreate, merged)
    old = row.state
    states.SERVICE.check(old, data.state, field="state")
    before = row.doc
    _apply_service(row, data)
    row.state = data.state
    row.updated_at = _now()
    session.flush()
    body = _service_doc(row, base_url)
    if row.doc != before:
        _publish_service(session, "ServiceAttributeValueChangeEvent", row, body)
    if old != row.state:
        _publish_service(
            session, "ServiceStateChangeEvent", row, body, description=f"state {old} → {row.state}"
        )
    return body


def delete_service_api(session: Session, scope: Scope, ident: str, base_url: str) -> None:
    row = get_service(session, ident, scope, for_update=True)
    if row.state not in DELETABLE_SERVICE:
        raise Conflict(
            f"service '{ident}' is {row.state}; only a service that is "
            + ", ".join(sorted(DELETABLE_SERVICE))
            + " can be deleted",
            field="state",
            code="ILLEGAL_STATE",
        )
    body = _service_doc(row, base_url)
    _publish_service(session, "ServiceDeleteEvent", row, body)
    session.delete(row)
    session.flush()


def in_scope(row: Any, scope: Scope, what: str, ident: str) -> None:
    check_in_scope(row, scope, what, ident)
