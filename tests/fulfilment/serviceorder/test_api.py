"""TMF641 service ordering, TMF637 product inventory and TMF638 service
inventory over HTTP (SQLite and PostgreSQL): representations checked against
the v4 swaggers, filters, creation and PATCH rules, cancellation, deletion,
hub, row scope, events — and the access password never returned, audited or
evented."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.audit.models import AuditLog
from openboss.events.models import OutboxEvent
from openboss.fulfilment.serviceorder import service as so
from openboss.fulfilment.serviceorder.models import ServiceOrder
from tests.fulfilment.serviceorder.conftest import PASSWORD, REGION, request, run, swagger

Headers = Callable[..., dict[str, str]]
MERGE = {"Content-Type": "application/merge-patch+json"}
SO = "/tmf-api/serviceOrdering/v4"
PI = "/tmf-api/productInventory/v4"
SI = "/tmf-api/serviceInventory/v4"

TMF641 = swagger("TMF641-ServiceOrdering-v4.0.0.swagger.json")
TMF637 = swagger("TMF637-ProductInventory-v4.0.0.swagger.json")
TMF638 = swagger("TMF638-ServiceInventory-v4.0.0.swagger.json")
EXTENSIONS = {"processInstanceId", "failureReason", "regionId", "stateChangeDate", "lastUpdate"}

pytestmark = pytest.mark.usefixtures("processes")


def conform(spec: dict[str, Any], definition: str, value: Any, path: str = "$") -> None:
    """``value`` has only attributes of ``definition`` (OpenBOSS extensions at
    the top level aside), its required ones, enum values and nested shapes."""
    if definition == "Any":
        return
    defs = spec["definitions"]
    schema = defs[definition]
    if "enum" in schema:
        assert value in [e.strip() for e in schema["enum"]], (path, value)
        return
    assert isinstance(value, dict), (path, value)
    for name in schema.get("required", []):
        assert name in value, f"{path}: {definition} requires {name}"
    props = schema.get("properties", {})
    for name, item in value.items():
        if name not in props:
            if name in ("@type", "@baseType", "@schemaLocation"):
                continue  # TMF630 polymorphism attributes, allowed on every entity
            assert path == "$" and name in EXTENSIONS, f"{path}.{name} not in {definition}"
            continue
        prop = props[name]
        if "$ref" in prop:
            conform(spec, prop["$ref"].split("/")[-1], item, f"{path}.{name}")
        elif prop.get("type") == "array" and "$ref" in prop.get("items", {}):
            assert isinstance(item, list), f"{path}.{name}"
            for i, element in enumerate(item):
                conform(spec, prop["items"]["$ref"].split("/")[-1], element, f"{path}.{name}[{i}]")
        elif prop.get("type") == "string":
            assert isinstance(item, str), f"{path}.{name}"
        elif prop.get("type") == "boolean":
            assert isinstance(item, bool), f"{path}.{name}"


def _completed(session: Session) -> dict[str, Any]:
    [order] = so.submit(session, [request()])
    run(session, order)
    session.commit()
    return order


def test_service_order_conforms_and_lists(
    client: TestClient, auth_headers: Headers, session: Session
) -> None:
    order = _completed(session)
    h = auth_headers("csr")
    r = client.get(f"{SO}/serviceOrder/{order['id']}", headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["href"] == f"http://testserver{SO}/serviceOrder/{order['id']}"
    assert body["@type"] == "ServiceOrder" and body["state"] == "completed"
    conform(TMF641, "ServiceOrder", body)
    for item in body["serviceOrderItem"]:
        conform(TMF641, "ServiceOrderItem", item)
    r = client.get(
        f"{SO}/serviceOrder", params={"externalId": "PO-1", "fields": "state"}, headers=h
    )
    assert r.headers["X-Total-Count"] == "1"
    assert r.json() == [
        {"id": order["id"], "href": body["href"], "@type": "ServiceOrder", "state": "completed"}
    ]
    r = client.get(
        f"{SO}/serviceOrder",
        params={"serviceOrderItem.service.serviceSpecification.id": "cfs-voip"},
        headers=h,
    )
    assert r.headers["X-Total-Count"] == "1"
    assert client.get(f"{SO}/serviceOrder", params={"colour": "red"}, headers=h).status_code == 400
    assert client.get(f"{SO}/serviceOrder/nope", headers=h).status_code == 404
    assert client.get(f"{SO}/serviceOrder", headers=auth_headers("technician")).status_code == 403
    # row scope: another region's order does not exist for a regional user
    other = auth_headers("csr", regions=["330105"])
    assert client.get(f"{SO}/serviceOrder/{order['id']}", headers=other).status_code == 404
    mine = auth_headers("csr", regions=[REGION])
    assert client.get(f"{SO}/serviceOrder/{order['id']}", headers=mine).status_code == 200


def test_inventories_conform(client: TestClient, auth_headers: Headers, session: Session) -> None:
    order = _completed(session)
    h = auth_headers("noc")
    product = client.get(f"{PI}/product/PRD-1", headers=h).json()
    assert product["href"] == f"http://testserver{PI}/product/PRD-1"
    conform(TMF637, "Product", product)
    r = client.get(f"{PI}/product", params={"relatedParty.id": "CUST-1"}, headers=h)
    assert [p["id"] for p in r.json()] == ["PRD-1"]
    assert client.get(f"{PI}/product", params={"status": "terminated"}, headers=h).json() == []
    cfs = [i["service"]["id"] for i in order["serviceOrderItem"]]
    r = client.get(f"{SI}/service", params={"relatedEntity.id": "PRD-1"}, headers=h)
    services = r.json()
    assert r.headers["X-Total-Count"] == "3"  # two CFS and the RFS
    for svc in services:
        conform(TMF638, "Service", svc)
    r = client.get(f"{SI}/service", params={"supportingResource.id": "RES-PORT-1"}, headers=h)
    assert {s["id"] for s in r.json()} >= set(cfs)
    other = auth_headers("noc", regions=["330105"])
    assert client.get(f"{PI}/product/PRD-1", headers=other).status_code == 404
    assert client.get(f"{SI}/service/{cfs[0]}", headers=other).status_code == 404


def test_access_password_is_never_returned_audited_or_evented(
    client: TestClient, auth_headers: Headers, session: Session
) -> None:
    order = _completed(session)
    stored = so.secret_of(session, order["id"], "accessPassword")
    assert stored
    h = auth_headers("admin")
    texts = [
        client.get(f"{SO}/serviceOrder/{order['id']}", headers=h).text,
        client.get(f"{SO}/serviceOrder", headers=h).text,
        client.get(f"{PI}/product/PRD-1", headers=h).text,
        client.get(f"{SI}/service", headers=h).text,
    ]
    texts += [orjson.dumps(e.payload).decode() for e in session.scalars(select(OutboxEvent))]
    audit = list(session.scalars(select(AuditLog)))
    assert any(a.entity_type == "service_order" for a in audit)  # audited, but not the secret
    texts += [orjson.dumps([a.before, a.after], default=str).decode() for a in audit]
    row = session.get(ServiceOrder, order["id"])
    assert row is not None
    texts += [row.doc, orjson.dumps(row.request).decode()]
    for text in texts:
        assert PASSWORD not in text
        assert stored not in text
        assert "accessPassword" not in text or "secretNames" in text
    assert row.request is not None and row.request["secretNames"] == ["accessPassword"]


def test_events_follow_the_cancellation_states(session: Session) -> None:
    first, _ = so.submit(
        session, [request("1", process_key="soTestWait"), request("2", depends_on=("1",))]
    )
    run(session, first)
    so.cancel_for_product_order(session, "PO-1", "changed")
    rows = session.scalars(
        select(OutboxEvent).where(OutboxEvent.resource_id == first["id"]).order_by(OutboxEvent.seq)
    ).all()
    assert next(r.event_type for r in rows) == "ServiceOrderCreateEvent"
    moves = [r.payload.get("description") for r in rows[1:]]
    assert moves == [
        "state acknowledged → inProgress",
        "state inProgress → assessingCancellation",
        "state assessingCancellation → pendingCancellation",
        "state pendingCancellation → cancelled",
    ]


def _order_body(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "externalId": "ADMIN-1",
        "description": "re-provision by hand",
        "priority": "1",
        "relatedParty": [{"id": "CUST-9", "role": "customer", "@referredType": "Customer"}],
        "serviceOrderItem": [
            {
                "id": "1",
                "action": "add",
                "service": {
                    "serviceSpecification": {"id": "cfs-internet"},
                    "serviceCharacteristic": [{"name": "bandwidthDown", "value": 100}],
                },
            }
        ],
        "@type": "ServiceOrder",
    }
    body.update(extra)
    return body


def test_admin_creates_patches_cancels_and_deletes(
    client: TestClient, auth_headers: Headers, session: Session
) -> None:
    h = auth_headers("admin")
    r = client.post(f"{SO}/serviceOrder", json=_order_body(), headers=h)
    assert r.status_code == 201, r.text
    created = r.json()
    assert r.headers["Location"] == created["href"]
    assert created["state"] == "acknowledged" and created["serviceOrderItem"][0]["service"]["id"]
    conform(TMF641, "ServiceOrder", created)
    url = f"{SO}/serviceOrder/{created['id']}"
    # descriptive PATCH, state along the table for an order no process runs
    r = client.patch(url, json={"description": "urgent"}, headers={**h, **MERGE})
    assert r.status_code == 200 and r.json()["description"] == "urgent"
    r = client.patch(url, json={"state": "completed"}, headers={**h, **MERGE})
    assert r.status_code == 409 and "acknowledged" in r.text
    r = client.patch(url, json={"serviceOrderItem": []}, headers={**h, **MERGE})
    assert r.status_code == 400 and "serviceOrderItem" in r.text
    r = client.patch(url, json={"state": "inProgress"}, headers={**h, **MERGE})
    assert r.status_code == 200 and r.json()["state"] == "inProgress"
    assert client.delete(url, headers=h).status_code == 409
    r = client.patch(url, json={"description": "x"}, headers={**h, "Content-Type": "text/plain"})
    assert r.status_code == 415
    # cancel it
    r = client.post(
        f"{SO}/cancelServiceOrder",
        json={"serviceOrder": {"id": created["id"]}, "cancellationReason": "duplicate"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    cancel = r.json()
    conform(TMF641, "CancelServiceOrder", cancel)
    assert cancel["state"] == "done" and cancel["serviceOrder"]["id"] == created["id"]
    assert client.get(url, headers=h).json()["state"] == "cancelled"
    assert client.get(f"{SO}/cancelServiceOrder/{cancel['id']}", headers=h).json() == cancel
    assert client.get(f"{SO}/cancelServiceOrder", headers=h).headers["X-Total-Count"] == "1"
    again = client.post(
        f"{SO}/cancelServiceOrder", json={"serviceOrder": {"id": created["id"]}}, headers=h
    )
    assert again.status_code == 409
    assert client.delete(url, headers=h).status_code == 204
    assert client.get(url, headers=h).status_code == 404
    # hub
    r = client.post(f"{SO}/hub", json={"callback": "https://crm.example.com/l"}, headers=h)
    assert r.status_code == 201


def test_admin_order_with_a_process_runs_it(
    client: TestClient, auth_headers: Headers, session: Session
) -> None:
    h = auth_headers("admin")
    r = client.post(f"{SO}/serviceOrder", json=_order_body(processKey="soTestWait"), headers=h)
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["state"] == "inProgress" and order["processInstanceId"]
    url = f"{SO}/serviceOrder/{order['id']}"
    r = client.patch(url, json={"state": "completed"}, headers={**h, **MERGE})
    assert r.status_code == 409 and "process" in r.text
    r = client.post(
        f"{SO}/cancelServiceOrder", json={"serviceOrder": {"id": order["id"]}}, headers=h
    )
    assert r.status_code == 201 and r.json()["state"] == "done"
    assert client.get(url, headers=h).json()["state"] == "cancelled"


def test_create_validation_names_the_field(client: TestClient, auth_headers: Headers) -> None:
    h = auth_headers("admin")
    add_without_spec = _order_body(
        serviceOrderItem=[{"id": "1", "action": "add", "service": {"name": "x"}}]
    )
    modify_unknown = _order_body(
        serviceOrderItem=[{"id": "1", "action": "modify", "service": {"id": "SVC-NONE"}}]
    )
    cases = {
        "serviceOrderItem": _order_body(serviceOrderItem=[]),
        "serviceOrderItem.0": add_without_spec,
        "serviceOrderItem[0].service.id": modify_unknown,
        "processKey": _order_body(processKey="noSuchProcess"),
        "colour": _order_body(colour="red"),
        "serviceCharacteristic": _order_body(
            serviceOrderItem=[
                {
                    "id": "1",
                    "action": "add",
                    "service": {
                        "serviceSpecification": {"id": "cfs-internet"},
                        "serviceCharacteristic": [{"name": "accessPassword", "value": "x"}],
                    },
                }
            ]
        ),
    }
    for field, body in cases.items():
        r = client.post(f"{SO}/serviceOrder", json=body, headers=h)
        assert r.status_code == 400, (field, r.text)
        assert field in r.text, (field, r.text)
    r = client.post(f"{SO}/serviceOrder", json=_order_body(), headers=auth_headers("csr"))
    assert r.status_code == 403
    r = client.post(f"{SO}/cancelServiceOrder", json={"serviceOrder": {"id": "nope"}}, headers=h)
    assert r.status_code == 400 and "serviceOrder.id" in r.text


def test_product_and_service_crud(
    client: TestClient, auth_headers: Headers, session: Session
) -> None:
    _completed(session)
    h = auth_headers("admin")
    r = client.post(
        f"{PI}/product",
        json={
            "status": "created",
            "name": "Migrated line",
            "productOffering": {"id": "PO-OLD", "@referredType": "ProductOffering"},
            "relatedParty": [{"id": "CUST-2", "role": "customer", "@referredType": "Customer"}],
            "@type": "Product",
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    product = r.json()
    conform(TMF637, "Product", product)
    url = f"{PI}/product/{product['id']}"
    assert r.headers["Location"] == product["href"]
    assert (
        client.patch(url, json={"status": "suspended"}, headers={**h, **MERGE}).status_code == 409
    )
    r = client.patch(url, json={"status": "active"}, headers={**h, **MERGE})
    assert r.status_code == 200 and "startDate" in r.json()
    assert client.delete(url, headers=h).status_code == 409
    r = client.patch(url, json={"status": "terminated"}, headers={**h, **MERGE})
    assert r.status_code == 200 and "terminationDate" in r.json()
    assert client.delete(url, headers=h).status_code == 204
    bad = client.post(f"{PI}/product", json={"name": "no status"}, headers=h)
    assert bad.status_code == 400 and "status" in bad.text
    secret = client.post(
        f"{PI}/product",
        json={
            "status": "created",
            "productCharacteristic": [{"name": "accessPassword", "value": "x"}],
        },
        headers=h,
    )
    assert secret.status_code == 400 and "productCharacteristic" in secret.text
    assert (
        client.post(
            f"{PI}/product", json={"status": "created"}, headers=auth_headers("csr")
        ).status_code
        == 403
    )
    # TMF638
    r = client.post(
        f"{SI}/service",
        json={"state": "designed", "serviceSpecification": {"id": "cfs-internet"}, "name": "svc"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    svc = r.json()
    conform(TMF638, "Service", svc)
    url = f"{SI}/service/{svc['id']}"
    r = client.patch(url, json={"state": "active"}, headers={**h, **MERGE})
    assert r.status_code == 200 and r.json()["state"] == "active"
    assert client.patch(url, json={"state": "designed"}, headers={**h, **MERGE}).status_code == 409
    assert client.patch(url, json={"state": "suspended"}, headers={**h, **MERGE}).status_code == 400
    assert client.delete(url, headers=h).status_code == 409
    r = client.patch(url, json={"serviceSpecification": None}, headers={**h, **MERGE})
    assert r.status_code == 400 and "serviceSpecification" in r.text
    missing = client.post(f"{SI}/service", json={"state": "active"}, headers=h)
    assert missing.status_code == 400 and "serviceSpecification" in missing.text
    for base in (PI, SI):
        r = client.post(f"{base}/hub", json={"callback": "https://crm.example.com/l"}, headers=h)
        assert r.status_code == 201
    events = [e.event_type for e in session.scalars(select(OutboxEvent).order_by(OutboxEvent.seq))]
    assert "ProductDeleteEvent" in events and "ServiceStateChangeEvent" in events


def test_region_comes_from_the_installation_address(
    client: TestClient, auth_headers: Headers, session: Session
) -> None:
    import openboss.party.address.places  # noqa: F401 - registers the place directory
    from openboss.kit.scope import SYSTEM_SCOPE
    from openboss.party.address import service as address_service
    from openboss.party.address.schemas import GeographicAddressCreate, GeographicSiteCreate
    from openboss.party.region.service import create_region

    create_region(session, id="330000", parent_id=None, level="province", name="浙江省")
    create_region(session, id="330100", parent_id="330000", level="city", name="杭州市")
    create_region(session, id=REGION, parent_id="330100", level="district", name="西湖区")
    create_region(session, id="330106-G01", parent_id=REGION, level="grid", name="翠苑网格")
    create_region(session, id="330105", parent_id="330100", level="district", name="拱墅区")
    site = address_service.create_site(
        session,
        SYSTEM_SCOPE,
        GeographicSiteCreate.model_validate(
            {"streetName": "文三路", "streetNr": "90号", "regionId": "330106-G01"}
        ),
        "http://testserver",
    )
    address = address_service.create_address(
        session,
        SYSTEM_SCOPE,
        GeographicAddressCreate.model_validate(
            {"siteId": site.id, "geographicSubAddress": [{"roomNumber": "501"}]}
        ),
        "http://testserver",
    )
    [order] = so.submit(session, [request(place_id=address.id, region_id=None)])
    assert order["regionId"] == "330106-G01"
    run(session, order)
    session.commit()
    district = auth_headers("csr", regions=[REGION])  # a district grant admits its grids
    assert client.get(f"{PI}/product/PRD-1", headers=district).json()["regionId"] == "330106-G01"
    assert client.get(f"{SO}/serviceOrder/{order['id']}", headers=district).status_code == 200
    other = auth_headers("csr", regions=["330105"])
    assert client.get(f"{PI}/product/PRD-1", headers=other).status_code == 404
    listed = client.get(f"{SI}/service", headers=other)
    assert listed.status_code == 200 and listed.json() == []
