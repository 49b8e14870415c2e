"""The party domain's answer to :mod:`openboss.kit.places`: buildings and
addresses for the domains that attach things to them (resource inventory,
ordering, workforce). Registered at import; ``openboss.party.address.api``
imports this module, so every app has it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.kit.places import PlaceAddress, PlaceSite, register_place_directory
from openboss.kit.scope import Scope, apply_scope
from openboss.party.address import repository
from openboss.party.address.models import GeographicAddress, GeographicSite
from openboss.party.address.service import building_of, format_address, format_site, search_terms


def _site(site: GeographicSite) -> PlaceSite:
    return PlaceSite(
        id=site.id,
        name=site.name,
        formatted=format_site(site),
        status=site.status,
        region_id=site.region_id or "",
        code=site.code,
        latitude=site.latitude,
        longitude=site.longitude,
    )


def _address(address: GeographicAddress) -> PlaceAddress:
    return PlaceAddress(
        id=address.id,
        site_id=address.site_id,
        formatted=format_address(address, building_of(address)),
        region_id=address.region_id or "",
    )


class PartyPlaces:
    """Buildings and addresses read from the party domain's tables."""

    def address(self, session: Session, scope: Scope, address_id: str) -> PlaceAddress | None:
        stmt = apply_scope(
            select(GeographicAddress).where(GeographicAddress.id == address_id),
            GeographicAddress,
            scope,
        )
        row = session.scalars(stmt).first()
        return _address(row) if row is not None else None

    def site(self, session: Session, scope: Scope, site_id: str) -> PlaceSite | None:
        stmt = apply_scope(
            select(GeographicSite).where(GeographicSite.id == site_id), GeographicSite, scope
        )
        row = session.scalars(stmt).first()
        return _site(row) if row is not None else None

    def sites(self, session: Session, scope: Scope, site_ids: Sequence[str]) -> list[PlaceSite]:
        ids = list(dict.fromkeys(site_ids))
        found: list[PlaceSite] = []
        for start in range(0, len(ids), 500):
            stmt = apply_scope(
                select(GeographicSite).where(GeographicSite.id.in_(ids[start : start + 500])),
                GeographicSite,
                scope,
            )
            found.extend(_site(s) for s in session.scalars(stmt))
        return found

    def site_by_code(self, session: Session, scope: Scope, code: str) -> PlaceSite | None:
        stmt = apply_scope(
            select(GeographicSite).where(GeographicSite.code == code).order_by(GeographicSite.id),
            GeographicSite,
            scope,
        )
        row = session.scalars(stmt).first()
        return _site(row) if row is not None else None

    def search_sites(
        self, session: Session, scope: Scope, text: str, limit: int
    ) -> list[PlaceSite]:
        terms = search_terms(text)
        if not terms:
            return []
        return [_site(s) for s in repository.search_sites(session, scope, terms, limit)]

    def site_addresses(self, session: Session, scope: Scope, site_id: str) -> list[PlaceAddress]:
        if self.site(session, scope, site_id) is None:
            return []
        return [_address(a) for a in repository.addresses_of_site(session, site_id)]

    def iter_sites(self, session: Session, batch: int = 1000) -> Iterator[PlaceSite]:
        last = ""
        while True:
            rows = list(
                session.scalars(
                    select(GeographicSite)
                    .where(GeographicSite.id > last)
                    .order_by(GeographicSite.id)
                    .limit(batch)
                )
            )
            if not rows:
                return
            for row in rows:
                yield _site(row)
            last = rows[-1].id


register_place_directory(PartyPlaces())
