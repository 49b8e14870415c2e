"""HTTP API of the network inventory (TMF639)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
