"""Data consistency (数据一致性): what the network reports, reconciled against
the inventory.

eTOM 1.5.1 resource management (1.5.1.x resource data quality: discover and
reconcile resource inventory).

A snapshot comes as CSV or JSON in one of two forms:

* ONTs per PON port — ``olt, ponPort, ontSerial``: the ONT serials each OLT
  sees on each of its PON ports. The inventory side is every ONT contained
  (directly, or under splitters and splitter ports) in those PON ports.
* generic — ``spec, value, parent``: resources of any type and the container
  the network reports them in; the inventory side is every resource of those
  specs directly contained in those parents.

Differences: **missing** (in the inventory, not seen by the network),
**extra** (seen, not in the inventory), **mismatched** (in both, in another
container than the inventory says). Each is resolved with an audited action:
``acceptNetwork`` (the inventory follows the network: create the extra one
under the reported container, move the mismatched one, retire the missing
one — retiring a reserved or allocated resource is refused, 409: release it
first), ``keepInventory`` (an accepted deviation) or ``ignore``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.kit.errors import Conflict, NotFound, ValidationFailed
from openboss.kit.ids import new_id
from openboss.kit.scope import Scope, apply_scope, check_in_scope
from openboss.resource.inventory import lifecycle
from openboss.resource.inventory.models import Resource, ResourceSpec
from openboss.resource.operations.common import check_characteristics, descendants, find_resource
from openboss.resource.operations.models import (
    RESOLUTIONS,
    ReconciliationDiscrepancy,
    ReconciliationRun,
)

OLT_SPEC, PON_SPEC, ONT_SPEC = "olt", "ponPort", "ont"

Progress = Callable[[int, int], None]


@dataclass
class _Seen:
    spec_id: str
    value: str
    parent: Resource  # the container the network reports


def parse_snapshot(content: bytes, file_name: str) -> list[dict[str, str]]:
    """The snapshot's records (CSV rows or JSON objects) as text fields."""
    suffix = PurePath(file_name).suffix.lower()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed("the snapshot must be UTF-8", field="file") from exc
    records: list[dict[str, str]] = []
    if suffix == ".json" or text.lstrip().startswith(("[", "{")):
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise ValidationFailed(f"not valid JSON: {exc}", field="file") from exc
        if isinstance(data, dict):
            data = data.get("rows", data.get("items"))
        if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
            raise ValidationFailed(
                'a JSON snapshot is a list of objects (or {"rows": [...]})', field="file"
            )
        for item in data:
            records.append({str(k): "" if v is None else str(v).strip() for k, v in item.items()})
    else:
        reader = csv.DictReader(io.StringIO(text))
        for row in reader:
            records.append({(k or "").strip(): (v or "").strip() for k, v in row.items()})
    if not records:
        raise ValidationFailed("the snapshot is empty", field="file")
    return records


def _label(res: Resource | None) -> dict[str, Any] | None:
    if res is None:
        return None
    return {"parentId": res.id, "parent": res.value or res.name}


