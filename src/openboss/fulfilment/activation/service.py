"""The activation platform's entry point (eTOM 1.3.2.3 Implement, Configure &
Activate Service; 1.4.x resource provisioning through the element adapters).

:func:`execute` runs one command on a service's elements in order (``olt``,
``radius``, ``hlr``, ``ims``). When an element fails, the elements already
changed by this request are undone in reverse order with the inverse command
(:mod:`openboss.fulfilment.activation.contract`) and :class:`ActivationFailed`
is raised. A successful request is stored under its idempotency ``key``:
executing the same key again returns the stored result and calls nothing.
Every element command is written to the call log (``activation_call``), with
secrets masked.

Failure injection (tests, demos): :func:`inject_failure` (in the database,
seen by every process) and the setting ``OPENBOSS_ACTIVATION_FAILURES``
(``hlr:activate=1,olt:*=2``, counted in this process).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.fulfilment.activation.contract import (
    COMMANDS,
    ActivationFailed,
    Command,
    Effect,
    ElementAdapter,
    ElementError,
    run_command,
    undo_steps,
)
from openboss.fulfilment.activation.models import (
    ActivationCall,
    ActivationFailure,
    ActivationRequest,
)
from openboss.fulfilment.activation.radius import RadiusAdapter, password_hash, session_up
from openboss.fulfilment.activation.simulators import HlrSimulator, ImsSimulator, OltSimulator
from openboss.kit.clock import utcnow
from openboss.kit.errors import Conflict, ValidationFailed
from openboss.kit.ids import new_id

__all__ = [
    "ActivationFailed",
    "Command",
    "adapter",
    "call_log",
    "clear_failures",
    "configure_failures",
    "execute",
    "inject_failure",
    "keep_consumed_failure",
    "password_hash",
    "session_up",
]

ADAPTERS: dict[str, ElementAdapter] = {
    "olt": OltSimulator(),
    "radius": RadiusAdapter(),
    "hlr": HlrSimulator(),
    "ims": ImsSimulator(),
}

_SECRET_NAMES = frozenset({"pin", "puk", "ki", "opc"})


def adapter(element: str) -> ElementAdapter:
    try:
        return ADAPTERS[element]
    except KeyError:
        raise ValidationFailed(
            f"unknown element '{element}'; known: {', '.join(ADAPTERS)}", field="elements"
        ) from None


def _masked(params: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in params.items():
        lowered = name.lower()
        secret = "password" in lowered or "secret" in lowered or lowered in _SECRET_NAMES
        out[name] = "***" if secret else value
    return out


_seq_lock = threading.Lock()
_last_seq = 0


def _next_seq() -> int:
    global _last_seq
    with _seq_lock:
        _last_seq = max(time.time_ns() // 1000, _last_seq + 1)
        return _last_seq


def _log(
    session: Session,
    *,
    element: str,
    command: str,
    service_id: str,
    key: str,
    params: Mapping[str, Any],
    outcome: str,
    detail: str | None = None,
) -> None:
    session.add(
        ActivationCall(
            id=new_id(),
            seq=_next_seq(),
            element=element,
            command=command,
            service_id=service_id,
            key=key,
            params=_masked(params),
            outcome=outcome,
            detail=detail,
            at=utcnow(),
        )
    )


# ---------------------------------------------------------------- failure injection

_setting_budget: dict[tuple[str, str], int] | None = None
_budget_lock = threading.Lock()


def configure_failures(spec: str) -> dict[tuple[str, str], int]:
    """Parse ``OPENBOSS_ACTIVATION_FAILURES`` (``hlr:activate=1,olt:*=2``) and make it
    this process's budget of injected failures (an empty string clears it)."""
    global _setting_budget
    budget: dict[tuple[str, str], int] = {}
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        target, _, times = part.partition("=")
        element, _, command = target.partition(":")
        if element not in ADAPTERS or (command not in COMMANDS and command != "*"):
            raise ValueError(f"OPENBOSS_ACTIVATION_FAILURES: bad entry {part!r}")
        budget[(element, command)] = int(times or "1")
    with _budget_lock:
        _setting_budget = budget
    return budget


def _setting_failure(element: str, command: str) -> bool:
    global _setting_budget
    with _budget_lock:
        if _setting_budget is None:
            from openboss.config import get_settings

            spec = get_settings().activation_failures
            _setting_budget = {}
        else:
            spec = None
    if spec:
        configure_failures(spec)
    with _budget_lock:
        assert _setting_budget is not None
        for target in ((element, command), (element, "*")):
            left = _setting_budget.get(target, 0)
            if left > 0:
                _setting_budget[target] = left - 1
                return True
    return False


def inject_failure(session: Session, element: str, command: str, times: int = 1) -> None:
    """Make the next ``times`` calls of ``command`` (``*``: any) on ``element`` fail."""
    adapter(element)
    if command not in COMMANDS and command != "*":
        raise ValidationFailed(f"unknown command '{command}'", field="command")
    if times < 0:
        raise ValidationFailed("times must be >= 0", field="times")
    row = session.scalars(
        select(ActivationFailure).where(
            ActivationFailure.element == element, ActivationFailure.command == command
        )
    ).first()
    if row is None:
        session.add(
            ActivationFailure(id=new_id(), element=element, command=command, remaining=times)
        )
    else:
        row.remaining = times
    session.flush()


def clear_failures(session: Session) -> None:
    for row in session.scalars(select(ActivationFailure)):
        session.delete(row)
    configure_failures("")
    session.flush()


def _injected(session: Session, element: str, command: str) -> str | None:
    """Consume one injected failure: ``"table"``, ``"setting"`` or ``None``."""
    if _consume_row(session, element, command):
        return "table"
    return "setting" if _setting_failure(element, command) else None


