"""API shapes of TMF641 v4 ``serviceOrder`` and ``cancelServiceOrder``: what a
client may send, checked strictly (unknown attributes refused, enums,
required fields). Representations are the stored documents."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from openboss.fulfilment.inventory.schemas import (
    SECRET_NAMES,
    Ref,
    RelatedParty,
    RelatedPlace,
    VersionedRef,
)
from openboss.kit.tmf.attributes import truncate_datetime
from openboss.kit.tmf.schemas import Text, TmfModel, json_value


def _utc(value: datetime | None) -> datetime | None:
    return truncate_datetime(value) if value is not None else None


class _Base(TmfModel):
    type_: Text | None = Field(None, alias="@type", max_length=64, description="Class name.")
    base_type: Text | None = Field(None, alias="@baseType", max_length=64, description="Super.")
    schema_location: Text | None = Field(
        None, alias="@schemaLocation", max_length=512, description="Schema URI."
    )


class ServiceCharacteristic(_Base):
    id: Text | None = Field(None, description="Identifier.", max_length=64)
    name: Text = Field(description="Name.", min_length=1, max_length=128)
    value_type: Text | None = Field(None, description="Type of the value.", max_length=32)
    value: Any = Field(description="The value.")

    @field_validator("value")
    @classmethod
    def _present(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("value is required")
        return json_value(value)

    @field_validator("name")
    @classmethod
    def _not_secret(cls, value: str) -> str:
        if value in SECRET_NAMES:
            raise ValueError(f"'{value}' is write-only; send it through product ordering")
        return value


class ServiceValue(_Base):
    """TMF641 ``ServiceRefOrValue`` (the parts a service order may carry)."""

    id: Text | None = Field(None, description="Existing service (modify, delete).", max_length=64)
    href: Text | None = Field(None, description="Reference.", max_length=512)
    name: Text | None = Field(None, description="Name.", max_length=256)
    category: Text | None = Field(None, description="CFS or RFS.", max_length=64)
    description: Text | None = Field(None, description="Description.", max_length=2000)
    state: (
        Literal["feasibilityChecked", "designed", "reserved", "inactive", "active", "terminated"]
        | None
    ) = Field(None, description="Target state of the service.")
    service_specification: VersionedRef | None = Field(None, description="Specification.")
    service_characteristic: list[ServiceCharacteristic] | None = Field(
        None, description="Characteristics.", max_length=100
    )
    place: list[RelatedPlace] | None = Field(None, description="Places.", max_length=10)
    related_party: list[RelatedParty] | None = Field(None, description="Parties.", max_length=20)
    referred_type: Text | None = Field(None, alias="@referredType", max_length=64)


class AppointmentRef(_Base):
    id: Text = Field(description="Appointment id.", min_length=1, max_length=64)
    href: Text | None = Field(None, description="Reference.", max_length=512)
    description: Text | None = Field(None, description="Description.", max_length=512)
    referred_type: Text | None = Field(None, alias="@referredType", max_length=64)


class ServiceOrderItem(_Base):
    """TMF641 ``ServiceOrderItem`` (nested items and item relationships are not
    offered: one level, one service per item)."""

    id: Text = Field(description="Item id, unique in the order.", min_length=1, max_length=32)
    action: Literal["add", "modify", "delete", "noChange"] = Field(description="Action.")
    quantity: int | None = Field(None, description="Quantity (1).", ge=1, le=1)
    state: Literal["acknowledged"] | None = Field(None, description="A new item is acknowledged.")
    appointment: AppointmentRef | None = Field(None, description="Booked appointment.")
    service: ServiceValue = Field(description="The service to add, modify or delete.")

    @model_validator(mode="after")
    def _service_for_action(self) -> ServiceOrderItem:
        if self.action == "add" and self.service.service_specification is None:
            raise ValueError("an add item names service.serviceSpecification")
        if self.action in ("modify", "delete", "noChange") and not self.service.id:
            raise ValueError(f"a {self.action} item names the existing service.id")
        return self


class ExternalReference(_Base):
    name: Text = Field(description="The reference.", min_length=1, max_length=128)
    external_reference_type: Text | None = Field(None, description="Type.", max_length=64)


class OrderRelationship(_Base):
    id: Text = Field(description="Related order id.", min_length=1, max_length=64)
    href: Text | None = Field(None, description="Reference.", max_length=512)
    relationship_type: Text = Field(description="Relationship.", min_length=1, max_length=64)
    referred_type: Text | None = Field(None, alias="@referredType", max_length=64)


class Note(_Base):
    id: Text = Field(description="Identifier.", min_length=1, max_length=64)
    author: Text | None = Field(None, description="Author.", max_length=128)
    date: datetime | None = Field(None, description="When.")
    text: Text = Field(description="Text.", min_length=1, max_length=4000)

    @field_validator("date")
    @classmethod
    def _date(cls, value: datetime | None) -> datetime | None:
        return _utc(value)


class ServiceOrderCreate(_Base):
    """TMF641 ``ServiceOrder_Create``; ``processKey`` (extension) names the BPMN
    process that runs the order (none: the order is moved by hand)."""

    service_order_item: list[ServiceOrderItem] = Field(
        description="The items (at least one).", min_length=1, max_length=50
    )
    category: Text | None = Field(None, description="Category.", max_length=64)
    description: Text | None = Field(None, description="Description.", max_length=2000)
    external_id: Text | None = Field(None, description="Consumer's id.", max_length=64)
    notification_contact: Text | None = Field(None, description="Contact.", max_length=256)
    priority: Text | None = Field(None, description="Priority 0–4.", pattern=r"^[0-4]$")
    requested_completion_date: datetime | None = Field(None, description="Wished completion.")
    requested_start_date: datetime | None = Field(None, description="Wished start.")
    external_reference: list[ExternalReference] | None = Field(
        None, description="External references.", max_length=20
    )
    note: list[Note] | None = Field(None, description="Notes.", max_length=50)
    order_relationship: list[OrderRelationship] | None = Field(
        None, description="Related orders.", max_length=20
    )
    related_party: list[RelatedParty] | None = Field(None, description="Parties.", max_length=20)
    cancellation_date: datetime | None = Field(None, description="Not used on create.")
    cancellation_reason: Text | None = Field(None, description="Not used on create.")
    process_key: Text | None = Field(
        None,
        description="Extension: the BPMN process to run (its process id).",
        max_length=128,
    )

    @field_validator("requested_completion_date", "requested_start_date", "cancellation_date")
    @classmethod
    def _dates(cls, value: datetime | None) -> datetime | None:
        return _utc(value)

    @model_validator(mode="after")
    def _checks(self) -> ServiceOrderCreate:
        ids = [i.id for i in self.service_order_item]
        if len(set(ids)) != len(ids):
            raise ValueError("serviceOrderItem ids must be unique")
        if self.cancellation_date is not None or self.cancellation_reason is not None:
            raise ValueError("a new service order is not cancelled; use cancelServiceOrder")
        return self


class ServiceOrderChange(_Base):
    """The merged result of a PATCH: the attributes a PATCH may change."""

    state: Text = Field(description="State (only orders without a process).")
    category: Text | None = Field(None, description="Category.", max_length=64)
    description: Text | None = Field(None, description="Description.", max_length=2000)
    external_id: Text | None = Field(None, description="Consumer's id.", max_length=64)
    notification_contact: Text | None = Field(None, description="Contact.", max_length=256)
    priority: Text | None = Field(None, description="Priority 0–4.", pattern=r"^[0-4]$")
    requested_completion_date: datetime | None = Field(None, description="Wished completion.")
    requested_start_date: datetime | None = Field(None, description="Wished start.")
    expected_completion_date: datetime | None = Field(None, description="Expected completion.")
    external_reference: list[ExternalReference] | None = Field(
        None, description="External references.", max_length=20
    )
    note: list[Note] | None = Field(None, description="Notes.", max_length=50)
    order_relationship: list[OrderRelationship] | None = Field(
        None, description="Related orders.", max_length=20
    )
    related_party: list[RelatedParty] | None = Field(None, description="Parties.", max_length=20)

    @field_validator(
        "requested_completion_date", "requested_start_date", "expected_completion_date"
    )
    @classmethod
    def _dates(cls, value: datetime | None) -> datetime | None:
        return _utc(value)


class ServiceOrderUpdate(TmfModel):
    """Documentation shape of a TMF641 PATCH (``ServiceOrder_Update`` attributes;
    ``serviceOrderItem`` and the dates the order sets are read-only)."""

    model_config = ConfigDict(extra="allow")

    state: Text | None = Field(None, description="State (only orders without a process).")
    description: Text | None = Field(None, description="Description.")
    priority: Text | None = Field(None, description="Priority 0–4.")


class CancelServiceOrderCreate(_Base):
    """TMF641 ``CancelServiceOrder_Create``."""

    service_order: Ref = Field(description="The service order to cancel.")
    cancellation_reason: Text | None = Field(None, description="Why.", max_length=512)
    requested_cancellation_date: datetime | None = Field(None, description="When (now).")

    @field_validator("requested_cancellation_date")
    @classmethod
    def _date(cls, value: datetime | None) -> datetime | None:
        return _utc(value)
