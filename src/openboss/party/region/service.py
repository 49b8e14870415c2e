"""Region administration (地域管理): the province → city → district → grid tree.

Other domains call :func:`require_region` to validate the region a row is
written to and :func:`region_path` to show where it is. Writes invalidate the
in-process tree used to expand region grants (:mod:`openboss.party.region.tree`).
Services never commit: the request owns the transaction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from openboss.kit.clock import utcnow
from openboss.kit.errors import Conflict, NotFound, ValidationFailed
from openboss.party.region import tree
from openboss.party.region.models import LEVELS, Region

#: A region id: letters, digits and ``-``/``_``/``.``, 2-64 characters.
_ID: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{1,63}$")


@dataclass(frozen=True, slots=True)
class RegionInfo:
    """A region as other domains see it."""

    id: str
    parent_id: str | None
    level: str
    name: str
    name_en: str | None
    status: str = "active"
    sort_order: int = 0

    def label(self, locale: str | None = None) -> str:
        """The name in the reader's language (Chinese unless ``en`` and known)."""
        if locale == "en" and self.name_en:
            return self.name_en
        return self.name


def _info(row: Region) -> RegionInfo:
    return RegionInfo(
        id=row.id,
        parent_id=row.parent_id,
        level=row.level,
        name=row.name,
        name_en=row.name_en,
        status=row.status,
        sort_order=row.sort_order,
    )


def _invalidate_after_commit(session: Session) -> None:
    if not session.info.get("region_tree_dirty"):
        session.info["region_tree_dirty"] = True

        def _after(_session: Session) -> None:
            _session.info.pop("region_tree_dirty", None)
            tree.invalidate()

        event.listen(session, "after_commit", _after, once=True)
        event.listen(
            session,
            "after_rollback",
            lambda s: s.info.pop("region_tree_dirty", None),
            once=True,
        )


def _clean_name(value: str | None, field: str, *, required: bool) -> str | None:
    if value is None or not value.strip():
        if required:
            raise ValidationFailed(f"{field} is required", field=field)
        return None
    value = value.strip()
    if len(value) > 128 or "\x00" in value:
        raise ValidationFailed(f"{field} is longer than 128 characters or not text", field=field)
    return value


def get_region(session: Session, region_id: str) -> RegionInfo:
    """One region (404 when unknown)."""
    row = session.get(Region, region_id)
    if row is None:
        raise NotFound(f"region '{region_id}' not found")
    return _info(row)


def require_region(session: Session, region_id: str, *, field: str = "regionId") -> RegionInfo:
    """The region a row is written to: 400 naming ``field`` when unknown or retired."""
    row = session.get(Region, region_id) if isinstance(region_id, str) else None
    if row is None:
        raise ValidationFailed(f"unknown region '{region_id}'", field=field)
    if row.status != "active":
        raise ValidationFailed(f"region '{region_id}' is retired", field=field)
    return _info(row)


def region_path(session: Session, region_id: str) -> list[RegionInfo]:
    """The region and its ancestors, root first (404 when unknown)."""
    path: list[RegionInfo] = []
    current: str | None = region_id
    while current is not None and len(path) < len(LEVELS) + 1:
        row = session.get(Region, current)
        if row is None:
            if not path:
                raise NotFound(f"region '{region_id}' not found")
            break
        path.append(_info(row))
        current = row.parent_id
    path.reverse()
    return path


def list_regions(
    session: Session,
    *,
    parent_id: str | None = None,
    level: str | None = None,
    include_retired: bool = False,
) -> list[RegionInfo]:
    """Regions, optionally the children of one parent or of one level, in display order."""
    stmt = select(Region)
    if parent_id is not None:
        stmt = stmt.where(Region.parent_id == parent_id)
    if level is not None:
        if level not in LEVELS:
            raise ValidationFailed(f"level must be one of {', '.join(LEVELS)}", field="level")
        stmt = stmt.where(Region.level == level)
    if not include_retired:
        stmt = stmt.where(Region.status == "active")
    stmt = stmt.order_by(Region.sort_order, Region.id)
    return [_info(r) for r in session.scalars(stmt)]


