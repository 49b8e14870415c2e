"""IP pools: IPv4 and IPv6 pools, addresses and static blocks allocated on demand.

eTOM 1.5.1 resource management (IP address management) and 1.5.2 resource
provisioning (allocate an address or a prefix to a service).

A pool is a ``resource`` of spec ``ipPool`` whose ``value`` is its CIDR and
whose ``capacity`` is what it can hand out: assignable IPv4 addresses
(network, broadcast and the reserved gateway excluded), or for IPv6 the
number of prefixes of the pool's delegation length (a /40 delegating /56 has
65,536). Pools never overlap (409 naming the pool).

Addresses and blocks are **not materialised up front** — an IPv6 /32 cannot
be. An allocation creates an ``ipAddress`` (value ``100.64.0.7``) or an
``ipBlock`` (value ``61.164.10.8/29`` / ``2408:8256:0:100::/56``) row inside
the pool, ``allocated``. Finding the candidate stays fast however many
allocations a pool holds:

1. a **released** allocation of the same shape is reused first (released
   addresses go straight back to ``available`` — IP specs have no
   quarantine — and stay in the pool as rows);
2. otherwise a per-pool cursor (characteristics ``nextAddress`` /
   ``nextBlock``, offsets into the pool) gives the next never-used
   candidate; a candidate is checked with a few indexed lookups on the
   UNIQUE ``(spec_id, value)`` index: is a block containing it already
   allocated (its supernets, at most 32 or 128 values), is anything inside it
   already allocated (a block's addresses and sub-blocks, at most 511 values
   for the largest IPv4 block, /24);
3. the row is inserted in a SAVEPOINT: a concurrent allocator that took the
   same value makes the insert fail on the UNIQUE index and the next
   candidate is tried.

Rules: IPv4 pools hand out single addresses and blocks /24 … /30 (aligned,
not containing the pool's network, broadcast or gateway address); IPv6 pools
hand out prefixes of exactly their delegation length. Release moves an
allocation allocated → released → available at once (the row stays, the
next allocation of the same shape takes it); retired rows keep their value
out of use for good.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openboss.kit.errors import Conflict, NotFound, ValidationFailed
from openboss.kit.scope import Scope, apply_scope
from openboss.resource.inventory.lifecycle import publish_state_change, set_lifecycle
from openboss.resource.inventory.models import Resource
from openboss.resource.pools import common
from openboss.resource.pools.specs import IP_ADDRESS, IP_BLOCK, IP_POOL

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

PURPOSES = ("dynamic", "staticBusiness", "iptvMulticast", "management")
IPV4_BLOCK_PREFIXES = range(24, 31)
#: The ``capacity`` column is a 32-bit integer.
MAX_CAPACITY = 2**31 - 1
#: Candidates tried by one allocation before giving up (collisions, skips).
MAX_ATTEMPTS = 10_000


@dataclass(frozen=True)
class PoolInfo:
    pool: Resource
    network: Network
    delegation: int | None
    gateway: Address | None


def parse_network(cidr: str, field: str = "cidr") -> Network:
    try:
        return ipaddress.ip_network(cidr.strip(), strict=True)
    except ValueError as exc:
        raise ValidationFailed(
            f"'{cidr}' is not a network in CIDR form: {exc}", field=field
        ) from exc


def pool_capacity(network: Network, delegation: int | None, gateway: bool) -> int:
    """Assignable addresses (IPv4) or delegatable prefixes (IPv6) of a pool."""
    if network.version == 4:
        return network.num_addresses - 2 - (1 if gateway else 0)
    assert delegation is not None
    return int(2 ** (delegation - network.prefixlen))


def info(pool: Resource) -> PoolInfo:
    network = ipaddress.ip_network(pool.value or "")
    gateway = common.char(pool, "gateway")
    delegation = common.char(pool, "delegationLength")
    return PoolInfo(
        pool,
        network,
        int(delegation) if delegation is not None else None,
        ipaddress.ip_address(gateway) if gateway else None,
    )


def create_pool(
    session: Session,
    scope: Scope,
    *,
    cidr: str,
    purpose: str,
    name: str | None = None,
    region_id: str | None = None,
    partner_id: str | None = None,
    delegation_length: int | None = None,
    gateway: str | None = None,
    reserve_gateway: bool | None = None,
) -> Resource:
    """A new pool (400 on a bad CIDR or parameters, 409 when it overlaps a pool)."""
    network = parse_network(cidr)
    if purpose not in PURPOSES:
        raise ValidationFailed(
            f"purpose must be one of {', '.join(PURPOSES)}, not '{purpose}'", field="purpose"
        )
    gw: Address | None = None
    if network.version == 4:
        if delegation_length is not None:
            raise ValidationFailed(
                "delegationLength applies to IPv6 pools only", field="delegationLength"
            )
        if network.prefixlen > 29:
            raise ValidationFailed("an IPv4 pool is at least a /29", field="cidr")
        if gateway is not None:
            gw = _address(gateway, "gateway")
            if gw not in network or gw in (network.network_address, network.broadcast_address):
                raise ValidationFailed(
                    f"gateway {gateway} is not a host address of {network}", field="gateway"
                )
        elif reserve_gateway if reserve_gateway is not None else purpose == "dynamic":
            gw = network.network_address + 1
    else:
        if gateway is not None:
            raise ValidationFailed("gateway applies to IPv4 pools only", field="gateway")
        delegation = 56 if delegation_length is None else delegation_length
        if not network.prefixlen < delegation <= 128:
            raise ValidationFailed(
                f"delegationLength must be longer than /{network.prefixlen} and at most /128",
                field="delegationLength",
            )
        delegation_length = delegation
    capacity = pool_capacity(network, delegation_length, gw is not None)
    if capacity > MAX_CAPACITY:
        raise ValidationFailed(
            f"{network} delegating /{delegation_length} holds {capacity} prefixes;"
            f" at most {MAX_CAPACITY} per pool",
            field="delegationLength",
        )
    for other_id, other_value in session.execute(
        select(Resource.id, Resource.value).where(
            Resource.spec_id == IP_POOL, Resource.value.is_not(None)
        )
    ):
        other = ipaddress.ip_network(str(other_value))
        if other.version == network.version and other.overlaps(network):
            raise Conflict(f"{network} overlaps IP pool '{other_id}' ({other})")
    spec_row = common.spec(session, IP_POOL)
    pool = common.new_resource(
        spec_row,
        name=name or f"{network}",
        value=str(network),
        region_id=region_id,
        partner_id=partner_id,
        capacity=capacity,
        characteristics=common.chars(
            purpose=purpose,
            ipVersion=network.version,
            delegationLength=delegation_length,
            gateway=str(gw) if gw else None,
        ),
    )
    session.add(pool)
    common.publish_create(session, pool)
    return pool


def _address(text: str, field: str) -> Address:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError as exc:
        raise ValidationFailed(f"'{text}' is not an IP address", field=field) from exc


def get_pool(session: Session, scope: Scope, pool_id: str) -> Resource:
    return common.get_resource(session, scope, pool_id, IP_POOL, "IP pool")


def list_pools(session: Session, scope: Scope) -> list[Resource]:
    stmt = apply_scope(select(Resource).where(Resource.spec_id == IP_POOL), Resource, scope)
    return list(session.scalars(stmt.order_by(Resource.value)))


# -- candidates -----------------------------------------------------------------


def _supernets(net: Network, pool_net: Network) -> list[str]:
    """Values of blocks that would contain ``net`` (strictly larger, inside the pool)."""
    return [str(net.supernet(new_prefix=p)) for p in range(pool_net.prefixlen + 1, net.prefixlen)]


def _inside(block: Network) -> list[str]:
    """Values of addresses and smaller blocks inside an IPv4 ``block``."""
    values = [str(a) for a in block]
    for p in range(block.prefixlen + 1, 31):
        values.extend(str(s) for s in block.subnets(new_prefix=p))
    return values


def _taken(session: Session, spec_id: str, values: list[str]) -> str | None:
    """The first of ``values`` allocated as ``spec_id`` (any lifecycle), if any."""
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        found = session.scalars(
            select(Resource.value).where(Resource.spec_id == spec_id, Resource.value.in_(chunk))
        ).first()
        if found is not None:
            return found
    return None


def _address_blocked(session: Session, p: PoolInfo, addr: Address) -> Network | None:
    """The allocated block containing ``addr``, if any."""
    host = ipaddress.ip_network(f"{addr}/{addr.max_prefixlen}")
    found = (
        _taken(session, IP_BLOCK, _supernets(host, p.network)) if p.network.version == 4 else None
    )
    return ipaddress.ip_network(found) if found else None


def block_overlap(session: Session, p: PoolInfo, block: Network) -> str | None:
    """The allocation ``block`` would overlap, or None."""
    supers = [*_supernets(block, p.network), str(block)]
    found = _taken(session, IP_BLOCK, supers)
    if found is None and p.network.version == 4:
        inner = _inside(block)
        found = _taken(session, IP_ADDRESS, [v for v in inner if "/" not in v])
        found = found or _taken(session, IP_BLOCK, [v for v in inner if "/" in v])
    return found


def _block_capacity(block: Network) -> int | None:
    """Addresses of an IPv4 block; an IPv6 prefix is counted as one delegation."""
    return block.num_addresses if block.version == 4 else None


def _insert(session: Session, row: Resource) -> bool:
    """Insert ``row`` in a savepoint; False when the value was taken meanwhile."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True


