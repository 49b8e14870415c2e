"""The technician's phone view in a real browser (Chromium at 390×844):
sign in as the demo technician, walk a job from accepted to completed, and
fail another with a reason — without horizontal scrolling, script errors or
requests to other hosts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from openboss.auth import service as auth_service
from openboss.db import Database
from openboss.party.demo import load_party_demo
from openboss.workforce.demo import load_workforce_demo
from tests.browser_support import console_database, serve_console
from tests.web.test_browser import shot, watched_page

pytestmark = pytest.mark.browser

TECH = ("tech1", "tech-pass-1234")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("phone")
    url = console_database(tmp, "phone.db")
    db = Database(url)
    with db.transaction() as s:
        auth_service.create_user(
            s, username=TECH[0], password=TECH[1], roles=["technician"], display_name="施工人员 1"
        )
        load_party_demo(s, "http://127.0.0.1", customers=5)
        load_workforce_demo(s)
    db.dispose()
    with serve_console(url, tmp) as base:
        yield base


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_technician_phone_view(server: str, browser: Browser) -> None:
    page, watch = watched_page(browser, server, "zh-CN", 390, 844)
    page.goto(server + "/console/workforce/my-jobs")
    expect(page).to_have_url(f"{server}/console/login?next=%2Fconsole%2Fworkforce%2Fmy-jobs")
    page.fill("#username", TECH[0])
    page.fill("#password", TECH[1])
    page.click("#sign-in")
    expect(page).to_have_url(f"{server}/console/workforce/my-jobs")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    # texts are asserted in English: the zh-CN catalog entries are merged by the lead
    page.goto(server + "/console/workforce/my-jobs?lang=en")
    expect(page.locator("h1")).to_contain_text("My jobs")
    cards = page.locator("#my-jobs article")
    assert cards.count() >= 3
    _fits(page)
    shot(page, "workforce-my-jobs", full_page=False)

    # a dispatched job: accept → set off → arrive → complete with the ONT serial
    job = page.locator("article[data-field-state='dispatched']").first
    job_id = job.get_attribute("id")
    assert job_id
    card = page.locator(f"#{job_id}")
    for label, field_state in (
        ("Accept", "accepted"),
        ("Set off", "enRoute"),
        ("Arrived on site", "onSite"),
    ):
        expect(card.locator(".job-next")).to_have_text(label)
        card.locator(".job-next").click()
        expect(page).to_have_url(f"{server}/console/workforce/my-jobs#{job_id}")
        card = page.locator(f"#{job_id}")
        expect(card).to_have_attribute("data-field-state", field_state)
    expect(card.locator(".job-complete-button")).to_be_visible()
    _fits(page)
    shot(page, "workforce-my-jobs-on-site", full_page=False)
    card.locator(".job-complete-button").click()  # nothing entered: refused, said why
    expect(page.locator(f"#{job_id} .job-error")).to_be_visible()
    card = page.locator(f"#{job_id}")
    card.locator("input[name='ontSerial']").fill("ZTEG00C0FFEE")
    card.locator("textarea[name='notes']").fill("入户光纤已布放")
    card.locator(".job-complete-button").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator(f"#{job_id}")).to_have_attribute("data-state", "completed")

    # the job already on site fails with a reason
    on_site = page.locator("article[data-field-state='onSite'][data-state='inProgress']").first
    other = on_site.get_attribute("id")
    assert other
    on_site.locator("input[name='reason']").fill("Customer not at home")
    on_site.locator(".job-fail-button").click()
    expect(page.locator(f"#{other}")).to_have_attribute("data-state", "failed")
    _fits(page)
    shot(page, "workforce-my-jobs-failed", full_page=False)

    assert watch.errors == [], watch.errors
    assert watch.foreign == [], watch.foreign
