"""Catalog use cases on both databases: readiness reasons, version
immutability (property test), eligibility, bundle and characteristic choices,
pluggable readiness checks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from openboss.catalog import mapping, readiness, repository, selection, service, versioning
from openboss.catalog.models import ProductOffering, ProductSpecification
from openboss.kit.errors import AppError, Conflict
from tests.catalog.conftest import URL, build_mapping, launch, make_offering, make_price


def offering(session: Session, ident: str) -> ProductOffering:
    row = repository.find(session, ProductOffering, ident)
    assert row is not None
    return row


def test_readiness_lists_every_missing_piece(session: Session) -> None:
    build_mapping(session)
    # a CFS without RFS and a spec using it: the mapping is incomplete
    mapping.upsert_service_spec(
        session, mapping.ServiceSpecIn(id="cfs-empty", kind="CFS", name="x")
    )
    service.update(
        session,
        service.SPECIFICATION,
        "ps-bb",
        {"serviceSpecification": [{"id": "cfs-net"}, {"id": "cfs-empty"}]},
        URL,
    )
    make_price(session, "pop-nomodel", None)
    service.update(session, service.PRICE, "pop-nomodel", {"priceModel": None}, URL)
    make_offering(session, productOfferingPrice=[{"id": "pop-nomodel"}], place=None)
    with pytest.raises(service.NotReady) as raised:
        launch(session, "po-bb")
    reasons = raised.value.details["reasons"]
    assert reasons == [
        "price 'pop-nomodel' has no priceModel (billing cannot rate it)",
        "the offering names no place (region) where it is sold",
        "CFS 'cfs-empty' maps to no resource-facing service",
    ]
    report = readiness.readiness(session, offering(session, "po-bb"))
    assert not report.ready and report.reasons == reasons


def test_readiness_requires_a_delivery_rule_in_every_place(session: Session) -> None:
    build_mapping(session)
    make_price(session, "pop-1")
    # only a Guangzhou rule: Hangzhou (the place) has none
    mapping.upsert_delivery_rule(
        session,
        mapping.DeliveryRuleIn(
            product_specification="ps-bb",
            region_id="440100",
            coverage_type="partnerCable",
            delivery_mode="partner",
            process_key="p",
            sla_completion_hours=72,
            sla_jeopardy_percent=75,
        ),
    )
    from openboss.catalog.models import DeliveryRule

    session.query(DeliveryRule).filter(DeliveryRule.region_id == "*").delete()
    make_offering(session, place=[{"id": "330100"}, {"id": "440106"}])
    with pytest.raises(service.NotReady) as raised:
        launch(session, "po-bb")
    assert raised.value.details["reasons"] == [
        "region 330100: no delivery rule for product specification 'ps-bb'"
    ]


def test_readiness_checks_are_pluggable(ready_catalog: Session) -> None:
    def test_order(session: Session, row: ProductOffering) -> list[readiness.Finding]:
        return [readiness.Finding("testOrder", "failed", "no completed test order")]

    original = readiness.checks()["testOrder"]
    readiness.register_check("testOrder", test_order)
    try:
        with pytest.raises(service.NotReady, match="no completed test order"):
            launch(ready_catalog, "po-bb")
    finally:
        readiness.register_check("testOrder", original)
    launch(ready_catalog, "po-bb")
    assert offering(ready_catalog, "po-bb").lifecycle_status == "Launched"


def test_bundle_member_must_be_launched_before_the_bundle(ready_catalog: Session) -> None:
    make_offering(
        ready_catalog,
        "po-bundle",
        name="Bundle",
        productSpecification=None,
        productOfferingPrice=None,
        isBundle=True,
        bundledProductOffering=[{"id": "po-bb"}],
    )
    with pytest.raises(service.NotReady, match="'po-bb' is In test, not Launched"):
        launch(ready_catalog, "po-bundle")
    launch(ready_catalog, "po-bb")
    launch(ready_catalog, "po-bundle")  # member prices count for the bundle


def test_version_at_and_sold_versions(ready_catalog: Session) -> None:
    launch(ready_catalog, "po-bb")
    service.update(
        ready_catalog,
        service.OFFERING,
        "po-bb",
        {
            "name": "Later",
            "place": [{"id": "440100"}],
            "validFor": {"startDateTime": "2099-01-01T00:00:00Z"},
        },
        URL,
    )
    now = datetime.now(UTC)
    future = datetime(2099, 6, 1, tzinfo=UTC)
    assert versioning.version_at(ready_catalog, "po-bb", now).version == "1"  # type: ignore[union-attr]
    assert versioning.version_at(ready_catalog, "po-bb", future).version == "2"  # type: ignore[union-attr]
    # the row already shows version 2, but version 1 is what is on sale today
    plan = mapping.resolve_fulfilment(ready_catalog, "po-bb", "330106", "ownFtth")
    assert plan.version == "1"
    sale, reasons = mapping.eligibility(ready_catalog, "po-bb", region_id="440100")
    assert sale.version == "1" and reasons == ["not sold in region 440100"]
    sale, reasons = mapping.eligibility(ready_catalog, "po-bb", region_id="440100", at=future)
    assert sale.version == "2" and reasons == []
    assert versioning.next_version("1.0") == "2.0"
    assert versioning.next_version("2024a") == "2024a.1"


# --------------------------------------------------------------------------- property: immutability

changes = st.one_of(
    st.builds(
        lambda n: {"name": n}, st.text(min_size=1, max_size=20).filter(lambda s: "\x00" not in s)
    ),
    st.builds(lambda d: {"description": d}, st.text(max_size=30).filter(lambda s: "\x00" not in s)),
    st.just({"place": [{"id": "330000"}]}),
    st.just({"place": [{"id": "330100"}]}),
    st.just({"productOfferingPrice": [{"id": "pop-2"}]}),
    st.just({"productOfferingPrice": [{"id": "pop-1"}, {"id": "pop-2"}]}),
    st.just({"channel": [{"id": "shop"}]}),
    st.just({"validFor": {"startDateTime": "2099-01-01T00:00:00Z"}}),
    st.just({"place": None}),  # makes it not ready: refused
    st.just({"lifecycleStatus": "In design"}),  # illegal from Launched: refused
    st.builds(
        lambda a: {"priceModel": {"kind": "recurring", "amount": a, "taxCategory": "exempt"}},
        st.integers(0, 10**6),
    ),
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(changes, min_size=1, max_size=6))
def test_no_change_to_a_launched_version_is_ever_visible_through_it(
    session: Session, steps: list[dict[str, Any]]
) -> None:
    savepoint = session.begin_nested()
    try:
        build_mapping(session)
        make_price(session, "pop-1")
        make_price(session, "pop-2", {"kind": "oneTime", "amount": 100, "taxCategory": "exempt"})
        make_offering(session)
        launch(session, "po-bb")
        sold = versioning.version_document(session, "po-bb", "1")
        for step in steps:
            nested = session.begin_nested()
            try:
                if "priceModel" in step:  # a price change (locked while in use)
                    service.update(session, service.PRICE, "pop-1", step, URL)
                else:
                    service.update(session, service.OFFERING, "po-bb", step, URL)
                nested.commit()
            except (AppError, Conflict):
                nested.rollback()
            assert versioning.version_document(session, "po-bb", "1") == sold
        session.expire_all()
        assert versioning.version_document(session, "po-bb", "1") == sold
        versions = [v["version"] for v in versioning.history(session, "po-bb")]
        assert versions[0] == "1" and len(versions) == len(set(versions))
    finally:
        savepoint.rollback()


# --------------------------------------------------------------------------- eligibility and choices


def test_eligibility_by_region_segment_and_channel(demo: Session) -> None:
    hbb = offering(demo, "po-hbb-100m")
    assert (
        mapping.is_eligible(hbb, region_id="330106-G01", customer_type="individual", channel="app")
        == []
    )
    assert mapping.is_eligible(
        hbb, region_id="440100", customer_type="organization", channel="fax"
    ) == [
        "not sold in region 440100",
        "for market segments individual",
        "sold through app, online, partner, shop",
    ]
    addon = offering(demo, "po-static-ip-addon")
    assert mapping.is_eligible(addon, region_id="330100") == ["the offering is not sold on its own"]
    ell = offering(demo, "po-ell-100m")
    assert mapping.is_eligible(ell, region_id="330106", customer_type="organization") == []
    with pytest.raises(AppError):
        mapping.region_chain("Hangzhou")
    assert mapping.region_chain("330106-G01") == ["330106-G01", "330106", "330100", "330000", "*"]
    assert mapping.region_chain("330000") == ["330000", "*"]


def test_bundle_cardinality_and_dependency_rules(demo: Session) -> None:
    family = offering(demo, "po-family-1000m")
    default = selection.default_selection(family)
    assert default == {
        "po-hbb-1000m": 1,
        "po-mobile-5g-129": 1,
        "po-iptv-basic": 1,
        "po-home-terminal": 1,
        "po-static-ip-addon": 0,
    }
    assert selection.check_bundle_selection(family, default) == []
    assert selection.check_bundle_selection(family, {**default, "po-mobile-5g-129": 4}) == []
    assert selection.check_bundle_selection(
        family, {**default, "po-mobile-5g-129": 5, "po-hbb-1000m": 0, "po-x": 1}
    ) == [
        "'po-x' is not a member of the bundle",
        "'po-hbb-1000m': at least 1 required, 0 chosen",
        "'po-mobile-5g-129': at most 4 allowed, 5 chosen",
    ]  # the static IP is not chosen: its rule does not apply
    reasons = selection.check_bundle_selection(
        family, {**default, "po-static-ip-addon": 1, "po-hbb-1000m": 0}
    )
    assert reasons == [
        "'po-hbb-1000m': at least 1 required, 0 chosen",
        "'po-static-ip-addon' requires 'po-hbb-1000m'",
    ]
    assert selection.check_bundle_selection(offering(demo, "po-hbb-100m"), {}) == [
        "'po-hbb-100m' is not a bundle"
    ]


def test_characteristic_values_are_checked_against_the_specification(demo: Session) -> None:
    spec = repository.find(demo, ProductSpecification, "ps-home-broadband")
    assert spec is not None
    check = selection.check_characteristics
    assert check(spec, {"downloadSpeed": 300}) == []
    assert check(spec, {"downloadSpeed": 200, "accessTechnology": "DSL", "colour": "red"}) == [
        "unknown characteristic 'colour'",
        "'downloadSpeed': 200 is not allowed",
        "'accessTechnology' is fixed to 'FTTH/GPON'",
    ]
    assert check(spec, {"downloadSpeed": "300"}) == ["'downloadSpeed': '300' is not allowed"]
    line = repository.find(demo, ProductSpecification, "ps-leased-line")
    assert line is not None
    assert check(line, {"bandwidthMbps": 10000}) == []
    assert check(line, {"bandwidthMbps": 1}) == ["'bandwidthMbps': 1 is not allowed"]


def test_specification_characteristics_are_validated(session: Session) -> None:
    from openboss.kit.errors import ValidationFailed
    from openboss.kit.tmf.http import validate

    bad = [
        {"name": "s", "valueType": "integer", "productSpecCharacteristicValue": [{"value": "x"}]},
        {
            "name": "s",
            "valueType": "integer",
            "productSpecCharacteristicValue": [{"valueFrom": 10, "valueTo": 1}],
        },
        {
            "name": "s",
            "valueType": "string",
            "productSpecCharacteristicValue": [{"valueFrom": 1, "valueTo": 2}],
        },
        {
            "name": "s",
            "valueType": "integer",
            "configurable": False,
            "productSpecCharacteristicValue": [{"value": 1}],
        },
        {
            "name": "s",
            "valueType": "integer",
            "productSpecCharacteristicValue": [
                {"value": 1, "isDefault": True},
                {"value": 2, "isDefault": True},
            ],
        },
    ]
    for char in bad:
        with pytest.raises(ValidationFailed) as raised:
            validate(
                service.SPECIFICATION.create, {"name": "spec", "productSpecCharacteristic": [char]}
            )
        assert raised.value.field is not None
        assert raised.value.field.startswith("productSpecCharacteristic.0")
