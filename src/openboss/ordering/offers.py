"""What order capture reads of the catalog (eTOM 1.1.1.5 reading 1.1.1.1):
an offering as sold — its specification's characteristics narrowed by the
offering's ``prodSpecCharValueUse``, its bundle members and rules, its prices
and terms — read through the catalog's TMF620 resources, never its tables.

:func:`check_characteristics` names every characteristic problem of an item;
:func:`check_members` every bundle problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import orjson
from pydantic import ValidationError
from sqlalchemy.orm import Session

from openboss.catalog import service as catalog
from openboss.catalog.schemas import ProductSpecCharacteristic
from openboss.kit.tmf.listing import fetch_document

_BASE = "http://openboss.local"

#: Characteristics of broadband access the order accepts beyond the specification.
ACCESS_ACCOUNT = "accessAccount"
ACCESS_PASSWORD = "accessPassword"  # noqa: S105 - a characteristic name, not a secret
ACCESS_CHARACTERISTICS = frozenset({ACCESS_ACCOUNT, ACCESS_PASSWORD})

#: The CFS that gives fixed access at an address.
ACCESS_CFS = "cfs-internet-access"
#: CFS delivered over a fixed access of the same address: an item of one of
#: these relies on the access item of the same order (broadband before IPTV).
NEEDS_ACCESS_CFS = frozenset({"cfs-iptv", "cfs-static-ip", "cfs-fixed-voice", "cfs-home-terminal"})
#: CFS that need no address (a mobile line).
ADDRESS_FREE_CFS = frozenset({"cfs-mobile"})


@dataclass(frozen=True, slots=True)
class Member:
    id: str
    lower: int
    upper: int
    default: int


@dataclass(frozen=True, slots=True)
class Offer:
    """An offering as order capture sees it."""

    id: str
    name: str
    version: str
    lifecycle_status: str
    is_bundle: bool
    is_sellable: bool
    spec_id: str | None
    members: tuple[Member, ...]
    rules: tuple[Mapping[str, Any], ...]
    prices: tuple[Mapping[str, Any], ...]
    terms: tuple[Mapping[str, Any], ...]
    characteristics: Mapping[str, ProductSpecCharacteristic] = field(default_factory=dict)
    cfs: tuple[str, ...] = ()

    @property
    def is_access(self) -> bool:
        return ACCESS_CFS in self.cfs

    @property
    def needs_access(self) -> bool:
        return bool(NEEDS_ACCESS_CFS & set(self.cfs))

    @property
    def needs_address(self) -> bool:
        return bool(set(self.cfs) - ADDRESS_FREE_CFS)


def _doc(session: Session, entity: catalog.Entity, ident: str) -> dict[str, Any] | None:
    raw = fetch_document(session, entity.resource, ident, base_url=_BASE)
    return cast(dict[str, Any], orjson.loads(raw)) if raw is not None else None


def _effective(
    spec_char: dict[str, Any], use: Mapping[str, Any] | None
) -> ProductSpecCharacteristic:
    data = dict(spec_char)
    if use and use.get("productSpecCharacteristicValue"):
        values = [dict(v) for v in use["productSpecCharacteristicValue"]]
        data["productSpecCharacteristicValue"] = values
        if len(values) == 1 and values[0].get("value") is not None:
            values[0]["isDefault"] = True
            data["configurable"] = False
    try:
        return ProductSpecCharacteristic.model_validate(data)
    except ValidationError:
        return ProductSpecCharacteristic.model_validate(spec_char)


class Offers:
    """Offerings read once per request (a small cache)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._cache: dict[str, Offer | None] = {}

    def get(self, offering_id: str) -> Offer | None:
        if offering_id not in self._cache:
            self._cache[offering_id] = self._load(offering_id)
        return self._cache[offering_id]

    def _load(self, offering_id: str) -> Offer | None:
        doc = _doc(self.session, catalog.OFFERING, offering_id)
        if doc is None:
            return None
        spec_id = (doc.get("productSpecification") or {}).get("id")
        chars: dict[str, ProductSpecCharacteristic] = {}
        cfs: tuple[str, ...] = ()
        if spec_id:
            spec = _doc(self.session, catalog.SPECIFICATION, spec_id) or {}
            uses = {u["name"]: u for u in doc.get("prodSpecCharValueUse") or [] if "name" in u}
            for c in spec.get("productSpecCharacteristic") or []:
                chars[c["name"]] = _effective(c, uses.get(c["name"]))
            cfs = tuple(s["id"] for s in spec.get("serviceSpecification") or [])
        prices = []
        for ref in doc.get("productOfferingPrice") or []:
            price = _doc(self.session, catalog.PRICE, ref["id"])
            if price is not None:
                prices.append(price)
        members = []
        for m in doc.get("bundledProductOffering") or []:
            option = m.get("bundledProductOfferingOption") or {}
            low = int(option.get("numberRelOfferLowerLimit", 0))
            members.append(
                Member(
                    m["id"],
                    low,
                    int(option.get("numberRelOfferUpperLimit", 1)),
                    int(option.get("numberRelOfferDefault", low)),
                )
            )
        return Offer(
            id=offering_id,
            name=str(doc.get("name") or offering_id),
            version=str(doc.get("version") or ""),
            lifecycle_status=str(doc.get("lifecycleStatus") or ""),
            is_bundle=bool(doc.get("isBundle")),
            is_sellable=bool(doc.get("isSellable", True)),
            spec_id=spec_id,
            members=tuple(members),
            rules=tuple(doc.get("bundleRule") or ()),
            prices=tuple(prices),
            terms=tuple(doc.get("productOfferingTerm") or ()),
            characteristics=chars,
            cfs=cfs,
        )


