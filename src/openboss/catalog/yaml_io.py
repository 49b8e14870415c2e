"""Catalog as code: the whole catalog as one YAML document — eTOM 1.1.1.1.

Sections, imported in this order (each entry is the TMF620 representation
without ``href``, ``lastUpdate`` and ``@type``; the mapping sections use the
shapes of :mod:`openboss.catalog.mapping`)::

    resourceSpecs, serviceSpecs, productSpecifications, deliveryRules,
    productOfferingPrices, categories, productOfferings, catalogs

(categories twice: created before the offerings that name them, completed
with the offerings they list afterwards)
Import **upserts** by ``id`` through the same use cases as the API (so every
rule applies: price-model validation, references, readiness before launch,
new versions of launched offerings, locked prices) and moves each entity
along the lifecycle to the ``lifecycleStatus`` the file gives. An attribute
missing from an entry is removed from the entity. Errors name the file, the
line and the field (``catalog.yaml:42: productOfferings[3] (po-x)
priceModel.tiers.0.upTo: …``); the caller rolls the transaction back.

Export writes the same document; ``export → import → export`` is identical.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import yaml
from pydantic import ValidationError
from sqlalchemy.orm import Session

from openboss.catalog import mapping, repository, service
from openboss.catalog.models import DeliveryRule, ResourceSpec, ServiceSpec
from openboss.catalog.schemas import IN_DESIGN, IN_TEST
from openboss.kit.errors import AppError
from openboss.kit.tmf.errors import validation_message

SECTIONS = (
    "resourceSpecs",
    "serviceSpecs",
    "productSpecifications",
    "deliveryRules",
    "productOfferingPrices",
    "categories",
    "productOfferings",
    "catalogs",
)
_ENTITY_SECTIONS = {
    "productSpecifications": service.SPECIFICATION,
    "productOfferingPrices": service.PRICE,
    "productOfferings": service.OFFERING,
    "categories": service.CATEGORY,
    "catalogs": service.CATALOG,
}
#: Base URL of hrefs in events published during an import.
IMPORT_BASE_URL = "urn:openboss:catalog-import"


class CatalogImportError(AppError):
    """A catalog file that cannot be imported; the message names file, line, field."""

    status = 400
    code = "INVALID_CATALOG_FILE"


@dataclass(frozen=True, slots=True)
class ImportResult:
    """How many entries of each section were imported (created or updated)."""

    counts: dict[str, int]


# --------------------------------------------------------------------------- line marks


def _marks(node: yaml.Node, path: tuple[Any, ...], out: dict[tuple[Any, ...], int]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = key.value
            out[(*path, name)] = key.start_mark.line + 1
            _marks(value, (*path, name), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            _marks(value, (*path, i), out)


def _path(field: str | None) -> tuple[Any, ...]:
    if not field:
        return ()
    return tuple(int(p) if p.isdigit() else p for p in field.split("."))


class _Locator:
    def __init__(self, name: str, marks: dict[tuple[Any, ...], int]) -> None:
        self.name = name
        self.marks = marks

    def error(
        self, section: str, index: int | None, ident: Any, field: str | None, message: str
    ) -> CatalogImportError:
        base: tuple[Any, ...] = (section,) if index is None else (section, index)
        path = (*base, *_path(field))
        line = None
        while path:
            if path in self.marks:
                line = self.marks[path]
                break
            path = path[:-1]
        where = f"{self.name}:{line}" if line else self.name
        entry = section if index is None else f"{section}[{index}]"
        if ident:
            entry += f" ({ident})"
        field_text = f" {field}:" if field else ""
        return CatalogImportError(f"{where}: {entry}{field_text} {message}", field=field or section)


# --------------------------------------------------------------------------- import


def load_yaml(text: str, name: str) -> tuple[dict[str, Any], _Locator]:
    """Parse the document and remember where every value is."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise CatalogImportError(f"{name}{line}: not valid YAML: {exc}", field="file") from None
    marks: dict[tuple[Any, ...], int] = {}
    if node is not None:
        _marks(node, (), marks)
    locator = _Locator(name, marks)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise locator.error("file", None, None, None, "the document must be a mapping")
    unknown = [k for k in data if k not in SECTIONS and k != "format"]
    if unknown:
        raise locator.error(
            str(unknown[0]), None, None, None, "unknown section; expected: " + ", ".join(SECTIONS)
        )
    for section in SECTIONS:
        entries = data.get(section) or []
        if not isinstance(entries, list):
            raise locator.error(section, None, None, None, "must be a list")
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                raise locator.error(section, i, None, None, "each entry must be a mapping")
            if section != "deliveryRules" and not entry.get("id"):
                raise locator.error(section, i, None, "id", "id is required")
    return data, locator


