"""Fixtures of the pools and stock tests: the resource types, and a small
access network (OLT → card → PON ports → splitters → splitter ports)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from openboss.kit.clock import utcnow
from openboss.resource.inventory.lifecycle import set_lifecycle
from openboss.resource.inventory.models import Resource, ResourceSpec
from openboss.resource.pools import common

NETWORK_SPECS = {
    "olt": "equipment",
    "oltCard": "equipment",
    "ponPort": "port",
    "splitter": "splitter",
    "splitterPort": "port",
}


@pytest.fixture
def specs(session: Session) -> None:
    common.ensure_specs(session)


@pytest.fixture
def network_specs(session: Session, specs: None) -> None:
    """The access-network types (the inventory's seed when present, else minimal rows)."""
    at = utcnow()
    for spec_id, category in NETWORK_SPECS.items():
        if session.get(ResourceSpec, spec_id) is None:
            session.add(
                ResourceSpec(
                    id=spec_id,
                    name=spec_id,
                    base_type="PhysicalResource",
                    category=category,
                    characteristics=[],
                    parent_specs=[],
                    quarantine_days=0,
                    builtin=True,
                    status="active",
                    created_at=at,
                    updated_at=at,
                )
            )
    session.flush()


@pytest.fixture
def make_resource(session: Session, network_specs: None) -> Callable[..., Resource]:
    """``make_resource("ponPort", "1/1/1", parent=card, site_id=…, status="allocated")``."""

    def make(
        spec_id: str,
        name: str,
        *,
        parent: Resource | None = None,
        site_id: str | None = None,
        region_id: str | None = "330106",
        status: str = "available",
        **kw: Any,
    ) -> Resource:
        row = common.new_resource(
            common.spec(session, spec_id),
            name=name,
            value=None,
            parent_id=parent.id if parent else None,
            site_id=site_id,
            region_id=region_id,
            **kw,
        )
        session.add(row)
        session.flush()
        if status == "allocated":
            set_lifecycle(row, "allocated")
        elif status == "retired":
            set_lifecycle(row, "retired")
        session.flush()
        return row

    return make