def _consume_row(session: Session, element: str, command: str) -> bool:
    rows = session.scalars(
        select(ActivationFailure).where(
            ActivationFailure.element == element,
            ActivationFailure.command.in_((command, "*")),
            ActivationFailure.remaining > 0,
        )
    ).all()
    for row in sorted(rows, key=lambda r: r.command == "*"):
        row.remaining -= 1
        session.flush()
        return True
    return False


def keep_consumed_failure(session: Session, exc: ActivationFailed) -> None:
    """After the caller rolled back a failed request: consume again the injected
    failure whose use the rollback undid (else it would fire for ever)."""
    if exc.injected == "table":
        _consume_row(session, exc.element, exc.command)


# ---------------------------------------------------------------- execute


def _check(
    command: Command, service_id: str, elements: Sequence[str], params: Mapping[str, Any], key: str
) -> None:
    if command not in COMMANDS:
        raise ValidationFailed(
            f"unknown command '{command}'; one of {', '.join(COMMANDS)}", field="command"
        )
    if not isinstance(service_id, str) or not 0 < len(service_id) <= 64:
        raise ValidationFailed("serviceId must be 1 to 64 characters", field="serviceId")
    if not isinstance(key, str) or not 0 < len(key) <= 200:
        raise ValidationFailed("key must be 1 to 200 characters", field="key")
    if not elements:
        raise ValidationFailed("at least one element is required", field="elements")
    if len(set(elements)) != len(elements):
        raise ValidationFailed("an element is named twice", field="elements")
    for element in elements:
        adapter(element).check(command, params)


def execute(
    session: Session,
    *,
    command: Command,
    service_id: str,
    elements: Sequence[str],
    params: Mapping[str, Any],
    key: str,
) -> dict[str, Any]:
    """Run ``command`` on ``elements`` in order (see the module docstring).

    Returns ``{"key", "command", "serviceId", "elements": [{"element", "outcome",
    "state", …}]}``; raises :class:`ActivationFailed` (409) after compensation,
    ``ValidationFailed`` (400, nothing called) for unusable params.
    """
    elements = list(elements)
    stored = session.scalars(select(ActivationRequest).where(ActivationRequest.key == key)).first()
    if stored is not None:
        if stored.command != command or stored.service_id != service_id:
            raise Conflict(
                f"key '{key}' was used for {stored.command} of service '{stored.service_id}'",
                field="key",
                code="KEY_REUSED",
            )
        return dict(stored.result)
    _check(command, service_id, elements, params, key)

    done: list[tuple[str, Effect]] = []
    results: list[dict[str, Any]] = []
    injected: str | None = None
    for element in elements:
        try:
            injected = _injected(session, element, command)
            if injected:
                raise ElementError("injected failure")
            effect = run_command(adapter(element), session, command, service_id, params)
        except ElementError as exc:
            _log(
                session,
                element=element,
                command=command,
                service_id=service_id,
                key=key,
                params=params,
                outcome="failed",
                detail=exc.reason,
            )
            undone, failures = _compensate(session, done, command, service_id, key, params)
            raise ActivationFailed(
                element,
                exc.reason,
                command=command,
                service_id=service_id,
                undone=undone,
                undo_failures=failures,
                injected=injected,
            ) from exc
        _log(
            session,
            element=element,
            command=command,
            service_id=service_id,
            key=key,
            params=params,
            outcome="done" if effect.changed else "unchanged",
        )
        done.append((element, effect))
        results.append(
            {
                "element": element,
                "outcome": "done" if effect.changed else "unchanged",
                "state": effect.state,
                **effect.extra,
            }
        )

    result = {"key": key, "command": command, "serviceId": service_id, "elements": results}
    session.add(
        ActivationRequest(
            id=new_id(),
            key=key,
            command=command,
            service_id=service_id,
            elements=elements,
            result=result,
            created_at=utcnow(),
        )
    )
    session.flush()
    return result


def _compensate(
    session: Session,
    done: list[tuple[str, Effect]],
    command: str,
    service_id: str,
    key: str,
    params: Mapping[str, Any],
) -> tuple[list[str], list[str]]:
    undone: list[str] = []
    failures: list[str] = []
    for element, effect in reversed(done):
        steps = undo_steps(command, params, effect)
        if not steps:
            continue
        for inverse, undo_params in steps:
            try:
                run_command(adapter(element), session, inverse, service_id, undo_params)
            except ElementError as exc:
                _log(
                    session,
                    element=element,
                    command=inverse,
                    service_id=service_id,
                    key=key,
                    params=undo_params,
                    outcome="failed",
                    detail=f"undo failed: {exc.reason}",
                )
                failures.append(f"{element}: {exc.reason}")
                break
            _log(
                session,
                element=element,
                command=inverse,
                service_id=service_id,
                key=key,
                params=undo_params,
                outcome="undone",
                detail=f"undo of {command}",
            )
        else:
            undone.append(element)
    session.flush()
    return undone, failures


def call_log(
    session: Session, service_id: str | None = None, element: str | None = None
) -> list[dict[str, Any]]:
    """The element calls, oldest first: ``{element, command, serviceId, key, params,
    outcome, detail, at}`` (params with secrets masked)."""
    stmt = select(ActivationCall).order_by(ActivationCall.seq, ActivationCall.id)
    if service_id is not None:
        stmt = stmt.where(ActivationCall.service_id == service_id)
    if element is not None:
        stmt = stmt.where(ActivationCall.element == element)
    return [
        {
            "element": c.element,
            "command": c.command,
            "serviceId": c.service_id,
            "key": c.key,
            "params": c.params,
            "outcome": c.outcome,
            "detail": c.detail,
            "at": c.at.isoformat(),
        }
        for c in session.scalars(stmt)
    ]
