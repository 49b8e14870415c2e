"""TMF shapes of parties (TMF632 v4 ``Individual``, ``Organization``) and
customers (TMF629 v4 ``Customer``), camelCase on the wire.

Reads are rendered by the database from the resource declarations in
:mod:`openboss.party.customer.models`; the read models here document them.

Customer extensions (TMF629 v4 has no such attributes; they are plain
attributes of the representation and also mirrored as ``characteristic``
entries of the same name):

* ``customerType`` — ``household`` (家庭), ``individual``, ``enterprise``,
  ``government``; filter ``?customerType=household``.
* ``grade`` — ``vipGold``, ``vipSilver``, ``regular``.
* ``segment`` — free marketing segment, e.g. ``youth``, ``sme``.
* ``place`` — addresses of the customer, as in the ``RelatedPlaceRef`` of
  other TMF APIs: ``[{"id": <TMF673 geographicAddress id>, "role":
  "installation"|"billing"|"contact", "@referredType": "GeographicAddress"}]``.
* ``regionId`` — the region owning the customer (row scope).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from openboss.kit.tmf.attributes import truncate_datetime
from openboss.kit.tmf.schemas import Text, TmfModel, json_value

CUSTOMER_TYPES = ("household", "individual", "enterprise", "government")
GRADES = ("vipGold", "vipSilver", "regular")
ADDRESS_ROLES = ("installation", "billing", "contact")
#: Roles of the parties related to a customer.
CUSTOMER_PARTY_ROLES = (
    "contact",
    "legalRepresentative",
    "technicalContact",
    "billingContact",
    "householder",
    "householdMember",
)


class TimePeriod(TmfModel):
    """TMF ``TimePeriod``; an open end means "no limit"."""

    start_date_time: datetime | None = Field(None, description="Start of the period.")
    end_date_time: datetime | None = Field(None, description="End of the period.")

    @field_validator("start_date_time", "end_date_time")
    @classmethod
    def _utc_ms(cls, value: datetime | None) -> datetime | None:
        return truncate_datetime(value) if value is not None else None

    @model_validator(mode="after")
    def _ordered(self) -> TimePeriod:
        if (
            self.start_date_time
            and self.end_date_time
            and self.end_date_time < self.start_date_time
        ):
            raise ValueError("endDateTime is before startDateTime")
        return self


class MediumCharacteristic(TmfModel):
    """TMF ``MediumCharacteristic``: the phone, e-mail or postal details."""

    contact_type: Text | None = Field(None, description="e.g. mobile, home, work.", max_length=64)
    phone_number: Text | None = Field(
        None, description="Phone number; stored in E.164 (+8613800138000).", max_length=64
    )
    fax_number: Text | None = Field(None, description="Fax number (E.164).", max_length=64)
    email_address: Text | None = Field(None, description="E-mail address.", max_length=320)
    social_network_id: Text | None = Field(None, description="Social network id.", max_length=128)
    country: Text | None = Field(None, description="Country.", max_length=64)
    state_or_province: Text | None = Field(None, description="Province.", max_length=64)
    city: Text | None = Field(None, description="City.", max_length=64)
    post_code: Text | None = Field(None, description="Postcode.", max_length=16)
    street1: Text | None = Field(None, description="Street, first line.", max_length=256)
    street2: Text | None = Field(None, description="Street, second line.", max_length=256)


class ContactMedium(TmfModel):
    """TMF ``ContactMedium``: how to reach the party."""

    medium_type: Text = Field(
        description="phone, email, fax, postalAddress…", min_length=1, max_length=32
    )
    preferred: bool | None = Field(None, description="The preferred medium.")
    characteristic: MediumCharacteristic = Field(description="The details.")
    valid_for: TimePeriod | None = Field(None, description="When the medium may be used.")


class Identification(TmfModel):
    """TMF ``IndividualIdentification`` / ``OrganizationIdentification``."""

    identification_id: Text = Field(description="The document number.", min_length=1, max_length=64)
    identification_type: Text = Field(
        description="residentIdCard, passport (individuals), unifiedSocialCreditCode "
        "(organisations); other types are kept as free text.",
        min_length=1,
        max_length=64,
    )
    issuing_authority: Text | None = Field(
        None,
        description="Issuer; for a passport the ISO 3166-1 alpha-3 code of the issuing country.",
        max_length=128,
    )
    issuing_date: datetime | None = Field(None, description="When the document was issued.")
    valid_for: TimePeriod | None = Field(None, description="Validity of the document.")

    @field_validator("issuing_date")
    @classmethod
    def _utc_ms(cls, value: datetime | None) -> datetime | None:
        return truncate_datetime(value) if value is not None else None


class ExternalReference(TmfModel):
    """TMF ``ExternalReference``: the party's id in another system."""

    external_reference_type: Text | None = Field(
        None, description="Kind of reference, e.g. legacyCrm.", max_length=64
    )
    name: Text = Field(description="The reference, e.g. DEMO-HH-1.", min_length=1, max_length=128)


