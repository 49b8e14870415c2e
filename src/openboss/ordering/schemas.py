"""API shapes of TMF622 v4 product ordering (eTOM 1.1.1.5).

``ProductOrderCreate`` / ``ProductOrderUpdate`` / ``ProductOrder`` and
``CancelProductOrderCreate`` / ``CancelProductOrder`` follow the v4
specification's names; unknown attributes are refused (400 naming them).
OpenBOSS extensions (docs/ordering.md): item actions ``suspend`` and
``resume`` next to the specification's ``add``, ``modify``, ``delete``,
``noChange``; ``stateReason``, ``regionId``, ``stateChangeDate`` and
``lastUpdate`` on the order (read-only).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, field_validator

from openboss.kit.tmf.attributes import truncate_datetime
from openboss.kit.tmf.schemas import Text, TmfModel, json_value

ItemAction = Literal["add", "modify", "delete", "noChange", "suspend", "resume"]
OrderState = Literal[
    "acknowledged",
    "rejected",
    "pending",
    "held",
    "inProgress",
    "cancelled",
    "completed",
    "failed",
    "partial",
    "assessingCancellation",
    "pendingCancellation",
]
ItemState = Literal[
    "acknowledged",
    "rejected",
    "pending",
    "held",
    "inProgress",
    "cancelled",
    "completed",
    "failed",
    "assessingCancellation",
    "pendingCancellation",
]
TaskState = Literal["acknowledged", "terminatedWithError", "inProgress", "done"]


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("a date-time needs a UTC offset (e.g. 2026-11-22T08:00:00Z)")
    return truncate_datetime(value)


DateTime = Annotated[datetime, AfterValidator(_utc)]
Id = Annotated[Text, Field(min_length=1, max_length=64)]
Short = Annotated[Text, Field(max_length=128)]


class Ref(TmfModel):
    """A reference to an entity by id."""

    id: Id = Field(description="Identifier.")
    href: Text | None = Field(None, description="Reference.", max_length=512)
    name: Short | None = Field(None, description="Name.")
    type_: Short | None = Field(None, alias="@type", description="Sub-class.")
    base_type: Short | None = Field(None, alias="@baseType", description="Super-class.")
    schema_location: Text | None = Field(
        None, alias="@schemaLocation", description="Schema.", max_length=512
    )
    referred_type: Short | None = Field(None, alias="@referredType", description="Target type.")


class RelatedParty(Ref):
    """A party related to the order; the customer has ``role`` customer."""

    role: Short | None = Field(None, description="e.g. customer.")


class RelatedChannel(Ref):
    """The sales channel (shop, online, app, partner …)."""

    role: Short | None = Field(None, description="Role of the channel.")


class RelatedPlace(TmfModel):
    """A place of the product; ``installationAddress`` names the geographic address."""

    id: Id | None = Field(None, description="Geographic address id.")
    href: Text | None = Field(None, description="Reference.", max_length=512)
    name: Short | None = Field(None, description="Name.")
    role: Short = Field(description="e.g. installationAddress.")
    type_: Short | None = Field(None, alias="@type", description="Sub-class.")
    referred_type: Short | None = Field(None, alias="@referredType", description="Target type.")


class Characteristic(TmfModel):
    """A name/value pair of the product."""

    name: Annotated[Text, Field(min_length=1, max_length=64)] = Field(description="Name.")
    value: Any = Field(description="Value (any JSON).")
    value_type: Short | None = Field(None, description="Type of the value.")
    type_: Short | None = Field(None, alias="@type", description="Sub-class.")

    @field_validator("value")
    @classmethod
    def _json(cls, value: Any) -> Any:
        return json_value(value)


class Note(TmfModel):
    """A note."""

    id: Short | None = Field(None, description="Identifier within the order.")
    author: Short | None = Field(None, description="Author.")
    date: DateTime | None = Field(None, description="Date.")
    text: Annotated[Text, Field(max_length=4000)] = Field(description="Text.")


class ProductValue(TmfModel):
    """The product to create (``add``) or the existing one to change (by ``id``)."""

    id: Id | None = Field(None, description="The existing product (modify, delete …).")
    href: Text | None = Field(None, description="Reference.", max_length=512)
    name: Short | None = Field(None, description="Name.")
    description: Annotated[Text, Field(max_length=2000)] | None = Field(
        None, description="Description."
    )
    is_bundle: bool | None = Field(None, description="Whether the product is a bundle.")
    place: list[RelatedPlace] | None = Field(None, description="Places.", max_length=10)
    product_characteristic: list[Characteristic] | None = Field(
        None, description="Characteristics.", max_length=100
    )
    product_offering: Ref | None = Field(None, description="Offering (informative).")
    product_specification: Ref | None = Field(None, description="Specification (informative).")
    type_: Short | None = Field(None, alias="@type", description="Sub-class.")
    referred_type: Short | None = Field(None, alias="@referredType", description="Target type.")


class ItemRelationship(TmfModel):
    """A relationship to another item of the same order (``reliesOn``)."""

    id: Id = Field(description="The other item's id.")
    relationship_type: Short = Field(description="reliesOn, bundles …")
    type_: Short | None = Field(None, alias="@type", description="Sub-class.")


class ProductOrderItemIn(TmfModel):
    """An item of a new order (a bundle's members are nested items)."""

    id: Annotated[Text, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9._-]+$")] = Field(
        description="Item id, unique in the order (1, 2, …)."
    )
    action: ItemAction = Field(description="add, modify, delete, noChange, suspend, resume.")
    quantity: int | None = Field(None, ge=1, le=1, description="Always 1 (one product per item).")
    product: ProductValue | None = Field(None, description="The product.")
    product_offering: Ref | None = Field(None, description="The offering ordered.")
    product_order_item: list[ProductOrderItemIn] | None = Field(
        None, description="Nested items: the chosen members of a bundle.", max_length=20
    )
    product_order_item_relationship: list[ItemRelationship] | None = Field(
        None, description="Relationships to other items.", max_length=20
    )
    appointment: Ref | None = Field(None, description="A booked installation appointment.")
    billing_account: Ref | None = Field(None, description="Billing account of the item.")
    type_: Short | None = Field(None, alias="@type", description="Sub-class.")


