"""Console screens of the party domain (customers, accounts, addresses, regions,
contacts — eTOM 1.1.1.2), one module per area; this router carries them all."""

from __future__ import annotations

from fastapi import APIRouter

from openboss.web.party import (
    accounts,
    addresses,
    customer360,
    customers,
    interactions,
    regions,
)

router = APIRouter()
for _module in (regions, addresses, customers, accounts, interactions, customer360):
    router.include_router(_module.router)
