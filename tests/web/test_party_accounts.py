"""Console screens of accounts and the credit check, in English and Chinese."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.party.account import service
from openboss.party.account.models import BillingAccount, CreditCheck
from tests.conftest import token_for
from tests.party.test_account_api import ITEMS, account_body, make_customer
from tests.web.conftest import csrf_from

ACCOUNTS = "/console/party/accounts"
CREDIT = "/console/party/credit-check"

Console = Callable[..., TestClient]


def account_numbers(html: str) -> list[str]:
    return re.findall(r'<tr data-account="(\d+)"', html)


@pytest.fixture
def customer(session: Session) -> str:
    return make_customer(session, name="Li Lei", region_id="330106")


def open_account(client: TestClient, customer: str, **kw: object) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token_for('admin')}"}
    r = client.post(ITEMS, json=account_body(customer, **kw), headers=headers)
    assert r.status_code == 201, r.text
    out: dict[str, str] = r.json()
    return out


@pytest.mark.parametrize(("lang", "tag"), [("en", "en"), ("zh_CN", "zh-CN")])
def test_list_and_search_render_in_both_languages(
    console_as: Console, customer: str, session: Session, lang: str, tag: str
) -> None:
    client = console_as("csr", regions=["330106"])
    a = open_account(client, customer, name="Home broadband")
    b = open_account(client, customer, name="Office line")
    elsewhere = make_customer(session, name="Han Meimei", region_id="330108")
    hidden = open_account(client, elsewhere, name="Hidden")
    page = client.get(f"{ACCOUNTS}?lang={lang}")
    assert page.status_code == 200
    assert page.headers["Content-Language"] == tag
    assert set(account_numbers(page.text)) == {a["accountNumber"], b["accountNumber"]}
    assert hidden["accountNumber"] not in page.text
    found = client.get(f"{ACCOUNTS}?q=office&lang={lang}")
    assert account_numbers(found.text) == [b["accountNumber"]]
    by_number = client.get(
        f"{ACCOUNTS}?q={a['accountNumber'][:8]}",
        headers={"HX-Request": "true", "HX-Target": "accounts-table"},
    )
    assert by_number.text.lstrip().startswith('<section class="ob-card ob-swap-target"')
    assert a["accountNumber"] in account_numbers(by_number.text)
    if lang == "en":
        assert "Accounts" in page.text and "Account number" in page.text


def test_nav_entry_for_account_roles(console_as: Console) -> None:
    page = console_as("billing").get("/console?lang=en").text
    assert f'href="{ACCOUNTS}"' in page
    page = console_as("technician").get("/console?lang=en").text
    assert f'href="{ACCOUNTS}"' not in page
    assert console_as("technician").get(ACCOUNTS).status_code == 403


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_create_an_account_through_the_form(
    console_as: Console, customer: str, session: Session, lang: str
) -> None:
    client = console_as("csr", regions=["330106"])
    form = client.get(f"{ACCOUNTS}/new?customerId={customer}&lang={lang}")
    assert form.status_code == 200
    assert "Li Lei" in form.text
    r = client.post(
        f"{ACCOUNTS}/new",
        data={
            "csrf_token": csrf_from(form.text),
            "customer_id": customer,
            "name": "Family account",
            "account_type": "individual",
            "bill_cycle_day": "15",
            "payment_method": "wechatPay",
            "credit_limit": "300.50",
            "currency": "CNY",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    session.expire_all()
    account = session.scalars(select(BillingAccount)).one()
    assert r.headers["location"] == f"{ACCOUNTS}/{account.id}"
    assert (account.name, account.bill_cycle_day, account.payment_method) == (
        "Family account",
        15,
        "wechatPay",
    )
    assert account.credit_limit_minor == 30_050
    assert account.region_id == "330106"
    detail = client.get(f"{ACCOUNTS}/{account.id}?lang={lang}")
    assert detail.status_code == 200
    assert account.account_number in detail.text
    assert "300.50 CNY" in detail.text


def test_the_form_shows_errors_inline(console_as: Console, customer: str, session: Session) -> None:
    client = console_as("csr", regions=["330106"])
    form = client.get(f"{ACCOUNTS}/new?customerId={customer}&lang=en")
    token = csrf_from(form.text)
    r = client.post(
        f"{ACCOUNTS}/new?lang=en",
        data={"csrf_token": token, "customer_id": customer, "name": "", "credit_limit": "abc"},
    )
    assert r.status_code == 400
    assert 'id="name-error"' in r.text and 'id="credit_limit-error"' in r.text
    r = client.post(
        f"{ACCOUNTS}/new?lang=en",
        data={"csrf_token": token, "customer_id": "nobody", "name": "X"},
    )
    assert r.status_code == 400 and 'id="customer_id-error"' in r.text
    assert session.scalar(select(BillingAccount.id)) is None


def test_detail_shows_hierarchy_and_moves_the_state(
    console_as: Console, customer: str, session: Session
) -> None:
    client = console_as("manager")
    parent = open_account(client, customer, name="HQ")
    child = open_account(
        client,
        customer,
        name="Branch",
        accountRelationship=[{"relationshipType": "parent", "account": {"id": parent["id"]}}],
        paidByParent=True,
    )
    page = client.get(f"{ACCOUNTS}/{parent['id']}?lang=en")
    assert f'data-child="{child["accountNumber"]}"' in page.text
    child_page = client.get(f"{ACCOUNTS}/{child['id']}?lang=en").text
    assert parent["accountNumber"] in child_page and "Paid by the parent account" in child_page

    token = csrf_from(page.text)
    r = client.post(
        f"{ACCOUNTS}/{child['id']}/state",
        data={"csrf_token": token, "state": "active"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    session.expire_all()
    assert session.get_one(BillingAccount, child["id"]).state == "active"

    service.record_balance(
        session, child["id"], outstanding_minor=100, overdue_minor=0, overdue_since=None
    )
    session.commit()
    r = client.post(
        f"{ACCOUNTS}/{child['id']}/state?lang=en", data={"csrf_token": token, "state": "closed"}
    )
    assert r.status_code == 409 and 'id="account-error"' in r.text
    session.expire_all()
    assert session.get_one(BillingAccount, child["id"]).state == "active"


def test_out_of_region_detail_is_404(console_as: Console, session: Session) -> None:
    elsewhere = make_customer(session, region_id="330108")
    client = console_as("csr", regions=["330106"])
    acc = open_account(client, elsewhere)
    assert client.get(f"{ACCOUNTS}/{acc['id']}").status_code == 404


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_credit_check_form_and_history(
    console_as: Console, customer: str, session: Session, lang: str
) -> None:
    client = console_as("csr", regions=["330106"])
    acc = open_account(client, customer)  # limit 500.00
    page = client.get(f"{CREDIT}?customerId={customer}&lang={lang}")
    assert page.status_code == 200 and acc["accountNumber"] in page.text
    r = client.post(
        f"{CREDIT}?lang={lang}",
        data={
            "csrf_token": csrf_from(page.text),
            "customer_id": customer,
            "account_id": acc["id"],
            "recurring": "199",
            "one_time": "400",
        },
    )
    assert r.status_code == 200, r.text
    assert 'data-decision="referred"' in r.text
    assert 'data-reason="CREDIT_LIMIT_EXCEEDED"' in r.text
    session.expire_all()
    check = session.scalars(select(CreditCheck)).one()
    assert check.decision == "referred" and check.checked_by == "test-tester"
    assert f'data-check="{check.id}"' in r.text
    bad = client.post(
        f"{CREDIT}?lang=en",
        data={"csrf_token": csrf_from(page.text), "customer_id": customer, "recurring": "-5"},
    )
    assert bad.status_code == 400 and 'id="recurring-error"' in bad.text
