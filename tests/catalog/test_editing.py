"""A product manager's changes to an offering (eTOM 1.1.1.1): prices, bundle
members, characteristics and delivery rules, through the use cases."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from sqlalchemy.orm import Session

from openboss.catalog import editing, service, versioning
from openboss.catalog.models import ProductOffering, ProductOfferingPrice
from openboss.kit.errors import Conflict, NotFound, ValidationFailed
from tests.catalog.conftest import MONTHLY, URL, launch, make_offering, make_price

RAISED: dict[str, Any] = {**MONTHLY, "amount": 13900}


def _offering(session: Session, ident: str = "po-bb") -> ProductOffering:
    row = session.get(ProductOffering, ident)
    assert row is not None
    return row


def test_price_of_an_offering_in_test_changes_in_place(ready_catalog: Session) -> None:
    session = ready_catalog
    editing.change_price(
        session,
        "po-bb",
        "pop-1",
        name="Monthly",
        localized={"zh-CN": "月费"},
        price_model=RAISED,
        base_url=URL,
    )
    price = session.get(ProductOfferingPrice, "pop-1")
    assert price is not None and price.price_model is not None
    assert price.price_model["amount"] == 13900
    assert [r["id"] for r in _offering(session).product_offering_price or []] == ["pop-1"]


def test_price_of_a_launched_offering_becomes_a_new_price_and_version(
    ready_catalog: Session,
) -> None:
    session = ready_catalog
    launch(session, "po-bb")
    assert _offering(session).version == "1"
    editing.change_price(
        session,
        "po-bb",
        "pop-1",
        name="Monthly",
        localized=None,
        price_model=RAISED,
        base_url=URL,
        actor="pm",
    )
    row = _offering(session)
    new_ids = [r["id"] for r in row.product_offering_price or []]
    assert new_ids != ["pop-1"] and len(new_ids) == 1
    new_price = session.get(ProductOfferingPrice, new_ids[0])
    assert new_price is not None and new_price.lifecycle_status == "Launched"
    assert new_price.price_model is not None and new_price.price_model["amount"] == 13900
    old = session.get(ProductOfferingPrice, "pop-1")
    assert old is not None and old.price_model is not None and old.price_model["amount"] == 9900
    assert row.version == "2"
    # what was sold under version 1 still carries the old price
    sold = versioning.version_document(session, "po-bb", "1")
    assert [p["id"] for p in sold["productOfferingPrice"]] == ["pop-1"]


def test_invalid_price_model_is_a_400_and_changes_nothing(ready_catalog: Session) -> None:
    session = ready_catalog
    launch(session, "po-bb")
    prices_before = session.query(ProductOfferingPrice).count()
    with pytest.raises(ValidationFailed) as err:
        editing.change_price(
            session,
            "po-bb",
            "pop-1",
            name="Monthly",
            localized=None,
            price_model={**MONTHLY, "amount": -5},
            base_url=URL,
        )
    assert "priceModel" in (err.value.field or "")
    assert session.query(ProductOfferingPrice).count() == prices_before
    assert [r["id"] for r in _offering(session).product_offering_price or []] == ["pop-1"]


def test_unknown_price_of_the_offering_is_404(ready_catalog: Session) -> None:
    with pytest.raises(NotFound):
        editing.change_price(
            ready_catalog,
            "po-bb",
            "pop-x",
            name="x",
            localized=None,
            price_model=MONTHLY,
            base_url=URL,
        )


def test_add_and_remove_price(ready_catalog: Session) -> None:
    session = ready_catalog
    install = {
        "kind": "oneTime",
        "amount": 10000,
        "currency": "CNY",
        "chargeEvent": "installation",
        "taxCategory": "valueAddedTelecom",
    }
    editing.add_price(
        session,
        "po-bb",
        name="Installation",
        localized={"zh-CN": "安装费"},
        price_model=install,
        base_url=URL,
    )
    refs = [r["id"] for r in _offering(session).product_offering_price or []]
    assert len(refs) == 2 and refs[0] == "pop-1"
    editing.remove_price(session, "po-bb", refs[1], base_url=URL)
    assert [r["id"] for r in _offering(session).product_offering_price or []] == ["pop-1"]


def test_removing_the_last_price_of_a_launched_offering_is_not_ready(
    ready_catalog: Session,
) -> None:
    session = ready_catalog
    launch(session, "po-bb")
    with pytest.raises(service.NotReady) as err:
        editing.remove_price(session, "po-bb", "pop-1", base_url=URL)
    assert "no price" in err.value.message


def _bundle(session: Session) -> None:
    make_price(session, "pop-2")
    make_offering(session, "po-tv", name="IPTV", productOfferingPrice=[{"id": "pop-2"}])
    make_offering(
        session,
        "po-pack",
        name="Pack",
        productSpecification=None,
        productOfferingPrice=None,
        isBundle=True,
        bundledProductOffering=[{"id": "po-bb"}],
    )


def test_bundle_members_cardinality_add_and_remove(ready_catalog: Session) -> None:
    session = ready_catalog
    _bundle(session)
    editing.set_member(session, "po-pack", "po-tv", lower=0, upper=2, default=1, base_url=URL)
    members = {m["id"]: m for m in _offering(session, "po-pack").bundled_product_offering or []}
    assert members["po-tv"]["bundledProductOfferingOption"] == {
        "numberRelOfferLowerLimit": 0,
        "numberRelOfferUpperLimit": 2,
        "numberRelOfferDefault": 1,
    }
    editing.set_member(session, "po-pack", "po-tv", lower=1, upper=1, default=None, base_url=URL)
    members = {m["id"]: m for m in _offering(session, "po-pack").bundled_product_offering or []}
    assert members["po-tv"]["bundledProductOfferingOption"]["numberRelOfferLowerLimit"] == 1
    editing.remove_member(session, "po-pack", "po-tv", base_url=URL)
    assert [m["id"] for m in _offering(session, "po-pack").bundled_product_offering or []] == [
        "po-bb"
    ]
    with pytest.raises(ValidationFailed):
        editing.remove_member(session, "po-pack", "po-bb", base_url=URL)


@pytest.mark.parametrize(
    ("lower", "upper", "default", "field"),
    [
        (-1, 1, None, "numberRelOfferLowerLimit"),
        (2, 1, None, "numberRelOfferUpperLimit"),
        (0, 0, None, "numberRelOfferUpperLimit"),
        (0, 2, 3, "numberRelOfferDefault"),
    ],
)
def test_bad_cardinality_names_the_limit(
    ready_catalog: Session, lower: int, upper: int, default: int | None, field: str
) -> None:
    _bundle(ready_catalog)
    with pytest.raises(ValidationFailed) as err:
        editing.set_member(
            ready_catalog,
            "po-pack",
            "po-tv",
            lower=lower,
            upper=upper,
            default=default,
            base_url=URL,
        )
    assert err.value.field == field


def test_member_of_a_simple_offering_is_a_409(ready_catalog: Session) -> None:
    with pytest.raises(Conflict):
        editing.set_member(
            ready_catalog, "po-bb", "po-x", lower=0, upper=1, default=None, base_url=URL
        )


def test_unknown_member_offering_is_a_400(ready_catalog: Session) -> None:
    _bundle(ready_catalog)
    with pytest.raises(ValidationFailed):
        editing.set_member(
            ready_catalog, "po-pack", "po-nope", lower=0, upper=1, default=None, base_url=URL
        )


def test_characteristics_are_validated_and_replaced(ready_catalog: Session) -> None:
    session = ready_catalog
    chars = [
        {
            "name": "bandwidth",
            "valueType": "integer",
            "configurable": False,
            "productSpecCharacteristicValue": [
                {"value": 300, "unitOfMeasure": "Mbps", "isDefault": True}
            ],
        }
    ]
    written = editing.set_characteristics(session, "ps-bb", chars, base_url=URL)
    doc = orjson.loads(written.body)
    assert doc["productSpecCharacteristic"][0]["name"] == "bandwidth"
    with pytest.raises(ValidationFailed):
        editing.set_characteristics(
            session, "ps-bb", [{"name": "x", "valueType": "colour"}], base_url=URL
        )
    with pytest.raises(ValidationFailed):
        editing.set_characteristics(session, "ps-bb", "bandwidth", base_url=URL)  # type: ignore[arg-type]


def test_delivery_rule_upsert_and_delete(ready_catalog: Session) -> None:
    session = ready_catalog
    rule = editing.upsert_rule(
        session,
        {
            "productSpecification": "ps-bb",
            "regionId": "330105",
            "coverageType": "partnerCable",
            "deliveryMode": "partner",
            "processKey": "broadband-partner",
            "slaCompletionHours": 72,
            "slaJeopardyPercent": 80,
        },
    )
    again = editing.upsert_rule(
        session,
        {
            "productSpecification": "ps-bb",
            "regionId": "330105",
            "coverageType": "partnerCable",
            "deliveryMode": "partner",
            "slaCompletionHours": 96,
        },
    )
    assert again.id == rule.id and again.sla_completion_hours == 96
    view = editing.rule_view(again)
    assert view["coverageType"] == "partnerCable" and view["id"] == rule.id
    editing.delete_rule(session, rule.id)
    with pytest.raises(NotFound):
        editing.delete_rule(session, rule.id)
    with pytest.raises(ValidationFailed) as err:
        editing.upsert_rule(
            session,
            {
                "productSpecification": "ps-bb",
                "coverageType": "satellite",
                "deliveryMode": "partner",
            },
        )
    assert err.value.field == "coverageType"


def test_retired_offering_does_not_change(ready_catalog: Session) -> None:
    session = ready_catalog
    launch(session, "po-bb")
    service.update(session, service.OFFERING, "po-bb", {"lifecycleStatus": "Retired"}, URL)
    with pytest.raises(Conflict):
        editing.add_price(
            session, "po-bb", name="x", localized=None, price_model=MONTHLY, base_url=URL
        )
