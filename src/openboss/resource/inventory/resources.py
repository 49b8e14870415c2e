"""TMF639 resources: create, read, merge-patch, delete (eTOM 1.5.1 resource
management: 1.5.1.x manage resource inventory).

Every read applies the caller's row scope (a partner sees only its own
network; a regional user the central rows and its regions' rows); out of
scope is 404. A new resource is checked against its type: characteristics
(:func:`specs.validate_characteristics`), containment
(:func:`specs.check_containment`), its building (through
:func:`openboss.kit.places.place_directory`; 400 naming ``place``) and its
owner (an active partner; 400 naming ``relatedParty``). Lifecycle moves
through PATCH ``lifecycleStatus`` follow :data:`lifecycle.TRANSITIONS`
(409); ``reserved``/``allocated`` are reached only through reservations.

Events: ``ResourceCreateEvent``, ``ResourceAttributeValueChangeEvent``,
``ResourceStateChangeEvent``, ``ResourceDeleteEvent``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session

from openboss.events import outbox
from openboss.kit.errors import Conflict, NotFound, ValidationFailed
from openboss.kit.ids import new_id
from openboss.kit.places import place_directory
from openboss.kit.scope import Scope, apply_scope, region_for_write
from openboss.kit.tmf.attributes import truncate_datetime
from openboss.kit.tmf.http import merge_patch, validate
from openboss.kit.tmf.listing import Page, fetch_document, list_page
from openboss.kit.tmf.query import ListQuery
from openboss.kit.tmf.resource import TmfResource
from openboss.resource.inventory import lifecycle, partners, specs
from openboss.resource.inventory.models import (
    LOGICAL_RESOURCE,
    PHYSICAL_RESOURCE,
    RESOURCE_BASE_PATH,
    RESOURCE_RESOURCE,
    Resource,
    ResourceSpec,
    ResourceTransfer,
    ResourceUsage,
)
from openboss.resource.inventory.schemas import ResourceCreate, ResourceUpdate

RESOURCE_CREATE = "ResourceCreateEvent"
RESOURCE_ATTRIBUTE_VALUE_CHANGE = "ResourceAttributeValueChangeEvent"
RESOURCE_STATE_CHANGE = lifecycle.RESOURCE_STATE_CHANGE
RESOURCE_DELETE = "ResourceDeleteEvent"

#: Lifecycle targets a PATCH may ask for; the others go through reservations.
PATCH_TARGETS = frozenset({"planned", "available", "retired"})

_BASE_TYPE = {
    "physicalResource": "PhysicalResource",
    "logicalResource": "LogicalResource",
}


@dataclass(frozen=True, slots=True)
class Written:
    id: str
    body: bytes


def _restrict(resource: TmfResource, scope: Scope) -> Any:
    c = Resource.__table__.c
    base_type = _BASE_TYPE.get(resource.name)

    def restrict(stmt: Select[Any]) -> Select[Any]:
        stmt = apply_scope(stmt, c, scope)
        if base_type is not None:
            stmt = stmt.where(c.base_type == base_type)
        return stmt

    return restrict


def list_resources(
    session: Session, resource: TmfResource, query: ListQuery, scope: Scope, base_url: str
) -> Page:
    return list_page(
        session, resource, query, base_url=base_url, restrict=_restrict(resource, scope)
    )


def resource_document(
    session: Session,
    resource: TmfResource,
    ident: str,
    scope: Scope,
    base_url: str,
    projection: dict[str, Any] | None = None,
) -> bytes:
    doc = fetch_document(
        session,
        resource,
        ident,
        base_url=base_url,
        restrict=_restrict(resource, scope),
        projection=projection,
    )
    if doc is None:
        raise NotFound(f"{resource.name} '{ident}' not found")
    return doc


def get_resource(
    session: Session, scope: Scope, ident: str, *, for_update: bool = False
) -> Resource:
    """The resource row (404 when missing or out of scope)."""
    stmt = apply_scope(select(Resource).where(Resource.id == ident), Resource, scope)
    if for_update and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = session.scalars(stmt).one_or_none()
    if row is None:
        raise NotFound(f"resource '{ident}' not found")
    return row


def document_of(resource: TmfResource, row: Resource, base_url: str) -> bytes:
    return resource.represent(row.id, row.doc, resource.href_prefix(base_url)).encode()


def publish(session: Session, event_type: str, rows: list[Resource]) -> None:
    """One event per resource, its representation as the body."""
    if not rows:
        return
    session.flush()
    for row in rows:
        body: dict[str, Any] = orjson.loads(row.doc)
        body["id"] = row.id
        body["href"] = RESOURCE_BASE_PATH + "/resource/" + row.id
        outbox.publish(
            session,
            event_type,
            "resource",
            body,
            api=RESOURCE_BASE_PATH,
            domain="resource",
            partner_id=row.partner_id,
            region_id=row.region_id,
        )


# --------------------------------------------------------------------------- helpers


def _site_id(session: Session, scope: Scope, place: Any) -> str | None:
    """The building named by ``place`` (one ref or a list; 400 naming ``place``)."""
    if place is None:
        return None
    refs = place if isinstance(place, list) else [place]
    if not refs:
        return None
    if len(refs) > 1:
        raise ValidationFailed("name one place (the building)", field="place")
    ref = refs[0]
    referred = ref.get("@referredType")
    if referred not in (None, "GeographicSite"):
        raise ValidationFailed("place must refer to a GeographicSite (a building)", field="place")
    site = place_directory().site(session, scope, ref["id"])
    if site is None:
        raise ValidationFailed(f"unknown building '{ref['id']}'", field="place")
    return site.id


def _owner(session: Session, scope: Scope, parties: Any) -> str | None:
    """The owner partner named in ``relatedParty`` (role ``owner``)."""
    owners = [p for p in parties or [] if (p.get("role") or "").lower() == "owner"]
    if len(owners) > 1:
        raise ValidationFailed("name one owner", field="relatedParty")
    if len(owners) < len(parties or []):
        raise ValidationFailed(
            "relatedParty carries the owner only (role 'owner')", field="relatedParty"
        )
    owner = owners[0]["id"] if owners else None
    if scope.partner_id is not None and owner not in (None, scope.partner_id):
        raise ValidationFailed("a partner manages only its own network", field="relatedParty")
    owner = owner or scope.partner_id
    if owner is not None:
        partners.require_owner(session, owner)
    return owner


def _relationships(
    session: Session, scope: Scope, items: list[dict[str, Any]] | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Stored relationships (v4 shape ``{relationshipType, id, href}``) and the
    parent named by an ``isContainedIn`` relationship."""
    out: list[dict[str, Any]] = []
    parent: str | None = None
    for item in items or []:
        ident = item.get("id") or (item.get("resource") or {}).get("id")
        kind = item["relationshipType"]
        if not ident:
            raise ValidationFailed(
                f"relationship '{kind}' needs the id of the related resource",
                field="resourceRelationship",
            )
        if kind == "isContainedIn":
            if parent is not None and parent != ident:
                raise ValidationFailed(
                    "one isContainedIn relationship at most", field="parentResource"
                )
            parent = ident
            continue
        out.append(
            {
                "relationshipType": kind,
                "id": ident,
                "href": RESOURCE_BASE_PATH + "/resource/" + ident,
            }
        )
    ids = list(dict.fromkeys(r["id"] for r in out))
    if ids:
        found = set(
            session.scalars(
                apply_scope(select(Resource.id).where(Resource.id.in_(ids)), Resource, scope)
            )
        )
        for ident in ids:
            if ident not in found:
                raise ValidationFailed(
                    f"related resource '{ident}' not found", field="resourceRelationship"
                )
    return out, parent


