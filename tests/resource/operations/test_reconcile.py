"""Data consistency: missing, extra, mismatched; each resolution, audited."""

from __future__ import annotations

from collections.abc import Callable

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.audit.models import AuditLog
from openboss.kit.errors import Conflict, NotFound, ValidationFailed
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.resource.inventory.models import Resource
from openboss.resource.operations import reconcile
from openboss.resource.operations.models import ReconciliationDiscrepancy, ReconciliationRun
from tests.resource.operations.conftest import Add, Net

# the network sees SN-1 where the inventory has it, SN-2 on port 3 (mismatched),
# SN-9 nobody knows (extra); SN-3, in the inventory under port 1, is not seen (missing)
SNAPSHOT = (
    "olt,ponPort,ontSerial\nOLT-A,OLT-A/0/1,SN-1\nOLT-A,OLT-A/0/3,SN-2\nOLT-A,OLT-A/0/3,SN-9\n"
)


@pytest.fixture
def with_sn3(ftth: Net, add: Add) -> Net:
    ftth.onts["SN-3"] = add("ont", "SN-3", parent=ftth.sports["SPL-A1"][2])
    return ftth


def _run(session: Session, text: str, name: str = "snap.csv") -> ReconciliationRun:
    return reconcile.run_reconciliation(session, SYSTEM_SCOPE, text.encode(), name, actor="noc1")


def _by_kind(session: Session, run: ReconciliationRun) -> dict[str, ReconciliationDiscrepancy]:
    return {d.kind: d for d in reconcile.discrepancies(session, run.id)}


def test_each_kind_is_found(session: Session, with_sn3: Net) -> None:
    run = _run(session, SNAPSHOT)
    assert run.counts == {"missing": 1, "extra": 1, "mismatched": 1, "matched": 1}
    assert run.scope == ["OLT-A"] and run.status == "open"
    found = _by_kind(session, run)
    assert found["missing"].value == "SN-3" and found["missing"].network_says is None
    assert found["extra"].value == "SN-9" and found["extra"].resource_id is None
    mism = found["mismatched"]
    assert mism.value == "SN-2"
    assert mism.inventory_says == {"parentId": with_sn3.ports[0].id, "parent": "OLT-A/0/1"}
    assert mism.network_says == {"parentId": with_sn3.ports[2].id, "parent": "OLT-A/0/3"}


def test_json_snapshot_gives_the_same_result(session: Session, with_sn3: Net) -> None:
    rows = [
        {"olt": "OLT-A", "ponPort": "OLT-A/0/1", "ontSerial": "SN-1"},
        {"olt": "OLT-A", "ponPort": "OLT-A/0/3", "ontSerial": "SN-2"},
        {"olt": "OLT-A", "ponPort": "OLT-A/0/3", "ontSerial": "SN-9"},
    ]
    run = _run(session, orjson.dumps({"rows": rows}).decode(), "snap.json")
    assert run.counts == {"missing": 1, "extra": 1, "mismatched": 1, "matched": 1}


