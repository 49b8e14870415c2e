"""Resource types, configured not coded (eTOM 1.5.1 resource management:
resource specification and inventory rules).

A resource type is a ``resource_spec`` row: its base type (physical or
logical), category, typed characteristics (``valueType`` string, integer,
number or boolean; ``required``; ``allowedValues``; ``min``/``max``;
``default``), the specs a resource of the type may be contained in
(``parent_specs``) and the quarantine a released resource of the type rests
before it is available again. The types OpenBOSS ships with are seeded by
:func:`ensure_builtin_specs` (idempotent); operators add their own through
``/api/resource/v1/resourceSpecifications``. A built-in type's id, base
type and containment are used by code and cannot change (409).

:func:`validate_characteristics` checks a resource's characteristics
against its type (400 naming ``resourceCharacteristic.<name>``);
:func:`check_containment` checks that a parent may contain it (400 naming
``parentResource``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.kit.clock import utcnow
from openboss.kit.errors import Conflict, NotFound, ValidationFailed
from openboss.kit.tmf.attributes import truncate_datetime
from openboss.resource.inventory.models import BASE_TYPES, SPEC_NAMES, ResourceSpec

VALUE_TYPES = ("string", "integer", "number", "boolean", "object")
_SPEC_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class BuiltinSpec:
    id: str
    en: str
    zh: str
    base_type: str
    category: str
    parent_specs: tuple[str, ...] = ()
    characteristics: tuple[dict[str, Any], ...] = ()
    quarantine_days: int = 0
    description: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


P, L = "PhysicalResource", "LogicalResource"


def _c(name: str, value_type: str = "string", **kw: Any) -> dict[str, Any]:
    return {"name": name, "valueType": value_type, **kw}


#: The built-in resource types (their ids are used by code: keep them).
BUILTIN_SPECS: tuple[BuiltinSpec, ...] = (
    BuiltinSpec("equipmentRoom", "Equipment room", "机房", P, "site"),
    BuiltinSpec(
        "olt",
        "OLT",
        "OLT",
        P,
        "equipment",
        ("equipmentRoom",),
        (_c("vendor"), _c("model"), _c("managementIp")),
    ),
    BuiltinSpec(
        "oltCard", "OLT card", "OLT 板卡", P, "equipment", ("olt",), (_c("slot", "integer", min=0),)
    ),
    BuiltinSpec(
        "ponPort",
        "PON port",
        "PON 口",
        P,
        "port",
        ("oltCard",),
        (_c("technology", allowedValues=["GPON", "EPON", "XGS-PON"]),),
    ),
    BuiltinSpec(
        "splitter",
        "Splitter",
        "分光器",
        P,
        "splitter",
        ("ponPort", "splitterPort"),
        (
            _c("ratio", "integer", required=True, allowedValues=[8, 32, 64]),
            _c("level", "integer", allowedValues=[1, 2], default=1),
        ),
    ),
    BuiltinSpec("splitterPort", "Splitter port", "分光器端口", P, "port", ("splitter",)),
    BuiltinSpec("ont", "ONT", "光猫（ONT）", P, "terminal", ("splitterPort",), (_c("model"),)),
    BuiltinSpec("mstpNode", "MSTP node", "MSTP 节点", P, "equipment", ("equipmentRoom",)),
    BuiltinSpec(
        "mstpCircuit",
        "MSTP circuit",
        "MSTP 电路",
        L,
        "circuit",
        (),
        (_c("bandwidthMbps", "integer", min=1),),
        description="A and Z ends and the trunk are resourceRelationship aEnd, zEnd, trunk.",
    ),
    BuiltinSpec(
        "ipPool",
        "IP address pool",
        "IP 地址池",
        L,
        "pool",
        (),
        (
            _c(
                "purpose",
                allowedValues=["dynamic", "staticBusiness", "iptvMulticast", "management"],
            ),
            _c("ipVersion", "integer", allowedValues=[4, 6]),
            _c("delegationLength", "integer", min=1, max=128),
            _c("gateway"),
            # allocation cursors kept by openboss.resource.pools.ip
            _c("nextAddress"),
            _c("nextBlock"),
        ),
    ),
    BuiltinSpec("ipAddress", "IP address", "IP 地址", L, "ip", ("ipPool",)),
    BuiltinSpec(
        "ipBlock",
        "Static IP block",
        "静态 IP 地址段",
        L,
        "ip",
        ("ipPool",),
        (_c("prefixLength", "integer", min=0, max=128),),
    ),
    BuiltinSpec(
        "numberPool",
        "Number pool",
        "号码池",
        L,
        "pool",
        (),
        (
            _c("numberKind", allowedValues=["msisdn", "fixed"]),
            _c("gradeFees", "object"),
            _c("luckyDigits"),
        ),
    ),
    BuiltinSpec(
        "number",
        "Number",
        "号码",
        L,
        "number",
        ("numberPool",),
        (_c("gradeFee", "integer", min=0),),
        quarantine_days=90,
    ),
    BuiltinSpec(
        "warehouse",
        "Warehouse",
        "仓库",
        P,
        "site",
        (),
        (_c("lowStockThreshold", "integer", min=0),),
    ),
    BuiltinSpec(
        "cpe",
        "CPE",
        "终端设备（CPE）",
        P,
        "terminal",
        ("warehouse",),
        (
            _c("kind", required=True, allowedValues=["ont", "router", "stb"]),
            _c("model", required=True),
        ),
    ),
    BuiltinSpec(
        "partnerAccessPort", "Partner access port", "合作方接入端口", P, "port", ("equipmentRoom",)
    ),
)
BUILTIN_IDS = frozenset(s.id for s in BUILTIN_SPECS)
for _spec in BUILTIN_SPECS:
    SPEC_NAMES.setdefault(_spec.id, _spec.en)


def _now() -> Any:
    return truncate_datetime(utcnow())


def ensure_builtin_specs(session: Session) -> int:
    """Insert the built-in specs that are missing (idempotent); how many were added."""
    have = set(session.scalars(select(ResourceSpec.id).where(ResourceSpec.id.in_(BUILTIN_IDS))))
    now = _now()
    added = 0
    for b in BUILTIN_SPECS:
        if b.id in have:
            continue
        session.add(
            ResourceSpec(
                id=b.id,
                name=b.en,
                localized_name={"en": b.en, "zh-CN": b.zh},
                description=b.description,
                base_type=b.base_type,
                category=b.category,
                characteristics=[dict(c) for c in b.characteristics],
                parent_specs=list(b.parent_specs),
                quarantine_days=b.quarantine_days,
                builtin=True,
                status="active",
                created_at=now,
                updated_at=now,
            )
        )
        added += 1
    if added:
        session.flush()
    return added


# --------------------------------------------------------------------------- reads


def get_spec(session: Session, spec_id: str, *, field_name: str | None = None) -> ResourceSpec:
    """The spec (404; or 400 naming ``field_name`` when the caller named it in a body)."""
    spec = session.get(ResourceSpec, spec_id)
    if spec is None:
        if field_name:
            raise ValidationFailed(f"unknown resource specification '{spec_id}'", field=field_name)
        raise NotFound(f"resourceSpecification '{spec_id}' not found")
    SPEC_NAMES[spec.id] = spec.name
    return spec


def specs_by_id(session: Session, ids: Sequence[str]) -> dict[str, ResourceSpec]:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    rows = session.scalars(select(ResourceSpec).where(ResourceSpec.id.in_(wanted)))
    return {s.id: s for s in rows}


def list_specs(session: Session, *, base_type: str | None = None) -> list[ResourceSpec]:
    stmt = select(ResourceSpec).order_by(ResourceSpec.id)
    if base_type:
        stmt = stmt.where(ResourceSpec.base_type == base_type)
    return list(session.scalars(stmt))


def spec_view(spec: ResourceSpec, locale: str | None = None) -> dict[str, Any]:
    """The JSON of a spec (``/api/resource/v1/resourceSpecifications``)."""
    return {
        "id": spec.id,
        "href": f"/api/resource/v1/resourceSpecifications/{spec.id}",
        "name": spec.name,
        "localizedName": spec.localized_name or {},
        "description": spec.description,
        "baseType": spec.base_type,
        "category": spec.category,
        "characteristics": spec.characteristics,
        "parentSpecs": spec.parent_specs,
        "quarantineDays": spec.quarantine_days,
        "builtin": spec.builtin,
        "status": spec.status,
    }


def display_name(spec: ResourceSpec, locale: str) -> str:
    """The type's name in ``locale`` (``zh_CN`` or ``zh-CN``), else English."""
    names = spec.localized_name or {}
    return names.get(locale.replace("_", "-")) or names.get("en") or spec.name


