"""Fixtures of the catalog tests: a small, complete catalog built through the
use cases, and the demo catalog."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from openboss.catalog import mapping, service, yaml_io
from openboss.catalog.schemas import (
    ProductOfferingCreate,
    ProductOfferingPriceCreate,
    ProductSpecificationCreate,
)

BASE = "/tmf-api/productCatalogManagement/v4"
URL = "http://testserver"

Headers = Callable[..., dict[str, str]]

MONTHLY: dict[str, Any] = {
    "kind": "recurring",
    "amount": 9900,
    "currency": "CNY",
    "period": "month",
    "taxCategory": "valueAddedTelecom",
}


def build_mapping(session: Session, spec_id: str = "ps-bb") -> None:
    """Resource spec → RFS → CFS → product spec, and a delivery rule for it."""
    mapping.upsert_resource_spec(session, mapping.ResourceSpecIn(id="rs-port", name="GPON port"))
    mapping.upsert_service_spec(
        session,
        mapping.ServiceSpecIn(id="rfs-gpon", kind="RFS", name="GPON", resource_specs=["rs-port"]),
    )
    mapping.upsert_service_spec(
        session, mapping.ServiceSpecIn(id="cfs-net", kind="CFS", name="Internet", rfs=["rfs-gpon"])
    )
    service.create(
        session,
        service.SPECIFICATION,
        ProductSpecificationCreate.model_validate(
            {"name": "Broadband", "serviceSpecification": [{"id": "cfs-net"}]}
        ),
        URL,
        ident=spec_id,
    )
    mapping.upsert_delivery_rule(
        session,
        mapping.DeliveryRuleIn(
            product_specification=spec_id,
            region_id="*",
            coverage_type="ownFtth",
            delivery_mode="ownConstruction",
            process_key="broadband-ftth-install",
            sla_completion_hours=48,
            sla_jeopardy_percent=75,
        ),
    )


def make_price(session: Session, ident: str, model: dict[str, Any] | None = None) -> None:
    service.create(
        session,
        service.PRICE,
        ProductOfferingPriceCreate.model_validate(
            {"name": f"price {ident}", "priceModel": model or MONTHLY}
        ),
        URL,
        ident=ident,
    )


def make_offering(session: Session, ident: str = "po-bb", **overrides: Any) -> Any:
    body: dict[str, Any] = {
        "name": "Broadband 100M",
        "productSpecification": {"id": "ps-bb"},
        "productOfferingPrice": [{"id": "pop-1"}],
        "place": [{"id": "330100"}],
        "lifecycleStatus": "In test",
    }
    body.update(overrides)
    return service.create(
        session, service.OFFERING, ProductOfferingCreate.model_validate(body), URL, ident=ident
    ).row


def launch(session: Session, ident: str) -> None:
    service.update(session, service.OFFERING, ident, {"lifecycleStatus": "Launched"}, URL)


@pytest.fixture
def ready_catalog(session: Session) -> Session:
    """A mapped specification, a price and an offering In test that is ready."""
    build_mapping(session)
    make_price(session, "pop-1")
    make_offering(session)
    session.commit()
    return session


@pytest.fixture
def demo(session: Session) -> Session:
    yaml_io.load_demo_catalog(session)
    session.commit()
    return session


@pytest.fixture
def marketing(auth_headers: Headers) -> dict[str, str]:
    return auth_headers("marketing")
