"""Events the catalog publishes (TMF688 names: ``<Resource><Kind>Event``).

Every resource publishes ``Create``, ``AttributeValueChange``,
``StateChange`` (lifecycleStatus) and ``Delete`` events, a superset of the
TMF620 v4 listeners; a launched offering that changes also publishes
``ProductOfferingAttributeValueChangeEvent`` naming its new version.
"""

from __future__ import annotations

KINDS = ("Create", "AttributeValueChange", "StateChange", "Delete")


def event_type(type_name: str, kind: str) -> str:
    """``event_type("ProductOffering", "Create")`` → ``ProductOfferingCreateEvent``."""
    if kind not in KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    return f"{type_name}{kind}Event"