# --------------------------------------------------------------------------- writes


def _check_definitions(items: Any) -> list[dict[str, Any]]:
    if not isinstance(items, list):
        raise ValidationFailed("characteristics must be a list", field="characteristics")
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        where = f"characteristics[{i}]"
        if not isinstance(item, dict):
            raise ValidationFailed(f"{where} must be an object", field=where)
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ValidationFailed(f"{where}.name is required", field=f"{where}.name")
        if name in seen:
            raise ValidationFailed(f"characteristic '{name}' is defined twice", field=where)
        seen.add(name)
        value_type = item.get("valueType", "string")
        if value_type not in VALUE_TYPES:
            raise ValidationFailed(
                f"{where}.valueType must be one of {', '.join(VALUE_TYPES)}",
                field=f"{where}.valueType",
            )
        unknown = set(item) - {
            "name",
            "valueType",
            "required",
            "allowedValues",
            "min",
            "max",
            "default",
            "description",
        }
        if unknown:
            raise ValidationFailed(
                f"{where}: unknown member(s) {', '.join(sorted(unknown))}", field=where
            )
        definition = {"name": name, "valueType": value_type}
        for key in ("required", "allowedValues", "min", "max", "default", "description"):
            if key in item and item[key] is not None:
                definition[key] = item[key]
        if "allowedValues" in definition:
            allowed = definition["allowedValues"]
            if not isinstance(allowed, list) or not allowed:
                raise ValidationFailed(
                    f"{where}.allowedValues must be a non-empty list",
                    field=f"{where}.allowedValues",
                )
            for v in allowed:
                _typed(definition, v, f"{where}.allowedValues")
        for key in ("min", "max"):
            if key in definition and (
                isinstance(definition[key], bool) or not isinstance(definition[key], int | float)
            ):
                raise ValidationFailed(f"{where}.{key} must be a number", field=f"{where}.{key}")
        if "default" in definition:
            _check_value(definition, definition["default"], f"{where}.default")
        out.append(definition)
    return out


