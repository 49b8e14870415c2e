"""Translated labels of the workforce screens (gettext message ids)."""

from __future__ import annotations

from typing import Final

from openboss.web.i18n import N_

KIND_LABELS: Final[dict[str, str]] = {
    "survey": N_("Survey"),
    "installation": N_("Installation"),
    "remoteDialTest": N_("Remote dial test"),
    "completionAcceptance": N_("Completion acceptance"),
    "repair": N_("Repair"),
    "cpeRecovery": N_("CPE recovery"),
}

STATE_LABELS: Final[dict[str, str]] = {
    "acknowledged": N_("Acknowledged"),
    "rejected": N_("Rejected"),
    "pending": N_("Pending"),
    "held": N_("Held"),
    "inProgress": N_("In progress"),
    "cancelled": N_("Cancelled"),
    "completed": N_("Completed"),
    "failed": N_("Failed"),
    "partial": N_("Partially done"),
    "assessingCancellation": N_("Assessing cancellation"),
    "pendingCancellation": N_("Pending cancellation"),
}

FIELD_STATE_LABELS: Final[dict[str, str]] = {
    "dispatched": N_("Dispatched"),
    "accepted": N_("Accepted"),
    "enRoute": N_("En route"),
    "onSite": N_("On site"),
}

COMPLETION_LABELS: Final[dict[str, str]] = {
    "surveyResult": N_("Survey result"),
    "ontSerial": N_("ONT serial number"),
    "dialTestResult": N_("Dial test result"),
    "acceptanceResult": N_("Acceptance result"),
    "faultCause": N_("Fault cause"),
    "recoveredSerial": N_("Serial number of the recovered device"),
    "notes": N_("Notes"),
}

VALUE_LABELS: Final[dict[str, str]] = {
    "feasible": N_("Feasible"),
    "notFeasible": N_("Not feasible"),
    "pass": N_("Pass"),
    "fail": N_("Fail"),
    "accepted": N_("Accepted"),
    "rejected": N_("Rejected"),
}
