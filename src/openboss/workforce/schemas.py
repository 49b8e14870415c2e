"""API shapes of the workforce domain.

* Staff (``/api/workforce/v1``): partner companies, skills, technicians,
  their skills and leave, teams — camelCase JSON, unknown attributes refused.
* Work orders (TMF697 v4 ``/tmf-api/workOrderManagement/v4/workOrder``):
  ``WorkOrderCreate`` / ``WorkOrderUpdate`` / ``WorkOrder``; the OpenBOSS
  extensions are documented in ``docs/workforce-orders.md``.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from openboss.kit.tmf.attributes import truncate_datetime
from openboss.kit.tmf.schemas import Text, TmfModel, json_value
from openboss.workforce.kinds import KINDS

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

PartnerKind = Literal["construction", "cableTv", "fixedLine"]
Status = Literal["active", "inactive"]
WorkKind = Literal[
    "survey", "installation", "remoteDialTest", "completionAcceptance", "repair", "cpeRecovery"
]
assert set(KINDS) == set(WorkKind.__args__)  # type: ignore[attr-defined]

# --------------------------------------------------------------------------- staff


class PartnerCompanyCreate(TmfModel):
    """A partner company doing field work for the operator."""

    id: Text = Field(
        description="Partner id, the same as partner users' scope, e.g. PARTNER-1.",
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
    )
    name: Text = Field(description="Name.", min_length=1, max_length=128)
    localized_name: dict[str, Text] | None = Field(
        None, description='Names per language, e.g. {"en": "Hangzhou Cable"}.'
    )
    kind: PartnerKind = Field(description="construction, cableTv or fixedLine.")
    sla_terms: dict[str, Any] | None = Field(
        None, description='Contract SLA terms, e.g. {"installHours": 48}.'
    )
    webhook_url: Text | None = Field(
        None, description="Where the partner's system listens (informative).", max_length=512
    )
    status: Status = Field("active", description="active or inactive.")


class PartnerCompanyUpdate(TmfModel):
    """Changes to a partner company (absent attributes are kept)."""

    name: Text | None = Field(None, description="Name.", min_length=1, max_length=128)
    localized_name: dict[str, Text] | None = Field(None, description="Names per language.")
    kind: PartnerKind | None = Field(None, description="construction, cableTv or fixedLine.")
    sla_terms: dict[str, Any] | None = Field(None, description="Contract SLA terms.")
    webhook_url: Text | None = Field(None, description="Partner system URL.", max_length=512)
    status: Status | None = Field(None, description="active or inactive.")


class SkillCreate(TmfModel):
    """A skill of the catalogue."""

    id: Text = Field(
        description="Skill code, e.g. ftthInstall.",
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z][A-Za-z0-9_]*$",
    )
    name: Text = Field(description="Name.", min_length=1, max_length=128)
    localized_name: dict[str, Text] | None = Field(None, description="Names per language.")
    description: Text | None = Field(None, description="What the skill covers.", max_length=2000)
    status: Status = Field("active", description="active or inactive.")


class SkillUpdate(TmfModel):
    """Changes to a skill."""

    name: Text | None = Field(None, description="Name.", min_length=1, max_length=128)
    localized_name: dict[str, Text] | None = Field(None, description="Names per language.")
    description: Text | None = Field(None, description="What the skill covers.", max_length=2000)
    status: Status | None = Field(None, description="active or inactive.")


class SkillLevel(TmfModel):
    """A technician's level in one skill."""

    skill: Text = Field(description="Skill code.", min_length=1, max_length=64)
    level: int = Field(description="1 (novice) … 5 (expert).", ge=1, le=5)


