"""TMF620 v4 end to end over HTTP on SQLite and PostgreSQL: the conformance
basics (201 + Location, GET, list filters and fields, PATCH as merge patch and
as plain JSON, DELETE 204 then 404), roles, lifecycle, readiness, prices,
bundles, versions and fulfilment."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.events.models import OutboxEvent
from tests.catalog.conftest import BASE, MONTHLY, Headers

OFFERINGS = f"{BASE}/productOffering"
PRICES = f"{BASE}/productOfferingPrice"
MERGE = {"Content-Type": "application/merge-patch+json"}


def post(client: TestClient, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    r = client.post(f"{BASE}/{path}", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


# --------------------------------------------------------------------------- conformance basics


def test_every_resource_supports_create_get_list_patch_delete(
    client: TestClient, marketing: dict[str, str]
) -> None:
    bodies: dict[str, dict[str, Any]] = {
        "catalog": {"name": "Main", "catalogType": "product"},
        "category": {"name": "Broadband"},
        "productSpecification": {"name": "Fibre"},
        "productOffering": {"name": "Fibre 100M", "@type": "ProductOffering", "@baseType": "x"},
        "productOfferingPrice": {
            "name": "Monthly",
            "priceType": "recurring",
            "price": {"unit": "CNY", "value": 99.5},
        },
    }
    for path, body in bodies.items():
        created = client.post(f"{BASE}/{path}", json=body, headers=marketing)
        assert created.status_code == 201, created.text
        item = created.json()
        href = f"http://testserver{BASE}/{path}/{item['id']}"
        assert created.headers["Location"] == href == item["href"]
        assert item["lifecycleStatus"] == "In design"
        assert item["version"] == "1"
        assert item["@type"] == path[0].upper() + path[1:]
        assert "lastUpdate" in item

        got = client.get(href, headers=marketing)
        assert got.status_code == 200 and got.json() == item

        listed = client.get(
            f"{BASE}/{path}", params={"name": body["name"], "fields": "name"}, headers=marketing
        )
        assert listed.status_code == 200
        assert listed.headers["X-Total-Count"] == "1"
        assert listed.json() == [
            {"id": item["id"], "href": href, "@type": item["@type"], "name": body["name"]}
        ]

        patched = client.patch(href, json={"description": "merge"}, headers=marketing | MERGE)
        assert patched.status_code == 200, patched.text
        assert patched.json()["description"] == "merge"
        plain = client.patch(href, json={"description": "plain json"}, headers=marketing)
        assert plain.status_code == 200, plain.text
        assert plain.json()["description"] == "plain json"

        assert client.delete(href, headers=marketing).status_code == 204
        assert client.get(href, headers=marketing).status_code == 404


def test_price_money_is_exact_and_filterable(client: TestClient, marketing: dict[str, str]) -> None:
    price = post(
        client,
        "productOfferingPrice",
        {"name": "Fee", "priceType": "oneTime", "price": {"unit": "CNY", "value": 0.1}},
        marketing,
    )
    assert price["price"] == {"unit": "CNY", "value": 0.1}
    found = client.get(PRICES, params={"price.value.lt": "1"}, headers=marketing).json()
    assert [p["id"] for p in found] == [price["id"]]
    bad = client.post(
        PRICES,
        json={"name": "Fee", "price": {"unit": "CNY", "value": 0.001}},
        headers=marketing,
    )
    assert bad.status_code == 400 and "price" in bad.json()["message"]


def test_reads_for_everyone_signed_in_writes_for_marketing_and_manager(
    client: TestClient, auth_headers: Headers
) -> None:
    csr = auth_headers("csr")
    assert client.get(OFFERINGS, headers=csr).status_code == 200
    assert client.post(OFFERINGS, json={"name": "x"}, headers=csr).status_code == 403
    assert client.get(OFFERINGS).status_code == 401
    made = client.post(OFFERINGS, json={"name": "x"}, headers=auth_headers("manager"))
    assert made.status_code == 201
    href = made.json()["href"]
    assert client.patch(href, json={"name": "y"}, headers=csr).status_code == 403
    assert client.delete(href, headers=csr).status_code == 403


def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(
    client: TestClient, marketing: dict[str, str]
) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"name": "x", "place": [{"id": "Hangzhou"}]}, "place.0.id"),
        ({"name": "x", "productSpecification": {"id": "nope"}}, "productSpecification"),
        ({"name": "x", "productOfferingPrice": [{"id": "nope"}]}, "productOfferingPrice"),
        ({"name": "x", "lifecycleStatus": "Launched"}, "lifecycleStatus"),
        ({"name": "x", "lifecycleStatus": "Active"}, "lifecycleStatus"),
        (
            {
                "name": "x",
                "isBundle": True,
                "bundledProductOffering": [
                    {
                        "id": "a",
                        "bundledProductOfferingOption": {
                            "numberRelOfferLowerLimit": 3,
                            "numberRelOfferUpperLimit": 1,
                        },
                    }
                ],
            },
            "bundledProductOffering.0.bundledProductOfferingOption",
        ),
        ({"name": "x", "bundledProductOffering": [{"id": "a"}]}, "body"),
        ({"name": "x", "localizedName": {"fr": "Fibre"}}, "localizedName"),
    ]
    for body, field in cases:
        r = client.post(OFFERINGS, json=body, headers=marketing)
        assert r.status_code == 400, (body, r.text)
        assert r.json()["field"] == field, (body, r.json())
    assert client.get(OFFERINGS, headers=marketing).headers["X-Total-Count"] == "0"


def test_patch_refuses_read_only_and_illegal_moves(
    client: TestClient, marketing: dict[str, str]
) -> None:
    item = post(client, "productOffering", {"name": "Fibre"}, marketing)
    href = item["href"]
    for attr in ("id", "href", "lastUpdate", "@type", "version"):
        r = client.patch(href, json={attr: "x"}, headers=marketing)
        assert r.status_code == 400 and r.json()["field"] == attr
    assert client.patch(href, json={"name": None}, headers=marketing).status_code == 400
    r = client.patch(href, json={"lifecycleStatus": "Launched"}, headers=marketing)
    assert r.status_code == 409 and r.json()["code"] == "ILLEGAL_STATE_TRANSITION"
    r = client.patch(href, content=b"x", headers=marketing | {"Content-Type": "text/plain"})
    assert r.status_code == 415


# --------------------------------------------------------------------------- readiness and lifecycle


def test_launch_is_refused_with_the_reasons_until_ready(
    client: TestClient, marketing: dict[str, str], ready_catalog: Session
) -> None:
    incomplete = post(
        client,
        "productOffering",
        {
            "name": "Half done",
            "lifecycleStatus": "In test",
            "productSpecification": {"id": "ps-bb"},
        },
        marketing,
    )
    r = client.patch(incomplete["href"], json={"lifecycleStatus": "Launched"}, headers=marketing)
    assert r.status_code == 409, r.text
    error = r.json()
    assert error["code"] == "NOT_READY"
    assert "the offering has no price" in error["message"]
    assert "names no place" in error["message"]
    report = client.get(incomplete["href"] + "/readiness", headers=marketing).json()
    assert report["ready"] is False
    by_check = {f["check"]: f["status"] for f in report["findings"]}
    assert by_check == {
        "prices": "failed",
        "specification": "passed",
        "eligibility": "failed",
        "delivery": "passed",
        "resourceMapping": "passed",
        "testOrder": "pending",
    }
    unchanged = client.get(incomplete["href"], headers=marketing).json()
    assert unchanged["lifecycleStatus"] == "In test"

    ok = client.patch(f"{OFFERINGS}/po-bb", json={"lifecycleStatus": "Launched"}, headers=marketing)
    assert ok.status_code == 200, ok.text
    assert ok.json()["lifecycleStatus"] == "Launched"
    versions = client.get(f"{OFFERINGS}/po-bb/version", headers=marketing).json()
    assert [(v["version"], v["status"]) for v in versions] == [("1", "effective")]
    kinds = [
        e
        for (e,) in ready_catalog.execute(
            select(OutboxEvent.event_type).where(OutboxEvent.resource_id == "po-bb")
        )
    ]
    assert "ProductOfferingStateChangeEvent" in kinds


def test_readiness_names_a_region_without_delivery_rule(
    client: TestClient, marketing: dict[str, str], ready_catalog: Session
) -> None:
    r = client.patch(
        f"{OFFERINGS}/po-bb",
        json={"place": [{"id": "330100"}, {"id": "440100"}]},
        headers=marketing,
    )
    assert r.status_code == 200
    report = client.get(f"{OFFERINGS}/po-bb/readiness", headers=marketing).json()
    assert report["ready"] is True  # the default rule '*' covers every region
    # a region-specific rule without SLA makes that region fail
    from openboss.catalog import mapping

    mapping.upsert_delivery_rule(
        ready_catalog,
        mapping.DeliveryRuleIn(
            product_specification="ps-bb",
            region_id="440100",
            coverage_type="ownFtth",
            delivery_mode="partner",
        ),
    )
    ready_catalog.commit()
    report = client.get(f"{OFFERINGS}/po-bb/readiness", headers=marketing).json()
    failed = [f["message"] for f in report["findings"] if f["status"] == "failed"]
    assert failed == [
        "region 440100: 'ps-bb' (ownFtth) has no BPMN process key",
        "region 440100: 'ps-bb' (ownFtth) has no SLA",
    ]


def test_launched_offering_changes_make_versions_and_old_versions_stay(
    client: TestClient, marketing: dict[str, str], ready_catalog: Session
) -> None:
    href = f"{OFFERINGS}/po-bb"
    client.patch(href, json={"lifecycleStatus": "Launched"}, headers=marketing)
    v1 = client.get(f"{href}/version/1", headers=marketing).json()
    changed = client.patch(href, json={"name": "Broadband 100M (2025)"}, headers=marketing)
    assert changed.status_code == 200
    assert changed.json()["version"] == "2"
    assert client.get(f"{href}/version/1", headers=marketing).json() == v1
    assert v1["productOffering"]["name"] == "Broadband 100M"
    assert v1["productOfferingPrice"][0]["priceModel"]["amount"] == 9900
    v2 = client.get(f"{href}/version/2", headers=marketing).json()
    assert v2["productOffering"]["name"] == "Broadband 100M (2025)"

    # the price of a launched offering is locked
    r = client.patch(
        f"{PRICES}/pop-1", json={"priceModel": {**MONTHLY, "amount": 100}}, headers=marketing
    )
    assert r.status_code == 409 and r.json()["code"] == "PRICE_IN_USE"
    # retire: no longer sold, versions kept; a retired offering no longer changes
    r = client.patch(href, json={"lifecycleStatus": "Retired"}, headers=marketing)
    assert r.status_code == 200
    assert client.get(f"{href}/version/1", headers=marketing).json() == v1
    r = client.patch(href, json={"name": "again"}, headers=marketing)
    assert r.status_code == 409
    assert client.delete(href, headers=marketing).status_code == 409


def test_future_dated_change_is_scheduled_and_can_be_withdrawn(
    client: TestClient, marketing: dict[str, str], ready_catalog: Session
) -> None:
    href = f"{OFFERINGS}/po-bb"
    client.patch(href, json={"lifecycleStatus": "Launched"}, headers=marketing)
    r = client.patch(
        href,
        json={
            "name": "Broadband 100M spring",
            "validFor": {"startDateTime": "2099-03-01T00:00:00Z"},
        },
        headers=marketing,
    )
    assert r.status_code == 200 and r.json()["version"] == "2"
    versions = client.get(f"{href}/version", headers=marketing).json()
    assert [(v["version"], v["status"]) for v in versions] == [
        ("1", "effective"),
        ("2", "scheduled"),
    ]
    assert client.delete(f"{href}/version/1", headers=marketing).status_code == 409
    withdrawn = client.delete(f"{href}/version/2", headers=marketing)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["version"] == "1"
    assert withdrawn.json()["name"] == "Broadband 100M"
    assert "validFor" not in withdrawn.json()
    versions = client.get(f"{href}/version", headers=marketing).json()
    assert [(v["version"], v["status"]) for v in versions] == [
        ("1", "effective"),
        ("2", "withdrawn"),
    ]


# --------------------------------------------------------------------------- prices


def test_price_model_is_validated_and_drives_the_tmf_attributes(
    client: TestClient, marketing: dict[str, str]
) -> None:
    usage = {
        "kind": "usage",
        "unit": "MB",
        "perUnits": 1024,
        "included": 30720,
        "tierMode": "graduated",
        "tiers": [{"upTo": 10240, "unitPrice": 500}, {"unitPrice": 300}],
        "taxCategory": "valueAddedTelecom",
    }
    price = post(client, "productOfferingPrice", {"name": "Data", "priceModel": usage}, marketing)
    assert price["priceType"] == "usage"
    assert price["unitOfMeasure"] == {"amount": 1024, "units": "MB"}
    assert price["price"] == {"unit": "CNY", "value": 5.0}
    assert price["tax"] == [{"taxCategory": "valueAddedTelecom", "taxRate": 0.06}]
    assert price["priceModel"]["timezone"] == "Asia/Shanghai"

    bad: list[tuple[dict[str, Any], str]] = [
        ({**usage, "tiers": [{"upTo": 10, "unitPrice": 1}]}, "priceModel"),
        (
            {
                **usage,
                "tiers": [
                    {"upTo": 10, "unitPrice": 1},
                    {"upTo": 5, "unitPrice": 1},
                    {"unitPrice": 1},
                ],
            },
            "priceModel",
        ),
        ({**usage, "unit": "hour"}, "priceModel.unit"),
        ({**usage, "tiers": [{"unitPrice": -1}]}, "priceModel.tiers.0.unitPrice"),
        ({**MONTHLY, "currency": "XXX"}, "priceModel.currency"),
        ({**MONTHLY, "period": "fortnight"}, "priceModel.period"),
        (
            {
                "kind": "alteration",
                "alteration": "promotion",
                "percent": 10,
                "appliesTo": ["p"],
                "taxCategory": "exempt",
            },
            "priceModel",
        ),
        (
            {
                "kind": "alteration",
                "alteration": "contractTerm",
                "months": 24,
                "taxCategory": "exempt",
            },
            "priceModel",
        ),
        ({"kind": "gift", "taxCategory": "exempt"}, "priceModel"),
    ]
    for model, field in bad:
        r = client.post(PRICES, json={"name": "Bad", "priceModel": model}, headers=marketing)
        assert r.status_code == 400, (model, r.text)
        assert r.json()["field"] == field, (model, r.json())

    # alterations must alter existing prices
    r = client.post(
        PRICES,
        json={
            "name": "Discount",
            "priceModel": {
                "kind": "alteration",
                "alteration": "bundleDiscount",
                "percent": 30,
                "appliesTo": ["missing"],
                "taxCategory": "exempt",
            },
        },
        headers=marketing,
    )
    assert r.status_code == 400 and r.json()["field"] == "priceModel.appliesTo"
    contract = post(
        client,
        "productOfferingPrice",
        {
            "name": "24 months",
            "priceModel": {
                "kind": "alteration",
                "alteration": "contractTerm",
                "months": 24,
                "earlyTerminationFee": 60000,
                "taxCategory": "exempt",
            },
        },
        marketing,
    )
    assert contract["priceType"] == "penalty"
    assert contract["productOfferingTerm"] == [
        {"name": "24-month contract", "duration": {"amount": 24, "units": "month"}}
    ]


# --------------------------------------------------------------------------- bundles and demo


def test_bundle_members_must_exist_and_not_nest(
    client: TestClient, marketing: dict[str, str], demo: Session
) -> None:
    for members, message in (
        ([{"id": "po-nope"}], "unknown offering"),
        ([{"id": "po-family-1000m"}], "bundles do not nest"),
    ):
        r = client.post(
            OFFERINGS,
            json={"name": "B", "isBundle": True, "bundledProductOffering": members},
            headers=marketing,
        )
        assert r.status_code == 400 and message in r.json()["message"]
    r = client.post(
        OFFERINGS,
        json={
            "name": "B",
            "isBundle": True,
            "bundledProductOffering": [{"id": "po-hbb-100m"}],
            "bundleRule": [
                {"ruleType": "requires", "fromId": "po-hbb-100m", "toId": "po-iptv-basic"}
            ],
        },
        headers=marketing,
    )
    assert r.status_code == 400 and "not a member" in r.json()["message"]


def test_demo_catalog_is_launched_and_fulfilment_resolves(
    client: TestClient, marketing: dict[str, str], demo: Session
) -> None:
    launched = client.get(
        OFFERINGS, params={"lifecycleStatus": "Launched", "fields": "name"}, headers=marketing
    )
    names = {o["name"] for o in launched.json()}
    assert {
        "Home Broadband 100M",
        "Home Broadband 300M",
        "Home Broadband 1000M",
        "Fixed Voice (IMS)",
        "IPTV Basic",
        "Mobile 5G 59",
        "Mobile 5G 129",
        "Static IP Add-on",
        "Family Bundle 1000M",
        "Enterprise Leased Line 100M",
    } <= names
    bundles = client.get(OFFERINGS, params={"isBundle": "true"}, headers=marketing).json()
    assert [b["id"] for b in bundles] == ["po-family-1000m"]
    in_category = client.get(
        OFFERINGS, params={"category.id": "cat-mobile", "fields": "id"}, headers=marketing
    ).json()
    assert sorted(o["id"] for o in in_category) == ["po-mobile-5g-129", "po-mobile-5g-59"]

    plan = client.get(
        f"{OFFERINGS}/po-ell-100m/fulfilment",
        params={"regionId": "330106-G01", "coverageType": "leasedLine"},
        headers=marketing,
    ).json()
    item = plan["items"][0]
    assert (item["deliveryMode"], item["processKey"], item["matchedRegion"]) == (
        "ownConstruction",
        "leased-line-mstp",
        "330106",
    )
    assert item["sla"] == {"completionHours": 480, "jeopardyPercent": 75, "jeopardyHours": 360.0}
    assert item["resourceSpecs"] == ["rs-mstp-circuit"]

    elsewhere = client.get(
        f"{OFFERINGS}/po-hbb-100m/fulfilment",
        params={"regionId": "440100", "coverageType": "ownFtth"},
        headers=marketing,
    )
    assert elsewhere.status_code == 409 and elsewhere.json()["code"] == "NOT_ELIGIBLE"
    partner = client.get(
        f"{OFFERINGS}/po-hbb-100m/fulfilment",
        params={"regionId": "330102", "coverageType": "partnerCable"},
        headers=marketing,
    ).json()
    assert partner["items"][0]["deliveryMode"] == "partner"
    none = client.get(
        f"{OFFERINGS}/po-fixed-voice/fulfilment",
        params={"regionId": "330102", "coverageType": "partnerCable"},
        headers=marketing,
    )
    assert none.status_code == 409 and none.json()["code"] == "NO_DELIVERY_RULE"


def test_hub_registers_and_removes_listeners(client: TestClient, auth_headers: Headers) -> None:
    body = {
        "callback": "http://127.0.0.1:9/listener",
        "query": "eventType=ProductOfferingCreateEvent",
    }
    r = client.post(f"{BASE}/hub", json=body, headers=auth_headers("partner", partner_id="P-1"))
    assert r.status_code == 201, r.text
    removed = client.delete(
        f"{BASE}/hub/{r.json()['id']}", headers=auth_headers("partner", partner_id="P-1")
    )
    assert removed.status_code == 204
