"""Use cases of customer communications (TMF681 v4; eTOM 1.1.1.4 / 1.2.1 customer
interaction): send a templated message, create / change / cancel / delete messages
through the API, deliver them from the worker.

* :func:`send` renders a template (:mod:`.templates`) in the customer's language,
  stores a ``communicationMessage`` (state ``initial``), publishes
  ``CommunicationMessageCreateEvent`` and enqueues the delivery job — all in the
  caller's transaction, so nothing is sent for an order that rolls back.
* The worker job ``communication.deliver`` moves the message to ``inProgress``,
  hands it to the channel — e-mail by SMTP (``OPENBOSS_SMTP_HOST``/``PORT``/
  ``FROM``), SMS through the configured :class:`SmsGateway` (default: the
  ``sms_sink`` table) — and ends ``completed``; a failed attempt is retried
  with back-off until ``tryTimes`` attempts were made, then the message is
  ``failed``. Each state move publishes ``CommunicationMessageStateChangeEvent``.
* Secrets (the access password of ``order.accessCredentials``): the record
  keeps a **masked copy** in ``content`` from the start; the clear text lives in
  a hidden column that the API never renders and the audit log never records,
  and it is wiped as soon as the message is delivered or has failed.

Delivery is at least once: a worker that dies after the SMTP server accepted
a mail but before its commit sends it again on the retry.
"""

from __future__ import annotations

import re
import smtplib
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any, Final, Literal, Protocol

import orjson
import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.config import get_settings
from openboss.engagement.communication import templates
from openboss.engagement.communication.models import (
    BASE_PATH,
    MESSAGE_RESOURCE,
    CommunicationMessage,
    SmsSink,
)
from openboss.engagement.communication.schemas import (
    CommunicationMessageChange,
    CommunicationMessageCreate,
)
from openboss.events import publish
from openboss.kit.clock import utcnow
from openboss.kit.errors import Conflict, NotFound, ValidationFailed
from openboss.kit.ids import new_id
from openboss.kit.statemachine import StateMachine
from openboss.kit.tmf.attributes import strip_nulls, truncate_datetime
from openboss.kit.tmf.http import merge_patch, reject_read_only, validate
from openboss.kit.tmf.listing import Page, fetch_document, list_page
from openboss.kit.tmf.query import ListQuery, parse_list_query
from openboss.worker import jobs

log = structlog.get_logger(__name__)

LIFECYCLE = StateMachine(
    "communicationMessage",
    {
        "initial": ["inProgress", "cancelled"],
        "inProgress": ["completed", "failed"],
        "completed": [],
        "cancelled": [],
        "failed": [],
    },
    "initial",
)

CREATE: Final = "CommunicationMessageCreateEvent"
ATTRIBUTE_VALUE_CHANGE: Final = "CommunicationMessageAttributeValueChangeEvent"
STATE_CHANGE: Final = "CommunicationMessageStateChangeEvent"
DELETE: Final = "CommunicationMessageDeleteEvent"

DELIVER_JOB: Final = "communication.deliver"
DEFAULT_TRY_TIMES: Final = 3
#: First retry after this long, doubling per attempt.
RETRY_BASE: Final = timedelta(seconds=30)
CHANNELS: Final[dict[str, str]] = {"sms": "SMS", "email": "Email"}
REQUIRED: Final = ("content", "messageType", "receiver", "sender", "state", "tryTimes")

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{4,30}$")


@dataclass(frozen=True, slots=True)
class Written:
    message: CommunicationMessage
    body: bytes


def _now() -> datetime:
    return truncate_datetime(utcnow())


def _href_prefix(base_url: str | None) -> str:
    return MESSAGE_RESOURCE.href_prefix(base_url or get_settings().public_url.rstrip("/"))


def _body(message: CommunicationMessage, base_url: str | None) -> bytes:
    return MESSAGE_RESOURCE.represent(message.id, message.doc, _href_prefix(base_url)).encode()


