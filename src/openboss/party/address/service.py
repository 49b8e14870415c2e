"""Addresses and sites: capture, de-duplication, search and validation.

eTOM 1.1.1.2 customer interface management (address capture for customers
and orders) and the building registry resource management attaches coverage
to.

* A **site** is a building. Its structured parts are normalised into a key
  (:mod:`openboss.party.address.normalise`); a second site with the same key
  is a 409 naming the existing one, whatever the caller's region. Every site
  gets its own building-level address (no unit, no room), referenced from its
  ``place``. Lifecycle: ``planned → active → retired`` (``planned → retired``
  too); a retired building takes no new addresses.
* An **address** is at a site, optionally down to unit, floor and room; its
  key is site + unit + room. It carries a copy of the site's parts and
  region, refreshed whenever the site changes.
* **Search** matches every whitespace-separated term against the normalised
  one-line address (``search_text``), so ``翠苑一区 3栋`` finds
  ``翠苑1区 3幢``. Row scope applies.

Events: ``GeographicSiteCreateEvent`` / ``…AttributeValueChangeEvent`` /
``…StatusChangeEvent``, ``GeographicAddressCreateEvent`` /
``…AttributeValueChangeEvent`` (also when a site change reaches its
addresses), ``GeographicAddressValidationStateChangeEvent``. Services never
commit. Duplicates are found by reading the key first; when two requests
register one building (or address) at the same moment, the UNIQUE
constraint stops the second inside a savepoint and it gets the same 409.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.orm import Session

from openboss.events import publish
from openboss.kit.clock import utcnow
from openboss.kit.errors import Conflict, NotFound, ValidationFailed
from openboss.kit.ids import new_id
from openboss.kit.scope import Scope, region_for_write
from openboss.kit.statemachine import StateMachine
from openboss.kit.tmf.attributes import truncate_datetime
from openboss.kit.tmf.http import merge_patch, reject_read_only, validate
from openboss.kit.tmf.resource import TmfResource
from openboss.party.address import events, normalise, repository
from openboss.party.address.models import (
    ADDRESS_RESOURCE,
    SITE_RESOURCE,
    GeographicAddress,
    GeographicSite,
)
from openboss.party.address.schemas import (
    GeographicAddressCreate,
    GeographicAddressUpdate,
    GeographicSiteChange,
    GeographicSiteCreate,
    GeographicSubAddress,
)
from openboss.party.region.service import region_path, require_region

SITE_LIFECYCLE = StateMachine(
    "geographicSite",
    {"planned": ["active", "retired"], "active": ["retired"], "retired": []},
    initial="planned",
)

#: Site attributes a merge patch may leave out but not remove.
SITE_REQUIRED = ("name", "status", "stateOrProvince", "city", "locality", "regionId")


@dataclass(frozen=True, slots=True)
class Written:
    """A row after a change and its representation (JSON bytes)."""

    id: str
    body: bytes


@dataclass(frozen=True, slots=True)
class AddressSummary:
    """An address as other domains show it (customer, 360 view)."""

    id: str
    site_id: str
    formatted: str
    region_id: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class SiteSummary:
    """A building as lists show it."""

    id: str
    name: str
    formatted: str
    status: str
    region_id: str
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True, slots=True)
class SiteParts:
    """The structured address of a building, as typed."""

    province: str
    city: str
    district: str
    street: str | None
    road: str | None
    road_number: str | None
    compound: str | None
    building: str | None

    def key(self) -> str:
        return normalise.site_key(
            province=self.province,
            city=self.city,
            district=self.district,
            road=self.road,
            road_number=self.road_number,
            compound=self.compound,
            building=self.building,
        )


def now_ms() -> datetime:
    """Now, in UTC, to the millisecond (what representations carry)."""
    return truncate_datetime(utcnow())


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    text = " ".join(value.split())
    return text or None


# --------------------------------------------------------------------------- formatting


def format_site(site: GeographicSite) -> str:
    """``浙江省杭州市西湖区文三路 90号 翠苑一区 3幢``."""
    head = site.province + site.city + site.district + (site.road or "")
    parts = [
        head,
        normalise.display_road_number(site.road_number),
        site.compound,
        normalise.display_building(site.building),
    ]
    return " ".join(p for p in parts if p)


def format_address(address: GeographicAddress, building: str | None) -> str:
    """``浙江省杭州市西湖区文三路 90号 翠苑一区 3幢 2单元 501室``."""
    head = address.province + address.city + address.district + (address.road or "")
    parts = [
        head,
        normalise.display_road_number(address.road_number),
        address.compound,
        normalise.display_building(building),
        normalise.display_unit(address.unit),
        normalise.display_room(address.room),
    ]
    if not address.room:
        parts.append(normalise.display_floor(address.floor))
    return " ".join(p for p in parts if p)


def _default_site_name(site: GeographicSite) -> str:
    place = site.compound or (
        (site.road or "") + (normalise.display_road_number(site.road_number) or "")
    )
    building = normalise.display_building(site.building)
    return " ".join(p for p in (place, building) if p)[:256] or format_site(site)[:256]


def _site_search_text(site: GeographicSite) -> str:
    return normalise.search_form(
        " ".join(
            p or ""
            for p in (
                format_site(site),
                site.street,
                site.name,
                site.code,
                site.postcode,
            )
        )
    )


def building_of(address: GeographicAddress) -> str | None:
    for entry in address.sub_address or ():
        name = entry.get("buildingName")
        if name:
            return str(name)
    return None


# --------------------------------------------------------------------------- sites


def _region_for(session: Session, scope: Scope, requested: str | None) -> str:
    region = region_for_write(scope, requested)
    if region is None:
        raise ValidationFailed("regionId is required: the grid or district", field="regionId")
    require_region(session, region)
    return region


def _region_names(session: Session, region_id: str) -> dict[str, str]:
    return {r.level: r.name for r in region_path(session, region_id)}


def _parts(
    session: Session,
    region_id: str,
    *,
    province: str | None,
    city: str | None,
    district: str | None,
    street: str | None,
    road: str | None,
    road_number: str | None,
    compound: str | None,
    building: str | None,
) -> SiteParts:
    """The site's parts; province, city and district default to the region's."""
    names: dict[str, str] | None = None
    filled: dict[str, str] = {}
    for field, value, level in (
        ("stateOrProvince", province, "province"),
        ("city", city, "city"),
        ("locality", district, "district"),
    ):
        clean = _clean(value)
        if clean is None:
            if names is None:
                names = _region_names(session, region_id)
            clean = names.get(level)
        if clean is None:
            raise ValidationFailed(f"{field} is required", field=field)
        filled[level] = clean
    return SiteParts(
        province=filled["province"],
        city=filled["city"],
        district=filled["district"],
        street=_clean(street),
        road=_clean(road),
        road_number=_clean(road_number),
        compound=_clean(compound),
        building=_clean(building),
    )


def _duplicate_site(existing: GeographicSite) -> Conflict:
    return Conflict(
        f"this building already exists: geographicSite '{existing.id}' ({existing.name})",
        field="buildingName",
        code="DUPLICATE_SITE",
        details={"existingId": existing.id},
    )


def _apply_parts(site: GeographicSite, parts: SiteParts) -> None:
    site.province = parts.province
    site.city = parts.city
    site.district = parts.district
    site.street = parts.street
    site.road = parts.road
    site.road_number = parts.road_number
    site.compound = parts.compound
    site.building = parts.building
    site.norm_key = parts.key()


def document_of(resource: TmfResource, ident: str, doc: str, base_url: str) -> bytes:
    """The representation of a flushed row: its stored document plus id and href."""
    return resource.represent(ident, doc, resource.href_prefix(base_url)).encode()


def _new_site(
    session: Session,
    *,
    parts: SiteParts,
    region_id: str,
    name: str | None,
    code: str | None,
    description: str | None,
    status: str,
    postcode: str | None,
    latitude: float | None,
    longitude: float | None,
    base_url: str,
    own_name: str | None = None,
) -> tuple[GeographicSite, GeographicAddress]:
    existing = repository.site_by_key(session, parts.key())
    if existing is not None:
        raise _duplicate_site(existing)
    now = now_ms()
    site = GeographicSite(
        id=new_id(),
        code=_clean(code),
        description=description,
        status=status,
        postcode=postcode,
        latitude=latitude,
        longitude=longitude,
        region_id=region_id,
        created_at=now,
        updated_at=now,
    )
    _apply_parts(site, parts)
    site.name = _clean(name) or _default_site_name(site)
    site.search_text = _site_search_text(site)
    own = GeographicAddress(
        id=new_id(), site_id=site.id, name=own_name, created_at=now, updated_at=now
    )
    _copy_site(own, site)
    own.norm_key = normalise.address_key(site.id, None, None)
    site.place = [
        {
            "id": own.id,
            "name": format_site(site),
            "role": "buildingAddress",
            "@referredType": "GeographicAddress",
        }
    ]
    if not repository.add_unique(session, site):
        raced = repository.site_by_key(session, parts.key())
        if raced is None:
            raise Conflict("the building could not be registered; try again", code="RETRY")
        raise _duplicate_site(raced)
    repository.add(session, own)
    _publish_site(session, events.SITE_CREATE, site, base_url)
    _publish_address(session, events.ADDRESS_CREATE, own, base_url)
    return site, own


def create_site(
    session: Session, scope: Scope, data: GeographicSiteCreate, base_url: str
) -> Written:
    """Register a building (409 when it exists, naming the existing site)."""
    region_id = _region_for(session, scope, data.region_id)
    parts = _parts(
        session,
        region_id,
        province=data.state_or_province,
        city=data.city,
        district=data.locality,
        street=data.street,
        road=data.street_name,
        road_number=data.street_nr,
        compound=data.compound,
        building=data.building_name,
    )
    site, _own = _new_site(
        session,
        parts=parts,
        region_id=region_id,
        name=data.name,
        code=data.code,
        description=data.description,
        status=data.status,
        postcode=data.postcode,
        latitude=data.latitude,
        longitude=data.longitude,
        base_url=base_url,
    )
    return Written(site.id, document_of(SITE_RESOURCE, site.id, site.doc, base_url))


def _site_view(site: GeographicSite) -> dict[str, Any]:
    """The attributes a PATCH may change, in TMF shape (the merge-patch target)."""
    view = {
        "name": site.name,
        "code": site.code,
        "description": site.description,
        "status": site.status,
        "stateOrProvince": site.province,
        "city": site.city,
        "locality": site.district,
        "street": site.street,
        "streetName": site.road,
        "streetNr": site.road_number,
        "compound": site.compound,
        "buildingName": site.building,
        "postcode": site.postcode,
        "latitude": site.latitude,
        "longitude": site.longitude,
        "regionId": site.region_id,
    }
    return {k: v for k, v in view.items() if v is not None}


def update_site(
    session: Session, scope: Scope, ident: str, patch: dict[str, Any], base_url: str
) -> Written:
    """Apply a JSON merge patch to a site; a ``status`` in it moves the
    lifecycle (409 when not allowed); new parts must not make it a duplicate
    (409). Its addresses follow the change."""
    reject_read_only(patch, sorted(SITE_RESOURCE.read_only))
    site = repository.get_site(session, ident, scope, for_update=True)
    merged = merge_patch(_site_view(site), patch)
    for name in SITE_REQUIRED:
        if name not in merged:
            raise ValidationFailed(f"'{name}' is required and cannot be removed", field=name)
    data = validate(GeographicSiteChange, merged)
    SITE_LIFECYCLE.check(site.status, data.status, field="status")
    region_id = site.region_id
    if data.region_id != site.region_id:
        region_id = _region_for(session, scope, data.region_id)
    parts = _parts(
        session,
        region_id or data.region_id,
        province=data.state_or_province,
        city=data.city,
        district=data.locality,
        street=data.street,
        road=data.street_name,
        road_number=data.street_nr,
        compound=data.compound,
        building=data.building_name,
    )
    if parts.key() != site.norm_key:
        existing = repository.site_by_key(session, parts.key())
        if existing is not None and existing.id != site.id:
            raise _duplicate_site(existing)
    before = _site_view(site)
    old_status = site.status
    _apply_parts(site, parts)
    site.name = data.name
    site.code = data.code
    site.description = data.description
    site.status = data.status
    site.postcode = data.postcode
    site.latitude = data.latitude
    site.longitude = data.longitude
    site.region_id = region_id
    site.search_text = _site_search_text(site)
    if site.place:
        site.place = [{**site.place[0], "name": format_site(site)}]
    after = _site_view(site)
    if before == after:
        return Written(site.id, document_of(SITE_RESOURCE, site.id, site.doc, base_url))
    now = now_ms()
    site.updated_at = now
    session.flush()
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    attributes = [k for k in changed if k != "status"]
    if attributes:
        _publish_site(
            session,
            events.SITE_ATTRIBUTE_VALUE_CHANGE,
            site,
            base_url,
            description="changed: " + ", ".join(attributes),
        )
    if old_status != site.status:
        _publish_site(
            session,
            events.SITE_STATUS_CHANGE,
            site,
            base_url,
            description=f"status {old_status} → {site.status}",
        )
    if set(attributes) - {"code", "description"}:
        for address in repository.addresses_of_site(session, site.id, for_update=True):
            _copy_site(address, site)
            address.updated_at = now
            session.flush()
            _publish_address(
                session,
                events.ADDRESS_ATTRIBUTE_VALUE_CHANGE,
                address,
                base_url,
                description="the building changed",
            )
    return Written(site.id, document_of(SITE_RESOURCE, site.id, site.doc, base_url))


# --------------------------------------------------------------------------- addresses


def _location(site: GeographicSite) -> dict[str, Any] | None:
    if site.latitude is None or site.longitude is None:
        return None
    return {
        "id": site.id,
        "@type": "GeoJsonPoint",
        "geoJson": {"type": "Point", "coordinates": [site.longitude, site.latitude]},
    }


def _sub_address(
    address_id: str, building: str | None, unit: str | None, floor: str | None, room: str | None
) -> list[dict[str, Any]]:
    entry: dict[str, Any] = {"id": address_id, "subAddressType": "subUnit"}
    label = "".join(
        p
        for p in (
            normalise.display_building(building),
            normalise.display_unit(unit),
            normalise.display_room(room) or normalise.display_floor(floor),
        )
        if p
    )
    if label:
        entry["name"] = label
    if building:
        entry["buildingName"] = building
    if unit:
        entry["subUnitType"] = "unit"
        entry["subUnitNumber"] = unit
    if floor:
        entry["levelType"] = "floor"
        entry["levelNumber"] = floor
    if room:
        entry["roomNumber"] = room
    entry["@type"] = "GeographicSubAddress"
    return [entry]


def _copy_site(address: GeographicAddress, site: GeographicSite) -> None:
    """Refresh the site's parts, location, region and search text on an address."""
    address.site_id = site.id
    address.province = site.province
    address.city = site.city
    address.district = site.district
    address.street = site.street
    address.road = site.road
    address.road_number = site.road_number
    address.compound = site.compound
    address.postcode = site.postcode
    address.region_id = site.region_id
    address.location = _location(site)
    address.sub_address = _sub_address(
        address.id, site.building, address.unit, address.floor, address.room
    )
    address.search_text = normalise.search_form(
        " ".join(
            p or ""
            for p in (
                format_address(address, site.building),
                site.street,
                site.name,
                address.name,
                address.floor,
            )
        )
    )


