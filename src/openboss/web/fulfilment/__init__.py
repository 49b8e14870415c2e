"""Console screens of fulfilment: process definitions and their diagrams (bpmn-js), process
instances, administration (retry, skip)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