def _parent(
    session: Session, scope: Scope, spec: ResourceSpec, parent_id: str | None
) -> Resource | None:
    if parent_id is None:
        return None
    stmt = apply_scope(select(Resource).where(Resource.id == parent_id), Resource, scope)
    parent = session.scalars(stmt).one_or_none()
    if parent is None:
        raise ValidationFailed(f"parent resource '{parent_id}' not found", field="parentResource")
    specs.check_containment(spec, parent.spec_id)
    if parent.lifecycle_status == "retired":
        raise Conflict(f"parent resource '{parent_id}' is retired", field="parentResource")
    return parent


def _value_taken(session: Session, spec_id: str, value: str, but: str | None = None) -> None:
    stmt = select(Resource.id).where(Resource.spec_id == spec_id, Resource.value == value)
    if but is not None:
        stmt = stmt.where(Resource.id != but)
    other = session.scalar(stmt.limit(1))
    if other is not None:
        raise Conflict(
            f"a '{spec_id}' with value '{value}' already exists ('{other}')", field="value"
        )


def _ms(value: Any) -> Any:
    return truncate_datetime(value) if value is not None else None


# --------------------------------------------------------------------------- create


def create_resource(
    session: Session,
    scope: Scope,
    data: ResourceCreate,
    base_url: str,
    collection: TmfResource = RESOURCE_RESOURCE,
) -> Written:
    body = data.model_dump(by_alias=True, exclude_unset=True, mode="python")
    spec = specs.get_spec(
        session, data.resource_specification.id, field_name="resourceSpecification.id"
    )
    if spec.status != "active":
        raise ValidationFailed(
            f"resource specification '{spec.id}' is retired", field="resourceSpecification.id"
        )
    wanted_base = _BASE_TYPE.get(collection.name)
    if wanted_base is not None and spec.base_type != wanted_base:
        raise ValidationFailed(
            f"'{spec.id}' is a {spec.base_type}, not a {wanted_base}",
            field="resourceSpecification.id",
        )
    if data.type_ not in (None, "Resource", spec.base_type):
        raise ValidationFailed(f"@type of a '{spec.id}' is {spec.base_type}", field="@type")
    characteristics = specs.validate_characteristics(spec, body.get("resourceCharacteristic"))
    relationships, contained_in = _relationships(session, scope, body.get("resourceRelationship"))
    parent_id = data.parent_resource.id if data.parent_resource else None
    if contained_in is not None and parent_id not in (None, contained_in):
        raise ValidationFailed(
            "parentResource and the isContainedIn relationship differ", field="parentResource"
        )
    parent = _parent(session, scope, spec, parent_id or contained_in)
    site_id = _site_id(session, scope, body.get("place"))
    if site_id is None and parent is not None:
        site_id = parent.site_id
    owner = _owner(session, scope, body.get("relatedParty"))
    terms: str | None = data.ownership_terms
    if owner is None:
        if terms not in (None, "own"):
            raise ValidationFailed(
                "the operator's own resources are used on 'own' terms", field="ownershipTerms"
            )
        terms = "own"
    elif terms is None:
        terms = partners.require_owner(session, owner).default_terms
    region = data.region_id
    if site_id is not None:
        site = place_directory().site(session, scope, site_id)
        region = site.region_id if site is not None else region
    elif parent is not None and region is None:
        region = parent.region_id
    region = region_for_write(scope, region)
    status = data.lifecycle_status or "available"
    if status not in ("planned", "available"):
        raise ValidationFailed("a new resource is planned or available", field="lifecycleStatus")
    if data.value is not None:
        _value_taken(session, spec.id, data.value)
    at = lifecycle.now()
    row = Resource(
        id=new_id(),
        spec_id=spec.id,
        base_type=spec.base_type,
        category=data.category or spec.category,
        name=data.name,
        value=data.value,
        description=data.description,
        parent_id=parent.id if parent else None,
        site_id=site_id,
        region_id=region,
        partner_id=owner,
        ownership_terms=terms,
        grade=data.grade,
        capacity=data.capacity,
        characteristics=characteristics,
        relationships=relationships or None,
        start_operating_date=_ms(data.start_operating_date),
        end_operating_date=_ms(data.end_operating_date),
        created_at=at,
        updated_at=at,
        **lifecycle.initial_states(status),
    )
    if data.operational_state is not None:
        row.operational_state = data.operational_state
    session.add(row)
    session.flush()
    publish(session, RESOURCE_CREATE, [row])
    if status == "available":
        lifecycle.notify_capacity(session, [site_id])
    return Written(row.id, document_of(collection, row, base_url))