def sub_parts(
    entries: list[GeographicSubAddress] | None,
) -> tuple[str | None, str | None, str | None, str | None]:
    """(building, unit, floor, room) of the one sub-address given."""
    if not entries:
        return None, None, None, None
    entry = entries[0]
    return (
        _clean(entry.building_name),
        _clean(entry.sub_unit_number),
        _clean(entry.level_number),
        _clean(entry.room_number),
    )


def _duplicate_address(existing: GeographicAddress) -> Conflict:
    return Conflict(
        f"this address already exists: geographicAddress '{existing.id}'",
        field="geographicSubAddress",
        code="DUPLICATE_ADDRESS",
        details={"existingId": existing.id},
    )


def create_address(
    session: Session, scope: Scope, data: GeographicAddressCreate, base_url: str
) -> Written:
    """Create an address at a site named by ``siteId``, or at the building the
    structured parts describe (found through its key, or created). 409 when
    the address exists; 409 at a retired building."""
    building, unit, floor, room = sub_parts(data.geographic_sub_address)
    if data.site_id is not None:
        try:
            site = repository.get_site(session, data.site_id, scope, for_update=True)
        except NotFound:
            raise ValidationFailed(f"unknown site '{data.site_id}'", field="siteId") from None
        if building and normalise.building_key(building) != normalise.building_key(site.building):
            raise ValidationFailed(
                f"buildingName '{building}' is not the building of site '{site.id}'",
                field="geographicSubAddress.buildingName",
            )
    else:
        if not data.street_name and not data.compound:
            raise ValidationFailed(
                "give siteId, or the structured address (streetName or compound)",
                field="siteId",
            )
        region_id = _region_for(session, scope, data.region_id)
        parts = _parts(
            session,
            region_id,
            province=data.state_or_province,
            city=data.city,
            district=data.locality,
            street=data.street,
            road=data.street_name,
            road_number=data.street_nr,
            compound=data.compound,
            building=building,
        )
        found = repository.site_by_key(session, parts.key())
        if found is not None:
            try:
                site = repository.get_site(session, found.id, scope, for_update=True)
            except NotFound:
                raise Conflict(
                    f"this building is registered in another region: geographicSite '{found.id}'",
                    field="regionId",
                    code="DUPLICATE_SITE",
                    details={"existingId": found.id},
                ) from None
        else:
            lat = lon = None
            if data.geographic_location is not None:
                lon, lat = data.geographic_location.geo_json.coordinates
            site, own = _new_site(
                session,
                parts=parts,
                region_id=region_id,
                name=None,
                code=None,
                description=None,
                status="active",
                postcode=data.postcode,
                latitude=lat,
                longitude=lon,
                base_url=base_url,
                own_name=_clean(data.name) if not (unit or room or floor) else None,
            )
            if not unit and not room and not floor:
                return Written(own.id, document_of(ADDRESS_RESOURCE, own.id, own.doc, base_url))
    if site.status == "retired":
        raise Conflict(
            f"geographicSite '{site.id}' is retired: it takes no new addresses",
            field="siteId",
            code="SITE_RETIRED",
        )
    key = normalise.address_key(site.id, unit, room)
    existing = repository.address_by_key(session, key)
    if existing is not None:
        raise _duplicate_address(existing)
    now = now_ms()
    address = GeographicAddress(
        id=new_id(),
        name=_clean(data.name),
        unit=unit,
        floor=floor,
        room=room,
        norm_key=key,
        created_at=now,
        updated_at=now,
    )
    _copy_site(address, site)
    if not repository.add_unique(session, address):
        raced = repository.address_by_key(session, key)
        if raced is None:
            raise Conflict("the address could not be registered; try again", code="RETRY")
        raise _duplicate_address(raced)
    _publish_address(session, events.ADDRESS_CREATE, address, base_url)
    return Written(address.id, document_of(ADDRESS_RESOURCE, address.id, address.doc, base_url))


