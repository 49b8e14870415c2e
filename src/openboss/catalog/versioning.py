"""Offering versions: what a product was sold as never changes.

When an offering is launched, its version is **frozen**: the offering's
representation with its prices (full documents) and its product
specification embedded is stored in ``catalog_offering_version``. A change
to a launched offering does not touch that snapshot: it creates the next
version (``1`` → ``2``), frozen in turn, effective now or — when the change
sets ``validFor.startDateTime`` in the future — from that time on
(``scheduled``). A scheduled version can be **withdrawn** before it takes
effect, which puts the offering back to the previous version's content.

A product references ``(offering id, version)``; :func:`version_document`
returns what it was sold under, whatever happened to the offering since
(later versions, retirement). :func:`version_at` answers which version was
on sale at a given time.

Prices referenced by a launched offering are locked (a change is a 409):
change a launched offering's price by creating a new price and pointing the
offering at it, which makes a new version.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.orm import Session

from openboss.catalog import repository
from openboss.catalog.models import (
    OfferingVersion,
    ProductOffering,
    ProductSpecification,
)
from openboss.kit.clock import utcnow
from openboss.kit.errors import NotFound
from openboss.kit.ids import new_id

SCHEDULED, EFFECTIVE, WITHDRAWN = "scheduled", "effective", "withdrawn"


def next_version(version: str) -> str:
    """``1`` → ``2``; ``1.0`` → ``2.0``; ``2024a`` → ``2024a.1``."""
    if re.fullmatch(r"\d+", version):
        return str(int(version) + 1)
    match = re.fullmatch(r"(\d+)\.(\d+)", version)
    if match:
        return f"{int(match.group(1)) + 1}.0"
    return version + ".1"


def _doc(ident: str, stored: str) -> dict[str, Any]:
    return {"id": ident, **orjson.loads(stored)}


def snapshot(session: Session, offering: ProductOffering) -> dict[str, Any]:
    """The frozen content of the offering as it is now (flushed)."""
    price_ids = [r["id"] for r in offering.product_offering_price or []]
    prices = repository.prices(session, price_ids)
    spec = (
        repository.find(session, ProductSpecification, offering.product_spec_id)
        if offering.product_spec_id
        else None
    )
    members = repository.offerings(
        session, [m["id"] for m in offering.bundled_product_offering or []]
    )
    return {
        "productOffering": _doc(offering.id, offering.doc),
        "productOfferingPrice": [_doc(i, prices[i].doc) for i in price_ids if i in prices],
        "productSpecification": _doc(spec.id, spec.doc) if spec is not None else None,
        "bundledProductOfferingVersion": {i: m.version for i, m in members.items()},
    }


def freeze(
    session: Session,
    offering: ProductOffering,
    *,
    effective_from: datetime | None = None,
    actor: str | None = None,
) -> OfferingVersion:
    """Store the offering's current version (call after a flush)."""
    now = utcnow()
    start = effective_from if effective_from is not None and effective_from > now else now
    row = OfferingVersion(
        id=new_id(),
        offering_id=offering.id,
        version=offering.version,
        status=SCHEDULED if start > now else EFFECTIVE,
        effective_from=start,
        created_at=now,
        created_by=actor,
        document=snapshot(session, offering),
    )
    session.add(row)
    session.flush()
    return row


def refresh_statuses(session: Session, offering_id: str) -> list[OfferingVersion]:
    """The versions of an offering, scheduled ones past their time marked effective."""
    now = utcnow()
    rows = list(repository.versions(session, offering_id))
    for row in rows:
        if row.status == SCHEDULED and row.effective_from <= now:
            row.status = EFFECTIVE
    return rows


def version_document(session: Session, offering_id: str, version: str) -> dict[str, Any]:
    """What a product sold under ``(offering_id, version)`` was sold as (404 if unknown)."""
    row = repository.version(session, offering_id, version)
    if row is None:
        raise NotFound(f"productOffering '{offering_id}' has no version '{version}'")
    return dict(row.document)


def version_at(session: Session, offering_id: str, at: datetime) -> OfferingVersion | None:
    """The version on sale at ``at`` (the latest non-withdrawn one effective by then)."""
    best: OfferingVersion | None = None
    for row in repository.versions(session, offering_id):
        if row.status == WITHDRAWN or row.effective_from > at:
            continue
        if best is None or (row.effective_from, row.created_at) >= (
            best.effective_from,
            best.created_at,
        ):
            best = row
    return best


def history(session: Session, offering_id: str) -> list[dict[str, Any]]:
    """The versions of an offering, oldest first (for the API and console)."""
    return [
        {
            "version": r.version,
            "status": r.status,
            "effectiveFrom": r.effective_from.isoformat().replace("+00:00", "Z"),
            "createdAt": r.created_at.isoformat().replace("+00:00", "Z"),
            "createdBy": r.created_by,
            "name": r.document.get("productOffering", {}).get("name"),
        }
        for r in refresh_statuses(session, offering_id)
    ]
