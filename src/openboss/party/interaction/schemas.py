"""TMF683 shapes of the party interaction (camelCase on the wire, every field
described for OpenAPI) and the shapes of the reason taxonomy API.

Extension attributes of ``PartyInteraction`` (OpenBOSS): ``escalated``
(boolean, an exception flag), ``outcome`` (how the contact ended), ``routedTo``
(the process it was routed to), ``handledBy`` (who logged it), ``closure``
(``closedBy``, ``closedAt``) and ``regionId`` (row scope).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, field_validator

from openboss.kit.tmf.attributes import truncate_datetime
from openboss.kit.tmf.schemas import Text, TmfModel


class TimePeriod(TmfModel):
    """TMF ``TimePeriod`` (stored to the millisecond, UTC)."""

    start_date_time: datetime | None = Field(None, description="Start (UTC if no offset).")
    end_date_time: datetime | None = Field(None, description="End (UTC if no offset).")

    @field_validator("start_date_time", "end_date_time")
    @classmethod
    def _utc_ms(cls, value: datetime | None) -> datetime | None:
        return truncate_datetime(value) if value is not None else None


class RelatedParty(TmfModel):
    """TMF ``RelatedParty``; the contact's customer has role ``customer``."""

    id: Text = Field(description="Identifier of the party.", min_length=1, max_length=64)
    href: Text | None = Field(None, description="Reference of the party.", max_length=512)
    name: Text | None = Field(None, description="Name of the party.", max_length=256)
    role: Text | None = Field(
        None, description="Role played: customer, contact, caller …", max_length=64
    )
    referred_type: Text = Field(
        alias="@referredType",
        description="Type of the party: Customer, Individual, Organization.",
        max_length=64,
    )


class RelatedChannel(TmfModel):
    """TMF ``RelatedChannel``: ``id`` is the channel code (ownHall, partnerHall,
    agent, callCentre, web, wap, sms, email, fax, enterprisePortal)."""

    id: Text = Field(description="Channel code.", min_length=1, max_length=32)
    href: Text | None = Field(None, description="Reference of the channel.", max_length=512)
    name: Text | None = Field(None, description="Name of the channel.", max_length=128)
    role: Text | None = Field(None, description="Role played by the channel.", max_length=64)
    referred_type: Text | None = Field(
        None, alias="@referredType", description="'Channel'.", max_length=64
    )


class Note(TmfModel):
    """TMF ``Note``."""

    id: Text | None = Field(None, description="Identifier of the note.", max_length=64)
    author: Text | None = Field(None, description="Author of the note.", max_length=128)
    date: datetime | None = Field(None, description="When the note was written.")
    text: Text = Field(description="Text of the note.", min_length=1, max_length=4000)

    @field_validator("date")
    @classmethod
    def _utc_ms(cls, value: datetime | None) -> datetime | None:
        return truncate_datetime(value) if value is not None else None


class AttachmentRef(TmfModel):
    """TMF ``AttachmentRefOrValue``, by reference (documents live elsewhere)."""

    id: Text | None = Field(None, description="Identifier of the attachment.", max_length=64)
    href: Text | None = Field(None, description="Reference of the attachment.", max_length=512)
    name: Text | None = Field(None, description="Name of the attachment.", max_length=256)
    description: Text | None = Field(None, description="What it shows.", max_length=1000)
    attachment_type: Text | None = Field(
        None, description="Kind: picture, recording, document.", max_length=64
    )
    mime_type: Text | None = Field(None, description="MIME type.", max_length=128)
    url: Text | None = Field(None, description="Where to fetch it.", max_length=2000)
    referred_type: Text | None = Field(
        None, alias="@referredType", description="Type of the referred attachment.", max_length=64
    )


class InteractionRelationship(TmfModel):
    """TMF ``InteractionRelationship``: a related interaction."""

    id: Text = Field(description="Id of the related interaction.", min_length=1, max_length=64)
    href: Text | None = Field(None, description="Its reference.", max_length=512)
    relationship_type: Text | None = Field(
        None, description="Type of relationship, e.g. followUp.", max_length=64
    )


def _description() -> Any:
    return Field(None, description="Description of the interaction.", max_length=4000)


def _notes() -> Any:
    return Field(None, description="Notes taken during the contact.", max_length=100)


