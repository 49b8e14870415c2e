"""Fixtures of the appointment tests: regions, a flat in a Hangzhou building,
skills, partner companies, and a factory of technicians (created through the
party and workforce services)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

import openboss.party.address.places  # noqa: F401 - registers the place directory
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.kit.tmf.attributes import format_datetime
from openboss.party.address import service as address_service
from openboss.party.address.schemas import GeographicAddressCreate, GeographicSiteCreate
from openboss.party.region.service import create_region
from openboss.workforce import staff
from openboss.workforce.schemas import PartnerCompanyCreate, SkillCreate, TechnicianCreate

BASE = "http://testserver"
XIHU, GRID, GONGSHU = "330106", "330106-G01", "330105"
API = "/tmf-api/appointment/v4"
APPOINTMENTS = f"{API}/appointment"
SEARCH = f"{API}/searchTimeSlot"
ORDERS = "/tmf-api/workOrderManagement/v4/workOrder"
MERGE = {"Content-Type": "application/merge-patch+json"}
SITE_LAT, SITE_LON = 30.29, 120.12


def next_weekday(weekday: int = 2) -> date:
    """The next ``weekday`` (0 = Monday) at least two days ahead."""
    today = datetime.now(UTC).date() + timedelta(days=2)
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def slot(day: date, hour: int) -> dict[str, str]:
    """The 2-hour slot of ``day`` starting at local ``hour`` (UTC ISO strings)."""
    start = datetime(day.year, day.month, day.day, hour - 8, 0, tzinfo=UTC)
    return {
        "startDateTime": format_datetime(start),
        "endDateTime": format_datetime(start + timedelta(hours=2)),
    }


def day_window(day: date, days: int = 1) -> dict[str, str]:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=8)
    return {
        "startDateTime": start.isoformat().replace("+00:00", "Z"),
        "endDateTime": (start + timedelta(days=days)).isoformat().replace("+00:00", "Z"),
    }


@dataclass
class World:
    address_id: str
    far_address_id: str
    tech: Callable[..., str]


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


def build_world(session: Session) -> World:
    create_region(session, id="330000", parent_id=None, level="province", name="浙江省")
    create_region(session, id="330100", parent_id="330000", level="city", name="杭州市")
    create_region(session, id=XIHU, parent_id="330100", level="district", name="西湖区")
    create_region(session, id=GRID, parent_id=XIHU, level="grid", name="翠苑网格")
    create_region(session, id=GONGSHU, parent_id="330100", level="district", name="拱墅区")

    def address(region: str, lat: float, lon: float, street: str) -> str:
        site = address_service.create_site(
            session,
            SYSTEM_SCOPE,
            GeographicSiteCreate.model_validate(
                {
                    "streetName": street,
                    "streetNr": "90号",
                    "compound": "翠苑一区",
                    "buildingName": "3幢",
                    "regionId": region,
                    "latitude": lat,
                    "longitude": lon,
                }
            ),
            BASE,
        )
        return address_service.create_address(
            session,
            SYSTEM_SCOPE,
            GeographicAddressCreate.model_validate(
                {
                    "siteId": site.id,
                    "geographicSubAddress": [{"subUnitNumber": "2", "roomNumber": "501"}],
                }
            ),
            BASE,
        ).id

    home = address(GRID, SITE_LAT, SITE_LON, "文三路")
    far = address(GONGSHU, 30.33, 120.15, "莫干山路")
    for code in ("ftthInstall", "ftthRepair", "survey"):
        staff.create_skill(session, SkillCreate(id=code, name=code))
    staff.create_partner(
        session, PartnerCompanyCreate(id="PARTNER-1", name="杭州有线网络", kind="cableTv")
    )
    staff.create_partner(
        session, PartnerCompanyCreate(id="PARTNER-2", name="浙江建工通信", kind="construction")
    )
    counter = iter(range(1, 1000))

    def tech(
        *,
        partner: str | None = None,
        level: int = 4,
        skill: str = "ftthInstall",
        areas: list[str] | None = None,
        home: tuple[float, float] = (30.28, 120.13),
        work_days: list[int] | None = None,
        status: str = "active",
        **extra: Any,
    ) -> str:
        n = next(counter)
        data = TechnicianCreate.model_validate(
            {
                "employeeNo": f"E{n:03d}",
                "name": f"Tech {n}",
                "partnerId": partner,
                "regionId": XIHU,
                "serviceAreas": areas if areas is not None else [XIHU],
                "homeLat": home[0],
                "homeLon": home[1],
                "calendar": {
                    "workDays": work_days if work_days is not None else [0, 1, 2, 3, 4],
                    "shiftStart": "08:30",
                    "shiftEnd": "17:30",
                },
                "skills": [{"skill": skill, "level": level}],
                "status": status,
                **extra,
            }
        )
        ident = staff.create_technician(session, SYSTEM_SCOPE, data).id
        session.commit()
        return ident

    w = World(address_id=home, far_address_id=far, tech=tech)
    session.commit()
    return w


def search_body(world: World, day: date, **kw: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "requestedTimeSlot": [{"validFor": day_window(day)}],
        "relatedPlace": {"id": world.address_id, "@referredType": "GeographicAddress"},
        "requiredSkill": {"skill": "ftthInstall", "minLevel": 3},
        "duration": 60,
    }
    body.update(kw)
    return body


def order_body(world: World, **kw: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "workOrderKind": "installation",
        "workOrderItem": [{"id": "1", "action": "add", "description": "FTTH"}],
        "place": {"id": world.address_id},
        "requiredSkill": [{"skill": "ftthInstall", "minLevel": 3}],
        "estimatedDuration": 60,
    }
    body.update(kw)
    return body


def booking(world: World, day: date, hour: int, order_id: str | None = None, **kw: Any) -> Any:
    body: dict[str, Any] = {
        "validFor": slot(day, hour),
        "contactMedium": [
            {"mediumType": "mobile", "characteristic": {"phoneNumber": "13900001111"}}
        ],
    }
    if order_id is not None:
        body["relatedEntity"] = [
            {"id": order_id, "role": "workOrder", "@referredType": "WorkOrder"}
        ]
    else:
        body["relatedPlace"] = {"id": world.address_id}
        body["requiredSkill"] = {"skill": "ftthInstall", "minLevel": 3}
        body["duration"] = 60
    body.update(kw)
    return body