def _lifecycle_path(current: str, target: str) -> list[str] | None:
    queue: deque[list[str]] = deque([[current]])
    seen = {current}
    while queue:
        route = queue.popleft()
        if route[-1] == target:
            return route[1:]
        for nxt in sorted(service.LIFECYCLE.allowed(route[-1])):
            if nxt not in seen:
                seen.add(nxt)
                queue.append([*route, nxt])
    return None


def _jsonable(entry: dict[str, Any]) -> dict[str, Any]:
    """YAML scalars (dates parsed by YAML) as the JSON the API would get."""
    result: dict[str, Any] = orjson.loads(orjson.dumps(entry, default=str))
    return result


def _upsert_entity(
    session: Session,
    entity: service.Entity,
    entry: dict[str, Any],
    *,
    strip: Iterable[str] = (),
    base_url: str = IMPORT_BASE_URL,
) -> None:
    body = {k: v for k, v in _jsonable(entry).items() if k not in ("id", *strip)}
    ident = str(entry["id"])
    target = body.pop("lifecycleStatus", None) or IN_DESIGN
    row = repository.find(session, entity.model, ident)
    if row is None:
        start = target if target in (IN_DESIGN, IN_TEST) else IN_DESIGN
        data = _validate(entity, {**body, "lifecycleStatus": start})
        service.create(session, entity, data, base_url, ident=ident)
        current = start
    else:
        view = service.writable_view(entity, row)
        patch: dict[str, Any] = {
            k: None for k in view if k not in body and k not in ("lifecycleStatus", "version")
        }
        patch.update(body)
        if entity is service.OFFERING:
            patch.pop("version", None)
        service.update(session, entity, ident, patch, base_url, actor="catalog-import")
        current = row.lifecycle_status
    route = _lifecycle_path(current, target)
    if route is None:
        raise _FieldError("lifecycleStatus", f"cannot move from {current} to {target}")
    for status in route:
        service.update(
            session,
            entity,
            ident,
            {"lifecycleStatus": status},
            base_url,
            actor="catalog-import",
        )


class _FieldError(Exception):
    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _validate(entity: service.Entity, body: dict[str, Any]) -> Any:
    try:
        return entity.create.model_validate(body)
    except ValidationError as exc:
        field, message = validation_message(list(exc.errors()))
        raise _FieldError(field, message) from None


def _model(cls: Any, entry: dict[str, Any]) -> Any:
    try:
        return cls.model_validate(_jsonable(entry))
    except ValidationError as exc:
        field, message = validation_message(list(exc.errors()))
        raise _FieldError(field, message) from None


