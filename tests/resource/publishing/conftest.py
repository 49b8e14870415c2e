"""Fixtures of the publishing tests: built-in specs and business types, the
demo partners, and a builder of small FTTH networks at a building."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import pytest
from sqlalchemy.orm import Session

from openboss.kit.places import place_directory
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.resource.demo import CABLE_PARTNER, NetworkWriter, ensure_partners
from openboss.resource.inventory import lifecycle
from openboss.resource.inventory.specs import ensure_builtin_specs
from openboss.resource.publishing.rules import ensure_business_types


@dataclass
class Ftth:
    """What :func:`build_ftth` made."""

    site_id: str
    room: str
    olt: str
    pon: str
    splitters: list[str] = field(default_factory=list)
    free_ports: list[str] = field(default_factory=list)
    used_ports: list[str] = field(default_factory=list)


@pytest.fixture
def publishing(session: Session, regions: None) -> None:
    """Specs, business types and the demo partners."""
    ensure_builtin_specs(session)
    ensure_business_types(session)
    ensure_partners(session)
    session.flush()


@pytest.fixture
def build_ftth(session: Session, publishing: None) -> Callable[..., Ftth]:
    """``build_ftth(site_id, ratio=8, used=3)`` → an own FTTH network serving the
    building: room → OLT → card → PON port → splitter(s) → ports (``used`` allocated).
    ``cascade=True``: a 1:8 L1 splitter whose port 1 feeds a 1:``ratio`` L2 one."""

    def build(
        site_id: str,
        *,
        ratio: int = 8,
        used: int = 0,
        cascade: bool = False,
        splitter_status: str = "allocated",
        port_status: str = "available",
        pon_operational: str = "enable",
        start: datetime | None = None,
    ) -> Ftth:
        site = place_directory().site(session, SYSTEM_SCOPE, site_id)
        assert site is not None
        region = site.region_id
        w = NetworkWriter(session, lifecycle.now())
        room = w.add("equipmentRoom", "room", site_id=site_id, region_id=region)
        olt = w.add("olt", "olt", parent_id=room, site_id=site_id, region_id=region)
        card = w.add("oltCard", "card", parent_id=olt, site_id=site_id, region_id=region)
        pon = w.add(
            "ponPort",
            "pon",
            parent_id=card,
            site_id=site_id,
            region_id=region,
            lifecycle_status="allocated",
            operational=pon_operational,
        )
        out = Ftth(site_id, room, olt, pon)
        parent = pon
        if cascade:
            l1 = w.add(
                "splitter",
                "L1",
                parent_id=pon,
                site_id=site_id,
                region_id=region,
                lifecycle_status="allocated",
                capacity=8,
            )
            out.splitters.append(l1)
            parent = w.add(
                "splitterPort",
                "L1-1",
                parent_id=l1,
                site_id=site_id,
                region_id=region,
                lifecycle_status="allocated",
            )
            out.used_ports.append(parent)
        splitter = w.add(
            "splitter",
            f"1:{ratio}",
            parent_id=parent,
            site_id=site_id,
            region_id=region,
            lifecycle_status=splitter_status,
            capacity=ratio,
            start=start,
        )
        out.splitters.append(splitter)
        for k in range(ratio):
            is_used = k < used
            port = w.add(
                "splitterPort",
                f"port {k + 1}",
                parent_id=splitter,
                site_id=site_id,
                region_id=region,
                lifecycle_status="allocated" if is_used else port_status,
                start=start,
            )
            (out.used_ports if is_used else out.free_ports).append(port)
        w.flush()
        return out

    return build


__all__ = ["CABLE_PARTNER", "Ftth"]