def _reuse(session: Session, p: PoolInfo, spec_id: str, prefix: int | None) -> Resource | None:
    """A released (now available) allocation of the same shape, locked for us."""
    stmt = select(Resource).where(
        Resource.parent_id == p.pool.id,
        Resource.spec_id == spec_id,
        Resource.lifecycle_status == "available",
    )
    if prefix is not None:
        stmt = stmt.where(Resource.value.like(f"%/{prefix}"))
    stmt = stmt.order_by(Resource.id).limit(1)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return session.scalars(stmt).first()


def _address_candidates(p: PoolInfo) -> Iterator[tuple[int, Address]]:
    net = p.network
    start = int(common.char(p.pool, "nextAddress", 1))
    last = net.num_addresses - 2
    for offset in range(max(start, 1), last + 1):
        addr = net.network_address + offset
        if addr != p.gateway:
            yield offset, addr


def _block_candidates(p: PoolInfo, prefix: int) -> Iterator[tuple[int, Network]]:
    net = p.network
    size = 2 ** (net.max_prefixlen - prefix)
    start = int(common.char(p.pool, "nextBlock", 0))
    offset = -(-start // size) * size  # aligned up
    while offset + size <= net.num_addresses:
        block = ipaddress.ip_network(f"{net.network_address + offset}/{prefix}")
        yield offset, block
        offset += size


def _check_block_shape(p: PoolInfo, block: Network, field: str) -> None:
    if block.version != p.network.version or not block.subnet_of(p.network):  # type: ignore[arg-type]
        raise ValidationFailed(f"{block} is not inside pool {p.network}", field=field)
    if p.network.version == 6:
        if block.prefixlen != p.delegation:
            raise ValidationFailed(
                f"pool {p.network} delegates /{p.delegation} prefixes, not /{block.prefixlen}",
                field=field,
            )
        return
    if block.prefixlen not in IPV4_BLOCK_PREFIXES or block.prefixlen <= p.network.prefixlen:
        raise ValidationFailed(
            f"an IPv4 static block is a /24 … /30 smaller than the pool, not /{block.prefixlen}",
            field=field,
        )
    for special in (p.network.network_address, p.network.broadcast_address, p.gateway):
        if special is not None and special in block:
            raise ValidationFailed(
                f"{block} contains {special}, the pool's network, broadcast or gateway address",
                field=field,
            )


def _address_allowed(p: PoolInfo, addr: Address, field: str) -> None:
    net = p.network
    if addr.version != net.version or addr not in net:
        raise ValidationFailed(f"{addr} is not inside pool {net}", field=field)
    if addr in (net.network_address, net.broadcast_address) or addr == p.gateway:
        raise ValidationFailed(
            f"{addr} is the pool's network, broadcast or gateway address", field=field
        )


def allocate(
    session: Session,
    scope: Scope,
    pool_id: str,
    *,
    kind: str = "address",
    prefix_length: int | None = None,
    value: str | None = None,
    service_id: str | None = None,
    customer_id: str | None = None,
    order_id: str | None = None,
    description: str | None = None,
) -> Resource:
    """Allocate the next free address / block of ``pool_id`` — or the given
    ``value`` — as an ``allocated`` row; 409 when the pool is full or the value
    overlaps an allocation."""
    pool = get_pool(session, scope, pool_id)
    p = info(pool)
    if pool.lifecycle_status != "available":
        raise Conflict(f"IP pool '{pool.id}' is {pool.lifecycle_status}")
    if kind not in ("address", "block"):
        raise ValidationFailed("kind must be 'address' or 'block'", field="kind")
    if kind == "address" and p.network.version == 6:
        raise ValidationFailed(
            f"IPv6 pool {p.network} delegates /{p.delegation} prefixes: ask for a block",
            field="kind",
        )
    if kind == "block":
        if p.network.version == 6:
            prefix_length = prefix_length or p.delegation
        if prefix_length is None and value is None:
            raise ValidationFailed("prefixLength is required for a block", field="prefixLength")
    row = (
        _allocate_value(session, p, kind, value)
        if value is not None
        else _allocate_next(session, p, kind, prefix_length)
    )
    row.description = description or row.description
    set_lifecycle(row, "allocated")
    row.start_operating_date = row.start_operating_date or row.updated_at
    if service_id or customer_id or order_id:
        common.open_usage(
            session, row, service_id=service_id, customer_id=customer_id, order_id=order_id
        )
    session.flush()
    publish_state_change(session, [row])
    return row


def _new_row(session: Session, p: PoolInfo, spec_id: str, value: str, **extra: Any) -> Resource:
    return common.new_resource(
        common.spec(session, spec_id),
        name=value,
        value=value,
        parent_id=p.pool.id,
        region_id=p.pool.region_id,
        partner_id=p.pool.partner_id,
        **extra,
    )


def _allocate_value(session: Session, p: PoolInfo, kind: str, value: str) -> Resource:
    if kind == "address":
        addr = _address(value, "value")
        _address_allowed(p, addr, "value")
        blocked = _address_blocked(session, p, addr)
        if blocked is not None:
            raise Conflict(f"{addr} is inside block {blocked}, already allocated")
        text = str(addr)
        spec_id, extra = IP_ADDRESS, {}
    else:
        block = parse_network(value, "value")
        _check_block_shape(p, block, "value")
        text = str(block)
        overlap = block_overlap(session, p, block)
        if overlap is not None and overlap != text:
            raise Conflict(f"{block} overlaps {overlap}, already allocated")
        spec_id = IP_BLOCK
        extra = {
            "capacity": _block_capacity(block),
            "characteristics": common.chars(prefixLength=block.prefixlen),
        }
    existing = session.scalars(
        select(Resource).where(Resource.spec_id == spec_id, Resource.value == text)
    ).first()
    if existing is not None:
        if existing.parent_id == p.pool.id and existing.lifecycle_status == "available":
            return existing
        raise Conflict(f"{text} is already {existing.lifecycle_status} ('{existing.id}')")
    row = _new_row(session, p, spec_id, text, **extra)
    if not _insert(session, row):
        raise Conflict(f"{text} was allocated concurrently")
    return row


def _allocate_next(session: Session, p: PoolInfo, kind: str, prefix_length: int | None) -> Resource:
    if kind == "address":
        reused = _reuse(session, p, IP_ADDRESS, None)
        if reused is not None:
            return reused
        attempts = 0
        for offset, addr in _address_candidates(p):
            attempts += 1
            if attempts > MAX_ATTEMPTS:
                break
            blocked = _address_blocked(session, p, addr)
            if blocked is not None:
                continue
            row = _new_row(session, p, IP_ADDRESS, str(addr))
            if _insert(session, row):
                common.set_char(p.pool, "nextAddress", str(offset + 1))
                return row
        raise Conflict(f"IP pool '{p.pool.id}' ({p.network}) has no free address left")
    assert prefix_length is not None
    block_probe = ipaddress.ip_network(f"{p.network.network_address}/{prefix_length}", strict=False)
    _check_shape_length(p, block_probe.prefixlen)
    reused = _reuse(session, p, IP_BLOCK, prefix_length)
    if reused is not None:
        return reused
    attempts = 0
    for offset, block in _block_candidates(p, prefix_length):
        attempts += 1
        if attempts > MAX_ATTEMPTS:
            break
        if p.network.version == 4:
            specials = (p.network.network_address, p.network.broadcast_address, p.gateway)
            if any(s is not None and s in block for s in specials):
                continue
            if block_overlap(session, p, block) is not None:
                continue
        row = _new_row(
            session,
            p,
            IP_BLOCK,
            str(block),
            capacity=_block_capacity(block),
            characteristics=common.chars(prefixLength=prefix_length),
        )
        if _insert(session, row):
            common.set_char(p.pool, "nextBlock", str(offset + block.num_addresses))
            return row
    raise Conflict(f"IP pool '{p.pool.id}' ({p.network}) has no free /{prefix_length} block left")


def _check_shape_length(p: PoolInfo, prefix: int) -> None:
    if p.network.version == 6:
        if prefix != p.delegation:
            raise ValidationFailed(
                f"pool {p.network} delegates /{p.delegation} prefixes, not /{prefix}",
                field="prefixLength",
            )
    elif prefix not in IPV4_BLOCK_PREFIXES or prefix <= p.network.prefixlen:
        raise ValidationFailed(
            f"an IPv4 static block is a /24 … /30 smaller than the pool, not /{prefix}",
            field="prefixLength",
        )


def get_allocation(session: Session, scope: Scope, pool_id: str, allocation_id: str) -> Resource:
    pool = get_pool(session, scope, pool_id)
    row = session.get(Resource, allocation_id)
    if row is None or row.parent_id != pool.id or row.spec_id not in (IP_ADDRESS, IP_BLOCK):
        raise NotFound(f"IP allocation '{allocation_id}' not found in pool '{pool_id}'")
    return row


def release(session: Session, scope: Scope, pool_id: str, allocation_id: str) -> Resource:
    """allocated → released → available (IP specs have no quarantine); usage closed."""
    row = get_allocation(session, scope, pool_id, allocation_id)
    if row.lifecycle_status != "allocated":
        raise Conflict(f"IP allocation '{row.id}' is {row.lifecycle_status}, not allocated")
    set_lifecycle(row, "released")
    set_lifecycle(row, "available")
    common.close_usage(session, [row.id])
    session.flush()
    publish_state_change(session, [row])
    return row


def list_allocations(
    session: Session,
    scope: Scope,
    pool_id: str,
    *,
    status: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[list[Resource], int]:
    pool = get_pool(session, scope, pool_id)
    stmt = select(Resource).where(
        Resource.parent_id == pool.id, Resource.spec_id.in_((IP_ADDRESS, IP_BLOCK))
    )
    if status is not None:
        stmt = stmt.where(Resource.lifecycle_status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Resource.created_at, Resource.id).offset(offset).limit(limit)
    )
    return list(rows), int(total)
