"""Pools and stock in a real browser (Debian's Chromium through Playwright):
sign in, open the pools page, search a number pool for a golden number and
reserve it, look at a warehouse's stock — in English, then the page in Chinese."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from openboss.auth import service as auth_service
from openboss.db import Database
from openboss.resource.pools.demo import load_pools_demo
from tests.browser_support import console_database, serve_console

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
USER = ("pool-noc", "console-pass-1")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("pools-browser")
    url = console_database(tmp, "console.db")
    db = Database(url)
    with db.transaction() as s:
        auth_service.create_user(s, username=USER[0], password=USER[1], roles=["noc"])
        load_pools_demo(s)
    db.dispose()
    with serve_console(url, tmp) as base:
        yield base


def test_reserve_a_golden_number_in_chromium(server: str, browser: Browser) -> None:
    context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 860})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)

    page.goto(server + "/console/resource/pools")
    page.fill("#username", USER[0])
    page.fill("#password", USER[1])
    page.click("#sign-in")
    expect(page).to_have_url(f"{server}/console/resource/pools")
    expect(page.locator("h1")).to_contain_text("Pools and stock")
    expect(page.locator("#main-nav")).to_contain_text("Pools and stock")
    expect(page.locator("#ip-pools tbody tr")).to_have_count(3)
    expect(page.locator("tr[data-pool='61.164.10.0/24']")).to_contain_text("20 / 254")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "resource-pools-en.png"), full_page=True)

    page.click("text=杭州移动 1375710")
    expect(page.locator("#pool-status")).to_contain_text("Golden")
    page.fill("#f-pattern", "*8888")
    page.click("button[type=submit]:has-text('Search')")
    row = page.locator("tr[data-number='13757108888']")
    expect(row).to_contain_text("Golden")
    row.locator("input[name=customer_id]").fill("DEMO-HH-1")
    row.locator("button:has-text('Reserve')").click()
    expect(page.locator("#reserved-note")).to_contain_text("13757108888")
    expect(page.locator("tr[data-number='13757108888']")).to_have_count(0)

    page.goto(server + "/console/resource/pools")
    page.click("text=西湖仓")
    expect(page.locator("#stock tbody tr")).to_have_count(4)
    expect(page.locator("tr[data-model='HG8245H']")).to_contain_text("100")

    zh = browser.new_context(locale="zh-CN", storage_state=context.storage_state()).new_page()
    zh.goto(server + "/console/resource/pools")
    expect(zh.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(zh.locator("#number-pools")).to_contain_text("杭州固话 0571-8800")
    zh.screenshot(path=str(ARTIFACTS / "resource-pools-zh.png"), full_page=True)
    assert errors == []