def _publish(session: Session, event_type: str, resource: dict[str, Any], **kw: Any) -> None:
    publish(
        session,
        event_type,
        "communicationMessage",
        resource,
        api=BASE_PATH,
        domain="engagement",
        **kw,
    )


def _check_address(message_type: str, receiver: Mapping[str, Any], field: str) -> str:
    if message_type == "Email":
        email = receiver.get("email")
        if not email or not _EMAIL.match(str(email)):
            raise ValidationFailed(
                "an Email message needs each receiver's email address", field=f"{field}.email"
            )
        return str(email)
    phone = receiver.get("phoneNumber")
    if not phone or not _PHONE.match(str(phone)):
        raise ValidationFailed(
            "an SMS message needs each receiver's phone number", field=f"{field}.phoneNumber"
        )
    return str(phone)


def _schedule(session: Session, message: CommunicationMessage, *, new: bool = False) -> None:
    """Queue the delivery job; ``new``: the message was just created in this
    transaction, so its job key cannot exist yet."""
    run_at = message.scheduled_send_time
    jobs.enqueue(
        session,
        DELIVER_JOB,
        {"messageId": message.id},
        run_at=run_at if run_at is not None and run_at > utcnow() else None,
        dedup_key=f"{DELIVER_JOB}:{message.id}:{message.attempts}",
        max_attempts=3,
        fresh_key=new,
    )


# --------------------------------------------------------------------------- send


def send(
    session: Session,
    *,
    channel: Literal["sms", "email"],
    to: str,
    template: str,
    params: Mapping[str, Any],
    locale: str = "zh-CN",
    related: Sequence[Mapping[str, str]] = (),
    receiver_name: str | None = None,
) -> dict[str, Any]:
    """Render ``template`` in ``locale`` and queue it for ``to`` (a phone number
    for ``sms``, an address for ``email``). Returns the TMF681 representation
    (secrets masked). 400 naming the field for an unknown template, channel,
    language or a malformed address."""
    message_type = CHANNELS.get(channel)
    if message_type is None:
        raise ValidationFailed("channel must be sms or email", field="channel")
    language = templates.language_of(locale)
    receiver: dict[str, Any] = {"@type": "Receiver"}
    if receiver_name:
        receiver["name"] = receiver_name[:256]
    receiver["email" if message_type == "Email" else "phoneNumber"] = (to or "").strip()
    _check_address(message_type, receiver, "to")
    values = {"customerName": receiver_name or "", **params}
    rendered = templates.render(template, values, language)
    settings = get_settings()
    sender: dict[str, Any] = {"name": "OpenBOSS", "@type": "Sender"}
    if message_type == "Email":
        sender["email"] = settings.smtp_from
    refs = [
        strip_nulls({k: str(v)[:256] for k, v in ref.items() if v is not None}) for ref in related
    ]
    now = _now()
    message = CommunicationMessage(
        id=new_id(),
        message_type=message_type,
        state=LIFECYCLE.initial,
        subject=rendered.subject[:512] if message_type == "Email" else None,
        content=rendered.masked,
        secret_content=rendered.text if rendered.has_secret else None,
        try_times=DEFAULT_TRY_TIMES,
        attempts=0,
        receiver=[receiver],
        sender=sender,
        characteristic=[
            {"name": "template", "value": template},
            {"name": "language", "value": language},
        ],
        related_entity=refs or None,
        template=template,
        locale=language,
        delivered=[],
        created_at=now,
        updated_at=now,
    )
    session.add(message)
    session.flush()
    body = _body(message, None)
    resource = orjson.loads(body)
    _publish(session, CREATE, resource)
    _schedule(session, message, new=True)
    return dict(resource)


# --------------------------------------------------------------------------- API


def _dump(items: Sequence[Any] | None) -> list[dict[str, Any]] | None:
    if not items:
        return None
    return [strip_nulls(i.model_dump(mode="json", by_alias=True, exclude_none=True)) for i in items]


