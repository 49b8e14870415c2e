"""Console: region administration (地域管理) — the province → city → district → grid tree.

Managers and administrators see the tree; administrators add a region below
any node (the level follows from the parent's), rename it and retire or
reactivate it, through :mod:`openboss.party.region.service`. Rule violations
come back inline next to the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from openboss.auth.deps import DbSession
from openboss.auth.principal import Principal
from openboss.kit.errors import AppError
from openboss.party.region import service
from openboss.party.region.service import RegionInfo
from openboss.web import csrf, nav
from openboss.web.i18n import N_
from openboss.web.shell import ConsoleRoute, console_roles, gettext, redirect, render

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False, tags=["console"])

REGIONS_URL: Final = "/console/party/regions"
READ_ROLES: Final[tuple[str, ...]] = ("admin", "manager")
WRITE_ROLES: Final[tuple[str, ...]] = ("admin",)

LEVEL_LABELS: Final[dict[str, str]] = {
    "province": N_("Province"),
    "city": N_("City"),
    "district": N_("District"),
    "grid": N_("Grid"),
}

nav.register(
    N_("Administration"), N_("Regions"), REGIONS_URL, roles=READ_ROLES, icon="diagram-3", order=5
)

Reader = Annotated[Principal, Depends(console_roles(*READ_ROLES))]
Writer = Annotated[Principal, Depends(console_roles(*WRITE_ROLES))]


@dataclass
class Node:
    """A region and its children, for the tree."""

    region: RegionInfo
    children: list[Node] = field(default_factory=list)


def _tree(regions: list[RegionInfo]) -> list[Node]:
    nodes = {r.id: Node(r) for r in regions}
    roots: list[Node] = []
    for node in nodes.values():
        parent = nodes.get(node.region.parent_id) if node.region.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


@dataclass
class RegionForm:
    parent_id: str = ""
    id: str = ""
    name: str = ""
    name_en: str = ""


def _page(
    request: Request,
    session: DbSession,
    principal: Principal,
    *,
    form: RegionForm | None = None,
    errors: dict[str, str] | None = None,
    done: str | None = None,
    status: int = 200,
) -> Response:
    regions = service.list_regions(session, include_retired=True)
    context: dict[str, Any] = {
        "roots": _tree(regions),
        "regions": regions,
        "level_labels": LEVEL_LABELS,
        "can_write": principal.has_role(*WRITE_ROLES),
        "form": form or RegionForm(),
        "errors": errors or {},
        "done": done,
        "count": len(regions),
    }
    return render(
        request, "party/regions/regions.html", context, status=status, principal=principal
    )


@router.get(REGIONS_URL, name="console_regions")
def regions_page(request: Request, principal: Reader, session: DbSession) -> Response:
    """The region tree."""
    return _page(request, session, principal)


_FIELDS: Final[dict[str, str]] = {
    "parentId": "parent_id",
    "id": "id",
    "name": "name",
    "nameEn": "name_en",
    "level": "parent_id",
}


@router.post(REGIONS_URL, name="console_create_region")
def create_region(
    request: Request,
    principal: Writer,
    session: DbSession,
    parent_id: Annotated[str, Form()] = "",
    id: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    name_en: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Add a region below ``parent_id`` (a province when none); its level follows."""
    csrf.verify(request, csrf_token, principal.subject)
    _ = gettext(request)
    form = RegionForm(parent_id.strip(), id.strip(), name.strip(), name_en.strip())
    levels = ("province", "city", "district", "grid")
    level = "province"
    errors: dict[str, str] = {}
    if form.parent_id:
        try:
            parent = service.get_region(session, form.parent_id)
        except AppError:
            errors["parent_id"] = _("Choose an existing region.")
        else:
            if parent.level == "grid":
                errors["parent_id"] = _("A grid cannot have regions below it.")
            else:
                level = levels[levels.index(parent.level) + 1]
    if not errors:
        try:
            service.create_region(
                session,
                id=form.id,
                parent_id=form.parent_id or None,
                level=level,
                name=form.name,
                name_en=form.name_en or None,
            )
        except AppError as exc:
            session.rollback()
            key = _FIELDS.get(exc.field or "", "form")
            errors[key] = (
                _("A region with this code already exists.") if exc.status == 409 else exc.message
            )
            return _page(request, session, principal, form=form, errors=errors, status=exc.status)
        session.commit()
        return redirect(request, REGIONS_URL + "?created=" + form.id)
    return _page(request, session, principal, form=form, errors=errors, status=400)


@router.post(REGIONS_URL + "/{region_id}/status", name="console_region_status")
def change_status(
    request: Request,
    region_id: str,
    principal: Writer,
    session: DbSession,
    status: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Retire or reactivate a region (a region with active children stays active: 409)."""
    csrf.verify(request, csrf_token, principal.subject)
    try:
        service.update_region(session, region_id, status=status)
    except AppError as exc:
        session.rollback()
        return _page(request, session, principal, errors={"tree": exc.message}, status=exc.status)
    session.commit()
    return redirect(request, REGIONS_URL)
