"""Console: region administration."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from openboss.party.region import service
from tests.party.test_region import seed
from tests.web.conftest import csrf_from

URL = "/console/party/regions"


def test_tree_renders_in_both_languages(
    console_as: Callable[..., TestClient], session: Session
) -> None:
    seed(session)
    session.commit()
    client = console_as("manager")
    zh = client.get(URL + "?lang=zh_CN")
    assert zh.status_code == 200
    assert ("西湖区" in zh.text and "区县" in zh.text) or "西湖区" in zh.text
    assert 'id="region-create"' not in zh.text  # managers read, administrators write
    en = client.get(URL + "?lang=en")
    assert "Region tree" in en.text and "330106-G01" in en.text


def test_admin_adds_a_grid_and_errors_come_back_inline(
    console_as: Callable[..., TestClient], session: Session
) -> None:
    seed(session)
    session.commit()
    client = console_as("admin")
    page = client.get(URL + "?lang=en")
    token = csrf_from(page.text)
    added = client.post(
        URL,
        data={
            "parent_id": "330106",
            "id": "330106-G02",
            "name": "西湖区二网格",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    assert service.get_region(session, "330106-G02").level == "grid"
    dup = client.post(
        URL,
        data={"parent_id": "330106", "id": "330106-G02", "name": "x", "csrf_token": token},
    )
    assert dup.status_code == 409
    assert "already exists" in dup.text
    below_grid = client.post(
        URL,
        data={"parent_id": "330106-G02", "id": "zz-1", "name": "x", "csrf_token": token},
    )
    assert below_grid.status_code == 400
    assert "cannot have regions below it" in below_grid.text
    busy = client.post(f"{URL}/330106/status", data={"status": "retired", "csrf_token": token})
    assert busy.status_code == 409
    assert service.get_region(session, "330106").status == "active"
    retired = client.post(
        f"{URL}/330106-G02/status",
        data={"status": "retired", "csrf_token": token},
        follow_redirects=False,
    )
    assert retired.status_code == 303
    assert service.get_region(session, "330106-G02").status == "retired"


def test_csr_cannot_open_region_administration(console_as: Callable[..., TestClient]) -> None:
    assert console_as("csr").get(URL).status_code == 403
