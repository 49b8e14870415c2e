"""API shapes of TMF637 ``product`` and TMF638 ``service`` (v4): what a client
may send, checked strictly (unknown attributes refused, enums, required fields)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator

from openboss.kit.tmf.attributes import truncate_datetime
from openboss.kit.tmf.schemas import Text, TmfModel, json_value

ProductStatus = Literal[
    "created", "pendingActive", "cancelled", "active", "pendingTerminate", "suspended", "terminated"
]
ServiceState = Literal[
    "feasibilityChecked", "designed", "reserved", "inactive", "active", "terminated"
]


#: Characteristic names that are write-only everywhere (never stored in clear).
SECRET_NAMES = frozenset({"accessPassword", "password", "passwordHash"})


def _utc(value: datetime | None) -> datetime | None:
    return truncate_datetime(value) if value is not None else None


class _Base(TmfModel):
    """``@type`` / ``@baseType`` / ``@schemaLocation`` accepted (not stored)."""

    type_: Text | None = Field(None, alias="@type", max_length=64, description="Class name.")
    base_type: Text | None = Field(None, alias="@baseType", max_length=64, description="Super.")
    schema_location: Text | None = Field(
        None, alias="@schemaLocation", max_length=512, description="Schema URI."
    )


class Ref(_Base):
    """An ``EntityRef``: id, href, name, @referredType."""

    id: Text = Field(description="Identifier.", min_length=1, max_length=64)
    href: Text | None = Field(None, description="Reference.", max_length=512)
    name: Text | None = Field(None, description="Name.", max_length=256)
    referred_type: Text | None = Field(
        None, alias="@referredType", description="Type referred to.", max_length=64
    )


class VersionedRef(Ref):
    version: Text | None = Field(None, description="Version.", max_length=32)


class AgreementRef(Ref):
    agreement_item_id: Text | None = Field(None, description="Agreement item.", max_length=64)


class ResourceRef(Ref):
    value: Text | None = Field(None, description="Value of the resource.", max_length=256)


class RelatedParty(Ref):
    referred_type: Text = Field(
        alias="@referredType", description="Individual, Organization, Customer…", max_length=64
    )
    role: Text | None = Field(None, description="Role, e.g. customer.", max_length=64)


class RelatedPlace(Ref):
    role: Text = Field(description="Role, e.g. installationAddress.", min_length=1, max_length=64)


class Characteristic(_Base):
    name: Text = Field(description="Name.", min_length=1, max_length=128)
    value_type: Text | None = Field(None, description="Type of the value.", max_length=32)
    value: Any = Field(description="The value.")

    @field_validator("value")
    @classmethod
    def _present(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("value is required")
        return json_value(value)


class ServiceCharacteristic(Characteristic):
    id: Text | None = Field(None, description="Identifier.", max_length=64)


class Money(TmfModel):
    unit: Text | None = Field(None, description="Currency (ISO 4217).", max_length=3)
    value: float | None = Field(None, description="Amount.")


class Price(_Base):
    percentage: float | None = Field(None, description="Percentage.")
    tax_rate: float | None = Field(None, description="Tax rate.")
    duty_free_amount: Money | None = Field(None, description="Without tax.")
    tax_included_amount: Money | None = Field(None, description="With tax.")


class ProductPrice(_Base):
    description: Text | None = Field(None, description="Description.", max_length=512)
    name: Text | None = Field(None, description="Name.", max_length=256)
    price_type: Text = Field(description="recurring, oneTime, usage.", max_length=32)
    recurring_charge_period: Text | None = Field(None, description="Period.", max_length=32)
    unit_of_measure: Text | None = Field(None, description="Unit.", max_length=32)
    billing_account: Ref | None = Field(None, description="Billing account.")
    price: Price = Field(description="The price.")
    product_offering_price: Ref | None = Field(None, description="Offering price.")
    product_price_alteration: list[dict[str, Any]] | None = Field(
        None, description="Alterations (discounts).", max_length=20
    )

    @field_validator("product_price_alteration")
    @classmethod
    def _json(cls, value: Any) -> Any:
        return json_value(value)


class ProductOrderItemRef(_Base):
    order_item_action: Text | None = Field(None, description="Action.", max_length=16)
    order_item_id: Text = Field(description="Item id.", min_length=1, max_length=32)
    product_order_href: Text | None = Field(None, description="Reference.", max_length=512)
    product_order_id: Text = Field(description="Product order id.", min_length=1, max_length=64)
    role: Text | None = Field(None, description="Role.", max_length=64)
    referred_type: Text | None = Field(None, alias="@referredType", max_length=64)


class ProductRelationship(_Base):
    relationship_type: Text = Field(description="bundled, reliesOn…", min_length=1, max_length=64)
    product: Ref = Field(description="The related product.")


class TimePeriod(TmfModel):
    start_date_time: datetime | None = Field(None, description="Start.")
    end_date_time: datetime | None = Field(None, description="End.")


class Quantity(TmfModel):
    amount: float | None = Field(None, description="Amount.")
    units: Text | None = Field(None, description="Units.", max_length=32)


class ProductTerm(_Base):
    description: Text | None = Field(None, description="Description.", max_length=512)
    name: Text | None = Field(None, description="Name.", max_length=256)
    duration: Quantity | None = Field(None, description="Duration.")
    valid_for: TimePeriod | None = Field(None, description="Validity.")


class ProductCreate(_Base):
    """TMF637 ``Product_Create`` (and the merged target of a PATCH)."""

    status: ProductStatus = Field(description="Product status.")
    description: Text | None = Field(None, description="Description.", max_length=2000)
    is_bundle: bool | None = Field(None, description="A bundle of products.")
    is_customer_visible: bool | None = Field(None, description="Visible to the customer.")
    name: Text | None = Field(None, description="Name.", max_length=256)
    order_date: datetime | None = Field(None, description="When it was ordered.")
    product_serial_number: Text | None = Field(None, description="Serial.", max_length=128)
    start_date: datetime | None = Field(None, description="Active from.")
    termination_date: datetime | None = Field(None, description="Terminated at.")
    agreement: list[AgreementRef] | None = Field(None, description="Agreements.", max_length=20)
    billing_account: Ref | None = Field(None, description="Billing account.")
    place: list[RelatedPlace] | None = Field(None, description="Places.", max_length=20)
    product: list[Ref] | None = Field(None, description="Sub-products.", max_length=50)
    product_characteristic: list[Characteristic] | None = Field(
        None, description="Characteristics.", max_length=100
    )
    product_offering: Ref | None = Field(None, description="The offering.")
    product_order_item: list[ProductOrderItemRef] | None = Field(
        None, description="Order items.", max_length=50
    )
    product_price: list[ProductPrice] | None = Field(None, description="Prices.", max_length=50)
    product_relationship: list[ProductRelationship] | None = Field(
        None, description="Related products.", max_length=50
    )
    product_specification: VersionedRef | None = Field(None, description="Specification.")
    product_term: list[ProductTerm] | None = Field(None, description="Terms.", max_length=20)
    realizing_resource: list[ResourceRef] | None = Field(
        None, description="Resources.", max_length=50
    )
    realizing_service: list[Ref] | None = Field(None, description="Services.", max_length=50)
    related_party: list[RelatedParty] | None = Field(None, description="Parties.", max_length=20)

    @field_validator("order_date", "start_date", "termination_date")
    @classmethod
    def _dates(cls, value: datetime | None) -> datetime | None:
        return _utc(value)

    @field_validator("product_characteristic")
    @classmethod
    def _no_secrets(cls, value: list[Characteristic] | None) -> list[Characteristic] | None:
        for c in value or []:
            if c.name in SECRET_NAMES:
                raise ValueError(f"'{c.name}' is write-only and cannot be stored here")
        return value


class Feature(TmfModel):
    id: Text = Field(description="Identifier.", min_length=1, max_length=64)
    name: Text = Field(description="Name.", min_length=1, max_length=128)
    is_bundle: bool | None = Field(None, description="Bundle.")
    is_enabled: bool | None = Field(None, description="Enabled.")
    feature_characteristic: list[ServiceCharacteristic] = Field(
        description="Characteristics.", max_length=50
    )


class Note(TmfModel):
    id: Text | None = Field(None, description="Identifier.", max_length=64)
    author: Text = Field(description="Author.", min_length=1, max_length=128)
    date: datetime = Field(description="When.")
    text: Text = Field(description="Text.", min_length=1, max_length=4000)

    @field_validator("date")
    @classmethod
    def _date(cls, value: datetime) -> datetime:
        return truncate_datetime(value)


class RelatedEntity(Ref):
    id: Text | None = Field(None, description="Identifier.", max_length=64)  # type: ignore[assignment]
    role: Text = Field(description="Role.", min_length=1, max_length=64)


class RelatedServiceOrderItem(TmfModel):
    item_id: Text = Field(description="Item id.", min_length=1, max_length=32)
    service_order_id: Text = Field(description="Service order.", min_length=1, max_length=64)
    service_order_href: Text | None = Field(None, description="Reference.", max_length=512)
    item_action: Literal["add", "modify", "delete", "noChange"] | None = Field(
        None, description="Action."
    )
    role: Text | None = Field(None, description="Role.", max_length=64)
    referred_type: Text | None = Field(None, alias="@referredType", max_length=64)


class ServiceRelationship(TmfModel):
    relationship_type: Text = Field(description="reliesOn, dependsOn…", min_length=1, max_length=64)
    service: Ref = Field(description="The related service.")
    service_relationship_characteristic: list[ServiceCharacteristic] | None = Field(
        None, description="Characteristics.", max_length=20
    )


class ServiceCreate(_Base):
    """TMF638 ``Service_Create`` (and the merged target of a PATCH)."""

    state: ServiceState = Field(description="Service state.")
    service_specification: VersionedRef = Field(description="The specification.")
    category: Text | None = Field(None, description="CFS or RFS.", max_length=64)
    description: Text | None = Field(None, description="Description.", max_length=2000)
    end_date: datetime | None = Field(None, description="Ended at.")
    has_started: bool | None = Field(None, description="Started.")
    is_bundle: bool | None = Field(None, description="Bundle.")
    is_service_enabled: bool | None = Field(None, description="Enabled.")
    is_stateful: bool | None = Field(None, description="Stateful.")
    name: Text | None = Field(None, description="Name.", max_length=256)
    service_type: Text | None = Field(None, description="Type.", max_length=64)
    start_date: datetime | None = Field(None, description="Started at.")
    start_mode: Text | None = Field(None, description="Start mode.", max_length=32)
    feature: list[Feature] | None = Field(None, description="Features.", max_length=50)
    note: list[Note] | None = Field(None, description="Notes.", max_length=50)
    place: list[RelatedPlace] | None = Field(None, description="Places.", max_length=20)
    related_entity: list[RelatedEntity] | None = Field(
        None, description="Related entities (role product: the product).", max_length=20
    )
    related_party: list[RelatedParty] | None = Field(None, description="Parties.", max_length=20)
    service_characteristic: list[ServiceCharacteristic] | None = Field(
        None, description="Characteristics.", max_length=100
    )
    service_order_item: list[RelatedServiceOrderItem] | None = Field(
        None, description="Service order items.", max_length=50
    )
    service_relationship: list[ServiceRelationship] | None = Field(
        None, description="Related services.", max_length=50
    )
    supporting_resource: list[Ref] | None = Field(None, description="Resources.", max_length=50)
    supporting_service: list[Ref] | None = Field(None, description="Services.", max_length=50)

    @field_validator("start_date", "end_date")
    @classmethod
    def _dates(cls, value: datetime | None) -> datetime | None:
        return _utc(value)

    @field_validator("service_characteristic")
    @classmethod
    def _no_secrets(
        cls, value: list[ServiceCharacteristic] | None
    ) -> list[ServiceCharacteristic] | None:
        for c in value or []:
            if c.name in SECRET_NAMES:
                raise ValueError(f"'{c.name}' is write-only and cannot be stored here")
        return value


class ProductUpdate(TmfModel):
    """Documentation shape of a TMF637 PATCH (any ``Product_Update`` attribute)."""

    model_config = ConfigDict(extra="allow")

    status: ProductStatus | None = Field(None, description="Product status.")


class ServiceUpdate(TmfModel):
    """Documentation shape of a TMF638 PATCH (any ``Service_Update`` attribute)."""

    model_config = ConfigDict(extra="allow")

    state: ServiceState | None = Field(None, description="Service state.")
