"""Fixtures of every resource test: the Hangzhou regions and buildings to put
networks in (created through the party domain's services, as the demo does)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

import openboss.party.address.places  # noqa: F401 - registers the place directory
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.party.address import service as address_service
from openboss.party.address.schemas import GeographicAddressCreate, GeographicSiteCreate
from openboss.party.region.service import create_region

BASE = "http://testserver"
XIHU, GRID, GONGSHU = "330106", "330106-G01", "330105"


@pytest.fixture
def regions(session: Session) -> None:
    """Zhejiang → Hangzhou → Xihu (with grid G01) and Gongshu."""
    create_region(session, id="330000", parent_id=None, level="province", name="浙江省")
    create_region(session, id="330100", parent_id="330000", level="city", name="杭州市")
    create_region(session, id=XIHU, parent_id="330100", level="district", name="西湖区")
    create_region(session, id=GRID, parent_id=XIHU, level="grid", name="翠苑网格")
    create_region(session, id=GONGSHU, parent_id="330100", level="district", name="拱墅区")


@pytest.fixture
def make_site(session: Session, regions: None) -> Callable[..., str]:
    """``make_site("3幢", code="B-3", region=GRID)`` → the id of a new building."""
    counter = iter(range(1, 100_000))

    def make(
        building: str | None = None,
        *,
        compound: str = "翠苑一区",
        code: str | None = None,
        region: str = GRID,
        latitude: float | None = 30.29,
        longitude: float | None = 120.12,
    ) -> str:
        n = next(counter)
        body = {
            "streetName": "文三路",
            "streetNr": "90号",
            "compound": compound,
            "buildingName": building or f"{n}幢",
            "regionId": region,
            "code": code,
            "latitude": latitude,
            "longitude": longitude,
        }
        data = GeographicSiteCreate.model_validate({k: v for k, v in body.items() if v is not None})
        return address_service.create_site(session, SYSTEM_SCOPE, data, BASE).id

    return make


@pytest.fixture
def make_flat(session: Session) -> Callable[..., str]:
    """``make_flat(site_id, "2", "501")`` → the id of a flat's address in that building."""

    def make(site_id: str, unit: str = "1", room: str = "101") -> str:
        data = GeographicAddressCreate.model_validate(
            {
                "siteId": site_id,
                "geographicSubAddress": [{"subUnitNumber": unit, "roomNumber": room}],
            }
        )
        return address_service.create_address(session, SYSTEM_SCOPE, data, BASE).id

    return make
