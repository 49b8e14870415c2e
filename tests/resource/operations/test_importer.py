"""Bulk import: validation report (row, field, reason), all or nothing, fast path."""

from __future__ import annotations

import io
from collections.abc import Callable

import openpyxl  # type: ignore[import-untyped]
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openboss.kit.scope import SYSTEM_SCOPE, Scope
from openboss.resource.inventory import lifecycle
from openboss.resource.inventory.models import NetworkPartner, Resource
from openboss.resource.operations import importer
from openboss.resource.operations.models import ResourceImport
from tests.resource.operations.conftest import Net

GOOD = """ref,spec,name,value,parent,siteCode,owner,status,char.ratio
room,equipmentRoom,Room 1,ROOM-1,,B-IMP,,available,
olt,olt,OLT 1,OLT-1,room,,,available,
card,oltCard,Card 0,OLT-1/0,olt,,,available,
pon,ponPort,PON 1,OLT-1/0/1,card,,,planned,
spl,splitter,Splitter,SPL-1,pon,,,available,32
"""


def _run(
    session: Session, text: str, name: str = "net.csv", **kw: object
) -> importer.ImportOutcome:
    return importer.validate_and_import(
        session,
        SYSTEM_SCOPE,
        text.encode(),
        name,
        actor="tester",
        **kw,  # type: ignore[arg-type]
    )


def _count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Resource)) or 0)


def test_clean_file_is_written_with_containment_site_and_documents(
    session: Session, specs: None, make_site: Callable[..., str]
) -> None:
    site = make_site(code="B-IMP")
    seen: list[set[str]] = []
    lifecycle.on_capacity_change(lambda _s, sites: seen.append(set(sites)))
    outcome = _run(session, GOOD)
    assert outcome.ok, outcome.problems
    assert outcome.record.result == "succeeded" and outcome.record.created == 5
    rows = {r.value: r for r in session.scalars(select(Resource))}
    assert rows["OLT-1"].parent_id == rows["ROOM-1"].id
    assert rows["SPL-1"].parent_id == rows["OLT-1/0/1"].id
    assert rows["SPL-1"].site_id == site  # inherited down the containment
    assert rows["SPL-1"].capacity == 32
    assert rows["OLT-1/0/1"].lifecycle_status == "planned"
    spl = session.get(Resource, rows["SPL-1"].id)
    assert spl is not None and '"lifecycleStatus":"available"' in spl.doc
    assert {"name": "ratio", "valueType": "integer", "value": 32} in spl.characteristics
    assert any(site in s for s in seen)


@pytest.mark.parametrize(
    ("line", "field", "reason"),
    [
        ("x,nosuch,N,V1,,,,available,", "spec", "unknown spec"),
        ("x,splitter,N,V1,pon,,,available,12", "char.ratio", "not one of"),
        ("x,splitter,N,V1,pon,,,available,abc", "char.ratio", "not a integer"),
        ("x,splitter,N,V1,pon,,,available,", "char.ratio", "is required"),
        ("x,ont,N,V1,nowhere,,,available,", "parent", "unknown parent"),
        ("x,ont,N,V1,pon,,,available,", "parent", "cannot be contained in a 'ponPort'"),
        ("x,olt,N,OLT-1,room,,,available,", "value", "duplicate value"),
        ("x,olt,N,V1,room,NO-SUCH,,available,", "siteCode", "unknown building"),
        ("x,olt,N,V1,room,,PARTNER-X,available,", "owner", "unknown partner"),
        ("x,olt,N,V1,room,,,retired,", "status", "planned or available"),
    ],
)
def test_every_problem_is_reported_and_nothing_is_written(
    session: Session,
    specs: None,
    make_site: Callable[..., str],
    line: str,
    field: str,
    reason: str,
) -> None:
    make_site(code="B-IMP")
    before = _count(session)
    outcome = _run(session, GOOD + line + "\n")
    assert not outcome.ok
    assert outcome.record.result == "failed" and outcome.record.created == 0
    assert [(p.row, p.field) for p in outcome.problems] == [(7, field)]
    assert reason in outcome.problems[0].reason
    assert _count(session) == before  # all or nothing: the 5 good rows are not written


def test_duplicate_of_the_inventory_and_unknown_column(
    session: Session, specs: None, ftth: Net
) -> None:
    text = "spec,name,value,parent,colour\nponPort,P,OLT-A/0/1,OLT-A/0,red\n"
    outcome = _run(session, text)
    fields = {(p.row, p.field) for p in outcome.problems}
    assert (1, "colour") in fields
    text = "spec,name,value,parent\nponPort,P,OLT-A/0/1,OLT-A/0\nponPort,P9,OLT-A/0/9,OLT-A/0\n"
    outcome = _run(session, text)
    assert [(p.row, p.field) for p in outcome.problems] == [(2, "value")]
    assert "already exists in the inventory" in outcome.problems[0].reason