class Characteristic(TmfModel):
    """TMF ``Characteristic``: a named value."""

    name: Text = Field(description="Name.", min_length=1, max_length=128)
    value_type: Text | None = Field(None, description="Type of the value.", max_length=32)
    value: Any = Field(description="The value.")

    @field_validator("value")
    @classmethod
    def _present(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("value is required")
        return json_value(value)


class RelatedParty(TmfModel):
    """TMF ``RelatedParty``."""

    id: Text = Field(description="Identifier of the party.", min_length=1, max_length=64)
    href: Text | None = Field(None, description="Reference of the party.", max_length=512)
    name: Text | None = Field(None, description="Name of the party.", max_length=256)
    role: Text | None = Field(None, description="Role played.", max_length=64)
    referred_type: Text = Field(
        alias="@referredType", description="Individual or Organization.", max_length=64
    )


class EngagedParty(TmfModel):
    """The party a customer is (TMF629 ``engagedParty``)."""

    id: Text = Field(description="Identifier of the party.", min_length=1, max_length=64)
    href: Text | None = Field(None, description="Reference of the party.", max_length=512)
    name: Text | None = Field(None, description="Name (filled from the party).", max_length=256)
    referred_type: Literal["Individual", "Organization"] = Field(
        alias="@referredType", description="Individual or Organization."
    )


class PlaceRef(TmfModel):
    """An address of the customer (extension ``place``)."""

    id: Text = Field(
        description="Identifier of a TMF673 geographic address.", min_length=1, max_length=64
    )
    role: Literal["installation", "billing", "contact"] = Field(
        description="installation, billing or contact."
    )
    referred_type: Literal["GeographicAddress"] = Field(
        "GeographicAddress", alias="@referredType", description="GeographicAddress."
    )


def _list(description: str) -> Any:
    return Field(None, description=description, max_length=50)


class _PartyCommon(TmfModel):
    status: Text | None = Field(None, description="Lifecycle status.", max_length=32)
    contact_medium: list[ContactMedium] | None = _list("How to reach the party.")
    external_reference: list[ExternalReference] | None = _list("Ids in other systems.")
    party_characteristic: list[Characteristic] | None = _list("Characteristics of the party.")
    related_party: list[RelatedParty] | None = _list("Related parties.")


class IndividualCreate(_PartyCommon):
    """The body of ``POST /individual`` (and the shape a PATCH must leave)."""

    given_name: Text = Field(description="Given name, e.g. 小明.", min_length=1, max_length=128)
    family_name: Text = Field(description="Family name, e.g. 王.", min_length=1, max_length=128)
    middle_name: Text | None = Field(None, description="Middle name.", max_length=128)
    legal_name: Text | None = Field(None, description="Legal name.", max_length=256)
    title: Text | None = Field(None, description="Title, e.g. Dr.", max_length=64)
    gender: Literal["male", "female", "other", "unknown"] | None = Field(
        None, description="Gender; derived from a resident ID when one is given."
    )
    birth_date: date | None = Field(
        None, description="Birth date; derived from a resident ID when one is given."
    )
    nationality: Text | None = Field(None, description="Nationality.", max_length=64)
    marital_status: Text | None = Field(None, description="Marital status.", max_length=32)
    individual_identification: list[Identification] | None = _list("Identity documents.")
    type: Literal["Individual"] | None = Field(None, alias="@type", description="Individual.")


class OrganizationCreate(_PartyCommon):
    """The body of ``POST /organization`` (and the shape a PATCH must leave)."""

    trading_name: Text = Field(
        description="Name the organisation trades under.", min_length=1, max_length=256
    )
    name: Text | None = Field(None, description="Registered name.", max_length=256)
    name_type: Text | None = Field(None, description="Kind of name, e.g. Ltd.", max_length=64)
    organization_type: Text | None = Field(
        None, description="e.g. company, government, school.", max_length=64
    )
    is_legal_entity: bool | None = Field(None, description="Is a legal entity.")
    is_head_office: bool | None = Field(None, description="Is the head office.")
    organization_identification: list[Identification] | None = _list("Registration documents.")
    type: Literal["Organization"] | None = Field(None, alias="@type", description="Organization.")


class CustomerCreate(TmfModel):
    """The body of ``POST /customer`` (and the shape a PATCH must leave)."""

    name: Text = Field(description="Name of the customer.", min_length=1, max_length=256)
    status: Text | None = Field(
        None,
        description="prospect (default), active, suspended, closed.",
        max_length=32,
    )
    status_reason: Text | None = Field(None, description="Why the status.", max_length=512)
    engaged_party: EngagedParty = Field(description="The party that is the customer.")
    customer_type: Literal["household", "individual", "enterprise", "government"] | None = Field(
        None,
        description="Extension: household, individual, enterprise or government (default: "
        "individual for a person, enterprise for an organisation).",
    )
    grade: Literal["vipGold", "vipSilver", "regular"] | None = Field(
        None, description="Extension: vipGold, vipSilver, regular."
    )
    segment: Text | None = Field(
        None, description="Extension: marketing segment.", min_length=1, max_length=64
    )
    contact_medium: list[ContactMedium] | None = _list("How to reach the customer.")
    related_party: list[RelatedParty] | None = _list(
        "Related individuals/organisations and their role: " + ", ".join(CUSTOMER_PARTY_ROLES)
    )
    characteristic: list[Characteristic] | None = _list("Characteristics.")
    place: list[PlaceRef] | None = _list("Extension: installation / billing / contact addresses.")
    valid_for: TimePeriod | None = Field(None, description="When the customer is valid.")
    region_id: Text | None = Field(
        None,
        description="Region owning the customer; required unless you work in one region.",
        min_length=1,
        max_length=64,
    )
    type: Literal["Customer"] | None = Field(None, alias="@type", description="Customer.")


class CustomerUpdate(TmfModel):
    """The body of ``PATCH /customer/{id}`` (JSON merge patch; documentation)."""

    name: Text | None = Field(None, description="Name.", min_length=1, max_length=256)
    status: Text | None = Field(None, description="Target status.", max_length=32)
    status_reason: Text | None = Field(None, description="Why the status.", max_length=512)
    customer_type: Text | None = Field(None, description="Extension: customer type.")
    grade: Text | None = Field(None, description="Extension: grade.")
    segment: Text | None = Field(None, description="Extension: segment.")
    contact_medium: list[ContactMedium] | None = _list("How to reach the customer.")
    related_party: list[RelatedParty] | None = _list("Related parties.")
    characteristic: list[Characteristic] | None = _list("Characteristics.")
    place: list[PlaceRef] | None = _list("Addresses.")
    valid_for: TimePeriod | None = Field(None, description="When the customer is valid.")


class Customer(CustomerCreate):
    """A customer as the API represents it."""

    id: Text = Field(description="Unique identifier.")
    href: Text = Field(description="Absolute URL.")
    account: list[dict[str, Any]] | None = Field(None, description="Billing accounts (refs).")
    creation_date: datetime = Field(description="Created.")
    last_update: datetime = Field(description="Last changed.")


class Individual(IndividualCreate):
    """An individual as the API represents it."""

    id: Text = Field(description="Unique identifier.")
    href: Text = Field(description="Absolute URL.")
    full_name: Text = Field(description="Family name + given name (no space for CJK).")
    formatted_name: Text = Field(description="The name as displayed.")
    creation_date: datetime = Field(description="Created.")
    last_update: datetime = Field(description="Last changed.")


class Organization(OrganizationCreate):
    """An organization as the API represents it."""

    id: Text = Field(description="Unique identifier.")
    href: Text = Field(description="Absolute URL.")
    creation_date: datetime = Field(description="Created.")
    last_update: datetime = Field(description="Last changed.")


class BlacklistAdd(TmfModel):
    """The body of ``POST /api/party/v1/blacklist``: a party or a document."""

    party_id: Text | None = Field(None, description="Party to list.", max_length=64)
    document_type: Text | None = Field(
        None, description="Document type (residentIdCard, passport…).", max_length=64
    )
    document_number: Text | None = Field(None, description="Document number.", max_length=128)
    issuing_authority: Text | None = Field(
        None, description="Passport issuing country (alpha-3).", max_length=8
    )
    reason: Text = Field(description="Why the party is refused.", min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _something(self) -> BlacklistAdd:
        if not self.party_id and not (self.document_type and self.document_number):
            raise ValueError("give partyId, or documentType and documentNumber")
        return self


class BlacklistLift(TmfModel):
    """The body of ``POST /api/party/v1/blacklist/{id}/lift``."""

    reason: Text = Field(description="Why the entry is lifted.", min_length=1, max_length=1000)


class BlacklistEntry(TmfModel):
    """A blacklist entry."""

    id: str = Field(description="Identifier.")
    party_id: str | None = Field(None, description="Listed party.")
    party_kind: str | None = Field(None, description="individual or organization.")
    document_type: str | None = Field(None, description="Listed document type.")
    document_number: str | None = Field(None, description="Listed document number.")
    reason: str = Field(description="Reason.")
    listed_by: str = Field(description="Who listed.")
    listed_at: datetime = Field(description="When listed.")
    lifted_at: datetime | None = Field(None, description="When lifted.")
    lifted_by: str | None = Field(None, description="Who lifted.")
    lift_reason: str | None = Field(None, description="Why lifted.")
    active: bool = Field(description="Not lifted.")
