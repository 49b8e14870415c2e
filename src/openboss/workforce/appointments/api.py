"""HTTP API of appointments."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
