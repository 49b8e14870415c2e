"""TMF629 customers end to end (SQLite and PostgreSQL): creation from a party,
type/grade/segment, related parties with roles, lifecycle, filters, region
scope, the facts other domains read, and the blacklist."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from openboss.kit.errors import NotFound, ValidationFailed
from openboss.kit.scope import Scope
from openboss.party.customer import service
from openboss.party.customer.service import LIFECYCLE
from tests.party.test_party_api import (
    INDIVIDUALS,
    MERGE,
    ORGANIZATIONS,
    company,
    person,
    post,
    resident_id,
    seed_regions,
)

CUSTOMERS = "/tmf-api/customerManagement/v4/customer"
BLACKLIST = "/api/party/v1/blacklist"
Headers = Callable[..., dict[str, str]]


@pytest.fixture
def csr(auth_headers: Headers, session: Session) -> dict[str, str]:
    seed_regions(session)
    return auth_headers("csr", regions=["330106"])


def customer_body(party: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": party.get("fullName") or party.get("tradingName"),
        "engagedParty": {"id": party["id"], "@referredType": party["@type"]},
    }
    body.update(overrides)
    return body


def new_customer(
    client: TestClient, headers: dict[str, str], **overrides: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    party = post(client, INDIVIDUALS, person(), headers)
    return party, post(client, CUSTOMERS, customer_body(party, **overrides), headers)


def test_create_household_customer(client: TestClient, csr: dict[str, str]) -> None:
    party, c = new_customer(
        client, csr, customerType="household", grade="vipGold", segment="family"
    )
    assert c["status"] == "prospect"
    assert c["regionId"] == "330106"  # the CSR's only region
    assert c["engagedParty"] == {
        "id": party["id"],
        "@referredType": "Individual",
        "name": "王小明",
    }
    assert c["customerType"] == "household" and c["grade"] == "vipGold"
    chars = {ch["name"]: ch["value"] for ch in c["characteristic"]}
    assert chars == {"customerType": "household", "grade": "vipGold", "segment": "family"}
    got = client.get(f"{CUSTOMERS}/{c['id']}", headers=csr).json()
    assert got == c
    # the type from a characteristic, default type from the party
    _, c2 = new_customer(client, csr, characteristic=[{"name": "grade", "value": "regular"}])
    assert c2["customerType"] == "individual" and c2["grade"] == "regular"


def test_engaged_party_must_exist_and_fit_the_type(client: TestClient, csr: dict[str, str]) -> None:
    r = client.post(
        CUSTOMERS,
        json={"name": "x", "engagedParty": {"id": "nope", "@referredType": "Individual"}},
        headers=csr,
    )
    assert r.status_code == 400 and r.json()["field"] == "engagedParty.id"
    party = post(client, INDIVIDUALS, person(), csr)
    r = client.post(CUSTOMERS, json=customer_body(party, customerType="enterprise"), headers=csr)
    assert r.status_code == 400 and r.json()["field"] == "engagedParty.@referredType"
    r = client.post(CUSTOMERS, json=customer_body(party, grade="platinum"), headers=csr)
    assert r.status_code == 400
    r = client.post(CUSTOMERS, json=customer_body(party, regionId="330108"), headers=csr)
    assert r.status_code == 403


def test_enterprise_with_contacts(client: TestClient, csr: dict[str, str]) -> None:
    org = post(client, ORGANIZATIONS, company(), csr)
    boss = post(client, INDIVIDUALS, person(givenName="总", familyName="张"), csr)
    body = customer_body(
        org,
        customerType="enterprise",
        relatedParty=[
            {"id": boss["id"], "role": "legalRepresentative", "@referredType": "Individual"},
            {"id": boss["id"], "role": "technicalContact", "@referredType": "Individual"},
        ],
    )
    c = post(client, CUSTOMERS, body, csr)
    assert [p["name"] for p in c["relatedParty"]] == ["张总", "张总"]
    r = client.get(CUSTOMERS, params={"relatedParty.role": "legalRepresentative"}, headers=csr)
    assert [x["id"] for x in r.json()] == [c["id"]]
    bad = customer_body(
        org, relatedParty=[{"id": boss["id"], "role": "cook", "@referredType": "Individual"}]
    )
    r = client.post(CUSTOMERS, json=bad, headers=csr)
    assert r.status_code == 400 and r.json()["field"] == "relatedParty[0].role"
    bad = customer_body(
        org, relatedParty=[{"id": "ghost", "role": "contact", "@referredType": "Individual"}]
    )
    r = client.post(CUSTOMERS, json=bad, headers=csr)
    assert r.status_code == 400 and r.json()["field"] == "relatedParty[0].id"


def test_filters(client: TestClient, csr: dict[str, str]) -> None:
    party, household = new_customer(client, csr, customerType="household")
    new_customer(client, csr)
    r = client.get(CUSTOMERS, params={"engagedParty.id": party["id"]}, headers=csr)
    assert [x["id"] for x in r.json()] == [household["id"]]
    r = client.get(CUSTOMERS, params={"customerType": "household"}, headers=csr)
    assert [x["id"] for x in r.json()] == [household["id"]]
    r = client.get(CUSTOMERS, params={"fields": "name,status", "sort": "name"}, headers=csr)
    assert r.headers["X-Total-Count"] == "2"
    assert all(set(x) == {"id", "href", "@type", "name", "status"} for x in r.json())


def test_lifecycle_patch_and_delete(client: TestClient, csr: dict[str, str]) -> None:
    _, c = new_customer(client, csr)
    url = f"{CUSTOMERS}/{c['id']}"
    r = client.patch(url, json={"status": "active", "grade": "vipSilver"}, headers={**csr, **MERGE})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "active" and r.json()["grade"] == "vipSilver"
    chars = {ch["name"]: ch["value"] for ch in r.json()["characteristic"]}
    assert chars["grade"] == "vipSilver"
    assert client.delete(url, headers=csr).status_code == 409
    r = client.patch(url, json={"status": "suspended"}, headers={**csr, **MERGE})
    assert r.status_code == 400 and r.json()["field"] == "statusReason"
    r = client.patch(
        url, json={"status": "suspended", "statusReason": "non-payment"}, headers={**csr, **MERGE}
    )
    assert r.status_code == 200
    r = client.patch(url, json={"status": "prospect"}, headers={**csr, **MERGE})
    assert r.status_code == 409
    r = client.patch(url, json={"engagedParty": {"id": "x"}}, headers={**csr, **MERGE})
    assert r.status_code == 400 and r.json()["field"] == "engagedParty"
    r = client.patch(
        url, json={"status": "closed", "statusReason": "moved away"}, headers={**csr, **MERGE}
    )
    assert r.status_code == 200
    assert client.delete(url, headers=csr).status_code == 204
    assert client.get(url, headers=csr).status_code == 404


def test_state_machine_table() -> None:
    assert LIFECYCLE.initial == "prospect"
    assert LIFECYCLE.is_final("closed")
    for state in LIFECYCLE.states - {"closed"}:
        assert "closed" in LIFECYCLE.allowed(state)
    assert LIFECYCLE.allowed("suspended") == {"active", "closed"}


def test_party_in_use_cannot_be_deleted(client: TestClient, csr: dict[str, str]) -> None:
    party, _ = new_customer(client, csr)
    r = client.delete(f"{INDIVIDUALS}/{party['id']}", headers=csr)
    assert r.status_code == 409 and r.json()["code"] == "PARTY_IN_USE"


def test_region_scope(client: TestClient, csr: dict[str, str], auth_headers: Headers) -> None:
    _, c = new_customer(client, csr)
    other = auth_headers("csr", regions=["330108"])
    url = f"{CUSTOMERS}/{c['id']}"
    assert client.get(url, headers=other).status_code == 404
    assert client.patch(url, json={"name": "x"}, headers={**other, **MERGE}).status_code == 404
    assert client.get(CUSTOMERS, headers=other).json() == []
    city = auth_headers("manager", regions=["330106", "330108"])
    assert client.get(url, headers=city).status_code == 200
    party = post(client, INDIVIDUALS, person(), city)
    r = client.post(CUSTOMERS, json=customer_body(party), headers=city)
    assert r.status_code == 400 and r.json()["field"] == "regionId"
    r = client.post(
        CUSTOMERS, json=customer_body(party, regionId="999999"), headers=auth_headers("admin")
    )
    assert r.status_code == 400 and r.json()["field"] == "regionId"


def test_facts_and_ref(client: TestClient, csr: dict[str, str], session: Session) -> None:
    number = resident_id()
    party, c = new_customer(
        client,
        csr,
        grade="vipGold",
    )
    scope = Scope(regions=frozenset({"330106"}))
    facts = service.customer_facts(session, scope, c["id"])
    assert facts.party_id == party["id"] and facts.party_type == "Individual"
    assert facts.grade == "vipGold" and facts.customer_type == "individual"
    assert not facts.blacklisted
    assert [(doc.type, doc.valid) for doc in facts.documents] == [("residentIdCard", True)]
    with pytest.raises(NotFound):
        service.customer_facts(session, Scope(regions=frozenset({"330108"})), c["id"])
    assert service.customer_ref(session, scope, c["id"]) == {
        "id": c["id"],
        "name": "王小明",
        "@referredType": "Customer",
    }
    with pytest.raises(ValidationFailed) as err:
        service.customer_ref(session, scope, "nope", field="customer.id")
    assert err.value.field == "customer.id"
    assert number  # a fresh number was drawn (documents differ between tests)


def test_blacklist_add_flag_and_lift(
    client: TestClient, csr: dict[str, str], session: Session, auth_headers: Headers
) -> None:
    party, c = new_customer(client, csr)
    scope = Scope(regions=frozenset({"330106"}))
    r = client.post(BLACKLIST, json={"partyId": party["id"]}, headers=csr)
    assert r.status_code == 400  # reason required
    r = client.post(BLACKLIST, json={"partyId": party["id"], "reason": "fraud"}, headers=csr)
    assert r.status_code == 201, r.text
    entry = r.json()
    assert entry["active"] and entry["documentType"] == "residentIdCard"
    r = client.post(BLACKLIST, json={"partyId": party["id"], "reason": "again"}, headers=csr)
    assert r.status_code == 409
    session.expire_all()
    facts = service.customer_facts(session, scope, c["id"])
    assert facts.blacklisted and facts.blacklist_reason == "fraud"
    lift = f"{BLACKLIST}/{entry['id']}/lift"
    assert client.post(lift, json={"reason": "paid"}, headers=csr).status_code == 403
    manager = auth_headers("manager")
    r = client.post(lift, json={"reason": "paid"}, headers=manager)
    assert r.status_code == 200 and not r.json()["active"] and r.json()["liftedBy"] == "tester"
    assert client.post(lift, json={"reason": "again"}, headers=manager).status_code == 409
    session.expire_all()
    assert not service.customer_facts(session, scope, c["id"]).blacklisted
    r = client.get(BLACKLIST, params={"partyId": party["id"]}, headers=csr)
    assert len(r.json()) == 1


def test_blacklisted_document_flags_a_new_party(
    client: TestClient, csr: dict[str, str], session: Session
) -> None:
    number = resident_id()
    r = client.post(
        BLACKLIST,
        json={"documentType": "residentIdCard", "documentNumber": number, "reason": "debt"},
        headers=csr,
    )
    assert r.status_code == 201 and r.json()["partyId"] is None
    party = post(
        client,
        INDIVIDUALS,
        person(
            individualIdentification=[
                {"identificationType": "residentIdCard", "identificationId": number}
            ]
        ),
        csr,
    )
    c = post(client, CUSTOMERS, customer_body(party), csr)
    facts = service.customer_facts(session, Scope(), c["id"])
    assert facts.blacklisted and facts.blacklist_reason == "debt"
    bad = number[:-1] + ("1" if number[-1] == "0" else "0")
    r = client.post(
        BLACKLIST,
        json={"documentType": "residentIdCard", "documentNumber": bad, "reason": "x"},
        headers=csr,
    )
    assert r.status_code == 400 and r.json()["field"] == "documentNumber"


def test_place_must_be_a_known_address(client: TestClient, csr: dict[str, str]) -> None:
    party = post(client, INDIVIDUALS, person(), csr)
    r = client.post(
        CUSTOMERS,
        json=customer_body(party, place=[{"id": "no-such-address", "role": "installation"}]),
        headers=csr,
    )
    assert r.status_code == 400 and r.json()["field"] == "place[0].id"


def test_place_is_kept_in_the_address_side_table(
    client: TestClient, csr: dict[str, str], session: Session
) -> None:
    from sqlalchemy import select

    from openboss.kit.scope import SYSTEM_SCOPE
    from openboss.party.address import service as address_service
    from openboss.party.address.schemas import GeographicAddressCreate, GeographicSiteCreate
    from openboss.party.customer.models import CustomerAddress

    site = GeographicSiteCreate.model_validate(
        {"streetName": "文三路", "streetNr": "90号", "buildingName": "3幢", "regionId": "330106"}
    )
    site_id = address_service.create_site(session, SYSTEM_SCOPE, site, "http://t").id
    flats = [
        address_service.create_address(
            session,
            SYSTEM_SCOPE,
            GeographicAddressCreate.model_validate(
                {"siteId": site_id, "geographicSubAddress": [{"roomNumber": room}]}
            ),
            "http://t",
        ).id
        for room in ("501", "502")
    ]
    session.commit()
    party = post(client, INDIVIDUALS, person(), csr)
    c = post(
        client,
        CUSTOMERS,
        customer_body(
            party,
            place=[
                {"id": flats[0], "role": "installation"},
                {"id": flats[0], "role": "billing"},
            ],
        ),
        csr,
    )
    assert c["place"][0] == {
        "id": flats[0],
        "role": "installation",
        "@referredType": "GeographicAddress",
    }

    def rows() -> list[tuple[str, str]]:
        session.expire_all()
        return sorted(
            session.execute(
                select(CustomerAddress.address_id, CustomerAddress.role).where(
                    CustomerAddress.customer_id == c["id"]
                )
            ).all()
        )

    assert rows() == [(flats[0], "billing"), (flats[0], "installation")]
    r = client.patch(
        f"{CUSTOMERS}/{c['id']}",
        json={"place": [{"id": flats[1], "role": "installation"}]},
        headers={**csr, **MERGE},
    )
    assert r.status_code == 200, r.text
    assert rows() == [(flats[1], "installation")]


def test_idempotent_create_events_and_hub(
    client: TestClient, csr: dict[str, str], session: Session, auth_headers: Headers
) -> None:
    from sqlalchemy import select

    from openboss.events.models import OutboxEvent

    party = post(client, INDIVIDUALS, person(), csr)
    headers = {**csr, "Idempotency-Key": "cust-create-1"}
    first = client.post(CUSTOMERS, json=customer_body(party), headers=headers)
    again = client.post(CUSTOMERS, json=customer_body(party), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    session.expire_all()
    created = session.scalars(
        select(OutboxEvent).where(OutboxEvent.event_type == "CustomerCreateEvent")
    ).all()
    assert [(e.resource_id, e.region_id) for e in created] == [(first.json()["id"], "330106")]
    hub = client.post(
        "/tmf-api/customerManagement/v4/hub",
        json={"callback": "http://127.0.0.1:9/listener"},
        headers=auth_headers("admin"),
    )
    assert hub.status_code == 201, hub.text