def _address_view(address: GeographicAddress) -> dict[str, Any]:
    view: dict[str, Any] = {}
    if address.name is not None:
        view["name"] = address.name
    sub = {
        k: v
        for k, v in (
            ("subUnitNumber", address.unit),
            ("levelNumber", address.floor),
            ("roomNumber", address.room),
        )
        if v is not None
    }
    view["geographicSubAddress"] = [sub]
    return view


def update_address(
    session: Session, scope: Scope, ident: str, patch: dict[str, Any], base_url: str
) -> Written:
    """Apply a JSON merge patch to an address: its ``name`` and its unit, floor
    and room (``geographicSubAddress``: one entry, replaced as a whole). 409
    when the new unit and room are another address's."""
    reject_read_only(patch, sorted(ADDRESS_RESOURCE.read_only))
    address = repository.get_address(session, ident, scope, for_update=True)
    merged = merge_patch(_address_view(address), patch)
    data = validate(GeographicAddressUpdate, merged)
    building, unit, floor, room = sub_parts(data.geographic_sub_address)
    site = repository.get_site(session, address.site_id, scope, for_update=True)
    if building and normalise.building_key(building) != normalise.building_key(site.building):
        raise ValidationFailed(
            "the building is changed on the site, not on an address",
            field="geographicSubAddress.buildingName",
        )
    before = (address.name, address.unit, address.floor, address.room)
    after = (_clean(data.name), unit, floor, room)
    if before == after:
        return Written(address.id, document_of(ADDRESS_RESOURCE, address.id, address.doc, base_url))
    key = normalise.address_key(site.id, unit, room)
    if key != address.norm_key:
        existing = repository.address_by_key(session, key)
        if existing is not None and existing.id != address.id:
            raise _duplicate_address(existing)
    address.name, address.unit, address.floor, address.room = after
    address.norm_key = key
    _copy_site(address, site)
    address.updated_at = now_ms()
    session.flush()
    names = ("name", "unit", "floor", "room")
    changed = [n for n, b, a in zip(names, before, after, strict=True) if b != a]
    _publish_address(
        session,
        events.ADDRESS_ATTRIBUTE_VALUE_CHANGE,
        address,
        base_url,
        description="changed: " + ", ".join(changed),
    )
    return Written(address.id, document_of(ADDRESS_RESOURCE, address.id, address.doc, base_url))


