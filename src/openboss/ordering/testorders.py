"""Test orders: the last readiness check before an offering is launched —
eTOM 1.1.1.1 CRM support & readiness, served by 1.1.1.5 order handling.

A product order whose ``category`` is ``testOrder`` may order offerings that
are still *In test* (every other order needs them *Launched*). It runs the
real flows — qualification, credit check, service orders, activation, work
orders — so a completed test order proves the offering can be delivered end
to end. The catalog's readiness report asks this module (the ``testOrder``
check, registered here with :func:`openboss.catalog.readiness.register_check`):

* **passed** — a test order for the offering (or a bundle holding it) has
  completed; the finding names the newest. Versions are not told apart: a
  test order of an earlier version counts too;
* otherwise **failed** when ``OPENBOSS_CATALOG_TEST_ORDER_REQUIRED`` is true
  (launch refused with the reason), **pending** when it is false (the default:
  the demo catalog and catalogs imported as code launch without one).
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.catalog import readiness
from openboss.config import get_settings
from openboss.ordering.models import ProductOrder

#: The TMF622 ``category`` of a test order.
TEST_ORDER: Final = "testOrder"

#: Overrides the setting when not None (tests).
REQUIRED: bool | None = None


def is_test_order(category: str | None) -> bool:
    return (category or "") == TEST_ORDER


def required() -> bool:
    return get_settings().catalog_test_order_required if REQUIRED is None else REQUIRED


def _offering_ids(items: list[dict[str, Any]]) -> set[str]:
    out: set[str] = set()
    for item in items or []:
        offering = item.get("productOffering") or {}
        if offering.get("id"):
            out.add(str(offering["id"]))
        out |= _offering_ids(item.get("productOrderItem") or [])
    return out


def completed_test_orders(session: Session, offering_id: str) -> list[ProductOrder]:
    """Completed test orders that ordered ``offering_id`` (or a bundle holding it), newest first."""
    rows = session.scalars(
        select(ProductOrder)
        .where(ProductOrder.category == TEST_ORDER, ProductOrder.state == "completed")
        .order_by(ProductOrder.completion_date.desc())
    )
    return [o for o in rows if offering_id in _offering_ids(o.product_order_item)]


def check_test_order(session: Session, offering: Any) -> list[readiness.Finding]:
    """The ``testOrder`` readiness check of an offering."""
    done = completed_test_orders(session, offering.id)
    if done:
        return [
            readiness.Finding(
                "testOrder", "passed", f"test order '{done[0].id}' completed for this offering"
            )
        ]
    message = (
        "no completed test order: place a product order with category 'testOrder' for "
        "this offering while it is In test and complete it"
    )
    if required():
        return [readiness.Finding("testOrder", "failed", message)]
    return [
        readiness.Finding(
            "testOrder",
            "pending",
            message + " (not required: OPENBOSS_CATALOG_TEST_ORDER_REQUIRED is false)",
        )
    ]


readiness.register_check("testOrder", check_test_order)