def test_parent_cycle_and_duplicate_ref_are_reported(session: Session, specs: None) -> None:
    text = (
        "ref,spec,name,value,parent,char.ratio\n"
        "a,splitter,A,S-A,b,8\n"
        "b,splitterPort,B,S-B,a,\n"
        "b,splitterPort,C,S-C,a,\n"
    )
    outcome = _run(session, text)
    reasons = {(p.row, p.field): p.reason for p in outcome.problems}
    assert "also used by row 3" in reasons[(4, "ref")]
    assert any("cycle" in r for r in reasons.values())


def test_file_per_type_existing_parent_partner_and_dry_run(
    session: Session, specs: None, ftth: Net
) -> None:
    at = lifecycle.now()
    session.add(
        NetworkPartner(
            id="PARTNER-1",
            name="Cable TV",
            kind="cableTv",
            default_terms="revenueShare",
            created_at=at,
            updated_at=at,
        )
    )
    session.flush()
    text = "name,value,parent,owner,char.ratio\nS,SPL-NEW,OLT-A/0/3,PARTNER-1,64\n"
    before = _count(session)
    dry = _run(session, text, name="splitter.csv", dry_run=True)
    assert dry.ok and dry.record.result == "validated" and _count(session) == before
    outcome = _run(session, text, name="splitter.csv")
    assert outcome.ok
    new = session.scalars(select(Resource).where(Resource.value == "SPL-NEW")).one()
    assert new.spec_id == "splitter" and new.parent_id == ftth.ports[2].id
    assert new.partner_id == "PARTNER-1" and new.ownership_terms == "revenueShare"
    assert new.site_id == ftth.site


def test_region_outside_the_callers_scope(session: Session, specs: None) -> None:
    text = "spec,name,value,regionId\nwarehouse,W,WH-1,330105\n"
    outcome = importer.validate_and_import(
        session, Scope(regions=frozenset({"330106"})), text.encode(), "w.csv", actor="t"
    )
    assert [(p.row, p.field) for p in outcome.problems] == [(2, "regionId")]


def test_excel_file(session: Session, specs: None, make_site: Callable[..., str]) -> None:
    make_site(code="B-X")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "warehouse"
    sheet.append(["name", "value", "siteCode"])
    sheet.append(["Main store", "WH-X", "B-X"])
    sheet.append(["Second", 1001, "B-X"])
    buf = io.BytesIO()
    book.save(buf)
    outcome = importer.validate_and_import(
        session, SYSTEM_SCOPE, buf.getvalue(), "stock.xlsx", actor="t"
    )
    assert outcome.ok, outcome.problems
    values = set(session.scalars(select(Resource.value).where(Resource.spec_id == "warehouse")))
    assert values == {"WH-X", "1001"}


def test_ten_thousand_rows(session: Session, specs: None, ftth: Net) -> None:
    lines = ["ref,spec,name,value,parent", "pool,numberPool,Pool,POOL-BIG,"]
    lines += [f",number,N{i},1380000{i:04d},pool" for i in range(10_000)]
    outcome = _run(session, "\n".join(lines) + "\n")
    assert outcome.ok, outcome.problems[:3]
    assert outcome.record.created == 10_001
    count = session.scalar(
        select(func.count()).select_from(Resource).where(Resource.spec_id == "number")
    )
    assert count == 10_000


def test_import_api_all_or_nothing_and_records(
    client: TestClient,
    auth_headers: Callable[..., dict[str, str]],
    session: Session,
    specs: None,
    make_site: Callable[..., str],
) -> None:
    make_site(code="B-IMP")
    session.commit()
    url = "/api/resource/v1/imports"
    bad = client.post(
        url,
        files={"file": ("net.csv", GOOD + "x,nosuch,N,V1,,,,available,\n", "text/csv")},
        headers=auth_headers("noc"),
    )
    assert bad.status_code == 400, bad.text
    assert bad.json()["report"] == [{"row": 7, "field": "spec", "reason": "unknown spec 'nosuch'"}]
    assert session.scalar(select(func.count()).select_from(Resource)) == 0
    dry = client.post(
        url + "?dryRun=true", files={"file": ("net.csv", GOOD, "text/csv")}, headers=auth_headers()
    )
    assert dry.status_code == 200 and dry.json()["result"] == "validated"
    ok = client.post(url, files={"file": ("net.csv", GOOD, "text/csv")}, headers=auth_headers())
    assert ok.status_code == 201 and ok.json()["created"] == 5
    listed = client.get(url, headers=auth_headers("manager")).json()
    assert [r["result"] for r in listed] == ["succeeded", "validated", "failed"]
    one = client.get(f"{url}/{listed[2]['id']}", headers=auth_headers("csr")).json()
    assert one["report"][0]["field"] == "spec"
    assert client.get(f"{url}/nope", headers=auth_headers()).status_code == 404
    csr = client.post(url, files={"file": ("n.csv", GOOD, "text/csv")}, headers=auth_headers("csr"))
    assert csr.status_code == 403
    odd = client.post(url, files={"file": ("n.pdf", b"%PDF", "x")}, headers=auth_headers())
    assert odd.status_code == 400
    assert session.scalar(select(func.count()).select_from(ResourceImport)) == 3