# --------------------------------------------------------------------------- patch


def _view(row: Resource) -> dict[str, Any]:
    doc: dict[str, Any] = orjson.loads(row.doc)
    view: dict[str, Any] = {
        k: doc[k]
        for k in (
            "name",
            "description",
            "category",
            "value",
            "lifecycleStatus",
            "operationalState",
            "ownershipTerms",
            "grade",
            "capacity",
            "resourceCharacteristic",
            "place",
            "relatedParty",
            "startOperatingDate",
            "endOperatingDate",
        )
        if k in doc
    }
    if row.relationships:
        view["resourceRelationship"] = list(row.relationships)
    return view


def update_resource(
    session: Session,
    scope: Scope,
    ident: str,
    patch: dict[str, Any],
    base_url: str,
    collection: TmfResource = RESOURCE_RESOURCE,
) -> Written:
    row = get_resource(session, scope, ident, for_update=True)
    wanted_base = _BASE_TYPE.get(collection.name)
    if wanted_base is not None and row.base_type != wanted_base:
        raise NotFound(f"{collection.name} '{ident}' not found")
    current = _view(row)
    merged = merge_patch(current, patch)
    data = validate(ResourceUpdate, merged)
    spec = specs.get_spec(session, row.spec_id)
    old_site, old_status = row.site_id, row.lifecycle_status
    if data.name is None:
        raise ValidationFailed("name cannot be removed", field="name")
    row.name = data.name
    row.description = data.description
    row.category = data.category or spec.category
    if data.value != row.value:
        if data.value is not None:
            _value_taken(session, spec.id, data.value, but=row.id)
        row.value = data.value
    row.grade = data.grade
    row.capacity = data.capacity
    if "resourceCharacteristic" in patch:
        row.characteristics = specs.validate_characteristics(
            spec, merged.get("resourceCharacteristic")
        )
    if "resourceRelationship" in patch:
        rels, contained_in = _relationships(session, scope, merged.get("resourceRelationship"))
        if contained_in not in (None, row.parent_id):
            raise ValidationFailed(
                "containment changes through a transfer (/api/resource/v1/transfers)",
                field="parentResource",
            )
        row.relationships = rels or None
    if "place" in patch:
        row.site_id = _site_id(session, scope, merged.get("place"))
        if row.site_id is not None:
            site = place_directory().site(session, scope, row.site_id)
            if site is not None:
                row.region_id = region_for_write(scope, site.region_id)
    if "relatedParty" in patch:
        row.partner_id = _owner(session, scope, merged.get("relatedParty"))
        if row.partner_id is None:
            row.ownership_terms = "own"
    if data.ownership_terms is not None:
        if row.partner_id is None and data.ownership_terms != "own":
            raise ValidationFailed(
                "the operator's own resources are used on 'own' terms", field="ownershipTerms"
            )
        row.ownership_terms = data.ownership_terms
    row.operational_state = data.operational_state or "enable"
    row.start_operating_date = _ms(data.start_operating_date)
    row.end_operating_date = _ms(data.end_operating_date)
    target = data.lifecycle_status or row.lifecycle_status
    if target != row.lifecycle_status:
        if target not in PATCH_TARGETS or row.lifecycle_status in ("reserved", "allocated"):
            raise Conflict(
                f"resource '{row.id}' cannot go from {row.lifecycle_status} to {target} here:"
                " reservations, allocations and releases go through /api/resource/v1",
                field="lifecycleStatus",
            )
        lifecycle.set_lifecycle(row, target)
    if session.is_modified(row):
        row.updated_at = lifecycle.now()
    session.flush()
    if row.lifecycle_status != old_status:
        lifecycle.publish_state_change(session, [row])
    if _view(row) != current:
        publish(session, RESOURCE_ATTRIBUTE_VALUE_CHANGE, [row])
    if row.lifecycle_status != old_status or row.site_id != old_site:
        lifecycle.notify_capacity(session, [old_site, row.site_id])
    return Written(row.id, document_of(collection, row, base_url))


