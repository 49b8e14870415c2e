"""The process screens (server side): lists, detail, deploy by upload, skip."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from openboss.audit.service import list_audit
from openboss.fulfilment.engine import service
from tests.fulfilment.engine.conftest import BPMN, Recorder
from tests.web.conftest import console_as, csrf_from

__all__ = ["console_as"]  # the fixture

Console = Callable[..., TestClient]


def test_screens_and_skip(console_as: Console, session: Session, rec: Recorder) -> None:
    client = console_as("admin")
    page = client.get("/console/fulfilment/processes?lang=en")
    assert page.status_code == 200 and "No process is deployed yet." in page.text
    r = client.post(
        "/console/fulfilment/processes",
        data={"csrf_token": csrf_from(page.text)},
        files={"file": ("engine_test.bpmn", BPMN.read_bytes(), "application/xml")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"] + "&lang=en")
    assert "The BPMN file is deployed." in page.text and "engineTest" in page.text
    xml = client.get("/console/fulfilment/processes/engineTest/1/xml")
    assert xml.status_code == 200 and xml.text.startswith("<?xml")
    bad = client.post(
        "/console/fulfilment/processes",
        data={"csrf_token": csrf_from(page.text)},
        files={"file": ("x.bpmn", b"<nope", "application/xml")},
    )
    assert bad.status_code == 400 and 'id="deploy-error"' in bad.text

    iid = service.start(
        session, "engineTest", business_key="SO-CON", data={"mode": "auto", "delay": "PT0S"}
    ).id
    rec.fail["activate"] = [RuntimeError("OLT unreachable")]
    service.run(session, iid)
    session.flush()
    listing = client.get("/console/fulfilment/instances?state=incident&lang=en")
    assert f'id="instance-{iid}"' in listing.text and "OLT unreachable" in listing.text
    detail = client.get(f"/console/fulfilment/instances/{iid}?lang=en")
    assert detail.status_code == 200 and 'id="retry-form"' in detail.text
    token = csrf_from(detail.text)
    r = client.post(
        f"/console/fulfilment/instances/{iid}/skip",
        data={"csrf_token": token, "task_id": "activate", "reason": ""},
    )
    assert r.status_code == 400 and 'id="skip-error"' in r.text
    r = client.post(
        f"/console/fulfilment/instances/{iid}/skip",
        data={"csrf_token": token, "task_id": "activate", "reason": "activated by hand"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    session.expire_all()
    assert service.get_instance(session, iid).status == "waiting"
    entries, _ = list_audit(session, entity_type="process_instance", entity_id=iid)
    assert any("activated by hand" in str(e.after) for e in entries)
    frag = client.get(f"/console/fulfilment/instances/{iid}/diagram")
    assert 'data-done="' in frag.text and "waitWorkOrder" in frag.text


def test_reader_roles(console_as: Console) -> None:
    assert console_as("noc").get("/console/fulfilment/instances").status_code == 200
    r = console_as("csr").get("/console/fulfilment/instances")
    assert r.status_code == 403
