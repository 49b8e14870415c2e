"""The shipped BPMN files: each parses and deploys, is drawn (diagram interchange for
every node and flow), names registered handlers, and the catalog's delivery rules and
the in-life action table name only processes that exist."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from lxml import etree
from sqlalchemy.orm import Session

import openboss.fulfilment.flows.handlers as flow_handlers
from openboss.fulfilment.engine import bpmn
from openboss.fulfilment.engine import service as engine
from openboss.fulfilment.engine.handlers import compensation_for, handler_for
from openboss.fulfilment.flows import FLOWS_DIR, PROCESS_FOR_ACTION, builtin_files, process_for

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
}
NODE_TAGS = (
    "startEvent",
    "endEvent",
    "serviceTask",
    "userTask",
    "receiveTask",
    "intermediateCatchEvent",
    "exclusiveGateway",
    "eventBasedGateway",
    "boundaryEvent",
)
CATALOG = Path(__file__).resolve().parents[3] / "src/openboss/catalog/data/demo-catalog.yaml"
FILES = builtin_files()


def test_every_process_of_the_catalog_and_of_the_action_table_is_shipped() -> None:
    rules = yaml.safe_load(CATALOG.read_text(encoding="utf-8"))["deliveryRules"]
    keys = {r["processKey"] for r in rules} | set(PROCESS_FOR_ACTION.values())
    shipped = {p.stem for p in FILES}
    assert keys <= shipped, keys - shipped
    assert len(FILES) == 14
    assert process_for("suspend") == "service-suspend"
    assert process_for("add", "broadband-ftth-install") == "broadband-ftth-install"
    with pytest.raises(ValueError, match="no process"):
        process_for("add")


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_file_parses_is_drawn_and_names_registered_handlers(path: Path) -> None:
    xml = path.read_bytes()
    (parsed,) = bpmn.inspect(xml)
    assert parsed.key == path.stem
    tree = etree.fromstring(xml)
    process = tree.find("bpmn:process", NS)
    assert process is not None and process.get("isExecutable") == "true"
    shapes = {s.get("bpmnElement"): s for s in tree.iterfind(".//bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement"): e for e in tree.iterfind(".//bpmndi:BPMNEdge", NS)}
    nodes = [el for tag in NODE_TAGS for el in process.iterfind(f"bpmn:{tag}", NS)]
    assert len(nodes) >= 4
    for node in nodes:
        shape = shapes.get(node.get("id"))
        assert shape is not None, f"{path.stem}: no shape for {node.get('id')}"
        bounds = shape.find("dc:Bounds", NS)
        assert bounds is not None
        assert float(bounds.get("x")) >= 0 and float(bounds.get("y")) >= 0
        assert float(bounds.get("width")) > 0 and float(bounds.get("height")) > 0
    flows = process.findall("bpmn:sequenceFlow", NS)
    ids = {n.get("id") for n in nodes}
    for flow in flows:
        assert flow.get("sourceRef") in ids and flow.get("targetRef") in ids
        edge = edges.get(flow.get("id"))
        assert edge is not None, f"{path.stem}: no edge for {flow.get('id')}"
        assert len(edge.findall("di:waypoint", NS)) >= 2
    # left to right: the start event is the leftmost node, an end event the rightmost
    xs = {nid: float(s.find("dc:Bounds", NS).get("x")) for nid, s in shapes.items()}
    start = process.find("bpmn:startEvent", NS)
    assert start is not None and xs[start.get("id")] == min(xs.values())
    for task_id, impl in parsed.service_tasks:
        assert impl, f"{path.stem}: service task {task_id} names no handler"
        assert handler_for(impl) is not None, f"{path.stem}: {impl} is not registered"
        assert impl in flow_handlers.HANDLERS
        if task_id.startswith("wo_"):
            assert impl == "workorder.create"
    # every gateway with conditions has a default flow (no instance stuck on data)
    for gw in process.iterfind("bpmn:exclusiveGateway", NS):
        outgoing = [f for f in flows if f.get("sourceRef") == gw.get("id")]
        if len(outgoing) > 1:
            assert gw.get("default") in {f.get("id") for f in outgoing}


def test_undoable_handlers_have_compensations() -> None:
    for name in flow_handlers.UNDOABLE:
        assert compensation_for(name) is not None


def test_deploy_builtin_deploys_every_flow_once(session: Session) -> None:
    first = engine.deploy_builtin(session)
    assert {d.key for d in first} == {p.stem for p in FILES}
    again = engine.deploy_builtin(session)
    assert {(d.key, d.version) for d in again} == {(d.key, d.version) for d in first}
    assert Path(flow_handlers.__file__).resolve().parent == FLOWS_DIR


def test_demo_deploys_the_flows_once(session: Session) -> None:
    from openboss.demo import load_fulfilment_demo

    assert load_fulfilment_demo(session) == [f"{len(FILES)} fulfilment flows deployed"]
    assert load_fulfilment_demo(session) == []
