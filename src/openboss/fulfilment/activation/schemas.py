"""API shapes of TMF640 v4 Service Activation and Configuration (``service``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from openboss.kit.tmf.schemas import Text, TmfModel, json_value

ServiceState = Literal[
    "feasibilityChecked", "designed", "reserved", "inactive", "active", "terminated"
]


class ServiceSpecificationRef(TmfModel):
    """TMF ``ServiceSpecificationRef``; ``id`` decides the elements (docs)."""

    id: Text = Field(description="Service specification id, e.g. rfs-ip-session.", max_length=64)
    href: Text | None = Field(None, max_length=512)
    name: Text | None = Field(None, max_length=200)
    version: Text | None = Field(None, max_length=32)
    base_type: Text | None = Field(None, alias="@baseType", max_length=64)
    schema_location: Text | None = Field(None, alias="@schemaLocation", max_length=512)
    type: Text | None = Field(None, alias="@type", max_length=64)
    referred_type: Text | None = Field(None, alias="@referredType", max_length=64)


class Characteristic(TmfModel):
    """TMF ``Characteristic``: an element parameter (``account``, ``ontSerial``…)."""

    id: Text | None = Field(None, max_length=64)
    name: Text = Field(description="Parameter name.", min_length=1, max_length=64)
    value_type: Text | None = Field(None, max_length=32)
    value: Annotated[Any, AfterValidator(json_value)] = Field(description="Parameter value.")
    base_type: Text | None = Field(None, alias="@baseType", max_length=64)
    schema_location: Text | None = Field(None, alias="@schemaLocation", max_length=512)
    type: Text | None = Field(None, alias="@type", max_length=64)


class RelatedParty(TmfModel):
    """TMF ``RelatedParty``."""

    id: Text = Field(max_length=64)
    href: Text | None = Field(None, max_length=512)
    name: Text | None = Field(None, max_length=200)
    role: Text | None = Field(None, max_length=64)
    referred_type: Text = Field(alias="@referredType", max_length=64)
    base_type: Text | None = Field(None, alias="@baseType", max_length=64)
    schema_location: Text | None = Field(None, alias="@schemaLocation", max_length=512)
    type: Text | None = Field(None, alias="@type", max_length=64)


class _ServiceBody(TmfModel):
    name: Text | None = Field(None, max_length=200)
    description: Text | None = Field(None, max_length=2000)
    category: Text | None = Field(None, max_length=64)
    service_type: Text | None = Field(None, max_length=64)
    start_date: datetime | None = None
    end_date: datetime | None = None
    service_characteristic: list[Characteristic] | None = Field(None, max_length=100)
    related_party: list[RelatedParty] | None = Field(None, max_length=20)
    base_type: Text | None = Field(None, alias="@baseType", max_length=64)
    schema_location: Text | None = Field(None, alias="@schemaLocation", max_length=512)
    type: Text | None = Field(None, alias="@type", max_length=64)


class ActivationServiceCreate(_ServiceBody):
    """TMF640 ``Service_Create``: ``state`` and ``serviceSpecification`` are required.
    ``state`` ``active`` activates on the elements, ``inactive`` activates and
    suspends, ``feasibilityChecked``/``designed``/``reserved`` record only."""

    state: ServiceState
    service_specification: ServiceSpecificationRef


class ActivationServiceUpdate(_ServiceBody):
    """TMF640 ``Service_Update`` (merge patch). ``state``: ``active`` (activate or
    resume), ``inactive`` (suspend), ``terminated`` (deactivate); a changed
    ``serviceCharacteristic`` of a configured service runs ``modify``."""

    state: ServiceState | None = None
    service_specification: ServiceSpecificationRef | None = None