def sub_addresses(
    session: Session, scope: Scope, address_id: str, base_url: str
) -> list[dict[str, Any]]:
    """The sub-addresses of an address (one), with their hrefs (404 as the address)."""
    address = repository.get_address(session, address_id, scope)
    href = ADDRESS_RESOURCE.href(base_url, address.id) + "/geographicSubAddress/"
    return [{**entry, "href": href + str(entry["id"])} for entry in address.sub_address or ()]


def sub_address(
    session: Session, scope: Scope, address_id: str, sub_id: str, base_url: str
) -> dict[str, Any]:
    for entry in sub_addresses(session, scope, address_id, base_url):
        if entry["id"] == sub_id:
            return entry
    raise NotFound(f"geographicSubAddress '{sub_id}' not found")


# --------------------------------------------------------------------------- events


def _publish_site(
    session: Session, event_type: str, site: GeographicSite, base_url: str, **kw: Any
) -> None:
    publish(
        session,
        event_type,
        events.SITE,
        orjson.loads(document_of(SITE_RESOURCE, site.id, site.doc, base_url)),
        api=SITE_RESOURCE.base_path,
        region_id=site.region_id,
        **kw,
    )


def _publish_address(
    session: Session, event_type: str, address: GeographicAddress, base_url: str, **kw: Any
) -> None:
    session.flush()
    publish(
        session,
        event_type,
        events.ADDRESS,
        orjson.loads(document_of(ADDRESS_RESOURCE, address.id, address.doc, base_url)),
        api=ADDRESS_RESOURCE.base_path,
        region_id=address.region_id,
        **kw,
    )


