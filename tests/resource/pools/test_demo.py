"""The demo loader: what it creates, and that a second run adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openboss.kit.scope import SYSTEM_SCOPE
from openboss.resource.inventory.models import Resource
from openboss.resource.pools import stock, utilisation
from openboss.resource.pools.demo import load_pools_demo
from openboss.resource.pools.specs import CPE, NUMBER


def test_demo_loads_once(session: Session) -> None:
    done = load_pools_demo(session)
    assert len(done) == 7
    count = session.scalar(select(func.count()).where(Resource.spec_id == NUMBER))
    assert count == 12_000
    assert session.scalar(select(func.count()).where(Resource.spec_id == CPE)) == 600
    rows = {r.name: r for r in utilisation.pools(session, SYSTEM_SCOPE)}
    assert rows["政企静态地址池"].used == 20
    assert rows["BRAS 动态地址池"].used == 20 and rows["IPv6 前缀委派池"].used == 3
    golden = session.scalar(
        select(func.count()).where(Resource.spec_id == NUMBER, Resource.grade == "golden")
    )
    assert golden and golden > 0
    (xihu,) = [w for w in stock.list_warehouses(session, SYSTEM_SCOPE) if w.value == "WH-XIHU"]
    assert sum(lv["available"] for lv in stock.levels(session, SYSTEM_SCOPE, xihu.id)) == 300
    assert load_pools_demo(session) == []
