"""The resource detail page in a real browser (Debian's Chromium through
Playwright): containment, usage history, and the release action with its
CSRF-protected form, in English then Chinese."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

import openboss.party.address.places  # noqa: F401 - registers the place directory
from openboss.auth import service as auth_service
from openboss.db import Database
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.party.address import service as address_service
from openboss.party.address.schemas import GeographicSiteCreate
from openboss.party.region.service import create_region
from openboss.resource.inventory import service
from openboss.resource.inventory.specs import ensure_builtin_specs
from tests.browser_support import console_database, serve_console
from tests.resource.inventory.conftest import build_network

pytestmark = pytest.mark.browser

NOC = ("noc-li", "console-pass-1")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    tmp = tmp_path_factory.mktemp("inventory-browser")
    url = console_database(tmp, "console.db")
    db = Database(url)
    with db.transaction() as s:
        auth_service.create_user(s, username=NOC[0], password=NOC[1], roles=["noc"])
        create_region(s, id="330000", parent_id=None, level="province", name="浙江省")
        create_region(s, id="330100", parent_id="330000", level="city", name="杭州市")
        create_region(s, id="330106", parent_id="330100", level="district", name="西湖区")
        site = address_service.create_site(
            s,
            SYSTEM_SCOPE,
            GeographicSiteCreate.model_validate(
                {
                    "streetName": "文三路",
                    "streetNr": "90号",
                    "buildingName": "3幢",
                    "regionId": "330106",
                }
            ),
            "http://127.0.0.1",
        ).id
        ensure_builtin_specs(s)
        net = build_network(s, site, ports=2)
        service.allocate_now(
            s, SYSTEM_SCOPE, resource_ids=[net.ports[0]], service_id="SVC-42", customer_id="C-42"
        )
        port = net.ports[0]
    db.dispose()
    with serve_console(url, tmp) as base:
        yield base, port


def test_resource_detail_in_chromium(server: tuple[str, str], browser: Browser) -> None:
    base, port = server
    errors: list[str] = []
    page = browser.new_context(locale="en").new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/console/login?next=/console/resource/resources/{port}")
    page.fill("#username", NOC[0])
    page.fill("#password", NOC[1])
    page.click("#sign-in")
    expect(page).to_have_url(f"{base}/console/resource/resources/{port}")
    expect(page.locator("h1")).to_contain_text("SPL-1/1")
    expect(page.locator("#resource-chain")).to_contain_text("OLT-1")
    expect(page.locator("#resource-usage")).to_contain_text("SVC-42")
    expect(page.locator("#resource-status")).to_have_text("Allocated")
    expect(page.locator("#main-nav")).to_contain_text("Resource search")
    page.fill("#release-reason", "customer cancelled")
    page.click("button[data-action='release']")
    expect(page.locator("#resource-status")).to_have_text("Available")
    expect(page.locator("#resource-usage")).not_to_contain_text("in use")
    # the search screen finds it again, and links back
    page.click("a[data-nav='/console/resource/resources']")
    page.fill("#resource-q", "SPL-1/1")
    page.click("#resource-results-title")  # keep focus off the field
    page.locator("form[role=search] button[type=submit]").click()
    expect(page.locator(f"tr[data-resource-id='{port}']")).to_be_visible()
    # in Chinese
    page.goto(f"{base}/console/resource/resources/{port}?lang=zh-CN")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_contain_text("SPL-1/1")
    assert errors == []
