"""The remaining shipped flows end to end: IMS fixed voice, a mobile plan without
voice, home-terminal delivery (own crew and partner), IPTV on the partner's network,
and the enterprise leased line (survey → construction → NOC desk task → acceptance)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from openboss.fulfilment.activation import service as activation
from openboss.fulfilment.engine import service as engine
from tests.scenarios.conftest import World, advance, milestones, request_for, submit
from tests.scenarios.test_fulfilment_tour import _close, _open_order

Headers = Callable[..., dict[str, str]]


def test_ims_fixed_voice_gets_a_fixed_number(session: Session, world: World) -> None:
    request = request_for(
        world,
        product_offering_id="po-fixed-voice",
        product_offering_name="Fixed Voice (IMS)",
        product_spec_id="ps-fixed-voice",
        process_key="ims-voice-activation",
        delivery_mode="instant",
        cfs_specs=("cfs-fixed-voice",),
        characteristics={"callerIdDisplay": True},
        secrets={},
    )
    inst = advance(session, submit(session, request))
    assert inst.status == "completed", inst.last_error
    number = inst.data["serviceCharacteristics"]["number"]
    assert number.startswith("0571880000")
    (call,) = activation.call_log(session, element="ims")
    assert call["params"]["impu"] == f"sip:+86{number[1:]}@ims.openboss.local"


def test_mobile_without_voice_skips_the_ims(session: Session, world: World) -> None:
    request = request_for(
        world,
        product_spec_id="ps-mobile-5g",
        process_key="mobile-activation",
        delivery_mode="instant",
        place_id=None,
        cfs_specs=("cfs-mobile",),
        characteristics={"includedDataGB": 30, "includedMinutes": 0},
        secrets={},
    )
    inst = advance(session, submit(session, request))
    assert inst.status == "completed", inst.last_error
    assert activation.call_log(session, element="ims") == []
    assert len(activation.call_log(session, element="hlr")) == 1


def test_home_terminal_delivery_by_own_crew_and_by_the_partner(
    session: Session, client: TestClient, auth_headers: Headers, world: World
) -> None:
    for key, place, partner in (
        ("home-terminal-install", world.ftth_address, ""),
        ("home-terminal-partner-install", world.partner_address, "PARTNER-1"),
    ):
        request = request_for(
            world,
            product_offering_id="po-home-terminal",
            product_spec_id="ps-home-terminal",
            process_key=key,
            place_id=place,
            cfs_specs=("cfs-home-terminal",),
            characteristics={"model": "HG8245H"},
            secrets={},
        )
        so = submit(session, request)
        assert advance(session, so).status == "waiting"
        wo = _open_order(session, request.product_order_id, "installation")
        assert wo["partner"] == partner
        headers = (
            auth_headers("partner", partner_id=partner) if partner else auth_headers("dispatcher")
        )
        _close(client, headers, wo["id"], {"ontSerial": "SCONT00009"})
        inst = advance(session, so)
        assert inst.status == "completed", inst.last_error
        assert inst.data["serviceCharacteristics"]["terminalModel"] == "HG8245H"


def test_iptv_on_the_partner_network(
    session: Session, client: TestClient, auth_headers: Headers, world: World
) -> None:
    request = request_for(
        world,
        product_offering_id="po-iptv-basic",
        product_spec_id="ps-iptv",
        process_key="iptv-partner-activation",
        place_id=world.partner_address,
        cfs_specs=("cfs-iptv",),
        characteristics={},
        secrets={},
    )
    so = submit(session, request)
    advance(session, so)
    wo = _open_order(session, request.product_order_id, "installation")
    # the partner's system reports through the callback: the work order closes here
    r = client.post(
        "/api/fulfilment/v1/partnerCallbacks",
        json={
            "workOrderId": wo["id"],
            "outcome": "completed",
            "characteristics": {"ontSerial": "STB0PART0001"},
        },
        headers=auth_headers("partner", partner_id="PARTNER-1"),
    )
    assert r.status_code == 202 and r.json()["delivered"] == "workOrderClosed", r.text
    inst = advance(session, so)
    assert inst.status == "completed", inst.last_error
    assert inst.data["serviceCharacteristics"]["stbSerial"] == "STB0PART0001"


def test_leased_line_survey_construction_configuration_acceptance(
    session: Session, client: TestClient, auth_headers: Headers, world: World
) -> None:
    request = request_for(
        world,
        product_offering_id="po-ell-100m",
        product_spec_id="ps-leased-line",
        process_key="leased-line-mstp",
        coverage_type="leasedLine",
        sla_completion_hours=720,
        cfs_specs=("cfs-leased-line",),
        characteristics={"bandwidthMbps": 100, "interface": "GE"},
        secrets={},
    )
    so = submit(session, request)
    advance(session, so)
    h = auth_headers("dispatcher")
    survey = _open_order(session, request.product_order_id, "survey")
    _close(client, h, survey["id"], {"surveyResult": "feasible"})
    advance(session, so)
    build = _open_order(session, request.product_order_id, "installation")
    assert "leasedLine" in build["skill"]
    _close(client, h, build["id"], {"ontSerial": "MSTP0CPE0001"})
    inst = advance(session, so)
    desks, _total = engine.list_desk_tasks(session, business_key=so)
    assert [d.task_id for d in desks] == ["configure"]
    engine.complete_desk_task(session, desks[0].id, {"circuitId": "HZ-MSTP-0001"}, actor="noc")
    inst = advance(session, so)
    accept = _open_order(session, request.product_order_id, "completionAcceptance")
    _close(client, h, accept["id"], {"acceptanceResult": "accepted"})
    inst = advance(session, so)
    assert inst.status == "completed", inst.last_error
    assert inst.data["serviceCharacteristics"]["circuitId"] == "HZ-MSTP-0001"
    assert milestones(session, request.product_order_id).count("workOrderCreated") == 3
