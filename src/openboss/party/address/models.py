"""Tables of addresses and sites, and their TMF representations.

eTOM 1.1.1.2 customer interface management (address capture) and the
site side of 1.5.x resource management (buildings resources attach to).

* ``geographic_site`` — a building (``翠苑一区 3幢``): its structured Chinese
  address, WGS84 coordinates, the region (district or grid) it lies in, a
  lifecycle (planned → active → retired) and a normalised key (UNIQUE) so one
  building is entered once. Exposed TMF674-style (Geographic Site
  Management v4). The resource domain references ``geographic_site.id``.
* ``geographic_address`` — an address at a site, down to unit (单元), floor
  and room (室); the site's parts are copied into it (kept in step by the
  service) so that its TMF673 representation and filters read one row.
* ``geographic_address_validation`` — TMF673 address validation requests
  and their answers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openboss.db.base import Base
from openboss.db.types import JSONDoc, UTCDateTime
from openboss.kit.scope import RegionScoped
from openboss.kit.tmf.attributes import ColumnAttr, ConstAttr, JsonAttr, Kind
from openboss.kit.tmf.resource import TmfResource

SITE_BASE_PATH = "/tmf-api/geographicSiteManagement/v4"
ADDRESS_BASE_PATH = "/tmf-api/geographicAddressManagement/v4"

SITE_STATUSES = ("planned", "active", "retired")


class GeographicSite(RegionScoped, Base):
    """A building: where it stands (province … road and street number,
    compound) and which building it is there. ``norm_key`` is the normalised
    identity (:func:`openboss.party.address.normalise.site_key`);
    ``search_text`` the normalised one-line address, searched by any part."""

    __tablename__ = "geographic_site"
    __audited__ = True
    __audit_exclude__ = frozenset({"doc", "search_text"})
    __table_args__ = (
        CheckConstraint("status IN ('planned', 'active', 'retired')", name="status"),
        CheckConstraint("latitude IS NULL OR (latitude >= -90 AND latitude <= 90)", name="lat"),
        CheckConstraint(
            "longitude IS NULL OR (longitude >= -180 AND longitude <= 180)", name="lon"
        ),
        Index("ix_geographic_site_name_id", "name", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(256), nullable=False)
    code: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    province: Mapped[str] = mapped_column(String(64), nullable=False)
    city: Mapped[str] = mapped_column(String(64), nullable=False)
    district: Mapped[str] = mapped_column(String(64), nullable=False)
    street: Mapped[str | None] = mapped_column(String(64), nullable=True)
    road: Mapped[str | None] = mapped_column(String(128), nullable=True)
    road_number: Mapped[str | None] = mapped_column(String(32), nullable=True)
    compound: Mapped[str | None] = mapped_column(String(128), nullable=True)
    building: Mapped[str | None] = mapped_column(String(64), nullable=True)
    postcode: Mapped[str | None] = mapped_column(String(16), nullable=True)
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    #: ``[{"id": <the building's own address>, "@referredType": "GeographicAddress"}]``
    place: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    norm_key: Mapped[str] = mapped_column(String(512), nullable=False, unique=True)
    search_text: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    doc: Mapped[str] = mapped_column(Text, nullable=False)


class GeographicAddress(RegionScoped, Base):
    """An address at a site: the building itself (no unit, no room) or a unit,
    floor and room in it. The site's parts are denormalised here."""

    __tablename__ = "geographic_address"
    __audited__ = True
    __audit_exclude__ = frozenset({"doc", "search_text"})
    __table_args__ = (Index("ix_geographic_address_city_locality", "city", "district"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    site_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("geographic_site.id"), nullable=False, index=True
    )
    name: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    unit: Mapped[str | None] = mapped_column(String(32), nullable=True)
    floor: Mapped[str | None] = mapped_column(String(16), nullable=True)
    room: Mapped[str | None] = mapped_column(String(32), nullable=True)
    province: Mapped[str] = mapped_column(String(64), nullable=False)
    city: Mapped[str] = mapped_column(String(64), nullable=False)
    district: Mapped[str] = mapped_column(String(64), nullable=False)
    street: Mapped[str | None] = mapped_column(String(64), nullable=True)
    road: Mapped[str | None] = mapped_column(String(128), nullable=True)
    road_number: Mapped[str | None] = mapped_column(String(32), nullable=True)
    compound: Mapped[str | None] = mapped_column(String(128), nullable=True)
    postcode: Mapped[str | None] = mapped_column(String(16), nullable=True)
    #: TMF ``GeographicLocationRefOrValue``: a GeoJSON point of the site
    location: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)
    #: TMF ``GeographicSubAddress`` list (one entry: building, unit, floor, room)
    sub_address: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    norm_key: Mapped[str] = mapped_column(String(600), nullable=False, unique=True)
    search_text: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    doc: Mapped[str] = mapped_column(Text, nullable=False)


