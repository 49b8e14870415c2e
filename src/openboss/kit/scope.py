"""Row scoping by region and partner — the one place it is applied.

A :class:`Scope` says which rows a caller may see: all regions or a set of
them, and (for partner users and partner systems) only the rows of their own
partner. Tables opt in with :class:`RegionScoped` / :class:`PartnerScoped`;
every repository passes its statements through :func:`apply_scope`, and
:func:`check_in_scope` guards single rows and writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, String, or_
from sqlalchemy.orm import Mapped, mapped_column

from openboss.kit.errors import Forbidden, NotFound, ValidationFailed

S = TypeVar("S", bound=Select[Any])


@dataclass(frozen=True, slots=True)
class Scope:
    """What a caller may see. ``regions=None`` means every region."""

    regions: frozenset[str] | None = None
    partner_id: str | None = None

    @property
    def unrestricted(self) -> bool:
        return self.regions is None and self.partner_id is None


#: The scope of system code (worker jobs, migrations, demo loader).
SYSTEM_SCOPE = Scope()


class RegionScoped:
    """Mixin: the row belongs to a region (NULL = central data, visible to all)."""

    region_id: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)


class PartnerScoped:
    """Mixin: the row belongs to a partner (NULL = the operator's own)."""

    partner_id: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)


def apply_scope(stmt: S, entity: Any, scope: Scope) -> S:
    """Restrict ``stmt`` over ``entity`` to the rows ``scope`` may see."""
    if scope.regions is not None and hasattr(entity, "region_id"):
        stmt = stmt.where(or_(entity.region_id.is_(None), entity.region_id.in_(scope.regions)))
    if scope.partner_id is not None and hasattr(entity, "partner_id"):
        stmt = stmt.where(entity.partner_id == scope.partner_id)
    return stmt


def row_in_scope(row: Any, scope: Scope) -> bool:
    if scope.regions is not None:
        region = getattr(row, "region_id", None)
        if region is not None and region not in scope.regions:
            return False
    if scope.partner_id is not None and hasattr(row, "partner_id"):
        return bool(row.partner_id == scope.partner_id)
    return True


def check_in_scope(row: Any, scope: Scope, what: str, ident: str) -> None:
    """A row outside the caller's scope does not exist for them (404, not 403:
    no probing of other regions' or partners' ids)."""
    if not row_in_scope(row, scope):
        raise NotFound(f"{what} '{ident}' not found")


def region_for_write(scope: Scope, requested: str | None, *, field: str = "regionId") -> str | None:
    """The region a new row goes to: ``requested`` when the caller may write there.

    An unrestricted caller may name any region (or none: central data). A
    regional caller writes only inside their scope (403 otherwise); without a
    ``requested`` region, their only region is used, and a caller working in
    several regions must say which (400).
    """
    if scope.regions is None:
        return requested
    if not scope.regions:
        raise Forbidden("you are not assigned to any region", field=field)
    if requested is None:
        if len(scope.regions) == 1:
            return next(iter(scope.regions))
        raise ValidationFailed(f"{field} is required: you work in several regions", field=field)
    if requested not in scope.regions:
        raise Forbidden(f"region '{requested}' is outside your scope", field=field)
    return requested
