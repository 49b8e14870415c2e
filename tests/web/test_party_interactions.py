"""Console screens of customer contacts (eTOM 1.1.1.2): lists, the log-contact
form, detail actions, reasons, the report and the timeline fragment, in
zh_CN and en, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from openboss.db import Database
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.party.interaction import service
from openboss.party.interaction.models import InteractionReason, PartyInteraction
from openboss.party.interaction.schemas import PartyInteractionCreate
from openboss.web.shell import environment
from tests.party.test_interaction_api import RIVER, WEST, seed_world
from tests.web.conftest import csrf_from

LIST = "/console/party/interactions"
Console = Callable[..., TestClient]


@pytest.fixture
def world(session: Session) -> dict[str, str]:
    return seed_world(session)


def log(session: Session, customer_id: str, **fields: object) -> PartyInteraction:
    data = {
        "reason": "fault.slow",
        "channel": [{"id": "callCentre"}],
        "description": "网速慢",
        "relatedParty": [{"id": customer_id, "role": "customer", "@referredType": "Customer"}],
        **fields,
    }
    row = service.create_interaction(
        session, SYSTEM_SCOPE, PartyInteractionCreate.model_validate(data), actor="amy"
    ).interaction
    session.commit()
    return row


def rows(html: str) -> list[str]:
    return re.findall(r'<tr data-interaction="([^"]+)"', html)


def test_open_list_in_both_languages(
    session: Session, world: dict[str, str], console_as: Console
) -> None:
    mine = log(session, world["west"])
    log(session, world["river"])
    client = console_as("csr", regions=[WEST])
    zh = client.get(f"{LIST}?lang=zh_CN")
    assert zh.status_code == 200, zh.text
    assert "客户接触" in zh.text and "呼叫中心" in zh.text and "网速慢" in zh.text
    assert rows(zh.text) == [mine.id]
    en = client.get(f"{LIST}?lang=en")
    assert (
        "Customer contacts" in en.text and "Call centre" in en.text and "Slow connection" in en.text
    )
    fragment = client.get(
        f"{LIST}?channel=email", headers={"HX-Request": "true", "HX-Target": "interactions-table"}
    )
    assert fragment.text.lstrip().startswith(
        '<section class="ob-card ob-swap-target" id="interactions-table"'
    )
    assert rows(fragment.text) == []
    assert rows(client.get(f"{LIST}?reason=fault").text) == [mine.id]
    assert rows(client.get(f"{LIST}?reason=billing").text) == []
    assert client.get(f"{LIST}?view=bogus").status_code == 400


def test_exceptions_and_all_views(
    session: Session, world: dict[str, str], console_as: Console
) -> None:
    fresh = log(session, world["west"])
    old = log(session, world["west"])
    old.start_at = datetime.now(UTC) - timedelta(hours=30)
    done = log(session, world["west"], status="completed", outcome="resolved")
    session.commit()
    client = console_as("manager")
    assert rows(client.get(f"{LIST}?view=exceptions&lang=en").text) == [old.id]
    assert "Over time" in client.get(f"{LIST}?view=exceptions&lang=en").text
    everything = rows(client.get(f"{LIST}?view=all").text)
    assert set(everything) == {fresh.id, old.id, done.id}
    assert rows(client.get(f"{LIST}?view=all&status=completed").text) == [done.id]


def test_roles_guard_the_screens(world: dict[str, str], console_as: Console) -> None:
    assert console_as("billing").get(LIST).status_code == 403
    assert console_as("marketing").get(LIST).status_code == 200
    assert console_as("marketing").get(f"{LIST}/new").status_code == 403
    assert console_as("csr").get(f"{LIST}/reasons").status_code == 403
    assert console_as("csr").get(f"{LIST}/report").status_code == 403
    nav = console_as("csr").get("/console?lang=en").text
    assert "Customer contacts" in nav and "Contact report" not in nav


def test_logging_a_contact_through_the_form(
    session: Session, world: dict[str, str], console_as: Console
) -> None:
    client = console_as("csr", regions=[WEST], name="amy")
    page = client.get(f"{LIST}/new?customerId={world['west']}&lang=zh_CN")
    assert page.status_code == 200
    assert "李雷" in page.text and "故障报修" in page.text
    form = {
        "csrf_token": csrf_from(page.text),
        "customer_id": world["west"],
        "channel": "ownHall",
        "direction": "inbound",
        "reason": "billing.invoice",
        "description": "开具发票",
    }
    r = client.post(LIST, data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    detail_url = r.headers["location"]
    session.expire_all()
    row = session.scalars(select(PartyInteraction)).one()
    assert detail_url == f"{LIST}/{row.id}"
    assert (row.channel, row.reason_code, row.customer_id, row.region_id, row.handled_by) == (
        "ownHall", "billing.invoice", world["west"], WEST, "amy"
    )  # fmt: skip
    detail = client.get(f"{detail_url}?lang=en")
    assert "Bill enquiry" in detail.text and "Own service hall" in detail.text
    # logged and closed at once
    r = client.post(
        LIST,
        data={**form, "reason": "info.product", "close_now": "1", "outcome": "informationGiven"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    session.expire_all()
    closed = session.scalars(
        select(PartyInteraction).where(PartyInteraction.reason_code == "info.product")
    ).one()
    assert (closed.status, closed.outcome) == ("completed", "informationGiven")


def test_form_errors_are_shown_inline(
    session: Session, world: dict[str, str], console_as: Console
) -> None:
    client = console_as("csr", regions=[WEST])
    page = client.get(f"{LIST}/new?lang=en")
    token = csrf_from(page.text)
    base = {"csrf_token": token, "channel": "callCentre", "reason": "fault.slow"}
    r = client.post(f"{LIST}?lang=en", data={**base, "reason": ""})
    assert r.status_code == 400 and "Choose a reason." in r.text
    r = client.post(f"{LIST}?lang=en", data={**base, "customer_id": world["river"]})
    assert r.status_code == 400 and 'id="customer_id-error"' in r.text
    r = client.post(f"{LIST}?lang=en", data={**base, "close_now": "1"})
    assert r.status_code == 400 and "Choose the outcome" in r.text
    r = client.post(f"{LIST}?lang=en", data={**base, "channel": "pigeon"})
    assert r.status_code == 400 and 'id="channel-error"' in r.text
    assert session.scalars(select(PartyInteraction)).first() is None
    r = client.post(LIST, data={**base, "csrf_token": "forged"})
    assert r.status_code == 403


def test_detail_actions(session: Session, world: dict[str, str], console_as: Console) -> None:
    row = log(session, world["west"], reason="order.new")
    client = console_as("csr", regions=[WEST])
    page = client.get(f"{LIST}/{row.id}?lang=en")
    assert page.status_code == 200
    token = csrf_from(page.text)
    assert 'value="order" selected' in page.text
    r = client.post(
        f"{LIST}/{row.id}/route",
        data={"csrf_token": token, "target_type": "order"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(f"{LIST}/{row.id}?lang=en")
    assert 'id="contact-awaiting"' in page.text and "In progress" in page.text
    r = client.post(f"{LIST}/{row.id}/escalate", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    r = client.post(
        f"{LIST}/{row.id}/close",
        data={"csrf_token": token, "outcome": "orderCreated", "note": "已下单"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    session.expire_all()
    stored = session.get(PartyInteraction, row.id)
    assert stored is not None and (stored.status, stored.outcome, stored.escalated) == (
        "completed",
        "orderCreated",
        True,
    )
    again = client.post(f"{LIST}/{row.id}/cancel", data={"csrf_token": token})
    assert again.status_code == 409 and 'id="contact-problem"' in again.text
    other = log(session, world["river"])
    assert client.get(f"{LIST}/{other.id}").status_code == 404


def test_reasons_page(session: Session, world: dict[str, str], console_as: Console) -> None:
    client = console_as("manager")
    page = client.get(f"{LIST}/reasons?lang=zh_CN")
    assert page.status_code == 200 and "故障报修" in page.text
    token = csrf_from(page.text)
    r = client.post(
        f"{LIST}/reasons",
        data={
            "csrf_token": token,
            "code": "fault.wifi",
            "name": "无线故障",
            "parent_code": "fault",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    r = client.post(
        f"{LIST}/reasons", data={"csrf_token": token, "code": "fault.wifi", "name": "x"}
    )
    assert r.status_code == 400
    r = client.post(
        f"{LIST}/reasons/fault.wifi",
        data={"csrf_token": token, "name": "无线网络故障", "routes_to": "complaint"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    session.expire_all()
    reason = session.get(InteractionReason, "fault.wifi")
    assert reason is not None
    assert (reason.name, reason.routes_to, reason.active) == ("无线网络故障", "complaint", False)


def test_report_page_and_csv(session: Session, world: dict[str, str], console_as: Console) -> None:
    for _ in range(2):
        log(session, world["west"], status="completed", outcome="resolved")
    log(session, world["west"], channel=[{"id": "email"}], reason="billing.invoice")
    log(session, world["river"])
    client = console_as("manager", regions=[WEST])
    page = client.get(f"{LIST}/report?lang=en&period=month")
    assert page.status_code == 200, page.text
    assert 'id="report-total">(3)' in page.text
    assert "Resolved" in page.text and "E-mail" in page.text
    csv = client.get(f"{LIST}/report?lang=en&period=day&format=csv")
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.lstrip("\ufeff").splitlines()
    assert lines[0] == "Period,Channel,Reason,Outcome,Contacts"
    assert sum(int(line.rsplit(",", 1)[1]) for line in lines[1:]) == 3
    assert client.get(f"{LIST}/report?period=year").status_code == 400
    zh = client.get(f"{LIST}/report?lang=zh_CN")
    assert "接触报表" in zh.text


def test_timeline_fragment(session: Session, world: dict[str, str]) -> None:
    first = log(session, world["west"])
    second = log(
        session,
        world["west"],
        reason="billing.balance",
        status="completed",
        outcome="informationGiven",
    )
    context = service.timeline_context(session, SYSTEM_SCOPE, world["west"])
    for locale, words in (
        ("en", ("Balance enquiry", "Information given")),
        ("zh_CN", ("余额查询", "已答复")),
    ):
        html = (
            environment(locale)
            .get_template("party/interactions/_timeline.html")
            .render({**context, "timezone": "Asia/Shanghai"})
        )
        assert re.findall(r'data-interaction="([^"]+)"', html) == [second.id, first.id]
        for word in words:
            assert word in html, (locale, word)
    assert RIVER  # the other district's customer has no contacts here


def test_console_list_statement_count_is_fixed(
    session: Session, world: dict[str, str], console_as: Console, database: Database
) -> None:
    seen: list[str] = []

    def record(*args: object) -> None:
        seen.append(str(args[2]))

    client = console_as("manager")
    counts = []
    event.listen(database.engine, "before_cursor_execute", record)
    try:
        for batch in (2, 8):
            for _ in range(batch):
                log(session, world["west"])
            seen.clear()
            assert client.get(f"{LIST}?view=all").status_code == 200
            counts.append(len(seen))
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
    assert counts[0] == counts[1]
