"""Events of sites and addresses (TMF688 names: ``<Resource><Kind>Event``)."""

from __future__ import annotations

SITE = "geographicSite"
SITE_CREATE = "GeographicSiteCreateEvent"
SITE_ATTRIBUTE_VALUE_CHANGE = "GeographicSiteAttributeValueChangeEvent"
SITE_STATUS_CHANGE = "GeographicSiteStatusChangeEvent"

ADDRESS = "geographicAddress"
ADDRESS_CREATE = "GeographicAddressCreateEvent"
ADDRESS_ATTRIBUTE_VALUE_CHANGE = "GeographicAddressAttributeValueChangeEvent"

VALIDATION = "geographicAddressValidation"
#: TMF673 v4 defines this one event (a validation is done when it is created).
VALIDATION_STATE_CHANGE = "GeographicAddressValidationStateChangeEvent"

ALL = (
    SITE_CREATE,
    SITE_ATTRIBUTE_VALUE_CHANGE,
    SITE_STATUS_CHANGE,
    ADDRESS_CREATE,
    ADDRESS_ATTRIBUTE_VALUE_CHANGE,
    VALIDATION_STATE_CHANGE,
)
