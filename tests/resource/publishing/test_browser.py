"""The building view in a real browser (Debian's Chromium driven by Playwright):
the demo city with the resource demo, signed in, searched, a building opened and
an address qualified through htmx, in Chinese and in English."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from openboss.auth import service as auth_service
from openboss.db import Database
from openboss.party.demo import load_party_demo
from openboss.resource.demo import load_resource_demo
from tests.browser_support import console_database, serve_console

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts"
USER = ("noc-li", "console-pass-1")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("buildings")
    url = console_database(tmp, "console.db")
    db = Database(url)
    with db.transaction() as s:
        auth_service.create_user(
            s, username=USER[0], password=USER[1], roles=["noc"], display_name="网管 李"
        )
        load_party_demo(s, "http://127.0.0.1", customers=10)
        load_resource_demo(s)
    db.dispose()
    with serve_console(url, tmp) as base:
        yield base


def test_building_view_in_chromium(server: str, browser: Browser) -> None:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server + "/console/login")
    page.fill("#username", USER[0])
    page.fill("#password", USER[1])
    page.click("#sign-in")
    page.click("a[data-nav='/console/resource/buildings']")
    expect(page).to_have_url(f"{server}/console/resource/buildings")
    # search the tour's FTTH compound through htmx
    page.fill("#building-q", "翠苑一区")
    row = page.locator("#building-results tr", has_text="DEMO-B-FTTH")
    expect(row).to_be_visible()
    row.locator("a").click()
    expect(page.locator("#availability-table tr[data-type='ftthAccess']")).to_have_attribute(
        "data-status", "available"
    )
    expect(page.locator("#network-tree [data-node='olt']")).to_be_visible()
    page.click("#qualify-button")
    internet = page.locator("#qualify-table tr[data-service='cfs-internet-access']")
    expect(internet).to_have_attribute("data-result", "qualified")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "resource-building-zh.png"), full_page=True)
    # the same building in English
    page.goto(page.url.split("?")[0] + "?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#availability-title")).to_have_text("Availability")
    page.screenshot(path=str(ARTIFACTS / "resource-building-en.png"), full_page=True)
    assert errors == []
    context.close()
