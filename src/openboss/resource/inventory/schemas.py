"""Request and response shapes of the inventory APIs (TMF639 v4 and the
``/api/resource/v1`` operations API).

eTOM 1.5.1 resource management.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from openboss.kit.tmf.schemas import Text, TmfModel, json_value

JsonValue = Annotated[Any, AfterValidator(json_value)]
Lifecycle = Literal["planned", "available", "reserved", "allocated", "released", "retired"]
Terms = Literal["own", "lease", "revenueShare"]


class Ref(TmfModel):
    id: Annotated[Text, Field(min_length=1, max_length=64)]
    href: Text | None = None
    name: Text | None = None
    role: Text | None = None
    type_: Text | None = Field(default=None, alias="@type")
    referred_type: Text | None = Field(default=None, alias="@referredType")
    base_type_: Text | None = Field(default=None, alias="@baseType")
    schema_location: Text | None = Field(default=None, alias="@schemaLocation")


class SpecRef(TmfModel):
    id: Annotated[Text, Field(min_length=1, max_length=64)]
    href: Text | None = None
    name: Text | None = None
    version: Text | None = None
    type_: Text | None = Field(default=None, alias="@type")
    referred_type: Text | None = Field(default=None, alias="@referredType")


class ParentRef(TmfModel):
    id: Annotated[Text, Field(min_length=1, max_length=64)]
    href: Text | None = None


class Characteristic(TmfModel):
    id: Text | None = None
    name: Annotated[Text, Field(min_length=1, max_length=64)]
    value_type: Text | None = None
    value: JsonValue = None
    type_: Text | None = Field(default=None, alias="@type")


class Relationship(TmfModel):
    id: Text | None = None
    href: Text | None = None
    relationship_type: Annotated[Text, Field(min_length=1, max_length=64)]
    resource: ParentRef | None = None
    type_: Text | None = Field(default=None, alias="@type")
    referred_type: Text | None = Field(default=None, alias="@referredType")


class _ResourceBody(TmfModel):
    name: Annotated[Text, Field(min_length=1, max_length=128)] | None = None
    description: Text | None = None
    category: Annotated[Text, Field(max_length=32)] | None = None
    value: Annotated[Text, Field(min_length=1, max_length=128)] | None = None
    lifecycle_status: Lifecycle | None = None
    operational_state: Literal["enable", "disable"] | None = None
    ownership_terms: Terms | None = None
    grade: Annotated[Text, Field(max_length=16)] | None = None
    capacity: Annotated[int, Field(ge=0, le=2**31 - 1)] | None = None
    resource_characteristic: list[Characteristic] | None = None
    resource_relationship: list[Relationship] | None = None
    place: Ref | list[Ref] | None = None
    related_party: list[Ref] | None = None
    start_operating_date: datetime | None = None
    end_operating_date: datetime | None = None
    resource_version: Text | None = None
    type_: Text | None = Field(default=None, alias="@type")
    base_type_: Text | None = Field(default=None, alias="@baseType")
    schema_location: Text | None = Field(default=None, alias="@schemaLocation")


class ResourceCreate(_ResourceBody):
    """TMF639 ``Resource_Create`` (``resourceSpecification.id`` is required here)."""

    name: Annotated[Text, Field(min_length=1, max_length=128)]
    resource_specification: SpecRef
    parent_resource: ParentRef | None = None
    #: Extension: the region of a resource with no building and no parent.
    region_id: Annotated[Text, Field(max_length=64)] | None = None


class ResourceUpdate(_ResourceBody):
    """TMF639 ``Resource_Update`` as a merge patch (read-only attributes are 400)."""


class Resource(TmfModel):
    """TMF639 v4 ``Resource`` (as answered; documented, not used to serialise)."""

    model_config = ConfigDict(extra="allow", alias_generator=to_camel, populate_by_name=True)
    id: str
    href: str
    name: str | None = None
    category: str | None = None
    value: str | None = None
    resource_status: Literal["standby", "alarm", "available", "reserved", "unknown", "suspended"]
    administrative_state: Literal["locked", "unlocked", "shutdown"]
    operational_state: Literal["enable", "disable"]
    usage_state: Literal["idle", "active", "busy"]
    resource_specification: dict[str, Any]
    type_: str = Field(alias="@type")


# --------------------------------------------------------------------------- operations API


class ApiModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", serialize_by_alias=True
    )


class SpecCreate(ApiModel):
    id: Annotated[Text, Field(min_length=1, max_length=64)]
    name: Annotated[Text, Field(min_length=1, max_length=128)]
    localized_name: dict[str, Text] | None = None
    description: Text | None = None
    base_type: Literal["PhysicalResource", "LogicalResource"]
    category: Annotated[Text, Field(min_length=1, max_length=32)]
    characteristics: list[dict[str, JsonValue]] = []
    parent_specs: list[Text] = []
    quarantine_days: Annotated[int, Field(ge=0, le=3650)] = 0


class ReservationCreate(ApiModel):
    resource_specification_id: Annotated[Text, Field(min_length=1, max_length=64)] | None = None
    count: Annotated[int, Field(ge=1, le=1000)] = 1
    site_id: Annotated[Text, Field(max_length=64)] | None = None
    parent_id: Annotated[Text, Field(max_length=64)] | None = None
    resource_ids: list[Annotated[Text, Field(max_length=64)]] | None = None
    grade: Annotated[Text, Field(max_length=16)] | None = None
    owner_partner_id: Annotated[Text, Field(max_length=64)] | None = None
    hold_minutes: Annotated[int, Field(ge=1, le=7 * 24 * 60)] = 30
    purpose: Annotated[Text, Field(max_length=128)] | None = None
    customer_id: Annotated[Text, Field(max_length=64)] | None = None
    related_entity: list[dict[str, JsonValue]] | None = None


class AllocateBody(ApiModel):
    service_id: Annotated[Text, Field(max_length=64)] | None = None
    customer_id: Annotated[Text, Field(max_length=64)] | None = None
    order_id: Annotated[Text, Field(max_length=64)] | None = None


class ReleaseBody(ApiModel):
    reason: Annotated[Text, Field(min_length=1, max_length=500)]


class TransferCreate(ApiModel):
    resource_ids: Annotated[
        list[Annotated[Text, Field(max_length=64)]], Field(min_length=1, max_length=1000)
    ]
    to_region_id: Annotated[Text, Field(max_length=64)] | None = None
    to_parent_id: Annotated[Text, Field(max_length=64)] | None = None
    reason: Annotated[Text, Field(min_length=1, max_length=500)]


class PartnerCreate(ApiModel):
    id: Annotated[Text, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
    name: Annotated[Text, Field(min_length=1, max_length=128)]
    localized_name: dict[str, Text] | None = None
    kind: Literal["fixedLine", "cableTv", "mobile", "construction", "other"]
    default_terms: Terms
    revenue_share_percent: Annotated[int, Field(ge=0, le=100)] | None = None
    status: Literal["active", "inactive"] = "active"
    contact: dict[str, Text] | None = None


class PartnerUpdate(ApiModel):
    name: Annotated[Text, Field(min_length=1, max_length=128)] | None = None
    localized_name: dict[str, Text] | None = None
    kind: Literal["fixedLine", "cableTv", "mobile", "construction", "other"] | None = None
    default_terms: Terms | None = None
    revenue_share_percent: Annotated[int, Field(ge=0, le=100)] | None = None
    status: Literal["active", "inactive"] | None = None
    contact: dict[str, Text] | None = None
