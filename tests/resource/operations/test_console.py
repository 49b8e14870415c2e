"""Console: cutover planner, reconciliation and import screens (TestClient)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openboss.resource.inventory.models import Resource
from openboss.resource.operations.models import CutoverPlan, ReconciliationRun
from tests.resource.operations.conftest import Net
from tests.resource.operations.test_reconcile import SNAPSHOT
from tests.web.conftest import console_as, csrf_from  # noqa: F401 - fixture

URL = "/console/resource"


@pytest.mark.parametrize(("lang", "words"), [("en", "Cutover plans"), ("zh_CN", 'lang="zh-CN"')])
def test_pages_render_in_both_languages(
    console_as: Callable[..., TestClient],  # noqa: F811
    session: Session,
    ftth: Net,
    lang: str,
    words: str,
) -> None:
    session.commit()
    client = console_as("noc")
    page = client.get(f"{URL}/cutover?lang={lang}")
    assert page.status_code == 200
    assert words in page.text
    for path in ("reconciliation", "import"):
        assert client.get(f"{URL}/{path}?lang={lang}").status_code == 200
    assert console_as("csr").get(f"{URL}/import").status_code == 403


def test_cutover_plan_approve_execute_rollback(
    console_as: Callable[..., TestClient],  # noqa: F811
    session: Session,
    ftth: Net,
    build_olt: Callable[..., Net],
) -> None:
    build_olt("OLT-B", ports=2, site_id=ftth.site)
    session.commit()
    client = console_as("noc", name="planner")
    token = csrf_from(client.get(f"{URL}/cutover?lang=en").text)
    bad = client.post(
        f"{URL}/cutover",
        data={"name": "x", "pairs": "OLT-A/0/2, SPL-A1", "csrf_token": token},
    )
    assert bad.status_code == 409 and "not compatible" in bad.text
    made = client.post(
        f"{URL}/cutover",
        data={"name": "Swap A", "source_olt": "OLT-A", "target_olt": "OLT-B", "csrf_token": token},
        follow_redirects=False,
    )
    assert made.status_code == 303
    detail_url = made.headers["location"]
    detail = client.get(detail_url + "?lang=en")
    assert "CUST-3" in detail.text and 'id="plan-approve"' not in detail.text  # planner
    boss = console_as("manager", name="boss")
    token = csrf_from(boss.get(detail_url).text)
    assert boss.post(detail_url + "/approve", data={"csrf_token": token}).status_code == 200
    noc = console_as("noc", name="other")
    token = csrf_from(noc.get(detail_url).text)
    noc.post(detail_url + "/execute", data={"csrf_token": token, "batch_size": "1"})
    plan = session.scalars(select(CutoverPlan)).one()
    session.refresh(plan)
    assert plan.state == "executed"
    noc.post(detail_url + "/rollback", data={"csrf_token": token})
    session.refresh(plan)
    assert plan.state == "rolledBack"


def test_reconcile_upload_and_resolve(
    console_as: Callable[..., TestClient],  # noqa: F811
    session: Session,
    ftth: Net,
) -> None:
    session.commit()
    client = console_as("noc")
    token = csrf_from(client.get(f"{URL}/reconciliation?lang=en").text)
    made = client.post(
        f"{URL}/reconciliation",
        data={"csrf_token": token, "source": "EMS"},
        files={"file": ("s.csv", SNAPSHOT, "text/csv")},
        follow_redirects=False,
    )
    assert made.status_code == 303
    run = session.scalars(select(ReconciliationRun)).one()
    page = client.get(made.headers["location"] + "?lang=en")
    assert "SN-9" in page.text and "Accept the network" in page.text
    extra = next(d for d in run_discrepancies(session, run.id) if d.kind == "extra")
    client.post(
        f"{URL}/reconciliation/{run.id}/discrepancies/{extra.id}",
        data={"csrf_token": token, "resolution": "acceptNetwork"},
    )
    assert session.scalar(
        select(func.count()).select_from(Resource).where(Resource.value == "SN-9")
    )
    bad = client.post(
        f"{URL}/reconciliation",
        data={"csrf_token": token},
        files={"file": ("s.csv", "a,b\n1,2\n", "text/csv")},
    )
    assert bad.status_code == 400


def run_discrepancies(session: Session, run_id: str) -> list:  # type: ignore[type-arg]
    from openboss.resource.operations import reconcile

    return reconcile.discrepancies(session, run_id)


def test_import_report_table_and_dry_run(
    console_as: Callable[..., TestClient],  # noqa: F811
    session: Session,
    ftth: Net,
) -> None:
    session.commit()
    client = console_as("noc")
    token = csrf_from(client.get(f"{URL}/import?lang=en").text)
    bad = client.post(
        f"{URL}/import",
        data={"csrf_token": token},
        files={"file": ("x.csv", "spec,name,value\nnosuch,N,V\n", "text/csv")},
    )
    assert bad.status_code == 400
    assert 'id="import-report"' in bad.text and "unknown spec" in bad.text
    dry = client.post(
        f"{URL}/import",
        data={"csrf_token": token, "dry_run": "1"},
        files={"file": ("w.csv", "spec,name,value\nwarehouse,W,WH-9\n", "text/csv")},
    )
    assert dry.status_code == 200 and "Dry run" in dry.text
    ok = client.post(
        f"{URL}/import",
        data={"csrf_token": token},
        files={"file": ("w.csv", "spec,name,value\nwarehouse,W,WH-9\n", "text/csv")},
    )
    assert ok.status_code == 200 and "imported" in ok.text
    assert session.scalar(
        select(func.count()).select_from(Resource).where(Resource.value == "WH-9")
    )