# --------------------------------------------------------------------------- delete


def delete_resource(
    session: Session, scope: Scope, ident: str, collection: TmfResource = RESOURCE_RESOURCE
) -> None:
    """Only a planned or retired resource with no usage history and nothing inside (409)."""
    row = get_resource(session, scope, ident, for_update=True)
    wanted_base = _BASE_TYPE.get(collection.name)
    if wanted_base is not None and row.base_type != wanted_base:
        raise NotFound(f"{collection.name} '{ident}' not found")
    if row.lifecycle_status not in ("planned", "retired"):
        raise Conflict(
            f"resource '{ident}' is {row.lifecycle_status}: only planned or retired"
            " resources can be deleted"
        )
    if session.scalar(select(exists().where(ResourceUsage.resource_id == ident))):
        raise Conflict(f"resource '{ident}' has a usage history; retire it instead")
    if session.scalar(select(exists().where(Resource.parent_id == ident))):
        raise Conflict(f"resource '{ident}' contains other resources")
    if session.scalar(select(exists().where(ResourceTransfer.resource_id == ident))):
        raise Conflict(f"resource '{ident}' has transfer records; retire it instead")
    publish(session, RESOURCE_DELETE, [row])
    session.delete(row)
    session.flush()


def count_children(session: Session, ident: str) -> int:
    return int(session.scalar(select(func.count()).where(Resource.parent_id == ident)) or 0)


