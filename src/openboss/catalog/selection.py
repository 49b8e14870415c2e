"""What a buyer may choose: bundle members within their cardinality and
dependency rules, and characteristic values within what the specification
allows. Order capture (eTOM 1.1.1.5) calls these before accepting an order
item; each returns the reasons a choice is refused (empty: accepted).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openboss.catalog.models import ProductOffering, ProductSpecification
from openboss.catalog.schemas import ProductSpecCharacteristic


def _limits(member: Mapping[str, Any]) -> tuple[int, int, int]:
    option = member.get("bundledProductOfferingOption") or {}
    low = int(option.get("numberRelOfferLowerLimit", 0))
    high = int(option.get("numberRelOfferUpperLimit", 1))
    default = int(option.get("numberRelOfferDefault", low))
    return low, high, default


def default_selection(offering: ProductOffering) -> dict[str, int]:
    """How many of each member a bundle holds unless the buyer says otherwise."""
    return {m["id"]: _limits(m)[2] for m in offering.bundled_product_offering or []}


def check_bundle_selection(offering: ProductOffering, chosen: Mapping[str, int]) -> list[str]:
    """Why ``chosen`` (member offering id → count) is not a valid bundle."""
    if not offering.is_bundle:
        return [f"'{offering.id}' is not a bundle"]
    members = {m["id"]: m for m in offering.bundled_product_offering or []}
    reasons = [f"'{i}' is not a member of the bundle" for i in chosen if i not in members]
    for ident, member in members.items():
        low, high, _default = _limits(member)
        count = chosen.get(ident, 0)
        if count < 0:
            reasons.append(f"'{ident}': a count cannot be negative")
        elif count < low:
            reasons.append(f"'{ident}': at least {low} required, {count} chosen")
        elif count > high:
            reasons.append(f"'{ident}': at most {high} allowed, {count} chosen")
    for rule in offering.bundle_rule or []:
        source, target = rule["fromId"], rule["toId"]
        if chosen.get(source, 0) <= 0:
            continue
        if rule["ruleType"] == "requires" and chosen.get(target, 0) <= 0:
            reasons.append(f"'{source}' requires '{target}'")
        if rule["ruleType"] == "excludes" and chosen.get(target, 0) > 0:
            reasons.append(f"'{source}' excludes '{target}'")
    return reasons


def check_characteristics(spec: ProductSpecification, values: Mapping[str, Any]) -> list[str]:
    """Why characteristic ``values`` (name → value) are not allowed by the
    specification: unknown names, values outside the allowed ones or ranges,
    a fixed characteristic set to something else than its default."""
    chars = {
        c["name"]: ProductSpecCharacteristic.model_validate(c)
        for c in spec.product_spec_characteristic or []
    }
    reasons = [f"unknown characteristic '{n}'" for n in values if n not in chars]
    for name, char in chars.items():
        if name not in values:
            if char.min_cardinality > 0 and char.default() is None:
                reasons.append(f"'{name}' is required")
            continue
        if not char.allows(values[name]):
            if not char.configurable:
                reasons.append(f"'{name}' is fixed to {char.default()!r}")
            else:
                reasons.append(f"'{name}': {values[name]!r} is not allowed")
    return reasons
