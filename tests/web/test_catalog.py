"""Catalog console: the offering browser, the offering page, lifecycle
actions with readiness (zh-CN and en)."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from openboss.catalog import yaml_io
from tests.catalog.conftest import build_mapping, make_offering, make_price
from tests.web.conftest import csrf_from

OFFERINGS = "/console/catalog/offerings"
HTMX = {"HX-Request": "true", "HX-Target": "offerings-table"}


def offering_ids(html: str) -> list[str]:
    return re.findall(r'<tr data-offering="([^"]+)"', html)


def test_browser_lists_and_filters_in_both_languages(
    session: Session, console_as: Callable[..., TestClient]
) -> None:
    yaml_io.load_demo_catalog(session)
    make_offering(
        session,
        "po-draft",
        name="Draft offer",
        lifecycleStatus="In design",
        productSpecification=None,
        productOfferingPrice=None,
        place=None,
    )
    session.commit()
    client = console_as("csr")
    page = client.get(f"{OFFERINGS}?lang=en")
    assert page.status_code == 200
    assert "Family Bundle 1000M" in page.text and "eTOM 1.1.1.1" in page.text
    assert len(offering_ids(page.text)) == 12
    zh = client.get(f"{OFFERINGS}?lang=zh_CN").text
    assert "全家享融合套餐 1000M" in zh

    drafts = client.get(f"{OFFERINGS}?status=In+design", headers=HTMX)
    assert drafts.status_code == 200 and "<html" not in drafts.text
    assert offering_ids(drafts.text) == ["po-draft"]
    found = client.get(f"{OFFERINGS}?q=5g", headers=HTMX)
    assert offering_ids(found.text) == ["po-mobile-5g-129", "po-mobile-5g-59"]
    assert client.get(f"{OFFERINGS}?status=Active").status_code == 400


def test_offering_page_shows_prices_members_mapping_versions_and_readiness(
    session: Session, console_as: Callable[..., TestClient]
) -> None:
    yaml_io.load_demo_catalog(session)
    session.commit()
    client = console_as("marketing")
    page = client.get(f"{OFFERINGS}/po-family-1000m?lang=en")
    assert page.status_code == 200
    html = page.text
    for member in ("po-hbb-1000m", "po-mobile-5g-129", "po-iptv-basic", "po-home-terminal"):
        assert f'data-member="{member}"' in html
    assert "−30 % on pop-hbb1000-monthly" in html
    assert "24 months, early termination 600.00 CNY" in html
    assert "broadband-ftth-install" in html and "mobile-activation" in html
    assert 'data-check="testOrder" data-status="pending"' in html
    assert 'data-version="1"' in html
    assert 'data-action="Retired"' in html  # launched: the only move is retirement
    broadband = client.get(f"{OFFERINGS}/po-hbb-100m?lang=en").text
    assert "FTTH/GPON" in broadband and "99.00 CNY / month" in broadband
    csr = console_as("csr").get(f"{OFFERINGS}/po-hbb-100m?lang=en").text
    assert "data-action=" not in csr  # readers see no lifecycle buttons
    assert console_as("csr").get(f"{OFFERINGS}/nope").status_code == 404
    assert console_as("technician").get(OFFERINGS).status_code == 403


def test_launch_refused_with_reasons_then_accepted(
    session: Session, console_as: Callable[..., TestClient]
) -> None:
    build_mapping(session)
    make_price(session, "pop-1")
    make_offering(session, place=None)
    session.commit()
    client = console_as("marketing")
    url = f"{OFFERINGS}/po-bb"
    page = client.get(f"{url}?lang=en")
    token = csrf_from(page.text)
    refused = client.post(f"{url}/lifecycle", data={"target": "Launched", "csrf_token": token})
    assert refused.status_code == 409
    assert "The offering cannot move to Launched." in refused.text
    assert "names no place" in refused.text

    from openboss.catalog import service
    from tests.catalog.conftest import URL

    service.update(session, service.OFFERING, "po-bb", {"place": [{"id": "330100"}]}, URL)
    session.commit()
    done = client.post(
        f"{url}/lifecycle",
        data={"target": "Launched", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert 'id="offering-status">Launched' in client.get(f"{url}?lang=en").text
    no_csrf = client.post(f"{url}/lifecycle", data={"target": "Retired"})
    assert no_csrf.status_code in (400, 403)
    csr = console_as("csr").post(
        f"{url}/lifecycle", data={"target": "Retired", "csrf_token": token}
    )
    assert csr.status_code == 403


def test_edit_makes_a_new_version_and_a_scheduled_one_can_be_withdrawn(
    session: Session, console_as: Callable[..., TestClient]
) -> None:
    build_mapping(session)
    make_price(session, "pop-1")
    make_offering(session)
    from openboss.catalog import service
    from tests.catalog.conftest import URL, launch

    launch(session, "po-bb")
    session.commit()
    client = console_as("manager")
    url = f"{OFFERINGS}/po-bb"
    page = client.get(f"{url}?lang=en")
    assert 'id="offering-edit"' in page.text
    token = csrf_from(page.text)
    form = {
        "csrf_token": token,
        "name": "Broadband 100M plus",
        "name_zh": "宽带 100M 增强版",
        "description": "",
        "places": "330100, 330106-G01",
        "segments": "individual",
        "channels": "",
    }
    bad = client.post(f"{url}/edit", data={**form, "places": "Hangzhou"})
    assert bad.status_code == 400 and "The changes were not saved." in bad.text
    assert 'value="Hangzhou"' in bad.text  # the form comes back as typed
    saved = client.post(f"{url}/edit", data=form, follow_redirects=False)
    assert saved.status_code == 303
    zh = client.get(f"{url}?lang=zh_CN").text
    assert "宽带 100M 增强版" in zh and 'data-version="2"' in zh

    service.update(
        session,
        service.OFFERING,
        "po-bb",
        {"description": "spring", "validFor": {"startDateTime": "2099-03-01T00:00:00Z"}},
        URL,
    )
    session.commit()
    page = client.get(f"{url}?lang=en").text
    assert 'data-withdraw="3"' in page and 'data-withdraw="2"' not in page
    done = client.post(
        f"{url}/versions/3/withdraw", data={"csrf_token": token}, follow_redirects=False
    )
    assert done.status_code == 303
    page = client.get(f"{url}?lang=en").text
    assert "data-withdraw=" not in page and "spring" not in page
    again = client.post(f"{url}/versions/2/withdraw", data={"csrf_token": token})
    assert again.status_code == 409 and "Version 2 cannot be withdrawn." in again.text