def _check_parents(session: Session, parents: Any) -> list[str]:
    if not isinstance(parents, list) or not all(isinstance(p, str) for p in parents):
        raise ValidationFailed("parentSpecs must be a list of spec ids", field="parentSpecs")
    known = specs_by_id(session, parents)
    for p in parents:
        if p not in known:
            raise ValidationFailed(f"unknown resource specification '{p}'", field="parentSpecs")
    return list(dict.fromkeys(parents))


def create_spec(session: Session, data: dict[str, Any]) -> ResourceSpec:
    """Add an operator-defined resource type (409 when the id is taken)."""
    ident = data.get("id")
    if not isinstance(ident, str) or not _SPEC_ID.match(ident):
        raise ValidationFailed(
            "id is required: a letter, then letters, digits, '_', '.', '-' (≤ 64)", field="id"
        )
    if session.get(ResourceSpec, ident) is not None:
        raise Conflict(f"resource specification '{ident}' already exists")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValidationFailed("name is required", field="name")
    base_type = data.get("baseType")
    if base_type not in BASE_TYPES:
        raise ValidationFailed(f"baseType must be one of {', '.join(BASE_TYPES)}", field="baseType")
    category = data.get("category")
    if not isinstance(category, str) or not category.strip():
        raise ValidationFailed("category is required", field="category")
    quarantine = data.get("quarantineDays", 0)
    if (
        isinstance(quarantine, bool)
        or not isinstance(quarantine, int)
        or not 0 <= quarantine <= 3650
    ):
        raise ValidationFailed("quarantineDays must be 0 … 3650", field="quarantineDays")
    localized = data.get("localizedName")
    if localized is not None and not (
        isinstance(localized, dict) and all(isinstance(v, str) for v in localized.values())
    ):
        raise ValidationFailed("localizedName maps locales to names", field="localizedName")
    now = _now()
    spec = ResourceSpec(
        id=ident,
        name=name.strip(),
        localized_name=localized,
        description=data.get("description"),
        base_type=base_type,
        category=category.strip()[:32],
        characteristics=_check_definitions(data.get("characteristics", [])),
        parent_specs=_check_parents(session, data.get("parentSpecs", [])),
        quarantine_days=quarantine,
        builtin=False,
        status="active",
        created_at=now,
        updated_at=now,
    )
    session.add(spec)
    session.flush()
    SPEC_NAMES[spec.id] = spec.name
    return spec