def run_reconciliation(
    session: Session,
    scope: Scope,
    content: bytes,
    file_name: str,
    *,
    actor: str,
    source: str | None = None,
    progress: Progress | None = None,
) -> ReconciliationRun:
    """Compare the snapshot with the inventory; store the run and its discrepancies."""
    records = parse_snapshot(content, file_name)
    keys = set(records[0])
    if {"olt", "ponPort", "ontSerial"} <= keys:
        form = "ontPerPort"
        seen, containers, scope_names = _ont_form(session, scope, records)
    elif {"spec", "value", "parent"} <= keys:
        form = "generic"
        seen, containers, scope_names = _generic_form(session, scope, records)
    else:
        raise ValidationFailed(
            "the snapshot needs the columns olt, ponPort, ontSerial or spec, value, parent",
            field="file",
        )
    specs = sorted(
        {s.spec_id for s in seen.values()} or ({ONT_SPEC} if form == "ontPerPort" else set())
    )
    # inventory side: (spec, value) → (resource, the scope container it sits in)
    inventory: dict[tuple[str, str], tuple[Resource, Resource]] = {}
    for n, container in enumerate(containers, 1):
        if form == "ontPerPort":
            inside = [r for r in descendants(session, [container.id]) if r.spec_id in specs]
        else:
            inside = list(
                session.scalars(
                    select(Resource).where(
                        Resource.parent_id == container.id, Resource.spec_id.in_(specs)
                    )
                )
            )
        for res in inside:
            if res.value is not None and res.lifecycle_status != "retired":
                inventory[(res.spec_id, res.value)] = (res, container)
        if progress:
            progress(n, len(containers))
    at = lifecycle.now()
    run = ReconciliationRun(
        id=new_id(),
        source=(source or file_name)[:255],
        form=form,
        scope=scope_names,
        counts={},
        status="open",
        created_by=actor,
        created_at=at,
        updated_at=at,
    )
    session.add(run)
    session.flush()
    counts = {"missing": 0, "extra": 0, "mismatched": 0, "matched": 0}

    def add(kind: str, spec_id: str, value: str, res: Resource | None, inv: Any, net: Any) -> None:
        counts[kind] += 1
        session.add(
            ReconciliationDiscrepancy(
                id=new_id(),
                run_id=run.id,
                kind=kind,
                spec_id=spec_id,
                value=value,
                resource_id=res.id if res else None,
                inventory_says=inv,
                network_says=net,
                status="open",
            )
        )

    for key, item in seen.items():
        known = inventory.get(key)
        if known is not None:
            res, container = known
            if container.id == item.parent.id:
                counts["matched"] += 1
            else:
                add("mismatched", *key, res, _label(container), _label(item.parent))
            continue
        # not under any container of the snapshot: elsewhere in the inventory, or nowhere
        elsewhere = session.scalars(
            select(Resource).where(
                Resource.spec_id == key[0],
                Resource.value == key[1],
                Resource.lifecycle_status != "retired",
            )
        ).first()
        if elsewhere is None:
            add("extra", *key, None, None, _label(item.parent))
        else:
            parent = session.get(Resource, elsewhere.parent_id) if elsewhere.parent_id else None
            inv = _label(parent) or {"parentId": None, "parent": None}
            add("mismatched", *key, elsewhere, inv, _label(item.parent))
    for key, (res, container) in inventory.items():
        if key not in seen:
            add("missing", *key, res, _label(container), None)
    run.counts = counts
    if not (counts["missing"] or counts["extra"] or counts["mismatched"]):
        run.status = "resolved"
    session.flush()
    return run


def _ont_form(
    session: Session, scope: Scope, records: list[dict[str, str]]
) -> tuple[dict[tuple[str, str], _Seen], list[Resource], list[str]]:
    olts: dict[str, Resource] = {}
    ports: dict[str, dict[str, Resource]] = {}
    seen: dict[tuple[str, str], _Seen] = {}
    for n, rec in enumerate(records, 1):
        olt_ref, port_ref, serial = rec.get("olt", ""), rec.get("ponPort", ""), rec.get("ontSerial")
        if not olt_ref or not port_ref:
            raise ValidationFailed(f"record {n}: olt and ponPort are required", field="file")
        if olt_ref not in olts:
            try:
                olt = find_resource(session, scope, olt_ref, spec_id=OLT_SPEC, what="OLT")
            except NotFound as exc:
                raise ValidationFailed(f"record {n}: {exc.message}", field="olt") from exc
            olts[olt_ref] = olt
            ports[olt_ref] = {}
            for res in descendants(session, [olt.id]):
                if res.spec_id == PON_SPEC:
                    for key in (res.value, res.name, res.id):
                        if key:
                            ports[olt_ref].setdefault(key, res)
        port = ports[olt_ref].get(port_ref)
        if port is None:
            raise ValidationFailed(
                f"record {n}: OLT '{olt_ref}' has no PON port '{port_ref}'", field="ponPort"
            )
        if not serial:
            continue  # a port the network reports empty
        seen_key = (ONT_SPEC, serial)
        if seen_key in seen and seen[seen_key].parent.id != port.id:
            raise ValidationFailed(
                f"record {n}: ONT '{serial}' is reported on two ports", field="ontSerial"
            )
        seen[seen_key] = _Seen(ONT_SPEC, serial, port)
    # the scope: every PON port of the OLTs in the snapshot
    containers: dict[str, Resource] = {}
    for by_key in ports.values():
        for port in by_key.values():
            containers[port.id] = port
    names = sorted(o.value or o.name for o in olts.values())
    return seen, sorted(containers.values(), key=lambda r: r.id), names


