"""The process screens in a real browser: the instance page renders the BPMN
diagram (bpmn-js, from our own bundle) with done and current task markers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from openboss.auth import service as auth_service
from openboss.db import Database
from openboss.fulfilment.engine import service
from tests.browser_support import console_database, serve_console
from tests.fulfilment.engine.conftest import BPMN, REC
from tests.web.test_browser import shot, watched_page

pytestmark = pytest.mark.browser

ADMIN = ("engineadmin", "engine-pass-1234")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    tmp = tmp_path_factory.mktemp("engine")
    url = console_database(tmp, "engine.db")
    db = Database(url)
    REC.reset()
    with db.transaction() as s:
        auth_service.create_user(s, username=ADMIN[0], password=ADMIN[1], roles=["admin"])
        service.deploy(s, BPMN.read_bytes())
        iid = service.start(
            s, "engineTest", business_key="SO-BROWSER", data={"mode": "auto", "delay": "PT0S"}
        ).id
        service.run(s, iid)
    db.dispose()
    with serve_console(url, tmp) as base:
        yield base, iid


def test_instance_diagram_marks_done_and_current(server: tuple[str, str], browser: Browser) -> None:
    base, iid = server
    page, watch = watched_page(browser, base, "en", 1366, 900)
    page.goto(base + "/console/login")
    page.fill("#username", ADMIN[0])
    page.fill("#password", ADMIN[1])
    page.click("#sign-in")
    page.goto(f"{base}/console/fulfilment/instances/{iid}?lang=en")
    diagram = page.locator(".ob-bpmn[data-ready='1']")
    expect(diagram).to_have_count(1, timeout=15_000)
    expect(diagram.locator("svg").first).to_be_visible()
    # done: start, reserve, activate … (green); current: the message wait (blue)
    expect(diagram.locator("g.djs-element.ob-done[data-element-id='reserve']")).to_have_count(1)
    expect(
        diagram.locator("g.djs-element.ob-current[data-element-id='waitWorkOrder']")
    ).to_have_count(1)
    expect(
        page.locator("#task-log tr[data-task='reserve'][data-outcome='completed']")
    ).to_have_count(1)
    shot(page, "fulfilment-instance")

    page.goto(base + "/console/fulfilment/processes?lang=en")
    expect(page.locator(".ob-bpmn[data-ready='1'] svg").first).to_be_visible(timeout=15_000)
    page.goto(base + "/console/fulfilment/instances?state=waiting&lang=en")
    expect(page.locator(f"#instance-{iid}")).to_be_visible()
    assert not watch.errors, watch.errors
    assert not watch.foreign, watch.foreign
