"""BPMN parsing, executable specs and compact state serialisation on top of
SpiffWorkflow 3.

* Service tasks keep their standard ``implementation`` attribute (the name of
  the registered handler, :mod:`openboss.fulfilment.engine.handlers`); the stock
  parser drops it, :class:`ServiceTaskParser` keeps it.
* Parsed specs are cached per (process key, version): parsing is the expensive
  part of starting or loading an instance.
* The persisted state of an instance is the SpiffWorkflow workflow dictionary
  *without its spec* (the spec comes from the cache), JSON-encoded and
  zlib-compressed; SpiffWorkflow already stores task data as deltas.
"""

from __future__ import annotations

import hashlib
import re
import threading
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar
from uuid import UUID

import orjson
from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser, full_tag
from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask as _StockServiceTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": BPMN_NS}


class InvalidBpmn(ValueError):
    """The file is not a deployable BPMN 2.0 document; ``element`` names the culprit."""

    def __init__(self, message: str, element: str | None = None) -> None:
        super().__init__(message)
        self.element = element


class ServiceTask(_StockServiceTask):  # type: ignore[misc]
    """A ``bpmn:serviceTask`` run by the handler named in ``implementation``.

    The engine's runtime (set on the top workflow as ``openboss_runtime``) does
    the work: it calls the handler and records the execution.
    """

    def __init__(self, wf_spec: Any, bpmn_id: str, implementation: str | None = None, **kw: Any):
        super().__init__(wf_spec, bpmn_id, **kw)
        self.implementation = implementation

    def _run_hook(self, my_task: Any) -> Any:
        runtime = getattr(my_task.workflow.top_workflow, "openboss_runtime", None)
        if runtime is None:  # pragma: no cover - every engine run sets it
            raise WorkflowException("the process engine runtime is not attached")
        return runtime.run_service_task(my_task)


class ServiceTaskParser(TaskParser):  # type: ignore[misc]
    """Keeps the ``implementation`` attribute of a service task."""

    def create_task(self) -> Any:
        return self.spec_class(
            self.spec,
            self.bpmn_id,
            implementation=self.node.get("implementation"),
            **self.bpmn_attributes,
        )


class EngineParser(BpmnParser):  # type: ignore[misc]
    OVERRIDE_PARSER_CLASSES: ClassVar[dict[str, Any]] = {
        full_tag("serviceTask"): (ServiceTaskParser, ServiceTask)
    }


@dataclass(frozen=True, slots=True)
class ParsedProcess:
    """One executable process of a BPMN file."""

    key: str
    name: str | None
    #: sha256 of the canonical XML of the process element (plus its messages/errors).
    sha256: str
    #: (task id, implementation) of every service task, in document order.
    service_tasks: tuple[tuple[str, str | None], ...]


@dataclass(slots=True)
class CompiledProcess:
    """A parsed spec ready to run, cached per (key, version)."""

    key: str
    version: int
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, Any]
    #: BPMN id → element type ("serviceTask" …) and name, for logs and views.
    elements: dict[str, tuple[str, str | None]] = field(default_factory=dict)