def _generic_form(
    session: Session, scope: Scope, records: list[dict[str, str]]
) -> tuple[dict[tuple[str, str], _Seen], list[Resource], list[str]]:
    specs = set(session.scalars(select(ResourceSpec.id)))
    parents: dict[str, Resource] = {}
    seen: dict[tuple[str, str], _Seen] = {}
    for n, rec in enumerate(records, 1):
        spec_id, value, parent_ref = (
            rec.get("spec", ""),
            rec.get("value", ""),
            rec.get("parent", ""),
        )
        if spec_id not in specs:
            raise ValidationFailed(f"record {n}: unknown spec '{spec_id}'", field="spec")
        if not parent_ref:
            raise ValidationFailed(f"record {n}: parent is required", field="parent")
        if parent_ref not in parents:
            try:
                parents[parent_ref] = find_resource(session, scope, parent_ref, what="parent")
            except NotFound as exc:
                raise ValidationFailed(f"record {n}: {exc.message}", field="parent") from exc
        if not value:
            continue
        seen[(spec_id, value)] = _Seen(spec_id, value, parents[parent_ref])
    unique = {p.id: p for p in parents.values()}
    names = sorted(p.value or p.name for p in unique.values())
    return seen, sorted(unique.values(), key=lambda r: r.id), names


# -- reading ------------------------------------------------------------------


