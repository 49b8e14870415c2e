"""Wire shapes of sites (TMF674-style), addresses and address validations (TMF673 v4).

The TMF674 Geographic Site Management v4 specification is not in
``/work/shared/tmf-specs``: the site shape follows its published v4 model
(``id``, ``href``, ``name``, ``code``, ``status``, ``description``,
``place[]``) with the structured Chinese address parts, the coordinates and
``regionId`` as extensions. Addresses follow TMF673 v4.0.1
(``GeographicAddress``, ``GeographicSubAddress``,
``GeographicAddressValidation``); ``compound`` (小区), ``street`` (街道),
``siteId`` and ``regionId`` are extensions, as are the create and patch
operations on ``geographicAddress`` (the spec has only GET) and the
``roomNumber`` of a sub-address (the room, 室).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from openboss.kit.tmf.schemas import Text, TmfModel


def _part(description: str, max_length: int, *, required: bool = False) -> Any:
    if required:
        return Field(description=description, min_length=1, max_length=max_length)
    return Field(None, description=description, min_length=1, max_length=max_length)


class _SiteParts(TmfModel):
    """The structured address of a building."""

    state_or_province: Text | None = _part(
        "Province (省), e.g. 浙江省; defaults to the region's province.", 64
    )
    city: Text | None = _part("City (市), e.g. 杭州市; defaults to the region's city.", 64)
    locality: Text | None = _part(
        "District (区/县), e.g. 西湖区; defaults to the region's district.", 64
    )
    street: Text | None = _part("Sub-district or town (街道/乡镇), e.g. 西溪街道.", 64)
    street_name: Text | None = _part("Road (路), e.g. 文三路.", 128)
    street_nr: Text | None = _part("Street number (门牌号), e.g. 90号.", 32)
    compound: Text | None = _part("Residential compound (小区), e.g. 翠苑一区.", 128)
    building_name: Text | None = _part("Building (幢/栋) number or name, e.g. 3幢.", 64)
    postcode: Text | None = Field(
        None, description="Postal code (6 digits).", pattern=r"^[0-9]{6}$"
    )
    latitude: float | None = Field(None, description="WGS84 latitude, -90 … 90.", ge=-90, le=90)
    longitude: float | None = Field(
        None, description="WGS84 longitude, -180 … 180.", ge=-180, le=180
    )

    @model_validator(mode="after")
    def _somewhere(self) -> _SiteParts:
        if not self.street_name and not self.compound:
            raise ValueError("streetName or compound is required")
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude go together")
        return self


class GeographicSiteCreate(_SiteParts):
    """The body of ``POST /geographicSite``."""

    name: Text | None = _part(
        "Display name, e.g. 翠苑一区 3幢; made from the compound or road and the building "
        "when left out.",
        256,
    )
    code: Text | None = _part("Site code used by the operator.", 64)
    description: Text | None = Field(None, description="Free-text description.", max_length=2000)
    status: Literal["planned", "active"] = Field(
        "active", description="Lifecycle status: planned → active → retired."
    )
    region_id: Text | None = Field(
        None,
        description="The grid or district the building lies in (must exist). Callers restricted "
        "to regions must name one of theirs.",
        min_length=1,
        max_length=64,
    )
    type: Literal["GeographicSite"] | None = Field(
        None, alias="@type", description="'GeographicSite'."
    )


class GeographicSiteUpdate(TmfModel):
    """The body of ``PATCH /geographicSite/{id}`` (JSON merge patch)."""

    name: Text | None = _part("Display name.", 256)
    code: Text | None = _part("Site code.", 64)
    description: Text | None = Field(None, description="Free-text description.", max_length=2000)
    status: Text | None = Field(None, description="planned → active → retired.")
    state_or_province: Text | None = _part("Province (省).", 64)
    city: Text | None = _part("City (市).", 64)
    locality: Text | None = _part("District (区/县).", 64)
    street: Text | None = _part("Sub-district or town (街道/乡镇).", 64)
    street_name: Text | None = _part("Road (路).", 128)
    street_nr: Text | None = _part("Street number (门牌号).", 32)
    compound: Text | None = _part("Residential compound (小区).", 128)
    building_name: Text | None = _part("Building (幢/栋).", 64)
    postcode: Text | None = Field(None, description="Postal code.", pattern=r"^[0-9]{6}$")
    latitude: float | None = Field(None, description="WGS84 latitude.", ge=-90, le=90)
    longitude: float | None = Field(None, description="WGS84 longitude.", ge=-180, le=180)
    region_id: Text | None = Field(None, description="The grid or district.", max_length=64)


class GeographicSiteChange(_SiteParts):
    """A site after a merge patch (validated as a whole; not part of the API)."""

    name: Text = _part("Display name.", 256, required=True)
    code: Text | None = _part("Site code.", 64)
    description: Text | None = Field(None, description="Free-text description.", max_length=2000)
    status: Text = Field(description="planned → active → retired.")
    state_or_province: Text = _part("Province (省).", 64, required=True)
    city: Text = _part("City (市).", 64, required=True)
    locality: Text = _part("District (区/县).", 64, required=True)
    region_id: Text = Field(description="The grid or district.", min_length=1, max_length=64)


class PlaceRef(TmfModel):
    """A reference to a place (the building's own GeographicAddress)."""

    id: Text = Field(description="Identifier of the place.")
    name: Text | None = Field(None, description="Name of the place.")
    role: Text | None = Field(None, description="Role of the place for the site.")
    referred_type: Text = Field(alias="@referredType", description="'GeographicAddress'.")


class GeographicSite(TmfModel):
    """A site (building) as the API represents it."""

    id: Text = Field(description="Unique identifier.")
    href: Text = Field(description="Absolute URL of this site.")
    name: Text = Field(description="Display name, e.g. 翠苑一区 3幢.")
    code: Text | None = Field(None, description="Site code.")
    description: Text | None = Field(None, description="Free-text description.")
    status: Text = Field(description="planned, active or retired.")
    place: list[PlaceRef] | None = Field(None, description="The building's own address.")
    state_or_province: Text = Field(description="Province (省).")
    city: Text = Field(description="City (市).")
    locality: Text = Field(description="District (区/县).")
    street: Text | None = Field(None, description="Sub-district (街道/乡镇).")
    street_name: Text | None = Field(None, description="Road (路).")
    street_nr: Text | None = Field(None, description="Street number (门牌号).")
    compound: Text | None = Field(None, description="Residential compound (小区).")
    building_name: Text | None = Field(None, description="Building (幢/栋).")
    postcode: Text | None = Field(None, description="Postal code.")
    latitude: float | None = Field(None, description="WGS84 latitude.")
    longitude: float | None = Field(None, description="WGS84 longitude.")
    region_id: Text = Field(description="The grid or district the building lies in.")
    creation_date: datetime = Field(description="When the site was created.")
    last_update: datetime = Field(description="When the site last changed.")
    type: Text = Field("GeographicSite", alias="@type", description="'GeographicSite'.")


# --------------------------------------------------------------------------- addresses


class GeoJsonPointValue(TmfModel):
    """GeoJSON ``Point``: ``coordinates`` are ``[longitude, latitude]`` (WGS84)."""

    type: Literal["Point"] = Field(description="'Point'.")
    coordinates: list[float] = Field(
        description="[longitude, latitude].", min_length=2, max_length=2
    )

    @field_validator("coordinates")
    @classmethod
    def _in_range(cls, value: list[float]) -> list[float]:
        lon, lat = value
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValueError("coordinates out of range: [longitude -180…180, latitude -90…90]")
        return value


class GeographicLocation(TmfModel):
    """TMF ``GeographicLocationRefOrValue`` as a ``GeoJsonPoint`` value."""

    id: Text | None = Field(None, description="Identifier (the site's id).")
    href: Text | None = Field(None, description="Reference.")
    name: Text | None = Field(None, description="Name.")
    type: Literal["GeoJsonPoint"] = Field(alias="@type", description="'GeoJsonPoint'.")
    geo_json: GeoJsonPointValue = Field(description="The point.")


class GeographicSubAddress(TmfModel):
    """TMF ``GeographicSubAddress``: the building, unit (单元), floor and room (室)."""

    id: Text | None = Field(None, description="Identifier (the address's id; read-only).")
    href: Text | None = Field(None, description="Reference (read-only).")
    name: Text | None = Field(None, description="Label, e.g. 3幢2单元501室 (read-only).")
    sub_address_type: Text | None = Field(None, description="'subUnit'.")
    building_name: Text | None = _part("Building (幢/栋), e.g. 3幢.", 64)
    sub_unit_type: Text | None = Field(None, description="'unit' (单元).")
    sub_unit_number: Text | None = _part("Unit (单元) number, e.g. 2.", 32)
    level_type: Text | None = Field(None, description="'floor'.")
    level_number: Text | None = _part("Floor number, e.g. 5.", 16)
    room_number: Text | None = _part("Room (室), e.g. 501 (extension).", 32)
    type: Text | None = Field(None, alias="@type", description="'GeographicSubAddress'.")
    base_type: Text | None = Field(None, alias="@baseType", description="Super-class.")
    schema_location: Text | None = Field(None, alias="@schemaLocation", description="Schema.")


class GeographicAddressCreate(TmfModel):
    """The body of ``POST /geographicAddress`` (an OpenBOSS extension of TMF673):
    either ``siteId`` with the unit and room, or the structured parts, which
    find the building or create it."""

    site_id: Text | None = Field(None, description="The building (site) the address is in.")
    name: Text | None = _part("A label, e.g. DEMO-HH-1 (unique is not required).", 128)
    state_or_province: Text | None = _part("Province (省).", 64)
    city: Text | None = _part("City (市).", 64)
    locality: Text | None = _part("District (区/县).", 64)
    street: Text | None = _part("Sub-district (街道/乡镇).", 64)
    street_name: Text | None = _part("Road (路).", 128)
    street_nr: Text | None = _part("Street number (门牌号).", 32)
    compound: Text | None = _part("Residential compound (小区).", 128)
    postcode: Text | None = Field(None, description="Postal code.", pattern=r"^[0-9]{6}$")
    country: Literal["CN"] | None = Field(None, description="'CN'.")
    geographic_location: GeographicLocation | None = Field(
        None, description="Coordinates of a new building."
    )
    geographic_sub_address: list[GeographicSubAddress] | None = Field(
        None, description="One entry: building, unit, floor and room.", max_length=1
    )
    region_id: Text | None = Field(
        None, description="Region of a new building (grid or district).", max_length=64
    )
    type: Literal["GeographicAddress"] | None = Field(None, alias="@type", description="Type.")


class GeographicAddressUpdate(TmfModel):
    """The body of ``PATCH /geographicAddress/{id}`` (extension): the label and
    the sub-address (unit, floor, room); the building's parts change on the site."""

    name: Text | None = _part("A label.", 128)
    geographic_sub_address: list[GeographicSubAddress] | None = Field(
        None, description="One entry: unit, floor and room.", max_length=1
    )


class GeographicAddress(TmfModel):
    """A TMF673 GeographicAddress as the API represents it."""

    id: Text = Field(description="Unique identifier.")
    href: Text = Field(description="Absolute URL of this address.")
    name: Text | None = Field(None, description="Label.")
    country: Text = Field(description="'CN'.")
    state_or_province: Text = Field(description="Province (省).")
    city: Text = Field(description="City (市).")
    locality: Text = Field(description="District (区/县).")
    street: Text | None = Field(None, description="Sub-district (街道/乡镇), extension.")
    street_name: Text | None = Field(None, description="Road (路).")
    street_nr: Text | None = Field(None, description="Street number (门牌号).")
    compound: Text | None = Field(None, description="Residential compound (小区), extension.")
    postcode: Text | None = Field(None, description="Postal code.")
    geographic_location: GeographicLocation | None = Field(None, description="The coordinates.")
    geographic_sub_address: list[GeographicSubAddress] = Field(
        description="Building, unit, floor and room."
    )
    site_id: Text = Field(description="The building (site), extension.")
    region_id: Text = Field(description="The region (the site's), extension.")
    creation_date: datetime = Field(description="When the address was created.")
    last_update: datetime = Field(description="When the address last changed.")
    type: Text = Field("GeographicAddress", alias="@type", description="'GeographicAddress'.")


# --------------------------------------------------------------------------- validation


class SubmittedAddress(TmfModel):
    """An address submitted for validation (TMF673 ``GeographicAddress``; ids ignored)."""

    id: Text | None = Field(None, description="Ignored.")
    href: Text | None = Field(None, description="Ignored.")
    name: Text | None = Field(None, description="Label.", max_length=128)
    country: Text | None = Field(None, description="'CN'.", max_length=64)
    state_or_province: Text | None = Field(None, description="Province.", max_length=64)
    city: Text | None = Field(None, description="City.", max_length=64)
    locality: Text | None = Field(None, description="District.", max_length=64)
    street: Text | None = Field(None, description="Sub-district.", max_length=64)
    street_name: Text | None = Field(None, description="Road.", max_length=128)
    street_nr: Text | None = Field(None, description="Street number.", max_length=32)
    compound: Text | None = Field(None, description="Compound.", max_length=128)
    postcode: Text | None = Field(None, description="Postal code.", max_length=16)
    geographic_sub_address: list[GeographicSubAddress] | None = Field(
        None, description="Building, unit, floor, room.", max_length=1
    )
    type: Text | None = Field(None, alias="@type", description="Type.")


class GeographicAddressValidationCreate(TmfModel):
    """The body of ``POST /geographicAddressValidation``."""

    provide_alternative: bool = Field(
        description="Return alternative addresses (known buildings at the same place) when the "
        "address is not found exactly."
    )
    submitted_geographic_address: SubmittedAddress = Field(description="The address to validate.")
    type: Literal["GeographicAddressValidation"] | None = Field(
        None, alias="@type", description="Type."
    )


class GeographicAddressValidation(TmfModel):
    """A validation and its answer."""

    id: Text = Field(description="Unique identifier.")
    href: Text = Field(description="Absolute URL.")
    provide_alternative: bool = Field(description="Whether alternatives were asked for.")
    validation_date: datetime = Field(description="When the validation ran.")
    validation_result: Literal["success", "partial", "fails"] = Field(
        description="success: the address is known; partial: the building (or the place) is "
        "known but not the unit or room (or the building); fails: nothing matches."
    )
    state: Text = Field(description="'done' (validations run synchronously).")
    submitted_geographic_address: dict[str, Any] = Field(description="As submitted.")
    valid_geographic_address: GeographicAddress | None = Field(
        None, description="The known address matching it (success), or its building (partial)."
    )
    alternate_geographic_address: list[GeographicAddress] | None = Field(
        None, description="Known buildings at the same place (when asked for)."
    )
    type: Text = Field("GeographicAddressValidation", alias="@type", description="Type.")
