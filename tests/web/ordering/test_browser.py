"""The order entry wizard in Chromium: a CSR signs in, goes through every step for
DEMO-HH-1's covered flat (own FTTH) and submits; the order's page opens. Labels
are Chinese under zh-CN."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from openboss.auth import service as auth_service
from openboss.catalog.yaml_io import load_demo_catalog
from openboss.db import Database
from openboss.demo import load_fulfilment_demo
from openboss.party.demo import load_party_demo
from openboss.resource.demo import load_resource_demo
from openboss.workforce.demo import load_workforce_demo
from tests.browser_support import console_database, serve_console
from tests.web.test_browser import shot, watched_page

pytestmark = pytest.mark.browser

CSR = ("csr-wizard", "csr-pass-1234")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("ordering")
    url = console_database(tmp, "ordering.db")
    db = Database(url)
    with db.transaction() as s:
        auth_service.create_user(
            s, username=CSR[0], password=CSR[1], roles=["csr"], display_name="营业员"
        )
        load_party_demo(s, "http://127.0.0.1", customers=5)
        load_resource_demo(s, None)
        load_workforce_demo(s)
        load_demo_catalog(s, base_url="http://127.0.0.1")
        load_fulfilment_demo(s)
    db.dispose()
    with serve_console(url, tmp) as base:
        yield base


def test_order_wizard_in_chromium(server: str, browser: Browser) -> None:
    page, watch = watched_page(browser, server, "zh-CN", 1366, 900)
    page.goto(server + "/console/ordering/new")
    page.fill("#username", CSR[0])
    page.fill("#password", CSR[1])
    page.click("#sign-in")
    expect(page).to_have_url(f"{server}/console/ordering/new")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("#wizard-steps")).to_contain_text("客户")
    expect(page.locator(".ob-etom")).to_contain_text("1.1.1.5")

    page.fill("#w-q", "DEMO-HH-1")
    page.click("#w-search")
    expect(page.locator("input[name=customer_id]")).to_have_count(1)
    page.click("#w-next")
    expect(page.locator("input[name=step]")).to_have_value("address")
    page.click("#w-qualify")
    expect(page.locator("#qualification")).to_be_visible()
    page.click("#w-next")
    expect(page.locator("input[name=step]")).to_have_value("offer")
    page.check("#o-po-hbb-300m")
    page.click("#w-next")
    expect(page.locator("input[name=step]")).to_have_value("characteristics")
    page.click("#w-next")
    expect(page.locator("input[name=step]")).to_have_value("appointment")
    page.click("#w-slots")  # TMF646 free slots of the FTTH installers in 西湖区
    expect(page.locator("#slots")).to_be_visible()
    page.check("#slot-1")
    page.click("#w-next")
    expect(page.locator("#price-summary")).to_be_visible()
    expect(page.locator("#summary [data-slot]")).to_have_count(1)  # the chosen slot
    page.fill("#w-contact", "13800138000")
    shot(page, "ordering-wizard-summary")
    page.click("#w-submit")
    expect(page).to_have_url(re.compile(r"/console/ordering/orders/[0-9a-f-]{36}\?done=created$"))
    order_id = page.url.split("/")[-1].split("?")[0]
    expect(page.locator("h1")).to_contain_text(order_id)
    expect(page.locator("#sla-clock")).to_be_visible()
    expect(page.locator("#items")).to_be_visible()
    shot(page, "ordering-order-detail")
    page.goto(server + "/console/ordering/orders")
    expect(page.locator(f"#order-{order_id}")).to_be_visible()
    assert watch.errors == [], watch.errors
    assert watch.foreign == [], watch.foreign
