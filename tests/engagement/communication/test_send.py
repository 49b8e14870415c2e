"""send(): templates in the customer's language, delivery by the worker — e-mail to
a real SMTP server, SMS to the sink gateway — retries, and the access password
never readable from the stored record, the events or the audit log."""

from __future__ import annotations

from collections.abc import Callable
from email.message import Message

import orjson
import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from openboss.db import Database
from openboss.engagement.communication import service, templates
from openboss.events.models import OutboxEvent
from openboss.kit.clock import FrozenClock
from openboss.kit.errors import ValidationFailed
from openboss.worker.models import Job
from openboss.worker.runner import Worker
from tests.engagement.communication.conftest import Mailbox

ORDER = [{"id": "po-77", "@referredType": "ProductOrder", "role": "productOrder"}]
PASSWORD = "Kx7-secret-91"


def _body(mail: Message) -> str:
    payload = mail.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(mail.get_content_charset() or "utf-8")


def test_email_is_delivered_through_smtp(
    committed_database: Database, smtp: Mailbox, make_worker: Callable[..., Worker]
) -> None:
    db = committed_database
    with db.transaction() as s:
        sent = service.send(
            s,
            channel="email",
            to="li.lei@example.cn",
            template="order.completed",
            params={"orderId": "po-77"},
            locale="en",
            related=ORDER,
            receiver_name="Li Lei",
        )
    assert sent["state"] == "initial"
    assert sent["messageType"] == "Email"
    assert sent["@type"] == "CommunicationMessage"
    assert sent["href"].endswith(
        f"/tmf-api/communicationManagement/v4/communicationMessage/{sent['id']}"
    )
    assert sent["subject"] == "Your order po-77 is completed"
    assert sent["relatedEntity"] == ORDER
    make_worker(db).run_once()
    ((mail_from, rcpt, mail),) = smtp.messages
    assert mail_from == "service@openboss.test"
    assert rcpt == ["li.lei@example.cn"]
    assert mail["Subject"] == "Your order po-77 is completed"
    assert "Dear Li Lei, your order po-77 is completed" in _body(mail)
    with db.transaction() as s:
        (stored,) = service.messages_about(s, "po-77")
        assert stored["state"] == "completed"
        assert stored["sendTime"] and stored["sendTimeComplete"]
        kinds = [
            e.event_type
            for e in s.scalars(select(OutboxEvent).where(OutboxEvent.resource_id == sent["id"]))
        ]
        assert sorted(kinds) == [
            "CommunicationMessageCreateEvent",
            "CommunicationMessageStateChangeEvent",
        ]


def test_credentials_sms_masks_the_password(
    committed_database: Database, make_worker: Callable[..., Worker]
) -> None:
    db = committed_database
    with db.transaction() as s:
        sent = service.send(
            s,
            channel="sms",
            to="13800138000",
            template="order.accessCredentials",
            params={"orderId": "po-78", "account": "hz0001@fttx", "password": PASSWORD},
            locale="en",
            related=[{"id": "po-78", "@referredType": "ProductOrder"}],
        )
    assert PASSWORD not in orjson.dumps(sent).decode()
    assert templates.MASK in sent["content"]
    make_worker(db).run_once()
    with db.transaction() as s:
        (sms,) = service.sms_sink(s, to="13800138000")
        assert PASSWORD in sms["text"]  # the customer's phone got it
        assert "hz0001@fttx" in sms["text"]
        (stored,) = service.messages_about(s, "po-78")
        assert stored["state"] == "completed"
        assert PASSWORD not in stored["content"]
        # nowhere else in the database: message row (incl. the hidden column), events, audit
        for table in ("communication_message", "outbox_event", "audit_log", "job"):
            rows = s.execute(text(f"SELECT * FROM {table}")).all()  # noqa: S608
            assert PASSWORD not in repr(rows), table


def test_unreachable_smtp_retries_then_fails(
    committed_database: Database,
    no_smtp: int,
    clock: FrozenClock,
    make_worker: Callable[..., Worker],
) -> None:
    db = committed_database
    with db.transaction() as s:
        sent = service.send(
            s,
            channel="email",
            to="han.mei@example.cn",
            template="order.accessCredentials",
            params={"orderId": "po-79", "account": "a1", "password": PASSWORD},
        )
    worker = make_worker(db)
    worker.run_once()
    with db.transaction() as s:
        msg = service.get(s, sent["id"])
        assert (msg.state, msg.attempts) == ("inProgress", 1)
        assert msg.last_error and "Error" in msg.last_error
        assert msg.secret_content is not None  # still needed for the next attempt
    for _ in range(2):
        clock.advance(minutes=5)
        worker.run_once()
    with db.transaction() as s:
        msg = service.get(s, sent["id"])
        assert (msg.state, msg.attempts) == ("failed", 3)
        assert msg.secret_content is None
        pending = s.scalars(
            select(Job).where(Job.kind == service.DELIVER_JOB, Job.status != "done")
        )
        assert list(pending) == []


def test_send_validates(session: Session) -> None:
    cases = [
        ({"channel": "fax"}, "channel"),
        ({"template": "order.unknown"}, "template"),
        ({"locale": "fr"}, "locale"),
        ({"to": "not-a-phone"}, "to.phoneNumber"),
        ({"channel": "email", "to": "nobody"}, "to.email"),
    ]
    for override, field in cases:
        kw = {
            "channel": "sms",
            "to": "13800138000",
            "template": "order.acknowledged",
            "params": {"orderId": "po-1"},
            **override,
        }
        with pytest.raises(ValidationFailed) as err:
            service.send(session, **kw)  # type: ignore[arg-type]
        assert err.value.field == field


def test_missing_parameters_render_empty(session: Session) -> None:
    sent = service.send(
        session,
        channel="sms",
        to="13800138000",
        template="order.cancelled",
        params={},
        locale="en",
    )
    assert sent["content"] == "Dear , your order  was cancelled. Reason: ."


def test_zh_cn_is_the_default_language(session: Session) -> None:
    """Needs the zh-CN translations of the templates merged into the catalog."""
    sent = service.send(
        session,
        channel="sms",
        to="13800138000",
        template="order.completed",
        params={"orderId": "po-80"},
        receiver_name="李雷",
    )
    assert sent["characteristic"] == [
        {"name": "template", "value": "order.completed"},
        {"name": "language", "value": "zh-CN"},
    ]
    english = templates.render("order.completed", {"orderId": "po-80"}, "en").text
    assert sent["content"] != english
    assert "po-80" in sent["content"] and "李雷" in sent["content"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in sent["content"].replace("李雷", ""))
