"""What order handling (eTOM 1.1.1.5) hands to fulfilment, and what fulfilment
reports back.

The ordering domain sits above fulfilment: it validates and prices a TMF622
product order, resolves each item's delivery through the catalog mapping and
then calls ``openboss.fulfilment.serviceorder.service.submit`` with one
:class:`FulfilmentRequest` per item. Fulfilment turns each request into a
TMF641 service order run by one BPMN process instance, and reports progress
back through the listeners of :mod:`openboss.fulfilment.hooks` — it never
imports the ordering domain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

Action = Literal["add", "modify", "delete", "suspend", "resume"]
ACTIONS: Final = ("add", "modify", "delete", "suspend", "resume")

#: How an item ended, as reported to :func:`openboss.fulfilment.hooks.on_item_closed`.
Outcome = Literal["completed", "failed", "cancelled"]


@dataclass(frozen=True, slots=True)
class FulfilmentRequest:
    """One product order item to fulfil."""

    product_order_id: str
    #: The TMF622 item id within its order ("1", "2", …).
    product_order_item_id: str
    action: Action
    product_offering_id: str
    product_offering_name: str
    product_spec_id: str
    #: Process to run: the BPMN process id of the catalog's delivery rule.
    process_key: str
    #: instant | ownConstruction | partner
    delivery_mode: str
    customer_id: str | None = None
    billing_account_id: str | None = None
    product_offering_version: str | None = None
    #: The product in TMF637: the existing one for modify/delete/suspend/resume,
    #: the id chosen by ordering for a new one (action add).
    product_id: str | None = None
    product_name: str | None = None
    #: Geographic address id of ``product.place`` with role ``installationAddress``.
    place_id: str | None = None
    region_id: str | None = None
    #: ownFtth | partnerCable | mobile | leasedLine
    coverage_type: str | None = None
    sla_completion_hours: int | None = None
    sla_jeopardy_percent: int | None = None
    cfs_specs: tuple[str, ...] = ()
    rfs_specs: tuple[str, ...] = ()
    resource_specs: tuple[str, ...] = ()
    #: Product characteristics by name (e.g. bandwidthDown, accessAccount).
    characteristics: Mapping[str, Any] = field(default_factory=dict)
    #: Write-only values (``accessPassword``): never stored in clear, never returned.
    secrets: Mapping[str, str] = field(default_factory=dict)
    #: Product order item ids that must complete before this one starts.
    depends_on: tuple[str, ...] = ()
    #: TMF646 appointment already booked for the installation, if any.
    appointment_id: str | None = None
    #: TMF637 ``productPrice`` entries (from the catalog) for the inventory.
    product_price: tuple[Mapping[str, Any], ...] = ()
    #: Contact for milestone notifications: {"phone": …, "email": …, "name": …}.
    contact: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Milestone:
    """One step of an item's fulfilment, for the business view of an order."""

    product_order_item_id: str
    #: e.g. serviceOrderCreated, resourcesReserved, appointmentBooked,
    #: workOrderCreated, workOrderCompleted, activated, completed, failed
    name: str
    at: str  # ISO 8601 UTC
    #: Who has it now: "system", a team, a technician, a partner company.
    holder: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)
