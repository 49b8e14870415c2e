"""The process engine: deploy BPMN definitions, start and advance instances.

Fulfilment (eTOM 1.3.2 service configuration & activation, 1.5.2 resource
provisioning) runs one BPMN process instance per service order. This module
is the engine's service layer; SpiffWorkflow 3 interprets the diagrams
(:mod:`openboss.fulfilment.engine.bpmn`).

* :func:`deploy` stores one row per executable process of a file, a new
  version only when the process changed. Running instances keep the version
  they started with.
* :func:`start` persists an instance due now; the worker's runner
  (:mod:`openboss.fulfilment.engine.runner`) or :func:`run` advances it until
  it waits (message, timer, desk task) or ends, in the caller's transaction.
* A handler exception is an *incident*: everything the failed run did is
  rolled back (a savepoint), the instance keeps its last state and is retried
  with back-off. Handlers are idempotent through ``ctx.key``.
* :func:`correlate` delivers a message to the instances expecting it, or keeps
  it until one does.
* :func:`cancel` runs the compensation handlers of the completed service tasks
  in reverse order; :func:`skip` (audited) passes over a failing or waiting task.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import structlog
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ErrorEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task, TaskState
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from openboss.audit.hooks import record_changes
from openboss.fulfilment.engine import bpmn
from openboss.fulfilment.engine.handlers import (
    BpmnError,
    TaskContext,
    compensation_for,
    handler_for,
)
from openboss.fulfilment.engine.models import (
    ENDED_STATUSES,
    INSTANCE_STATUSES,
    OPEN_STATUSES,
    DeskTask,
    ProcessDefinition,
    ProcessInstance,
    ProcessMessage,
    ProcessTaskLog,
)
from openboss.kit.clock import utcnow
from openboss.kit.errors import AppError, Conflict, NotFound, ValidationFailed
from openboss.kit.ids import new_id
from openboss.worker.backoff import backoff

log = structlog.get_logger("openboss.fulfilment.engine")

#: The shipped flows (FLOWS' BPMN files).
BUILTIN_DIR = Path(__file__).resolve().parent.parent / "flows"
#: Incident back-off: 5 s, 10 s, 20 s … at most 30 minutes between attempts.
INCIDENT_BACKOFF = {"base": 5.0, "cap": 1800.0}
#: Largest BPMN document accepted.
MAX_XML_BYTES = 2_000_000
#: Elements worth a task-log row (gateways and plain events only mark "done").
LOGGED_TYPES = frozenset(
    {
        "serviceTask",
        "userTask",
        "manualTask",
        "receiveTask",
        "scriptTask",
        "sendTask",
        "task",
        "intermediateCatchEvent",
        "boundaryEvent",
        "callActivity",
        "subProcess",
    }
)

InstanceClosed = Callable[[Session, ProcessInstance, str], None]
_listeners_lock = threading.Lock()
_closed_listeners: list[InstanceClosed] = []


def on_instance_closed(fn: InstanceClosed) -> InstanceClosed:
    """Register ``fn(session, instance, outcome)``, called in the transaction that
    ends an instance; outcome ``completed`` | ``failed`` | ``cancelled``."""
    with _listeners_lock:
        if fn not in _closed_listeners:
            _closed_listeners.append(fn)
    return fn


def remove_instance_listener(fn: InstanceClosed) -> None:
    with _listeners_lock:
        if fn in _closed_listeners:
            _closed_listeners.remove(fn)


def _closed(session: Session, inst: ProcessInstance, outcome: str) -> None:
    with _listeners_lock:
        listeners = list(_closed_listeners)
    for fn in listeners:
        fn(session, inst, outcome)


# -- definitions -------------------------------------------------------------------


def _xml_text(xml: bytes | str) -> str:
    if isinstance(xml, bytes):
        if len(xml) > MAX_XML_BYTES:
            raise ValidationFailed("the BPMN document is too large", field="file")
        try:
            return xml.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationFailed("the BPMN document is not UTF-8", field="file") from exc
    if len(xml) > MAX_XML_BYTES:
        raise ValidationFailed("the BPMN document is too large", field="file")
    return xml


def deploy(session: Session, xml: bytes | str, *, source: str = "api") -> list[ProcessDefinition]:
    """Store the executable processes of a BPMN document; one row per process,
    a new version only when its content changed (else the latest is returned).

    400 (``ValidationFailed``, field ``file``) for an invalid document or a
    service task whose handler is not registered (the message names the task).
    """
    text = _xml_text(xml)
    try:
        processes = bpmn.inspect(text.encode("utf-8"))
    except bpmn.InvalidBpmn as exc:
        where = f" (element {exc.element})" if exc.element else ""
        raise ValidationFailed(f"invalid BPMN{where}: {exc}"[:1000], field="file") from exc
    for key, task, impl in bpmn.service_tasks_of(processes):
        if not impl:
            raise ValidationFailed(
                f"service task {task} of process {key} has no implementation attribute",
                field="file",
            )
        if handler_for(impl) is None:
            raise ValidationFailed(
                f"service task {task} of process {key}: no handler registered for "
                f"implementation {impl!r}",
                field="file",
            )
    result: list[ProcessDefinition] = []
    for proc in processes:
        latest = latest_definition(session, proc.key)
        if latest is not None and latest.sha256 == proc.sha256:
            result.append(latest)
            continue
        row = ProcessDefinition(
            id=new_id(),
            key=proc.key,
            version=(latest.version + 1) if latest is not None else 1,
            name=proc.name,
            xml=text,
            sha256=proc.sha256,
            deployed_at=utcnow(),
            source=source[:32],
        )
        session.add(row)
        session.flush()
        log.info("process_deployed", key=row.key, version=row.version, source=source)
        result.append(row)
    return result


def deploy_builtin(session: Session) -> list[ProcessDefinition]:
    """Deploy every ``src/openboss/fulfilment/flows/*.bpmn`` (unchanged ones are kept).

    Imports :mod:`openboss.fulfilment.flows` first: its handlers must be registered."""
    importlib.import_module("openboss.fulfilment.flows")
    result: list[ProcessDefinition] = []
    for path in sorted(BUILTIN_DIR.glob("*.bpmn")):
        result.extend(deploy(session, path.read_bytes(), source="builtin"))
    return result


def latest_definition(session: Session, key: str) -> ProcessDefinition | None:
    return session.scalar(
        select(ProcessDefinition)
        .where(ProcessDefinition.key == key)
        .order_by(ProcessDefinition.version.desc())
        .limit(1)
    )


def get_definition(session: Session, key: str, version: int | None = None) -> ProcessDefinition:
    if version is None:
        row = latest_definition(session, key)
    else:
        row = session.scalar(
            select(ProcessDefinition).where(
                ProcessDefinition.key == key, ProcessDefinition.version == version
            )
        )
    if row is None:
        what = key if version is None else f"{key} version {version}"
        raise NotFound(f"no process definition {what}", field="key")
    return row


def list_definitions(session: Session, *, key: str | None = None) -> list[ProcessDefinition]:
    """Every version (newest first per key), or those of one key."""
    stmt = select(ProcessDefinition).order_by(
        ProcessDefinition.key, ProcessDefinition.version.desc()
    )
    if key is not None:
        stmt = stmt.where(ProcessDefinition.key == key)
    return list(session.scalars(stmt))


def _compiled(session: Session, key: str, version: int) -> bpmn.CompiledProcess:
    def load() -> str:
        return get_definition(session, key, version).xml

    return bpmn.compile_process(key, version, load)


def definition_view(row: ProcessDefinition, *, with_xml: bool = False) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": row.id,
        "key": row.key,
        "version": row.version,
        "name": row.name,
        "sha256": row.sha256,
        "deployedAt": row.deployed_at.isoformat(),
        "source": row.source,
    }
    if with_xml:
        doc["xml"] = row.xml
    return doc


# -- instances ----------------------------------------------------------------------


def start(
    session: Session,
    process_key: str,
    *,
    business_key: str,
    data: dict[str, Any],
    version: int | None = None,
) -> ProcessInstance:
    """Create an instance of the latest (or the given) version, due now; it runs
    once the caller's transaction commits (worker) or on :func:`run`."""
    if not business_key or len(business_key) > 128:
        raise ValidationFailed("businessKey must be 1..128 characters", field="businessKey")
    if not isinstance(data, dict):
        raise ValidationFailed("data must be an object", field="data")
    definition = get_definition(session, process_key, version)
    now = utcnow()
    inst = ProcessInstance(
        id=new_id(),
        process_key=definition.key,
        version=definition.version,
        business_key=business_key,
        status="running",
        state=None,
        data=_json_safe(data),
        current=[],
        done=[],
        due_at=now,
        attempts=0,
        has_messages=False,
        runs=0,
        created_at=now,
        updated_at=now,
        progressed_at=now,
    )
    session.add(inst)
    session.flush()
    session.info["jobs_written"] = True  # wakes the worker of this process on commit
    return inst


def get_instance(session: Session, instance_id: str, *, lock: bool = False) -> ProcessInstance:
    inst = session.get(ProcessInstance, instance_id, with_for_update=lock or None)
    if inst is None:
        raise NotFound(f"no process instance {instance_id}", field="id")
    return inst


class _Runtime:
    """What one advancement of one instance needs (attached to the workflow)."""

    def __init__(self, session: Session, inst: ProcessInstance, compiled: bpmn.CompiledProcess):
        self.session = session
        self.inst = inst
        self.compiled = compiled
        self.skip: set[str] = set()
        self.skip_reason = ""
        self.logs: list[dict[str, Any]] = []
        self.seq = 0
        self.failed_code: str | None = None
        self.failing_task: str | None = None
        self.progressed = False
        self.fresh = inst.state is None
        #: Completed tasks per spec name (the iteration part of ``ctx.key``).
        self.iterations: dict[str, int] | None = None
        #: An expectation was written in this run.
        self.expected = False
        #: Correlated messages not caught yet.
        self.pending: list[ProcessMessage] = []
        #: Buffered messages a handler's ``expect`` attached during this run.
        self.new_pending: list[ProcessMessage] = []
        self._started: dict[Any, float] = {}

    # -- logging ---------------------------------------------------------------------

    def add_log(
        self,
        task_id: str,
        outcome: str,
        *,
        started: datetime,
        duration_ms: float,
        detail: str | None = None,
        implementation: str | None = None,
    ) -> None:
        kind, name = self.compiled.elements.get(task_id, ("task", None))
        self.seq += 1
        self.logs.append(
            {
                "id": new_id(),
                "instance_id": self.inst.id,
                "seq": self.seq,
                "task_id": task_id[:128],
                "task_name": (name or None) and name[:255],
                "task_type": kind[:64],
                "implementation": implementation,
                "outcome": outcome,
                "started_at": started,
                "ended_at": started + timedelta(milliseconds=duration_ms),
                "duration_ms": round(duration_ms, 3),
                "detail": detail[:2000] if detail else None,
            }
        )

    def will_complete(self, task: Task) -> None:
        self._started[task.id] = time.perf_counter()
        # named in the incident when this element fails (a condition, a script …)
        self.failing_task = getattr(task.task_spec, "bpmn_id", None) or self.failing_task

    def did_complete(self, task: Task) -> None:
        spec = task.task_spec
        bpmn_id = getattr(spec, "bpmn_id", None)
        began = self._started.pop(task.id, None)
        if bpmn_id is None or isinstance(spec, bpmn.ServiceTask):
            return  # service tasks log themselves
        self.failing_task = None
        self.progressed = True
        kind = self.compiled.elements.get(bpmn_id, ("", None))[0]
        if kind in LOGGED_TYPES and task.state == TaskState.COMPLETED:
            elapsed = (time.perf_counter() - began) * 1000 if began is not None else 0.0
            self.add_log(bpmn_id, "completed", started=utcnow(), duration_ms=elapsed)

    # -- service tasks ------------------------------------------------------------------

    def run_service_task(self, task: Task) -> bool:
        spec = task.task_spec
        bpmn_id: str = spec.bpmn_id
        impl: str | None = spec.implementation
        started = utcnow()
        clock = time.perf_counter()
        self.progressed = True
        if bpmn_id in self.skip:
            self.skip.discard(bpmn_id)
            self.add_log(
                bpmn_id,
                "skipped",
                started=started,
                duration_ms=0.0,
                detail=self.skip_reason,
                implementation=impl,
            )
            return True
        if self.iterations is None:
            self.iterations = {}
            for done in task.workflow.get_tasks(state=TaskState.COMPLETED):
                name = done.task_spec.name
                self.iterations[name] = self.iterations.get(name, 0) + 1
        iteration = self.iterations.get(spec.name, 0) + 1
        self.iterations[spec.name] = iteration
        handler = handler_for(impl or "")
        self.failing_task = bpmn_id
        if handler is None:
            raise LookupError(f"no handler registered for service task {bpmn_id} ({impl!r})")
        ctx = TaskContext(
            session=self.session,
            instance_id=self.inst.id,
            process_key=self.inst.process_key,
            business_key=self.inst.business_key,
            task_id=bpmn_id,
            task_name=spec.bpmn_name or bpmn_id,
            key=f"{self.inst.id}:{bpmn_id}:{iteration}",
            data=task.data,
        )
        try:
            handler(ctx)
        except BpmnError as err:
            self.failing_task = None
            self._expect_all(ctx)
            self.add_log(
                bpmn_id,
                "error",
                started=started,
                duration_ms=(time.perf_counter() - clock) * 1000,
                detail=f"{err.code}: {err.message}" if err.message else err.code,
                implementation=impl,
            )
            event = BpmnEvent(
                ErrorEventDefinition(err.code, code=err.code),
                payload={"error": {"code": err.code, "message": err.message}},
                target=task.workflow,
            )
            before = len(task.workflow.top_workflow.bpmn_events)
            task.workflow.top_workflow.catch(event)
            if len(task.workflow.top_workflow.bpmn_events) > before:
                self.failed_code = err.code  # nobody catches it: the instance fails
            return True
        self.failing_task = None
        self._expect_all(ctx)
        self.add_log(
            bpmn_id,
            "completed",
            started=started,
            duration_ms=(time.perf_counter() - clock) * 1000,
            implementation=impl,
        )
        return True

    def _expect_all(self, ctx: TaskContext) -> None:
        for message, key in ctx._expectations:
            self.expected = True
            attached = _expect(self.session, self.inst.id, message, key)
            if attached is not None:
                self.new_pending.append(attached)


def _expect(session: Session, instance_id: str, message: str, key: str) -> ProcessMessage | None:
    buffered = session.scalar(
        select(ProcessMessage)
        .where(
            ProcessMessage.message == message,
            ProcessMessage.correlation_key == key,
            ProcessMessage.status == "buffered",
        )
        .order_by(ProcessMessage.created_at)
        .limit(1)
    )
    if buffered is not None:
        buffered.instance_id = instance_id
        buffered.status = "pending"
        return buffered
    session.add(
        ProcessMessage(
            id=new_id(),
            message=message[:128],
            correlation_key=key[:255],
            instance_id=instance_id,
            payload=None,
            status="expected",
            created_at=utcnow(),
        )
    )
    return None


def _new_workflow(compiled: bpmn.CompiledProcess, data: Mapping[str, Any]) -> BpmnWorkflow:
    wf = bpmn.new_workflow(compiled)
    for task in wf.get_tasks():
        task.data = dict(data)
    return wf


def _pending_messages(session: Session, instance_id: str) -> list[ProcessMessage]:
    return list(
        session.scalars(
            select(ProcessMessage)
            .where(ProcessMessage.instance_id == instance_id, ProcessMessage.status == "pending")
            .order_by(ProcessMessage.created_at)
        )
    )


def _deliver(wf: BpmnWorkflow, pending: list[ProcessMessage]) -> bool:
    """Catch the correlated messages the instance waits for now; drops them from
    ``pending``. True when one was caught."""
    caught = False
    for msg in list(pending):
        event = BpmnEvent(
            MessageEventDefinition(msg.message), payload={msg.message: msg.payload or {}}
        )
        if wf.event_manager.catch(event, internal=False):
            msg.status, msg.consumed_at = "consumed", utcnow()
            pending.remove(msg)
            caught = True
    return caught


def _advance(rt: _Runtime, wf: BpmnWorkflow) -> None:
    rt.pending = pending = _pending_messages(rt.session, rt.inst.id) if rt.inst.has_messages else []
    for _ in range(1000):
        rt.progressed = False
        delivered = _deliver(wf, pending) if pending else False
        wf.refresh_timers()
        wf.do_engine_steps(rt.will_complete, rt.did_complete)
        if wf.completed or rt.failed_code is not None:
            return
        if rt.new_pending:
            pending.extend(rt.new_pending)
            rt.new_pending = []
            continue
        if pending and (rt.progressed or delivered):
            continue  # it may have reached the catch event of a kept message
        return


def _current(wf: BpmnWorkflow) -> list[Task]:
    return [
        t
        for t in wf.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED)
        if getattr(t.task_spec, "bpmn_id", None) is not None
    ]


def _next_timer(wf: BpmnWorkflow) -> datetime | None:
    due: list[datetime] = []
    for task in wf.event_manager.tasks.values():
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, TimerEventDefinition):
            value = task._get_internal_data("event_value")
            if isinstance(value, str):
                try:
                    due.append(datetime.fromisoformat(value))
                except ValueError:
                    continue
    return min(due) if due else None


def _sync_desk_tasks(
    session: Session, inst: ProcessInstance, wf: BpmnWorkflow, *, fresh: bool = False
) -> None:
    ready = {
        str(t.id): t
        for t in wf.get_tasks(state=TaskState.READY)
        if t.task_spec.manual and getattr(t.task_spec, "bpmn_id", None)
    }
    if fresh and not ready:
        return  # a first run has no desk task rows yet
    existing = {
        d.spiff_task: d
        for d in session.scalars(
            select(DeskTask).where(DeskTask.instance_id == inst.id, DeskTask.status == "open")
        )
    }
    now = utcnow()
    for spiff_id, task in ready.items():
        if spiff_id not in existing:
            session.add(
                DeskTask(
                    id=new_id(),
                    instance_id=inst.id,
                    process_key=inst.process_key,
                    business_key=inst.business_key,
                    task_id=task.task_spec.bpmn_id,
                    name=task.task_spec.bpmn_name,
                    lane=(task.task_spec.lane or None),
                    status="open",
                    spiff_task=spiff_id,
                    created_at=now,
                )
            )
    for spiff_id, desk in existing.items():
        if spiff_id not in ready:
            desk.status = "cancelled"
            desk.completed_at = now


def _data_of(wf: BpmnWorkflow, current: Sequence[Task]) -> dict[str, Any]:
    if wf.completed:
        return dict(wf.data or (wf.last_task.data if wf.last_task is not None else {}))
    merged: dict[str, Any] = {}
    for task in current:
        merged.update(task.data)
    if not merged and wf.last_task is not None:
        merged.update(wf.last_task.data)
    return merged


def _done_ids(wf: BpmnWorkflow, previous: Sequence[str]) -> list[str]:
    done = list(previous)
    seen = set(done)
    for task in wf.get_tasks(state=TaskState.COMPLETED):
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        if bpmn_id and bpmn_id not in seen:
            seen.add(bpmn_id)
            done.append(bpmn_id)
    return done


def _finish(
    session: Session,
    inst: ProcessInstance,
    status: str,
    now: datetime,
    *,
    messages: bool = True,
    desks: bool = True,
) -> None:
    inst.status = status
    inst.has_messages = False
    inst.state = None
    inst.current = []
    inst.due_at = None
    inst.locked_by = inst.locked_until = None
    inst.ended_at = now
    inst.updated_at = now
    if messages:
        session.execute(
            update(ProcessMessage)
            .where(
                ProcessMessage.instance_id == inst.id,
                ProcessMessage.status.in_(("expected", "pending")),
            )
            .values(status="consumed", consumed_at=now)
            .execution_options(synchronize_session="fetch")
        )
    if desks:
        for desk in session.scalars(
            select(DeskTask).where(DeskTask.instance_id == inst.id, DeskTask.status == "open")
        ):
            desk.status, desk.completed_at = "cancelled", now
    _closed(session, inst, status)


def _flush_logs(session: Session, rt: _Runtime, base_seq: int) -> None:
    if not rt.logs:
        return
    for row in rt.logs:
        row["seq"] += base_seq
    session.execute(insert(ProcessTaskLog), rt.logs)
    rt.logs = []


def _last_seq(session: Session, instance_id: str) -> int:
    return int(
        session.scalar(
            select(func.coalesce(func.max(ProcessTaskLog.seq), 0)).where(
                ProcessTaskLog.instance_id == instance_id
            )
        )
        or 0
    )


def run(session: Session, instance_id: str) -> ProcessInstance:
    """Advance the instance now until it waits or ends (in the caller's transaction)."""
    return _run(session, get_instance(session, instance_id, lock=True))


class IncidentRaised(Exception):
    """A handler failed in a run without savepoint (the runner's): the caller
    rolls the transaction back and records the incident in a new one."""

    def __init__(self, task_id: str | None, error: Exception) -> None:
        super().__init__(str(error))
        self.task_id = task_id
        self.error = error


def _run(
    session: Session,
    inst: ProcessInstance,
    *,
    prepare: Callable[[_Runtime, BpmnWorkflow], None] | None = None,
    skip: str | None = None,
    skip_reason: str = "",
    savepoint: bool = True,
) -> ProcessInstance:
    if inst.status in ENDED_STATUSES:
        return inst
    compiled = _compiled(session, inst.process_key, inst.version)
    rt = _Runtime(session, inst, compiled)
    if skip is not None:
        rt.skip.add(skip)
        rt.skip_reason = skip_reason
    fresh = rt.fresh
    base_seq = 0 if fresh and inst.runs == 0 else _last_seq(session, inst.id)
    now = utcnow()
    nested = session.begin_nested() if savepoint else None
    try:
        if inst.state is None:
            wf = _new_workflow(compiled, inst.data)
        else:
            wf = bpmn.load_state(compiled, inst.state)
        wf.openboss_runtime = rt
        if prepare is not None:
            prepare(rt, wf)
        _advance(rt, wf)
        if rt.failed_code is None and wf.completed:
            # a flow that ends in an error end event completes with the error uncaught
            rt.failed_code = next(
                (
                    e.event_definition.code or "error"
                    for e in wf.top_workflow.bpmn_events
                    if isinstance(e.event_definition, ErrorEventDefinition)
                ),
                None,
            )
        current = _current(wf)
        if rt.failed_code is None and not wf.completed:
            _sync_desk_tasks(session, inst, wf, fresh=fresh)
        _flush_logs(session, rt, base_seq)
        if nested is not None:
            session.flush()
    except AppError:
        if nested is not None:
            nested.rollback()
        raise
    except Exception as exc:
        if nested is None:
            raise IncidentRaised(rt.failing_task, exc) from exc
        nested.rollback()
        return record_incident(session, inst, rt.failing_task, exc)
    if nested is not None:
        nested.commit()
    inst.runs += 1
    inst.attempts = 0
    inst.last_error = None
    inst.error_task = None
    inst.updated_at = now
    inst.progressed_at = now
    inst.done = _done_ids(wf, inst.done)
    inst.data = _json_safe(_data_of(wf, current))
    inst.locked_by = inst.locked_until = None
    inst.has_messages = bool(rt.pending)
    touched = not fresh or rt.expected
    if rt.failed_code is not None:
        inst.error_task = rt.failed_code[:128]
        inst.last_error = f"unhandled BPMN error {rt.failed_code}"
        _finish(session, inst, "failed", now, messages=touched, desks=not fresh)
    elif wf.completed:
        _finish(session, inst, "completed", now, messages=touched, desks=not fresh)
    else:
        inst.current = sorted({t.task_spec.bpmn_id for t in current})
        runnable = any(t.state == TaskState.READY and not t.task_spec.manual for t in current)
        inst.due_at = now if runnable else _next_timer(wf)
        inst.status = "running" if runnable else "waiting"
        inst.state = bpmn.dump_state(wf)
    if savepoint:
        session.flush()
    return inst


def _json_safe(data: dict[str, Any]) -> dict[str, Any]:
    try:
        return dict(orjson.loads(orjson.dumps(data, default=str)))
    except TypeError:
        return {k: str(v) for k, v in data.items()}


def record_incident(
    session: Session, inst: ProcessInstance, task_id: str | None, exc: BaseException
) -> ProcessInstance:
    """The run failed: keep the last committed state, retry with back-off."""
    now = utcnow()
    failing = task_id or "?"
    inst.status = "incident"
    inst.attempts += 1
    inst.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    inst.error_task = failing[:128]
    inst.due_at = now + backoff(inst.attempts, **INCIDENT_BACKOFF)
    inst.locked_by = inst.locked_until = None
    inst.updated_at = now
    inst.current = sorted(set(inst.current) | ({failing} if task_id else set()))
    kind, name = ("task", None)
    try:
        kind, name = _compiled(session, inst.process_key, inst.version).elements.get(
            failing, ("task", None)
        )
    except Exception:
        log.debug("incident_element_unknown", instance=inst.id)
    session.add(
        ProcessTaskLog(
            id=new_id(),
            instance_id=inst.id,
            seq=_last_seq(session, inst.id) + 1,
            task_id=failing[:128],
            task_name=name,
            task_type=kind,
            outcome="incident",
            started_at=now,
            ended_at=now,
            duration_ms=0.0,
            detail=inst.last_error,
        )
    )
    session.flush()
    log.warning(
        "process_incident",
        instance=inst.id,
        key=inst.process_key,
        task=failing,
        attempts=inst.attempts,
        error=inst.last_error,
    )
    return inst


# -- messages -----------------------------------------------------------------------


def correlate(
    session: Session, message: str, correlation_key: str, payload: dict[str, Any]
) -> list[str]:
    """Deliver ``message`` to the instances expecting it with ``correlation_key``
    (``ctx.expect``) — or, when none does, to the open instances whose business
    key is ``correlation_key``; otherwise the message is kept until an instance
    expects it. Returns the ids of the instances it was delivered to."""
    if not message or len(message) > 128:
        raise ValidationFailed("message must be 1..128 characters", field="message")
    if not correlation_key or len(correlation_key) > 255:
        raise ValidationFailed("correlationKey must be 1..255 characters", field="correlationKey")
    if not isinstance(payload, dict):
        raise ValidationFailed("payload must be an object", field="payload")
    now = utcnow()
    payload = _json_safe(payload)
    waiting = select(ProcessMessage).where(
        ProcessMessage.message == message,
        ProcessMessage.correlation_key == correlation_key,
        ProcessMessage.status == "expected",
    )
    candidates = sorted(
        {i for i in session.scalars(waiting.with_only_columns(ProcessMessage.instance_id)) if i}
    )
    if candidates:
        # Lock the instances before their messages, in the order the runner does
        # (instance, then messages): a message arriving while its instance runs
        # waits for that run instead of deadlocking with it.
        session.execute(
            select(ProcessInstance.id)
            .where(ProcessInstance.id.in_(candidates))
            .order_by(ProcessInstance.id)
            .with_for_update()
        ).all()
    expected = list(session.scalars(waiting.order_by(ProcessMessage.created_at).with_for_update()))
    targets: list[str] = []
    for row in expected:
        row.status, row.payload = "pending", payload
        if row.instance_id is not None:
            targets.append(row.instance_id)
    if not targets:
        for inst_id in session.scalars(
            select(ProcessInstance.id).where(
                ProcessInstance.business_key == correlation_key,
                ProcessInstance.status.in_(OPEN_STATUSES),
            )
        ):
            session.add(
                ProcessMessage(
                    id=new_id(),
                    message=message,
                    correlation_key=correlation_key,
                    instance_id=inst_id,
                    payload=payload,
                    status="pending",
                    created_at=now,
                )
            )
            targets.append(inst_id)
    if not targets:
        session.add(
            ProcessMessage(
                id=new_id(),
                message=message,
                correlation_key=correlation_key,
                instance_id=None,
                payload=payload,
                status="buffered",
                created_at=now,
            )
        )
        session.flush()
        return []
    session.execute(
        update(ProcessInstance)
        .where(
            ProcessInstance.id.in_(targets),
            ProcessInstance.status.in_(("running", "waiting")),
        )
        .values(due_at=now)
        .execution_options(synchronize_session="fetch")
    )
    session.execute(
        update(ProcessInstance)
        .where(ProcessInstance.id.in_(targets))
        .values(has_messages=True)
        .execution_options(synchronize_session="fetch")
    )
    session.flush()
    session.info["jobs_written"] = True
    return targets


# -- administration --------------------------------------------------------------------


def _audit(session: Session, inst: ProcessInstance, before: str, action: dict[str, Any]) -> None:
    record_changes(
        session,
        "process_instance",
        [(inst.id, {"status": before}, {"status": inst.status, **action})],
    )


def cancel(session: Session, instance_id: str, reason: str) -> ProcessInstance:
    """Compensate the completed service tasks (reverse order), then ``cancelled``.
    409 when the instance has ended."""
    if not isinstance(reason, str) or len(reason) > 1000:
        raise ValidationFailed("reason must be a text of at most 1000 characters", field="reason")
    inst = get_instance(session, instance_id, lock=True)
    if inst.status in ENDED_STATUSES:
        raise Conflict(f"process instance {inst.id} has ended ({inst.status})", code="ENDED")
    before = inst.status
    now = utcnow()
    done = list(
        session.scalars(
            select(ProcessTaskLog)
            .where(
                ProcessTaskLog.instance_id == inst.id,
                ProcessTaskLog.task_type == "serviceTask",
                ProcessTaskLog.outcome.in_(("completed", "compensated")),
            )
            .order_by(ProcessTaskLog.seq.desc())
        )
    )
    already = {row.detail for row in done if row.outcome == "compensated"}
    compiled = _compiled(session, inst.process_key, inst.version)
    rt = _Runtime(session, inst, compiled)
    for row in done:
        if row.outcome != "completed" or row.id in already or not row.implementation:
            continue
        undo = compensation_for(row.implementation)
        if undo is None:
            continue
        clock = time.perf_counter()
        ctx = TaskContext(
            session=session,
            instance_id=inst.id,
            process_key=inst.process_key,
            business_key=inst.business_key,
            task_id=row.task_id,
            task_name=row.task_name or row.task_id,
            key=f"{row.id}:compensate",
            data=inst.data,
        )
        try:
            with session.begin_nested():
                undo(ctx)
        except Exception as exc:
            raise Conflict(
                f"compensation of task {row.task_id} failed: {exc}"[:1000],
                code="COMPENSATION_FAILED",
            ) from exc
        rt.add_log(
            row.task_id,
            "compensated",
            started=now,
            duration_ms=(time.perf_counter() - clock) * 1000,
            detail=row.id,
            implementation=row.implementation,
        )
    _flush_logs(session, rt, _last_seq(session, inst.id))
    inst.last_error = f"cancelled: {reason}"[:2000] if reason else "cancelled"
    _finish(session, inst, "cancelled", now)
    _audit(session, inst, before, {"action": "cancel", "reason": reason})
    session.flush()
    return inst


def retry(session: Session, instance_id: str) -> ProcessInstance:
    """Run an instance in incident now (409 for any other state)."""
    inst = get_instance(session, instance_id, lock=True)
    if inst.status != "incident":
        raise Conflict(
            f"process instance {inst.id} is {inst.status}, not in incident", code="NOT_INCIDENT"
        )
    before = inst.status
    inst.due_at = utcnow()
    _audit(session, inst, before, {"action": "retry"})
    return _run(session, inst)


def skip(session: Session, instance_id: str, task_id: str, reason: str) -> ProcessInstance:
    """Pass over the failing service task of an incident, or a waiting task
    (desk task, message or timer), without running it; audited with ``reason``."""
    if not isinstance(task_id, str) or not task_id or len(task_id) > 128:
        raise ValidationFailed("taskId must be 1..128 characters", field="taskId")
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 1000:
        raise ValidationFailed("reason is required (at most 1000 characters)", field="reason")
    inst = get_instance(session, instance_id, lock=True)
    if inst.status in ENDED_STATUSES:
        raise Conflict(f"process instance {inst.id} has ended ({inst.status})", code="ENDED")
    before = inst.status
    if inst.status == "incident" and inst.error_task == task_id:
        _audit(session, inst, before, {"action": "skip", "taskId": task_id, "reason": reason})
        return _run(session, inst, skip=task_id, skip_reason=reason)
    if task_id not in (inst.current or []):
        raise Conflict(f"task {task_id} is not a current task of the instance", code="NOT_CURRENT")

    def prepare(rt: _Runtime, wf: BpmnWorkflow) -> None:
        for task in _current(wf):
            if task.task_spec.bpmn_id != task_id:
                continue
            if task.state == TaskState.WAITING:
                task._set_internal_data(event_fired=True)
                task.task_spec._update(task)
            if task.state == TaskState.READY and task.task_spec.manual:
                task.run()
            elif task.state == TaskState.READY and isinstance(task.task_spec, bpmn.ServiceTask):
                rt.skip.add(task_id)
            rt.add_log(task_id, "skipped", started=utcnow(), duration_ms=0.0, detail=reason)
            return
        raise Conflict(f"task {task_id} is not a current task of the instance", code="NOT_CURRENT")

    _audit(session, inst, before, {"action": "skip", "taskId": task_id, "reason": reason})
    return _run(session, inst, prepare=prepare, skip_reason=reason)


# -- desk tasks ------------------------------------------------------------------------


def get_desk_task(session: Session, desk_id: str) -> DeskTask:
    desk = session.get(DeskTask, desk_id)
    if desk is None:
        raise NotFound(f"no desk task {desk_id}", field="id")
    return desk


def list_desk_tasks(
    session: Session,
    *,
    status: str | None = "open",
    business_key: str | None = None,
    instance_id: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[DeskTask], int]:
    stmt = select(DeskTask)
    count = select(func.count()).select_from(DeskTask)
    conds = []
    if status is not None:
        conds.append(DeskTask.status == status)
    if business_key is not None:
        conds.append(DeskTask.business_key == business_key)
    if instance_id is not None:
        conds.append(DeskTask.instance_id == instance_id)
    for cond in conds:
        stmt, count = stmt.where(cond), count.where(cond)
    rows = list(
        session.scalars(
            stmt.order_by(DeskTask.created_at.desc(), DeskTask.id).offset(offset).limit(limit)
        )
    )
    return rows, int(session.scalar(count) or 0)


def complete_desk_task(
    session: Session, desk_id: str, result: dict[str, Any], *, actor: str | None = None
) -> DeskTask:
    """Complete an open desk task: ``result`` is merged into the instance data
    and the instance runs on. 409 when the task is not open."""
    if not isinstance(result, dict):
        raise ValidationFailed("the body must be a JSON object", field="body")
    desk = get_desk_task(session, desk_id)
    if desk.status != "open":
        raise Conflict(f"desk task {desk.id} is {desk.status}", code="NOT_OPEN")
    inst = get_instance(session, desk.instance_id, lock=True)
    if inst.status in ENDED_STATUSES or inst.state is None:
        raise Conflict(f"process instance {inst.id} is {inst.status}", code="NOT_OPEN")
    clean = _json_safe(result)

    def prepare(rt: _Runtime, wf: BpmnWorkflow) -> None:
        for task in wf.get_tasks(state=TaskState.READY):
            if str(task.id) == desk.spiff_task:
                started = time.perf_counter()
                task.set_data(**clean)
                task.run()
                rt.add_log(
                    desk.task_id,
                    "completed",
                    started=desk.created_at,
                    duration_ms=(time.perf_counter() - started) * 1000
                    + (utcnow() - desk.created_at).total_seconds() * 1000,
                    detail=actor,
                )
                rt.progressed = True
                return
        raise Conflict(f"desk task {desk.id} is no longer ready in the instance", code="NOT_OPEN")

    now = utcnow()
    desk.status, desk.result, desk.completed_by, desk.completed_at = (
        "completed",
        clean,
        (actor or "")[:64] or None,
        now,
    )
    session.flush()
    _run(session, inst, prepare=prepare)
    return desk


# -- views -----------------------------------------------------------------------------


def task_log(session: Session, instance_id: str) -> list[ProcessTaskLog]:
    return list(
        session.scalars(
            select(ProcessTaskLog)
            .where(ProcessTaskLog.instance_id == instance_id)
            .order_by(ProcessTaskLog.seq)
        )
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def log_view(row: ProcessTaskLog) -> dict[str, Any]:
    return {
        "seq": row.seq,
        "taskId": row.task_id,
        "taskName": row.task_name,
        "taskType": row.task_type,
        "implementation": row.implementation,
        "outcome": row.outcome,
        "startedAt": row.started_at.isoformat(),
        "endedAt": row.ended_at.isoformat(),
        "durationMs": row.duration_ms,
        "detail": row.detail,
    }


def desk_view(desk: DeskTask) -> dict[str, Any]:
    return {
        "id": desk.id,
        "instanceId": desk.instance_id,
        "processKey": desk.process_key,
        "businessKey": desk.business_key,
        "taskId": desk.task_id,
        "name": desk.name,
        "lane": desk.lane,
        "status": desk.status,
        "result": desk.result,
        "completedBy": desk.completed_by,
        "createdAt": desk.created_at.isoformat(),
        "completedAt": _iso(desk.completed_at),
    }


def instance_summary(inst: ProcessInstance) -> dict[str, Any]:
    return {
        "id": inst.id,
        "processKey": inst.process_key,
        "version": inst.version,
        "businessKey": inst.business_key,
        "status": inst.status,
        "currentTaskIds": list(inst.current or []),
        "attempts": inst.attempts,
        "lastError": inst.last_error,
        "errorTask": inst.error_task,
        "dueAt": _iso(inst.due_at),
        "createdAt": inst.created_at.isoformat(),
        "updatedAt": inst.updated_at.isoformat(),
        "progressedAt": inst.progressed_at.isoformat(),
        "endedAt": _iso(inst.ended_at),
    }


def instance_view(session: Session, instance_id: str) -> dict[str, Any]:
    """State, version, data, done and current task ids, task log, desk tasks."""
    inst = get_instance(session, instance_id)
    doc = instance_summary(inst)
    doc["data"] = inst.data
    doc["doneTaskIds"] = list(inst.done or [])
    doc["stateBytes"] = len(inst.state) if inst.state is not None else 0
    doc["tasks"] = [log_view(r) for r in task_log(session, inst.id)]
    doc["deskTasks"] = [
        desk_view(d)
        for d in list_desk_tasks(session, status=None, instance_id=inst.id, limit=500)[0]
    ]
    doc["messages"] = [
        {
            "message": m.message,
            "correlationKey": m.correlation_key,
            "status": m.status,
            "createdAt": m.created_at.isoformat(),
        }
        for m in session.scalars(
            select(ProcessMessage)
            .where(ProcessMessage.instance_id == inst.id)
            .order_by(ProcessMessage.created_at)
        )
    ]
    return doc


def list_instances(
    session: Session,
    *,
    status: str | None = None,
    process_key: str | None = None,
    business_key: str | None = None,
    stuck_minutes: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[ProcessInstance], int]:
    """Instances newest first; ``stuck_minutes``: open and no progress for longer."""
    if status is not None and status not in INSTANCE_STATUSES:
        raise ValidationFailed(
            f"state must be one of {', '.join(INSTANCE_STATUSES)}", field="state"
        )
    if offset < 0:
        raise ValidationFailed("offset must not be negative", field="offset")
    if not 1 <= limit <= 500:
        raise ValidationFailed("limit must be between 1 and 500", field="limit")
    conds: list[Any] = []
    if status is not None:
        conds.append(ProcessInstance.status == status)
    if process_key is not None:
        conds.append(ProcessInstance.process_key == process_key)
    if business_key is not None:
        conds.append(ProcessInstance.business_key == business_key)
    if stuck_minutes is not None:
        if not 0 <= stuck_minutes <= 525_600:
            raise ValidationFailed("stuck must be between 0 and 525600 minutes", field="stuck")
        conds.append(ProcessInstance.status.in_(OPEN_STATUSES))
        conds.append(ProcessInstance.progressed_at < utcnow() - timedelta(minutes=stuck_minutes))
    stmt = select(ProcessInstance)
    count = select(func.count()).select_from(ProcessInstance)
    for cond in conds:
        stmt, count = stmt.where(cond), count.where(cond)
    rows = list(
        session.scalars(
            stmt.order_by(ProcessInstance.created_at.desc(), ProcessInstance.id.desc())
            .offset(offset)
            .limit(limit)
        )
    )
    return rows, int(session.scalar(count) or 0)


def instances_of(session: Session, business_key: str) -> list[ProcessInstance]:
    """The instances run for one business key (e.g. a service order id), oldest first."""
    return list(
        session.scalars(
            select(ProcessInstance)
            .where(ProcessInstance.business_key == business_key)
            .order_by(ProcessInstance.created_at)
        )
    )


def count_by_status(session: Session) -> dict[str, int]:
    counts = dict.fromkeys(INSTANCE_STATUSES, 0)
    for status, n in session.execute(
        select(ProcessInstance.status, func.count()).group_by(ProcessInstance.status)
    ).all():
        counts[status] = int(n)
    return counts
