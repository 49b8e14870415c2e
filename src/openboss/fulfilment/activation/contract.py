"""The adapter contract of the activation platform (eTOM 1.3.2.3 / 1.4.x element management).

Every network element — the real RADIUS server (FreeRADIUS rlm_sql tables) and
the HLR/HSS, OLT and IMS simulators — is driven through the same five
commands. Each command is **idempotent**: applying it to an entry already in
the target state changes nothing and reports ``changed=False``. Each returns
the entry's snapshot *before* the call (``previous``), so the platform can undo
it with the inverse command:

=========== ==================================================
command     undone by
=========== ==================================================
activate    deactivate (same params)
deactivate  activate (the previous snapshot; suspend again if it was)
suspend     resume
resume      suspend
modify      modify back to the previous values
=========== ==================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from sqlalchemy.orm import Session

from openboss.kit.errors import Conflict

Command = Literal["activate", "modify", "suspend", "resume", "deactivate"]

COMMANDS: tuple[Command, ...] = ("activate", "modify", "suspend", "resume", "deactivate")

INVERSE: dict[str, Command] = {
    "activate": "deactivate",
    "deactivate": "activate",
    "suspend": "resume",
    "resume": "suspend",
    "modify": "modify",
}


@dataclass
class Effect:
    """What one command did on one element."""

    changed: bool
    #: The entry after the call (no secrets), returned to the caller.
    state: dict[str, Any]
    #: The entry's snapshot before the call (``None``: it did not exist); holds
    #: what the inverse command needs, secrets included (never logged).
    previous: dict[str, Any] | None = None
    #: Side effects worth reporting (e.g. ``{"coa": {...}}``).
    extra: dict[str, Any] = field(default_factory=dict)


class ElementError(Exception):
    """The element refused or failed the command (an activation failure, not bad input)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ActivationFailed(Conflict):
    """409 ``ACTIVATION_FAILED``: an element failed; the elements already done by
    this request were undone in reverse order."""

    code = "ACTIVATION_FAILED"

    def __init__(
        self,
        element: str,
        reason: str,
        *,
        command: str,
        service_id: str,
        undone: list[str],
        undo_failures: list[str] | None = None,
        injected: str | None = None,
    ) -> None:
        super().__init__(
            f"{command} of service '{service_id}' failed on {element}: {reason}",
            field="elements",
            details={
                "element": element,
                "reason": reason,
                "undone": undone,
                "undoFailures": undo_failures or [],
            },
        )
        self.element = element
        self._reason = reason
        self.undone = undone
        self.command = command
        #: "table" or "setting" when the failure was injected (see service.inject_failure).
        self.injected = injected

    @property
    def reason(self) -> str:  # the element's reason (not the HTTP reason phrase)
        return self._reason


class ElementAdapter(Protocol):
    """One network element type (``name`` is ``olt``, ``radius``, ``hlr`` or ``ims``)."""

    name: str

    def check(self, command: Command, params: Mapping[str, Any]) -> None:
        """Raise ``ValidationFailed`` (field ``params.<name>``) for unusable params."""

    def activate(self, session: Session, service_id: str, params: Mapping[str, Any]) -> Effect: ...

    def modify(self, session: Session, service_id: str, params: Mapping[str, Any]) -> Effect: ...

    def suspend(self, session: Session, service_id: str, params: Mapping[str, Any]) -> Effect: ...

    def resume(self, session: Session, service_id: str, params: Mapping[str, Any]) -> Effect: ...

    def deactivate(
        self, session: Session, service_id: str, params: Mapping[str, Any]
    ) -> Effect: ...


def run_command(
    adapter: ElementAdapter,
    session: Session,
    command: str,
    service_id: str,
    params: Mapping[str, Any],
) -> Effect:
    method = getattr(adapter, command)
    effect: Effect = method(session, service_id, params)
    return effect


def undo_steps(
    command: str, params: Mapping[str, Any], effect: Effect
) -> list[tuple[Command, dict[str, Any]]]:
    """The inverse command(s) that take an element back to ``effect.previous``."""
    if not effect.changed:
        return []
    previous = effect.previous
    if command == "activate":
        return [("deactivate", dict(params))]
    if command == "suspend":
        return [("resume", dict(params))]
    if command == "resume":
        return [("suspend", dict(params))]
    if previous is None:
        return []
    restored = {k: v for k, v in previous.items() if k != "suspended"}
    if command == "deactivate":
        steps: list[tuple[Command, dict[str, Any]]] = [("activate", restored)]
        if previous.get("suspended"):
            steps.append(("suspend", restored))
        return steps
    return [("modify", restored)]
