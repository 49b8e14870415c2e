"""Helpers shared by imports, reconciliation and cutover: characteristics
checked against a spec, containment walks, and finding resources in scope.

eTOM 1.5.1 resource management (inventory data rules).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.kit.errors import NotFound
from openboss.kit.scope import Scope, apply_scope
from openboss.resource.inventory.models import Resource, ResourceSpec

CHUNK = 500

_TYPES = {"string", "integer", "number", "boolean"}


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _convert(value_type: str, raw: Any) -> Any:
    """``raw`` (text from a file, or already typed) as ``value_type``; ValueError if not."""
    if value_type == "integer":
        if isinstance(raw, bool):
            raise ValueError
        if isinstance(raw, int):
            return raw
        number = float(str(raw).strip())
        if not number.is_integer():
            raise ValueError
        return int(number)
    if value_type == "number":
        if isinstance(raw, bool):
            raise ValueError
        return raw if isinstance(raw, (int, float)) else float(str(raw).strip())
    if value_type == "boolean":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("true", "1", "yes", "y"):
            return True
        if text in ("false", "0", "no", "n"):
            return False
        raise ValueError
    return str(raw)


def check_characteristics(
    spec: ResourceSpec, raw: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """The TMF characteristic list for ``raw`` (name → value) under ``spec``,
    with defaults applied; and the problems as ``(field, reason)``."""
    defined = {c["name"]: c for c in spec.characteristics or []}
    problems: list[tuple[str, str]] = []
    out: list[dict[str, Any]] = []
    for name in raw:
        if name not in defined:
            problems.append((f"char.{name}", f"'{spec.id}' has no characteristic '{name}'"))
    for name, definition in defined.items():
        value_type = str(definition.get("valueType", "string"))
        if value_type not in _TYPES:
            value_type = "string"
        given = raw.get(name)
        if given is None or given == "":
            if "default" in definition and definition["default"] is not None:
                out.append({"name": name, "valueType": value_type, "value": definition["default"]})
            elif definition.get("required"):
                problems.append((f"char.{name}", f"characteristic '{name}' is required"))
            continue
        try:
            value = _convert(value_type, given)
        except ValueError:
            problems.append((f"char.{name}", f"'{given}' is not a {value_type}"))
            continue
        allowed = definition.get("allowedValues")
        if allowed and value not in allowed:
            shown = ", ".join(str(a) for a in allowed)
            problems.append((f"char.{name}", f"'{given}' is not one of {shown}"))
            continue
        low, high = definition.get("min"), definition.get("max")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if low is not None and value < low:
                problems.append((f"char.{name}", f"{value} is below the minimum {low}"))
                continue
            if high is not None and value > high:
                problems.append((f"char.{name}", f"{value} is above the maximum {high}"))
                continue
        out.append({"name": name, "valueType": value_type, "value": value})
    return out, problems


def descendants(session: Session, root_ids: Iterable[str]) -> list[Resource]:
    """Everything contained (at any depth) in the resources ``root_ids``."""
    found: list[Resource] = []
    frontier = list(dict.fromkeys(root_ids))
    seen = set(frontier)
    while frontier:
        level: list[Resource] = []
        for part in chunks(frontier):
            level.extend(
                session.scalars(
                    select(Resource).where(Resource.parent_id.in_(list(part))).order_by(Resource.id)
                )
            )
        frontier = [r.id for r in level if r.id not in seen]
        seen.update(frontier)
        found.extend(r for r in level if r.id in frontier)
    return found


def find_resource(
    session: Session, scope: Scope, ref: str, *, spec_id: str | None = None, what: str = "resource"
) -> Resource:
    """A resource by id, or by value (of ``spec_id`` when given); 404 when
    missing or out of scope."""
    stmt = apply_scope(select(Resource).where(Resource.id == ref), Resource, scope)
    row = session.scalars(stmt).first()
    if row is None:
        by_value = select(Resource).where(Resource.value == ref)
        if spec_id is not None:
            by_value = by_value.where(Resource.spec_id == spec_id)
        rows = list(session.scalars(apply_scope(by_value, Resource, scope).limit(2)))
        row = rows[0] if len(rows) == 1 else None
    if row is None or (spec_id is not None and row.spec_id != spec_id):
        raise NotFound(f"{what} '{ref}' not found")
    return row