class WorkingCalendar(TmfModel):
    """A weekly working pattern."""

    work_days: list[int] = Field(
        description="Working weekdays, 0 = Monday … 6 = Sunday.", min_length=0, max_length=7
    )
    shift_start: Text = Field(description="Start of the shift, HH:MM local time.")
    shift_end: Text = Field(description="End of the shift, HH:MM local time.")

    @field_validator("work_days")
    @classmethod
    def _days(cls, value: list[int]) -> list[int]:
        if any(d < 0 or d > 6 for d in value):
            raise ValueError("weekdays are 0 (Monday) … 6 (Sunday)")
        if len(set(value)) != len(value):
            raise ValueError("a weekday is listed twice")
        return sorted(value)

    @model_validator(mode="after")
    def _times(self) -> WorkingCalendar:
        for name in ("shift_start", "shift_end"):
            if not _HHMM.match(getattr(self, name)):
                raise ValueError(f"{name} must be HH:MM")
        if self.shift_end <= self.shift_start:
            raise ValueError("shiftEnd must be after shiftStart")
        return self


class TechnicianCreate(TmfModel):
    """A technician of an own crew (no partnerId) or of a partner company."""

    employee_no: Text = Field(description="Employee number (unique).", min_length=1, max_length=32)
    name: Text = Field(description="Full name.", min_length=1, max_length=128)
    phone: Text | None = Field(None, description="Mobile phone.", max_length=32)
    partner_id: Text | None = Field(
        None, description="Partner company (none: the operator's own).", max_length=64
    )
    region_id: Text | None = Field(None, description="Home region (row scope).", max_length=64)
    service_areas: list[Text] = Field(
        default_factory=list, description="Regions or grids served.", max_length=100
    )
    home_lat: float | None = Field(None, description="Home base latitude.", ge=-90, le=90)
    home_lon: float | None = Field(None, description="Home base longitude.", ge=-180, le=180)
    calendar: WorkingCalendar | None = Field(
        None, description="Weekly working pattern (default Mon–Fri 08:30–17:30)."
    )
    skills: list[SkillLevel] = Field(
        default_factory=list, description="Skills and levels.", max_length=50
    )
    status: Status = Field("active", description="active or inactive.")
    username: Text | None = Field(
        None, description="Console user name of the technician.", max_length=64
    )


class TechnicianUpdate(TmfModel):
    """Changes to a technician (absent attributes are kept; skills replace)."""

    name: Text | None = Field(None, description="Full name.", min_length=1, max_length=128)
    phone: Text | None = Field(None, description="Mobile phone.", max_length=32)
    region_id: Text | None = Field(None, description="Home region.", max_length=64)
    service_areas: list[Text] | None = Field(None, description="Regions or grids.", max_length=100)
    home_lat: float | None = Field(None, description="Home base latitude.", ge=-90, le=90)
    home_lon: float | None = Field(None, description="Home base longitude.", ge=-180, le=180)
    calendar: WorkingCalendar | None = Field(None, description="Weekly working pattern.")
    skills: list[SkillLevel] | None = Field(None, description="Skills and levels.", max_length=50)
    status: Status | None = Field(None, description="active or inactive.")
    username: Text | None = Field(None, description="Console user name.", max_length=64)


class LeaveCreate(TmfModel):
    """An absence, both dates included."""

    start_date: date = Field(description="First day of leave.")
    end_date: date = Field(description="Last day of leave.")
    reason: Text | None = Field(None, description="Why.", max_length=256)

    @model_validator(mode="after")
    def _ordered(self) -> LeaveCreate:
        if self.end_date < self.start_date:
            raise ValueError("endDate is before startDate")
        return self


class TeamCreate(TmfModel):
    """A crew."""

    name: Text = Field(description="Team name.", min_length=1, max_length=128)
    leader_id: Text | None = Field(None, description="Leader (a member).", max_length=36)
    members: list[Text] = Field(default_factory=list, description="Technician ids.", max_length=200)
    region_id: Text | None = Field(None, description="Region of the team.", max_length=64)
    partner_id: Text | None = Field(None, description="Partner company.", max_length=64)


