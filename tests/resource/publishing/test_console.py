"""The building view in the console (TestClient; the browser test is test_browser.py)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from openboss.auth.deps import SESSION_COOKIE
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.resource.demo import CABLE_PARTNER
from openboss.resource.publishing import availability
from openboss.resource.publishing.coverage import create_coverage
from openboss.resource.publishing.schemas import PartnerCoverageCreate
from tests.conftest import token_for

from .conftest import Ftth

URL = "/console/resource/buildings"


def as_(client: TestClient, roles: str, **kw: object) -> TestClient:
    client.cookies.set(SESSION_COOKIE, token_for(roles, **kw))  # type: ignore[arg-type]
    return client


def setup(
    session: Session,
    make_site: Callable[..., str],
    make_flat: Callable[..., str],
    build_ftth: Callable[..., Ftth],
) -> tuple[str, str, str]:
    ftth = make_site("8幢", code="B-FTTH")
    partner = make_site("9幢", code="B-CABLE")
    build_ftth(ftth, used=3, cascade=True)
    create_coverage(
        session,
        SYSTEM_SCOPE,
        PartnerCoverageCreate.model_validate(
            {"siteId": partner, "partnerId": CABLE_PARTNER, "capacity": 100, "used": 25}
        ),
    )
    availability.refresh_sites(session, [ftth, partner])
    return ftth, partner, make_flat(ftth, "1", "301")


def test_building_list_shows_coverage_by_owner(
    session: Session,
    client: TestClient,
    make_site: Callable[..., str],
    make_flat: Callable[..., str],
    build_ftth: Callable[..., Ftth],
) -> None:
    ftth, partner, _flat = setup(session, make_site, make_flat, build_ftth)
    page = as_(client, "csr").get(URL + "?lang=en")
    assert page.status_code == 200
    assert f'data-site-id="{ftth}"' in page.text and f'data-site-id="{partner}"' in page.text
    assert "Own FTTH" in page.text and "Hangzhou Cable Network" in page.text
    assert "75 / 100" in page.text  # partner free / total
    zh = client.get(URL + "?lang=zh-CN&q=9幢")
    assert "杭州有线网络" in zh.text and f'data-site-id="{ftth}"' not in zh.text
    fragment = client.get(
        URL + "?q=8幢", headers={"HX-Request": "true", "HX-Target": "building-results"}
    )
    assert fragment.text.lstrip().startswith('<div id="building-results"')


def test_building_page_tree_availability_and_qualification(
    session: Session,
    client: TestClient,
    make_site: Callable[..., str],
    make_flat: Callable[..., str],
    build_ftth: Callable[..., Ftth],
) -> None:
    ftth, partner, flat = setup(session, make_site, make_flat, build_ftth)
    c = as_(client, "noc")
    page = c.get(f"{URL}/{ftth}?lang=en")
    assert page.status_code == 200
    assert 'data-type="ftthAccess" data-status="available"' in page.text
    # L1 splitter with its L2 splitter nested, port counts shown
    assert page.text.count('data-node="splitter"') == 2
    assert "5 free, 3 used of 8 ports" in page.text
    assert 'data-node="olt"' in page.text
    answer = c.get(f"{URL}/{ftth}?address={flat}&lang=en")
    assert 'data-service="cfs-internet-access" data-result="qualified"' in answer.text
    assert 'data-service="cfs-leased-line" data-result="unqualified"' in answer.text
    fragment = c.get(
        f"{URL}/{ftth}?address={flat}",
        headers={"HX-Request": "true", "HX-Target": "qualify-results"},
    )
    assert fragment.text.lstrip().startswith('<div id="qualify-results"')
    zh = c.get(f"{URL}/{partner}?lang=zh-CN")
    assert ("合作方覆盖" in zh.text and "75 / 100" in zh.text) or "25 / 100" in zh.text


def test_building_page_errors_and_roles(
    session: Session,
    client: TestClient,
    make_site: Callable[..., str],
    make_flat: Callable[..., str],
    build_ftth: Callable[..., Ftth],
) -> None:
    ftth, partner, flat = setup(session, make_site, make_flat, build_ftth)
    assert as_(client, "csr").get(f"{URL}/nope").status_code == 404
    assert client.get(f"{URL}/{partner}?address={flat}").status_code == 404
    other = as_(client, "csr", regions=["330105"])
    assert other.get(f"{URL}/{ftth}").status_code == 404
    assert as_(client, "billing").get(URL).status_code == 403