def create_message(session: Session, data: CommunicationMessageCreate, base_url: str) -> Written:
    """``POST /communicationMessage``: store it ``initial`` and schedule delivery at
    ``scheduledSendTime`` (or now)."""
    receivers = _dump(data.receiver) or []
    for i, r in enumerate(receivers):
        _check_address(data.message_type, r, f"receiver[{i}]")
    now = _now()
    message = CommunicationMessage(
        id=new_id(),
        message_type=data.message_type,
        state=LIFECYCLE.initial,
        subject=data.subject,
        content=data.content,
        description=data.description,
        priority=data.priority,
        log_flag=data.log_flag,
        scheduled_send_time=data.scheduled_send_time,
        try_times=data.try_times or DEFAULT_TRY_TIMES,
        attempts=0,
        receiver=receivers,
        sender=strip_nulls(data.sender.model_dump(mode="json", by_alias=True, exclude_none=True)),
        characteristic=_dump(data.characteristic),
        attachment=_dump(data.attachment),
        delivered=[],
        created_at=now,
        updated_at=now,
    )
    session.add(message)
    session.flush()
    body = _body(message, base_url)
    _publish(session, CREATE, orjson.loads(body))
    _schedule(session, message, new=True)
    return Written(message, body)


def get(session: Session, ident: str, *, for_update: bool = False) -> CommunicationMessage:
    stmt = select(CommunicationMessage).where(CommunicationMessage.id == ident)
    if for_update:
        stmt = stmt.with_for_update()
    message = session.scalars(stmt).one_or_none()
    if message is None:
        raise NotFound(f"communicationMessage '{ident}' not found")
    return message


def list_messages(session: Session, query: ListQuery, base_url: str) -> Page:
    return list_page(session, MESSAGE_RESOURCE, query, base_url=base_url)


def message_document(
    session: Session, ident: str, base_url: str, projection: dict[str, Any] | None = None
) -> bytes:
    doc = fetch_document(session, MESSAGE_RESOURCE, ident, base_url=base_url, projection=projection)
    if doc is None:
        raise NotFound(f"communicationMessage '{ident}' not found")
    return doc


def _writable_view(message: CommunicationMessage) -> dict[str, Any]:
    view: dict[str, Any] = {
        "content": message.content,
        "messageType": message.message_type,
        "receiver": message.receiver,
        "sender": message.sender,
        "state": message.state,
        "tryTimes": message.try_times,
    }
    for key, value in (
        ("subject", message.subject),
        ("description", message.description),
        ("priority", message.priority),
        ("logFlag", message.log_flag),
        ("scheduledSendTime", message.scheduled_send_time),
        ("attachment", message.attachment),
        ("characteristic", message.characteristic),
    ):
        if value is not None:
            view[key] = value.isoformat() if isinstance(value, datetime) else value
    return view


