"""The one-box customer search (SQLite and PostgreSQL): every kind, guessed
and explicit, region scope, masking, and the resolver hook."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from openboss.kit.errors import ValidationFailed
from openboss.kit.scope import Scope
from openboss.party.customer import search
from openboss.party.customer.search import detect_kind, register_search_kind, search_customers
from tests.party.test_party_api import (
    INDIVIDUALS,
    ORGANIZATIONS,
    company,
    credit_code,
    person,
    post,
    resident_id,
    seed_regions,
)

CUSTOMERS = "/tmf-api/customerManagement/v4/customer"
Headers = Callable[..., dict[str, str]]
WEST = Scope(regions=frozenset({"330106"}))
BIN = Scope(regions=frozenset({"330108"}))


@pytest.fixture
def data(client: TestClient, auth_headers: Headers, session: Session) -> dict[str, Any]:
    seed_regions(session)
    admin = auth_headers("admin")
    number = resident_id()
    wang = post(
        client,
        INDIVIDUALS,
        person(
            individualIdentification=[
                {"identificationType": "residentIdCard", "identificationId": number},
                {
                    "identificationType": "passport",
                    "identificationId": "E12345678",
                    "issuingAuthority": "CHN",
                },
            ],
            contactMedium=[
                {"mediumType": "phone", "characteristic": {"phoneNumber": "13812345678"}}
            ],
            externalReference=[{"name": "DEMO-HH-7"}],
        ),
        admin,
    )
    code = credit_code()
    org = post(
        client,
        ORGANIZATIONS,
        company(
            organizationIdentification=[
                {"identificationType": "unifiedSocialCreditCode", "identificationId": code}
            ]
        ),
        admin,
    )
    c1 = post(
        client,
        CUSTOMERS,
        {
            "name": "王小明",
            "engagedParty": {"id": wang["id"], "@referredType": "Individual"},
            "regionId": "330106",
            "customerType": "household",
        },
        admin,
    )
    c2 = post(
        client,
        CUSTOMERS,
        {
            "name": "杭州西湖科技有限公司",
            "engagedParty": {"id": org["id"], "@referredType": "Organization"},
            "regionId": "330108",
        },
        admin,
    )
    return {"number": number, "code": code, "c1": c1, "c2": c2, "wang": wang}


def ids(hits: list[search.CustomerHit]) -> list[str]:
    return [h.id for h in hits]


def test_detect_kind() -> None:
    assert detect_kind("13812345678") == "phone"
    assert detect_kind("+86 138-1234-5678") == "phone"
    assert detect_kind("0571-87654321") == "phone"
    assert detect_kind("33010619900307123X") == "document"
    assert detect_kind("91330106MA2AB3C472") == "document"
    assert detect_kind("E12345678") == "document"
    assert detect_kind("0190f5e2-7d7c-7b1a-9d2e-3a4b5c6d7e8f") == "id"
    assert detect_kind("DEMO-HH-1") == "externalReference"
    assert detect_kind("王") == "name"
    assert detect_kind("Ada Love") == "name"


def test_each_kind(session: Session, data: dict[str, Any]) -> None:
    c1, c2 = data["c1"]["id"], data["c2"]["id"]
    everyone = Scope()
    assert ids(search_customers(session, everyone, "138 1234 5678")) == [c1]
    assert ids(search_customers(session, everyone, "+8613812345678")) == [c1]
    assert ids(search_customers(session, everyone, data["number"].lower())) == [c1]
    assert ids(search_customers(session, everyone, "e12345678")) == [c1]
    assert ids(search_customers(session, everyone, data["code"])) == [c2]
    assert ids(search_customers(session, everyone, "王小")) == [c1]
    assert ids(search_customers(session, everyone, "杭州")) == [c2]
    assert ids(search_customers(session, everyone, c2)) == [c2]
    assert ids(search_customers(session, everyone, data["wang"]["id"])) == [c1]
    assert ids(search_customers(session, everyone, "DEMO-HH-7")) == [c1]
    assert ids(search_customers(session, everyone, "王%", kind="name")) == [c1]
    assert search_customers(session, everyone, "13900000000") == []
    assert search_customers(session, everyone, "   ") == []
    with pytest.raises(ValidationFailed):
        search_customers(session, everyone, "x", kind="astrology")


def test_hits_are_masked(session: Session, data: dict[str, Any]) -> None:
    (hit,) = search_customers(session, Scope(), "13812345678")
    assert hit.phone == "138****5678"
    assert hit.document is not None and hit.document.startswith("330") and "*" in hit.document
    assert hit.customer_type == "household" and hit.region_id == "330106"


def test_region_scope(session: Session, data: dict[str, Any]) -> None:
    assert ids(search_customers(session, WEST, "13812345678")) == [data["c1"]["id"]]
    assert search_customers(session, BIN, "13812345678") == []
    assert search_customers(session, WEST, data["code"]) == []
    assert search_customers(session, WEST, "杭州") == []
    assert search_customers(session, BIN, data["c1"]["id"]) == []


@pytest.fixture
def account_kind() -> Iterator[None]:
    register_search_kind(
        "account",
        lambda session, scope, text: [text[4:]] if text.startswith("ACC-") else [],
        detect=lambda text: text.startswith("ACC-"),
    )
    yield
    search._REGISTRY.pop("account", None)


def test_registered_kind(session: Session, data: dict[str, Any], account_kind: None) -> None:
    c2 = data["c2"]["id"]
    assert "account" in search.search_kinds()
    assert ids(search_customers(session, Scope(), f"ACC-{c2}")) == [c2]
    assert search_customers(session, WEST, f"ACC-{c2}", kind="account") == []
    with pytest.raises(ValueError, match="built-in"):
        register_search_kind("phone", lambda s, sc, t: [])


def test_search_api(client: TestClient, data: dict[str, Any], auth_headers: Headers) -> None:
    r = client.get(
        "/api/party/v1/customerSearch",
        params={"q": "138-1234-5678"},
        headers=auth_headers("marketing", regions=["330106"]),
    )
    assert r.status_code == 200
    assert [h["id"] for h in r.json()] == [data["c1"]["id"]]
    assert r.json()[0]["phone"] == "138****5678"
