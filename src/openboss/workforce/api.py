"""HTTP API of the workforce domain."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