def update_message(session: Session, ident: str, patch: dict[str, Any], base_url: str) -> Written:
    """Merge-patch a message: anything while it is ``initial``; ``state`` only to
    ``cancelled`` (the worker moves it otherwise). 409 for a message already
    being sent or closed."""
    reject_read_only(patch, sorted(MESSAGE_RESOURCE.read_only))
    for name in ("@type", "@baseType", "@schemaLocation"):
        patch.pop(name, None)
    message = get(session, ident, for_update=True)
    merged = merge_patch(_writable_view(message), patch)
    for name in REQUIRED:
        if name not in merged:
            raise ValidationFailed(f"'{name}' is required and cannot be removed", field=name)
    data = validate(CommunicationMessageChange, merged)
    old_state = message.state
    LIFECYCLE.check(old_state, data.state)
    if data.state != old_state and data.state != "cancelled":
        raise Conflict(
            f"state '{data.state}' is set by delivery; a client may only cancel a message",
            field="state",
            code="ILLEGAL_STATE",
        )
    before = _writable_view(message)
    if old_state != "initial" and merged != before:
        raise Conflict(
            f"communicationMessage '{ident}' is {old_state}; only an initial message can change",
            field="state",
            code="ILLEGAL_STATE",
        )
    receivers = _dump(data.receiver) or []
    for i, r in enumerate(receivers):
        _check_address(data.message_type, r, f"receiver[{i}]")
    if data.content != message.content:
        message.secret_content = None
    message.content = data.content
    message.message_type = data.message_type
    message.receiver = receivers
    message.sender = strip_nulls(
        data.sender.model_dump(mode="json", by_alias=True, exclude_none=True)
    )
    message.subject = data.subject
    message.description = data.description
    message.priority = data.priority
    message.log_flag = data.log_flag
    message.try_times = data.try_times
    message.attachment = _dump(data.attachment)
    message.characteristic = _dump(data.characteristic)
    rescheduled = data.scheduled_send_time != message.scheduled_send_time
    message.scheduled_send_time = data.scheduled_send_time
    message.state = data.state
    after = _writable_view(message)
    if after == before:
        return Written(message, _body(message, base_url))
    message.updated_at = _now()
    if message.state == "cancelled":
        message.secret_content = None
        jobs.cancel(session, f"{DELIVER_JOB}:{message.id}:{message.attempts}")
    elif rescheduled:
        jobs.cancel(session, f"{DELIVER_JOB}:{message.id}:{message.attempts}")
        _schedule(session, message)
    session.flush()
    body = _body(message, base_url)
    resource = orjson.loads(body)
    changed = sorted(k for k in after if k != "state" and after.get(k) != before.get(k))
    if changed:
        _publish(
            session, ATTRIBUTE_VALUE_CHANGE, resource, description="changed: " + ", ".join(changed)
        )
    if old_state != message.state:
        _publish(
            session, STATE_CHANGE, resource, description=f"state {old_state} → {message.state}"
        )
    return Written(message, body)


def delete_message(session: Session, ident: str, base_url: str) -> None:
    """Delete a message that is not being sent (409 while ``inProgress``); an
    ``initial`` one is withdrawn with its delivery job."""
    message = get(session, ident, for_update=True)
    if message.state == "inProgress":
        raise Conflict(
            f"communicationMessage '{ident}' is being sent; it cannot be deleted now",
            field="state",
            code="ILLEGAL_STATE",
        )
    jobs.cancel(session, f"{DELIVER_JOB}:{message.id}:{message.attempts}")
    resource = orjson.loads(_body(message, base_url))
    _publish(session, DELETE, resource)
    session.delete(message)
    session.flush()


def messages_about(session: Session, entity_id: str, *, limit: int = 100) -> list[dict[str, Any]]:
    """The messages whose ``relatedEntity`` names ``entity_id`` (e.g. a product
    order), newest first — for the order's business view."""
    query = parse_list_query(
        MESSAGE_RESOURCE,
        [("relatedEntity.id", entity_id), ("limit", str(max(1, min(limit, 1000))))],
    )
    page = list_page(
        session, MESSAGE_RESOURCE, query, base_url=get_settings().public_url.rstrip("/")
    )
    return list(orjson.loads(page.body))


# --------------------------------------------------------------------------- channels


class SmsGateway(Protocol):
    """Where SMS go: ``send`` returns the gateway's reference or raises."""

    def send(self, session: Session, *, message_id: str, to: str, text: str) -> str: ...


class SinkSmsGateway:
    """The default gateway: each SMS becomes an ``sms_sink`` row (no real SMS)."""

    def send(self, session: Session, *, message_id: str, to: str, text: str) -> str:
        row = SmsSink(id=new_id(), message_id=message_id, to=to, text=text, sent_at=_now())
        session.add(row)
        session.flush()
        log.info("sms_sink", message=message_id, to=to, chars=len(text))
        return row.id


_gateway_lock = threading.Lock()
_sms_gateway: SmsGateway = SinkSmsGateway()


