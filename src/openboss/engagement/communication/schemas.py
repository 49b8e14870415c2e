"""API shapes of TMF681 v4 ``communicationMessage`` (create, merge-patch, read)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import Field, field_validator

from openboss.kit.tmf.attributes import truncate_datetime
from openboss.kit.tmf.schemas import Text, TmfModel, json_value

State = Literal["initial", "inProgress", "completed", "cancelled", "failed"]
MessageType = Literal["SMS", "Email"]


class PartyRef(TmfModel):
    """TMF ``RelatedParty``."""

    id: Text = Field(description="Identifier of the party.", min_length=1, max_length=64)
    href: Text | None = Field(None, max_length=512)
    name: Text | None = Field(None, max_length=256)
    role: Text | None = Field(None, max_length=64)
    referred_type: Text = Field(alias="@referredType", max_length=64)
    type: Text | None = Field(None, alias="@type", max_length=64)


class Receiver(TmfModel):
    """TMF ``Receiver``: ``phoneNumber`` for SMS, ``email`` for Email."""

    id: Text | None = Field(None, max_length=64)
    app_user_id: Text | None = Field(None, max_length=64)
    email: Text | None = Field(None, max_length=254)
    ip: Text | None = Field(None, max_length=64)
    name: Text | None = Field(None, max_length=256)
    phone_number: Text | None = Field(None, max_length=32)
    party: PartyRef | None = None
    type: Text | None = Field(None, alias="@type", max_length=64)


class Sender(TmfModel):
    """TMF ``Sender``."""

    id: Text | None = Field(None, max_length=64)
    email: Text | None = Field(None, max_length=254)
    name: Text | None = Field(None, max_length=256)
    phone_number: Text | None = Field(None, max_length=32)
    party: PartyRef | None = None
    type: Text | None = Field(None, alias="@type", max_length=64)


class Characteristic(TmfModel):
    """TMF ``Characteristic``."""

    id: Text | None = Field(None, max_length=64)
    name: Text = Field(min_length=1, max_length=128)
    value_type: Text | None = Field(None, max_length=32)
    value: Any = Field(description="Any JSON value.")
    type: Text | None = Field(None, alias="@type", max_length=64)

    @field_validator("value")
    @classmethod
    def _value(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("value is required")
        return json_value(value)


class Attachment(TmfModel):
    """TMF ``Attachment`` by reference (``url``); embedded content is not kept."""

    id: Text | None = Field(None, max_length=64)
    href: Text | None = Field(None, max_length=512)
    attachment_type: Text | None = Field(None, max_length=64)
    description: Text | None = Field(None, max_length=1000)
    mime_type: Text | None = Field(None, max_length=128)
    name: Text | None = Field(None, max_length=256)
    url: Text | None = Field(None, max_length=1024)
    type: Text | None = Field(None, alias="@type", max_length=64)


def _utc_ms(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return truncate_datetime(value)


class CommunicationMessageCreate(TmfModel):
    """``CommunicationMessage_Create``: content, receiver, sender and messageType
    are required (as in the specification)."""

    content: Text = Field(description="The text.", min_length=1, max_length=4000)
    message_type: MessageType = Field(description="SMS or Email.")
    receiver: list[Receiver] = Field(description="Receivers.", min_length=1, max_length=50)
    sender: Sender = Field(description="Sender.")
    subject: Text | None = Field(None, description="Title (e-mail).", max_length=512)
    description: Text | None = Field(None, max_length=2000)
    priority: Text | None = Field(None, max_length=16)
    log_flag: bool | None = None
    scheduled_send_time: datetime | None = Field(None, description="Send at (default: now).")
    try_times: int | None = Field(
        None, description="Delivery attempts (1–10, default 3).", ge=1, le=10
    )
    state: Literal["initial"] | None = Field(None, description="Only initial on creation.")
    attachment: list[Attachment] | None = Field(None, max_length=10)
    characteristic: list[Characteristic] | None = Field(None, max_length=50)
    send_time: datetime | None = Field(None, description="Ignored: set when sent.")
    send_time_complete: datetime | None = Field(None, description="Ignored: set when sent.")
    base_type: Text | None = Field(None, alias="@baseType", max_length=64)
    schema_location: Text | None = Field(None, alias="@schemaLocation", max_length=512)
    type: Text | None = Field(None, alias="@type", max_length=64)

    @field_validator("scheduled_send_time", "send_time", "send_time_complete")
    @classmethod
    def _times(cls, value: datetime | None) -> datetime | None:
        return _utc_ms(value)


class CommunicationMessageChange(TmfModel):
    """The merged message after a PATCH (what may be changed)."""

    content: Text = Field(min_length=1, max_length=4000)
    message_type: MessageType
    receiver: list[Receiver] = Field(min_length=1, max_length=50)
    sender: Sender
    state: State
    subject: Text | None = Field(None, max_length=512)
    description: Text | None = Field(None, max_length=2000)
    priority: Text | None = Field(None, max_length=16)
    log_flag: bool | None = None
    scheduled_send_time: datetime | None = None
    try_times: int = Field(ge=1, le=10)
    attachment: list[Attachment] | None = Field(None, max_length=10)
    characteristic: list[Characteristic] | None = Field(None, max_length=50)

    @field_validator("scheduled_send_time")
    @classmethod
    def _times(cls, value: datetime | None) -> datetime | None:
        return _utc_ms(value)


class CommunicationMessageUpdate(TmfModel):
    """``CommunicationMessage_Update`` (JSON merge patch): change a message not yet
    sent (``initial``), or cancel it (``state`` cancelled)."""

    content: Text | None = None
    message_type: MessageType | None = None
    receiver: list[Receiver] | None = None
    sender: Sender | None = None
    state: State | None = None
    subject: Text | None = None
    description: Text | None = None
    priority: Text | None = None
    log_flag: bool | None = None
    scheduled_send_time: datetime | None = None
    try_times: int | None = None
    attachment: list[Attachment] | None = None
    characteristic: list[Characteristic] | None = None
    base_type: Text | None = Field(None, alias="@baseType")
    schema_location: Text | None = Field(None, alias="@schemaLocation")
    type: Text | None = Field(None, alias="@type")


class CommunicationMessage(TmfModel):
    """A message as returned."""

    id: str
    href: str
    type: str = Field(alias="@type")
    content: str
    message_type: str
    state: State
    receiver: list[dict[str, Any]]
    sender: dict[str, Any]
