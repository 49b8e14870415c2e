"""Demo pools and stock for Hangzhou: a mobile and a fixed number pool, three
IP pools, two warehouses with CPE — idempotent (a second run adds nothing).

eTOM 1.5.1 resource management (demo data).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.kit.scope import SYSTEM_SCOPE
from openboss.resource.inventory.models import Resource
from openboss.resource.pools import common, ip, numbers, stock
from openboss.resource.pools.specs import IP_POOL, NUMBER_POOL, WAREHOUSE

HANGZHOU, XIHU, GONGSHU = "330100", "330106", "330105"

NUMBER_POOLS = (
    ("杭州移动 1375710", "msisdn", "13757100000", "13757109999"),
    ("杭州固话 0571-8800", "fixed", "057188000000", "057188001999"),
)
IP_POOLS = (
    ("BRAS 动态地址池", "100.64.0.0/16", "dynamic", None),
    ("政企静态地址池", "61.164.10.0/24", "staticBusiness", None),
    ("IPv6 前缀委派池", "2408:8256::/40", "dynamic", 56),
)
#: (code, name, region, serial prefix)
WAREHOUSES = (
    ("WH-XIHU", "西湖仓", XIHU, "XH"),
    ("WH-GONGSHU", "拱墅仓", GONGSHU, "GS"),
)
#: (kind, model, count per warehouse)
CPE_MODELS = (
    ("ont", "HG8245H", 100),
    ("ont", "ZXHN F650", 50),
    ("router", "AX3000", 90),
    ("stb", "EC6108V9", 60),
)


def _exists(
    session: Session, spec_id: str, *, name: str | None = None, value: str | None = None
) -> bool:
    stmt = select(Resource.id).where(Resource.spec_id == spec_id)
    stmt = (
        stmt.where(Resource.name == name)
        if name is not None
        else stmt.where(Resource.value == value)
    )
    return session.scalar(stmt.limit(1)) is not None


def load_pools_demo(session: Session) -> list[str]:
    """Create what is missing; one line per thing created."""
    common.ensure_specs(session)
    done: list[str] = []
    s = SYSTEM_SCOPE
    for name, kind, first, last in NUMBER_POOLS:
        if _exists(session, NUMBER_POOL, name=name):
            continue
        pool = numbers.create_pool(
            session, s, name=name, kind=kind, region_id=HANGZHOU, range_start=first, range_end=last
        )
        done.append(f"number pool {name}: {pool.capacity} numbers")
    for name, cidr, purpose, delegation in IP_POOLS:
        if _exists(session, IP_POOL, value=cidr):
            continue
        pool = ip.create_pool(
            session,
            s,
            cidr=cidr,
            purpose=purpose,
            name=name,
            region_id=HANGZHOU,
            delegation_length=delegation,
        )
        # a few allocations so that utilisation shows something
        if purpose == "staticBusiness":
            for prefix in (29, 29, 30):
                ip.allocate(session, s, pool.id, kind="block", prefix_length=prefix)
        elif pool.value and ":" in pool.value:
            for _ in range(3):
                ip.allocate(session, s, pool.id, kind="block")
        else:
            for _ in range(20):
                ip.allocate(session, s, pool.id)
        done.append(f"IP pool {cidr}: capacity {pool.capacity}")
    for code, name, region, serial_prefix in WAREHOUSES:
        if _exists(session, WAREHOUSE, value=code):
            continue
        house = stock.create_warehouse(
            session, s, code=code, name=name, region_id=region, low_stock_threshold=20
        )
        total = 0
        for index, (kind, model, count) in enumerate(CPE_MODELS):
            serials = [f"{serial_prefix}{kind.upper()}{index}{n:05d}" for n in range(count)]
            total += stock.receive(session, s, house.id, model=model, kind=kind, serials=serials)
        done.append(f"warehouse {name}: {total} CPE")
    session.flush()
    return done