_PATCHABLE = {
    "name",
    "localizedName",
    "description",
    "category",
    "characteristics",
    "parentSpecs",
    "quarantineDays",
    "status",
}


def update_spec(session: Session, spec_id: str, patch: dict[str, Any]) -> ResourceSpec:
    """Change a spec. A built-in spec's id, base type and containment are fixed (409)."""
    spec = get_spec(session, spec_id)
    if "id" in patch and patch["id"] != spec.id:
        raise Conflict(f"the id of resource specification '{spec.id}' cannot change")
    if "baseType" in patch and patch["baseType"] != spec.base_type:
        if spec.builtin:
            raise Conflict(f"the base type of built-in specification '{spec.id}' cannot change")
        raise Conflict(f"the base type of '{spec.id}' cannot change: its resources carry it")
    if (
        spec.builtin
        and "parentSpecs" in patch
        and list(patch["parentSpecs"] or []) != list(spec.parent_specs)
    ):
        raise Conflict(f"the containment of built-in specification '{spec.id}' cannot change")
    unknown = set(patch) - _PATCHABLE - {"id", "baseType"}
    if unknown:
        name = sorted(unknown)[0]
        raise ValidationFailed(f"'{name}' cannot be changed", field=name)
    if "name" in patch:
        name = patch["name"]
        if not isinstance(name, str) or not name.strip():
            raise ValidationFailed("name is required", field="name")
        spec.name = name.strip()
    if "localizedName" in patch:
        spec.localized_name = patch["localizedName"]
    if "description" in patch:
        spec.description = patch["description"]
    if "category" in patch:
        if not isinstance(patch["category"], str) or not patch["category"].strip():
            raise ValidationFailed("category is required", field="category")
        spec.category = patch["category"].strip()[:32]
    if "characteristics" in patch:
        spec.characteristics = _check_definitions(patch["characteristics"] or [])
    if "parentSpecs" in patch:
        parents = _check_parents(session, patch["parentSpecs"] or [])
        if spec.id in parents:
            raise ValidationFailed("a type cannot contain itself", field="parentSpecs")
        spec.parent_specs = parents
    if "quarantineDays" in patch:
        q = patch["quarantineDays"]
        if isinstance(q, bool) or not isinstance(q, int) or not 0 <= q <= 3650:
            raise ValidationFailed("quarantineDays must be 0 … 3650", field="quarantineDays")
        spec.quarantine_days = q
    if "status" in patch:
        if patch["status"] not in ("active", "retired"):
            raise ValidationFailed("status must be active or retired", field="status")
        spec.status = patch["status"]
    spec.updated_at = _now()
    session.flush()
    SPEC_NAMES[spec.id] = spec.name
    return spec


