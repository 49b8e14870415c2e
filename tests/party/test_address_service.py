"""Address search and summaries as other domains call them (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from openboss.kit.errors import Conflict, NotFound
from openboss.kit.scope import SYSTEM_SCOPE, Scope
from openboss.party.address import repository, service
from openboss.party.address.schemas import GeographicAddressCreate, GeographicSiteCreate
from openboss.party.region.service import create_region

BASE = "http://testserver"
XIHU, GRID, GONGSHU = "330106", "330106-G01", "330105"


@pytest.fixture(autouse=True)
def regions(session: Session) -> None:
    create_region(session, id="330000", parent_id=None, level="province", name="浙江省")
    create_region(session, id="330100", parent_id="330000", level="city", name="杭州市")
    create_region(session, id=XIHU, parent_id="330100", level="district", name="西湖区")
    create_region(session, id=GRID, parent_id=XIHU, level="grid", name="翠苑网格")
    create_region(session, id=GONGSHU, parent_id="330100", level="district", name="拱墅区")


def _site(session: Session, **kw: str | None) -> str:
    body = {
        "streetName": "文三路",
        "streetNr": "90号",
        "compound": "翠苑一区",
        "buildingName": "3幢",
        "regionId": GRID,
        **kw,
    }
    data = GeographicSiteCreate.model_validate({k: v for k, v in body.items() if v is not None})
    return service.create_site(session, SYSTEM_SCOPE, data, BASE).id


def _flat(session: Session, site_id: str, unit: str, room: str, name: str | None = None) -> str:
    data = GeographicAddressCreate.model_validate(
        {
            "siteId": site_id,
            "name": name,
            "geographicSubAddress": [{"subUnitNumber": unit, "roomNumber": room}],
        }
    )
    return service.create_address(session, SYSTEM_SCOPE, data, BASE).id


def test_summary_is_the_one_line_chinese_address(session: Session) -> None:
    site = _site(session)
    flat = _flat(session, site, "2", "501", name="DEMO-HH-1")
    summary = service.get_address_summary(session, SYSTEM_SCOPE, flat)
    assert summary.formatted == "浙江省杭州市西湖区文三路 90号 翠苑一区 3幢 2单元 501室"
    assert (summary.id, summary.site_id, summary.region_id, summary.name) == (
        flat,
        site,
        GRID,
        "DEMO-HH-1",
    )
    with pytest.raises(NotFound):
        service.get_address_summary(session, Scope(regions=frozenset({GONGSHU})), flat)
    with pytest.raises(NotFound):
        service.get_address_summary(session, SYSTEM_SCOPE, "missing")


def test_search_by_any_part_in_any_spelling(session: Session) -> None:
    site = _site(session)
    other = _site(session, buildingName="4幢")
    flat = _flat(session, site, "2", "501", name="DEMO-HH-1")
    far = _site(session, streetName="莫干山路", streetNr="1号", compound=None, regionId=GONGSHU)
    far_flat = _flat(session, far, "1", "101")
    assert {s.id for s in service.search_sites(session, SYSTEM_SCOPE, "翠苑一区")} == {site, other}
    assert [s.id for s in service.search_sites(session, SYSTEM_SCOPE, "翠苑1区 3栋")] == [site]
    assert [s.id for s in service.search_sites(session, SYSTEM_SCOPE, "３号楼 文三路")] == [site]
    assert [a.id for a in service.search_addresses(session, SYSTEM_SCOPE, "3幢 501")] == [flat]
    assert [a.id for a in service.search_addresses(session, SYSTEM_SCOPE, "demo-hh-1")] == [flat]
    assert service.search_sites(session, SYSTEM_SCOPE, "  ") == []
    assert service.search_sites(session, SYSTEM_SCOPE, "100%") == []
    # scoped: a district A user does not find district B
    district_a = Scope(regions=frozenset({XIHU, GRID}))
    assert service.find_address_ids(session, district_a, "莫干山路") == []
    assert service.find_address_ids(session, SYSTEM_SCOPE, "莫干山路 101") == [far_flat]
    assert len(service.find_address_ids(session, SYSTEM_SCOPE, "杭州", limit=2)) == 2
    assert [a.id for a in service.site_addresses(session, SYSTEM_SCOPE, site)][1:] == [flat]


def test_duplicate_site_conflict_names_the_existing_one(session: Session) -> None:
    site = _site(session)
    with pytest.raises(Conflict) as caught:
        _site(session, buildingName="三号楼", compound=None)
    assert caught.value.details == {"existingId": site}


def test_a_lost_race_is_the_same_409(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two requests registering one building at once: the second passes the
    key check before the first has written, and the UNIQUE key stops it."""
    site = _site(session)
    real = repository.site_by_key
    calls: list[str] = []

    def first_lookup_misses(s: Session, key: str) -> object:
        calls.append(key)
        return None if len(calls) == 1 else real(s, key)

    monkeypatch.setattr(repository, "site_by_key", first_lookup_misses)
    with pytest.raises(Conflict) as caught:
        _site(session, buildingName="三栋")
    assert caught.value.details == {"existingId": site}
    assert len(calls) == 2
    # the transaction is still usable: the savepoint took the failed insert with it
    assert service.count_sites(session) == 1