def _ordered(section: str, entries: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    """Entries in an order where references resolve (RFS before CFS, plain
    prices before alterations, simple offerings before bundles, parent
    categories before children)."""
    indexed = list(enumerate(entries))
    if section == "serviceSpecs":
        return sorted(indexed, key=lambda p: p[1].get("kind") != "RFS")
    if section == "productOfferingPrices":
        return sorted(
            indexed, key=lambda p: (p[1].get("priceModel") or {}).get("kind") == "alteration"
        )
    if section == "productOfferings":
        return sorted(indexed, key=lambda p: bool(p[1].get("isBundle")))
    if section == "categories":
        by_id = {e.get("id"): e for e in entries}

        def depth(entry: dict[str, Any]) -> int:
            d, seen = 0, set()
            while entry.get("parentId") in by_id and entry.get("parentId") not in seen:
                seen.add(entry.get("parentId"))
                entry = by_id[entry["parentId"]]
                d += 1
            return d

        return sorted(indexed, key=lambda p: depth(p[1]))
    return indexed


def import_catalog(
    session: Session,
    text: str,
    name: str = "catalog.yaml",
    *,
    progress: Callable[[str, int], None] | None = None,
    base_url: str = IMPORT_BASE_URL,
) -> ImportResult:
    """Import a catalog document (see the module docstring). Raises
    :class:`CatalogImportError` naming file, line and field; the caller's
    transaction should then be rolled back."""
    data, locator = load_yaml(text, name)
    counts: dict[str, int] = {}
    deferred: list[tuple[int, dict[str, Any]]] = []
    for section in SECTIONS:
        entries = data.get(section) or []
        for index, entry in _ordered(section, entries):
            ident = entry.get("id")
            try:
                savepoint = session.begin_nested()
                try:
                    _import_entry(session, section, entry, deferred, index, base_url)
                    savepoint.commit()
                except BaseException:
                    savepoint.rollback()
                    raise
            except _FieldError as exc:
                raise locator.error(section, index, ident, exc.field, exc.message) from None
            except AppError as exc:
                raise locator.error(section, index, ident, exc.field, exc.message) from None
            if progress is not None:
                progress(section, 1)
        counts[section] = len(entries)
    # categories list their offerings: set once the offerings exist
    for index, entry in deferred:
        try:
            _upsert_entity(session, service.CATEGORY, entry, base_url=base_url)
        except _FieldError as exc:
            raise locator.error(
                "categories", index, entry.get("id"), exc.field, exc.message
            ) from None
        except AppError as exc:
            raise locator.error(
                "categories", index, entry.get("id"), exc.field, exc.message
            ) from None
    return ImportResult(counts)


def _import_entry(
    session: Session,
    section: str,
    entry: dict[str, Any],
    deferred: list[tuple[int, dict[str, Any]]],
    index: int,
    base_url: str,
) -> None:
    if section == "resourceSpecs":
        mapping.upsert_resource_spec(session, _model(mapping.ResourceSpecIn, entry))
    elif section == "serviceSpecs":
        mapping.upsert_service_spec(session, _model(mapping.ServiceSpecIn, entry))
    elif section == "deliveryRules":
        mapping.upsert_delivery_rule(session, _model(mapping.DeliveryRuleIn, entry))
    elif section == "categories":
        # first pass: create a missing category without the offerings it lists
        # (they may not exist yet); the full entry is applied after the offerings
        if repository.find(session, service.CATEGORY.model, str(entry["id"])) is None:
            first = {k: v for k, v in entry.items() if k not in ("productOffering", "subCategory")}
            first["lifecycleStatus"] = IN_DESIGN
            _upsert_entity(session, service.CATEGORY, first, base_url=base_url)
        deferred.append((index, entry))
    else:
        _upsert_entity(session, _ENTITY_SECTIONS[section], entry, base_url=base_url)


def import_file(session: Session, path: Path, **kw: Any) -> ImportResult:
    return import_catalog(session, path.read_text(encoding="utf-8"), path.name, **kw)


# --------------------------------------------------------------------------- export


def _entity_entries(session: Session, entity: service.Entity) -> list[dict[str, Any]]:
    out = []
    hidden = entity.resource.read_only - {"id", "version"}
    for row in repository.all_rows(session, entity.model):
        doc = orjson.loads(row.doc)
        entry = {"id": row.id}
        entry.update({k: v for k, v in doc.items() if k not in hidden})
        out.append(entry)
    return out


def _plain(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, [], {})}


def export_catalog(session: Session) -> dict[str, Any]:
    """The whole catalog as a document (see the module docstring)."""
    doc: dict[str, Any] = {"format": "openboss-catalog/1"}
    doc["resourceSpecs"] = [
        _plain(
            id=r.id,
            name=r.name,
            category=r.category,
            description=r.description,
            localizedName=r.localized_name,
        )
        for r in repository.all_rows(session, ResourceSpec)
    ]
    doc["serviceSpecs"] = [
        _plain(
            id=s.id,
            kind=s.kind,
            name=s.name,
            description=s.description,
            localizedName=s.localized_name,
            rfs=s.rfs_ids,
            resourceSpecs=s.resource_spec_ids,
        )
        for s in repository.all_rows(session, ServiceSpec)
    ]
    doc["productSpecifications"] = _entity_entries(session, service.SPECIFICATION)
    rules = repository.all_rows(
        session,
        DeliveryRule,
        DeliveryRule.product_spec_id,
        DeliveryRule.coverage_type,
        DeliveryRule.region_id,
    )
    doc["deliveryRules"] = [
        mapping.rule_as_input(r).model_dump(mode="json", by_alias=True, exclude_none=True)
        for r in rules
    ]
    doc["productOfferingPrices"] = _entity_entries(session, service.PRICE)
    doc["productOfferings"] = _entity_entries(session, service.OFFERING)
    doc["categories"] = _entity_entries(session, service.CATEGORY)
    doc["catalogs"] = _entity_entries(session, service.CATALOG)
    return doc


def dump_yaml(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)


def export_text(session: Session) -> str:
    return dump_yaml(export_catalog(session))


# --------------------------------------------------------------------------- demo

DEMO_FILE = Path(__file__).parent / "data" / "demo-catalog.yaml"


def load_demo_catalog(session: Session, *, base_url: str = IMPORT_BASE_URL) -> ImportResult:
    """Load the demo catalog (idempotent: a second load changes nothing).

    ``base_url`` (e.g. the public URL) starts the hrefs of the events published.
    """
    return import_file(session, DEMO_FILE, base_url=base_url)