class TeamUpdate(TmfModel):
    """Changes to a team (members replace)."""

    name: Text | None = Field(None, description="Team name.", min_length=1, max_length=128)
    leader_id: Text | None = Field(None, description="Leader (a member).", max_length=36)
    members: list[Text] | None = Field(None, description="Technician ids.", max_length=200)


# --------------------------------------------------------------------------- TMF697


def _dt(value: datetime | None) -> datetime | None:
    return truncate_datetime(value) if value is not None else None


class TimePeriod(TmfModel):
    """TMF ``TimePeriod``."""

    start_date_time: datetime | None = Field(None, description="Start (UTC if no offset).")
    end_date_time: datetime | None = Field(None, description="End (UTC if no offset).")

    @field_validator("start_date_time", "end_date_time")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return _dt(value)

    @model_validator(mode="after")
    def _ordered(self) -> TimePeriod:
        if (
            self.start_date_time
            and self.end_date_time
            and self.end_date_time < self.start_date_time
        ):
            raise ValueError("endDateTime is before startDateTime")
        return self


class RelatedEntity(TmfModel):
    """TMF ``RelatedEntity``: the order the work is for is
    ``{"id": …, "role": "productOrder", "@referredType": "ProductOrder"}``."""

    id: Text = Field(description="Identifier.", min_length=1, max_length=64)
    href: Text | None = Field(None, description="Reference.", max_length=512)
    name: Text | None = Field(None, description="Name.", max_length=256)
    role: Text = Field(description="Role, e.g. productOrder.", min_length=1, max_length=64)
    referred_type: Text = Field(
        alias="@referredType", description="Type, e.g. ProductOrder.", min_length=1, max_length=64
    )


class RelatedParty(TmfModel):
    """TMF ``RelatedParty`` (e.g. the customer, role ``customer``)."""

    id: Text = Field(description="Identifier of the party.", min_length=1, max_length=64)
    href: Text | None = Field(None, description="Reference.", max_length=512)
    name: Text | None = Field(None, description="Name.", max_length=256)
    role: Text | None = Field(None, description="Role, e.g. customer.", max_length=64)
    referred_type: Text = Field(
        alias="@referredType", description="Individual, Organization…", max_length=64
    )
    contact_phone: Text | None = Field(
        None, description="Extension: phone to reach the party on the day.", max_length=32
    )


class AppointmentRef(TmfModel):
    """TMF ``AppointmentRef`` (TMF646)."""

    id: Text = Field(description="Appointment id.", min_length=1, max_length=64)
    href: Text | None = Field(None, description="Reference.", max_length=512)
    description: Text | None = Field(None, description="Explanation.", max_length=512)
    referred_type: Text | None = Field(None, alias="@referredType", description="Appointment.")


class PlaceRef(TmfModel):
    """TMF ``PlaceRefOrValue``: a geographic address of the party domain."""

    id: Text = Field(description="Geographic address id.", min_length=1, max_length=64)
    href: Text | None = Field(None, description="Reference.", max_length=512)
    name: Text | None = Field(None, description="Filled from the address (read only).")
    referred_type: Text | None = Field(
        None, alias="@referredType", description="GeographicAddress."
    )


class Note(TmfModel):
    """TMF ``Note``."""

    id: Text | None = Field(None, description="Identifier.", max_length=64)
    author: Text | None = Field(None, description="Author.", max_length=128)
    date: datetime | None = Field(None, description="When.")
    text: Text = Field(description="Text.", min_length=1, max_length=4000)

    @field_validator("date")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return _dt(value)


class Characteristic(TmfModel):
    """TMF ``Characteristic`` (completion data: ontSerial, dialTestResult, notes…)."""

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


class Attachment(TmfModel):
    """TMF ``AttachmentRefOrValue`` (a photo of the installation, a test report)."""

    id: Text | None = Field(None, description="Identifier.", max_length=64)
    href: Text | None = Field(None, description="Reference.", max_length=512)
    name: Text | None = Field(None, description="Name.", max_length=256)
    attachment_type: Text | None = Field(None, description="photo, report…", max_length=64)
    mime_type: Text | None = Field(None, description="MIME type.", max_length=128)
    url: Text | None = Field(None, description="Where the content is.", max_length=1024)
    description: Text | None = Field(None, description="Description.", max_length=1000)


