"""Events the account API publishes (TMF688 names: ``<Resource><Kind>Event``)."""

from __future__ import annotations

RESOURCE_NAME = "billingAccount"

CREATE = "BillingAccountCreateEvent"
ATTRIBUTE_VALUE_CHANGE = "BillingAccountAttributeValueChangeEvent"
STATE_CHANGE = "BillingAccountStateChangeEvent"
DELETE = "BillingAccountDeleteEvent"

ALL = (CREATE, ATTRIBUTE_VALUE_CHANGE, STATE_CHANGE, DELETE)