def check_characteristics(
    offer: Offer, values: Mapping[str, Any], *, action: str
) -> list[tuple[str, str]]:
    """``(characteristic name, message)`` for every value the offering does not
    allow; required ones missing on ``add``. Access credentials are allowed on
    broadband (access) offerings only."""
    problems: list[tuple[str, str]] = []
    for name, value in values.items():
        if name in ACCESS_CHARACTERISTICS:
            if not offer.is_access:
                problems.append((name, f"'{name}' applies to broadband access only"))
            elif not isinstance(value, str) or not value:
                problems.append((name, f"'{name}' is a non-empty string"))
            elif name == ACCESS_ACCOUNT and not _account_ok(value):
                problems.append((name, "3-64 letters, digits, '.', '_', '-' or '@'"))
            elif name == ACCESS_PASSWORD and not 8 <= len(value) <= 64:
                problems.append((name, "the password has 8 to 64 characters"))
            continue
        char = offer.characteristics.get(name)
        if char is None:
            known = ", ".join(sorted(offer.characteristics)) or "none"
            problems.append((name, f"unknown characteristic '{name}' (known: {known})"))
        elif not char.allows(value):
            if not char.configurable:
                problems.append((name, f"'{name}' is fixed to {char.default()!r}"))
            else:
                problems.append((name, f"{value!r} is not an allowed value of '{name}'"))
    if action == "add":
        for name, char in offer.characteristics.items():
            if name not in values and char.min_cardinality > 0 and char.default() is None:
                problems.append((name, f"'{name}' is required"))
    return problems


def defaults(offer: Offer, values: Mapping[str, Any]) -> dict[str, Any]:
    """The values with the offering's defaults filled in (for a new product)."""
    out = dict(values)
    for name, char in offer.characteristics.items():
        if name not in out and char.default() is not None:
            out[name] = char.default()
    return out


def _account_ok(value: str) -> bool:
    import re

    return bool(re.fullmatch(r"[A-Za-z0-9._@-]{3,64}", value))


def check_members(offer: Offer, chosen: Mapping[str, int]) -> list[str]:
    """Why ``chosen`` (member offering id → count) is not a valid selection."""
    members = {m.id: m for m in offer.members}
    reasons = [f"'{i}' is not a member of the bundle" for i in chosen if i not in members]
    for ident, m in members.items():
        count = chosen.get(ident, 0)
        if count < m.lower:
            reasons.append(f"'{ident}': at least {m.lower} required, {count} chosen")
        elif count > m.upper:
            reasons.append(f"'{ident}': at most {m.upper} allowed, {count} chosen")
    for rule in offer.rules:
        source, target = rule.get("fromId"), rule.get("toId")
        if not source or chosen.get(source, 0) <= 0:
            continue
        if rule.get("ruleType") == "requires" and chosen.get(str(target), 0) <= 0:
            reasons.append(f"'{source}' requires '{target}'")
        if rule.get("ruleType") == "excludes" and chosen.get(str(target), 0) > 0:
            reasons.append(f"'{source}' excludes '{target}'")
    return reasons
