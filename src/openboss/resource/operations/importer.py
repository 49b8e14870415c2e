"""Bulk import of network inventory from CSV or Excel — the path for
migrating from legacy systems.

eTOM 1.5.1 resource management (1.5.1.x resource inventory: data migration).

A file holds one resource type (no ``spec`` column: the file's — or the
sheet's — name is the spec id) or several (a ``spec`` column). Columns:
``ref`` (a key local to the file, for ``parent``), ``spec``, ``name``,
``value``, ``parent`` (a ``ref`` of the file, or an existing resource's id
or value), ``siteCode`` (a building's code) or ``siteId``, ``regionId``,
``owner`` (a partner id; empty: the operator's own), ``terms``, ``status``
(planned/available), ``grade``, ``capacity``, ``description`` and
``char.<name>`` for characteristics.

Every problem is reported as ``(row, field, reason)`` — row numbers as a
spreadsheet shows them (the header is row 1) — and the import is all or
nothing: one problem and nothing is written. A clean file is written with
batched INSERTs (documents rendered here, as the ORM flush would), then the
capacity listeners hear of every building touched.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from openboss.kit.errors import ValidationFailed
from openboss.kit.ids import new_id
from openboss.kit.places import PlaceSite, place_directory
from openboss.kit.scope import Scope, apply_scope
from openboss.resource.inventory import lifecycle
from openboss.resource.inventory.models import (
    OWNERSHIP_TERMS,
    RESOURCE_RESOURCE,
    NetworkPartner,
    Resource,
    ResourceSpec,
)
from openboss.resource.operations.common import check_characteristics, chunks
from openboss.resource.operations.models import ResourceImport

COLUMNS = (
    "ref",
    "spec",
    "name",
    "value",
    "parent",
    "siteCode",
    "siteId",
    "regionId",
    "owner",
    "terms",
    "status",
    "grade",
    "capacity",
    "description",
)
STATUSES = ("planned", "available")
MAX_ROWS = 200_000
INSERT_BATCH = 1000

Progress = Callable[[int, int], None]


@dataclass
class Problem:
    row: int
    field: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "reason": self.reason}


@dataclass
class _Row:
    number: int
    cells: dict[str, str]
    chars: dict[str, str]
    spec: ResourceSpec | None = None
    values: dict[str, Any] = field(default_factory=dict)
    parent_row: _Row | None = None
    parent: Resource | None = None
    depth: int = -1


@dataclass
class ImportOutcome:
    record: ResourceImport
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(content: bytes, file_name: str) -> tuple[list[str], list[list[str]], str | None]:
    """Header, rows and the spec implied by the file (or sheet) name."""
    suffix = PurePath(file_name).suffix.lower()
    stem = PurePath(file_name).stem
    if suffix in (".xlsx", ".xlsm"):
        try:
            import openpyxl

            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except ImportError as exc:  # pragma: no cover - openpyxl is a dependency
            raise ValidationFailed("Excel files need openpyxl installed", field="file") from exc
        except Exception as exc:
            raise ValidationFailed(f"not a readable Excel file: {exc}", field="file") from exc
        sheet = book.worksheets[0]
        table = [[_cell(c) for c in row] for row in sheet.iter_rows(values_only=True)]
        implied = sheet.title or stem
        book.close()
    elif suffix in (".csv", ".txt", ""):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationFailed("the CSV file must be UTF-8", field="file") from exc
        table = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
        implied = stem
    else:
        raise ValidationFailed(
            f"'{file_name}': only .csv and .xlsx files can be imported", field="file"
        )
    if not table or not any(table[0]):
        raise ValidationFailed("the file has no header row", field="file")
    header = table[0]
    while header and not header[-1]:
        header = header[:-1]
    rows = list(table[1:])
    return header, rows, implied


def validate_and_import(
    session: Session,
    scope: Scope,
    content: bytes,
    file_name: str,
    *,
    actor: str,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Check the whole file; write it (unless ``dry_run``) only when clean.

    Always records the attempt in ``resource_import``; the caller commits it
    (a failed import leaves only that record).
    """
    header, table, implied = read_table(content, file_name)
    problems: list[Problem] = []
    rows = _parse(header, table, implied, problems)
    if len(rows) > MAX_ROWS:
        raise ValidationFailed(f"at most {MAX_ROWS} rows per file", field="file")
    created = 0
    if not problems:
        _validate(session, scope, rows, problems)
    if not problems and not dry_run:
        created = _write(session, rows, progress)
    record = ResourceImport(
        id=new_id(),
        file_name=file_name[:255],
        actor=actor,
        dry_run=dry_run,
        rows=len(rows),
        created=created,
        result="failed" if problems else ("validated" if dry_run else "succeeded"),
        error_count=len(problems),
        report=[p.as_dict() for p in problems[:5000]],
        created_at=lifecycle.now(),
    )
    session.add(record)
    session.flush()
    return ImportOutcome(record, problems)