__all__ = [
    "LOGICAL_RESOURCE",
    "PHYSICAL_RESOURCE",
    "RESOURCE_RESOURCE",
    "Written",
    "create_resource",
    "delete_resource",
    "get_resource",
    "list_resources",
    "resource_document",
    "update_resource",
]


# --------------------------------------------------------------------------- console search


def search_resources(
    session: Session,
    scope: Scope,
    *,
    text: str | None = None,
    spec_id: str | None = None,
    status: str | None = None,
    site_id: str | None = None,
    owner: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Resource], int]:
    """Resources matching a value/name fragment and filters, one page and the total."""
    stmt: Any = apply_scope(select(Resource), Resource, scope)
    if text:
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            Resource.name.ilike(like, escape="\\")
            | Resource.value.ilike(like, escape="\\")
            | (Resource.id == text)
        )
    if spec_id:
        stmt = stmt.where(Resource.spec_id == spec_id)
    if status:
        stmt = stmt.where(Resource.lifecycle_status == status)
    if site_id:
        stmt = stmt.where(Resource.site_id == site_id)
    if owner == "own":
        stmt = stmt.where(Resource.partner_id.is_(None))
    elif owner:
        stmt = stmt.where(Resource.partner_id == owner)
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = list(
        session.scalars(
            stmt.order_by(Resource.spec_id, Resource.name, Resource.id).offset(offset).limit(limit)
        )
    )
    return rows, total


def parent_chain(session: Session, scope: Scope, row: Resource, depth: int = 12) -> list[Resource]:
    """The containers of a resource, outermost first (stops at what the caller cannot see)."""
    chain: list[Resource] = []
    current = row.parent_id
    seen: set[str] = set()
    while current is not None and depth > 0 and current not in seen:
        seen.add(current)
        parent = session.scalars(
            apply_scope(select(Resource).where(Resource.id == current), Resource, scope)
        ).one_or_none()
        if parent is None:
            break
        chain.append(parent)
        current = parent.parent_id
        depth -= 1
    return list(reversed(chain))


def change_lifecycle(session: Session, scope: Scope, ident: str, target: str) -> Resource:
    """Make available or retire a resource (the console's actions; TRANSITIONS → 409)."""
    if target not in PATCH_TARGETS:
        raise ValidationFailed(
            f"'{target}' is not a lifecycle action here", field="lifecycleStatus"
        )
    row = get_resource(session, scope, ident, for_update=True)
    if row.lifecycle_status in ("reserved", "allocated"):
        raise Conflict(
            f"resource '{ident}' is {row.lifecycle_status}: release it first",
            field="lifecycleStatus",
        )
    before = row.lifecycle_status
    lifecycle.set_lifecycle(row, target)
    if row.lifecycle_status != before:
        lifecycle.publish_state_change(session, [row])
        lifecycle.notify_capacity(session, [row.site_id])
    return row
