"""The fulfilment mapping over HTTP (服务映射 / 资源映射) — eTOM 1.1.1.1.

TMF620 has no resource for these, so they live under ``/api/catalog/v1``:

* ``/serviceSpecifications`` — CFS and RFS specifications (GET list with
  ``kind=``, GET one, PUT = create or replace);
* ``/resourceSpecifications`` — the resource specifications RFSs are realised
  by (GET list, GET one, PUT);
* ``/deliveryRules`` — per product specification × region × coverage type:
  delivery mode, BPMN process key and SLA (GET list with filters, POST =
  create or replace the rule of that key, DELETE).

Anyone signed in reads; marketing and manager (and admin) write. The YAML
import (``openboss catalog import``) writes the same tables.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Body, Depends, Query
from sqlalchemy import select
from starlette.responses import Response

from openboss.auth.deps import CurrentPrincipal, DbSession, ReadSession, current_principal
from openboss.auth.principal import Principal
from openboss.catalog import editing, mapping, repository
from openboss.catalog.models import DeliveryRule, ResourceSpec, ServiceSpec
from openboss.kit.errors import Forbidden, NotFound, ValidationFailed
from openboss.kit.tmf.http import json_response, no_content, validate

PREFIX = "/api/catalog/v1"
WRITERS = ("marketing", "manager")

router = APIRouter(
    prefix=PREFIX, dependencies=[Depends(current_principal)], tags=["catalog mapping"]
)


def _writer(principal: Principal) -> None:
    if not principal.has_role(*WRITERS):
        raise Forbidden(f"changing the catalog needs one of the roles: {', '.join(WRITERS)}")


def _json(value: Any, status: int = 200) -> Response:
    return json_response(orjson.dumps(value), status)


def _stamp(row: Any) -> str:
    return str(row.updated_at.isoformat().replace("+00:00", "Z"))


def service_spec_view(row: ServiceSpec) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "name": row.name,
        "description": row.description,
        "localizedName": row.localized_name,
        "rfs": list(row.rfs_ids or []),
        "resourceSpecs": list(row.resource_spec_ids or []),
        "lastUpdate": _stamp(row),
    }


def resource_spec_view(row: ResourceSpec) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "category": row.category,
        "description": row.description,
        "localizedName": row.localized_name,
        "lastUpdate": _stamp(row),
    }


def _same_id(path_id: str, body: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ValidationFailed("the body must be a JSON object", field="body")
    if body.get("id", path_id) != path_id:
        raise ValidationFailed("the body's id differs from the path's", field="id")
    return {**body, "id": path_id}


@router.get("/serviceSpecifications", summary="CFS and RFS specifications")
def list_service_specs(
    session: ReadSession,
    kind: Annotated[Literal["CFS", "RFS"] | None, Query(description="CFS or RFS.")] = None,
) -> Response:
    stmt = select(ServiceSpec).order_by(ServiceSpec.kind, ServiceSpec.id)
    if kind:
        stmt = stmt.where(ServiceSpec.kind == kind)
    return _json([service_spec_view(r) for r in session.scalars(stmt)])


@router.get("/serviceSpecifications/{spec_id}", summary="One CFS or RFS specification")
def get_service_spec(spec_id: str, session: ReadSession) -> Response:
    row = repository.find(session, ServiceSpec, spec_id)
    if row is None:
        raise NotFound(f"service specification '{spec_id}' not found")
    return _json(service_spec_view(row))


@router.put("/serviceSpecifications/{spec_id}", summary="Create or replace a CFS or RFS")
def put_service_spec(
    spec_id: str,
    session: DbSession,
    principal: CurrentPrincipal,
    body: Annotated[dict[str, Any], Body()],
) -> Response:
    _writer(principal)
    data = validate(mapping.ServiceSpecIn, _same_id(spec_id, body))
    return _json(service_spec_view(mapping.upsert_service_spec(session, data)))


@router.get("/resourceSpecifications", summary="Resource specifications of the mapping")
def list_resource_specs(session: ReadSession) -> Response:
    rows = session.scalars(select(ResourceSpec).order_by(ResourceSpec.id))
    return _json([resource_spec_view(r) for r in rows])


@router.get("/resourceSpecifications/{spec_id}", summary="One resource specification")
def get_resource_spec(spec_id: str, session: ReadSession) -> Response:
    row = repository.find(session, ResourceSpec, spec_id)
    if row is None:
        raise NotFound(f"resource specification '{spec_id}' not found")
    return _json(resource_spec_view(row))


@router.put("/resourceSpecifications/{spec_id}", summary="Create or replace a resource spec")
def put_resource_spec(
    spec_id: str,
    session: DbSession,
    principal: CurrentPrincipal,
    body: Annotated[dict[str, Any], Body()],
) -> Response:
    _writer(principal)
    data = validate(mapping.ResourceSpecIn, _same_id(spec_id, body))
    return _json(resource_spec_view(mapping.upsert_resource_spec(session, data)))


@router.get("/deliveryRules", summary="Delivery rules (delivery mode, process, SLA)")
def list_rules(
    session: ReadSession,
    product_specification: Annotated[
        str | None, Query(alias="productSpecification", description="Product spec id.")
    ] = None,
    region_id: Annotated[str | None, Query(alias="regionId", description="Region or *.")] = None,
    coverage_type: Annotated[
        str | None, Query(alias="coverageType", description="ownFtth, partnerCable, …")
    ] = None,
) -> Response:
    stmt = select(DeliveryRule).order_by(
        DeliveryRule.product_spec_id, DeliveryRule.coverage_type, DeliveryRule.region_id
    )
    if product_specification:
        stmt = stmt.where(DeliveryRule.product_spec_id == product_specification)
    if region_id:
        stmt = stmt.where(DeliveryRule.region_id == region_id)
    if coverage_type:
        if coverage_type not in mapping.COVERAGE_TYPES:
            raise ValidationFailed(
                f"coverageType must be one of {', '.join(mapping.COVERAGE_TYPES)}",
                field="coverageType",
            )
        stmt = stmt.where(DeliveryRule.coverage_type == coverage_type)
    return _json([editing.rule_view(r) for r in session.scalars(stmt)])


@router.post(
    "/deliveryRules",
    summary="Create or replace the rule of (productSpecification, regionId, coverageType)",
)
def post_rule(
    session: DbSession,
    principal: CurrentPrincipal,
    body: Annotated[dict[str, Any], Body()],
) -> Response:
    _writer(principal)
    return _json(editing.rule_view(editing.upsert_rule(session, body)))


@router.delete("/deliveryRules/{rule_id}", status_code=204, summary="Remove a delivery rule")
def delete_rule(rule_id: str, session: DbSession, principal: CurrentPrincipal) -> Response:
    _writer(principal)
    editing.delete_rule(session, rule_id)
    return no_content()