def test_generic_form(session: Session, ftth: Net, add: Add) -> None:
    # splitter ports as the network sees them under SPL-A1: 1..7, and one it calls 9
    lines = ["spec,value,parent"] + [f"splitterPort,SPL-A1:{i},SPL-A1" for i in range(1, 8)]
    lines.append("splitterPort,SPL-A1:9,SPL-A1")
    other = add("splitter", "SPL-B", parent=ftth.ports[3])
    lines.append(f"splitterPort,SPL-A1:2,{other.id}")  # the network puts :2 under SPL-B
    run = _run(session, "\n".join(lines) + "\n")
    assert run.form == "generic"
    kinds = sorted((d.kind, d.value) for d in reconcile.discrepancies(session, run.id))
    assert kinds == [
        ("extra", "SPL-A1:9"),
        ("mismatched", "SPL-A1:2"),
        ("missing", "SPL-A1:8"),
    ]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("olt,ponPort,ontSerial\nOLT-Z,1,SN\n", "olt"),
        ("olt,ponPort,ontSerial\nOLT-A,OLT-A/0/99,SN\n", "ponPort"),
        ("olt,ponPort,ontSerial\nOLT-A,OLT-A/0/1,SN\nOLT-A,OLT-A/0/2,SN\n", "ontSerial"),
        ("spec,value,parent\nnosuch,V,OLT-A\n", "spec"),
        ("a,b\n1,2\n", "file"),
        ("[1, 2]", "file"),
    ],
)
def test_bad_snapshots_are_400(session: Session, ftth: Net, text: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        _run(session, text)
    assert err.value.field == field


def test_accept_network_changes_the_inventory(session: Session, with_sn3: Net) -> None:
    run = _run(session, SNAPSHOT)
    found = _by_kind(session, run)
    # missing SN-3 → retired
    reconcile.resolve(
        session, SYSTEM_SCOPE, run.id, found["missing"].id, resolution="acceptNetwork", actor="n"
    )
    assert with_sn3.onts["SN-3"].lifecycle_status == "retired"
    # mismatched SN-2 → moved under the reported port
    reconcile.resolve(
        session, SYSTEM_SCOPE, run.id, found["mismatched"].id, resolution="acceptNetwork", actor="n"
    )
    assert with_sn3.onts["SN-2"].parent_id == with_sn3.ports[2].id
    # extra SN-9 → created under the reported port
    item = reconcile.resolve(
        session,
        SYSTEM_SCOPE,
        run.id,
        found["extra"].id,
        resolution="acceptNetwork",
        actor="n",
        note="seen online since May",
    )
    created = session.scalars(select(Resource).where(Resource.value == "SN-9")).one()
    assert created.parent_id == with_sn3.ports[2].id and created.spec_id == "ont"
    assert created.site_id == with_sn3.site and item.resource_id == created.id
    assert item.resolved_by == "n" and item.note == "seen online since May"
    assert run.status == "resolved"
    audited = session.scalars(
        select(AuditLog.action).where(
            AuditLog.entity_type == "reconciliation_discrepancy", AuditLog.entity_id == item.id
        )
    ).all()
    assert "state_change" in audited


def test_retiring_an_allocated_resource_is_refused(session: Session, with_sn3: Net) -> None:
    from openboss.resource.inventory import lifecycle

    lifecycle.set_lifecycle(with_sn3.onts["SN-3"], "allocated")
    run = _run(session, SNAPSHOT)
    missing = _by_kind(session, run)["missing"]
    with pytest.raises(Conflict, match="release it"):
        reconcile.resolve(
            session, SYSTEM_SCOPE, run.id, missing.id, resolution="acceptNetwork", actor="n"
        )


def test_keep_inventory_and_ignore_change_nothing(session: Session, with_sn3: Net) -> None:
    run = _run(session, SNAPSHOT)
    found = _by_kind(session, run)
    reconcile.resolve(
        session, SYSTEM_SCOPE, run.id, found["missing"].id, resolution="keepInventory", actor="n"
    )
    reconcile.resolve(
        session, SYSTEM_SCOPE, run.id, found["mismatched"].id, resolution="ignore", actor="n"
    )
    assert with_sn3.onts["SN-3"].lifecycle_status == "available"
    assert with_sn3.onts["SN-2"].parent_id == with_sn3.sports["SPL-A1"][1].id
    assert found["missing"].resolution == "keepInventory" and run.status == "open"
    with pytest.raises(Conflict, match="already resolved"):
        reconcile.resolve(
            session, SYSTEM_SCOPE, run.id, found["missing"].id, resolution="ignore", actor="n"
        )
    with pytest.raises(ValidationFailed):
        reconcile.resolve(
            session, SYSTEM_SCOPE, run.id, found["extra"].id, resolution="fixIt", actor="n"
        )
    with pytest.raises(NotFound):
        reconcile.resolve(session, SYSTEM_SCOPE, run.id, "nope", resolution="ignore", actor="n")


def test_reconciliation_api(
    client: TestClient,
    auth_headers: Callable[..., dict[str, str]],
    session: Session,
    with_sn3: Net,
) -> None:
    session.commit()
    url = "/api/resource/v1/reconciliations"
    made = client.post(
        url,
        files={"file": ("olt-a.csv", SNAPSHOT, "text/csv")},
        data={"source": "U2000 export"},
        headers=auth_headers("noc"),
    )
    assert made.status_code == 201, made.text
    run = made.json()
    assert run["source"] == "U2000 export" and len(run["discrepancies"]) == 3
    missing = next(d for d in run["discrepancies"] if d["kind"] == "missing")
    path = f"{url}/{run['id']}/discrepancies/{missing['id']}/resolve"
    assert (
        client.post(path, json={"resolution": "ignore"}, headers=auth_headers("csr")).status_code
        == 403
    )
    ok = client.post(path, json={"resolution": "ignore", "note": "ok"}, headers=auth_headers("noc"))
    assert ok.status_code == 200 and ok.json()["status"] == "resolved"
    again = client.post(path, json={"resolution": "ignore"}, headers=auth_headers("noc"))
    assert again.status_code == 409
    bad = client.post(path, json={"resolution": "x"}, headers=auth_headers("noc"))
    assert bad.status_code in (400, 409)
    listed = client.get(url, headers=auth_headers("manager")).json()
    assert listed[0]["counts"]["missing"] == 1
    one = client.get(f"{url}/{run['id']}?status=open", headers=auth_headers("dispatcher"))
    assert len(one.json()["discrepancies"]) == 2
    assert client.get(f"{url}/nope", headers=auth_headers()).status_code == 404
    empty = client.post(url, files={"file": ("e.csv", "", "text/csv")}, headers=auth_headers())
    assert empty.status_code == 400
