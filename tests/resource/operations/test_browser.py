"""The operations screens in a real browser (Chromium via Playwright): an
import rejected with its report, a dry run, then a reconciliation resolved."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from openboss.auth import service as auth_service
from openboss.db import Database
from openboss.resource.inventory.specs import ensure_builtin_specs
from tests.browser_support import console_database, serve_console
from tests.web.test_browser import shot, watched_page

pytestmark = pytest.mark.browser
NOC = ("noc-1", "console-pass-2")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("ops-browser")
    url = console_database(tmp, "ops.db")
    db = Database(url)
    with db.transaction() as s:
        auth_service.create_user(s, username=NOC[0], password=NOC[1], roles=["noc"])
        ensure_builtin_specs(s)
    db.dispose()
    with serve_console(url, tmp) as base:
        yield base


def test_import_and_reconcile_in_chromium(
    server: str,
    browser: Browser,
    tmp_path: Path,
) -> None:
    page, watch = watched_page(browser, server, "en", 1366, 860)
    page.goto(server + "/console/resource/import")
    page.fill("#username", NOC[0])
    page.fill("#password", NOC[1])
    page.click("#sign-in")
    expect(page.locator("h1")).to_contain_text("Import")
    expect(page.locator("#main-nav")).to_contain_text("Cutover")

    bad = tmp_path / "bad.csv"
    bad.write_text("spec,name,value,char.ratio\nsplitter,S,SPL-1,12\nnosuch,X,X1,\n")
    page.set_input_files("#im-file", str(bad))
    page.click("#import-submit")
    report = page.locator("#import-report")
    expect(report).to_contain_text("not one of 8, 32, 64")
    expect(report).to_contain_text("unknown spec 'nosuch'")
    shot(page, "resource-import-report-en")

    good = tmp_path / "net.csv"
    good.write_text(
        "ref,spec,name,value,parent,char.ratio\n"
        "o,olt,OLT,OLT-W,,\nc,oltCard,C,OLT-W/0,o,\np,ponPort,P1,OLT-W/0/1,c,\n"
        "s,splitter,S,SPL-W,p,8\nsp,splitterPort,SP,SPL-W:1,s,\n,ont,ONT,SN-W1,sp,\n"
    )
    page.set_input_files("#im-file", str(good))
    page.check("#im-dry")
    page.click("#import-submit")
    expect(page.locator("#import-result")).to_contain_text("Dry run")
    page.set_input_files("#im-file", str(good))
    page.click("#import-submit")
    expect(page.locator("#import-result")).to_contain_text("6 resource(s) imported")

    snap = tmp_path / "snap.csv"
    snap.write_text("olt,ponPort,ontSerial\nOLT-W,OLT-W/0/1,SN-W2\n")
    page.goto(server + "/console/resource/reconciliation")
    page.set_input_files("#rc-file", str(snap))
    page.fill("#rc-source", "EMS export")
    page.click("#reconcile-form button[type=submit]")
    table = page.locator("#discrepancies")
    expect(table).to_contain_text("SN-W1")
    expect(table).to_contain_text("SN-W2")
    row = page.locator("tr", has_text="SN-W2")
    row.locator("select[name=resolution]").select_option("acceptNetwork")
    row.locator("button[type=submit]").click()
    expect(page.locator("tr", has_text="SN-W2")).to_contain_text("Accept the network")
    shot(page, "resource-reconciliation-en")
    assert not watch.errors, watch.errors
    assert not watch.foreign, watch.foreign