# --------------------------------------------------------------------------- search


def search_terms(text: str | None) -> list[str]:
    """The normalised terms of a search (white space separates them)."""
    if not text:
        return []
    terms = [normalise.search_form(part) for part in text.split()]
    return [t for t in dict.fromkeys(terms) if t][:8]


def _site_summary(site: GeographicSite) -> SiteSummary:
    return SiteSummary(
        id=site.id,
        name=site.name,
        formatted=format_site(site),
        status=site.status,
        region_id=site.region_id or "",
        latitude=site.latitude,
        longitude=site.longitude,
    )


def _address_summary(address: GeographicAddress) -> AddressSummary:
    return AddressSummary(
        id=address.id,
        site_id=address.site_id,
        formatted=format_address(address, building_of(address)),
        region_id=address.region_id or "",
        name=address.name,
    )


def search_sites(session: Session, scope: Scope, text: str, limit: int = 20) -> list[SiteSummary]:
    """Buildings matching every term of ``text`` in any part (region-scoped)."""
    terms = search_terms(text)
    if not terms:
        return []
    return [_site_summary(s) for s in repository.search_sites(session, scope, terms, limit)]


def search_addresses(
    session: Session, scope: Scope, text: str, limit: int = 20
) -> list[AddressSummary]:
    """Addresses matching every term of ``text`` in any part (region-scoped)."""
    terms = search_terms(text)
    if not terms:
        return []
    return [_address_summary(a) for a in repository.search_addresses(session, scope, terms, limit)]


def find_address_ids(session: Session, scope: Scope, text: str, limit: int = 200) -> list[str]:
    """Ids of the addresses matching ``text`` (for the customer search)."""
    terms = search_terms(text)
    if not terms:
        return []
    return repository.search_address_ids(session, scope, terms, limit)


def get_address_summary(session: Session, scope: Scope, address_id: str) -> AddressSummary:
    """One address in one line (404 when missing or out of scope)."""
    return _address_summary(repository.get_address(session, address_id, scope))


def get_site_summary(session: Session, scope: Scope, site_id: str) -> SiteSummary:
    """One building (404 when missing or out of scope)."""
    return _site_summary(repository.get_site(session, site_id, scope))


def site_addresses(session: Session, scope: Scope, site_id: str) -> list[AddressSummary]:
    """The addresses at a building (404 when the site is missing or out of scope)."""
    site = repository.get_site(session, site_id, scope)
    return [_address_summary(a) for a in repository.addresses_of_site(session, site.id)]


# --------------------------------------------------------------------------- system use


def count_sites(session: Session) -> int:
    """How many buildings exist (system use: demo loader, checks)."""
    return repository.count_sites(session)
