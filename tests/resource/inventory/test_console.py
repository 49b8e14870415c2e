"""Console screens of the inventory through the TestClient (search, detail,
lifecycle actions with CSRF, scope, zh-CN and en) on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from openboss.kit.scope import SYSTEM_SCOPE
from openboss.resource.inventory import service
from openboss.resource.inventory.models import Resource
from tests.resource.inventory.conftest import Network, add_partner, build_network
from tests.web.conftest import csrf_from

URL = "/console/resource/resources"


def test_search_and_filters(console_as: Callable[..., TestClient], network: Network) -> None:
    client = console_as("csr")
    page = client.get(URL, params={"lang": "en"})
    assert page.status_code == 200
    assert "Resource search" in page.text and "SPL-1/1" in page.text
    r = client.get(URL, params={"q": "SPL-1/", "spec": "splitterPort", "status": "available"})
    assert r.status_code == 200 and r.text.count("data-resource-id=") == 8
    r = client.get(URL, params={"spec": "olt", "site": network.site})
    assert r.text.count("data-resource-id=") == 1
    r = client.get(URL, params={"owner": "PARTNER-X"})
    assert "No resource matches." in r.text
    fragment = client.get(URL, params={"q": "OLT"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'id="resource-results"' in fragment.text


def test_chinese_console(console_as: Callable[..., TestClient], network: Network) -> None:
    client = console_as("noc")
    r = client.get(URL, headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 200
    assert "分光器端口" in r.text  # the spec's zh-CN name
    d = client.get(f"{URL}/{network.splitter}", headers={"Accept-Language": "zh-CN"})
    assert d.status_code == 200 and "分光器" in d.text


def test_detail_and_lifecycle_actions(
    console_as: Callable[..., TestClient], network: Network, session: Session
) -> None:
    port = network.ports[0]
    service.allocate_now(
        session, SYSTEM_SCOPE, resource_ids=[port], service_id="SVC-7", customer_id="C-7"
    )
    session.commit()
    client = console_as("noc")
    page = client.get(f"{URL}/{port}")
    assert page.status_code == 200
    assert "SVC-7" in page.text and "C-7" in page.text  # usage history
    assert "SPL-1" in page.text and "OLT-1" in page.text  # containment chain
    assert 'data-action="release"' in page.text and 'data-action="retire"' not in page.text
    token = csrf_from(page.text)
    # without the token: refused, nothing changes
    bad = client.post(
        f"{URL}/{port}/lifecycle", data={"action": "release", "reason": "x"}, follow_redirects=False
    )
    assert bad.status_code in (400, 403)
    r = client.post(
        f"{URL}/{port}/lifecycle",
        data={"action": "release", "reason": "cancelled", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    session.expire_all()
    row = session.get(Resource, port)
    assert row is not None and row.lifecycle_status == "available"
    page = client.get(f"{URL}/{port}")
    token = csrf_from(page.text)
    # releasing again is a conflict shown on the page
    r = client.post(
        f"{URL}/{port}/lifecycle",
        data={"action": "release", "reason": "again", "csrf_token": token},
    )
    assert r.status_code == 409 and 'id="resource-error"' in r.text
    r = client.post(
        f"{URL}/{port}/lifecycle",
        data={"action": "retire", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    session.expire_all()
    row = session.get(Resource, port)
    assert row is not None and row.lifecycle_status == "retired"


def test_readers_cannot_act_and_partners_see_their_own(
    console_as: Callable[..., TestClient],
    network: Network,
    session: Session,
    make_site: Callable[..., str],
) -> None:
    add_partner(session)
    theirs = build_network(session, make_site("8幢"), ports=1, owner="PARTNER-1")
    session.commit()
    client = console_as("csr")
    page = client.get(f"{URL}/{network.ports[0]}")
    assert page.status_code == 200 and "data-action=" not in page.text
    assert (
        client.post(f"{URL}/{network.ports[0]}/lifecycle", data={"action": "retire"}).status_code
        == 403
    )
    client = console_as("partner", partner_id="PARTNER-1")
    assert client.get(f"{URL}/{network.olt}").status_code == 404
    assert client.get(f"{URL}/{theirs.olt}").status_code == 200
    listed = client.get(URL)
    assert listed.text.count("data-resource-id=") == 6
    assert client.get(f"{URL}/nope").status_code == 404
