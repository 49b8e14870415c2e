"""Region administration API (地域管理) at ``/api/party/v1/regions``.

Every signed-in caller may read the tree (screens show region names);
administrators create, rename, reorder, retire and reactivate regions. Not a
TM Forum API: TMF has no resource for an operator's internal region tree.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from openboss.auth.deps import DbSession, ReadSession, current_principal, require_roles
from openboss.kit.tmf.schemas import Text, TmfModel
from openboss.party.region import service
from openboss.party.region.service import RegionInfo

router = APIRouter(
    prefix="/api/party/v1/regions",
    tags=["regions"],
    dependencies=[Depends(current_principal)],
    responses={
        400: {"description": "Bad Request (names the field)"},
        401: {"description": "Unauthorized"},
        403: {"description": "Forbidden"},
        404: {"description": "Not Found"},
        409: {"description": "Conflict (duplicate id, region still in use)"},
    },
)

Level = Literal["province", "city", "district", "grid"]


class RegionOut(TmfModel):
    """A node of the region tree."""

    id: str = Field(description="Region code, e.g. 330106 or 330106-G01.")
    parent_id: str | None = Field(None, description="The region above; null for a province.")
    level: str = Field(description="province, city, district or grid.")
    name: str = Field(description="Name (Chinese).")
    name_en: str | None = Field(None, description="Name in English.")
    status: str = Field(description="active or retired.")
    sort_order: int = Field(description="Position among its siblings.")

    @classmethod
    def of(cls, info: RegionInfo) -> RegionOut:
        return cls(
            id=info.id,
            parent_id=info.parent_id,
            level=info.level,
            name=info.name,
            name_en=info.name_en,
            status=info.status,
            sort_order=info.sort_order,
        )


class RegionCreate(TmfModel):
    """A new region below an existing one (a province has no parent)."""

    id: Text = Field(description="Region code, unique.", min_length=2, max_length=64)
    parent_id: Text | None = Field(None, description="The region above.", max_length=64)
    level: Level = Field(description="Exactly one level below the parent's.")
    name: Text = Field(description="Name (Chinese).", min_length=1, max_length=128)
    name_en: Text | None = Field(None, description="Name in English.", max_length=128)
    sort_order: int = Field(0, description="Position among its siblings.", ge=0, le=1_000_000)


class RegionUpdate(TmfModel):
    """Rename, reorder, retire or reactivate."""

    name: Text | None = Field(None, min_length=1, max_length=128)
    name_en: Text | None = Field(None, max_length=128)
    sort_order: int | None = Field(None, ge=0, le=1_000_000)
    status: Literal["active", "retired"] | None = None


@router.get(
    "", response_model=list[RegionOut], response_model_exclude_none=True, summary="List regions"
)
def list_regions(
    session: ReadSession,
    parent_id: Annotated[
        str | None, Query(alias="parentId", max_length=64, description="Children of this region.")
    ] = None,
    level: Annotated[Level | None, Query(description="Only this level.")] = None,
    include_retired: Annotated[
        bool, Query(alias="includeRetired", description="Also retired regions.")
    ] = False,
) -> list[RegionOut]:
    regions = service.list_regions(
        session, parent_id=parent_id, level=level, include_retired=include_retired
    )
    return [RegionOut.of(r) for r in regions]


@router.get(
    "/{region_id}",
    response_model=RegionOut,
    response_model_exclude_none=True,
    summary="Retrieve a region",
)
def get_region(region_id: str, session: ReadSession) -> RegionOut:
    return RegionOut.of(service.get_region(session, region_id))


@router.get(
    "/{region_id}/path",
    response_model=list[RegionOut],
    response_model_exclude_none=True,
    summary="A region and its ancestors",
)
def get_region_path(region_id: str, session: ReadSession) -> list[RegionOut]:
    return [RegionOut.of(r) for r in service.region_path(session, region_id)]


@router.post(
    "",
    status_code=201,
    response_model=RegionOut,
    response_model_exclude_none=True,
    summary="Create a region",
    dependencies=[Depends(require_roles("admin"))],
)
def create_region(body: RegionCreate, session: DbSession) -> RegionOut:
    info = service.create_region(
        session,
        id=body.id,
        parent_id=body.parent_id,
        level=body.level,
        name=body.name,
        name_en=body.name_en,
        sort_order=body.sort_order,
    )
    return RegionOut.of(info)


@router.patch(
    "/{region_id}",
    response_model=RegionOut,
    response_model_exclude_none=True,
    summary="Change a region",
    dependencies=[Depends(require_roles("admin"))],
)
def update_region(region_id: str, body: RegionUpdate, session: DbSession) -> RegionOut:
    info = service.update_region(
        session,
        region_id,
        name=body.name,
        name_en=body.name_en,
        sort_order=body.sort_order,
        status=body.status,
    )
    return RegionOut.of(info)