def _parse_tree(xml: bytes | str) -> Any:
    raw = xml.encode() if isinstance(xml, str) else xml
    if not raw.strip():
        raise InvalidBpmn("the BPMN document is empty")
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        return etree.fromstring(raw, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise InvalidBpmn(f"not well-formed XML: {exc}") from exc


_ISO_TIMER = re.compile(
    r"^(R\d*/)?P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$"
)
_TIMER_TAGS = {f"{{{BPMN_NS}}}{t}" for t in ("timeDuration", "timeDate", "timeCycle")}


def _quote_timers(tree: Any) -> None:
    """Timer expressions are Python expressions in SpiffWorkflow; a bare ISO 8601
    duration (``PT1H``, the usual way to write one in BPMN) is made a string."""
    for el in tree.iter(*_TIMER_TAGS):
        text = (el.text or "").strip()
        if _ISO_TIMER.match(text):
            el.text = f'"{text}"'


def _parser_for(tree: Any) -> EngineParser:
    _quote_timers(tree)
    parser = EngineParser()
    try:
        parser.add_bpmn_xml(tree, filename="deployment.bpmn")
    except ValidationException as exc:
        raise InvalidBpmn(str(exc), getattr(exc, "id", None)) from exc
    return parser


def inspect(xml: bytes | str) -> list[ParsedProcess]:
    """Validate a BPMN document and describe its executable processes.

    Raises :class:`InvalidBpmn` (with the element id when known)."""
    tree = _parse_tree(xml)
    if etree.QName(tree).namespace != BPMN_NS or etree.QName(tree).localname != "definitions":
        raise InvalidBpmn("the root element must be bpmn:definitions")
    processes = [
        p for p in tree.findall("bpmn:process", NS) if p.get("isExecutable", "true") != "false"
    ]
    if not processes:
        raise InvalidBpmn("the document has no executable bpmn:process")
    parser = _parser_for(tree)
    shared = b"".join(
        etree.tostring(el, method="c14n")
        for el in tree
        if etree.QName(el).localname in ("message", "error", "escalation", "signal")
    )
    result: list[ParsedProcess] = []
    for proc in processes:
        key = proc.get("id")
        if not key:
            raise InvalidBpmn("a bpmn:process has no id")
        if len(key) > 128:
            raise InvalidBpmn("a process id is longer than 128 characters", key)
        try:
            parser.get_spec(key)
        except ValidationException as exc:
            raise InvalidBpmn(str(exc), getattr(exc, "id", None) or key) from exc
        except (WorkflowException, KeyError, ValueError, TypeError, AttributeError) as exc:
            raise InvalidBpmn(f"process {key}: {exc}", key) from exc
        digest = hashlib.sha256(etree.tostring(proc, method="c14n") + shared).hexdigest()
        tasks = tuple(
            (t.get("id") or "", t.get("implementation"))
            for t in proc.iter(f"{{{BPMN_NS}}}serviceTask")
        )
        result.append(ParsedProcess(key, proc.get("name"), digest, tasks))
    return result


def _elements(tree: Any, key: str) -> dict[str, tuple[str, str | None]]:
    proc = tree.find(f"bpmn:process[@id='{key}']", NS)
    out: dict[str, tuple[str, str | None]] = {}
    if proc is None:
        return out
    for el in proc.iter():
        if not isinstance(el.tag, str):
            continue
        ident = el.get("id")
        if ident:
            out[ident] = (etree.QName(el).localname, el.get("name"))
    return out


_cache_lock = threading.Lock()
_cache: dict[tuple[str, int], CompiledProcess] = {}
_CACHE_MAX = 256


def compile_process(key: str, version: int, xml_loader: Callable[[], str]) -> CompiledProcess:
    """The runnable spec of (key, version), parsed once per process."""
    with _cache_lock:
        hit = _cache.get((key, version))
    if hit is not None:
        return hit
    tree = _parse_tree(xml_loader())
    parser = _parser_for(tree)
    spec = parser.get_spec(key)
    subs = parser.get_subprocess_specs(key)
    compiled = CompiledProcess(key, version, spec, subs, _elements(tree, key))
    with _cache_lock:
        if len(_cache) >= _CACHE_MAX:
            _cache.pop(next(iter(_cache)))
        _cache[(key, version)] = compiled
    return compiled


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


# -- state -------------------------------------------------------------------------


class _SpecFreeConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    """Leaves the spec out of the dictionary and takes it from the cache on load."""

    current: threading.local = threading.local()

    def to_dict(self, workflow: Any) -> dict[str, Any]:
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dict(dct)

    def from_dict(self, dct: dict[str, Any]) -> Any:
        compiled: CompiledProcess = self.current.compiled
        workflow = self.target_class(compiled.spec, compiled.subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _make_serializer() -> BpmnWorkflowSerializer:
    registry = BpmnWorkflowSerializer.configure()
    _SpecFreeConverter(BpmnWorkflow, registry)
    return BpmnWorkflowSerializer(registry)


_serializer = _make_serializer()
STATE_FORMAT = 1


def dump_state(workflow: BpmnWorkflow) -> bytes:
    """Compact state of a running workflow (see the module docstring)."""
    reg = _serializer.registry
    reg._encoder_mode = True
    try:
        dct = _serializer.to_dict(workflow)
    finally:
        reg._encoder_mode = False
    dct["f"] = STATE_FORMAT
    return zlib.compress(orjson.dumps(dct, default=_default), 6)


def _default(value: Any) -> Any:
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def load_state(compiled: CompiledProcess, state: bytes) -> BpmnWorkflow:
    dct = orjson.loads(zlib.decompress(state))
    dct.pop("f", None)
    _SpecFreeConverter.current.compiled = compiled
    try:
        workflow: BpmnWorkflow = _serializer.from_dict(dct)
    finally:
        _SpecFreeConverter.current.compiled = None
    return workflow


def new_workflow(compiled: CompiledProcess) -> BpmnWorkflow:
    return BpmnWorkflow(compiled.spec, compiled.subprocess_specs)


def service_tasks_of(processes: Iterable[ParsedProcess]) -> list[tuple[str, str, str | None]]:
    return [(p.key, task, impl) for p in processes for task, impl in p.service_tasks]
