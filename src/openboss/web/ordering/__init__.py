"""Console screens of order handling (eTOM 1.1.1.5): order entry wizard, order list and
detail (business and IT view), SLA alarms."""

from __future__ import annotations

from fastapi import APIRouter

from openboss.web.ordering import orders, wizard

router = APIRouter()
for _module in (wizard, orders):
    router.include_router(_module.router)