def _attachments() -> Any:
    return Field(None, description="Attachments (references).", max_length=50)


def _channel() -> Any:
    return Field(
        description="Where the interaction took place: exactly one RelatedChannel whose id is "
        "the channel code.",
        min_length=1,
        max_length=1,
    )


class PartyInteractionCreate(TmfModel):
    """The body of ``POST /partyInteraction``.

    ``relatedParty`` with role ``customer`` names the customer (it must exist
    and be in the caller's scope; the contact takes the customer's region); a
    contact without a customer is anonymous and then needs ``regionId``.
    """

    description: Text | None = _description()
    direction: Literal["inbound", "outbound"] = Field(
        "inbound", description="Who started it: inbound (the party) or outbound (the operator)."
    )
    reason: Text = Field(
        description="Code of the reason (the configurable taxonomy).", min_length=1, max_length=64
    )
    status: Literal["open", "inProgress", "completed"] | None = Field(
        None, description="Initial status; default open. 'completed' logs a closed contact."
    )
    channel: list[RelatedChannel] = _channel()
    interaction_date: TimePeriod | None = Field(
        None, description="When it took place; the start defaults to now."
    )
    note: list[Note] | None = _notes()
    attachment: list[AttachmentRef] | None = _attachments()
    related_party: list[RelatedParty] | None = Field(
        None, description="The customer (role customer) and other parties.", max_length=20
    )
    interaction_relationship: list[InteractionRelationship] | None = Field(
        None, description="Related interactions.", max_length=20
    )
    escalated: bool | None = Field(None, description="Escalated (an exception).")
    outcome: Text | None = Field(
        None, description="How the contact ended (with status completed).", max_length=32
    )
    region_id: Text | None = Field(
        None,
        description="Region of an anonymous contact (a customer's contact takes the "
        "customer's region).",
        min_length=1,
        max_length=64,
    )
    type: Literal["PartyInteraction"] | None = Field(
        None, alias="@type", description="'PartyInteraction'."
    )


class PartyInteractionUpdate(TmfModel):
    """The body of ``PATCH /partyInteraction/{id}`` (JSON merge patch)."""

    description: Text | None = _description()
    reason: Text | None = Field(None, description="Reason code.", min_length=1, max_length=64)
    status: Text | None = Field(
        None,
        description="open → inProgress → completed; open/inProgress → cancelled. Completing "
        "sets the end of interactionDate and the closure.",
    )
    channel: list[RelatedChannel] | None = Field(
        None, description="The channel (one RelatedChannel).", min_length=1, max_length=1
    )
    interaction_date: TimePeriod | None = Field(None, description="When it took place.")
    note: list[Note] | None = _notes()
    attachment: list[AttachmentRef] | None = _attachments()
    interaction_relationship: list[InteractionRelationship] | None = Field(
        None, description="Related interactions.", max_length=20
    )
    escalated: bool | None = Field(None, description="Escalated (an exception).")
    outcome: Text | None = Field(None, description="How the contact ended.", max_length=32)


class PartyInteractionChange(TmfModel):
    """The writable attributes after a merge patch (validated as a whole)."""

    description: Text | None = _description()
    reason: Text = Field(description="Reason code.", min_length=1, max_length=64)
    status: Text = Field(description="Status.")
    channel: list[RelatedChannel] = _channel()
    interaction_date: TimePeriod = Field(description="When it took place.")
    note: list[Note] | None = _notes()
    attachment: list[AttachmentRef] | None = _attachments()
    interaction_relationship: list[InteractionRelationship] | None = Field(
        None, description="Related interactions.", max_length=20
    )
    escalated: bool = Field(description="Escalated.")
    outcome: Text | None = Field(None, description="How the contact ended.", max_length=32)


