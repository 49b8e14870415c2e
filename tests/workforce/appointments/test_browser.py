"""The appointments screen in a real browser (Debian's Chromium through
Playwright): sign in as a CSR, find the building, show the slot grid, book the
first free slot and see it in the upcoming list."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from openboss.auth import service as auth_service
from openboss.db import Database
from tests.browser_support import console_database, serve_console
from tests.workforce.appointments.conftest import build_world

pytestmark = pytest.mark.browser

USER = ("appt-csr", "console-pass-1")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("appointments-browser")
    url = console_database(tmp, "console.db")
    db = Database(url)
    with db.session() as s:
        world = build_world(s)
        world.tech(work_days=list(range(7)))
        auth_service.create_user(s, username=USER[0], password=USER[1], roles=["csr"])
        s.commit()
    db.dispose()
    with serve_console(url, tmp) as base:
        yield base


def test_book_a_slot_in_chromium(server: str, browser: Browser) -> None:
    context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 860})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)

    page.goto(server + "/console/workforce/appointments")
    page.fill("#username", USER[0])
    page.fill("#password", USER[1])
    page.click("#sign-in")
    expect(page).to_have_url(f"{server}/console/workforce/appointments")
    expect(page.locator("#main-nav")).to_contain_text("Appointments")
    page.fill("#f-q", "文三路")
    page.click("#search-slots")
    expect(page.locator("#f-address option").first).to_be_attached()
    page.select_option("#f-skill", "ftthInstall")
    page.click("#search-slots")
    expect(page.locator("#slot-grid")).to_be_visible()
    page.fill("#b-phone", "13900003333")
    page.locator(".book-slot").first.click()
    expect(page.locator("#done")).to_contain_text("booked")
    expect(page.locator("#upcoming tbody tr")).to_have_count(1)
    assert errors == []
    context.close()
