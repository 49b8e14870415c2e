"""IP pools: capacity, overlap, next-free allocation, blocks, release and reuse,
the savepoint retry on a taken candidate, exhaustion — on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openboss.kit.errors import Conflict, NotFound, ValidationFailed
from openboss.kit.scope import SYSTEM_SCOPE, Scope
from openboss.resource.inventory.models import Resource, ResourceUsage
from openboss.resource.pools import common, ip
from openboss.resource.pools.specs import IP_ADDRESS

S = SYSTEM_SCOPE


def _pool(session: Session, cidr: str = "100.64.0.0/24", **kw: object) -> Resource:
    kw.setdefault("purpose", "dynamic")
    return ip.create_pool(session, S, cidr=cidr, region_id="330106", **kw)  # type: ignore[arg-type]


def test_ipv4_capacity_excludes_network_broadcast_and_gateway(
    session: Session, specs: None
) -> None:
    dynamic = _pool(session, "100.64.0.0/16")
    assert dynamic.capacity == 65536 - 3
    assert common.char(dynamic, "gateway") == "100.64.0.1"
    static = _pool(session, "61.164.10.0/24", purpose="staticBusiness")
    assert static.capacity == 254
    assert common.char(static, "gateway") is None


def test_ipv6_capacity_counts_delegated_prefixes(session: Session, specs: None) -> None:
    pool = _pool(session, "2408:8256::/40", purpose="dynamic", delegation_length=56)
    assert pool.capacity == 2**16
    assert common.char(pool, "delegationLength") == 56


@pytest.mark.parametrize(
    ("cidr", "kw", "field"),
    [
        ("100.64.0.1/24", {}, "cidr"),  # host bits set
        ("not-a-net", {}, "cidr"),
        ("100.64.0.0/30", {}, "cidr"),  # too small
        ("100.64.0.0/24", {"purpose": "fun"}, "purpose"),
        ("100.64.0.0/24", {"gateway": "100.65.0.1"}, "gateway"),
        ("100.64.0.0/24", {"delegation_length": 30}, "delegationLength"),
        ("2408:8256::/40", {"delegation_length": 40}, "delegationLength"),
        ("2408::/16", {"delegation_length": 64}, "delegationLength"),  # 2^48 prefixes
    ],
)
def test_bad_pools_are_400(
    session: Session, specs: None, cidr: str, kw: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationFailed) as err:
        _pool(session, cidr, **kw)
    assert err.value.field == field


def test_overlapping_pool_is_409_naming_it(session: Session, specs: None) -> None:
    first = _pool(session, "100.64.0.0/16")
    with pytest.raises(Conflict) as err:
        _pool(session, "100.64.8.0/24")
    assert first.id in err.value.message and "100.64.0.0/16" in err.value.message
    _pool(session, "100.65.0.0/24")  # next door is fine


def test_addresses_come_in_order_skipping_network_and_gateway(
    session: Session, specs: None
) -> None:
    pool = _pool(session)
    got = [ip.allocate(session, S, pool.id).value for _ in range(3)]
    assert got == ["100.64.0.2", "100.64.0.3", "100.64.0.4"]
    assert common.char(pool, "nextAddress") == "5"


def test_taken_candidate_is_skipped_in_a_savepoint(session: Session, specs: None) -> None:
    """A concurrent allocator got 100.64.0.2 first: the insert hits the UNIQUE
    index, the savepoint rolls back and the next address is taken."""
    pool = _pool(session)
    other = common.new_resource(
        common.spec(session, IP_ADDRESS),
        name="x",
        value="100.64.0.2",
        parent_id=pool.id,
        lifecycle="planned",
    )
    session.add(other)
    session.flush()
    row = ip.allocate(session, S, pool.id)
    assert row.value == "100.64.0.3"
    assert row.lifecycle_status == "allocated"
    assert session.get(Resource, other.id) is not None  # the outer transaction survived


def test_block_is_aligned_and_does_not_overlap(session: Session, specs: None) -> None:
    pool = _pool(session, "61.164.10.0/24", purpose="staticBusiness")
    ip.allocate(session, S, pool.id, value="61.164.10.9")  # an address inside the first /29s
    first = ip.allocate(session, S, pool.id, kind="block", prefix_length=29)
    # .0/29 holds the network address, .8/29 holds .9: the first free is .16/29
    assert first.value == "61.164.10.16/29"
    assert first.capacity == 8
    second = ip.allocate(session, S, pool.id, kind="block", prefix_length=30)
    assert second.value == "61.164.10.24/30"
    # an address inside an allocated block is refused
    with pytest.raises(Conflict) as err:
        ip.allocate(session, S, pool.id, value="61.164.10.17")
    assert "61.164.10.16/29" in err.value.message
    # a larger block over an allocated one is refused, naming it
    with pytest.raises(Conflict) as err:
        ip.allocate(session, S, pool.id, kind="block", value="61.164.10.16/28")
    assert "61.164.10.16/29" in err.value.message or "61.164.10.24/30" in err.value.message


def test_next_address_skips_allocated_blocks(session: Session, specs: None) -> None:
    pool = _pool(session, "100.64.0.0/24", reserve_gateway=False)
    ip.allocate(session, S, pool.id, kind="block", value="100.64.0.0/29".replace("0/29", "8/29"))
    values = [ip.allocate(session, S, pool.id).value for _ in range(8)]
    assert values == [f"100.64.0.{n}" for n in (1, 2, 3, 4, 5, 6, 7, 16)]


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"kind": "block"}, "prefixLength"),
        ({"kind": "block", "prefix_length": 31}, "prefixLength"),
        ({"kind": "block", "prefix_length": 16}, "prefixLength"),
        ({"kind": "block", "value": "61.164.10.1/29"}, "value"),
        ({"kind": "block", "value": "61.164.10.0/29"}, "value"),  # holds the network address
        ({"value": "10.0.0.1"}, "value"),
        ({"value": "61.164.10.255"}, "value"),
        ({"kind": "bogus"}, "kind"),
    ],
)
def test_bad_allocations_are_400(
    session: Session, specs: None, kw: dict[str, object], field: str
) -> None:
    pool = _pool(session, "61.164.10.0/24", purpose="staticBusiness")
    with pytest.raises(ValidationFailed) as err:
        ip.allocate(session, S, pool.id, **kw)  # type: ignore[arg-type]
    assert err.value.field == field


def test_release_makes_it_reusable_first(session: Session, specs: None) -> None:
    pool = _pool(session)
    a = ip.allocate(session, S, pool.id, service_id="SVC-1", customer_id="C-1")
    ip.allocate(session, S, pool.id)
    usage = session.scalars(select(ResourceUsage).where(ResourceUsage.resource_id == a.id)).one()
    assert usage.ended_at is None
    ip.release(session, S, pool.id, a.id)
    assert a.lifecycle_status == "available"
    session.refresh(usage)
    assert usage.ended_at is not None
    with pytest.raises(Conflict):
        ip.release(session, S, pool.id, a.id)
    again = ip.allocate(session, S, pool.id)
    assert again.id == a.id and again.value == "100.64.0.2"
    with pytest.raises(Conflict) as err:
        ip.allocate(session, S, pool.id, value="100.64.0.3")
    assert "allocated" in err.value.message


def test_pool_runs_out(session: Session, specs: None) -> None:
    pool = _pool(session, "100.64.0.0/29")  # .2 … .6 (gateway .1)
    assert pool.capacity == 5
    for _ in range(5):
        ip.allocate(session, S, pool.id)
    with pytest.raises(Conflict) as err:
        ip.allocate(session, S, pool.id)
    assert "no free address" in err.value.message


def test_ipv6_delegates_prefixes(session: Session, specs: None) -> None:
    pool = _pool(session, "2408:8256::/40", delegation_length=56)
    first = ip.allocate(session, S, pool.id, kind="block")
    second = ip.allocate(session, S, pool.id, kind="block", prefix_length=56)
    assert first.value == "2408:8256::/56"
    assert second.value == "2408:8256:0:100::/56"
    with pytest.raises(ValidationFailed) as err:
        ip.allocate(session, S, pool.id)
    assert err.value.field == "kind"
    with pytest.raises(ValidationFailed):
        ip.allocate(session, S, pool.id, kind="block", prefix_length=64)
    with pytest.raises(Conflict):
        ip.allocate(session, S, pool.id, kind="block", value="2408:8256:0:100::/56")


def test_next_free_stays_cheap_with_many_allocations(session: Session, specs: None) -> None:
    """The cursor: allocation N does not re-check the N-1 before it."""
    pool = _pool(session, "100.64.0.0/22")
    for _ in range(300):
        ip.allocate(session, S, pool.id)
    assert common.char(pool, "nextAddress") == "302"
    count = session.scalar(
        select(func.count()).where(Resource.parent_id == pool.id, Resource.spec_id == IP_ADDRESS)
    )
    assert count == 300


def test_scope_and_unknown_ids(session: Session, specs: None) -> None:
    pool = _pool(session)
    with pytest.raises(NotFound):
        ip.allocate(session, Scope(regions=frozenset({"330105"})), pool.id)
    with pytest.raises(NotFound):
        ip.release(session, S, pool.id, "nope")
    rows, total = ip.list_allocations(session, S, pool.id)
    assert (rows, total) == ([], 0)


def test_events_for_pool_and_allocation(session: Session, specs: None) -> None:
    from openboss.events.models import OutboxEvent

    pool = _pool(session)
    row = ip.allocate(session, S, pool.id)
    events = session.scalars(select(OutboxEvent).order_by(OutboxEvent.seq)).all()
    kinds = [(e.event_type, e.resource_id) for e in events]
    assert ("ResourceCreateEvent", pool.id) in kinds
    assert ("ResourceStateChangeEvent", row.id) in kinds
