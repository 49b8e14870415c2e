"""The customer's public rating page in a real browser (Chromium, phone size):
no login, Chinese from the browser's language, English by ``?lang=en``; the
stars are given once and the link then says it was used."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from openboss.db import Database
from openboss.party.demo import load_party_demo
from openboss.workforce.assessment import rating
from openboss.workforce.demo import load_workforce_demo
from openboss.workforce.models import WorkOrder
from tests.browser_support import console_database, serve_console
from tests.web.test_browser import shot, watched_page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    tmp = tmp_path_factory.mktemp("rating")
    url = console_database(tmp, "rating.db")
    db = Database(url)
    with db.transaction() as s:
        load_party_demo(s, "http://127.0.0.1", customers=3)
        load_workforce_demo(s)
        order = s.scalars(select(WorkOrder).where(WorkOrder.assignee_id.is_not(None))).first()
        assert order is not None
        invitation = rating.invite(
            s, {"id": order.id, "assignee": {"id": order.assignee_id}, "regionId": order.region_id}
        )
        assert invitation is not None
        link = invitation.link
    db.dispose()
    with serve_console(url, tmp) as base:
        yield base, link


def test_customer_rates_once(server: tuple[str, str], browser: Browser) -> None:
    base, link = server
    page, watch = watched_page(browser, base, "zh-CN", 390, 844)
    page.goto(base + link)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("#rating-form")).to_be_visible()
    page.goto(base + link + "?lang=en")
    expect(page.locator("h1")).to_contain_text("Rate our service")
    expect(page.locator("#job-summary")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.click("#rating-submit")  # no stars chosen: refused, nothing recorded
    expect(page.locator("#rating-error")).to_contain_text("Choose 1 to 5 stars")
    page.check("#stars-4")
    page.fill("#rating-comment", "Quick and tidy")
    shot(page, "workforce-rating", full_page=False)
    page.click("#rating-submit")
    expect(page.locator("#rating-done")).to_contain_text("Thank you")
    assert watch.errors == [] and watch.foreign == []
    page.goto(base + link + "?lang=en")
    expect(page.locator("#rating-closed")).to_contain_text("already been rated")