def list_runs(session: Session, *, limit: int = 50, offset: int = 0) -> list[ReconciliationRun]:
    stmt = (
        select(ReconciliationRun)
        .order_by(ReconciliationRun.created_at.desc(), ReconciliationRun.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(stmt))


def get_run(session: Session, run_id: str) -> ReconciliationRun:
    run = session.get(ReconciliationRun, run_id)
    if run is None:
        raise NotFound(f"reconciliation run '{run_id}' not found")
    return run


def discrepancies(
    session: Session, run_id: str, *, kind: str | None = None, status: str | None = None
) -> list[ReconciliationDiscrepancy]:
    stmt = select(ReconciliationDiscrepancy).where(ReconciliationDiscrepancy.run_id == run_id)
    if kind:
        stmt = stmt.where(ReconciliationDiscrepancy.kind == kind)
    if status:
        stmt = stmt.where(ReconciliationDiscrepancy.status == status)
    order = (ReconciliationDiscrepancy.kind, ReconciliationDiscrepancy.value)
    return list(session.scalars(stmt.order_by(*order)))


def _iso(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def discrepancy_doc(d: ReconciliationDiscrepancy) -> dict[str, Any]:
    return {
        "id": d.id,
        "kind": d.kind,
        "spec": d.spec_id,
        "value": d.value,
        "resourceId": d.resource_id,
        "inventorySays": d.inventory_says,
        "networkSays": d.network_says,
        "status": d.status,
        "resolution": d.resolution,
        "resolvedBy": d.resolved_by,
        "resolvedAt": _iso(d.resolved_at),
        "note": d.note,
    }


def run_doc(
    run: ReconciliationRun, items: Sequence[ReconciliationDiscrepancy] | None = None
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": run.id,
        "source": run.source,
        "form": run.form,
        "scope": run.scope,
        "counts": run.counts,
        "status": run.status,
        "createdBy": run.created_by,
        "createdAt": _iso(run.created_at),
    }
    if items is not None:
        doc["discrepancies"] = [discrepancy_doc(d) for d in items]
    return doc


# -- resolving ----------------------------------------------------------------


def resolve(
    session: Session,
    scope: Scope,
    run_id: str,
    discrepancy_id: str,
    *,
    resolution: str,
    actor: str,
    note: str | None = None,
) -> ReconciliationDiscrepancy:
    """Resolve one discrepancy; ``acceptNetwork`` changes the inventory."""
    run = get_run(session, run_id)
    item = session.get(ReconciliationDiscrepancy, discrepancy_id)
    if item is None or item.run_id != run.id:
        raise NotFound(f"discrepancy '{discrepancy_id}' not found in run '{run_id}'")
    if resolution not in RESOLUTIONS:
        raise ValidationFailed(
            f"resolution must be one of {', '.join(RESOLUTIONS)}", field="resolution"
        )
    if item.status != "open":
        raise Conflict(f"discrepancy '{item.id}' is already resolved ({item.resolution})")
    if resolution == "acceptNetwork":
        _accept_network(session, scope, item)
    at = lifecycle.now()
    item.status = "resolved"
    item.resolution = resolution
    item.resolved_by = actor
    item.resolved_at = at
    item.note = note
    session.flush()
    still_open = session.scalars(
        select(ReconciliationDiscrepancy.id).where(
            ReconciliationDiscrepancy.run_id == run.id, ReconciliationDiscrepancy.status == "open"
        )
    ).first()
    if still_open is None:
        run.status = "resolved"
    run.updated_at = at
    session.flush()
    return item


def _resource(session: Session, scope: Scope, ident: str | None) -> Resource:
    res = session.get(Resource, ident) if ident else None
    if res is None:
        raise Conflict("the resource of this discrepancy no longer exists")
    check_in_scope(res, scope, "resource", res.id)
    return res


def _accept_network(session: Session, scope: Scope, item: ReconciliationDiscrepancy) -> None:
    at = lifecycle.now()
    if item.kind == "missing":
        res = _resource(session, scope, item.resource_id)
        if res.lifecycle_status in ("reserved", "allocated"):
            raise Conflict(
                f"'{res.value}' is {res.lifecycle_status}: release it before retiring it"
            )
        if res.lifecycle_status != "retired":
            lifecycle.set_lifecycle(res, "retired", at=at)
        lifecycle.publish_state_change(session, [res])
        lifecycle.notify_capacity(session, [res.site_id])
        return
    target_id = (item.network_says or {}).get("parentId")
    parent = session.get(Resource, target_id) if target_id else None
    if parent is None:
        raise Conflict("the container the network reported no longer exists")
    check_in_scope(parent, scope, "resource", parent.id)
    if parent.lifecycle_status == "retired":
        raise Conflict(f"'{parent.value or parent.name}' is retired")
    if item.kind == "mismatched":
        res = _resource(session, scope, item.resource_id)
        if res.lifecycle_status == "retired":
            raise Conflict(f"'{res.value}' is retired")
        old_site = res.site_id
        res.parent_id = parent.id
        res.site_id = parent.site_id or res.site_id
        res.region_id = parent.region_id or res.region_id
        res.updated_at = at
        lifecycle.publish_state_change(session, [res])
        lifecycle.notify_capacity(session, [old_site, res.site_id])
        return
    # extra: the network has it, the inventory does not — create it where it was seen
    spec = session.get(ResourceSpec, item.spec_id)
    if spec is None:
        raise Conflict(f"spec '{item.spec_id}' no longer exists")
    clash = session.scalars(
        select(Resource.id).where(Resource.spec_id == spec.id, Resource.value == item.value)
    ).first()
    if clash is not None:
        raise Conflict(f"'{item.value}' of '{spec.id}' has been created since the run")
    characteristics, _problems = check_characteristics(spec, {})
    res = Resource(
        id=new_id(),
        spec_id=spec.id,
        base_type=spec.base_type,
        category=spec.category,
        name=item.value,
        value=item.value,
        parent_id=parent.id,
        site_id=parent.site_id,
        region_id=parent.region_id,
        partner_id=parent.partner_id,
        ownership_terms=parent.ownership_terms,
        characteristics=characteristics,
        created_at=at,
        updated_at=at,
        **lifecycle.initial_states("available"),
    )
    session.add(res)
    session.flush()
    item.resource_id = res.id
    lifecycle.publish_state_change(session, [res])
    lifecycle.notify_capacity(session, [res.site_id])


def scoped_resource_ids(session: Session, scope: Scope, ids: Sequence[str]) -> set[str]:
    """Which of ``ids`` the caller may see."""
    stmt = apply_scope(select(Resource.id).where(Resource.id.in_(list(ids))), Resource, scope)
    return set(session.scalars(stmt))
