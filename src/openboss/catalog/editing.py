"""What a product manager changes on an offering, as single use cases — eTOM
1.1.1.1 (product lifecycle management support & readiness).

The TMF620 API changes one entity at a time; a product manager thinks in
changes to *the offering*: "raise the monthly fee to 139 yuan", "the IPTV
member becomes optional", "sell it through partners in Gongshu". Each function
here is one such change, made through :mod:`openboss.catalog.service` so that
every rule of the API holds (validation, lifecycle, readiness, versions,
events), and all-or-nothing (the caller's transaction).

* **Prices** — a price no launched offering uses is changed in place; a price
  a launched offering uses is locked (what was sold keeps its price), so a
  change creates a *new* price and points the offering at it, which makes the
  offering's next version (readiness-checked first).
* **Bundle members** — cardinality (at least / at most / default), add, remove.
* **Characteristics** — the product specification's characteristics, whole.
* **Delivery rules** — the fulfilment mapping per region and coverage type
  (:mod:`openboss.catalog.mapping`), upsert and delete.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from openboss.catalog import mapping, repository, service
from openboss.catalog.models import DeliveryRule, ProductOffering
from openboss.catalog.schemas import IN_TEST, LAUNCHED, RETIRED
from openboss.kit.errors import Conflict, NotFound, ValidationFailed
from openboss.kit.tmf.http import validate


def _offering(session: Session, offering_id: str) -> ProductOffering:
    row = repository.find(session, ProductOffering, offering_id)
    if row is None:
        raise NotFound(f"productOffering '{offering_id}' not found")
    if row.lifecycle_status == RETIRED:
        raise Conflict(f"productOffering '{offering_id}' is retired and no longer changes")
    return row


def _price_refs(row: ProductOffering) -> list[dict[str, Any]]:
    return [dict(r) for r in row.product_offering_price or []]


def _set_prices(
    session: Session,
    offering_id: str,
    refs: list[dict[str, Any]],
    base_url: str,
    actor: str | None,
) -> service.Written:
    return service.update(
        session,
        service.OFFERING,
        offering_id,
        {"productOfferingPrice": refs or None},
        base_url,
        actor=actor,
    )


def _price_body(
    name: str, localized: dict[str, str] | None, price_model: dict[str, Any]
) -> dict[str, Any]:
    if not isinstance(price_model, dict):
        raise ValidationFailed("the price model must be a mapping", field="priceModel")
    body: dict[str, Any] = {"name": name, "priceModel": price_model}
    names = {k: v for k, v in (localized or {}).items() if v}
    if names:
        body["localizedName"] = names
    return body


def change_price(
    session: Session,
    offering_id: str,
    price_id: str,
    *,
    name: str,
    localized: dict[str, str] | None,
    price_model: dict[str, Any],
    base_url: str,
    actor: str | None = None,
) -> service.Written:
    """Change one of the offering's prices; returns the offering as written.

    In place when no launched offering uses the price; otherwise a new price
    (launched) replaces it in this offering, which becomes a new version.
    """
    row = _offering(session, offering_id)
    refs = _price_refs(row)
    if not any(r.get("id") == price_id for r in refs):
        raise NotFound(f"price '{price_id}' is not a price of productOffering '{offering_id}'")
    body = _price_body(name, localized, price_model)
    if not repository.launched_offerings_using_price(session, price_id):
        service.update(session, service.PRICE, price_id, body, base_url, actor=actor)
        return service.update(session, service.OFFERING, offering_id, {}, base_url, actor=actor)
    new_price = _new_launched_price(session, body, base_url, actor)
    replaced = [{"id": new_price, "name": name} if r.get("id") == price_id else r for r in refs]
    return _set_prices(session, offering_id, replaced, base_url, actor)


def _new_launched_price(
    session: Session, body: dict[str, Any], base_url: str, actor: str | None
) -> str:
    data = validate(service.PRICE.create, {**body, "lifecycleStatus": IN_TEST})
    written = service.create(session, service.PRICE, data, base_url)
    service.update(
        session,
        service.PRICE,
        written.row.id,
        {"lifecycleStatus": LAUNCHED},
        base_url,
        actor=actor,
    )
    return str(written.row.id)


def add_price(
    session: Session,
    offering_id: str,
    *,
    name: str,
    localized: dict[str, str] | None,
    price_model: dict[str, Any],
    base_url: str,
    actor: str | None = None,
) -> service.Written:
    """Add a new price to the offering (a launched offering gets a new version)."""
    row = _offering(session, offering_id)
    body = _price_body(name, localized, price_model)
    if row.lifecycle_status == LAUNCHED:
        price_id = _new_launched_price(session, body, base_url, actor)
    else:
        data = validate(service.PRICE.create, body)
        price_id = str(service.create(session, service.PRICE, data, base_url).row.id)
    refs = [*_price_refs(row), {"id": price_id, "name": name}]
    return _set_prices(session, offering_id, refs, base_url, actor)


def remove_price(
    session: Session, offering_id: str, price_id: str, *, base_url: str, actor: str | None = None
) -> service.Written:
    """Take a price off the offering (the price itself stays: older versions use it)."""
    row = _offering(session, offering_id)
    refs = _price_refs(row)
    kept = [r for r in refs if r.get("id") != price_id]
    if len(kept) == len(refs):
        raise NotFound(f"price '{price_id}' is not a price of productOffering '{offering_id}'")
    return _set_prices(session, offering_id, kept, base_url, actor)


# --------------------------------------------------------------------------- bundles


def _members(row: ProductOffering) -> list[dict[str, Any]]:
    if not row.is_bundle:
        raise Conflict(f"productOffering '{row.id}' is not a bundle")
    return [dict(m) for m in row.bundled_product_offering or []]


def _member_option(lower: int, upper: int, default: int | None) -> dict[str, Any]:
    if lower < 0:
        raise ValidationFailed("at least must be 0 or more", field="numberRelOfferLowerLimit")
    if upper < max(lower, 1):
        raise ValidationFailed(
            "at most must be at least 1 and not below at least", field="numberRelOfferUpperLimit"
        )
    option: dict[str, Any] = {
        "numberRelOfferLowerLimit": lower,
        "numberRelOfferUpperLimit": upper,
    }
    if default is not None:
        if not lower <= default <= upper:
            raise ValidationFailed(
                "the default must lie between at least and at most",
                field="numberRelOfferDefault",
            )
        option["numberRelOfferDefault"] = default
    return option


def set_member(
    session: Session,
    offering_id: str,
    member_id: str,
    *,
    lower: int,
    upper: int,
    default: int | None,
    base_url: str,
    actor: str | None = None,
) -> service.Written:
    """Add a member to a bundle, or change a member's cardinality."""
    row = _offering(session, offering_id)
    members = _members(row)
    option = _member_option(lower, upper, default)
    found = False
    for member in members:
        if member.get("id") == member_id:
            member["bundledProductOfferingOption"] = option
            found = True
    if not found:
        members.append({"id": member_id, "bundledProductOfferingOption": option})
    return service.update(
        session,
        service.OFFERING,
        offering_id,
        {"bundledProductOffering": members},
        base_url,
        actor=actor,
    )


