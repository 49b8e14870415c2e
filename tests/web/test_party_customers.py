"""Console: customer search and the new-customer wizards, in Chinese and
English, with region scope and inline errors (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openboss.kit.scope import SYSTEM_SCOPE
from openboss.party.address import service as address_service
from openboss.party.address.schemas import GeographicAddressCreate, GeographicSiteCreate
from openboss.party.customer.models import Customer, Individual, Organization
from openboss.party.customer.search import search_customers
from tests.party.test_party_api import credit_code, resident_id, seed_regions
from tests.web.conftest import csrf_from

SEARCH = "/console/party/customers"
HOUSEHOLD = f"{SEARCH}/new/household"
ENTERPRISE = f"{SEARCH}/new/enterprise"
HTMX = {"HX-Request": "true"}
Console = Callable[..., TestClient]


@pytest.fixture
def address(session: Session) -> str:
    seed_regions(session)
    site = GeographicSiteCreate.model_validate(
        {
            "streetName": "文三路",
            "streetNr": "90号",
            "compound": "翠苑一区",
            "buildingName": "3幢",
            "regionId": "330106",
        }
    )
    site_id = address_service.create_site(session, SYSTEM_SCOPE, site, "http://testserver").id
    flat = GeographicAddressCreate.model_validate(
        {"siteId": site_id, "geographicSubAddress": [{"subUnitNumber": "2", "roomNumber": "501"}]}
    )
    ident = address_service.create_address(session, SYSTEM_SCOPE, flat, "http://testserver").id
    session.commit()
    return ident


def household_form(client: TestClient, address: str, **fields: Any) -> dict[str, Any]:
    page = client.get(HOUSEHOLD)
    assert page.status_code == 200, page.text
    data: dict[str, Any] = {
        "csrf_token": csrf_from(page.text),
        "customer_type": "household",
        "family_name": "王",
        "given_name": "小明",
        "id_type": "residentIdCard",
        "id_number": resident_id(),
        "phone": "138 1234 5678",
        "address_id": address,
        "address_label": "文三路90号",
        "region_id": "330106",
        "grade": "vipGold",
    }
    data.update(fields)
    return data


def test_household_wizard_creates_party_and_customer(
    console_as: Console, session: Session, address: str
) -> None:
    client = console_as("csr", regions=["330106"])
    page = client.get(f"{HOUSEHOLD}?lang=zh_CN")
    assert page.status_code == 200 and '<html lang="zh-CN">' in page.text
    r = client.post(HOUSEHOLD, data=household_form(client, address), follow_redirects=False)
    assert r.status_code == 303, r.text
    customer_id = r.headers["location"].rsplit("/", 1)[-1]
    session.expire_all()
    customer = session.get(Customer, customer_id)
    assert customer is not None
    assert (customer.customer_type, customer.grade, customer.status) == (
        "household",
        "vipGold",
        "active",
    )
    assert customer.place == [
        {"id": address, "role": "installation", "@referredType": "GeographicAddress"}
    ]
    (hit,) = search_customers(session, SYSTEM_SCOPE, "13812345678")
    assert hit.id == customer_id


def test_wizard_errors_inline_and_nothing_kept(
    console_as: Console, session: Session, address: str
) -> None:
    client = console_as("csr", regions=["330106"])
    number = resident_id()
    bad = number[:-1] + ("1" if number[-1] == "0" else "0")
    r = client.post(HOUSEHOLD + "?lang=en", data=household_form(client, address, id_number=bad))
    assert r.status_code == 400
    assert 'id="id_number-error"' in r.text
    assert "The customer was not created" in r.text
    r = client.post(HOUSEHOLD, data=household_form(client, address, phone="12"))
    assert r.status_code == 400 and 'id="phone-error"' in r.text
    r = client.post(HOUSEHOLD, data=household_form(client, address, address_id=""))
    assert r.status_code == 400 and 'id="address_id-error"' in r.text
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Individual)) == 0
    # a duplicate document: the first one wins, the second is refused
    ok = client.post(
        HOUSEHOLD, data=household_form(client, address, id_number=number), follow_redirects=False
    )
    assert ok.status_code == 303
    again = client.post(
        HOUSEHOLD + "?lang=en",
        data=household_form(client, address, id_number=number, phone="13912345678"),
    )
    assert again.status_code == 400
    assert "already exists" in again.text
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Individual)) == 1
    assert session.scalar(select(func.count()).select_from(Customer)) == 1


def test_enterprise_wizard_with_contacts(
    console_as: Console, session: Session, address: str
) -> None:
    client = console_as("manager")
    page = client.get(f"{ENTERPRISE}?lang=en")
    assert page.status_code == 200 and "Unified social credit code" in page.text
    data = {
        "csrf_token": csrf_from(page.text),
        "customer_type": "government",
        "trading_name": "杭州市西湖区教育局",
        "credit_code": credit_code(),
        "phone": "0571-87001234",
        "region_id": "330106",
        "grade": "regular",
        "contact_family_name": ["张", "李", ""],
        "contact_given_name": ["伟", "娜", ""],
        "contact_phone": ["13900001111", "", ""],
        "contact_role": ["legalRepresentative", "technicalContact", "contact"],
    }
    r = client.post(ENTERPRISE, data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    session.expire_all()
    customer = session.get(Customer, r.headers["location"].rsplit("/", 1)[-1])
    assert customer is not None and customer.customer_type == "government"
    assert [(p["name"], p["role"]) for p in customer.related_party or []] == [
        ("张伟", "legalRepresentative"),
        ("李娜", "technicalContact"),
    ]
    assert session.scalar(select(func.count()).select_from(Organization)) == 1
    data["contact_given_name"] = ["", "", ""]
    data["credit_code"] = credit_code()
    r = client.post(ENTERPRISE, data=data)
    assert r.status_code == 400 and 'id="contacts.0.family_name-error"' in r.text


def test_search_page_languages_masking_and_scope(
    console_as: Console, session: Session, address: str
) -> None:
    west = console_as("csr", regions=["330106"])
    r = west.post(HOUSEHOLD, data=household_form(west, address), follow_redirects=False)
    customer_id = r.headers["location"].rsplit("/", 1)[-1]
    zh = west.get(f"{SEARCH}?lang=zh_CN&q=13812345678")
    assert zh.status_code == 200
    assert '<html lang="zh-CN">' in zh.text and "王小明" in zh.text
    en = west.get(f"{SEARCH}?lang=en&q=13812345678")
    assert "Customer search" in en.text
    row = en.text[en.text.index(f'data-customer="{customer_id}"') :].split("</tr>")[0]
    assert "138****5678" in row and "王小明" in row
    assert f'href="/console/party/customers/{customer_id}"' in row
    assert not re.search(r"\d{17}[\dX]", row)  # no full document number in a list
    fragment = west.get(f"{SEARCH}?q=王", headers={**HTMX, "HX-Target": "customer-results"})
    assert fragment.text.lstrip().startswith(
        '<section class="ob-card ob-swap-target" id="customer-results"'
    )
    binjiang = console_as("marketing", regions=["330108"])
    other = binjiang.get(f"{SEARCH}?lang=en&q=13812345678")
    assert customer_id not in other.text and 'id="no-customers"' in other.text
    assert 'id="new-household"' not in other.text
    assert binjiang.get(HOUSEHOLD).status_code == 403
    assert console_as("technician").get(SEARCH).status_code == 403


def test_address_options(console_as: Console, address: str) -> None:
    client = console_as("csr", regions=["330106"])
    r = client.get(f"{SEARCH}/address-options?address_q=翠苑", headers=HTMX)
    assert r.status_code == 200
    assert f'data-address="{address}"' in r.text
