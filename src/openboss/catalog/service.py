"""Use cases of the product catalog — eTOM 1.1.1.1 CRM support & readiness
(product readiness) over TMF620: create, change (merge patch), delete the
five catalog entities; launch, change, retire and version offerings.

Every entity follows one lifecycle (TMF620 wording)::

    In design ⇄ In test ──► Launched ──► Retired (final)

An offering is launched only when its readiness report
(:mod:`openboss.catalog.readiness`) has no failed check; launching freezes
its version; changing a launched offering makes and freezes the next
version (:mod:`openboss.catalog.versioning`). A retired entity no longer
changes. Prices referenced by a launched offering are locked.

Every change publishes its TMF event in the same transaction. Services never
commit: the request owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from openboss.catalog import events, pricing, readiness, repository, versioning
from openboss.catalog.models import (
    CATALOG as CATALOG_RESOURCE,
)
from openboss.catalog.models import (
    CATEGORY as CATEGORY_RESOURCE,
)
from openboss.catalog.models import (
    PRODUCT_OFFERING as OFFERING_RESOURCE,
)
from openboss.catalog.models import (
    PRODUCT_OFFERING_PRICE as PRICE_RESOURCE,
)
from openboss.catalog.models import (
    PRODUCT_SPECIFICATION as SPEC_RESOURCE,
)
from openboss.catalog.models import (
    Catalog,
    Category,
    OfferingVersion,
    ProductOffering,
    ProductOfferingPrice,
    ProductSpecification,
    ResourceSpec,
    ServiceSpec,
)
from openboss.catalog.schemas import (
    IN_DESIGN,
    IN_TEST,
    LAUNCHED,
    RETIRED,
    CatalogCreate,
    CategoryCreate,
    ProductOfferingCreate,
    ProductOfferingPriceCreate,
    ProductSpecificationCreate,
    _EntityBase,
)
from openboss.events import publish
from openboss.kit.clock import utcnow
from openboss.kit.errors import Conflict, ValidationFailed
from openboss.kit.ids import new_id
from openboss.kit.statemachine import StateMachine
from openboss.kit.tmf.attributes import strip_nulls, truncate_datetime
from openboss.kit.tmf.errors import validation_message
from openboss.kit.tmf.http import merge_patch, validate
from openboss.kit.tmf.resource import TmfResource

LIFECYCLE = StateMachine(
    "catalog entity",
    {
        IN_DESIGN: [IN_TEST],
        IN_TEST: [IN_DESIGN, LAUNCHED],
        LAUNCHED: [RETIRED],
        RETIRED: [],
    },
    initial=IN_DESIGN,
)

#: Attributes whose change is not a change of content (no new version).
_NOT_CONTENT = frozenset({"lifecycleStatus", "statusReason", "lastUpdate", "version"})


@dataclass(frozen=True)
class Entity:
    """A TMF620 resource handled by the generic use cases."""

    name: str
    model: type[Any]
    resource: TmfResource
    create: type[_EntityBase]


CATALOG = Entity("catalog", Catalog, CATALOG_RESOURCE, CatalogCreate)
CATEGORY = Entity("category", Category, CATEGORY_RESOURCE, CategoryCreate)
SPECIFICATION = Entity(
    "productSpecification", ProductSpecification, SPEC_RESOURCE, ProductSpecificationCreate
)
OFFERING = Entity("productOffering", ProductOffering, OFFERING_RESOURCE, ProductOfferingCreate)
PRICE = Entity(
    "productOfferingPrice", ProductOfferingPrice, PRICE_RESOURCE, ProductOfferingPriceCreate
)
ENTITIES = {e.name: e for e in (CATALOG, CATEGORY, SPECIFICATION, OFFERING, PRICE)}


@dataclass(frozen=True, slots=True)
class Written:
    """The row after a change and its representation (JSON bytes)."""

    row: Any
    body: bytes


class NotReady(Conflict):
    """409: the readiness check failed; ``details.reasons`` lists what is missing."""

    code = "NOT_READY"


# --------------------------------------------------------------------------- helpers


def _now() -> datetime:
    return truncate_datetime(utcnow())


def _plain(value: Any) -> Any:
    """A validated value as stored JSON (models dumped by alias, no nulls)."""
    if isinstance(value, BaseModel):
        return strip_nulls(value.model_dump(mode="json", by_alias=True, exclude_none=True))
    if isinstance(value, list):
        return [_plain(v) for v in value] or None
    if isinstance(value, dict):
        return strip_nulls(value) or None
    return value


def _document(entity: Entity, row: Any, base_url: str) -> bytes:
    return entity.resource.represent(
        row.id, row.doc, entity.resource.href_prefix(base_url)
    ).encode()


def _publish(
    session: Session, entity: Entity, kind: str, body: bytes, description: str | None = None
) -> None:
    publish(
        session,
        events.event_type(entity.resource.type_name, kind),
        entity.name,
        orjson.loads(body),
        api=entity.resource.base_path,
        description=description,
    )


def _content(row: Any) -> dict[str, Any]:
    doc: dict[str, Any] = orjson.loads(row.doc) if row.doc else {}
    return {k: v for k, v in doc.items() if k not in _NOT_CONTENT}


def writable_view(entity: Entity, row: Any) -> dict[str, Any]:
    """The attributes a PATCH may change, in TMF shape (the merge-patch target)."""
    doc: dict[str, Any] = orjson.loads(row.doc)
    hidden = entity.resource.read_only - {"version"}
    return {k: v for k, v in doc.items() if k not in hidden}


def _price_model(data: ProductOfferingPriceCreate) -> pricing.AnyPrice | None:
    if data.price_model is None:
        return None
    try:
        return pricing.parse_price_model(data.price_model)
    except ValidationError as exc:
        errors = []
        for err in exc.errors():
            loc = list(err.get("loc", ()))
            if loc and loc[0] in ("oneTime", "recurring", "usage", "alteration"):
                loc = loc[1:]
            errors.append({**err, "loc": ("priceModel", *loc)})
        field, message = validation_message(errors)
        raise ValidationFailed(message, field=field) from None


def _apply(entity: Entity, row: Any, data: _EntityBase) -> None:
    """Copy the validated attributes onto the row (lifecycle and version apart)."""
    for name in type(data).model_fields:
        if name in (
            "type",
            "base_type",
            "schema_location",
            "lifecycle_status",
            "version",
            "price_model",
        ):
            continue
        value = getattr(data, name)
        if name == "valid_for":
            row.valid_from = value.start_date_time if value else None
            row.valid_to = value.end_date_time if value else None
        elif name == "price":
            row.price_unit = value.unit if value else None
            row.price_minor = value.to_minor() if value else None
        elif name == "product_specification":
            row.product_specification = _plain(value)
            row.product_spec_id = value.id if value else None
        elif name in ("is_bundle", "is_root", "is_sellable"):
            continue
        else:
            setattr(row, name, _plain(value))
    if entity is OFFERING:
        assert isinstance(data, ProductOfferingCreate)
        row.is_bundle = bool(data.is_bundle)
        row.is_sellable = True if data.is_sellable is None else data.is_sellable
    elif entity is CATEGORY:
        assert isinstance(data, CategoryCreate)
        row.is_root = data.parent_id is None if data.is_root is None else data.is_root
    elif entity in (SPECIFICATION, PRICE):
        row.is_bundle = bool(getattr(data, "is_bundle", None))
    if entity is PRICE:
        assert isinstance(data, ProductOfferingPriceCreate)
        model = _price_model(data)
        row.price_model = pricing.dump_price_model(model) if model is not None else None
        if model is not None:
            for key, value in pricing.tmf_fields(model).items():
                if key == "price":
                    row.price_unit, row.price_minor = value if value else (None, None)
                else:
                    setattr(row, key, value)


def _require(session: Session, model: Any, ids: list[str], field: str, what: str) -> None:
    missing = [i for i in ids if i not in repository.existing_ids(session, model, ids)]
    if missing:
        raise ValidationFailed(f"{field}: unknown {what} '{missing[0]}'", field=field)


def _check_references(session: Session, entity: Entity, row: Any) -> None:
    """Referenced entities exist (400 naming the attribute otherwise)."""

    def ids(refs: list[dict[str, Any]] | None) -> list[str]:
        return [str(r["id"]) for r in refs or []]

    if entity is CATALOG:
        _require(session, Category, ids(row.category), "category", "category")
    elif entity is CATEGORY:
        if row.parent_id is not None:
            if row.parent_id == row.id:
                raise ValidationFailed("a category cannot be its own parent", field="parentId")
            _require(session, Category, [row.parent_id], "parentId", "category")
        _require(session, ProductOffering, ids(row.product_offering), "productOffering", "offering")
        _require(session, Category, ids(row.sub_category), "subCategory", "category")
    elif entity is SPECIFICATION:
        cfs = ids(row.service_specification)
        known = repository.service_specs(session, cfs)
        for ident in cfs:
            if ident not in known or known[ident].kind != "CFS":
                raise ValidationFailed(
                    f"serviceSpecification: '{ident}' is not a known customer-facing service "
                    "specification",
                    field="serviceSpecification",
                )
        _require(
            session,
            ResourceSpec,
            ids(row.resource_specification),
            "resourceSpecification",
            "resource specification",
        )
        _require(
            session,
            ProductSpecification,
            ids(row.bundled_product_specification),
            "bundledProductSpecification",
            "product specification",
        )
    elif entity is OFFERING:
        if row.product_spec_id:
            _require(
                session,
                ProductSpecification,
                [row.product_spec_id],
                "productSpecification",
                "product specification",
            )
        _require(
            session,
            ProductOfferingPrice,
            ids(row.product_offering_price),
            "productOfferingPrice",
            "price",
        )
        _require(session, Category, ids(row.category), "category", "category")
        members = ids(row.bundled_product_offering)
        if row.id in members:
            raise ValidationFailed("a bundle cannot contain itself", field="bundledProductOffering")
        rows = repository.offerings(session, members)
        for ident in members:
            if ident not in rows:
                raise ValidationFailed(
                    f"bundledProductOffering: unknown offering '{ident}'",
                    field="bundledProductOffering",
                )
            if rows[ident].is_bundle:
                raise ValidationFailed(
                    f"bundledProductOffering: '{ident}' is a bundle; bundles do not nest",
                    field="bundledProductOffering",
                )
    elif entity is PRICE:
        _require(
            session,
            ProductOfferingPrice,
            ids(row.bundled_pop_relationship),
            "bundledPopRelationship",
            "price",
        )
        model = row.price_model or {}
        targets = list(model.get("appliesTo") or [])
        if row.id in targets:
            raise ValidationFailed("a price cannot alter itself", field="priceModel.appliesTo")
        _require(session, ProductOfferingPrice, targets, "priceModel.appliesTo", "price")


# --------------------------------------------------------------------------- create


def create(
    session: Session,
    entity: Entity,
    data: _EntityBase,
    base_url: str,
    *,
    ident: str | None = None,
) -> Written:
    """Create an entity; it starts In design (or In test when asked)."""
    status = data.lifecycle_status or IN_DESIGN
    if status not in (IN_DESIGN, IN_TEST):
        raise ValidationFailed(
            f"a new {entity.name} starts In design or In test; launch it with a PATCH "
            "once it is ready",
            field="lifecycleStatus",
        )
    if ident is not None and repository.find(session, entity.model, ident) is not None:
        raise Conflict(f"{entity.name} '{ident}' already exists", code="DUPLICATE", field="id")
    now = _now()
    row = entity.model(
        id=ident or new_id(),
        version=data.version or "1",
        lifecycle_status=status,
        created_at=now,
        last_update=now,
    )
    _apply(entity, row, data)
    _check_references(session, entity, row)
    session.add(row)
    session.flush()
    body = _document(entity, row, base_url)
    _publish(session, entity, "Create", body)
    return Written(row, body)


# --------------------------------------------------------------------------- update


def update(
    session: Session,
    entity: Entity,
    ident: str,
    patch: dict[str, Any],
    base_url: str,
    *,
    actor: str | None = None,
) -> Written:
    """Apply a JSON merge patch. A ``lifecycleStatus`` in it moves the
    lifecycle (409 when not allowed; launching an offering runs readiness).
    Changing a launched offering makes a new version; a retired entity and a
    price used by a launched offering do not change (409)."""
    read_only = entity.resource.read_only | ({"version"} if entity is OFFERING else set())
    for name in sorted(read_only):
        if name in patch:
            raise ValidationFailed(
                f"'{name}' is read-only and cannot be changed", field=name, code="READ_ONLY_FIELD"
            )
    row = repository.get_row(session, entity.model, entity.name, ident, for_update=True)
    merged = merge_patch(writable_view(entity, row), patch)
    data = validate(entity.create, merged)
    old_status: str = row.lifecycle_status
    new_status: str = data.lifecycle_status or old_status
    LIFECYCLE.check(old_status, new_status, field="lifecycleStatus")
    before = _content(row)
    before_version = row.version
    _apply(entity, row, data)
    if entity is not OFFERING and data.version:
        row.version = data.version
    row.lifecycle_status = new_status
    _check_references(session, entity, row)
    session.flush()
    content_changed = _content(row) != before
    if content_changed and old_status == RETIRED:
        raise Conflict(f"{entity.name} '{ident}' is retired and no longer changes", code="RETIRED")
    if entity is PRICE and content_changed:
        users = repository.launched_offerings_using_price(session, ident)
        if users:
            raise Conflict(
                f"price '{ident}' is used by launched offering '{users[0]}'; create a new "
                "price and reference it from the offering (a new version)",
                code="PRICE_IN_USE",
            )
    if entity is OFFERING:
        _offering_lifecycle(session, row, data, old_status, content_changed, actor)
    state_changed = new_status != old_status
    if not content_changed and not state_changed and row.version == before_version:
        return Written(row, _document(entity, row, base_url))
    row.last_update = _now()
    session.flush()
    body = _document(entity, row, base_url)
    if content_changed:
        changed = sorted(
            k for k in set(before) | set(_content(row)) if before.get(k) != _content(row).get(k)
        )
        description = "changed: " + ", ".join(changed)
        if row.version != before_version:
            description += f"; new version {row.version}"
        _publish(session, entity, "AttributeValueChange", body, description)
    if state_changed:
        _publish(
            session, entity, "StateChange", body, f"lifecycleStatus {old_status} → {new_status}"
        )
    return Written(row, body)


def _offering_lifecycle(
    session: Session,
    row: ProductOffering,
    data: _EntityBase,
    old_status: str,
    content_changed: bool,
    actor: str | None,
) -> None:
    new_status = row.lifecycle_status
    start = data.valid_for.start_date_time if data.valid_for else None
    if old_status == LAUNCHED and new_status == RETIRED and content_changed:
        raise Conflict("retire an offering without changing it in the same request", code="RETIRED")
    launching = new_status == LAUNCHED and old_status != LAUNCHED
    changing = new_status == LAUNCHED and old_status == LAUNCHED and content_changed
    if not (launching or changing):
        return
    if changing:
        row.version = versioning.next_version(row.version)
        session.flush()
    ensure_ready(session, row)
    if launching and repository.version(session, row.id, row.version) is not None:
        row.version = versioning.next_version(row.version)
        session.flush()
    versioning.freeze(session, row, effective_from=start, actor=actor)


def ensure_ready(session: Session, row: ProductOffering) -> readiness.Report:
    """409 ``NOT_READY`` listing the failed checks unless the offering is ready."""
    report = readiness.readiness(session, row)
    if not report.ready:
        raise NotReady(
            f"productOffering '{row.id}' is not ready: " + "; ".join(report.reasons),
            field="lifecycleStatus",
            details={"reasons": report.reasons},
        )
    return report


# --------------------------------------------------------------------------- delete


def delete(session: Session, entity: Entity, ident: str, base_url: str) -> None:
    """Delete an entity that was never launched and that nothing references."""
    row = repository.get_row(session, entity.model, entity.name, ident, for_update=True)
    if row.lifecycle_status in (LAUNCHED, RETIRED):
        raise Conflict(
            f"{entity.name} '{ident}' is {row.lifecycle_status}; only entities in design or "
            "in test can be deleted (retire it instead)",
            code="ILLEGAL_STATE",
            field="lifecycleStatus",
        )
    users = _users_of(session, entity, ident)
    if users:
        raise Conflict(f"{entity.name} '{ident}' is referenced by {users[0]}", code="IN_USE")
    body = _document(entity, row, base_url)
    _publish(session, entity, "Delete", body)
    session.delete(row)
    session.flush()


def _users_of(session: Session, entity: Entity, ident: str) -> list[str]:
    def refs(values: Any) -> list[str]:
        return [str(r.get("id")) for r in values or [] if isinstance(r, dict)]

    out = []
    if entity is OFFERING:
        out += [f"bundle '{b}'" for b in repository.bundles_using(session, ident)]
    for offering in repository.all_rows(session, ProductOffering):
        if entity is PRICE and ident in refs(offering.product_offering_price):
            out.append(f"productOffering '{offering.id}'")
        if entity is SPECIFICATION and offering.product_spec_id == ident:
            out.append(f"productOffering '{offering.id}'")
        if entity is CATEGORY and ident in refs(offering.category):
            out.append(f"productOffering '{offering.id}'")
    return out


# --------------------------------------------------------------------------- versions


def withdraw_version(session: Session, offering_id: str, version: str, base_url: str) -> Written:
    """Withdraw a scheduled version before it takes effect; the offering goes
    back to the content of the version before it."""
    row = repository.get_row(
        session, ProductOffering, "productOffering", offering_id, for_update=True
    )
    rows = versioning.refresh_statuses(session, offering_id)
    target = next((v for v in rows if v.version == version), None)
    if target is None:
        raise ValidationFailed(
            f"productOffering '{offering_id}' has no version '{version}'", field="version"
        )
    if target.status != versioning.SCHEDULED:
        raise Conflict(
            f"version {version} is {target.status}; only a scheduled version can be withdrawn",
            code="ILLEGAL_STATE",
            field="version",
        )
    live = [v for v in rows if v.status != versioning.WITHDRAWN and v is not target]
    if not live or row.version != version:
        raise Conflict(
            f"version {version} is not the latest version of '{offering_id}'",
            code="ILLEGAL_STATE",
            field="version",
        )
    previous: OfferingVersion = live[-1]
    target.status = versioning.WITHDRAWN
    restore = {
        k: v
        for k, v in previous.document["productOffering"].items()
        if k not in OFFERING.resource.read_only
    }
    data = validate(ProductOfferingCreate, restore)
    _apply(OFFERING, row, data)
    row.version = previous.version
    row.last_update = _now()
    session.flush()
    body = _document(OFFERING, row, base_url)
    _publish(
        session,
        OFFERING,
        "AttributeValueChange",
        body,
        f"version {version} withdrawn; back to version {previous.version}",
    )
    return Written(row, body)


def readiness_report(session: Session, offering_id: str) -> readiness.Report:
    row = repository.get_row(session, ProductOffering, "productOffering", offering_id)
    return readiness.readiness(session, row)


def service_spec_ids(session: Session) -> list[str]:
    return [r.id for r in repository.all_rows(session, ServiceSpec)]