def set_sms_gateway(gateway: SmsGateway | None) -> None:
    """Install an SMS gateway (``None``: the sink again)."""
    global _sms_gateway
    with _gateway_lock:
        _sms_gateway = gateway if gateway is not None else SinkSmsGateway()


def sms_sink(
    session: Session, *, to: str | None = None, message_id: str | None = None
) -> list[dict[str, Any]]:
    """What the sink gateway received (tests, demo), oldest first."""
    stmt = select(SmsSink).order_by(SmsSink.sent_at, SmsSink.id)
    if to is not None:
        stmt = stmt.where(SmsSink.to == to)
    if message_id is not None:
        stmt = stmt.where(SmsSink.message_id == message_id)
    return [
        {"id": r.id, "messageId": r.message_id, "to": r.to, "text": r.text, "sentAt": r.sent_at}
        for r in session.scalars(stmt)
    ]


def _send_email(message: CommunicationMessage, to: str, text: str) -> None:
    settings = get_settings()
    mail = EmailMessage()
    mail["From"] = formataddr((str(message.sender.get("name") or "OpenBOSS"), settings.smtp_from))
    name = next((r.get("name") for r in message.receiver if r.get("email") == to), None)
    mail["To"] = formataddr((str(name), to)) if name else to
    mail["Subject"] = message.subject or ""
    mail["Message-ID"] = make_msgid(idstring=message.id, domain="openboss")
    mail["Content-Language"] = message.locale or templates.DEFAULT_LANGUAGE
    mail.set_content(text)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        smtp.send_message(mail)


def _sms_text(message: CommunicationMessage, text: str) -> str:
    return (
        templates.translate(message.locale or templates.DEFAULT_LANGUAGE, templates.SMS_PREFIX)
        + text
    )


def deliver(session: Session, message_id: str) -> str:
    """Deliver the message to every receiver not yet served; returns its state.

    Runs in the job's transaction. A channel error counts an attempt: the next
    one is scheduled with back-off, or the message ``failed`` after
    ``tryTimes`` attempts.
    """
    message = session.get(CommunicationMessage, message_id, with_for_update=True)
    if message is None or message.state not in ("initial", "inProgress"):
        return message.state if message is not None else "gone"
    old_state = message.state
    now = _now()
    if message.state == "initial":
        message.state = "inProgress"
        message.send_time = now
    message.attempts += 1
    text = message.secret_content or message.content
    delivered = list(message.delivered or [])
    error: str | None = None
    for index, receiver in enumerate(message.receiver):
        if index in delivered:
            continue
        try:
            if message.message_type == "Email":
                _send_email(message, str(receiver.get("email")), text)
            else:
                with _gateway_lock:
                    gateway = _sms_gateway
                gateway.send(
                    session,
                    message_id=message.id,
                    to=str(receiver.get("phoneNumber")),
                    text=_sms_text(message, text),
                )
        except Exception as exc:  # any channel failure is an attempt that failed
            error = f"{type(exc).__name__}: {exc}"[:512]
            log.warning("communication_delivery_failed", message=message.id, error=error)
            break
        delivered.append(index)
    message.delivered = delivered
    message.updated_at = _now()
    message.last_error = error
    if error is None:
        message.state = "completed"
        message.send_time_complete = _now()
        message.secret_content = None
    elif message.attempts >= message.try_times:
        message.state = "failed"
        message.secret_content = None
    else:
        message.scheduled_send_time = now + RETRY_BASE * (2 ** (message.attempts - 1))
        _schedule(session, message)
    session.flush()
    if message.state != old_state:
        resource = orjson.loads(_body(message, None))
        _publish(
            session, STATE_CHANGE, resource, description=f"state {old_state} → {message.state}"
        )
    return message.state


@jobs.job_handler(DELIVER_JOB)
def _deliver_job(session: Session, payload: dict[str, Any]) -> None:
    message_id = payload.get("messageId")
    if isinstance(message_id, str):
        deliver(session, message_id)