class GeographicAddressValidation(RegionScoped, Base):
    """A TMF673 address validation: the submitted address and the answer
    (``success`` / ``partial`` / ``fails``), kept so it can be read again.
    ``region_id`` is the region of the matched site (NULL when none)."""

    __tablename__ = "geographic_address_validation"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    provide_alternative: Mapped[bool] = mapped_column(Boolean, nullable=False)
    validation_date: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    validation_result: Mapped[str] = mapped_column(String(16), nullable=False)
    state: Mapped[str] = mapped_column(String(32), nullable=False)
    submitted: Mapped[dict[str, Any]] = mapped_column(JSONDoc, nullable=False)
    valid: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)
    alternates: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    doc: Mapped[str] = mapped_column(Text, nullable=False)


_s = GeographicSite.__table__.c

SITE_RESOURCE = TmfResource(
    name="geographicSite",
    type_name="GeographicSite",
    base_path=SITE_BASE_PATH,
    path="/geographicSite",
    table=GeographicSite.__table__,
    id_column=_s.id,
    document_column=_s.doc,
    attrs=(
        ColumnAttr("name", column=_s.name),
        ColumnAttr("code", column=_s.code),
        ColumnAttr("description", column=_s.description, sortable=False),
        ColumnAttr("status", column=_s.status),
        JsonAttr(
            "place",
            column=_s.place,
            keys=frozenset({"id", "href", "name", "role", "@referredType"}),
        ),
        ColumnAttr("stateOrProvince", column=_s.province),
        ColumnAttr("city", column=_s.city),
        ColumnAttr("locality", column=_s.district),
        ColumnAttr("street", column=_s.street),
        ColumnAttr("streetName", column=_s.road),
        ColumnAttr("streetNr", column=_s.road_number),
        ColumnAttr("compound", column=_s.compound),
        ColumnAttr("buildingName", column=_s.building),
        ColumnAttr("postcode", column=_s.postcode),
        ColumnAttr("latitude", column=_s.latitude, kind=Kind.NUMBER),
        ColumnAttr("longitude", column=_s.longitude, kind=Kind.NUMBER),
        ColumnAttr("regionId", column=_s.region_id),
        ColumnAttr("creationDate", column=_s.created_at, kind=Kind.DATETIME, read_only=True),
        ColumnAttr("lastUpdate", column=_s.updated_at, kind=Kind.DATETIME, read_only=True),
    ),
    extra_read_only=frozenset({"place"}),
    versioned_count=True,
)
SITE_RESOURCE.keep_document(GeographicSite)

_a = GeographicAddress.__table__.c

ADDRESS_RESOURCE = TmfResource(
    name="geographicAddress",
    type_name="GeographicAddress",
    base_path=ADDRESS_BASE_PATH,
    path="/geographicAddress",
    table=GeographicAddress.__table__,
    id_column=_a.id,
    document_column=_a.doc,
    attrs=(
        ColumnAttr("name", column=_a.name),
        ConstAttr("country", value="CN", read_only=True),
        ColumnAttr("stateOrProvince", column=_a.province, read_only=True),
        ColumnAttr("city", column=_a.city, read_only=True),
        ColumnAttr("locality", column=_a.district, read_only=True),
        ColumnAttr("street", column=_a.street, read_only=True),
        ColumnAttr("streetName", column=_a.road, read_only=True),
        ColumnAttr("streetNr", column=_a.road_number, read_only=True),
        ColumnAttr("compound", column=_a.compound, read_only=True),
        ColumnAttr("postcode", column=_a.postcode, read_only=True),
        JsonAttr(
            "geographicLocation",
            column=_a.location,
            keys=frozenset({"id", "href", "name", "@type", "geoJson"}),
            read_only=True,
        ),
        JsonAttr(
            "geographicSubAddress",
            column=_a.sub_address,
            keys=frozenset(
                {
                    "id",
                    "name",
                    "@type",
                    "subAddressType",
                    "buildingName",
                    "subUnitType",
                    "subUnitNumber",
                    "levelType",
                    "levelNumber",
                    "roomNumber",
                }
            ),
        ),
        ColumnAttr("siteId", column=_a.site_id, read_only=True),
        ColumnAttr("regionId", column=_a.region_id, read_only=True),
        ColumnAttr("creationDate", column=_a.created_at, kind=Kind.DATETIME, read_only=True),
        ColumnAttr("lastUpdate", column=_a.updated_at, kind=Kind.DATETIME, read_only=True),
    ),
    versioned_count=True,
)
ADDRESS_RESOURCE.keep_document(GeographicAddress)

_v = GeographicAddressValidation.__table__.c

VALIDATION_RESOURCE = TmfResource(
    name="geographicAddressValidation",
    type_name="GeographicAddressValidation",
    base_path=ADDRESS_BASE_PATH,
    path="/geographicAddressValidation",
    table=GeographicAddressValidation.__table__,
    id_column=_v.id,
    document_column=_v.doc,
    attrs=(
        ColumnAttr("provideAlternative", column=_v.provide_alternative, kind=Kind.BOOLEAN),
        ColumnAttr("validationDate", column=_v.validation_date, kind=Kind.DATETIME),
        ColumnAttr("validationResult", column=_v.validation_result),
        ColumnAttr("state", column=_v.state),
        JsonAttr("submittedGeographicAddress", column=_v.submitted),
        JsonAttr("validGeographicAddress", column=_v.valid),
        JsonAttr("alternateGeographicAddress", column=_v.alternates),
    ),
    default_sort=("-validationDate",),
)
VALIDATION_RESOURCE.keep_document(GeographicAddressValidation)
