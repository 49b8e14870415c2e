"""Console screens of the resource domain (eTOM 1.5.1 resource management,
PBOSS network view and publishing), one module per area; this router carries
them all. Nav section: "Resources"."""

from __future__ import annotations

from fastapi import APIRouter

from openboss.web.resource import buildings, inventory, operations, pools

router = APIRouter()
for _module in (buildings, inventory, pools, operations):
    router.include_router(_module.router)
