"""Never allocate twice: 50 concurrent reservations compete for 10 free
splitter ports of one building, each in its own thread, session and
transaction (committed database), on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

import openboss.party.address.places  # noqa: F401 - registers the place directory
from openboss.db import Database
from openboss.kit.errors import Conflict
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.party.address import service as address_service
from openboss.party.address.schemas import GeographicSiteCreate
from openboss.party.region.service import create_region
from openboss.resource.inventory import service
from openboss.resource.inventory.models import Resource, ResourceReservation
from openboss.resource.inventory.specs import ensure_builtin_specs
from tests.resource.inventory.conftest import build_network

WORKERS = 50
FREE_PORTS = 10


@pytest.fixture
def building(committed_database: Database) -> tuple[Database, str]:
    with committed_database.session() as s:
        create_region(s, id="330000", parent_id=None, level="province", name="浙江省")
        create_region(s, id="330100", parent_id="330000", level="city", name="杭州市")
        create_region(s, id="330106", parent_id="330100", level="district", name="西湖区")
        site = address_service.create_site(
            s,
            SYSTEM_SCOPE,
            GeographicSiteCreate.model_validate(
                {
                    "streetName": "文三路",
                    "streetNr": "1号",
                    "buildingName": "1幢",
                    "regionId": "330106",
                }
            ),
            "http://testserver",
        ).id
        ensure_builtin_specs(s)
        build_network(s, site, ports=FREE_PORTS)
        s.commit()
    return committed_database, site


def test_fifty_requests_for_ten_ports_exactly_ten_win(building: tuple[Database, str]) -> None:
    db, site = building
    barrier = threading.Barrier(WORKERS)
    won: list[str] = []
    lost: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def attempt() -> None:
        try:
            barrier.wait()
            with db.session() as s:
                try:
                    reservation = service.reserve(
                        s, SYSTEM_SCOPE, "splitterPort", 1, site_id=site, purpose="race"
                    )
                    ports = [r.id for r in service.reserved_resources(s, reservation.id)]
                    s.commit()
                except Conflict as exc:
                    s.rollback()
                    with lock:
                        lost.append(exc.message)
                    return
            with lock:
                won.extend(ports)
        except BaseException as exc:  # pragma: no cover - reported below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=attempt) for _ in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert len(won) == FREE_PORTS
    assert len(set(won)) == FREE_PORTS
    assert len(lost) == WORKERS - FREE_PORTS
    with db.session() as s:
        reserved = s.scalar(
            select(func.count())
            .select_from(Resource)
            .where(Resource.spec_id == "splitterPort", Resource.lifecycle_status == "reserved")
        )
        assert reserved == FREE_PORTS
        held = s.scalars(
            select(Resource.reservation_id).where(Resource.lifecycle_status == "reserved")
        ).all()
        assert len(set(held)) == FREE_PORTS  # one reservation per port
        assert s.scalar(select(func.count()).select_from(ResourceReservation)) == FREE_PORTS
