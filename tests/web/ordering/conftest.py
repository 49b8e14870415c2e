"""Fixtures of the order console tests: the ordering tests' world (demo catalog,
buildings with own FTTH / partner cable / no coverage, a customer with an account)
and the shipped flows."""

from __future__ import annotations

from tests.ordering.conftest import World, flows, world
from tests.resource.conftest import make_flat, make_site, regions
from tests.resource.publishing.conftest import build_ftth, publishing

__all__ = [
    "World",
    "build_ftth",
    "flows",
    "make_flat",
    "make_site",
    "publishing",
    "regions",
    "world",
]
