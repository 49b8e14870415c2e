"""Request and response models of the publishing APIs (partner coverage,
availability, TMF645 service qualification)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field

from openboss.kit.tmf.schemas import Text, TmfModel


class PartnerCoverageCreate(TmfModel):
    """A partner's coverage of a building."""

    site_id: Text = Field(description="The building (geographic site id).", max_length=36)
    partner_id: Text | None = Field(
        None,
        description="The owning partner (network partner id); a partner caller's own by default.",
        max_length=64,
    )
    technology: Text = Field(
        "cable", description="cable, ftth, docsis, …", min_length=1, max_length=32
    )
    coverage_type: Literal["partnerCable"] = Field(
        "partnerCable", description="What it is sold as (catalog coverage type)."
    )
    capacity: int = Field(description="Subscribers the partner may take there.", ge=0, le=1_000_000)
    used: int = Field(0, description="Subscribers it has there.", ge=0, le=1_000_000)
    status: Literal["active", "suspended"] = Field("active", description="active or suspended.")
    valid_from: datetime | None = Field(None, description="Start of the coverage (UTC).")
    valid_to: datetime | None = Field(None, description="End of the coverage (UTC).")
    note: Text | None = Field(None, description="Free text.", max_length=2000)


class PartnerCoverageUpdate(TmfModel):
    """A change of coverage (partners may change capacity, used and status of their rows)."""

    technology: Text | None = Field(None, min_length=1, max_length=32)
    capacity: int | None = Field(None, ge=0, le=1_000_000)
    used: int | None = Field(None, ge=0, le=1_000_000)
    status: Literal["active", "suspended"] | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    note: Text | None = Field(None, max_length=2000)


class PartnerCoverageOut(TmfModel):
    """A partner coverage row."""

    id: str
    site_id: str
    partner_id: str
    technology: str
    coverage_type: str
    capacity: int
    used: int
    status: str
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    note: str | None = None
    region_id: str | None = None
    created_at: datetime
    updated_at: datetime


class AvailabilityOut(TmfModel):
    """Sellable availability of one business type at one building, per owner."""

    model_config = ConfigDict(extra="allow")

    id: str
    site_id: str = Field(description="The building.")
    business_type_id: str = Field(description="ftthAccess, partnerCableAccess, …")
    owner_partner_id: str | None = Field(None, description="NULL: the operator's own.")
    coverage_type: str
    delivery_mode: str
    capacity_total: int
    capacity_free: int
    status: str = Field(description="available, exhausted or planned.")
    ready_date: str | None = Field(None, description="When the capacity is ready (null: now).")
    earliest_date: str = Field(description="Earliest delivery date (ready date + lead time).")
    region_id: str | None = None
    updated_at: str


class Ref(TmfModel):
    """A reference (place, specification, party)."""

    model_config = ConfigDict(extra="allow", alias_generator=None, populate_by_name=True)

    id: Text | None = Field(None, max_length=64)
    href: Text | None = None
    name: Text | None = None
    role: Text | None = None
    referred_type: Text | None = Field(None, alias="@referredType")
    type_: Text | None = Field(None, alias="@type")


class ServiceIn(TmfModel):
    """``ServiceRefOrValue`` of a qualification item: the CFS and the place."""

    model_config = ConfigDict(extra="allow")

    service_specification: Ref | None = None
    place: list[Ref] | Ref | None = None

    def place_id(self) -> str | None:
        places = self.place if isinstance(self.place, list) else [self.place] if self.place else []
        for p in places:
            if p.id:
                return p.id
        return None


class CheckItemIn(TmfModel):
    """``CheckServiceQualificationItem`` of a request."""

    model_config = ConfigDict(extra="allow")

    id: Text | None = Field(None, max_length=36)
    service: ServiceIn | None = None


class CheckServiceQualificationCreate(TmfModel):
    """``CheckServiceQualification_Create`` (TMF645 v4)."""

    model_config = ConfigDict(extra="allow")

    description: Text | None = Field(None, max_length=2000)
    external_id: Text | None = Field(None, max_length=128)
    instant_sync_qualification: bool | None = None
    provide_alternative: bool | None = None
    provide_unavailability_reason: bool | None = None
    expected_qualification_date: datetime | None = None
    related_party: list[dict[str, Any]] | None = None
    service_qualification_item: list[CheckItemIn] = Field(
        description="The services to qualify (at least one).", min_length=1, max_length=100
    )


class SearchCriteriaIn(TmfModel):
    """``ServiceQualificationItem`` used as search criteria."""

    model_config = ConfigDict(extra="allow")

    id: Text | None = None
    service: ServiceIn


class QueryServiceQualificationCreate(TmfModel):
    """``QueryServiceQualification_Create`` (TMF645 v4)."""

    model_config = ConfigDict(extra="allow")

    description: Text | None = Field(None, max_length=2000)
    external_id: Text | None = Field(None, max_length=128)
    instant_sync_qualification: bool | None = None
    expected_qualification_date: datetime | None = None
    related_party: list[dict[str, Any]] | None = None
    search_criteria: SearchCriteriaIn
