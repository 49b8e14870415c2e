"""Console: addresses and buildings — search, site detail, create forms (zh_CN and en)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openboss.kit.scope import SYSTEM_SCOPE
from openboss.party.address import service
from openboss.party.address.models import GeographicSite
from openboss.party.address.schemas import GeographicAddressCreate, GeographicSiteCreate
from openboss.party.region.service import create_region
from tests.web.conftest import csrf_from

URL = "/console/party/addresses"
HTMX = {"HX-Request": "true"}
XIHU, GRID, GONGSHU = "330106", "330106-G01", "330105"


@pytest.fixture(autouse=True)
def regions(session: Session) -> None:
    create_region(session, id="330000", parent_id=None, level="province", name="浙江省")
    create_region(session, id="330100", parent_id="330000", level="city", name="杭州市")
    create_region(session, id=XIHU, parent_id="330100", level="district", name="西湖区")
    create_region(session, id=GRID, parent_id=XIHU, level="grid", name="翠苑网格")
    create_region(session, id=GONGSHU, parent_id="330100", level="district", name="拱墅区")
    session.commit()


def _site(session: Session, **kw: str) -> str:
    body = {
        "streetName": "文三路",
        "streetNr": "90号",
        "compound": "翠苑一区",
        "buildingName": "3幢",
        "regionId": GRID,
        **kw,
    }
    written = service.create_site(
        session, SYSTEM_SCOPE, GeographicSiteCreate.model_validate(body), "http://testserver"
    )
    session.commit()
    return written.id


def _site_count(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(GeographicSite)) or 0


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        ("en", ["Addresses and buildings", "Buildings", "New building"]),
        ("zh_CN", ["翠苑一区 3幢"]),
    ],
)
def test_search_page_renders_and_finds_any_spelling(
    console_as: Callable[..., TestClient], session: Session, lang: str, texts: list[str]
) -> None:
    site = _site(session)
    _site(session, regionId=GONGSHU, streetName="莫干山路", streetNr="1号", compound="翠苑五区")
    client = console_as("csr", regions=[XIHU, GRID])
    page = client.get(URL, params={"q": "翠苑1区 3栋", "lang": lang})
    assert page.status_code == 200, page.text
    for text in texts:
        assert text in page.text
    assert f'data-site-id="{site}"' in page.text
    # out of the reader's regions: not listed
    assert "莫干山路" not in page.text
    fragment = client.get(
        URL, params={"q": "翠苑"}, headers={**HTMX, "HX-Target": "address-results"}
    )
    assert fragment.status_code == 200
    assert '<div id="address-results"' in fragment.text and "<html" not in fragment.text


def test_nav_roles(console_as: Callable[..., TestClient]) -> None:
    assert console_as("billing").get(URL).status_code == 403
    page = console_as("marketing").get(URL, params={"lang": "en"})
    assert page.status_code == 200
    assert "New building" not in page.text  # marketing reads only


def test_create_site_through_the_form_and_duplicate_inline(
    console_as: Callable[..., TestClient], session: Session
) -> None:
    client = console_as("csr", regions=[XIHU, GRID])
    page = client.get(URL, params={"lang": "en"})
    form = {
        "csrf_token": csrf_from(page.text),
        "region_id": GRID,
        "road": "文三路",
        "road_number": "90号",
        "compound": "翠苑一区",
        "building": "3幢",
        "latitude": "30.2789",
        "longitude": "120.1315",
    }
    r = client.post(f"{URL}/sites", data=form, follow_redirects=False)
    assert r.status_code == 303
    site_url = r.headers["location"]
    assert _site_count(session) == 1
    detail = client.get(site_url, params={"lang": "zh_CN"})
    assert detail.status_code == 200
    assert "浙江省杭州市西湖区文三路 90号 翠苑一区 3幢" in detail.text
    # the same building again, spelt differently, with htmx: shown inline, nothing written
    dup = client.post(
        f"{URL}/sites",
        data={**form, "building": "三栋", "road_number": "九十号"},
        headers={**HTMX, "HX-Target": "site-create"},
    )
    assert dup.status_code == 409
    assert 'id="existing-site"' in dup.text and site_url.rsplit("/", 1)[-1] in dup.text
    assert _site_count(session) == 1
    bad = client.post(
        f"{URL}/sites", data={**form, "building": "9", "latitude": "99"}, headers=HTMX
    )
    assert bad.status_code == 400 and 'id="latitude-error"' in bad.text
    no_csrf = client.post(f"{URL}/sites", data={**form, "csrf_token": "x", "building": "8"})
    assert no_csrf.status_code in (400, 403)
    assert _site_count(session) == 1


def test_site_detail_and_new_address(
    console_as: Callable[..., TestClient], session: Session
) -> None:
    site = _site(session)
    other = _site(session, regionId=GONGSHU, streetName="莫干山路", streetNr="1号")
    client = console_as("dispatcher", regions=[XIHU, GRID])
    page = client.get(f"{URL}/sites/{site}", params={"lang": "en"})
    assert page.status_code == 200
    assert client.get(f"{URL}/sites/{other}").status_code == 404
    token = csrf_from(page.text)
    r = client.post(
        f"{URL}/sites/{site}/addresses",
        data={"csrf_token": token, "unit": "2", "floor": "5", "room": "501", "name": "DEMO-HH-1"},
        headers={**HTMX, "HX-Target": "address-create"},
    )
    assert r.status_code == 200, r.text
    assert 'id="address-created"' in r.text
    assert "3幢 2单元 501室" in r.text and 'hx-swap-oob="true"' in r.text
    again = client.post(
        f"{URL}/sites/{site}/addresses",
        data={"csrf_token": token, "unit": "二", "room": "501室"},
        headers=HTMX,
    )
    assert again.status_code == 409 and 'id="address-form-errors"' in again.text
    ids = service.find_address_ids(session, SYSTEM_SCOPE, "DEMO-HH-1")
    assert len(ids) == 1
    data = GeographicAddressCreate.model_validate(
        {"siteId": site, "geographicSubAddress": [{"roomNumber": "502"}]}
    )
    assert service.create_address(session, SYSTEM_SCOPE, data, "http://testserver").id
