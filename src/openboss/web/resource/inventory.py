"""Console screens: inventory."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