class PartyInteraction(TmfModel):
    """A party interaction as the API represents it (absent attributes omitted)."""

    id: Text = Field(description="Unique identifier.")
    href: Text = Field(description="Absolute URL of this interaction.")
    creation_date: datetime = Field(description="When it was recorded.")
    description: Text | None = _description()
    direction: Text = Field(description="inbound or outbound.")
    reason: Text = Field(description="Reason code.")
    status: Text = Field(description="open, inProgress, completed, cancelled.")
    status_change_date: datetime = Field(description="Last time the status changed.")
    attachment: list[AttachmentRef] | None = _attachments()
    channel: list[RelatedChannel] = Field(description="The channel.")
    interaction_date: TimePeriod = Field(description="When it took place; end set on closure.")
    interaction_item: list[dict[str, Any]] | None = Field(
        None,
        description="What the contact started: items whose 'item' refers to a ProductOrder, "
        "TroubleTicket, CustomerBillEnquiry …",
    )
    interaction_relationship: list[InteractionRelationship] | None = Field(
        None, description="Related interactions."
    )
    note: list[Note] | None = _notes()
    related_party: list[RelatedParty] | None = Field(None, description="Related parties.")
    escalated: bool = Field(description="Extension: escalated (an exception).")
    outcome: Text | None = Field(None, description="Extension: how the contact ended.")
    routed_to: Text | None = Field(None, description="Extension: process it was routed to.")
    handled_by: Text | None = Field(None, description="Extension: who logged it.")
    closure: dict[str, Any] | None = Field(
        None, description="Extension: closedBy and closedAt of a completed or cancelled contact."
    )
    region_id: Text | None = Field(None, description="Region (row scope).")
    last_update: datetime = Field(description="When it last changed.")
    type: Text = Field("PartyInteraction", alias="@type", description="'PartyInteraction'.")


# ---- routing and closure (OpenBOSS task endpoints) ----------------------------------


class RouteRequest(TmfModel):
    """The body of ``POST /api/party/v1/partyInteraction/{id}/route``."""

    target_type: Text | None = Field(
        None, description="Route target; default: the reason's routesTo.", max_length=32
    )
    target_id: Text | None = Field(
        None, description="Id of an existing object to link (e.g. a product order).", max_length=64
    )


class CloseRequest(TmfModel):
    """The body of ``POST /api/party/v1/partyInteraction/{id}/close``."""

    outcome: Text = Field(description="How the contact ended.", min_length=1, max_length=32)
    note: Text | None = Field(None, description="Closing note.", max_length=4000)


class CancelRequest(TmfModel):
    """The body of ``POST /api/party/v1/partyInteraction/{id}/cancel``."""

    note: Text | None = Field(None, description="Why it was cancelled.", max_length=4000)


# ---- reasons --------------------------------------------------------------------


class ReasonCreate(TmfModel):
    """The body of ``POST /api/party/v1/interactionReasons``."""

    code: Text = Field(
        description="Stable code, e.g. fault.slow.",
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z][A-Za-z0-9._-]*$",
    )
    name: Text = Field(description="Name (Chinese).", min_length=1, max_length=128)
    name_en: Text | None = Field(None, description="Name (English).", max_length=128)
    parent_code: Text | None = Field(None, description="Parent reason code.", max_length=64)
    routes_to: Text | None = Field(
        None,
        description="Process a contact with this reason starts: order, complaint, fault, "
        "billEnquiry, retention, information (default: the parent's).",
        max_length=32,
    )
    active: bool = Field(True, description="Offered for new contacts.")
    sort_order: int = Field(0, description="Display order among siblings.", ge=0, le=1_000_000)


class ReasonUpdate(TmfModel):
    """The body of ``PATCH /api/party/v1/interactionReasons/{code}`` (merge patch)."""

    name: Text | None = Field(None, description="Name (Chinese).", min_length=1, max_length=128)
    name_en: Text | None = Field(None, description="Name (English).", max_length=128)
    parent_code: Text | None = Field(None, description="Parent reason code.", max_length=64)
    routes_to: Text | None = Field(None, description="Route target.", max_length=32)
    active: bool | None = Field(None, description="Offered for new contacts.")
    sort_order: int | None = Field(None, description="Display order.", ge=0, le=1_000_000)


class Reason(TmfModel):
    """A reason of the taxonomy, with its children."""

    code: Text = Field(description="Code.")
    parent_code: Text | None = Field(None, description="Parent code.")
    name: Text = Field(description="Name (Chinese).")
    name_en: Text | None = Field(None, description="Name (English).")
    routes_to: Text | None = Field(None, description="Own route target.")
    effective_route: Text | None = Field(None, description="Route target, inherited if unset.")
    active: bool = Field(description="Offered for new contacts.")
    sort_order: int = Field(description="Display order.")
    children: list[Reason] = Field(default_factory=list, description="Child reasons.")