def _parse(
    header: list[str], table: list[list[str]], implied: str | None, problems: list[Problem]
) -> list[_Row]:
    names: list[str] = []
    for col in header:
        if col not in COLUMNS and not (col.startswith("char.") and len(col) > 5):
            problems.append(Problem(1, col or "?", f"unknown column '{col}'"))
        names.append(col)
    if len(set(names)) != len(names):
        problems.append(Problem(1, "header", "a column appears twice"))
    rows: list[_Row] = []
    for offset, raw in enumerate(table):
        if not any(raw):
            continue
        cells: dict[str, str] = {}
        chars: dict[str, str] = {}
        for name, value in zip(names, raw, strict=False):
            if name.startswith("char."):
                if value != "":
                    chars[name[5:]] = value
            else:
                cells[name] = value
        if not cells.get("spec") and implied:
            cells["spec"] = implied
        rows.append(_Row(offset + 2, cells, chars))
    if not rows:
        problems.append(Problem(1, "file", "the file has no data rows"))
    return rows


def _validate(session: Session, scope: Scope, rows: list[_Row], problems: list[Problem]) -> None:
    specs = {s.id: s for s in session.scalars(select(ResourceSpec))}
    partners = {p.id: p for p in session.scalars(select(NetworkPartner))}
    directory = place_directory()
    site_codes: dict[str, PlaceSite | None] = {}
    site_ids: dict[str, PlaceSite | None] = {}
    refs: dict[str, _Row] = {}
    in_file: set[tuple[str, str]] = set()

    def bad(row: _Row, field_name: str, reason: str) -> None:
        problems.append(Problem(row.number, field_name, reason))

    # pass 1: what each row says on its own
    for row in rows:
        c = row.cells
        spec = specs.get(c.get("spec", ""))
        if spec is None:
            bad(row, "spec", f"unknown spec '{c.get('spec', '')}'")
        elif spec.status != "active":
            bad(row, "spec", f"spec '{spec.id}' is retired")
        else:
            row.spec = spec
        ref = c.get("ref", "")
        if ref:
            if ref in refs:
                bad(row, "ref", f"ref '{ref}' is also used by row {refs[ref].number}")
            else:
                refs[ref] = row
        value = c.get("value", "") or None
        name = c.get("name", "") or value
        if not name:
            bad(row, "name", "a name or a value is required")
        elif len(name) > 128:
            bad(row, "name", "longer than 128 characters")
        if value and len(value) > 128:
            bad(row, "value", "longer than 128 characters")
        if spec is not None and value:
            key = (spec.id, value)
            if key in in_file:
                bad(row, "value", f"duplicate value '{value}' of '{spec.id}' in the file")
            in_file.add(key)
        status = c.get("status", "") or "available"
        if status not in STATUSES:
            bad(row, "status", f"status must be planned or available, not '{status}'")
        owner = c.get("owner", "") or None
        partner = partners.get(owner) if owner else None
        if owner and partner is None:
            bad(row, "owner", f"unknown partner '{owner}'")
        terms = c.get("terms", "") or (partner.default_terms if partner else "own")
        if terms not in OWNERSHIP_TERMS:
            bad(row, "terms", f"terms must be one of {', '.join(OWNERSHIP_TERMS)}")
        elif owner is None and terms != "own":
            bad(row, "terms", "the operator's own resources are used on 'own' terms")
        capacity: int | None = None
        if c.get("capacity"):
            try:
                capacity = int(c["capacity"])
                if capacity < 0:
                    raise ValueError
            except ValueError:
                bad(row, "capacity", f"'{c['capacity']}' is not a whole number ≥ 0")
        site: PlaceSite | None = None
        if c.get("siteCode"):
            code = c["siteCode"]
            if code not in site_codes:
                site_codes[code] = directory.site_by_code(session, scope, code)
            site = site_codes[code]
            if site is None:
                bad(row, "siteCode", f"unknown building '{code}'")
        elif c.get("siteId"):
            ident = c["siteId"]
            if ident not in site_ids:
                site_ids[ident] = directory.site(session, scope, ident)
            site = site_ids[ident]
            if site is None:
                bad(row, "siteId", f"unknown building '{ident}'")
        region = c.get("regionId", "") or (site.region_id if site else None)
        if region and scope.regions is not None and region not in scope.regions:
            bad(row, "regionId", f"region '{region}' is outside your scope")
        characteristics: list[dict[str, Any]] = []
        if spec is not None:
            characteristics, char_problems = check_characteristics(spec, row.chars)
            for field_name, reason in char_problems:
                bad(row, field_name, reason)
            if capacity is None:
                for ch in characteristics:
                    if ch["name"] in ("ratio", "capacity", "ports") and isinstance(
                        ch["value"], int
                    ):
                        capacity = ch["value"]
        row.values = {
            "name": name,
            "value": value,
            "status": status,
            "partner_id": owner,
            "terms": terms,
            "capacity": capacity,
            "site_id": site.id if site else None,
            "region_id": region,
            "characteristics": characteristics,
            "grade": c.get("grade", "") or None,
            "description": c.get("description", "") or None,
        }

    # values already in the inventory
    by_spec: dict[str, list[str]] = {}
    for spec_id, value in in_file:
        by_spec.setdefault(spec_id, []).append(value)
    taken: set[tuple[str, str]] = set()
    for spec_id, values in by_spec.items():
        for part in chunks(values):
            taken.update(
                (spec_id, v)
                for v in session.scalars(
                    select(Resource.value).where(
                        Resource.spec_id == spec_id, Resource.value.in_(list(part))
                    )
                )
                if v is not None
            )
    for row in rows:
        value = row.values.get("value")
        if row.spec is not None and value and (row.spec.id, value) in taken:
            bad(row, "value", f"'{value}' of '{row.spec.id}' already exists in the inventory")

    # parents: a ref of the file, or an existing resource by id or value
    tokens = sorted(
        {r.cells["parent"] for r in rows if r.cells.get("parent") and r.cells["parent"] not in refs}
    )
    existing: dict[str, list[Resource]] = {}
    for part in chunks(tokens):
        stmt = apply_scope(
            select(Resource).where(Resource.id.in_(list(part)) | Resource.value.in_(list(part))),
            Resource,
            scope,
        )
        for res in session.scalars(stmt):
            for found in {res.id, res.value}:
                if found is not None and found in part:
                    existing.setdefault(found, []).append(res)
    for row in rows:
        token = row.cells.get("parent", "")
        if not token or row.spec is None:
            continue
        allowed = row.spec.parent_specs or []
        if token in refs:
            parent_row = refs[token]
            if parent_row is row:
                bad(row, "parent", "a resource cannot contain itself")
                continue
            row.parent_row = parent_row
            parent_spec = parent_row.spec.id if parent_row.spec else None
        else:
            candidates = existing.get(token, [])
            if len(candidates) > 1:
                candidates = [c for c in candidates if c.spec_id in allowed] or candidates
            if not candidates:
                bad(row, "parent", f"unknown parent '{token}'")
                continue
            if len(candidates) > 1:
                bad(row, "parent", f"parent '{token}' is ambiguous: give its id")
                continue
            row.parent = candidates[0]
            if row.parent.lifecycle_status == "retired":
                bad(row, "parent", f"parent '{token}' is retired")
                continue
            parent_spec = row.parent.spec_id
        if parent_spec is not None and parent_spec not in allowed:
            bad(
                row,
                "parent",
                f"a '{row.spec.id}' cannot be contained in a '{parent_spec}'"
                + (f" (allowed: {', '.join(allowed)})" if allowed else ""),
            )

    # containment order (parents first); cycles are errors
    for row in rows:
        _depth(row, problems)


