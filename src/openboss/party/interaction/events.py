"""Events of customer interface management (eTOM 1.1.1.2): the TMF683
notifications (TMF688 names ``PartyInteraction<Kind>Event``)."""

from __future__ import annotations

RESOURCE_NAME = "partyInteraction"

CREATE = "PartyInteractionCreateEvent"
ATTRIBUTE_VALUE_CHANGE = "PartyInteractionAttributeValueChangeEvent"
STATUS_CHANGE = "PartyInteractionStatusChangeEvent"
DELETE = "PartyInteractionDeleteEvent"

ALL = (CREATE, ATTRIBUTE_VALUE_CHANGE, STATUS_CHANGE, DELETE)
