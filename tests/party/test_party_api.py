"""TMF632 parties end to end (SQLite and PostgreSQL): individuals and
organisations, documents validated for real, duplicates, contact media,
filters, status transitions. Helpers here are shared by the customer tests."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openboss.events.models import OutboxEvent
from openboss.party import documents as d
from openboss.party.customer.models import Individual, PartyContactKey, PartyIdentificationKey
from openboss.party.region import service as regions

PARTY = "/tmf-api/party/v4"
INDIVIDUALS = f"{PARTY}/individual"
ORGANIZATIONS = f"{PARTY}/organization"
MERGE = {"Content-Type": "application/merge-patch+json"}
Headers = Callable[..., dict[str, str]]

_seq = itertools.count(100)


def resident_id(birth: str = "19900307", region: str = "330106", seq: int | None = None) -> str:
    """A valid resident ID (odd sequence digit: male)."""
    n = next(_seq) if seq is None else seq
    body = f"{region}{birth}{n % 1000:03d}"
    return body + d.resident_id_check_char(body)


def credit_code(org: str | None = None) -> str:
    """A valid unified social credit code."""
    base = org or f"MA{next(_seq):06d}"[:8]
    base = base + d.organisation_code_check_char(base)
    body = "91330106" + base
    return body + d.uscc_check_char(body)


def person(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "givenName": "小明",
        "familyName": "王",
        "individualIdentification": [
            {"identificationType": "residentIdCard", "identificationId": resident_id()}
        ],
        "contactMedium": [
            {
                "mediumType": "phone",
                "preferred": True,
                "characteristic": {"phoneNumber": f"138 {next(_seq):04d} 8000"},
            }
        ],
        "externalReference": [{"externalReferenceType": "legacyCrm", "name": "DEMO-HH-1"}],
    }
    body.update(overrides)
    return body


def company(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "tradingName": "杭州西湖科技有限公司",
        "organizationType": "company",
        "isLegalEntity": True,
        "organizationIdentification": [
            {"identificationType": "unifiedSocialCreditCode", "identificationId": credit_code()}
        ],
    }
    body.update(overrides)
    return body


def seed_regions(session: Session) -> None:
    regions.create_region(session, id="330000", parent_id=None, level="province", name="浙江省")
    regions.create_region(session, id="330100", parent_id="330000", level="city", name="杭州市")
    for code, name in (("330106", "西湖区"), ("330108", "滨江区")):
        regions.create_region(session, id=code, parent_id="330100", level="district", name=name)
    session.commit()


def post(client: TestClient, url: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    r = client.post(url, json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


@pytest.fixture
def csr(auth_headers: Headers) -> dict[str, str]:
    return auth_headers("csr")


def test_individual_create_read_derives_names_birth_and_gender(
    client: TestClient, csr: dict[str, str]
) -> None:
    number = resident_id("19850412", seq=122)  # even: female
    created = post(
        client,
        INDIVIDUALS,
        person(
            individualIdentification=[
                {"identificationType": "residentIdCard", "identificationId": number.lower()}
            ],
            contactMedium=[
                {"mediumType": "phone", "characteristic": {"phoneNumber": "+86 139-0013-9000"}},
                {"mediumType": "email", "characteristic": {"emailAddress": "Wang@Example.COM"}},
            ],
        ),
        csr,
    )
    assert created["fullName"] == "王小明" == created["formattedName"]
    assert created["birthDate"] == "1985-04-12"
    assert created["gender"] == "female"
    assert created["status"] == "initialized"
    assert created["@type"] == "Individual"
    assert created["individualIdentification"][0]["identificationId"] == number.upper()
    phones = [c["characteristic"] for c in created["contactMedium"]]
    assert phones[0]["phoneNumber"] == "+8613900139000"
    assert phones[1]["emailAddress"] == "Wang@example.com"
    got = client.get(created["href"].replace("http://testserver", ""), headers=csr)
    assert got.status_code == 200 and got.json() == created
    latin = post(
        client,
        INDIVIDUALS,
        {"givenName": "Ada", "familyName": "Lovelace"},
        csr,
    )
    assert latin["fullName"] == "Ada Lovelace"


def test_mandatory_attributes(client: TestClient, csr: dict[str, str]) -> None:
    r = client.post(INDIVIDUALS, json={"givenName": "x"}, headers=csr)
    assert r.status_code == 400 and r.json()["field"] == "familyName"
    r = client.post(ORGANIZATIONS, json={"name": "x"}, headers=csr)
    assert r.status_code == 400 and r.json()["field"] == "tradingName"


def test_bad_documents_and_contacts_name_the_field(
    client: TestClient, csr: dict[str, str], session: Session
) -> None:
    good = resident_id()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    r = client.post(
        INDIVIDUALS,
        json=person(
            individualIdentification=[
                {"identificationType": "residentIdCard", "identificationId": bad}
            ]
        ),
        headers=csr,
    )
    assert r.status_code == 400
    assert r.json()["field"] == "individualIdentification[0].identificationId"
    r = client.post(
        INDIVIDUALS,
        json=person(birthDate="1991-01-01"),
        headers=csr,
    )
    assert r.status_code == 400 and r.json()["field"] == "birthDate"
    r = client.post(
        INDIVIDUALS,
        json=person(
            contactMedium=[{"mediumType": "phone", "characteristic": {"phoneNumber": "12"}}]
        ),
        headers=csr,
    )
    assert r.status_code == 400
    assert r.json()["field"] == "contactMedium[0].characteristic.phoneNumber"
    r = client.post(
        INDIVIDUALS,
        json=person(
            individualIdentification=[
                {
                    "identificationType": "passport",
                    "identificationId": "X1",
                    "issuingAuthority": "CHN",
                }
            ]
        ),
        headers=csr,
    )
    assert r.status_code == 400
    r = client.post(
        ORGANIZATIONS,
        json=company(
            organizationIdentification=[
                {
                    "identificationType": "unifiedSocialCreditCode",
                    "identificationId": "91330106MA2AB3C471",
                }
            ]
        ),
        headers=csr,
    )
    assert r.status_code == 400
    assert r.json()["field"] == "organizationIdentification[0].identificationId"
    assert session.scalar(select(func.count()).select_from(Individual)) == 0


_DIGITS = "0123456789"


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(position=st.integers(0, 16), delta=st.integers(1, 9))
def test_one_corrupted_digit_is_refused(
    client: TestClient, csr: dict[str, str], position: int, delta: int
) -> None:
    good = resident_id(seq=321)
    digit = (int(good[position]) + delta) % 10
    bad = good[:position] + str(digit) + good[position + 1 :]
    r = client.post(
        INDIVIDUALS,
        json=person(
            individualIdentification=[
                {"identificationType": "residentIdCard", "identificationId": bad}
            ]
        ),
        headers=csr,
    )
    assert r.status_code == 400, r.text
    assert r.json()["field"] == "individualIdentification[0].identificationId"


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(position=st.integers(8, 16), delta=st.integers(1, 9))
def test_one_corrupted_credit_code_character_is_refused(
    client: TestClient, csr: dict[str, str], position: int, delta: int
) -> None:
    good = credit_code("MA2AB3C4")
    ch = good[position]
    replacement = str((int(ch) + delta) % 10) if ch.isdigit() else _DIGITS[delta]
    bad = good[:position] + replacement + good[position + 1 :]
    r = client.post(
        ORGANIZATIONS,
        json=company(
            organizationIdentification=[
                {"identificationType": "unifiedSocialCreditCode", "identificationId": bad}
            ]
        ),
        headers=csr,
    )
    assert r.status_code == 400, r.text
    assert r.json()["field"] == "organizationIdentification[0].identificationId"


def test_duplicate_document_is_409_and_nothing_written(
    client: TestClient, csr: dict[str, str], session: Session
) -> None:
    number = resident_id()
    first = post(
        client,
        INDIVIDUALS,
        person(
            individualIdentification=[
                {"identificationType": "residentIdCard", "identificationId": number}
            ]
        ),
        csr,
    )
    events_before = session.scalar(select(func.count()).select_from(OutboxEvent))
    r = client.post(
        INDIVIDUALS,
        json=person(
            givenName="大明",
            individualIdentification=[
                {
                    "identificationType": "residentIdCard",
                    "identificationId": f" {number[:6]} {number[6:]}",
                }
            ],
        ),
        headers=csr,
    )
    assert r.status_code == 409, r.text
    err = r.json()
    assert err["code"] == "DUPLICATE_PARTY"
    assert err["details"]["partyId"] == first["id"]
    assert first["id"] in err["message"]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Individual)) == 1
    assert session.scalar(select(func.count()).select_from(PartyIdentificationKey)) == 1
    assert session.scalar(select(func.count()).select_from(OutboxEvent)) == events_before
    # the same credit code twice
    code = credit_code()
    body = company(
        organizationIdentification=[
            {"identificationType": "unifiedSocialCreditCode", "identificationId": code}
        ]
    )
    post(client, ORGANIZATIONS, body, csr)
    r = client.post(ORGANIZATIONS, json=body, headers=csr)
    assert r.status_code == 409 and r.json()["code"] == "DUPLICATE_PARTY"


def test_filters_external_reference_and_fields(client: TestClient, csr: dict[str, str]) -> None:
    a = post(client, INDIVIDUALS, person(), csr)
    post(
        client,
        INDIVIDUALS,
        person(givenName="红", familyName="李", externalReference=[{"name": "DEMO-HH-2"}]),
        csr,
    )
    r = client.get(INDIVIDUALS, params={"externalReference.name": "DEMO-HH-1"}, headers=csr)
    assert r.status_code == 200
    assert [i["id"] for i in r.json()] == [a["id"]]
    assert r.headers["X-Total-Count"] == "1"
    r = client.get(INDIVIDUALS, params={"familyName": "李", "fields": "fullName"}, headers=csr)
    assert [set(i) for i in r.json()] == [{"id", "href", "@type", "fullName"}]
    r = client.get(INDIVIDUALS, params={"nope": "1"}, headers=csr)
    assert r.status_code == 400


def test_patch_status_and_contacts(
    client: TestClient, csr: dict[str, str], session: Session
) -> None:
    a = post(client, INDIVIDUALS, person(), csr)
    url = f"{INDIVIDUALS}/{a['id']}"
    r = client.patch(
        url,
        json={
            "status": "validated",
            "contactMedium": [
                {"mediumType": "phone", "characteristic": {"phoneNumber": "0571-87654321"}}
            ],
        },
        headers={**csr, **MERGE},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "validated"
    assert r.json()["contactMedium"][0]["characteristic"]["phoneNumber"] == "+8657187654321"
    session.expire_all()
    values = session.scalars(
        select(PartyContactKey.value).where(PartyContactKey.party_id == a["id"])
    ).all()
    assert values == ["+8657187654321"]
    r = client.patch(url, json={"status": "initialized"}, headers={**csr, **MERGE})
    assert r.status_code == 409
    r = client.patch(url, json={"fullName": "x"}, headers={**csr, **MERGE})
    assert r.status_code == 400 and r.json()["field"] == "fullName"
    r = client.patch(url, json={"familyName": None}, headers={**csr, **MERGE})
    assert r.status_code == 400
    kinds = session.scalars(select(OutboxEvent.event_type)).all()
    assert "IndividualStateChangeEvent" in kinds and "IndividualCreateEvent" in kinds


def test_delete_and_404(client: TestClient, csr: dict[str, str], auth_headers: Headers) -> None:
    org = post(client, ORGANIZATIONS, company(), csr)
    url = f"{ORGANIZATIONS}/{org['id']}"
    assert client.get(url, headers=auth_headers("marketing")).status_code == 200
    assert client.get(url, headers=auth_headers("technician")).status_code == 403
    assert client.delete(url, headers=auth_headers("billing")).status_code == 403
    assert client.delete(url, headers=csr).status_code == 204
    assert client.get(url, headers=csr).status_code == 404
    assert client.patch(url, json={}, headers={**csr, **MERGE}).status_code == 404
    # its document is free again
    post(
        client,
        ORGANIZATIONS,
        company(organizationIdentification=org["organizationIdentification"]),
        csr,
    )


def test_hub_registration(client: TestClient, csr: dict[str, str], auth_headers: Headers) -> None:
    r = client.post(
        f"{PARTY}/hub",
        json={
            "callback": "http://127.0.0.1:9/listener",
            "query": "eventType=IndividualCreateEvent",
        },
        headers=auth_headers("admin"),
    )
    assert r.status_code == 201, r.text
    assert (
        client.delete(f"{PARTY}/hub/{r.json()['id']}", headers=auth_headers("admin")).status_code
        == 204
    )
