"""The credit check: one test per rule, with real customer and account rows on
SQLite and PostgreSQL, the audit trail, and the HTTP API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openboss.kit.clock import utcnow
from openboss.kit.errors import NotFound, ValidationFailed
from openboss.kit.scope import SYSTEM_SCOPE, Scope
from openboss.party.account import credit, service
from openboss.party.account.models import CreditCheck
from tests.party.test_account_api import (
    ITEMS,
    account_body,
    identification,
    make_customer,
    parent_of,
    resident_id,
)

Headers = Callable[..., dict[str, str]]
CHECK = "/api/party/v1/creditCheck"


def open_account(client: TestClient, headers: dict[str, str], customer: str, **kw: Any) -> str:
    r = client.post(ITEMS, json=account_body(customer, **kw), headers=headers)
    assert r.status_code == 201, r.text
    ident: str = r.json()["id"]
    return ident


@pytest.fixture
def admin(auth_headers: Headers) -> dict[str, str]:
    return auth_headers("admin")


def check(session: Session, customer: str, **kw: Any) -> credit.CreditDecision:
    return credit.check_credit(session, SYSTEM_SCOPE, customer, **kw)


def codes(decision: credit.CreditDecision) -> list[str]:
    return [r.code for r in decision.reasons]


def test_a_good_customer_is_approved_and_the_decision_recorded(
    session: Session, client: TestClient, admin: dict[str, str]
) -> None:
    customer = make_customer(session)
    account = open_account(client, admin, customer)
    d = check(
        session, customer, account_id=account, requested_recurring_minor=9_900, checked_by="u1"
    )
    assert (d.decision, d.reasons) == ("approved", [])
    assert d.figures["creditLimitMinor"] == 50_000
    assert d.figures["exposureMinor"] == 9_900
    row = session.get_one(CreditCheck, d.id)
    assert (row.decision, row.checked_by, row.customer_id, row.account_id) == (
        "approved",
        "u1",
        customer,
        account,
    )
    assert row.region_id == "330106"


def test_blacklisted_is_rejected(session: Session) -> None:
    d = check(session, make_customer(session, blacklisted=True))
    assert d.decision == "rejected" and codes(d) == ["BLACKLISTED"]
    assert "fraud" in d.reasons[0].message


@pytest.mark.parametrize("status", ["suspended", "closed"])
def test_inactive_customer_is_rejected(session: Session, status: str) -> None:
    d = check(session, make_customer(session, status=status))
    assert d.decision == "rejected" and codes(d) == ["CUSTOMER_NOT_ACTIVE"]


def test_a_prospect_is_not_rejected_for_its_status(session: Session) -> None:
    assert check(session, make_customer(session, status="prospect")).decision == "approved"


def test_missing_document_is_referred(session: Session) -> None:
    d = check(session, make_customer(session, documents=[]))
    assert d.decision == "referred" and codes(d) == ["NO_DOCUMENT"]


def test_invalid_document_is_rejected(session: Session) -> None:
    bad = resident_id()[:-1] + ("0" if resident_id()[-1] != "0" else "1")
    d = check(session, make_customer(session, documents=[identification(bad)]))
    assert d.decision == "rejected" and codes(d) == ["DOCUMENT_INVALID"]


def test_expired_document_is_rejected(session: Session) -> None:
    d = check(session, make_customer(session, documents=[identification(valid_to="2020-01-01")]))
    assert d.decision == "rejected" and codes(d) == ["DOCUMENT_EXPIRED"]


def test_one_valid_document_is_enough(session: Session) -> None:
    docs = [identification(valid_to="2020-01-01"), identification(resident_id(seq="456"))]
    assert check(session, make_customer(session, documents=docs)).decision == "approved"


def _overdue(session: Session, account: str, days: int) -> None:
    service.record_balance(
        session,
        account,
        outstanding_minor=10_000,
        overdue_minor=3_000,
        overdue_since=utcnow() - timedelta(days=days),
    )


def test_recent_overdue_is_referred(
    session: Session, client: TestClient, admin: dict[str, str]
) -> None:
    customer = make_customer(session)
    _overdue(session, open_account(client, admin, customer), days=10)
    d = check(session, customer)
    assert d.decision == "referred" and codes(d) == ["OVERDUE_BALANCE"]
    assert d.figures["overdueMinor"] == 3_000 and d.figures["overdueDays"] == 10


def test_overdue_beyond_30_days_is_rejected(
    session: Session, client: TestClient, admin: dict[str, str]
) -> None:
    customer = make_customer(session)
    _overdue(session, open_account(client, admin, customer), days=45)
    d = check(session, customer)
    assert d.decision == "rejected" and codes(d) == ["OVERDUE_BALANCE"]


def test_exceeding_the_credit_limit_is_referred(
    session: Session, client: TestClient, admin: dict[str, str]
) -> None:
    customer = make_customer(session)
    account = open_account(client, admin, customer)  # limit 500.00 CNY
    service.record_balance(
        session, account, outstanding_minor=40_000, overdue_minor=0, overdue_since=None
    )
    d = check(session, customer, account_id=account, requested_one_time_minor=20_000)
    assert d.decision == "referred" and codes(d) == ["CREDIT_LIMIT_EXCEEDED"]
    assert d.figures["exposureMinor"] == 60_000


def test_exceeding_twice_the_credit_limit_is_rejected(
    session: Session, client: TestClient, admin: dict[str, str]
) -> None:
    customer = make_customer(session)
    account = open_account(client, admin, customer)
    d = check(session, customer, account_id=account, requested_one_time_minor=100_001)
    assert d.decision == "rejected" and codes(d) == ["CREDIT_LIMIT_EXCEEDED"]


def test_vip_gold_turns_a_limit_referral_into_an_approval(
    session: Session, client: TestClient, admin: dict[str, str]
) -> None:
    customer = make_customer(session, grade="vipGold")
    account = open_account(client, admin, customer)
    d = check(session, customer, account_id=account, requested_recurring_minor=60_000)
    assert d.decision == "approved"
    assert codes(d) == ["CREDIT_LIMIT_EXCEEDED", "VIP_OVERRIDE"]
    # but not a rejection
    d = check(session, customer, account_id=account, requested_recurring_minor=200_000)
    assert d.decision == "rejected"


def test_silver_is_not_vip_enough(
    session: Session, client: TestClient, admin: dict[str, str]
) -> None:
    customer = make_customer(session, grade="vipSilver")
    account = open_account(client, admin, customer)
    d = check(session, customer, account_id=account, requested_recurring_minor=60_000)
    assert d.decision == "referred"


@pytest.mark.parametrize("state", ["suspended", "closed"])
def test_an_inactive_account_is_rejected(
    session: Session, client: TestClient, admin: dict[str, str], state: str
) -> None:
    customer = make_customer(session)
    account = open_account(client, admin, customer)
    for step in ("active", state):
        r = client.patch(f"{ITEMS}/{account}", json={"state": step}, headers=admin)
        assert r.status_code == 200, r.text
    d = check(session, customer, account_id=account)
    assert d.decision == "rejected" and codes(d) == ["ACCOUNT_NOT_ACTIVE"]


def test_a_child_paid_by_its_parent_uses_the_parents_limit(
    session: Session, client: TestClient, admin: dict[str, str]
) -> None:
    customer = make_customer(session)
    parent = open_account(client, admin, customer, creditLimit={"unit": "CNY", "value": 10_000})
    child = open_account(
        client,
        admin,
        customer,
        accountRelationship=parent_of(parent),
        paidByParent=True,
        creditLimit={"unit": "CNY", "value": 10},
    )
    d = check(session, customer, account_id=child, requested_recurring_minor=50_000)
    assert d.decision == "approved"
    assert d.figures["payerAccountId"] == parent


def test_without_an_account_all_limits_of_the_customer_count(
    session: Session, client: TestClient, admin: dict[str, str]
) -> None:
    customer = make_customer(session)
    open_account(client, admin, customer)  # 500
    open_account(client, admin, customer)  # 500
    assert check(session, customer, requested_one_time_minor=90_000).decision == "approved"
    assert check(session, customer, requested_one_time_minor=110_000).decision == "referred"


def test_several_rules_report_every_reason_and_the_worst_wins(session: Session) -> None:
    customer = make_customer(session, status="suspended", documents=[])
    d = check(session, customer)
    assert d.decision == "rejected"
    assert codes(d) == ["CUSTOMER_NOT_ACTIVE", "NO_DOCUMENT"]


def test_bad_requests(session: Session, client: TestClient, admin: dict[str, str]) -> None:
    customer = make_customer(session)
    other = make_customer(session, name="Han Meimei")
    account = open_account(client, admin, other)
    with pytest.raises(NotFound):
        check(session, "no-such-customer")
    with pytest.raises(ValidationFailed, match="does not belong"):
        check(session, customer, account_id=account)
    with pytest.raises(ValidationFailed, match="is in CNY, not USD"):
        check(session, other, account_id=account, currency="USD")
    with pytest.raises(NotFound):
        credit.check_credit(session, Scope(regions=frozenset({"999999"})), customer)
    assert session.scalar(select(func.count()).select_from(CreditCheck)) == 0


# --------------------------------------------------------------------------- API


def test_api_checks_and_lists_history(
    client: TestClient, auth_headers: Headers, session: Session
) -> None:
    customer = make_customer(session)
    csr = auth_headers("csr", regions=["330106"])
    account = open_account(client, csr, customer)
    r = client.post(
        CHECK,
        json={
            "customerId": customer,
            "accountId": account,
            "requestedRecurring": {"unit": "CNY", "value": 199},
            "requestedOneTime": {"unit": "CNY", "value": 400},
        },
        headers=csr,
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["decision"] == "referred"
    assert out["reasons"][0]["code"] == "CREDIT_LIMIT_EXCEEDED"
    assert out["figures"]["exposureMinor"] == 59_900
    assert out["checkedBy"] == "test-tester"

    r = client.post(CHECK, json={"customerId": customer}, headers=auth_headers("billing"))
    assert r.json()["decision"] == "approved"

    r = client.get(CHECK, params={"customerId": customer}, headers=csr)
    assert r.status_code == 200
    assert [c["decision"] for c in r.json()] == ["approved", "referred"]

    assert (
        client.post(
            CHECK, json={"customerId": customer}, headers=auth_headers("marketing")
        ).status_code
        == 403
    )
    elsewhere = auth_headers("csr", regions=["110101"])
    assert client.post(CHECK, json={"customerId": customer}, headers=elsewhere).status_code == 404
    assert client.get(CHECK, params={"customerId": customer}, headers=elsewhere).status_code == 400
    bad = {"customerId": customer, "requestedOneTime": {"unit": "CNY", "value": -1}}
    assert client.post(CHECK, json=bad, headers=csr).status_code == 400
