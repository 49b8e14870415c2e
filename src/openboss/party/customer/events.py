"""Events of parties and customers (TMF688 names: ``<Resource><Kind>Event``)."""

from __future__ import annotations


def names(type_name: str) -> dict[str, str]:
    """``create``, ``attributeValueChange``, ``stateChange``, ``delete`` event names."""
    return {
        "create": f"{type_name}CreateEvent",
        "attributeValueChange": f"{type_name}AttributeValueChangeEvent",
        "stateChange": f"{type_name}StateChangeEvent",
        "delete": f"{type_name}DeleteEvent",
    }


INDIVIDUAL = names("Individual")
ORGANIZATION = names("Organization")
CUSTOMER = names("Customer")
BLACKLIST_ADD = "PartyBlacklistAddEvent"
BLACKLIST_LIFT = "PartyBlacklistLiftEvent"
