"""Validation of a product order against the catalog, the addresses and the
party domain: every problem named by its field, nothing written."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openboss.kit.scope import SYSTEM_SCOPE
from openboss.ordering import service
from openboss.ordering.models import ProductOrder
from tests.ordering.conftest import World, item, order_body


def fields(problems: list[dict[str, str]]) -> list[str]:
    return [p["field"] for p in problems]


def test_a_valid_order_has_no_problem(session: Session, world: World) -> None:
    body = order_body(world)
    assert service.validate_order(session, SYSTEM_SCOPE, body) == []
    assert session.scalar(select(func.count()).select_from(ProductOrder)) == 0


def test_every_problem_is_named_by_its_field(session: Session, world: World) -> None:
    body = order_body(
        world,
        item(
            "1",
            "po-hbb-300m",
            address=world.ftth_address,
            chars={"downloadSpeed": 1000, "colour": "red"},
        ),
        item("2", "po-nothing", address=world.ftth_address),
        item("3", "po-static-ip-addon", address=world.ftth_address),
        item("4", "po-mobile-5g-59", action="modify"),
        item("5", "po-iptv-basic"),
    )
    body["billingAccount"] = {"id": "no-such-account"}
    problems = service.validate_order(session, SYSTEM_SCOPE, body)
    got = fields(problems)
    assert "productOrderItem[0].product.productCharacteristic[downloadSpeed]" in got
    assert "productOrderItem[0].product.productCharacteristic[colour]" in got
    assert "productOrderItem[1].productOffering.id" in got
    assert "productOrderItem[2].productOffering.id" in got  # not sold on its own
    assert "productOrderItem[3].product.id" in got  # modify names the product
    assert "productOrderItem[4].product.place" in got  # IPTV needs an address
    assert "billingAccount.id" in got
    speed = next(p for p in problems if p["field"].endswith("[downloadSpeed]"))
    assert "fixed to 300" in speed["message"]


def test_characteristic_ranges_and_required_values(session: Session, world: World) -> None:
    bad = order_body(
        world,
        item(
            "1",
            "po-family-1000m",
            address=world.ftth_address,
            members=[
                item("1.1", "po-hbb-1000m"),
                item("1.2", "po-mobile-5g-129", chars={"includedDataGB": 5000}),
                item("1.3", "po-home-terminal", chars={"model": "NoSuchModel"}),
            ],
        ),
    )
    got = fields(service.validate_order(session, SYSTEM_SCOPE, bad))
    assert (
        "productOrderItem[0].productOrderItem[1].product.productCharacteristic[includedDataGB]"
        in got
    )
    assert "productOrderItem[0].productOrderItem[2].product.productCharacteristic[model]" in got


def test_no_coverage_is_refused_with_the_reason(session: Session, world: World) -> None:
    body = order_body(world, item("1", "po-hbb-100m", address=world.none_address))
    problems = service.validate_order(session, SYSTEM_SCOPE, body)
    assert fields(problems) == ["productOrderItem[0].product.place"]
    assert "noCoverage" in problems[0]["message"]
    assert "No network or partner coverage" in problems[0]["message"]


def test_unknown_customer_and_address(session: Session, world: World) -> None:
    body = order_body(world, item("1", "po-hbb-100m", address="no-such-address"))
    body["relatedParty"] = [{"id": "nobody", "role": "customer", "@referredType": "Customer"}]
    got = fields(service.validate_order(session, SYSTEM_SCOPE, body))
    assert "relatedParty[0].id" in got
    assert "productOrderItem[0].product.place[0].id" in got


def test_bundle_cardinality_and_rules(session: Session, world: World) -> None:
    members = [item("1.1", "po-hbb-1000m")] + [
        item(f"1.{n}", "po-mobile-5g-129") for n in range(2, 7)
    ]
    body = order_body(
        world, item("1", "po-family-1000m", address=world.ftth_address, members=members)
    )
    problems = service.validate_order(session, SYSTEM_SCOPE, body)
    messages = [
        p["message"] for p in problems if p["field"] == "productOrderItem[0].productOrderItem"
    ]
    assert any("at most 4 allowed, 5 chosen" in m for m in messages)
    assert any("po-home-terminal': at least 1 required" in m for m in messages)


def test_duplicate_item_ids_and_unknown_relationships(session: Session, world: World) -> None:
    body = order_body(
        world,
        item("1", "po-hbb-100m", address=world.ftth_address),
        item("1", "po-mobile-5g-59", relies_on=["9"]),
    )
    got = fields(service.validate_order(session, SYSTEM_SCOPE, body))
    assert "productOrderItem[1].id" in got
    assert "productOrderItem[1].productOrderItemRelationship[0].id" in got


def test_access_password_only_on_broadband(session: Session, world: World) -> None:
    body = order_body(
        world,
        item("1", "po-hbb-100m", address=world.ftth_address, chars={"accessPassword": "short"}),
        item("2", "po-mobile-5g-59", chars={"accessAccount": "someone"}),
    )
    got = fields(service.validate_order(session, SYSTEM_SCOPE, body))
    assert got == [
        "productOrderItem[0].product.productCharacteristic[accessPassword]",
        "productOrderItem[1].product.productCharacteristic[accessAccount]",
    ]
