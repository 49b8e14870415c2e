"""The price summary: catalog prices per item, bundle alterations at order
time, tax, totals — exact integer minor units."""

from __future__ import annotations

from sqlalchemy.orm import Session

from openboss.ordering import service
from tests.ordering.conftest import World, item, order_body


def totals(summary: dict) -> dict[str, tuple[int, int]]:  # type: ignore[type-arg]
    return {t["priceType"]: (t["taxIncludedMinor"], t["dutyFreeMinor"]) for t in summary["totals"]}


def test_simple_broadband(session: Session, world: World) -> None:
    summary = service.price_summary(session, order_body(world))
    # 129.00 a month and 100.00 installation, VAT 6 % included
    assert totals(summary) == {"oneTime": (10000, 9434), "recurring": (12900, 12170)}
    one = summary["items"]["1"]["itemPrice"]
    assert [p["priceType"] for p in one] == ["recurring", "oneTime"]
    monthly = one[0]
    assert monthly["recurringChargePeriod"] == "month"
    assert monthly["price"]["taxIncludedAmount"] == {"unit": "CNY", "value": 129.0}
    assert monthly["price"]["dutyFreeAmount"] == {"unit": "CNY", "value": 121.7}
    assert monthly["price"]["taxRate"] == 0.06
    assert summary["orderTotalPrice"][0]["priceType"] == "oneTime"


def test_family_bundle_with_discount_and_promotion(session: Session, world: World) -> None:
    body = order_body(world, item("1", "po-family-1000m", address=world.ftth_address))
    summary = service.price_summary(session, body)
    # recurring: 199.00 and 129.00 at 70 % (139.30, 90.30); IPTV 20.00 → 14.00 → free 6 months
    # one-time: installation 100.00 and terminal 299.00
    assert totals(summary) == {"oneTime": (39900, 9434 + 26460), "recurring": (22960, 13142 + 8284)}
    members = summary["items"]
    assert set(members) == {"1", "1.1", "1.2", "1.3", "1.4"}  # default selection
    iptv = next(
        v
        for k, v in members.items()
        if k != "1"
        and any(
            p["productOfferingPrice"]["id"] == "pop-iptv-monthly" for p in v.get("itemPrice", [])
        )
    )
    alts = iptv["itemPrice"][0]["priceAlteration"]
    assert [a["productOfferingPrice"]["id"] for a in alts] == [
        "pop-family-discount",
        "pop-family-iptv-promo",
    ]
    assert [a["price"]["taxIncludedAmount"]["value"] for a in alts] == [-6.0, -14.0]
    assert alts[1]["applicationDuration"] == 6
    bundle = members["1"]
    assert bundle["itemTerm"][0]["duration"] == {"amount": 24, "units": "month"}
    assert "itemPrice" not in bundle
    recurring = next(t for t in bundle["itemTotalPrice"] if t["priceType"] == "recurring")
    assert recurring["price"]["taxIncludedAmount"]["value"] == 229.6


def test_two_mobile_lines_add_up(session: Session, world: World) -> None:
    body = order_body(
        world,
        item("1", "po-mobile-5g-59"),
        item("2", "po-mobile-5g-129"),
    )
    # usage prices are rated by billing, not summed here
    assert totals(service.price_summary(session, body)) == {"recurring": (18800, 5413 + 11835)}
