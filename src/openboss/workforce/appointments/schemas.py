"""API shapes of TMF646 v4 appointments and searchTimeSlot.

``requiredSkill`` and ``duration`` are OpenBOSS extensions: they say who can
do the visit and how long it lasts. When the appointment (or the search)
names a work order in ``relatedEntity`` (``@referredType`` WorkOrder), both
come from the work order, as do the place and the executing partner.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from openboss.kit.tmf.schemas import Text, TmfModel
from openboss.workforce.schemas import Note, PlaceRef, RelatedEntity, RelatedParty, TimePeriod

Status = Literal["initialized", "confirmed", "cancelled", "completed", "failed"]


class Slot(TmfModel):
    """TMF ``TimeSlot`` (requested: the window to search in)."""

    valid_for: TimePeriod = Field(description="From … to (both required).")


class SkillNeed(TmfModel):
    """Extension: the skill the visit needs and its minimum level."""

    skill: Text = Field(description="Skill code.", min_length=1, max_length=64)
    min_level: int = Field(1, description="Minimum level 1–5.", ge=1, le=5)


class ContactMedium(TmfModel):
    """TMF ``ContactMedium``; ``characteristic.phoneNumber`` receives the SMS."""

    medium_type: Text = Field(description="mobile, email…", max_length=32)
    preferred: bool | None = Field(None, description="Preferred medium.")
    characteristic: dict[str, Any] = Field(
        default_factory=dict, description="e.g. {phoneNumber: …}."
    )


class CalendarEventRef(TmfModel):
    """TMF ``CalendarEventRef``."""

    id: Text = Field(description="Identifier.", max_length=64)
    href: Text | None = Field(None, description="Reference.", max_length=512)
    name: Text | None = Field(None, description="Name.", max_length=256)
    referred_type: Text | None = Field(None, alias="@referredType", max_length=64)


class SearchTimeSlotCreate(TmfModel):
    """The body of ``POST /searchTimeSlot``."""

    requested_time_slot: list[Slot] = Field(
        description="The window to search (first entry), e.g. the next 7 days.",
        min_length=1,
        max_length=1,
    )
    related_place: PlaceRef | None = Field(None, description="The address (GeographicAddress).")
    related_entity: list[RelatedEntity] | None = Field(
        None,
        description="A work order (@referredType WorkOrder): place, skill, duration.",
        max_length=5,
    )
    related_party: list[RelatedParty] | None = Field(None, description="Parties.", max_length=5)
    required_skill: SkillNeed | None = Field(None, description="Extension: skill needed.")
    duration: int | None = Field(None, description="Extension: minutes on site.", ge=1, le=600)
    partner_id: Text | None = Field(None, description="Extension: executing partner company.")
    type: Text | None = Field(None, alias="@type", max_length=64)


class AppointmentCreate(TmfModel):
    """The body of ``POST /appointment``."""

    valid_for: TimePeriod = Field(description="The arrival window (an offered slot).")
    status: Literal["initialized", "confirmed"] | None = Field(
        None, description="confirmed (default) or initialized (tentative; holds the slot too)."
    )
    category: Text | None = Field(None, description="Category.", max_length=64)
    description: Text | None = Field(None, description="Free text.", max_length=2000)
    external_id: Text | None = Field(None, description="Consumer's id.", max_length=64)
    related_place: PlaceRef | None = Field(None, description="The address.")
    related_entity: list[RelatedEntity] | None = Field(
        None, description="The work order (@referredType WorkOrder).", max_length=5
    )
    related_party: list[RelatedParty] | None = Field(None, description="Parties.", max_length=5)
    contact_medium: list[ContactMedium] | None = Field(None, description="Contact.", max_length=5)
    note: list[Note] | None = Field(None, description="Notes.", max_length=20)
    calendar_event: CalendarEventRef | None = Field(None, description="Calendar event.")
    required_skill: SkillNeed | None = Field(None, description="Extension: skill needed.")
    duration: int | None = Field(None, description="Extension: minutes on site.", ge=1, le=600)
    partner_id: Text | None = Field(None, description="Extension: executing partner company.")
    type: Text | None = Field(None, alias="@type", max_length=64)


class AppointmentChange(TmfModel):
    """The merged representation after a PATCH (what may change)."""

    valid_for: TimePeriod = Field(description="The arrival window.")
    status: Status = Field(description="Status.")
    category: Text | None = Field(None, max_length=64)
    description: Text | None = Field(None, max_length=2000)
    external_id: Text | None = Field(None, max_length=64)
    related_party: list[RelatedParty] | None = Field(None, max_length=5)
    contact_medium: list[ContactMedium] | None = Field(None, max_length=5)
    note: list[Note] | None = Field(None, max_length=20)
    calendar_event: CalendarEventRef | None = None
    cancellation_reason: Text | None = Field(None, max_length=512)


class AppointmentUpdate(TmfModel):
    """``PATCH /appointment/{id}`` (JSON merge patch): reschedule (``validFor``),
    cancel (``status`` cancelled with ``cancellationReason``), complete, fail."""

    valid_for: TimePeriod | None = None
    status: Status | None = None
    category: Text | None = None
    description: Text | None = None
    external_id: Text | None = None
    related_party: list[RelatedParty] | None = None
    contact_medium: list[ContactMedium] | None = None
    note: list[Note] | None = None
    calendar_event: CalendarEventRef | None = None
    cancellation_reason: Text | None = None


class Appointment(TmfModel):
    """An appointment as returned."""

    id: str
    href: str
    type: str = Field(alias="@type")
    status: Status
    valid_for: dict[str, datetime]
    related_place: dict[str, Any]
    related_entity: list[dict[str, Any]] | None = None
