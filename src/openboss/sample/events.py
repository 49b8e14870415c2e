"""Events the sample API publishes (TMF688 names: ``<Resource><Kind>Event``)."""

from __future__ import annotations

RESOURCE_NAME = "sampleItem"

CREATE = "SampleItemCreateEvent"
ATTRIBUTE_VALUE_CHANGE = "SampleItemAttributeValueChangeEvent"
STATE_CHANGE = "SampleItemStateChangeEvent"
DELETE = "SampleItemDeleteEvent"

ALL = (CREATE, ATTRIBUTE_VALUE_CHANGE, STATE_CHANGE, DELETE)
