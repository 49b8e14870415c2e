"""TMF666 billing accounts end to end, on SQLite and PostgreSQL: create, read,
list and filter, merge patch and lifecycle, delete, hub, hierarchy rules,
region scope, balances recorded by billing.

Customers are written as rows of the customer domain's tables (the fixtures
below): the account domain only reads them through the customer service.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.events.models import OutboxEvent
from openboss.kit.clock import utcnow
from openboss.kit.ids import new_id
from openboss.party.account import service
from openboss.party.account.models import BillingAccount
from openboss.party.customer.models import Customer, Individual, PartyBlacklist
from openboss.party.documents import resident_id_check_char

BASE = "/tmf-api/accountManagement/v4"
ITEMS = f"{BASE}/billingAccount"
MERGE = {"Content-Type": "application/merge-patch+json"}

Headers = Callable[..., dict[str, str]]


# --------------------------------------------------------------------------- support


def resident_id(birth: str = "19900307", seq: str = "123") -> str:
    body = "110101" + birth + seq
    return body + resident_id_check_char(body)


def identification(number: str | None = None, valid_to: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "identificationType": "residentIdCard",
        "identificationId": number or resident_id(),
    }
    if valid_to:
        item["validFor"] = {"endDateTime": valid_to + "T00:00:00Z"}
    return item


def make_customer(
    session: Session,
    *,
    name: str = "Li Lei",
    region_id: str | None = "330106",
    status: str = "active",
    grade: str | None = None,
    documents: list[dict[str, Any]] | None = None,
    blacklisted: bool = False,
    party_id: str | None = None,
) -> str:
    """A customer row (and its individual party unless ``party_id`` names one)."""
    now = utcnow()
    if party_id is None:
        party_id = new_id()
        session.add(
            Individual(
                id=party_id,
                status="validated",
                given_name=name.split()[0],
                family_name=name.split()[-1],
                full_name=name,
                formatted_name=name,
                search_name=name.lower(),
                individual_identification=[identification()] if documents is None else documents,
                created_at=now,
                updated_at=now,
            )
        )
    customer_id = new_id()
    session.add(
        Customer(
            id=customer_id,
            name=name,
            search_name=name.lower(),
            status=status,
            customer_type="individual",
            grade=grade,
            engaged_party_id=party_id,
            engaged_party_type="Individual",
            engaged_party_name=name,
            region_id=region_id,
            created_at=now,
            updated_at=now,
        )
    )
    if blacklisted:
        session.add(
            PartyBlacklist(
                id=new_id(),
                party_id=party_id,
                party_kind="individual",
                reason="fraud",
                listed_by="test",
                listed_at=now,
            )
        )
    session.commit()
    return customer_id


def party_of(session: Session, customer_id: str) -> str:
    return session.get_one(Customer, customer_id).engaged_party_id


def account_body(customer_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Home broadband",
        "accountType": "individual",
        "relatedParty": [{"id": customer_id, "role": "customer", "@referredType": "Customer"}],
        "billStructure": {"cycleSpecification": {"billingDateShift": 4}},
        "defaultPaymentMethod": {"id": "alipay"},
        "creditLimit": {"unit": "CNY", "value": 500},
    }
    body.update(overrides)
    return body


def create(client: TestClient, headers: dict[str, str], customer_id: str, **kw: Any) -> Any:
    r = client.post(ITEMS, json=account_body(customer_id, **kw), headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def parent_of(parent_id: str) -> list[dict[str, Any]]:
    return [{"relationshipType": "parent", "account": {"id": parent_id}}]


@pytest.fixture
def admin(auth_headers: Headers) -> dict[str, str]:
    return auth_headers("admin")


@pytest.fixture
def customer(session: Session) -> str:
    return make_customer(session)


def events_of(session: Session, ident: str) -> list[str]:
    session.expire_all()
    rows = session.scalars(
        select(OutboxEvent).where(OutboxEvent.resource_id == ident).order_by(OutboxEvent.seq)
    ).all()
    return [r.event_type for r in rows]


# --------------------------------------------------------------------------- numbers


def test_account_numbers_carry_a_luhn_check_digit() -> None:
    assert service.luhn_check_digit("7992739871") == "3"  # the textbook example
    assert service.is_valid_account_number(
        "8" + "0" * 10 + service.luhn_check_digit("8" + "0" * 10)
    )
    number = "8123456789" + "0"
    good = number + service.luhn_check_digit(number)
    assert service.is_valid_account_number(good)
    wrong = good[:-1] + str((int(good[-1]) + 1) % 10)
    assert not service.is_valid_account_number(wrong)
    assert not service.is_valid_account_number("7" + good[1:])
    assert not service.is_valid_account_number(good[:-1])


# --------------------------------------------------------------------------- create and read


def test_create_is_201_with_the_tmf_representation(
    client: TestClient, admin: dict[str, str], customer: str, session: Session
) -> None:
    r = client.post(ITEMS, json=account_body(customer), headers=admin)
    assert r.status_code == 201, r.text
    acc = r.json()
    href = f"http://testserver{ITEMS}/{acc['id']}"
    assert r.headers["Location"] == href == acc["href"]
    assert acc["@type"] == "BillingAccount"
    assert acc["@baseType"] == "Account"
    assert acc["state"] == "created"
    assert acc["paymentStatus"] == "paid"
    assert service.is_valid_account_number(acc["accountNumber"])
    assert acc["relatedParty"] == [
        {"id": customer, "role": "customer", "name": "Li Lei", "@referredType": "Customer"}
    ]
    assert acc["regionId"] == "330106"  # the customer's region
    assert acc["currency"] == "CNY"
    assert acc["creditLimit"] == {"unit": "CNY", "value": 500.00}
    assert acc["defaultPaymentMethod"] == {
        "id": "alipay",
        "name": "alipay",
        "@referredType": "PaymentMethod",
    }
    cycle = acc["billStructure"]["cycleSpecification"]
    assert cycle["billingDateShift"] == 4 and cycle["frequency"] == "monthly"
    assert session.get_one(BillingAccount, acc["id"]).bill_cycle_day == 5
    balances = {b["balanceType"]: b for b in acc["accountBalance"]}
    assert set(balances) == {"deposit", "outstanding", "overdue"}
    assert balances["outstanding"]["amount"] == {"unit": "CNY", "value": 0.00}
    assert "startDateTime" in balances["deposit"]["validFor"]
    assert acc["paidByParent"] is False
    got = client.get(f"{ITEMS}/{acc['id']}", headers=admin)
    assert got.status_code == 200 and got.json() == acc
    assert events_of(session, acc["id"]) == ["BillingAccountCreateEvent"]
    some = client.get(f"{ITEMS}/{acc['id']}", params={"fields": "state,creditLimit"}, headers=admin)
    assert some.json() == {
        "id": acc["id"],
        "href": href,
        "@type": "BillingAccount",
        "state": "created",
        "creditLimit": {"unit": "CNY", "value": 500.00},
    }


def test_idempotency_key_replays_the_same_account(
    client: TestClient, admin: dict[str, str], customer: str
) -> None:
    headers = admin | {"Idempotency-Key": "k-1"}
    first = client.post(ITEMS, json=account_body(customer), headers=headers)
    again = client.post(ITEMS, json=account_body(customer), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    other = client.post(ITEMS, json=account_body(customer, name="Other"), headers=headers)
    assert other.status_code == 409 and other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert len(client.get(ITEMS, headers=admin).json()) == 1


def test_each_account_gets_its_own_number(
    client: TestClient, admin: dict[str, str], customer: str
) -> None:
    numbers = {create(client, admin, customer)["accountNumber"] for _ in range(5)}
    assert len(numbers) == 5


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"relatedParty": [{"id": "x", "role": "payer"}]}, "relatedParty"),
        ({"relatedParty": [{"id": "no-such-customer", "role": "customer"}]}, "relatedParty"),
        ({"billStructure": {"cycleSpecification": {"billingDateShift": 28}}}, None),
        ({"creditLimit": {"unit": "USD", "value": 10}, "currency": "CNY"}, "creditLimit.unit"),
        ({"defaultPaymentMethod": {"id": "bitcoin"}}, None),
        ({"state": "active"}, None),
        ({"currency": "XXX"}, "currency"),
    ],
)
def test_create_validation_is_400_naming_the_field(
    client: TestClient,
    admin: dict[str, str],
    customer: str,
    change: dict[str, Any],
    field: str | None,
    session: Session,
) -> None:
    r = client.post(ITEMS, json=account_body(customer, **change), headers=admin)
    assert r.status_code == 400, r.text
    if field:
        assert r.json()["message"].startswith(field) or field in r.text
    session.expire_all()
    assert session.scalar(select(BillingAccount.id)) is None


def test_unknown_id_is_404(client: TestClient, admin: dict[str, str]) -> None:
    assert client.get(f"{ITEMS}/nope", headers=admin).status_code == 404


def test_roles(client: TestClient, auth_headers: Headers, customer: str) -> None:
    acc = create(client, auth_headers("csr"), customer)
    marketing = auth_headers("marketing")
    assert client.get(f"{ITEMS}/{acc['id']}", headers=marketing).status_code == 200
    assert client.post(ITEMS, json=account_body(customer), headers=marketing).status_code == 403
    assert client.get(ITEMS, headers=auth_headers("technician")).status_code == 403
    assert (
        client.post(ITEMS, json=account_body(customer), headers=auth_headers("billing")).status_code
        == 201
    )


# --------------------------------------------------------------------------- list


def test_list_filters_by_customer_number_and_state(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    c1 = make_customer(session, name="Li Lei")
    c2 = make_customer(session, name="Han Meimei")
    a1 = create(client, admin, c1, name="A1")
    a2 = create(client, admin, c1, name="A2")
    b1 = create(client, admin, c2, name="B1")
    client.patch(f"{ITEMS}/{a2['id']}", json={"state": "active"}, headers=admin)

    r = client.get(ITEMS, params={"relatedParty.id": c1}, headers=admin)
    assert r.status_code == 200
    assert {a["id"] for a in r.json()} == {a1["id"], a2["id"]}
    assert r.headers["X-Total-Count"] == "2"

    r = client.get(ITEMS, params={"accountNumber": b1["accountNumber"]}, headers=admin)
    assert [a["id"] for a in r.json()] == [b1["id"]]

    r = client.get(ITEMS, params={"state": "active"}, headers=admin)
    assert [a["id"] for a in r.json()] == [a2["id"]]

    r = client.get(
        ITEMS,
        params={"relatedParty.id": c1, "fields": "name,accountNumber", "sort": "name"},
        headers=admin,
    )
    assert [set(a) for a in r.json()] == [{"id", "href", "@type", "name", "accountNumber"}] * 2
    assert [a["name"] for a in r.json()] == ["A1", "A2"]

    r = client.get(ITEMS, params={"fields": "accountBalance"}, headers=admin)
    assert all(len(a["accountBalance"]) == 3 for a in r.json())
    r = client.get(ITEMS, params={"accountBalance.amount": "1"}, headers=admin)
    assert r.status_code == 400


# --------------------------------------------------------------------------- scope


def test_out_of_region_account_is_404(
    client: TestClient, auth_headers: Headers, admin: dict[str, str], session: Session
) -> None:
    here = make_customer(session, region_id="330106")
    there = make_customer(session, region_id="330108")
    mine = create(client, admin, here)
    theirs = create(client, admin, there)
    csr = auth_headers("csr", regions=["330106"])
    assert client.get(f"{ITEMS}/{mine['id']}", headers=csr).status_code == 200
    assert client.get(f"{ITEMS}/{theirs['id']}", headers=csr).status_code == 404
    r = client.patch(f"{ITEMS}/{theirs['id']}", json={"name": "x"}, headers=csr)
    assert r.status_code == 404
    assert [a["id"] for a in client.get(ITEMS, headers=csr).json()] == [mine["id"]]
    # an account for a customer the csr cannot see is refused
    r = client.post(ITEMS, json=account_body(there), headers=csr)
    assert r.status_code == 400 and "relatedParty" in r.text


# --------------------------------------------------------------------------- patch and lifecycle


def test_patch_changes_attributes_and_publishes(
    client: TestClient, admin: dict[str, str], customer: str, session: Session
) -> None:
    acc = create(client, admin, customer)
    r = client.patch(
        f"{ITEMS}/{acc['id']}",
        json={
            "name": "Family account",
            "billStructure": {"cycleSpecification": {"billingDateShift": 14}},
            "creditLimit": {"value": 800},
            "defaultPaymentMethod": None,
        },
        headers=MERGE | admin,
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["name"] == "Family account"
    assert out["billStructure"]["cycleSpecification"]["name"] == "monthly-15"
    assert out["creditLimit"] == {"unit": "CNY", "value": 800.00}
    assert "defaultPaymentMethod" not in out
    assert out["accountNumber"] == acc["accountNumber"]
    assert events_of(session, acc["id"])[-1] == "BillingAccountAttributeValueChangeEvent"
    for attr, value in (("accountNumber", "800000000000"), ("currency", "USD"), ("id", "x")):
        r = client.patch(f"{ITEMS}/{acc['id']}", json={attr: value}, headers=MERGE | admin)
        assert r.status_code == 400, attr
    r = client.patch(
        f"{ITEMS}/{acc['id']}",
        json={"relatedParty": [{"id": "other", "role": "customer"}]},
        headers=MERGE | admin,
    )
    assert r.status_code == 400


def test_lifecycle_and_closing_rules(
    client: TestClient, admin: dict[str, str], customer: str, session: Session
) -> None:
    acc = create(client, admin, customer)
    url = f"{ITEMS}/{acc['id']}"

    def move(state: str) -> Any:
        return client.patch(url, json={"state": state}, headers=MERGE | admin)

    assert move("suspended").status_code == 409  # created → suspended is not allowed
    assert move("active").json()["state"] == "active"
    assert move("suspended").json()["state"] == "suspended"
    assert move("active").status_code == 200
    assert events_of(session, acc["id"]).count("BillingAccountStateChangeEvent") == 3

    service.record_balance(
        session,
        acc["id"],
        outstanding_minor=12_000,
        overdue_minor=2_000,
        overdue_since=utcnow() - timedelta(days=3),
    )
    session.commit()
    got = client.get(url, headers=admin).json()
    assert got["paymentStatus"] == "inArrears"
    balances = {b["balanceType"]: b for b in got["accountBalance"]}
    assert balances["outstanding"]["amount"]["value"] == 120.00
    assert balances["overdue"]["amount"]["value"] == 20.00
    r = move("closed")
    assert r.status_code == 409 and "ACCOUNT_HAS_BALANCE" in r.text

    service.record_balance(
        session, acc["id"], outstanding_minor=0, overdue_minor=0, overdue_since=None
    )
    session.commit()
    assert client.get(url, headers=admin).json()["paymentStatus"] == "paid"
    assert move("closed").json()["state"] == "closed"
    assert move("active").status_code == 409  # closed is final
    assert client.patch(url, json={"name": "x"}, headers=MERGE | admin).status_code == 409


def test_record_balance_checks_its_input(
    customer: str, session: Session, client: TestClient, admin: dict[str, str]
) -> None:
    acc = create(client, admin, customer)
    with pytest.raises(Exception, match="part of the outstanding"):
        service.record_balance(
            session, acc["id"], outstanding_minor=1, overdue_minor=2, overdue_since=utcnow()
        )
    with pytest.raises(Exception, match="overdue_since"):
        service.record_balance(
            session, acc["id"], outstanding_minor=5, overdue_minor=2, overdue_since=None
        )
    with pytest.raises(Exception, match="not found"):
        service.record_balance(
            session, "nope", outstanding_minor=0, overdue_minor=0, overdue_since=None
        )


def test_delete_only_while_created(
    client: TestClient, admin: dict[str, str], customer: str, session: Session
) -> None:
    fresh = create(client, admin, customer)
    used = create(client, admin, customer)
    client.patch(f"{ITEMS}/{used['id']}", json={"state": "active"}, headers=MERGE | admin)
    r = client.delete(f"{ITEMS}/{used['id']}", headers=admin)
    assert r.status_code == 409
    assert client.delete(f"{ITEMS}/{fresh['id']}", headers=admin).status_code == 204
    assert client.get(f"{ITEMS}/{fresh['id']}", headers=admin).status_code == 404
    assert events_of(session, fresh["id"])[-1] == "BillingAccountDeleteEvent"


def test_listeners_register_on_this_apis_hub(client: TestClient, admin: dict[str, str]) -> None:
    r = client.post(
        f"{BASE}/hub",
        json={
            "callback": "http://127.0.0.1:9/listener",
            "query": "eventType=BillingAccountStateChangeEvent",
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text
    sub = r.json()
    assert client.delete(f"{BASE}/hub/{sub['id']}", headers=admin).status_code == 204


# --------------------------------------------------------------------------- hierarchy


def test_hierarchy_parent_shows_its_children(
    client: TestClient, admin: dict[str, str], customer: str, session: Session
) -> None:
    parent = create(client, admin, customer, name="HQ", accountType="enterprise")
    child = create(
        client,
        admin,
        customer,
        name="Branch",
        accountRelationship=parent_of(parent["id"]),
        paidByParent=True,
    )
    assert child["paidByParent"] is True
    rel = child["accountRelationship"]
    assert [(r["relationshipType"], r["account"]["id"]) for r in rel] == [("parent", parent["id"])]
    got = client.get(f"{ITEMS}/{parent['id']}", headers=admin).json()
    assert [(r["relationshipType"], r["account"]["id"]) for r in got["accountRelationship"]] == [
        ("child", child["id"])
    ]
    assert events_of(session, parent["id"])[-1] == "BillingAccountAttributeValueChangeEvent"
    r = client.get(ITEMS, params={"accountRelationship.account.id": parent["id"]}, headers=admin)
    assert [a["id"] for a in r.json()] == [child["id"]]

    # a parent with an open child neither closes nor is deleted
    assert client.delete(f"{ITEMS}/{parent['id']}", headers=admin).status_code == 409
    r = client.patch(f"{ITEMS}/{parent['id']}", json={"state": "closed"}, headers=MERGE | admin)
    assert r.status_code == 409 and "ACCOUNT_HAS_CHILDREN" in r.text

    # detaching: the parent forgets the child
    r = client.patch(
        f"{ITEMS}/{child['id']}",
        json={"accountRelationship": None, "paidByParent": False},
        headers=MERGE | admin,
    )
    assert r.status_code == 200, r.text
    assert "accountRelationship" not in r.json()
    assert "accountRelationship" not in client.get(f"{ITEMS}/{parent['id']}", headers=admin).json()


def test_hierarchy_rejects_self_and_cycles(
    client: TestClient, admin: dict[str, str], customer: str
) -> None:
    a = create(client, admin, customer, name="A")
    b = create(client, admin, customer, name="B", accountRelationship=parent_of(a["id"]))
    c = create(client, admin, customer, name="C", accountRelationship=parent_of(b["id"]))
    r = client.patch(
        f"{ITEMS}/{a['id']}",
        json={"accountRelationship": parent_of(a["id"])},
        headers=MERGE | admin,
    )
    assert r.status_code == 400 and "HIERARCHY_SELF" in r.text
    r = client.patch(
        f"{ITEMS}/{a['id']}",
        json={"accountRelationship": parent_of(c["id"])},
        headers=MERGE | admin,
    )
    assert r.status_code == 400 and "HIERARCHY_CYCLE" in r.text
    rels = client.get(f"{ITEMS}/{a['id']}", headers=admin).json()["accountRelationship"]
    assert [(r["relationshipType"], r["account"]["id"]) for r in rels] == [("child", b["id"])]


def test_hierarchy_rejects_a_currency_mismatch(
    client: TestClient, admin: dict[str, str], customer: str
) -> None:
    usd = create(client, admin, customer, currency="USD", creditLimit={"unit": "USD", "value": 10})
    r = client.post(
        ITEMS, json=account_body(customer, accountRelationship=parent_of(usd["id"])), headers=admin
    )
    assert r.status_code == 400 and "CURRENCY_MISMATCH" in r.text


def test_hierarchy_across_customers_only_within_one_enterprise(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    hq = make_customer(session, name="Acme HQ")
    branch = make_customer(session, name="Acme Branch", party_id=party_of(session, hq))
    stranger = make_customer(session, name="Other Corp")
    parent = create(client, admin, hq)
    ok = client.post(
        ITEMS, json=account_body(branch, accountRelationship=parent_of(parent["id"])), headers=admin
    )
    assert ok.status_code == 201, ok.text
    r = client.post(
        ITEMS,
        json=account_body(stranger, accountRelationship=parent_of(parent["id"])),
        headers=admin,
    )
    assert r.status_code == 400 and "HIERARCHY_OTHER_CUSTOMER" in r.text


def test_paid_by_parent_needs_a_parent(
    client: TestClient, admin: dict[str, str], customer: str
) -> None:
    r = client.post(ITEMS, json=account_body(customer, paidByParent=True), headers=admin)
    assert r.status_code == 400 and "paidByParent" in r.text
