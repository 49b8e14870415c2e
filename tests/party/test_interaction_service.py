"""Customer interface management (eTOM 1.1.1.2) below the API: the reason
taxonomy, routing with the handler registry and linking, the open and
exception lists, the timeline and the contact report (SQL on both databases)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from openboss.kit.errors import Conflict, IllegalTransition, NotFound, ValidationFailed
from openboss.kit.scope import SYSTEM_SCOPE, Scope
from openboss.party.interaction import report, service, taxonomy
from openboss.party.interaction.models import InteractionReason, PartyInteraction
from openboss.party.interaction.schemas import PartyInteractionCreate
from openboss.party.interaction.taxonomy import DEFAULT_REASONS, seed_default_reasons
from tests.party.test_interaction_api import RIVER, WEST, seed_world

REASONS = "/api/party/v1/interactionReasons"
MERGE = {"Content-Type": "application/merge-patch+json"}
Headers = Callable[..., dict[str, str]]


@pytest.fixture
def world(session: Session) -> dict[str, str]:
    return seed_world(session)


@pytest.fixture
def routes() -> Iterator[None]:
    yield
    for target in taxonomy.ROUTE_TARGETS:
        service.unregister_route(target)


def log(
    session: Session,
    customer_id: str | None = None,
    *,
    scope: Scope = SYSTEM_SCOPE,
    **fields: Any,
) -> PartyInteraction:
    data: dict[str, Any] = {
        "reason": "fault.noService",
        "channel": [{"id": "callCentre"}],
    }
    if customer_id:
        data["relatedParty"] = [
            {"id": customer_id, "role": "customer", "@referredType": "Customer"}
        ]
    else:
        data["regionId"] = WEST
    data.update(fields)
    written = service.create_interaction(
        session, scope, PartyInteractionCreate.model_validate(data), actor="amy"
    )
    return written.interaction


# --------------------------------------------------------------------------- taxonomy


def test_seed_is_idempotent_and_keeps_edits(session: Session) -> None:
    assert seed_default_reasons(session) == len(DEFAULT_REASONS)
    taxonomy.update_reason(session, "fault.slow", {"name": "网速太慢", "active": False})
    assert seed_default_reasons(session) == 0
    assert session.get(InteractionReason, "fault.slow").name == "网速太慢"  # type: ignore[union-attr]
    session.delete(session.get(InteractionReason, "info.coverage"))
    session.flush()
    assert seed_default_reasons(session) == 1


def test_tree_inherits_routes(session: Session) -> None:
    seed_default_reasons(session)
    roots = taxonomy.reason_tree(session)
    fault = next(r for r in roots if r.code == "fault")
    assert [c.code for c in fault.children] == ["fault.noService", "fault.slow", "fault.iptv"]
    assert all(c.effective_route == "fault" for c in fault.children)
    disconnect = next(
        c for r in roots if r.code == "order" for c in r.children if c.code == "order.disconnect"
    )
    assert disconnect.effective_route == "retention"
    taxonomy.update_reason(session, "fault", {"active": False})
    active = [n.code for n in taxonomy.all_reasons(session, active_only=True)]
    assert "fault" not in active and "fault.slow" not in active and "info" in active


def test_reason_rules(session: Session) -> None:
    seed_default_reasons(session)
    with pytest.raises(Conflict):
        taxonomy.create_reason(session, code="fault", name="x")
    with pytest.raises(ValidationFailed) as err:
        taxonomy.create_reason(session, code="x.y", name="x", parent_code="nope")
    assert err.value.field == "parentCode"
    with pytest.raises(ValidationFailed) as err:
        taxonomy.create_reason(session, code="x.z", name="x", routes_to="nowhere")
    assert err.value.field == "routesTo"
    with pytest.raises(ValidationFailed, match="cycle"):
        taxonomy.update_reason(session, "fault", {"parent_code": "fault.slow"})
    with pytest.raises(NotFound):
        taxonomy.update_reason(session, "nope", {"name": "x"})


def test_reason_api(client: TestClient, auth_headers: Headers, session: Session) -> None:
    seed_default_reasons(session)
    session.commit()
    manager, csr = auth_headers("manager"), auth_headers("csr")
    tree = client.get(REASONS, headers=csr).json()
    assert [r["code"] for r in tree] == [
        "order",
        "fault",
        "complaint",
        "billing",
        "info",
        "retention",
    ]
    assert tree[1]["children"][0] == {
        "code": "fault.noService", "parentCode": "fault", "name": "无法上网",
        "nameEn": "No service", "routesTo": None, "effectiveRoute": "fault",
        "active": True, "sortOrder": 60, "children": [],
    }  # fmt: skip
    new = {"code": "fault.wifi", "name": "无线故障", "nameEn": "Wi-Fi fault", "parentCode": "fault"}
    assert client.post(REASONS, json=new, headers=csr).status_code == 403
    r = client.post(REASONS, json=new, headers=manager)
    assert r.status_code == 201, r.text
    assert r.json()["effectiveRoute"] == "fault"
    assert client.post(REASONS, json=new, headers=manager).status_code == 409
    r = client.post(REASONS, json={**new, "code": "bad code"}, headers=manager)
    assert (r.status_code, r.json()["field"]) == (400, "code")
    r = client.patch(
        f"{REASONS}/fault.wifi",
        json={"routesTo": "complaint", "nameEn": None},
        headers=MERGE | manager,
    )
    assert r.status_code == 200, r.text
    assert (r.json()["routesTo"], r.json()["nameEn"]) == ("complaint", None)
    r = client.patch(f"{REASONS}/fault.wifi", json={"name": None}, headers=MERGE | manager)
    assert (r.status_code, r.json()["field"]) == (400, "name")
    r = client.patch(f"{REASONS}/fault.wifi", json={"routesTo": "x"}, headers=MERGE | manager)
    assert (r.status_code, r.json()["field"]) == (400, "routesTo")
    assert (
        client.patch(f"{REASONS}/nope", json={"name": "x"}, headers=MERGE | manager).status_code
        == 404
    )
    r = client.patch(f"{REASONS}/fault.wifi", json={"active": False}, headers=MERGE | manager)
    active = client.get(f"{REASONS}?active=true", headers=csr).json()
    fault = next(x for x in active if x["code"] == "fault")
    assert "fault.wifi" not in [c["code"] for c in fault["children"]]


# --------------------------------------------------------------------------- routing


@pytest.mark.parametrize("target", sorted(taxonomy.ROUTE_TARGETS))
def test_routing_without_a_handler_records_the_target_and_waits(
    session: Session, world: dict[str, str], routes: None, target: str
) -> None:
    row = log(session, world["west"])
    routed = service.route_interaction(
        session, SYSTEM_SCOPE, row.id, target_type=target, actor="amy"
    )
    assert routed.target_type == target
    assert routed.item is None
    assert routed.awaiting_link is (target != "information")
    assert row.status == "inProgress" and row.routed_to == target
    assert row.interaction_item is None


def test_routing_defaults_to_the_reasons_route(
    session: Session, world: dict[str, str], routes: None
) -> None:
    for reason, expected in (
        ("fault.slow", "fault"),
        ("order.new", "order"),
        ("order.disconnect", "retention"),
        ("complaint.billing", "complaint"),
        ("billing.invoice", "billEnquiry"),
        ("info.product", "information"),
    ):
        row = log(session, world["west"], reason=reason)
        assert service.route_interaction(session, SYSTEM_SCOPE, row.id).target_type == expected


@pytest.mark.parametrize(
    ("target", "referred"),
    [("order", "ProductOrder"), ("complaint", "TroubleTicket"), ("fault", "TroubleTicket"),
     ("billEnquiry", "CustomerBillEnquiry"), ("retention", "RetentionCase")],
)  # fmt: skip
def test_a_registered_handler_creates_and_links(
    session: Session, world: dict[str, str], routes: None, target: str, referred: str
) -> None:
    seen: list[service.RouteContext] = []

    def handler(s: Session, scope: Scope, ctx: service.RouteContext) -> Mapping[str, Any]:
        seen.append(ctx)
        return {"id": f"{target}-42", "href": f"https://x/{target}-42", "@referredType": referred}

    service.register_route(target, handler)
    row = log(session, world["west"], description="要办理")
    routed = service.route_interaction(
        session, SYSTEM_SCOPE, row.id, target_type=target, actor="amy"
    )
    assert [c.customer_id for c in seen] == [world["west"]]
    assert seen[0].region_id == WEST and seen[0].description == "要办理"
    assert routed.item == {
        "id": f"{target}-42", "href": f"https://x/{target}-42", "role": target, "@referredType": referred
    }  # fmt: skip
    assert not routed.awaiting_link
    [entry] = row.interaction_item or []
    assert entry["item"] == routed.item and entry["reason"] == target
    doc = routed.written.body.decode()
    assert f"{target}-42" in doc and '"routedTo":"' + target + '"' in doc


def test_route_with_an_existing_object_and_later_links(
    session: Session, world: dict[str, str], routes: None
) -> None:
    row = log(session, world["west"], reason="order.new")
    routed = service.route_interaction(session, SYSTEM_SCOPE, row.id, target_id="PO-1")
    assert routed.item == {"id": "PO-1", "role": "order", "@referredType": "ProductOrder"}
    # the ordering domain links a second order later; linking the same one twice is a no-op
    service.link_interaction_item(session, row.id, {"id": "PO-2", "@referredType": "ProductOrder"})
    service.link_interaction_item(session, row.id, {"id": "PO-2", "@referredType": "ProductOrder"})
    assert [i["item"]["id"] for i in row.interaction_item or []] == ["PO-1", "PO-2"]
    with pytest.raises(ValidationFailed) as err:
        service.route_interaction(
            session, SYSTEM_SCOPE, row.id, target_type="information", target_id="x"
        )
    assert err.value.field == "targetId"
    with pytest.raises(ValidationFailed) as err:
        service.route_interaction(session, SYSTEM_SCOPE, row.id, target_type="nowhere")
    assert err.value.field == "targetType"
    with pytest.raises(ValidationFailed):
        service.register_route("nowhere", lambda s, sc, c: None)


def test_link_moves_an_open_contact_and_respects_scope(
    session: Session, world: dict[str, str]
) -> None:
    row = log(session, world["river"])
    assert row.status == "open"
    with pytest.raises(NotFound):
        service.link_interaction_item(
            session, row.id, {"id": "TT-1", "@referredType": "TroubleTicket"},
            scope=Scope(regions=frozenset({WEST})),
        )  # fmt: skip
    service.link_interaction_item(
        session, row.id, {"id": "TT-1", "@referredType": "TroubleTicket"}, target_type="fault"
    )
    assert row.status == "inProgress"
    with pytest.raises(ValidationFailed):
        service.link_interaction_item(session, row.id, {"@referredType": "TroubleTicket"})


def test_route_api(
    client: TestClient, auth_headers: Headers, world: dict[str, str], routes: None
) -> None:
    csr = auth_headers("csr", regions=[WEST])
    service.register_route(
        "complaint", lambda s, sc, c: {"id": "TT-9", "@referredType": "TroubleTicket"}
    )
    created = client.post(
        "/tmf-api/partyInteraction/v4/partyInteraction",
        json={"reason": "complaint.staff", "channel": [{"id": "ownHall"}],
              "relatedParty": [{"id": world["west"], "role": "customer", "@referredType": "Customer"}]},
        headers=csr,
    ).json()  # fmt: skip
    r = client.post(f"/api/party/v1/partyInteraction/{created['id']}/route", json={}, headers=csr)
    assert r.status_code == 200, r.text
    routed = r.json()
    assert routed["status"] == "inProgress" and routed["routedTo"] == "complaint"
    assert routed["interactionItem"][0]["item"]["id"] == "TT-9"
    r = client.post(
        f"/api/party/v1/partyInteraction/{created['id']}/route",
        json={"targetType": "teleport"},
        headers=csr,
    )
    assert (r.status_code, r.json()["field"]) == (400, "targetType")


# --------------------------------------------------------------------------- closure and state


def test_closure_and_illegal_moves(session: Session, world: dict[str, str]) -> None:
    row = log(session, world["west"])
    service.close_interaction(session, SYSTEM_SCOPE, row.id, outcome="resolved", actor="bob")
    assert (row.status, row.outcome, row.closed_by) == ("completed", "resolved", "bob")
    assert row.end_at is not None and row.closed_at is not None
    with pytest.raises(Conflict):
        service.close_interaction(session, SYSTEM_SCOPE, row.id, outcome="resolved")
    with pytest.raises(IllegalTransition):
        service.cancel_interaction(session, SYSTEM_SCOPE, row.id)
    other = log(session, world["west"])
    service.cancel_interaction(session, SYSTEM_SCOPE, other.id, note="重复登记", actor="bob")
    assert other.status == "cancelled" and other.end_at is None
    with pytest.raises(Conflict):
        service.cancel_interaction(session, SYSTEM_SCOPE, other.id)
    assert service.LIFECYCLE.allowed("open") == {"inProgress", "completed", "cancelled"}
    assert service.LIFECYCLE.is_final("completed") and service.LIFECYCLE.is_final("cancelled")


def test_logging_a_completed_contact(session: Session, world: dict[str, str]) -> None:
    row = log(session, world["west"], status="completed", outcome="informationGiven")
    assert row.status == "completed" and row.end_at is not None and row.closed_by == "amy"


# --------------------------------------------------------------------------- lists


def _aged(session: Session, row: PartyInteraction, hours: float) -> None:
    row.start_at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=hours)
    session.flush()


def test_open_and_exception_lists(session: Session, world: dict[str, str]) -> None:
    fresh_call = log(session, world["west"])
    old_call = log(session, world["west"])
    _aged(session, old_call, 30)
    old_mail = log(session, world["west"], channel=[{"id": "email"}])
    _aged(session, old_mail, 30)  # e-mail has 72 hours
    older_mail = log(session, world["west"], channel=[{"id": "email"}])
    _aged(session, older_mail, 80)
    escalated = log(session, world["west"], escalated=True)
    done = log(session, world["west"])
    _aged(session, done, 100)
    service.close_interaction(session, SYSTEM_SCOPE, done.id, outcome="resolved")
    elsewhere = log(session, world["river"])
    _aged(session, elsewhere, 100)

    opened = service.open_contacts(session, SYSTEM_SCOPE)
    assert opened.total == 6
    assert done.id not in [r.id for r in opened.rows]
    west = Scope(regions=frozenset({WEST}))
    assert service.open_contacts(session, west).total == 5
    assert service.open_contacts(session, west, channel="email").total == 2
    assert service.open_contacts(session, west, reason="fault").total == 5
    assert service.open_contacts(session, west, reason="billing").total == 0

    exceptions = service.exception_contacts(session, west)
    assert {r.id for r in exceptions.rows} == {old_call.id, older_mail.id, escalated.id}
    assert exceptions.rows[0].id == older_mail.id  # oldest first
    assert all(r.is_exception for r in exceptions.rows)
    assert fresh_call.id not in {r.id for r in exceptions.rows}
    assert service.exception_contacts(session, SYSTEM_SCOPE).total == 4
    later = datetime.now(UTC) + timedelta(hours=50)
    assert service.exception_contacts(session, west, now=later).total == 5


def test_timeline_newest_first_in_scope(session: Session, world: dict[str, str]) -> None:
    first = log(session, world["west"])
    _aged(session, first, 5)
    second = log(session, world["west"], reason="billing.balance")
    log(session, world["river"])
    entries = service.timeline(session, SYSTEM_SCOPE, world["west"])
    assert [e.id for e in entries] == [second.id, first.id]
    assert entries[0].customer_name == "李雷"
    assert service.timeline(session, Scope(regions=frozenset({RIVER})), world["west"]) == []
    assert len(service.timeline(session, SYSTEM_SCOPE, world["west"], limit=1)) == 1


# --------------------------------------------------------------------------- report


def _at(session: Session, row: PartyInteraction, when: str) -> None:
    row.start_at = datetime.fromisoformat(when)
    session.flush()


def test_contact_report_counts_in_sql(session: Session, world: dict[str, str]) -> None:
    # 2024-05-05 is a Sunday; 2024-05-05T20:00Z is Monday 04:00 in Shanghai
    plan = [
        ("2024-05-01T01:00:00+00:00", "callCentre", "fault.slow", "resolved"),
        ("2024-05-01T02:00:00+00:00", "callCentre", "fault.slow", "resolved"),
        ("2024-05-01T03:00:00+00:00", "callCentre", "fault.slow", None),
        ("2024-05-01T17:00:00+00:00", "email", "billing.invoice", "enquiryRaised"),  # 5-2 local
        ("2024-05-05T15:00:00+00:00", "ownHall", "order.new", "orderCreated"),  # Sun 23:00 local
        ("2024-05-05T20:00:00+00:00", "ownHall", "order.new", "orderCreated"),  # Mon local
        ("2024-06-01T00:00:00+00:00", "web", "info.product", "informationGiven"),
        ("2024-04-30T15:59:00+00:00", "web", "info.product", "informationGiven"),  # 4-30 local
    ]
    for when, channel, reason, outcome in plan:
        row = log(session, world["west"], channel=[{"id": channel}], reason=reason)
        if outcome:
            service.close_interaction(session, SYSTEM_SCOPE, row.id, outcome=outcome)
        _at(session, row, when)
    log(session, world["river"], reason="fault.slow")  # now: outside the period
    start = datetime(2024, 4, 30, 16, tzinfo=UTC)  # 2024-05-01 00:00 local
    end = datetime(2024, 6, 30, 16, tzinfo=UTC)

    def as_tuples(rows: list[report.ReportRow]) -> list[tuple[Any, ...]]:
        return [(r.period, r.channel, r.reason, r.outcome, r.count) for r in rows]

    days = report.contact_report(session, SYSTEM_SCOPE, period="day", start=start, end=end)
    assert as_tuples(days) == [
        ("2024-05-01", "callCentre", "fault.slow", None, 1),
        ("2024-05-01", "callCentre", "fault.slow", "resolved", 2),
        ("2024-05-02", "email", "billing.invoice", "enquiryRaised", 1),
        ("2024-05-05", "ownHall", "order.new", "orderCreated", 1),
        ("2024-05-06", "ownHall", "order.new", "orderCreated", 1),
        ("2024-06-01", "web", "info.product", "informationGiven", 1),
    ]
    weeks = report.contact_report(session, SYSTEM_SCOPE, period="week", start=start, end=end)
    assert as_tuples(weeks) == [
        ("2024-04-29", "callCentre", "fault.slow", None, 1),
        ("2024-04-29", "callCentre", "fault.slow", "resolved", 2),
        ("2024-04-29", "email", "billing.invoice", "enquiryRaised", 1),
        ("2024-04-29", "ownHall", "order.new", "orderCreated", 1),
        ("2024-05-06", "ownHall", "order.new", "orderCreated", 1),
        ("2024-05-27", "web", "info.product", "informationGiven", 1),
    ]
    months = report.contact_report(session, SYSTEM_SCOPE, period="month", start=start, end=end)
    assert sum(r.count for r in months) == 7
    assert {r.period for r in months} == {"2024-05-01", "2024-06-01"}
    assert next(r for r in months if r.channel == "ownHall").count == 2
    river = report.contact_report(
        session, Scope(regions=frozenset({RIVER})), period="month", start=start, end=end
    )
    assert river == []
    csv_text = report.report_csv(months)
    assert csv_text.splitlines()[0] == "period,channel,reason,outcome,count"
    with pytest.raises(ValidationFailed):
        report.contact_report(session, SYSTEM_SCOPE, period="year", start=start, end=end)
    with pytest.raises(ValidationFailed):
        report.contact_report(session, SYSTEM_SCOPE, period="day", start=end, end=start)