def descendants(session: Session, region_ids: Sequence[str]) -> frozenset[str]:
    """The regions and every region below them."""
    children: dict[str, list[str]] = {}
    for ident, parent in session.execute(select(Region.id, Region.parent_id)):
        if parent is not None:
            children.setdefault(parent, []).append(ident)
    return tree.descendants_of(children, region_ids)


def count_regions(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Region)) or 0)


def create_region(
    session: Session,
    *,
    id: str,
    parent_id: str | None,
    level: str,
    name: str,
    name_en: str | None = None,
    sort_order: int = 0,
) -> RegionInfo:
    """Add a region below ``parent_id`` (a province has no parent).

    The level must be the one right below the parent's (400); the id must be
    new (409).
    """
    if not isinstance(id, str) or not _ID.match(id):
        raise ValidationFailed(
            "id must be 2-64 letters, digits, '-', '_' or '.', starting with a letter or digit",
            field="id",
        )
    if level not in LEVELS:
        raise ValidationFailed(f"level must be one of {', '.join(LEVELS)}", field="level")
    clean_name = _clean_name(name, "name", required=True)
    clean_en = _clean_name(name_en, "nameEn", required=False)
    if parent_id is None:
        if level != LEVELS[0]:
            raise ValidationFailed(f"a {level} needs a parent region", field="parentId")
    else:
        parent = session.get(Region, parent_id)
        if parent is None:
            raise ValidationFailed(f"unknown parent region '{parent_id}'", field="parentId")
        if parent.status != "active":
            raise ValidationFailed(f"parent region '{parent_id}' is retired", field="parentId")
        expected = LEVELS[LEVELS.index(parent.level) + 1] if parent.level != LEVELS[-1] else None
        if expected is None:
            raise ValidationFailed("a grid cannot have child regions", field="parentId")
        if level != expected:
            raise ValidationFailed(
                f"below a {parent.level} comes a {expected}, not a {level}", field="level"
            )
    if session.get(Region, id) is not None:
        raise Conflict(f"region '{id}' already exists", code="DUPLICATE_REGION", field="id")
    now = utcnow()
    row = Region(
        id=id,
        parent_id=parent_id,
        level=level,
        name=clean_name,
        name_en=clean_en,
        status="active",
        sort_order=sort_order,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    _invalidate_after_commit(session)
    return _info(row)


def update_region(
    session: Session,
    region_id: str,
    *,
    name: str | None = None,
    name_en: str | None = None,
    sort_order: int | None = None,
    status: str | None = None,
) -> RegionInfo:
    """Rename, reorder, retire or reactivate a region.

    A region with active children cannot be retired (409): retire the leaves
    first. Moving a region to another parent is not offered: ids encode the
    division, so a move is a new region.
    """
    row = session.get(Region, region_id, with_for_update=True)
    if row is None:
        raise NotFound(f"region '{region_id}' not found")
    if name is not None:
        row.name = _clean_name(name, "name", required=True) or row.name
    if name_en is not None:
        row.name_en = _clean_name(name_en, "nameEn", required=False)
    if sort_order is not None:
        row.sort_order = sort_order
    if status is not None and status != row.status:
        if status not in ("active", "retired"):
            raise ValidationFailed("status must be active or retired", field="status")
        if status == "retired":
            active_children = session.scalar(
                select(func.count())
                .select_from(Region)
                .where(Region.parent_id == region_id, Region.status == "active")
            )
            if active_children:
                raise Conflict(
                    f"region '{region_id}' has {active_children} active child region(s); "
                    "retire them first",
                    code="REGION_IN_USE",
                    field="status",
                )
        else:
            parent = session.get(Region, row.parent_id) if row.parent_id else None
            if parent is not None and parent.status != "active":
                raise Conflict(
                    f"parent region '{parent.id}' is retired", code="PARENT_RETIRED", field="status"
                )
        row.status = status
    row.updated_at = utcnow()
    session.flush()
    _invalidate_after_commit(session)
    return _info(row)
