"""Kinds of field work and the data each must bring back when completed.

eTOM 1.5.2 resource provisioning: what a finished job must report.

A work order of kind ``installation`` is completed only with an
``ontSerial`` characteristic on one of its items; a ``remoteDialTest`` only
with ``dialTestResult`` ``pass`` or ``fail``; and so on (:data:`COMPLETION`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from openboss.kit.errors import ValidationFailed

KINDS: Final = (
    "survey",
    "installation",
    "remoteDialTest",
    "completionAcceptance",
    "repair",
    "cpeRecovery",
)


@dataclass(frozen=True, slots=True)
class Required:
    """A completion characteristic: its name and, when closed, the allowed values."""

    name: str
    values: tuple[str, ...] | None = None


#: Completion characteristics required per kind (``notes`` is always optional).
COMPLETION: Final[dict[str, tuple[Required, ...]]] = {
    "survey": (Required("surveyResult", ("feasible", "notFeasible")),),
    "installation": (Required("ontSerial"),),
    "remoteDialTest": (Required("dialTestResult", ("pass", "fail")),),
    "completionAcceptance": (Required("acceptanceResult", ("accepted", "rejected")),),
    "repair": (Required("faultCause"),),
    "cpeRecovery": (Required("recoveredSerial"),),
}


def item_characteristics(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Every characteristic of every item, by name (a later item wins)."""
    out: dict[str, Any] = {}
    for item in items:
        for ch in item.get("characteristic") or []:
            out[str(ch.get("name"))] = ch.get("value")
    return out


def check_completion(kind: str, items: list[dict[str, Any]]) -> None:
    """400 naming the first completion characteristic missing or out of range."""
    have = item_characteristics(items)
    for req in COMPLETION.get(kind, ()):
        value = have.get(req.name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValidationFailed(
                f"a {kind} work order is completed with the characteristic '{req.name}' on "
                f"one of its items",
                field=f"workOrderItem.characteristic.{req.name}",
            )
        if req.values is not None and value not in req.values:
            raise ValidationFailed(
                f"characteristic '{req.name}' must be one of: {', '.join(req.values)}",
                field=f"workOrderItem.characteristic.{req.name}",
            )
