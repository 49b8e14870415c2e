"""The console in a real browser: Debian's Chromium driven by Playwright.

A real server (uvicorn on a free loopback port, a fresh migrated SQLite
database, one administrator) is signed in to, switched between languages,
used on a phone-sized screen, and photographed: the screenshots land in
``test-artifacts/`` for a person to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from openboss.auth import service as auth_service
from openboss.db import Database
from openboss.events.models import DEAD
from openboss.kit.clock import utcnow
from openboss.party.demo import load_party_demo
from openboss.worker.models import Job
from tests.browser_support import console_database, serve_console

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
ADMIN = ("ops-admin", "console-pass-1")
EXPECTED_4XX = re.compile(r"Failed to load resource: the server responded with a status of 40[019]")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a console served by uvicorn from a thread."""
    tmp = tmp_path_factory.mktemp("browser")
    url = console_database(tmp, "console.db")
    db = Database(url)
    with db.transaction() as s:
        auth_service.create_user(
            s, username=ADMIN[0], password=ADMIN[1], roles=["admin"], display_name="运维管理员"
        )
        # Hangzhou's regions, buildings and the tour customers (a few generated ones)
        load_party_demo(s, "http://127.0.0.1", customers=20)
        now = utcnow()
        s.add(
            Job(
                kind="billing.close_cycle",
                payload={"cycle": "2024-05"},
                status=DEAD,
                attempts=5,
                max_attempts=5,
                last_error="ConnectionRefusedError: rating engine unreachable at 127.0.0.1:9",
                created_at=now,
                finished_at=now,
            )
        )
    db.dispose()
    with serve_console(url, tmp) as base:
        yield base


@dataclass
class Watch:
    """What the page did that it should not: script errors, CSP violations, foreign requests."""

    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)


def watched_page(
    browser: Browser, server: str, locale: str, width: int, height: int
) -> tuple[Page, Watch]:
    context = browser.new_context(locale=locale, viewport={"width": width, "height": height})
    page = context.new_page()
    watch = Watch()
    host = urlsplit(server).netloc

    def on_console(message: ConsoleMessage) -> None:
        # 400/401 answers are expected here (a refused form); Chromium logs each one
        if message.type == "error" and not EXPECTED_4XX.match(message.text):
            watch.errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda e: watch.errors.append(str(e)))
    page.on(
        "response",
        lambda r: watch.errors.append(f"{r.status} {r.url}") if r.status >= 500 else None,
    )
    page.on(
        "request",
        lambda r: (
            watch.foreign.append(r.url)
            if not r.url.startswith("data:") and urlsplit(r.url).netloc != host
            else None
        ),
    )
    return page, watch


