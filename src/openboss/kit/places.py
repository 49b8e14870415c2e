"""Where things are: buildings (sites) and addresses, for domains that do not
own them.

The party domain owns addresses and buildings (``geographic_site``,
``geographic_address``). The resource domain attaches networks to buildings
and qualifies addresses; ordering and workforce need coordinates. Domains
may not import each other, so the owner registers a :class:`PlaceDirectory`
here at import time (``openboss.party.address.places``) and the others ask
:func:`place_directory` for it::

    site = place_directory().address(session, scope, address_id)

Every call takes the caller's row scope: an address of another region is
``None`` (it does not exist for that caller).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from openboss.kit.scope import Scope


@dataclass(frozen=True, slots=True)
class PlaceSite:
    """A building: id, name, its one-line address, code, status and region."""

    id: str
    name: str
    formatted: str
    status: str
    region_id: str
    code: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True, slots=True)
class PlaceAddress:
    """An address (a flat, or the building itself) and the building it is in."""

    id: str
    site_id: str
    formatted: str
    region_id: str


class PlaceDirectory(Protocol):
    """What the owner of addresses answers."""

    def address(self, session: Session, scope: Scope, address_id: str) -> PlaceAddress | None:
        """One address, or ``None`` when missing or out of scope."""

    def site(self, session: Session, scope: Scope, site_id: str) -> PlaceSite | None:
        """One building, or ``None`` when missing or out of scope."""

    def sites(self, session: Session, scope: Scope, site_ids: Sequence[str]) -> list[PlaceSite]:
        """The buildings of ``site_ids`` that exist and are in scope (any order)."""

    def site_by_code(self, session: Session, scope: Scope, code: str) -> PlaceSite | None:
        """The building with this code (e.g. ``DEMO-B-FTTH``), or ``None``."""

    def search_sites(
        self, session: Session, scope: Scope, text: str, limit: int
    ) -> list[PlaceSite]:
        """Buildings matching every term of ``text``."""

    def site_addresses(self, session: Session, scope: Scope, site_id: str) -> list[PlaceAddress]:
        """The addresses at a building."""

    def iter_sites(self, session: Session, batch: int = 1000) -> Iterator[PlaceSite]:
        """Every building (system use: demo loader, bulk jobs), in id order."""


_lock = threading.Lock()
_directory: PlaceDirectory | None = None


def register_place_directory(directory: PlaceDirectory) -> None:
    """Install the directory of places (the party domain does, at import)."""
    global _directory
    with _lock:
        _directory = directory


def place_directory() -> PlaceDirectory:
    """The registered directory; a clear error when no domain registered one."""
    with _lock:
        directory = _directory
    if directory is None:
        raise RuntimeError(
            "no place directory is registered: import openboss.party.address.places first"
        )
    return directory
