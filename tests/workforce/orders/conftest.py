"""Fixtures of the work-order tests: skills, two partner companies, own and
partner technicians, and a flat in a Hangzhou building (created through the
party domain's services, which register the place directory)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

import openboss.party.address.places  # noqa: F401 - registers the place directory
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.party.address import service as address_service
from openboss.party.address.schemas import GeographicAddressCreate, GeographicSiteCreate
from openboss.party.region.service import create_region
from openboss.workforce import hooks, staff
from openboss.workforce.schemas import (
    PartnerCompanyCreate,
    SkillCreate,
    TechnicianCreate,
)

BASE = "http://testserver"
XIHU, GRID, GONGSHU = "330106", "330106-G01", "330105"
ORDERS = "/tmf-api/workOrderManagement/v4/workOrder"
STAFF = "/api/workforce/v1"
MERGE = {"Content-Type": "application/merge-patch+json"}
SKILLS = ("ftthInstall", "ftthRepair", "cableInstall", "leasedLine", "survey", "cpeRecovery")


def next_weekday(weekday: int = 2) -> datetime:
    """10:00 Shanghai time (02:00 UTC) on the next ``weekday`` (0 = Monday) after today."""
    today = datetime.now(UTC).date()
    days = (weekday - today.weekday()) % 7 or 7
    day = today + timedelta(days=days)
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)


@dataclass
class World:
    address_id: str
    own_tech: str
    own_novice: str
    p1_tech: str
    p2_tech: str


@pytest.fixture
def world(session: Session) -> World:
    create_region(session, id="330000", parent_id=None, level="province", name="浙江省")
    create_region(session, id="330100", parent_id="330000", level="city", name="杭州市")
    create_region(session, id=XIHU, parent_id="330100", level="district", name="西湖区")
    create_region(session, id=GRID, parent_id=XIHU, level="grid", name="翠苑网格")
    create_region(session, id=GONGSHU, parent_id="330100", level="district", name="拱墅区")
    site = address_service.create_site(
        session,
        SYSTEM_SCOPE,
        GeographicSiteCreate.model_validate(
            {
                "streetName": "文三路",
                "streetNr": "90号",
                "compound": "翠苑一区",
                "buildingName": "3幢",
                "regionId": GRID,
                "latitude": 30.29,
                "longitude": 120.12,
            }
        ),
        BASE,
    )
    address = address_service.create_address(
        session,
        SYSTEM_SCOPE,
        GeographicAddressCreate.model_validate(
            {
                "siteId": site.id,
                "geographicSubAddress": [{"subUnitNumber": "2", "roomNumber": "501"}],
            }
        ),
        BASE,
    )
    for code in SKILLS:
        staff.create_skill(session, SkillCreate(id=code, name=code))
    staff.create_partner(
        session, PartnerCompanyCreate(id="PARTNER-1", name="杭州有线网络", kind="cableTv")
    )
    staff.create_partner(
        session, PartnerCompanyCreate(id="PARTNER-2", name="浙江建工通信", kind="construction")
    )

    def tech(no: str, partner: str | None, level: int = 4, username: str | None = None) -> str:
        data = TechnicianCreate.model_validate(
            {
                "employeeNo": no,
                "name": f"Tech {no}",
                "phone": "13800000000",
                "partnerId": partner,
                "regionId": XIHU,
                "serviceAreas": [XIHU],
                "homeLat": 30.27,
                "homeLon": 120.13,
                "skills": [{"skill": s, "level": level} for s in SKILLS],
                "username": username,
            }
        )
        return staff.create_technician(session, SYSTEM_SCOPE, data).id

    w = World(
        address_id=address.id,
        own_tech=tech("E001", None, username="tech1"),
        own_novice=tech("E002", None, level=1),
        p1_tech=tech("P1-001", "PARTNER-1", username="p1tech"),
        p2_tech=tech("P2-001", "PARTNER-2"),
    )
    session.commit()
    return w


def order_body(world: World, **extra: Any) -> dict[str, Any]:
    start = next_weekday()
    body: dict[str, Any] = {
        "workOrderKind": "installation",
        "description": "FTTH install 500M",
        "priority": "2",
        "workOrderItem": [{"id": "1", "action": "add", "description": "install ONT"}],
        "relatedEntity": [
            {"id": "PO-1001", "role": "productOrder", "@referredType": "ProductOrder"}
        ],
        "relatedParty": [
            {
                "id": "CUST-1",
                "name": "张三",
                "role": "customer",
                "@referredType": "Individual",
                "contactPhone": "13900001111",
            }
        ],
        "place": {"id": world.address_id},
        "requiredSkill": [{"skill": "ftthInstall", "minLevel": 3}],
        "estimatedDuration": 90,
        "timeWindow": {
            "startDateTime": start.isoformat(),
            "endDateTime": (start + timedelta(hours=2)).isoformat(),
        },
        "slaDeadline": (start + timedelta(days=1)).isoformat(),
    }
    body.update(extra)
    return body


@pytest.fixture
def closed_calls() -> Iterator[list[tuple[str, str]]]:
    """Every call of a work-order-closed listener: (work order id, outcome)."""
    calls: list[tuple[str, str]] = []

    def listener(_session: Session, work_order: dict[str, Any], outcome: str) -> None:
        calls.append((work_order["id"], outcome))

    hooks.on_work_order_closed(listener)
    try:
        yield calls
    finally:
        hooks.remove_listener(listener)


Make = Callable[..., dict[str, Any]]
