"""The activation platform: order, compensation, idempotency, failure injection,
simulators (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.fulfilment.activation import service
from openboss.fulfilment.activation.contract import ActivationFailed
from openboss.fulfilment.activation.models import ElementState, RadCheck, RadReply
from openboss.kit.errors import Conflict, ValidationFailed

HASH = service.password_hash("secret-1")

PARAMS: dict[str, Any] = {
    # olt
    "ontSerial": "HWTC12345678",
    "oltId": "OLT-GZ-01",
    "ponPort": "0/1/3",
    "vlan": 100,
    "profile": "FTTH-1000M",
    # radius
    "account": "gz0001@fttx",
    "passwordHash": HASH,
    "bandwidthDownMbps": 1000,
    "bandwidthUpMbps": 100,
    # hlr
    "msisdn": "8613800000001",
    "imsi": "460001234567890",
    "iccid": "89860012345678901234",
    # ims
    "impu": "sip:+8613800000001@ims.gd.example",
}


@pytest.fixture(autouse=True)
def _no_failures(session: Session) -> Iterator[None]:
    service.clear_failures(session)
    yield
    service.configure_failures("")


def _execute(session: Session, command: service.Command, key: str, **over: Any) -> dict[str, Any]:
    elements = over.pop("elements", ["olt", "radius", "hlr", "ims"])
    return service.execute(
        session,
        command=command,
        service_id=over.pop("service_id", "SVC-1"),
        elements=elements,
        params={**PARAMS, **over},
        key=key,
    )


def _states(session: Session) -> dict[str, str]:
    rows = session.scalars(select(ElementState)).all()
    return {r.element: r.status for r in rows}


def test_activate_all_elements_in_order(session: Session) -> None:
    result = _execute(session, "activate", "k1")
    assert [e["element"] for e in result["elements"]] == ["olt", "radius", "hlr", "ims"]
    assert {e["outcome"] for e in result["elements"]} == {"done"}
    assert _states(session) == {"olt": "active", "hlr": "active", "ims": "active"}
    radius = result["elements"][1]["state"]
    assert radius == {
        "account": "gz0001@fttx",
        "bandwidthDownMbps": 1000,
        "bandwidthUpMbps": 100,
        "status": "active",
    }
    assert "passwordHash" not in str(result)
    log = service.call_log(session, service_id="SVC-1")
    assert [(c["element"], c["command"], c["outcome"]) for c in log] == [
        ("olt", "activate", "done"),
        ("radius", "activate", "done"),
        ("hlr", "activate", "done"),
        ("ims", "activate", "done"),
    ]
    # secrets are masked in the log
    assert {c["params"]["passwordHash"] for c in log} == {"***"}
    assert log[0]["params"]["ontSerial"] == "HWTC12345678"


def test_same_key_returns_stored_result_without_calling(session: Session) -> None:
    first = _execute(session, "activate", "k1")
    second = _execute(session, "activate", "k1")
    assert second == first
    assert len(service.call_log(session)) == 4
    with pytest.raises(Conflict) as err:
        _execute(session, "suspend", "k1")
    assert err.value.code == "KEY_REUSED"


def test_commands_are_idempotent_under_a_new_key(session: Session) -> None:
    _execute(session, "activate", "k1")
    again = _execute(session, "activate", "k2")
    assert {e["outcome"] for e in again["elements"]} == {"unchanged"}
    _execute(session, "suspend", "k3")
    suspended = _execute(session, "suspend", "k4")
    assert {e["outcome"] for e in suspended["elements"]} == {"unchanged"}
    assert _states(session) == {"olt": "suspended", "hlr": "suspended", "ims": "suspended"}
    reject = session.scalars(select(RadCheck).where(RadCheck.attribute == "Auth-Type")).all()
    assert [(r.op, r.value) for r in reject] == [(":=", "Reject")]
    done = [c for c in service.call_log(session) if c["outcome"] == "done"]
    assert [c["command"] for c in done] == ["activate"] * 4 + ["suspend"] * 4


def test_third_element_fails_first_two_undone_in_reverse(session: Session) -> None:
    service.inject_failure(session, "hlr", "activate")
    with pytest.raises(ActivationFailed) as err:
        _execute(session, "activate", "k1")
    assert err.value.element == "hlr"
    assert err.value.reason == "injected failure"
    assert err.value.code == "ACTIVATION_FAILED" and err.value.status == 409
    assert err.value.undone == ["radius", "olt"]
    assert _states(session) == {}
    assert session.scalars(select(RadCheck)).all() == []
    assert session.scalars(select(RadReply)).all() == []
    log = service.call_log(session, service_id="SVC-1")
    assert [(c["element"], c["command"], c["outcome"]) for c in log] == [
        ("olt", "activate", "done"),
        ("radius", "activate", "done"),
        ("hlr", "activate", "failed"),
        ("radius", "deactivate", "undone"),
        ("olt", "deactivate", "undone"),
    ]
    # the failure was used up: the retry (same key: nothing was stored) succeeds
    result = _execute(session, "activate", "k1")
    assert {e["outcome"] for e in result["elements"]} == {"done"}


def test_failed_modify_is_undone_back_to_previous_values(session: Session) -> None:
    _execute(session, "activate", "k1")
    service.inject_failure(session, "ims", "modify")
    with pytest.raises(ActivationFailed):
        _execute(
            session,
            "modify",
            "k2",
            profile="FTTH-2000M",
            bandwidthDownMbps=2000,
            number="8613800000009",
        )
    olt = session.scalars(select(ElementState).where(ElementState.element == "olt")).one()
    assert olt.data["profile"] == "FTTH-1000M"
    down = session.scalars(
        select(RadReply).where(RadReply.attribute == "WISPr-Bandwidth-Max-Down")
    ).one()
    assert down.value == "1000000000"
    undone = [c for c in service.call_log(session) if c["outcome"] == "undone"]
    assert [(c["element"], c["command"]) for c in undone] == [
        ("hlr", "modify"),
        ("radius", "modify"),
        ("olt", "modify"),
    ]


def test_failed_deactivate_restores_suspended_entries(session: Session) -> None:
    _execute(session, "activate", "k1", elements=["olt", "hlr"])
    _execute(session, "suspend", "k2", elements=["olt", "hlr"])
    service.inject_failure(session, "hlr", "deactivate")
    with pytest.raises(ActivationFailed) as err:
        _execute(session, "deactivate", "k3", elements=["olt", "hlr"])
    assert err.value.undone == ["olt"]
    assert _states(session) == {"olt": "suspended", "hlr": "suspended"}


def test_failure_injection_counts_and_wildcard(session: Session) -> None:
    service.inject_failure(session, "olt", "*", times=2)
    for key in ("a", "b"):
        with pytest.raises(ActivationFailed):
            _execute(session, "activate", key, elements=["olt"])
    assert _execute(session, "activate", "c", elements=["olt"])["elements"][0]["outcome"] == "done"


def test_failures_from_the_setting(session: Session) -> None:
    service.configure_failures("radius:activate=1, ims:*=1")
    with pytest.raises(ActivationFailed) as err:
        _execute(session, "activate", "a", elements=["olt", "radius"])
    assert err.value.element == "radius" and err.value.undone == ["olt"]
    with pytest.raises(ActivationFailed) as err:
        _execute(session, "activate", "b", elements=["olt", "radius", "ims"])
    assert err.value.element == "ims" and err.value.undone == ["radius", "olt"]
    assert len(_execute(session, "activate", "c")["elements"]) == 4
    with pytest.raises(ValueError, match="bad entry"):
        service.configure_failures("pcrf:activate=1")


def test_element_refusals_compensate(session: Session) -> None:
    _execute(session, "activate", "k1", elements=["hlr"])
    # another subscriber with the same IMSI: the HLR refuses, the OLT is undone
    with pytest.raises(ActivationFailed) as err:
        _execute(
            session,
            "activate",
            "k2",
            service_id="SVC-2",
            elements=["olt", "hlr"],
            ontSerial="ZTEG00000002",
            msisdn="8613800000002",
        )
    assert err.value.element == "hlr" and "IMSI" in err.value.reason
    assert err.value.undone == ["olt"]
    # activate over other settings: use modify
    with pytest.raises(ActivationFailed, match="use modify"):
        _execute(session, "activate", "k3", elements=["hlr"], profile="other")
    with pytest.raises(ActivationFailed, match="not provisioned"):
        _execute(session, "suspend", "k4", elements=["ims"])


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"command": "reboot"}, "command"),
        ({"elements": []}, "elements"),
        ({"elements": ["olt", "olt"]}, "elements"),
        ({"elements": ["pcrf"]}, "elements"),
        ({"passwordHash": "plain-text"}, "params.passwordHash"),
        ({"bandwidthDownMbps": -1}, "params.bandwidthDownMbps"),
        ({"staticIp": "300.1.1.1"}, "params.staticIp"),
        ({"msisdn": "12ab"}, "params.msisdn"),
        ({"impu": "alice"}, "params.impu"),
        ({"vlan": 5000}, "params.vlan"),
        ({"oltId": None}, "params.oltId"),
    ],
)
def test_bad_params_call_nothing(session: Session, over: dict[str, Any], field: str) -> None:
    over = dict(over)
    command = over.pop("command", "activate")
    with pytest.raises(ValidationFailed) as err:
        _execute(session, command, "k1", **over)
    assert err.value.field == field
    assert service.call_log(session) == []


def test_password_hash_is_salted_ssha256() -> None:
    a, b = service.password_hash("x"), service.password_hash("x")
    assert a.startswith("{ssha256}") and a != b


def test_radius_static_ip_none_keeps_empty_removes(session: Session) -> None:
    _execute(session, "activate", "k1", elements=["radius"], staticIp="10.0.0.9")
    kept = _execute(session, "modify", "k2", elements=["radius"], staticIp=None)
    assert kept["elements"][0]["outcome"] == "unchanged"
    assert kept["elements"][0]["state"]["staticIp"] == "10.0.0.9"
    removed = _execute(session, "modify", "k3", elements=["radius"], staticIp="")
    assert removed["elements"][0]["outcome"] == "done"
    assert "staticIp" not in removed["elements"][0]["state"]
    ips = session.scalars(select(RadReply).where(RadReply.attribute == "Framed-IP-Address"))
    assert ips.all() == []


def test_olt_refuses_a_full_pon_port(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    from openboss.fulfilment.activation import simulators

    monkeypatch.setattr(simulators, "ONTS_PER_PON_PORT", 2)
    for n in range(2):
        _execute(
            session,
            "activate",
            f"k{n}",
            service_id=f"S{n}",
            elements=["olt"],
            ontSerial=f"HWTC0000000{n}",
        )
    with pytest.raises(ActivationFailed, match="is full"):
        _execute(
            session, "activate", "k9", service_id="S9", elements=["olt"], ontSerial="HWTC00000009"
        )
    # another port of the same OLT is free
    done = _execute(
        session,
        "activate",
        "k8",
        service_id="S8",
        elements=["olt"],
        ontSerial="HWTC00000008",
        ponPort="0/1/4",
    )
    assert done["elements"][0]["outcome"] == "done"
