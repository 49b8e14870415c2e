"""Events the work-order API publishes (TMF697 / TMF688 names)."""

from __future__ import annotations

RESOURCE_NAME = "workOrder"

CREATE = "WorkOrderCreateEvent"
ATTRIBUTE_VALUE_CHANGE = "WorkOrderAttributeValueChangeEvent"
STATE_CHANGE = "WorkOrderStateChangeEvent"
DELETE = "WorkOrderDeleteEvent"

ALL = (CREATE, ATTRIBUTE_VALUE_CHANGE, STATE_CHANGE, DELETE)
