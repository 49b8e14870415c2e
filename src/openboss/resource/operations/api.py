"""HTTP API of operations."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