class WorkOrderItem(TmfModel):
    """TMF ``WorkOrderItem``; ``characteristic`` and ``attachment`` are OpenBOSS
    extensions carrying the completion data."""

    id: Text = Field(description="Item id, e.g. 1.", min_length=1, max_length=32)
    action: Literal["add", "modify", "delete", "noChange"] = Field(
        description="add, modify, delete, noChange."
    )
    state: Text | None = Field(None, description="State of the item (follows the order).")
    description: Text | None = Field(None, description="What to do.", max_length=2000)
    characteristic: list[Characteristic] | None = Field(
        None, description="Extension: data of the item (completion data).", max_length=100
    )
    attachment: list[Attachment] | None = Field(
        None, description="Extension: photos and reports.", max_length=50
    )
    note: Note | None = Field(None, description="Note on the item.")


class RequiredSkill(TmfModel):
    """Extension: a skill the job needs, with the minimum level."""

    skill: Text = Field(description="Skill code.", min_length=1, max_length=64)
    min_level: int = Field(1, description="Minimum level 1–5.", ge=1, le=5)


class Assignee(TmfModel):
    """Extension: the technician doing the job."""

    id: Text = Field(description="Technician id.", min_length=1, max_length=36)
    name: Text | None = Field(None, description="Name (read only).")


class Location(TmfModel):
    """Extension: coordinates of the place (copied from the place directory)."""

    latitude: float | None = Field(None, description="Latitude.")
    longitude: float | None = Field(None, description="Longitude.")


_PRIORITY = Field(
    "3", description="1 (most urgent) … 5; a string as in TMF697.", pattern=r"^[1-5]$"
)


class WorkOrderCreate(TmfModel):
    """The body of ``POST /workOrder``."""

    work_order_kind: WorkKind = Field(
        description="Extension: survey, installation, remoteDialTest, completionAcceptance, "
        "repair, cpeRecovery."
    )
    work_order_item: list[WorkOrderItem] = Field(
        description="What to do (at least one item).", min_length=1, max_length=50
    )
    state: Literal["acknowledged"] | None = Field(
        None, description="A new work order is always acknowledged."
    )
    description: Text | None = Field(None, description="Free text.", max_length=2000)
    category: Text | None = Field(None, description="Business category.", max_length=64)
    external_id: Text | None = Field(None, description="Consumer's id.", max_length=64)
    priority: Text = _PRIORITY
    requested_start_date: datetime | None = Field(None, description="Wished start.")
    requested_completion_date: datetime | None = Field(None, description="Wished completion.")
    expected_completion_date: datetime | None = Field(None, description="Expected completion.")
    appointment: AppointmentRef | None = Field(None, description="Booked appointment.")
    place: PlaceRef | None = Field(None, description="Where the work is (an address id).")
    related_entity: list[RelatedEntity] | None = Field(
        None,
        description="Related entities; the product order with role productOrder.",
        max_length=20,
    )
    related_party: list[RelatedParty] | None = Field(
        None, description="Related parties (customer…).", max_length=20
    )
    note: Note | None = Field(None, description="Note.")
    required_skill: list[RequiredSkill] = Field(
        default_factory=list, description="Extension: skills needed.", max_length=10
    )
    estimated_duration: int = Field(60, description="Extension: minutes on site.", ge=1, le=24 * 60)
    time_window: TimePeriod | None = Field(None, description="Extension: arrival window.")
    sla_deadline: datetime | None = Field(None, description="Extension: SLA deadline.")
    assignee: Assignee | None = Field(None, description="Extension: technician.")
    region_id: Text | None = Field(None, description="Extension: region (row scope).")
    partner_id: Text | None = Field(
        None, description="Extension: executing partner company (row scope)."
    )
    type: Literal["WorkOrder"] | None = Field(None, alias="@type", description="'WorkOrder'.")

    @field_validator(
        "requested_start_date",
        "requested_completion_date",
        "expected_completion_date",
        "sla_deadline",
    )
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return _dt(value)


