"""Fixtures of the operations tests: the built-in specs and a small FTTH
network (room → OLT → card → PON ports → splitter → splitter ports → ONTs)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy.orm import Session

from openboss.kit.ids import new_id
from openboss.resource.inventory import lifecycle
from openboss.resource.inventory.models import Resource, ResourceSpec, ResourceUsage
from openboss.resource.inventory.specs import ensure_builtin_specs
from tests.resource.conftest import GRID

Add = Callable[..., Resource]


@pytest.fixture
def specs(session: Session) -> None:
    ensure_builtin_specs(session)
    session.flush()


@pytest.fixture
def add(session: Session, specs: None) -> Add:
    """``add("ponPort", "OLT-A/0/1", parent=card)`` → a new resource (flushed)."""

    def make(
        spec_id: str,
        value: str | None,
        *,
        parent: Resource | None = None,
        site_id: str | None = None,
        status: str = "available",
        characteristics: list[dict[str, Any]] | None = None,
    ) -> Resource:
        spec = session.get(ResourceSpec, spec_id)
        assert spec is not None
        at = lifecycle.now()
        res = Resource(
            id=new_id(),
            spec_id=spec_id,
            base_type=spec.base_type,
            category=spec.category,
            name=value or spec_id,
            value=value,
            parent_id=parent.id if parent else None,
            site_id=site_id or (parent.site_id if parent else None),
            region_id=GRID,
            characteristics=characteristics or [],
            created_at=at,
            updated_at=at,
            **lifecycle.initial_states(status),
        )
        session.add(res)
        session.flush()
        return res

    return make


@dataclass
class Net:
    site: str
    olt: Resource
    ports: list[Resource] = field(default_factory=list)
    splitters: dict[str, Resource] = field(default_factory=dict)
    sports: dict[str, list[Resource]] = field(default_factory=dict)
    onts: dict[str, Resource] = field(default_factory=dict)


def use(session: Session, res: Resource, service: str, customer: str) -> ResourceUsage:
    """Allocate ``res`` to a service of a customer (an open usage)."""
    lifecycle.set_lifecycle(res, "allocated")
    usage = ResourceUsage(
        id=new_id(),
        resource_id=res.id,
        service_id=service,
        customer_id=customer,
        region_id=res.region_id,
        started_at=lifecycle.now(),
    )
    session.add(usage)
    session.flush()
    return usage


@pytest.fixture
def build_olt(session: Session, add: Add, make_site: Callable[..., str]) -> Callable[..., Net]:
    """``build_olt("OLT-A", ports=4)``: an OLT with PON ports; nothing behind them."""

    def make(name: str, *, ports: int = 4, site_id: str | None = None) -> Net:
        site = site_id or make_site(code=f"B-{name}")
        room = add("equipmentRoom", f"ROOM-{name}", site_id=site)
        olt = add("olt", name, parent=room)
        card = add("oltCard", f"{name}/0", parent=olt)
        net = Net(site, olt)
        for p in range(1, ports + 1):
            net.ports.append(add("ponPort", f"{name}/0/{p}", parent=card))
        return net

    return make


@pytest.fixture
def ftth(session: Session, add: Add, build_olt: Callable[..., Net]) -> Net:
    """OLT-A: port 1 feeds a 1:8 splitter with ONTs SN-1 (on splitter port 1,
    used by SVC-1 of CUST-1) and SN-2 (splitter port 2, used by SVC-2 of
    CUST-2); port 2 is allocated directly to SVC-3 of CUST-3; ports 3, 4 free."""
    net = build_olt("OLT-A")
    ratio = [{"name": "ratio", "valueType": "integer", "value": 8}]
    splitter = add("splitter", "SPL-A1", parent=net.ports[0], characteristics=ratio)
    net.splitters["SPL-A1"] = splitter
    sports = [add("splitterPort", f"SPL-A1:{i}", parent=splitter) for i in range(1, 9)]
    net.sports["SPL-A1"] = sports
    for i, serial in ((0, "SN-1"), (1, "SN-2")):
        use(session, sports[i], f"SVC-{i + 1}", f"CUST-{i + 1}")
        net.onts[serial] = add("ont", serial, parent=sports[i])
    use(session, net.ports[1], "SVC-3", "CUST-3")
    return net