def shot(page: Page, name: str, *, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def test_console_in_chromium(server: str, browser: Browser) -> None:
    page, watch = watched_page(browser, server, "zh-CN", 1366, 860)

    # the site root leads to the sign-in page, in Chinese for a Chinese browser
    page.goto(server + "/")
    expect(page).to_have_url(f"{server}/console/login?next=%2Fconsole")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h2")).to_have_text("登录")
    shot(page, "console-login-zh")

    page.fill("#username", ADMIN[0])
    page.fill("#password", "wrong-password")
    page.click("#sign-in")
    expect(page.locator("#login-error")).to_contain_text("用户名或密码错误")
    page.fill("#password", ADMIN[1])
    page.click("#sign-in")
    expect(page).to_have_url(f"{server}/console")
    expect(page.locator("h1")).to_contain_text("工作台")
    expect(page.locator("#stat-users .ob-stat-value")).to_have_text("1")
    shot(page, "console-dashboard-zh")

    # switch the language in the header menu: the page comes back in English
    page.click("button[aria-label='语言']")
    page.click("a[data-lang='en']")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_contain_text("Dashboard")
    expect(page.locator("#main-nav")).to_contain_text("Audit log")

    # the users screen: a bad password is refused inline, then the user is created (htmx)
    page.click("a[data-nav='/console/admin/users']")
    expect(page.locator("h1")).to_contain_text("Users")
    expect(page.locator("#user-create")).to_be_hidden()
    page.click("#new-user-button")
    expect(page.locator("#user-create")).to_be_visible()
    page.fill("#new-username", "li.lei")
    page.fill("#new-display-name", "李雷")
    page.fill("#new-password", "short")
    page.check("#role-csr")
    page.check("#role-dispatcher")
    page.fill("#new-regions", "gz, sz")
    page.click("#create-user")
    expect(page.locator("#password-error")).to_have_text("Use at least 8 characters.")
    expect(page.locator("#new-username")).to_have_value("li.lei")
    page.fill("#new-password", "long-enough-pass")
    page.click("#create-user")
    expect(page.locator("#user-created")).to_contain_text("li.lei")
    expect(page.locator("#users-table tr[data-username='li.lei']")).to_contain_text("dispatcher")
    expect(page).to_have_url(f"{server}/console/admin/users")  # htmx, no page load
    expect(page.locator("#new-password")).not_to_have_class(re.compile("is-invalid"))
    shot(page, "console-users-en")

    # the audit log filters as you type
    page.click("a[data-nav='/console/admin/audit']")
    expect(page.locator("h1")).to_contain_text("Audit log")
    rows = page.locator("#audit-table tr[data-audit-id]")
    expect(rows).to_have_count(25)  # a full first page: the demo customers' rows are there too
    page.fill("#f-actor", ADMIN[0])
    expect(rows).to_have_count(2)
    expect(page).to_have_url(
        f"{server}/console/admin/audit?entity_type=&entity_id=&actor={ADMIN[0]}&action="
    )
    page.select_option("#f-action", "create")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("li.lei")
    shot(page, "console-audit-en")

    # a job that failed for good is queued again from the dead-letters screen
    page.click("a[data-nav='/console/admin/dead-letters']")
    expect(page.locator("h1")).to_contain_text("Event dead letters")
    expect(page.locator("#count-job .ob-stat-value")).to_have_text("1")
    shot(page, "console-dead-letters-en")
    page.click("#dead-letters-table tr[data-dead-letter] button[type=submit]")
    expect(page.locator("#dead-letter-notice")).to_contain_text("billing.close_cycle")
    expect(page.locator("#dead-letters-table tr[data-dead-letter]")).to_have_count(0)

    # back to Chinese for the same screen
    page.click("button[aria-label='Language']")
    page.click("a[data-lang='zh_CN']")
    expect(page.locator("h1")).to_contain_text("事件死信")

    # the jobs screen shows the retried job waiting again and filters by status (htmx)
    page.click("a[data-nav='/console/admin/jobs']")
    expect(page.locator("h1")).to_contain_text("任务队列")
    jobs = page.locator("#jobs-table tr[data-job]")
    expect(jobs).to_have_count(1)
    expect(jobs.first).to_have_attribute("data-status", "pending")
    page.select_option("#f-status", "dead")
    expect(jobs).to_have_count(0)
    expect(page).to_have_url(f"{server}/console/admin/jobs?status=dead&kind=")
    page.select_option("#f-status", "pending")
    expect(jobs).to_have_count(1)
    shot(page, "console-jobs-zh")
    page.goto(server + "/console/admin/users")
    expect(page.locator("h1")).to_contain_text("用户")
    shot(page, "console-users-zh")

    # a phone: the side navigation is off-canvas until the menu button opens it
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server + "/console")
    sidebar = page.locator("#sidebar")
    expect(sidebar).not_to_be_in_viewport()
    page.click(".ob-nav-toggle")
    expect(sidebar).to_be_in_viewport(ratio=1)  # slid in completely
    shot(page, "console-mobile-nav-zh", full_page=False)
    page.keyboard.press("Escape")
    expect(sidebar).not_to_be_in_viewport()
    shot(page, "console-mobile-dashboard-zh", full_page=False)

    # sign out from the user menu
    page.click("#user-menu")
    page.click("#logout")
    expect(page).to_have_url(f"{server}/console/login")
    page.goto(server + "/console/admin/users")
    expect(page).to_have_url(f"{server}/console/login?next=%2Fconsole%2Fadmin%2Fusers")

    assert watch.errors == [], watch.errors
    assert watch.foreign == [], watch.foreign


def test_customer_search_and_360_in_chromium(server: str, browser: Browser) -> None:
    """eTOM 1.1.1.2 in a browser: find a customer, open the 360 view, log a contact."""
    page, watch = watched_page(browser, server, "zh-CN", 1366, 860)
    page.goto(server + "/console/login")
    page.fill("#username", ADMIN[0])
    page.fill("#password", ADMIN[1])
    page.click("#sign-in")
    expect(page).to_have_url(f"{server}/console")
    page.click("a[data-nav='/console/party/customers']")
    expect(page.locator("h1")).to_contain_text("客户查询")
    page.fill("#customer-q", "DEMO-HH-1")
    page.click("#customer-search-button")
    row = page.locator("#customer-results tbody tr")
    expect(row).to_have_count(1)
    shot(page, "party-customer-search-zh")
    row.locator("a").click()
    expect(page.locator("h1")).to_contain_text("eTOM 1.1.1.2")
    expect(page.locator("#customer-addresses")).to_contain_text("翠苑一区")
    expect(page.locator("#customer-accounts tbody tr")).to_have_count(1)
    shot(page, "party-customer-360-zh")
    page.click("text=登记接触")
    expect(page).to_have_url(re.compile(r"/console/party/interactions/new\?customerId="))
    assert watch.errors == [], watch.errors
    assert watch.foreign == [], watch.foreign