class WorkOrderUpdate(TmfModel):
    """The body of ``PATCH /workOrder/{id}`` (JSON merge patch)."""

    state: Text | None = Field(None, description="Target TMF697 state.")
    field_state: Text | None = Field(
        None, description="Extension: dispatched, accepted, enRoute, onSite."
    )
    description: Text | None = Field(None, description="Free text.", max_length=2000)
    category: Text | None = Field(None, description="Business category.", max_length=64)
    external_id: Text | None = Field(None, description="Consumer's id.", max_length=64)
    priority: Text | None = Field(None, description="1 … 5.", pattern=r"^[1-5]$")
    requested_start_date: datetime | None = Field(None, description="Wished start.")
    requested_completion_date: datetime | None = Field(None, description="Wished completion.")
    expected_completion_date: datetime | None = Field(None, description="Expected completion.")
    cancellation_reason: Text | None = Field(None, description="Why cancelled.", max_length=512)
    failure_reason: Text | None = Field(
        None, description="Extension: why failed (required to fail).", max_length=512
    )
    appointment: AppointmentRef | None = Field(None, description="Booked appointment.")
    place: PlaceRef | None = Field(None, description="Where the work is.")
    related_entity: list[RelatedEntity] | None = Field(None, description="Related entities.")
    related_party: list[RelatedParty] | None = Field(None, description="Related parties.")
    note: Note | None = Field(None, description="Note.")
    work_order_item: list[WorkOrderItem] | None = Field(None, description="Items (replace).")
    required_skill: list[RequiredSkill] | None = Field(None, description="Skills needed.")
    estimated_duration: int | None = Field(None, description="Minutes.", ge=1, le=24 * 60)
    time_window: TimePeriod | None = Field(None, description="Arrival window.")
    sla_deadline: datetime | None = Field(None, description="SLA deadline.")
    assignee: Assignee | None = Field(None, description="Technician (null: unassign).")
    partner_id: Text | None = Field(None, description="Executing partner company.")
    work_order_kind: WorkKind | None = Field(None, description="Kind of work.")


class WorkOrderChange(WorkOrderUpdate):
    """The writable attributes after a merge patch (validated as a whole)."""

    state: Text = Field(description="TMF697 state.")
    priority: Text = _PRIORITY
    work_order_item: list[WorkOrderItem] = Field(description="Items.", min_length=1, max_length=50)
    work_order_kind: WorkKind = Field(description="Kind of work.")
    estimated_duration: int = Field(description="Minutes.", ge=1, le=24 * 60)


class WorkOrder(WorkOrderCreate):
    """A work order as the API represents it (absent attributes are omitted)."""

    id: Text = Field(description="Identifier.")
    href: Text = Field(description="Absolute URL.")
    state: Text = Field(description="TMF697 state.")  # type: ignore[assignment]
    field_state: Text | None = Field(None, description="Extension: field sub-state.")
    field_state_date: datetime | None = Field(None, description="When fieldState changed.")
    order_date: datetime = Field(description="When the work order was created.")
    start_date: datetime | None = Field(None, description="When work started.")
    completion_date: datetime | None = Field(None, description="When closed.")
    cancellation_date: datetime | None = Field(None, description="When cancelled.")
    cancellation_reason: Text | None = Field(None, description="Why cancelled.")
    failure_reason: Text | None = Field(None, description="Why failed.")
    state_change_date: datetime = Field(description="Last state change.")
    location: Location | None = Field(None, description="Extension: coordinates.")
    last_update: datetime = Field(description="Last change.")
