"""TMF673 address validation: is a submitted address a known one?

eTOM 1.1.1.2 customer interface management (address capture): before an
order or a customer record takes an address, the caller checks it against the
known buildings and addresses and is offered the known alternatives.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy.orm import Session

from openboss.events import publish
from openboss.kit.ids import new_id
from openboss.kit.scope import Scope
from openboss.party.address import events, normalise, repository
from openboss.party.address.models import (
    ADDRESS_RESOURCE,
    VALIDATION_RESOURCE,
    GeographicAddress,
    GeographicAddressValidation,
    GeographicSite,
)
from openboss.party.address.schemas import GeographicAddressValidationCreate
from openboss.party.address.service import SiteParts, Written, document_of, now_ms, sub_parts


def validate_address(
    session: Session, scope: Scope, data: GeographicAddressValidationCreate, base_url: str
) -> Written:
    """TMF673 address validation against the known buildings and addresses.

    * ``success`` — the building and the unit/room are known:
      ``validGeographicAddress`` is that address;
    * ``partial`` — the building is known but not the unit/room
      (``validGeographicAddress`` is the building's own address), or only
      the place is known (road and number, or compound) and not the building;
      with ``provideAlternative`` the known buildings there are listed;
    * ``fails`` — nothing matches (or the address is incomplete).
    """
    submitted = data.submitted_geographic_address
    building, unit, _floor, room = sub_parts(submitted.geographic_sub_address)
    result = "fails"
    valid: GeographicAddress | None = None
    alternates: list[GeographicAddress] = []
    region_id: str | None = None
    if submitted.state_or_province and submitted.city and submitted.locality:
        parts = SiteParts(
            province=submitted.state_or_province,
            city=submitted.city,
            district=submitted.locality,
            street=submitted.street,
            road=submitted.street_name,
            road_number=submitted.street_nr,
            compound=submitted.compound,
            building=building,
        )
        key = parts.key()
        site = repository.site_by_key(session, key)
        if site is not None and not _visible(site, scope):
            site = None
        if site is not None:
            region_id = site.region_id
            exact = repository.address_by_key(session, normalise.address_key(site.id, unit, room))
            own = repository.address_by_key(session, normalise.address_key(site.id, None, None))
            if exact is not None:
                result, valid = "success", exact
            else:
                result, valid = "partial", own
        else:
            place_prefix = key.rsplit("|", 1)[0] + "|"
            nearby = repository.sites_with_prefix(session, scope, place_prefix, 10)
            if nearby:
                result = "partial"
                region_id = nearby[0].region_id
                if data.provide_alternative:
                    for candidate in nearby:
                        own = repository.address_by_key(
                            session, normalise.address_key(candidate.id, None, None)
                        )
                        if own is not None:
                            alternates.append(own)
    row = GeographicAddressValidation(
        id=new_id(),
        provide_alternative=data.provide_alternative,
        validation_date=now_ms(),
        validation_result=result,
        state="done",
        submitted=submitted.model_dump(mode="json", by_alias=True, exclude_none=True),
        valid=_representation(valid, base_url) if valid is not None else None,
        alternates=[_representation(a, base_url) for a in alternates] or None,
        region_id=region_id,
    )
    repository.add(session, row)
    body = document_of(VALIDATION_RESOURCE, row.id, row.doc, base_url)
    publish(
        session,
        events.VALIDATION_STATE_CHANGE,
        events.VALIDATION,
        orjson.loads(body),
        api=VALIDATION_RESOURCE.base_path,
        region_id=region_id,
    )
    return Written(row.id, body)


def _visible(site: GeographicSite, scope: Scope) -> bool:
    return scope.regions is None or site.region_id is None or site.region_id in scope.regions


def _representation(address: GeographicAddress, base_url: str) -> dict[str, Any]:
    loaded: dict[str, Any] = orjson.loads(
        document_of(ADDRESS_RESOURCE, address.id, address.doc, base_url)
    )
    return loaded