def _depth(row: _Row, problems: list[Problem]) -> int:
    if row.depth >= 0:
        return row.depth
    chain: list[_Row] = []
    current: _Row | None = row
    while current is not None and current.depth < 0:
        if current in chain:
            problems.append(Problem(row.number, "parent", "the parents form a cycle"))
            for r in chain:
                r.depth = 0
            return 0
        chain.append(current)
        current = current.parent_row
    base = current.depth + 1 if current is not None else 0
    for r in reversed(chain):
        r.depth = base
        base += 1
    return row.depth


def _write(session: Session, rows: list[_Row], progress: Progress | None) -> int:
    at = lifecycle.now()
    ordered = sorted(rows, key=lambda r: r.depth)
    ids = {id(r): new_id() for r in rows}
    table = cast(Table, Resource.__table__)
    batch: list[dict[str, Any]] = []
    sites: set[str] = set()
    done = 0
    for row in ordered:
        assert row.spec is not None
        v = row.values
        parent_id: str | None = None
        parent_site: str | None = None
        parent_region: str | None = None
        if row.parent_row is not None:
            parent_id = ids[id(row.parent_row)]
            parent_site = row.parent_row.values["site_id"]
            parent_region = row.parent_row.values["region_id"]
        elif row.parent is not None:
            parent_id = row.parent.id
            parent_site, parent_region = row.parent.site_id, row.parent.region_id
        if v["site_id"] is None:
            v["site_id"] = parent_site
        if v["region_id"] is None:
            v["region_id"] = parent_region
        values: dict[str, Any] = {
            "id": ids[id(row)],
            "spec_id": row.spec.id,
            "base_type": row.spec.base_type,
            "category": row.spec.category,
            "name": v["name"],
            "value": v["value"],
            "description": v["description"],
            "parent_id": parent_id,
            "site_id": v["site_id"],
            "region_id": v["region_id"],
            "partner_id": v["partner_id"],
            "ownership_terms": v["terms"],
            **lifecycle.initial_states(v["status"]),
            "grade": v["grade"],
            "capacity": v["capacity"],
            "characteristics": v["characteristics"],
            "relationships": None,
            "reservation_id": None,
            "hold_until": None,
            "start_operating_date": None,
            "end_operating_date": None,
            "created_at": at,
            "updated_at": at,
        }
        values["doc"] = RESOURCE_RESOURCE.render_document(values)
        batch.append(values)
        if v["site_id"]:
            sites.add(v["site_id"])
        if len(batch) >= INSERT_BATCH:
            session.execute(insert(table), batch)
            done += len(batch)
            batch = []
            if progress:
                progress(done, len(rows))
    if batch:
        session.execute(insert(table), batch)
        done += len(batch)
        if progress:
            progress(done, len(rows))
    lifecycle.notify_capacity(session, sites)
    return done


def list_imports(session: Session, *, limit: int = 50, offset: int = 0) -> Sequence[ResourceImport]:
    stmt = (
        select(ResourceImport)
        .order_by(ResourceImport.created_at.desc(), ResourceImport.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(stmt))


def import_doc(record: ResourceImport, *, with_report: bool = True) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": record.id,
        "fileName": record.file_name,
        "actor": record.actor,
        "dryRun": record.dry_run,
        "rows": record.rows,
        "created": record.created,
        "result": record.result,
        "errorCount": record.error_count,
        "createdAt": record.created_at.isoformat().replace("+00:00", "Z"),
    }
    if with_report:
        doc["report"] = record.report
    return doc