def remove_member(
    session: Session, offering_id: str, member_id: str, *, base_url: str, actor: str | None = None
) -> service.Written:
    """Take a member out of a bundle (its dependency rules must go first: 400)."""
    row = _offering(session, offering_id)
    members = _members(row)
    kept = [m for m in members if m.get("id") != member_id]
    if len(kept) == len(members):
        raise NotFound(f"'{member_id}' is not a member of bundle '{offering_id}'")
    if not kept:
        raise ValidationFailed("a bundle keeps at least one member", field="bundledProductOffering")
    return service.update(
        session,
        service.OFFERING,
        offering_id,
        {"bundledProductOffering": kept},
        base_url,
        actor=actor,
    )


# --------------------------------------------------------------------------- characteristics


def set_characteristics(
    session: Session,
    spec_id: str,
    characteristics: list[dict[str, Any]],
    *,
    base_url: str,
    actor: str | None = None,
) -> service.Written:
    """Replace the characteristics of a product specification (validated as by
    the API: types, allowed values, ranges, defaults)."""
    if not isinstance(characteristics, list) or not all(
        isinstance(c, dict) for c in characteristics
    ):
        raise ValidationFailed(
            "characteristics are a list of mappings", field="productSpecCharacteristic"
        )
    return service.update(
        session,
        service.SPECIFICATION,
        spec_id,
        {"productSpecCharacteristic": characteristics or None},
        base_url,
        actor=actor,
    )


# --------------------------------------------------------------------------- delivery rules


def upsert_rule(session: Session, body: dict[str, Any]) -> DeliveryRule:
    """Add or replace the delivery rule of (specification, region, coverage type)."""
    return mapping.upsert_delivery_rule(session, validate(mapping.DeliveryRuleIn, body))


def delete_rule(session: Session, rule_id: str) -> DeliveryRule:
    """Remove a delivery rule (readiness of offerings sold where it applied
    will say so before their next launch or version)."""
    row = session.get(DeliveryRule, rule_id)
    if row is None:
        raise NotFound(f"delivery rule '{rule_id}' not found")
    session.delete(row)
    session.flush()
    return row


def rule_view(rule: DeliveryRule) -> dict[str, Any]:
    """A delivery rule as the API shows it."""
    return {
        "id": rule.id,
        **mapping.rule_as_input(rule).model_dump(mode="json", by_alias=True, exclude_none=True),
        "lastUpdate": rule.updated_at.isoformat().replace("+00:00", "Z"),
    }
