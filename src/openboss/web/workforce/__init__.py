"""Console screens of the workforce domain: the technician's phone view and
the dispatcher's work-order screens (eTOM 1.4.2 / 1.5.2); this router carries
them all."""

from __future__ import annotations

from fastapi import APIRouter

from openboss.web.workforce import appointments, assessment, board, orders, roster, technician

router = APIRouter()
for _module in (technician, orders, appointments, assessment, roster, board):
    router.include_router(_module.router)