class ProductOrderCreate(TmfModel):
    """A new product order (``ProductOrder_Create``)."""

    category: Short | None = Field(None, description="residential, enterprise …")
    description: Annotated[Text, Field(max_length=2000)] | None = Field(
        None, description="Description."
    )
    external_id: Annotated[Text, Field(max_length=64)] | None = Field(
        None, description="The buyer's id."
    )
    priority: Annotated[Text, Field(pattern=r"^[0-4]$")] | None = Field(
        None, description="0 (highest) … 4."
    )
    notification_contact: Annotated[Text, Field(max_length=256)] | None = Field(
        None, description="Phone or e-mail for milestone notifications."
    )
    requested_start_date: DateTime | None = Field(None, description="Do not start before.")
    requested_completion_date: DateTime | None = Field(None, description="Wished completion.")
    billing_account: Ref | None = Field(None, description="Billing account.")
    channel: list[RelatedChannel] | None = Field(None, description="Channels.", max_length=5)
    note: list[Note] | None = Field(None, description="Notes.", max_length=50)
    agreement: list[Ref] | None = Field(None, description="Agreements.", max_length=10)
    related_party: list[RelatedParty] = Field(
        description="Parties; exactly one with role customer.", min_length=1, max_length=10
    )
    product_order_item: list[ProductOrderItemIn] = Field(
        description="Items.", min_length=1, max_length=50
    )
    type_: Short | None = Field(None, alias="@type", description="Sub-class.")


class ProductOrderUpdate(TmfModel):
    """A merge patch of an order: items while acknowledged, pending or held;
    ``state`` (``cancelled`` to cancel, ``inProgress`` to release a held order)."""

    state: OrderState | None = Field(None, description="Target state.")
    description: Annotated[Text, Field(max_length=2000)] | None = Field(
        None, description="Description."
    )
    category: Short | None = Field(None, description="Category.")
    external_id: Annotated[Text, Field(max_length=64)] | None = Field(None, description="Id.")
    priority: Annotated[Text, Field(pattern=r"^[0-4]$")] | None = Field(None, description="0 … 4.")
    notification_contact: Annotated[Text, Field(max_length=256)] | None = Field(
        None, description="Contact."
    )
    requested_start_date: DateTime | None = Field(None, description="Do not start before.")
    requested_completion_date: DateTime | None = Field(None, description="Wished completion.")
    cancellation_reason: Annotated[Text, Field(max_length=512)] | None = Field(
        None, description="Why it is cancelled."
    )
    note: list[Note] | None = Field(None, description="Notes.", max_length=50)
    product_order_item: list[ProductOrderItemIn] | None = Field(
        None, description="The items (the whole list).", max_length=50
    )


class ProductOrder(TmfModel):
    """A product order (response shape; documented, not used to serialise)."""

    id: str = Field(description="Identifier.")
    href: str = Field(description="Reference.")
    state: OrderState = Field(description="State.")
    order_date: datetime | None = Field(None, description="When it was received.")
    product_order_item: list[dict[str, Any]] = Field(description="Items with state and prices.")
    order_total_price: list[dict[str, Any]] | None = Field(None, description="Totals.")
    related_party: list[dict[str, Any]] | None = Field(None, description="Parties.")
    type_: str = Field("ProductOrder", alias="@type", description="ProductOrder.")


class CancelProductOrderCreate(TmfModel):
    """A request to cancel an order (``CancelProductOrder_Create``)."""

    product_order: Ref = Field(description="The order to cancel.")
    cancellation_reason: Annotated[Text, Field(max_length=512)] | None = Field(
        None, description="Why."
    )
    requested_cancellation_date: DateTime | None = Field(None, description="Wished date.")
    type_: Short | None = Field(None, alias="@type", description="Sub-class.")


class CancelProductOrder(TmfModel):
    """A cancellation request (response shape)."""

    id: str = Field(description="Identifier.")
    href: str = Field(description="Reference.")
    state: TaskState = Field(description="State.")
    product_order: dict[str, Any] = Field(description="The order.")
    type_: str = Field("CancelProductOrder", alias="@type", description="CancelProductOrder.")
