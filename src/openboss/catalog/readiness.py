"""Product readiness before launch — eTOM 1.1.1.1 CRM support & readiness.

An offering may be launched (and a launched offering changed) only when
every **check** passes. Each check returns findings: ``failed`` ones block
the launch and name what is missing, ``pending`` ones are recorded in the
report without blocking.

Built-in checks:

* ``prices`` — at least one price (a bundle: its own or its members'); each
  price exists, is not retired, has a valid ``priceModel``; one currency;
  alterations alter prices of this offering or its members;
* ``specification`` — a simple offering has an existing product
  specification; a bundle has members that exist, are launched and are not
  bundles themselves;
* ``eligibility`` — the offering names the places (regions) it is sold in;
* ``delivery`` — in every place, every product specification resolves a
  delivery rule (for at least one coverage type) with a BPMN process key
  and an SLA;
* ``resourceMapping`` — every product specification maps to CFSs, each CFS
  to RFSs, each RFS to resource specifications;
* ``testOrder`` — a test order (TMF622 ``category`` ``testOrder``) placed
  while the offering is In test must have completed. Order handling owns the
  orders, so it replaces this placeholder with its own check at import
  (:mod:`openboss.ordering.testorders`, ``register_check("testOrder", fn)``):
  passed with a completed test order, failed without one when
  ``OPENBOSS_CATALOG_TEST_ORDER_REQUIRED`` is true, pending otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from openboss.catalog import mapping, pricing, repository
from openboss.catalog.models import ProductOffering, ProductSpecification
from openboss.catalog.schemas import LAUNCHED, RETIRED


@dataclass(frozen=True, slots=True)
class Finding:
    """One result of a readiness check."""

    check: str
    status: str  # passed | failed | pending
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"check": self.check, "status": self.status, "message": self.message}


@dataclass(frozen=True, slots=True)
class Report:
    """The readiness report of an offering."""

    offering_id: str
    version: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not any(f.status == "failed" for f in self.findings)

    @property
    def reasons(self) -> list[str]:
        return [f.message for f in self.findings if f.status == "failed"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "productOfferingId": self.offering_id,
            "version": self.version,
            "ready": self.ready,
            "findings": [f.as_dict() for f in self.findings],
        }


Check = Callable[[Session, ProductOffering], list[Finding]]


def _ok(check: str, message: str) -> list[Finding]:
    return [Finding(check, "passed", message)]


def _failed(check: str, messages: list[str]) -> list[Finding]:
    return [Finding(check, "failed", m) for m in messages]


def check_prices(session: Session, offering: ProductOffering) -> list[Finding]:
    own = [r["id"] for r in offering.product_offering_price or []]
    member_rows = repository.offerings(
        session, [m["id"] for m in offering.bundled_product_offering or []]
    )
    member_prices = [r["id"] for m in member_rows.values() for r in m.product_offering_price or []]
    if not own and not (offering.is_bundle and member_prices):
        return _failed("prices", ["the offering has no price"])
    rows = repository.prices(session, own)
    problems: list[str] = []
    currencies: set[str] = set()
    known = set(own) | set(member_prices)
    for ident in own:
        row = rows.get(ident)
        if row is None:
            problems.append(f"price '{ident}' does not exist")
            continue
        if row.lifecycle_status == RETIRED:
            problems.append(f"price '{ident}' is retired")
        if row.price_model is None:
            problems.append(f"price '{ident}' has no priceModel (billing cannot rate it)")
            continue
        try:
            model = pricing.parse_price_model(row.price_model)
        except ValidationError as exc:
            problems.append(f"price '{ident}' has an invalid priceModel: {exc.errors()[0]['msg']}")
            continue
        currencies.add(model.currency)
        if isinstance(model, pricing.AlterationPrice):
            for target in model.applies_to:
                if target not in known:
                    problems.append(
                        f"price '{ident}' alters '{target}', which is not a price of this "
                        "offering or its members"
                    )
    if len(currencies) > 1:
        problems.append("prices use several currencies: " + ", ".join(sorted(currencies)))
    if problems:
        return _failed("prices", problems)
    return _ok("prices", f"{len(own)} price(s) complete")


def check_specification(session: Session, offering: ProductOffering) -> list[Finding]:
    if not offering.is_bundle:
        if not offering.product_spec_id:
            return _failed("specification", ["the offering has no product specification"])
        spec = repository.find(session, ProductSpecification, offering.product_spec_id)
        if spec is None:
            return _failed(
                "specification", [f"product specification '{offering.product_spec_id}' is missing"]
            )
        if spec.lifecycle_status == RETIRED:
            return _failed("specification", [f"product specification '{spec.id}' is retired"])
        return _ok("specification", f"product specification '{spec.id}'")
    members = offering.bundled_product_offering or []
    if not members:
        return _failed("specification", ["the bundle has no members"])
    rows = repository.offerings(session, [m["id"] for m in members])
    problems = []
    for member in members:
        row = rows.get(member["id"])
        if row is None:
            problems.append(f"bundle member '{member['id']}' does not exist")
        elif row.is_bundle:
            problems.append(f"bundle member '{row.id}' is itself a bundle")
        elif row.lifecycle_status != LAUNCHED:
            problems.append(f"bundle member '{row.id}' is {row.lifecycle_status}, not Launched")
    if problems:
        return _failed("specification", problems)
    return _ok("specification", f"{len(members)} launched member(s)")


def check_eligibility(session: Session, offering: ProductOffering) -> list[Finding]:
    if not offering.place:
        return _failed("eligibility", ["the offering names no place (region) where it is sold"])
    return _ok("eligibility", "sold in " + ", ".join(p["id"] for p in offering.place))


def check_delivery(session: Session, offering: ProductOffering) -> list[Finding]:
    specs = mapping.specs_of(session, offering)
    if not specs:
        return _failed("delivery", ["no product specification to deliver"])
    problems = []
    for place in offering.place or []:
        region = place["id"]
        for member_id, spec_id in specs:
            items = [
                mapping.resolve_spec(session, member_id, spec_id, region, coverage)
                for coverage in mapping.COVERAGE_TYPES
            ]
            found = [i for i in items if i is not None]
            if not found:
                problems.append(
                    f"region {region}: no delivery rule for product specification '{spec_id}'"
                )
                continue
            for item in found:
                if not item.process_key:
                    problems.append(
                        f"region {region}: '{spec_id}' ({item.coverage_type}) has no BPMN "
                        "process key"
                    )
                if item.sla is None:
                    problems.append(
                        f"region {region}: '{spec_id}' ({item.coverage_type}) has no SLA"
                    )
    if problems:
        return _failed("delivery", list(dict.fromkeys(problems)))
    return _ok("delivery", "every place resolves a delivery mode, flow and SLA")


def check_resource_mapping(session: Session, offering: ProductOffering) -> list[Finding]:
    problems: list[str] = []
    specs = mapping.specs_of(session, offering)
    for _member, spec_id in specs:
        problems.extend(mapping.service_chain(session, spec_id).problems)
    if not specs:
        problems.append("no product specification to map")
    if problems:
        return _failed("resourceMapping", list(dict.fromkeys(problems)))
    return _ok("resourceMapping", "services and resources mapped")


def check_test_order(session: Session, offering: ProductOffering) -> list[Finding]:
    return [
        Finding(
            "testOrder",
            "pending",
            "test order in the test state: pending until order handling exists "
            "(the ordering domain registers this check)",
        )
    ]


_CHECKS: dict[str, Check] = {
    "prices": check_prices,
    "specification": check_specification,
    "eligibility": check_eligibility,
    "delivery": check_delivery,
    "resourceMapping": check_resource_mapping,
    "testOrder": check_test_order,
}


def register_check(name: str, check: Check) -> None:
    """Add a check or replace one (the ordering domain replaces ``testOrder``)."""
    _CHECKS[name] = check


def checks() -> dict[str, Check]:
    return dict(_CHECKS)


def readiness(session: Session, offering: ProductOffering) -> Report:
    """Run every check on the offering as it is now (flushed or not)."""
    findings: list[Finding] = []
    for check in _CHECKS.values():
        findings.extend(check(session, offering))
    return Report(offering.id, offering.version, findings)
