"""Read models of the catalog for the console (eTOM 1.1.1.1): the offering
list and everything the offering page shows, as plain data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from openboss.catalog import mapping, readiness, repository, versioning
from openboss.catalog.models import (
    DeliveryRule,
    ProductOffering,
    ProductSpecification,
)
from openboss.catalog.service import LIFECYCLE
from openboss.kit.errors import NotFound


@dataclass(frozen=True, slots=True)
class OfferingRow:
    id: str
    name: str
    localized_name: dict[str, str]
    version: str
    lifecycle_status: str
    is_bundle: bool
    places: list[str]
    last_update: Any


def list_offerings(
    session: Session,
    *,
    status: str | None = None,
    query: str | None = None,
    offset: int = 0,
    limit: int = 25,
) -> tuple[list[OfferingRow], int]:
    """Offerings by name, filtered by lifecycle status and a text in the name or id."""
    stmt = select(ProductOffering)
    if status:
        stmt = stmt.where(ProductOffering.lifecycle_status == status)
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(
            or_(func.lower(ProductOffering.name).like(like), ProductOffering.id.like(like))
        )
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = session.scalars(
        stmt.order_by(ProductOffering.name, ProductOffering.id).offset(offset).limit(limit)
    ).all()
    return [
        OfferingRow(
            r.id,
            r.name,
            dict(r.localized_name or {}),
            r.version,
            r.lifecycle_status,
            r.is_bundle,
            [p["id"] for p in r.place or []],
            r.last_update,
        )
        for r in rows
    ], total


@dataclass
class OfferingPage:
    """Everything the offering page shows."""

    offering: dict[str, Any]
    specification: dict[str, Any] | None
    prices: list[dict[str, Any]]
    members: list[dict[str, Any]]
    rules: list[dict[str, Any]]
    chains: dict[str, mapping.ServiceChain]
    versions: list[dict[str, Any]]
    report: readiness.Report
    next_states: list[str] = field(default_factory=list)


def _doc(ident: str, stored: str) -> dict[str, Any]:
    return {"id": ident, **orjson.loads(stored)}


def offering_page(session: Session, offering_id: str) -> OfferingPage:
    row = repository.find(session, ProductOffering, offering_id)
    if row is None:
        raise NotFound(f"productOffering '{offering_id}' not found")
    spec = (
        repository.find(session, ProductSpecification, row.product_spec_id)
        if row.product_spec_id
        else None
    )
    price_rows = repository.prices(session, [p["id"] for p in row.product_offering_price or []])
    member_rows = repository.offerings(
        session, [m["id"] for m in row.bundled_product_offering or []]
    )
    members = []
    for member in row.bundled_product_offering or []:
        found = member_rows.get(member["id"])
        option = member.get("bundledProductOfferingOption") or {}
        members.append(
            {
                "id": member["id"],
                "name": found.name if found else None,
                "localizedName": dict(found.localized_name or {}) if found else {},
                "lifecycleStatus": found.lifecycle_status if found else None,
                "lower": option.get("numberRelOfferLowerLimit", 0),
                "upper": option.get("numberRelOfferUpperLimit", 1),
                "default": option.get("numberRelOfferDefault"),
            }
        )
    spec_ids = [s for _m, s in mapping.specs_of(session, row)]
    rules = (
        [
            {
                "id": r.id,
                "productSpecification": r.product_spec_id,
                "regionId": r.region_id,
                "coverageType": r.coverage_type,
                "deliveryMode": r.delivery_mode,
                "processKey": r.process_key,
                "slaCompletionHours": r.sla_completion_hours,
                "slaJeopardyPercent": r.sla_jeopardy_percent,
            }
            for r in session.scalars(
                select(DeliveryRule)
                .where(DeliveryRule.product_spec_id.in_(spec_ids))
                .order_by(
                    DeliveryRule.product_spec_id, DeliveryRule.coverage_type, DeliveryRule.region_id
                )
            )
        ]
        if spec_ids
        else []
    )
    return OfferingPage(
        offering=_doc(row.id, row.doc),
        specification=_doc(spec.id, spec.doc) if spec else None,
        prices=[
            _doc(i, price_rows[i].doc)
            for i in (p["id"] for p in row.product_offering_price or [])
            if i in price_rows
        ],
        members=members,
        rules=rules,
        chains={s: mapping.service_chain(session, s) for s in dict.fromkeys(spec_ids)},
        versions=versioning.history(session, row.id),
        report=readiness.readiness(session, row),
        next_states=sorted(LIFECYCLE.allowed(row.lifecycle_status)),
    )


def price_summary(price: dict[str, Any]) -> str:
    """A one-line reading of a price model, e.g. ``99.00 CNY / month``."""
    model = price.get("priceModel")
    if not model:
        money = price.get("price")
        return f"{money['value']} {money['unit']}" if money else "—"
    currency = model.get("currency", "CNY")

    def amount(minor: int | None) -> str:
        return f"{(minor or 0) / 100:.2f} {currency}"

    kind = model["kind"]
    if kind == "oneTime":
        return f"{amount(model['amount'])} ({model.get('chargeEvent', 'activation')})"
    if kind == "recurring":
        length = model.get("periodLength", 1)
        period = model.get("period", "month")
        every = period if length == 1 else f"{length} {period}s"
        return f"{amount(model['amount'])} / {every}"
    if kind == "usage":
        per = model.get("perUnits", 1)
        unit = model["unit"] if per == 1 else f"{per} {model['unit']}"
        tiers = ", ".join(
            f"{'≤' + str(t['upTo']) + ': ' if t.get('upTo') else ''}{amount(t['unitPrice'])}"
            for t in model["tiers"]
        )
        included = (
            f"{model.get('included', 0)} {model['unit']} included; "
            if model.get("included")
            else ""
        )
        return f"{included}{tiers} per {unit} ({model.get('tierMode', 'graduated')})"
    alteration = model["alteration"]
    if alteration == "contractTerm":
        return f"{model['months']} months, early termination {amount(model['earlyTerminationFee'])}"
    off = (
        f"{model['percent']} %"
        if model.get("percent") is not None
        else amount(model.get("amountOff"))
    )
    months = f" for {model['months']} months" if model.get("months") else ""
    return f"−{off}{months} on {', '.join(model.get('appliesTo', []))}"