# --------------------------------------------------------------------------- validation


def _typed(definition: dict[str, Any], value: Any, where: str) -> Any:
    value_type = definition.get("valueType", "string")
    ok = {
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value)),
        "boolean": isinstance(value, bool),
        "object": isinstance(value, dict),
    }[value_type]
    if not ok:
        raise ValidationFailed(f"{where}: {value!r} is not a {value_type}", field=where)
    return value


def _check_value(definition: dict[str, Any], value: Any, where: str) -> Any:
    _typed(definition, value, where)
    allowed = definition.get("allowedValues")
    if allowed is not None and value not in allowed:
        raise ValidationFailed(
            f"{where}: {value!r} is not one of {', '.join(str(a) for a in allowed)}", field=where
        )
    if "min" in definition and value < definition["min"]:
        raise ValidationFailed(f"{where}: {value!r} is below {definition['min']}", field=where)
    if "max" in definition and value > definition["max"]:
        raise ValidationFailed(f"{where}: {value!r} is above {definition['max']}", field=where)
    return value


def validate_characteristics(spec: ResourceSpec, items: Any) -> list[dict[str, Any]]:
    """The resource's ``resourceCharacteristic`` checked against its spec: known
    names, types, allowed values, bounds, required ones present (defaults
    filled). 400 naming ``resourceCharacteristic.<name>``."""
    if items is None:
        items = []
    if not isinstance(items, list):
        raise ValidationFailed(
            "resourceCharacteristic must be a list", field="resourceCharacteristic"
        )
    definitions = {d["name"]: d for d in spec.characteristics}
    given: dict[str, Any] = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise ValidationFailed(
                "each resourceCharacteristic needs a name", field="resourceCharacteristic"
            )
        name = item["name"]
        where = f"resourceCharacteristic.{name}"
        definition = definitions.get(name)
        if definition is None:
            raise ValidationFailed(
                f"'{name}' is not a characteristic of '{spec.id}'"
                + (f" (known: {', '.join(definitions)})" if definitions else ""),
                field=where,
            )
        if name in given:
            raise ValidationFailed(f"characteristic '{name}' given twice", field=where)
        if "value" not in item or item["value"] is None:
            raise ValidationFailed(f"{where}: a value is required", field=where)
        vt = item.get("valueType")
        if vt is not None and vt != definition.get("valueType", "string"):
            raise ValidationFailed(
                f"{where}: valueType is {definition.get('valueType', 'string')}", field=where
            )
        given[name] = _check_value(definition, item["value"], where)
    out: list[dict[str, Any]] = []
    for name, definition in definitions.items():
        if name in given:
            value = given[name]
        elif "default" in definition:
            value = definition["default"]
        elif definition.get("required"):
            raise ValidationFailed(
                f"resourceCharacteristic.{name} is required for '{spec.id}'",
                field=f"resourceCharacteristic.{name}",
            )
        else:
            continue
        out.append(
            {"name": name, "valueType": definition.get("valueType", "string"), "value": value}
        )
    return out


def check_containment(spec: ResourceSpec, parent_spec_id: str | None) -> None:
    """A resource of ``spec`` may be contained in a resource of ``parent_spec_id``
    (400 naming ``parentResource`` otherwise)."""
    if parent_spec_id is None:
        return
    if parent_spec_id not in spec.parent_specs:
        allowed = ", ".join(spec.parent_specs) or "nothing"
        raise ValidationFailed(
            f"a '{spec.id}' cannot be contained in a '{parent_spec_id}' (allowed: {allowed})",
            field="parentResource",
        )


def characteristic(items: list[dict[str, Any]] | None, name: str) -> Any:
    """The value of one characteristic of a resource (``None`` when absent)."""
    for item in items or []:
        if item.get("name") == name:
            return item.get("value")
    return None
