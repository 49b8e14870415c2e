"""Reservation, allocation, release, quarantine, expiry, usage records and
transfers — through the service and the API, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.events.models import OutboxEvent
from openboss.kit.errors import Conflict, NotFound, ValidationFailed
from openboss.kit.scope import SYSTEM_SCOPE, Scope
from openboss.resource.inventory import lifecycle, service
from openboss.resource.inventory.models import Resource, ResourceUsage
from openboss.resource.inventory.service import EXPIRE_JOB
from openboss.worker.jobs import handler_for
from openboss.worker.models import Job
from tests.resource.inventory.conftest import API, Headers, Network, make_resource


def status(session: Session, ident: str) -> str:
    session.expire_all()
    row = session.get(Resource, ident)
    assert row is not None
    return row.lifecycle_status


def test_reserve_allocate_release_flow(session: Session, network: Network) -> None:
    seen: list[set[str]] = []
    listener = lifecycle.on_capacity_change(lambda s, sites: seen.append(set(sites)))
    try:
        reservation = service.reserve(
            session, SYSTEM_SCOPE, "splitterPort", 2, site_id=network.site, customer_id="C-1"
        )
        held = service.reserved_resources(session, reservation.id)
        assert len(held) == 2 and {r.lifecycle_status for r in held} == {"reserved"}
        assert all(r.hold_until == reservation.expires_at for r in held)
        assert reservation.expires_at - reservation.created_at == timedelta(minutes=30)
        rows = service.allocate(session, SYSTEM_SCOPE, reservation.id, "SVC-1", None, "ORD-1")
        assert {r.lifecycle_status for r in rows} == {"allocated"}
        assert {r.usage_state for r in rows} == {"busy"}
        assert reservation.state == "allocated"
        usage = session.scalars(select(ResourceUsage)).all()
        assert {(u.service_id, u.customer_id, u.order_id) for u in usage} == {
            ("SVC-1", "C-1", "ORD-1")
        }
        # a second allocation of the same reservation is refused
        with pytest.raises(Conflict):
            service.allocate(session, SYSTEM_SCOPE, reservation.id, "SVC-2")
        # ports have no quarantine: available again at once
        released = service.release(session, SYSTEM_SCOPE, [rows[0].id], "customer left")
        assert released[0].lifecycle_status == "available" and released[0].reservation_id is None
        closed = session.get(
            ResourceUsage, next(u.id for u in usage if u.resource_id == rows[0].id)
        )
        assert closed is not None and closed.ended_at is not None and closed.note == "customer left"
        assert [u.service_id for u, _r in service.usage_of_service(session, "SVC-1")] == ["SVC-1"]
        assert [r.id for _u, r in service.usage_of_customer(session, "C-1")] == [rows[1].id]
        assert len(service.usage_of_customer(session, "C-1", open_only=False)) == 2
        assert network.site in set().union(*seen)
    finally:
        lifecycle._listeners.remove(listener)


def test_not_enough_free_is_409_and_holds_nothing(session: Session, network: Network) -> None:
    with pytest.raises(Conflict, match="asked 9, found 8"):
        service.reserve(session, SYSTEM_SCOPE, "splitterPort", 9, site_id=network.site)
    session.rollback()
    assert {status(session, p) for p in network.ports} == {"available"}


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"spec_id": "nope", "site_id": "x"}, ValidationFailed),
        ({"spec_id": "splitterPort"}, ValidationFailed),  # no building nor container
        ({"spec_id": "splitterPort", "site_id": "x", "hold": timedelta(days=8)}, ValidationFailed),
        ({"spec_id": "splitterPort", "site_id": "x", "hold": timedelta(0)}, ValidationFailed),
        ({"resource_ids": ["missing"]}, Conflict),
    ],
)
def test_reserve_refuses_bad_requests(
    session: Session, network: Network, kwargs: dict[str, object], error: type[Exception]
) -> None:
    with pytest.raises(error):
        service.reserve(session, SYSTEM_SCOPE, **kwargs)  # type: ignore[arg-type]


def test_reserve_by_id_and_release_reservation(session: Session, network: Network) -> None:
    port = network.ports[3]
    reservation = service.reserve(session, SYSTEM_SCOPE, resource_ids=[port])
    with pytest.raises(Conflict, match="reserved, not available"):
        service.reserve(session, SYSTEM_SCOPE, resource_ids=[port])
    service.release_reservation(session, SYSTEM_SCOPE, reservation.id)
    assert status(session, port) == "available"
    assert reservation.state == "released"
    with pytest.raises(Conflict):
        service.release_reservation(session, SYSTEM_SCOPE, reservation.id)
    with pytest.raises(Conflict):
        service.allocate(session, SYSTEM_SCOPE, reservation.id)


def test_expiry_releases_held_resources(session: Session, network: Network) -> None:
    reservation = service.reserve(
        session, SYSTEM_SCOPE, "splitterPort", 3, site_id=network.site, hold=timedelta(minutes=5)
    )
    held = [r.id for r in service.reserved_resources(session, reservation.id)]
    at = reservation.created_at
    assert service.expire(session, at + timedelta(minutes=4)) == (0, 0)
    with pytest.raises(Conflict, match="expired"):
        service.allocate(session, SYSTEM_SCOPE, reservation.id, at=at + timedelta(minutes=6))
    assert service.expire(session, at + timedelta(minutes=6)) == (1, 3)
    assert reservation.state == "expired"
    assert {status(session, i) for i in held} == {"available"}
    # the same ports can be reserved again
    again = service.reserve(session, SYSTEM_SCOPE, "splitterPort", 8, site_id=network.site)
    assert len(service.reserved_resources(session, again.id)) == 8


def test_numbers_rest_90_days_after_release(session: Session, network: Network) -> None:
    pool = make_resource(session, "numberPool", "Pool A")
    number = make_resource(session, "number", "13800000001", value="13800000001", parent=pool)
    _res, rows = service.allocate_now(
        session, SYSTEM_SCOPE, "number", 1, parent_id=pool, service_id="SVC-9", customer_id="C-9"
    )
    assert rows[0].id == number
    at = lifecycle.now()
    (row,) = service.release(session, SYSTEM_SCOPE, [number], "number ported out", at=at)
    assert row.lifecycle_status == "released"
    assert row.hold_until == at + timedelta(days=90)
    with pytest.raises(Conflict):
        service.reserve(session, SYSTEM_SCOPE, "number", 1, parent_id=pool)
    assert service.expire(session, at + timedelta(days=89)) == (0, 0)
    assert service.expire(session, at + timedelta(days=90)) == (0, 1)
    assert status(session, number) == "available"


def test_release_refuses_what_is_not_allocated(session: Session, network: Network) -> None:
    with pytest.raises(Conflict, match="available, not allocated"):
        service.release(session, SYSTEM_SCOPE, [network.ports[0]], "x")
    with pytest.raises(NotFound):
        service.release(session, SYSTEM_SCOPE, ["missing"], "x")
    with pytest.raises(ValidationFailed):
        service.release(session, SYSTEM_SCOPE, [network.ports[0]], " ")


def test_expiry_job_is_registered_and_armed(session: Session, network: Network) -> None:
    assert handler_for(EXPIRE_JOB) is service.run_expiry_job
    service._timer_slots.clear()
    service.reserve(session, SYSTEM_SCOPE, "splitterPort", 1, site_id=network.site)
    jobs = session.scalars(select(Job).where(Job.kind == EXPIRE_JOB)).all()
    assert len(jobs) == 1 and jobs[0].dedup_key.startswith(EXPIRE_JOB)
    # the handler expires and re-arms itself for the next slot
    reservation = service.reserve(
        session, SYSTEM_SCOPE, "splitterPort", 1, site_id=network.site, hold=timedelta(minutes=1)
    )
    reservation.expires_at = reservation.created_at - timedelta(seconds=1)
    session.flush()
    service._timer_slots.clear()
    service.run_expiry_job(session, {})
    assert reservation.state == "expired"
    assert len(session.scalars(select(Job).where(Job.kind == EXPIRE_JOB)).all()) >= 1


def test_region_scope_reserves_only_in_its_regions(session: Session, network: Network) -> None:
    elsewhere = Scope(regions=frozenset({"330105"}))
    with pytest.raises(Conflict):
        service.reserve(session, elsewhere, "splitterPort", 1, site_id=network.site)
    with pytest.raises(NotFound):
        service.reserve(session, elsewhere, resource_ids=[network.ports[0]])


# --------------------------------------------------------------------------- transfers


def test_transfer_between_warehouses(session: Session, builtin_specs: None) -> None:
    a = make_resource(session, "warehouse", "Warehouse A", regionId="330106")
    b = make_resource(session, "warehouse", "Warehouse B", regionId="330105")
    cpes = [
        make_resource(
            session,
            "cpe",
            f"ONT-{i}",
            value=f"SN{i}",
            parent=a,
            chars=[{"name": "kind", "value": "ont"}, {"name": "model", "value": "HG8245"}],
        )
        for i in range(3)
    ]
    batch, rows = service.transfer(
        session, SYSTEM_SCOPE, cpes[:2], "rebalance", to_parent_id=b, actor="me"
    )
    assert len(rows) == 2 and {t.batch_id for t in rows} == {batch}
    assert {(t.from_parent_id, t.to_parent_id, t.from_region, t.to_region) for t in rows} == {
        (a, b, "330106", "330105")
    }
    moved = session.get(Resource, cpes[0])
    assert moved is not None and moved.parent_id == b and moved.region_id == "330105"
    assert [
        t.resource_id for t in service.list_transfers(session, SYSTEM_SCOPE, resource_id=cpes[0])
    ] == [cpes[0]]
    assert len(service.list_transfers(session, SYSTEM_SCOPE, batch_id=batch)) == 2
    # an allocated CPE stays where it is (409 naming it)
    service.allocate_now(session, SYSTEM_SCOPE, resource_ids=[cpes[2]], customer_id="C-1")
    with pytest.raises(Conflict, match=cpes[2]):
        service.transfer(session, SYSTEM_SCOPE, [cpes[0], cpes[2]], "x", to_parent_id=a)
    # containment: a CPE is not kept in a number pool; a warehouse not in itself
    pool = make_resource(session, "numberPool", "Pool")
    with pytest.raises(ValidationFailed, match="cannot be contained"):
        service.transfer(session, SYSTEM_SCOPE, [cpes[0]], "x", to_parent_id=pool)
    with pytest.raises(ValidationFailed):
        service.transfer(session, SYSTEM_SCOPE, [cpes[0]], "x")
    events = session.scalars(select(OutboxEvent.event_type)).all()
    assert "ResourceAttributeValueChangeEvent" in events


# --------------------------------------------------------------------------- API


def test_reservation_api(
    client: TestClient, auth_headers: Headers, network: Network, session: Session
) -> None:
    csr = auth_headers("csr")
    noc = auth_headers("noc")
    r = client.post(
        f"{API}/reservations",
        json={
            "resourceSpecificationId": "splitterPort",
            "count": 2,
            "siteId": network.site,
            "holdMinutes": 10,
            "purpose": "order",
            "customerId": "C-1",
            "relatedEntity": [
                {"id": "ORD-1", "role": "productOrder", "@referredType": "ProductOrder"}
            ],
        },
        headers=csr,
    )
    assert r.status_code == 201, r.text
    res = r.json()
    assert res["state"] == "active" and len(res["resources"]) == 2
    assert r.headers["Location"] == f"{API}/reservations/{res['id']}"
    assert client.get(f"{API}/reservations/{res['id']}", headers=csr).json()["id"] == res["id"]
    assert [
        x["id"]
        for x in client.get(f"{API}/reservations", params={"state": "active"}, headers=csr).json()
    ] == [res["id"]]
    r = client.post(
        f"{API}/reservations/{res['id']}/allocate",
        json={"serviceId": "SVC-1", "orderId": "ORD-1"},
        headers=csr,
    )
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "allocated"
    port = res["resources"][0]["id"]
    usage = client.get(f"{API}/resources/{port}/usage", headers=csr).json()
    assert (
        usage[0]["serviceId"] == "SVC-1"
        and usage[0]["customerId"] == "C-1"
        and usage[0]["to"] is None
    )
    assert client.delete(f"{API}/reservations/{res['id']}", headers=csr).status_code == 409
    # releasing a resource is for the network team
    assert (
        client.post(
            f"{API}/resources/{port}/release", json={"reason": "x"}, headers=csr
        ).status_code
        == 403
    )
    r = client.post(f"{API}/resources/{port}/release", json={"reason": "cancelled"}, headers=noc)
    assert r.status_code == 200 and r.json()["lifecycleStatus"] == "available"
    assert (
        client.post(
            f"{API}/resources/{port}/release", json={"reason": "again"}, headers=noc
        ).status_code
        == 409
    )
    assert client.get(f"{API}/resources/{port}/usage", headers=csr).json()[0]["to"] is not None
    # not enough, unknown, bad
    r = client.post(
        f"{API}/reservations",
        json={"resourceSpecificationId": "splitterPort", "count": 99, "siteId": network.site},
        headers=csr,
    )
    assert r.status_code == 409
    r = client.post(
        f"{API}/reservations",
        json={
            "resourceSpecificationId": "splitterPort",
            "siteId": network.site,
            "holdMinutes": 20000,
        },
        headers=csr,
    )
    assert r.status_code == 400
    assert client.get(f"{API}/reservations/nope", headers=csr).status_code == 404
    assert client.get(f"{API}/resources/nope/usage", headers=csr).status_code == 404
    # a reservation released through DELETE
    r = client.post(f"{API}/reservations", json={"resourceIds": [network.ports[5]]}, headers=csr)
    assert r.status_code == 201
    d = client.delete(f"{API}/reservations/{r.json()['id']}", headers=csr)
    assert d.status_code == 200 and d.json()["state"] == "released"


def test_transfer_api(
    client: TestClient, auth_headers: Headers, session: Session, builtin_specs: None
) -> None:
    a = make_resource(session, "warehouse", "A")
    b = make_resource(session, "warehouse", "B")
    cpe = make_resource(
        session,
        "cpe",
        "STB-1",
        parent=a,
        chars=[{"name": "kind", "value": "stb"}, {"name": "model", "value": "EC6108V9"}],
    )
    session.commit()
    noc = auth_headers("noc")
    r = client.post(
        f"{API}/transfers",
        json={"resourceIds": [cpe], "toParentId": b, "reason": "stock"},
        headers=noc,
    )
    assert r.status_code == 201, r.text
    batch = r.json()["batchId"]
    listed = client.get(f"{API}/transfers", params={"batchId": batch}, headers=noc).json()
    assert [(t["resourceId"], t["fromParentId"], t["toParentId"]) for t in listed] == [(cpe, a, b)]
    assert client.get(f"{API}/transfers", headers=noc).status_code == 400
    r = client.post(
        f"{API}/transfers",
        json={"resourceIds": [cpe], "toParentId": "nope", "reason": "x"},
        headers=noc,
    )
    assert r.status_code == 400 and "toParentId" in r.text
    r = client.post(
        f"{API}/transfers",
        json={"resourceIds": ["nope"], "toParentId": b, "reason": "x"},
        headers=noc,
    )
    assert r.status_code == 404
    assert (
        client.post(
            f"{API}/transfers",
            json={"resourceIds": [cpe], "toParentId": a, "reason": "x"},
            headers=auth_headers("csr"),
        ).status_code
        == 403
    )


def test_a_claim_is_in_the_audit_log(session: Session, network: Network) -> None:
    """The claim is a guarded set-based UPDATE, which the flush hook does not
    see: its audit rows are written explicitly, one per resource claimed."""
    from openboss.audit.service import list_audit

    session.info["actor"] = "order-42"
    held = service.reserve(session, SYSTEM_SCOPE, "splitterPort", 2, site_id=network.site)
    ports = [r.id for r in service.reserved_resources(session, held.id)]
    for port in ports:
        entries, total = list_audit(
            session, entity_type="resource", entity_id=port, action="state_change"
        )
        assert total == 1
        (entry,) = entries
        assert entry.action == "state_change" and entry.actor == "order-42"
        assert entry.before == {"lifecycle_status": "available", "reservation_id": None}
        assert entry.after == {"lifecycle_status": "reserved", "reservation_id": held.id}
