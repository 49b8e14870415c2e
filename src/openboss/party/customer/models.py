"""Tables of parties (TMF632 ``individual``, ``organization``) and customers
(TMF629 ``customer``), with their side tables — eTOM 1.1.1.2 customer
interface management, 1.1.1.3 customer information management.

* ``individual`` / ``organization``: the parties. Their identity documents and
  contact media are JSON arrays in the representation; the values people look
  a party up by are copied, normalised, into indexed side tables:
  ``party_identification_key`` (one row per document, UNIQUE by type and
  number: the duplicate check) and ``party_contact_key`` (phones in E.164,
  e-mails lower-cased).
* ``customer``: a party engaged with the operator (region scoped). Type, grade
  and segment are real columns (filters, search) and are also rendered as
  ``characteristic`` entries. ``search_name`` is the name folded for prefix
  search (``text_pattern_ops`` btree on PostgreSQL).
* ``customer_address``: the installation / billing / contact addresses of a
  customer (ids of TMF673 geographic addresses).
* ``party_blacklist``: parties (or bare documents) the operator refuses to serve.

Parties are not region scoped: one person is one party in the whole operator
(the duplicate check needs that). Customers are.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openboss.db.base import Base
from openboss.db.types import JSONDoc, UTCDateTime
from openboss.kit.scope import RegionScoped
from openboss.kit.tmf.attributes import ColumnAttr, JsonAttr, Kind
from openboss.kit.tmf.resource import TmfResource

PARTY_BASE_PATH = "/tmf-api/party/v4"
#: The folded name of a customer: "C" collation on PostgreSQL (prefix LIKE and
#: ORDER BY on one index); SQLite compares bytes anyway.
SEARCH_NAME_TYPE = String(256).with_variant(String(256, collation="C"), "postgresql")
CUSTOMER_BASE_PATH = "/tmf-api/customerManagement/v4"

_CONTACT_KEYS = frozenset({"mediumType", "preferred", "characteristic", "validFor", "@type"})
_IDENT_KEYS = frozenset(
    {
        "identificationId",
        "identificationType",
        "issuingAuthority",
        "issuingDate",
        "validFor",
        "@type",
    }
)
_EXTREF_KEYS = frozenset({"externalReferenceType", "name", "@type"})
_CHAR_KEYS = frozenset({"name", "valueType", "value", "@type"})
_RELPARTY_KEYS = frozenset({"id", "href", "name", "role", "@referredType", "@type"})


def _gin(table: str, column: str) -> Index:
    """GIN ``jsonb_path_ops`` on PostgreSQL for jsonpath filters; a plain index on SQLite."""
    return Index(
        f"ix_{table}_{column}_gin",
        column,
        postgresql_using="gin",
        postgresql_ops={column: "jsonb_path_ops"},
    )


class Individual(Base):
    """A person (TMF632 ``Individual``)."""

    __tablename__ = "individual"
    __audited__ = True
    __audit_exclude__ = frozenset({"doc"})
    __table_args__ = (
        Index("ix_individual_search_name_id", "search_name", "id"),
        _gin("individual", "external_reference"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    status: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    given_name: Mapped[str] = mapped_column(String(128), nullable=False)
    family_name: Mapped[str] = mapped_column(String(128), nullable=False)
    middle_name: Mapped[str | None] = mapped_column(String(128), nullable=True)
    full_name: Mapped[str] = mapped_column(String(256), nullable=False)
    formatted_name: Mapped[str] = mapped_column(String(256), nullable=False)
    legal_name: Mapped[str | None] = mapped_column(String(256), nullable=True)
    title: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: full name folded (NFKC, casefold) for prefix search
    search_name: Mapped[str] = mapped_column(String(256), nullable=False)
    gender: Mapped[str | None] = mapped_column(String(16), nullable=True)
    #: a calendar date ``YYYY-MM-DD`` (not an instant)
    birth_date: Mapped[str | None] = mapped_column(String(10), nullable=True)
    nationality: Mapped[str | None] = mapped_column(String(64), nullable=True)
    marital_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    contact_medium: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    individual_identification: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSONDoc, nullable=True
    )
    external_reference: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    party_characteristic: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSONDoc, nullable=True
    )
    related_party: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    doc: Mapped[str] = mapped_column(Text, nullable=False)


class Organization(Base):
    """A company, public body or other organisation (TMF632 ``Organization``)."""

    __tablename__ = "organization"
    __audited__ = True
    __audit_exclude__ = frozenset({"doc"})
    __table_args__ = (
        Index("ix_organization_search_name_id", "search_name", "id"),
        _gin("organization", "external_reference"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    status: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    trading_name: Mapped[str] = mapped_column(String(256), nullable=False)
    name: Mapped[str | None] = mapped_column(String(256), nullable=True)
    name_type: Mapped[str | None] = mapped_column(String(64), nullable=True)
    organization_type: Mapped[str | None] = mapped_column(String(64), nullable=True)
    is_legal_entity: Mapped[bool | None] = mapped_column(nullable=True)
    is_head_office: Mapped[bool | None] = mapped_column(nullable=True)
    search_name: Mapped[str] = mapped_column(String(256), nullable=False)
    contact_medium: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    organization_identification: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSONDoc, nullable=True
    )
    external_reference: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    party_characteristic: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSONDoc, nullable=True
    )
    related_party: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    doc: Mapped[str] = mapped_column(Text, nullable=False)


class PartyIdentificationKey(Base):
    """One identity document of one party, normalised: the duplicate check.

    ``id_type`` is the TMF ``identificationType`` (``residentIdCard``,
    ``passport``, ``unifiedSocialCreditCode``…); a passport's number is
    prefixed with its issuing country (``CHN:E12345678``).
    """

    __tablename__ = "party_identification_key"
    __table_args__ = (UniqueConstraint("id_type", "id_number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    id_type: Mapped[str] = mapped_column(String(64), nullable=False)
    id_number: Mapped[str] = mapped_column(String(128), nullable=False, index=True)
    party_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    party_kind: Mapped[str] = mapped_column(String(16), nullable=False)


class PartyContactKey(Base):
    """A searchable contact value of a party: ``phone`` (E.164) or ``email``."""

    __tablename__ = "party_contact_key"
    __table_args__ = (Index("ix_party_contact_key_kind_value", "kind", "value"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    value: Mapped[str] = mapped_column(String(320), nullable=False)
    party_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    party_kind: Mapped[str] = mapped_column(String(16), nullable=False)


class Customer(RegionScoped, Base):
    """A party engaged with the operator (TMF629 ``Customer``)."""

    __tablename__ = "customer"
    __audited__ = True
    __audit_exclude__ = frozenset({"doc"})
    __table_args__ = (
        Index("ix_customer_status_created", "status", "created_at"),
        # name prefix search: ``search_name`` has the "C" collation on
        # PostgreSQL, so one btree serves both LIKE 'x%' and ORDER BY (a
        # text_pattern_ops index could not give the order)
        Index("ix_customer_search_name_id", "search_name", "id"),
        Index("ix_customer_region_search_name", "region_id", "search_name"),
        _gin("customer", "related_party"),
        _gin("customer", "characteristic"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(256), nullable=False)
    #: the name folded (NFKC, casefold) for prefix search; byte order ("C")
    search_name: Mapped[str] = mapped_column(SEARCH_NAME_TYPE, nullable=False)
    status: Mapped[str] = mapped_column(String(32), nullable=False)
    status_reason: Mapped[str | None] = mapped_column(String(512), nullable=True)
    customer_type: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    grade: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    segment: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    engaged_party_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    engaged_party_type: Mapped[str] = mapped_column(String(16), nullable=False)
    engaged_party_name: Mapped[str | None] = mapped_column(String(256), nullable=True)
    contact_medium: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    related_party: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    characteristic: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    account: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    place: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    doc: Mapped[str] = mapped_column(Text, nullable=False)


class CustomerAddress(Base):
    """An address of a customer and its role (installation, billing, contact)."""

    __tablename__ = "customer_address"
    __table_args__ = (UniqueConstraint("customer_id", "address_id", "role"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    customer_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("customer.id", ondelete="CASCADE"), nullable=False, index=True
    )
    address_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    role: Mapped[str] = mapped_column(String(32), nullable=False)


class PartyBlacklist(Base):
    """A party, or a bare document number, the operator refuses to serve.

    An entry is current until lifted (``lifted_at`` set); lifted entries stay
    as history.
    """

    __tablename__ = "party_blacklist"
    __audited__ = True
    __table_args__ = (Index("ix_party_blacklist_document", "document_type", "document_number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    party_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    party_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    document_type: Mapped[str | None] = mapped_column(String(64), nullable=True)
    document_number: Mapped[str | None] = mapped_column(String(128), nullable=True)
    reason: Mapped[str] = mapped_column(String(1000), nullable=False)
    listed_by: Mapped[str] = mapped_column(String(128), nullable=False)
    listed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    lifted_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    lift_reason: Mapped[str | None] = mapped_column(String(1000), nullable=True)


# --------------------------------------------------------------------------- TMF resources

_i = Individual.__table__.c
_o = Organization.__table__.c
_c = Customer.__table__.c

INDIVIDUAL = TmfResource(
    name="individual",
    type_name="Individual",
    base_type="Party",
    base_path=PARTY_BASE_PATH,
    path="/individual",
    table=Individual.__table__,
    id_column=_i.id,
    document_column=_i.doc,
    attrs=(
        ColumnAttr("status", column=_i.status),
        ColumnAttr("givenName", column=_i.given_name),
        ColumnAttr("familyName", column=_i.family_name),
        ColumnAttr("middleName", column=_i.middle_name),
        ColumnAttr("fullName", column=_i.full_name),
        ColumnAttr("formattedName", column=_i.formatted_name),
        ColumnAttr("legalName", column=_i.legal_name),
        ColumnAttr("title", column=_i.title),
        ColumnAttr("gender", column=_i.gender),
        ColumnAttr("birthDate", column=_i.birth_date),
        ColumnAttr("nationality", column=_i.nationality),
        ColumnAttr("maritalStatus", column=_i.marital_status),
        JsonAttr("contactMedium", column=_i.contact_medium, keys=_CONTACT_KEYS),
        JsonAttr("individualIdentification", column=_i.individual_identification, keys=_IDENT_KEYS),
        JsonAttr("externalReference", column=_i.external_reference, keys=_EXTREF_KEYS),
        JsonAttr("partyCharacteristic", column=_i.party_characteristic, keys=_CHAR_KEYS),
        JsonAttr("relatedParty", column=_i.related_party, keys=_RELPARTY_KEYS),
        ColumnAttr("creationDate", column=_i.created_at, kind=Kind.DATETIME, read_only=True),
        ColumnAttr("lastUpdate", column=_i.updated_at, kind=Kind.DATETIME, read_only=True),
    ),
    # derived from the names, the resident ID: not written by clients
    extra_read_only=frozenset({"fullName", "formattedName"}),
    versioned_count=True,
)
INDIVIDUAL.keep_document(Individual)

ORGANIZATION = TmfResource(
    name="organization",
    type_name="Organization",
    base_type="Party",
    base_path=PARTY_BASE_PATH,
    path="/organization",
    table=Organization.__table__,
    id_column=_o.id,
    document_column=_o.doc,
    attrs=(
        ColumnAttr("status", column=_o.status),
        ColumnAttr("tradingName", column=_o.trading_name),
        ColumnAttr("name", column=_o.name),
        ColumnAttr("nameType", column=_o.name_type),
        ColumnAttr("organizationType", column=_o.organization_type),
        ColumnAttr("isLegalEntity", column=_o.is_legal_entity, kind=Kind.BOOLEAN),
        ColumnAttr("isHeadOffice", column=_o.is_head_office, kind=Kind.BOOLEAN),
        JsonAttr("contactMedium", column=_o.contact_medium, keys=_CONTACT_KEYS),
        JsonAttr(
            "organizationIdentification",
            column=_o.organization_identification,
            keys=_IDENT_KEYS,
        ),
        JsonAttr("externalReference", column=_o.external_reference, keys=_EXTREF_KEYS),
        JsonAttr("partyCharacteristic", column=_o.party_characteristic, keys=_CHAR_KEYS),
        JsonAttr("relatedParty", column=_o.related_party, keys=_RELPARTY_KEYS),
        ColumnAttr("creationDate", column=_o.created_at, kind=Kind.DATETIME, read_only=True),
        ColumnAttr("lastUpdate", column=_o.updated_at, kind=Kind.DATETIME, read_only=True),
    ),
    versioned_count=True,
)
ORGANIZATION.keep_document(Organization)

CUSTOMER = TmfResource(
    name="customer",
    type_name="Customer",
    base_type="PartyRole",
    base_path=CUSTOMER_BASE_PATH,
    path="/customer",
    table=Customer.__table__,
    id_column=_c.id,
    document_column=_c.doc,
    attrs=(
        ColumnAttr("name", column=_c.name),
        ColumnAttr("status", column=_c.status),
        ColumnAttr("statusReason", column=_c.status_reason, sortable=False),
        # extensions (documented in the API description): real columns
        ColumnAttr("customerType", column=_c.customer_type),
        ColumnAttr("grade", column=_c.grade),
        ColumnAttr("segment", column=_c.segment),
        ColumnAttr("engagedParty.id", column=_c.engaged_party_id),
        ColumnAttr("engagedParty.@referredType", column=_c.engaged_party_type),
        ColumnAttr("engagedParty.name", column=_c.engaged_party_name),
        JsonAttr("contactMedium", column=_c.contact_medium, keys=_CONTACT_KEYS),
        JsonAttr("relatedParty", column=_c.related_party, keys=_RELPARTY_KEYS),
        JsonAttr("characteristic", column=_c.characteristic, keys=_CHAR_KEYS),
        JsonAttr(
            "account",
            column=_c.account,
            keys=frozenset({"id", "href", "name", "description", "@referredType"}),
        ),
        JsonAttr("place", column=_c.place, keys=frozenset({"id", "role", "@referredType"})),
        ColumnAttr("validFor.startDateTime", column=_c.valid_from, kind=Kind.DATETIME),
        ColumnAttr("validFor.endDateTime", column=_c.valid_to, kind=Kind.DATETIME),
        ColumnAttr("regionId", column=_c.region_id),
        ColumnAttr("creationDate", column=_c.created_at, kind=Kind.DATETIME, read_only=True),
        ColumnAttr("lastUpdate", column=_c.updated_at, kind=Kind.DATETIME, read_only=True),
    ),
    extra_read_only=frozenset({"regionId", "account", "engagedParty"}),
    versioned_count=True,
)
CUSTOMER.keep_document(Customer)
