"""The resource domain's demo data (eTOM 1.5.1 resource management).

Over the party demo's ~200 buildings (``place_directory().iter_sites``):

* partners ``PARTNER-1`` 杭州有线网络 (cable TV, revenue share 30 %) and
  ``PARTNER-2`` 浙江固网 (fixed line, lease);
* own FTTH in about half of the buildings: one equipment room per region,
  OLTs (2 cards × 8 GPON ports), per covered building a 1:32 or 1:64 splitter
  on a PON port (some cascaded 1:8 → 1:8), its ports partly allocated (usage
  records ``legacy-<n>``, an ONT behind each used port), a few buildings full;
* partner cable coverage in about 35 % (capacity 60–200, some nearly full,
  one exhausted), no coverage in the rest; MSTP nodes in a few buildings;
* the tour: ``DEMO-B-FTTH`` own FTTH with free ports, ``DEMO-B-PARTNER``
  partner cable only with capacity, ``DEMO-B-NONE`` nothing;
* the number/IP pools and CPE stock of :mod:`openboss.resource.pools.demo`
  when that module exists; then the business view is published
  (:func:`availability.refresh_all`).

Deterministic (seeded random) and idempotent: when the demo OLTs exist, the
network is not added again. Rows are written with Core inserts (stored
representations rendered by the TMF639 declaration), not ORM objects.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from openboss.kit.ids import new_id
from openboss.kit.places import PlaceSite, place_directory
from openboss.resource.inventory import lifecycle
from openboss.resource.inventory.models import (
    RESOURCE_RESOURCE,
    NetworkPartner,
    Resource,
    ResourceSpec,
    ResourceUsage,
)
from openboss.resource.inventory.specs import ensure_builtin_specs
from openboss.resource.publishing import availability
from openboss.resource.publishing.models import PartnerCoverage
from openboss.resource.publishing.rules import ensure_business_types

Progress = Callable[[str, int, int], None]

SEED: Final = 20261122
CABLE_PARTNER: Final = "PARTNER-1"
FIXED_PARTNER: Final = "PARTNER-2"
TOUR_FTTH, TOUR_PARTNER, TOUR_NONE = "DEMO-B-FTTH", "DEMO-B-PARTNER", "DEMO-B-NONE"
PON_PER_OLT: Final = 16


def _quiet(_stage: str, _done: int, _total: int) -> None:
    return None


class NetworkWriter:
    """Collects resource rows (and usage records) and writes them with Core
    inserts; ``add`` returns the new id at once so children can point at it."""

    def __init__(self, session: Session, at: datetime) -> None:
        self.session = session
        self.at = at
        self.rows: list[dict[str, Any]] = []
        self.usages: list[dict[str, Any]] = []
        self.specs = {
            s.id: (s.base_type, s.category) for s in session.scalars(select(ResourceSpec))
        }

    def add(
        self,
        spec_id: str,
        name: str,
        *,
        value: str | None = None,
        parent_id: str | None = None,
        site_id: str | None = None,
        region_id: str | None = None,
        lifecycle_status: str = "available",
        capacity: int | None = None,
        characteristics: list[dict[str, Any]] | None = None,
        partner_id: str | None = None,
        terms: str = "own",
        operational: str = "enable",
        start: datetime | None = None,
    ) -> str:
        base_type, category = self.specs[spec_id]
        ident = new_id()
        row: dict[str, Any] = {
            "id": ident,
            "spec_id": spec_id,
            "base_type": base_type,
            "category": category,
            "name": name,
            "value": value,
            "description": None,
            "parent_id": parent_id,
            "site_id": site_id,
            "region_id": region_id,
            "partner_id": partner_id,
            "ownership_terms": terms,
            **lifecycle.initial_states(
                "available" if lifecycle_status in ("allocated", "reserved") else lifecycle_status
            ),
            "grade": None,
            "capacity": capacity,
            "characteristics": characteristics or [],
            "relationships": None,
            "reservation_id": None,
            "hold_until": None,
            "start_operating_date": start,
            "end_operating_date": None,
            "created_at": self.at,
            "updated_at": self.at,
        }
        if lifecycle_status == "allocated":
            status, admin, usage = lifecycle.TMF_STATES["allocated"]
            row.update(
                lifecycle_status="allocated",
                resource_status=status,
                administrative_state=admin,
                usage_state=usage,
            )
        row["operational_state"] = operational
        self.rows.append(row)
        return ident

    def use(self, resource_id: str, service_id: str, region_id: str | None, days_ago: int) -> None:
        self.usages.append(
            {
                "id": new_id(),
                "resource_id": resource_id,
                "service_id": service_id,
                "customer_id": None,
                "order_id": None,
                "started_at": self.at - timedelta(days=days_ago),
                "ended_at": None,
                "note": "migrated from the legacy inventory",
                "region_id": region_id,
            }
        )

    def flush(self) -> int:
        """Write what was collected (parents first: rows are kept in add order)."""
        written = len(self.rows)
        for row in self.rows:
            row["doc"] = RESOURCE_RESOURCE.render_document(row)
        for i in range(0, len(self.rows), 2000):
            self.session.execute(insert(cast(Table, Resource.__table__)), self.rows[i : i + 2000])
        for i in range(0, len(self.usages), 2000):
            self.session.execute(
                insert(cast(Table, ResourceUsage.__table__)), self.usages[i : i + 2000]
            )
        self.rows, self.usages = [], []
        return written


def ensure_partners(session: Session) -> list[str]:
    """The demo's network partners (idempotent)."""
    now = lifecycle.now()
    added = []
    partners = (
        (CABLE_PARTNER, "Hangzhou Cable Network", "杭州有线网络", "cableTv", "revenueShare", 30),
        (FIXED_PARTNER, "Zhejiang Fixed Network", "浙江固网", "fixedLine", "lease", None),
    )
    for ident, en, zh, kind, terms, share in partners:
        if session.get(NetworkPartner, ident) is not None:
            continue
        session.add(
            NetworkPartner(
                id=ident,
                name=en,
                localized_name={"en": en, "zh-CN": zh},
                kind=kind,
                default_terms=terms,
                revenue_share_percent=share,
                status="active",
                contact={"name": zh + "业务部", "phone": "+8657100000000"},
                created_at=now,
                updated_at=now,
            )
        )
        added.append(ident)
    session.flush()
    return added


def _demo_loaded(session: Session) -> bool:
    count = session.scalar(
        select(func.count())
        .select_from(Resource)
        .where(Resource.spec_id == "olt", Resource.value.like("DEMO-OLT-%"))
    )
    return bool(count)


def load_resource_demo(session: Session, progress: Progress | None = None) -> list[str]:
    """Add the demo network, partner coverage, pools and publish availability (once)."""
    report = progress or _quiet
    added: list[str] = []
    n_specs = ensure_builtin_specs(session)
    if n_specs:
        added.append(f"{n_specs} resource specifications")
    types = ensure_business_types(session)
    if types:
        added.append(f"{len(types)} business resource types")
    partners = ensure_partners(session)
    if partners:
        added.append("partners " + ", ".join(partners))
    if not _demo_loaded(session):
        added += _network(session, report)
    pools = _pools(session)
    added += pools
    changed = availability.refresh_all(session, lambda d, t: report("availability", d, t))
    if changed:
        added.append(f"{changed} availability rows published")
    return added


def _pools(session: Session) -> list[str]:
    try:
        module = importlib.import_module("openboss.resource.pools.demo")
    except ModuleNotFoundError:
        return []
    loader = getattr(module, "load_pools_demo", None)
    if loader is None:
        return []
    return list(loader(session))


def _network(session: Session, report: Progress) -> list[str]:
    rng = random.Random(SEED)
    now = lifecycle.now()
    directory = place_directory()
    sites = list(directory.iter_sites(session))
    if not sites:
        return []
    tour = {s.code: s for s in sites if s.code and s.code in (TOUR_FTTH, TOUR_PARTNER, TOUR_NONE)}
    plan: dict[str, tuple[bool, bool]] = {}  # site id -> (own ftth, partner cable)
    for site in sites:
        r = rng.random()
        plan[site.id] = (r < 0.50, 0.45 <= r < 0.80)
    if TOUR_FTTH in tour:
        plan[tour[TOUR_FTTH].id] = (True, False)
    if TOUR_PARTNER in tour:
        plan[tour[TOUR_PARTNER].id] = (False, True)
    if TOUR_NONE in tour:
        plan[tour[TOUR_NONE].id] = (False, False)

    w = NetworkWriter(session, now)
    rooms: dict[str, dict[str, Any]] = {}  # region -> room state
    legacy = 0
    ftth = [s for s in sites if plan[s.id][0]]
    full = {s.id for s in rng.sample(ftth, max(1, len(ftth) // 20)) if s.code != TOUR_FTTH}
    for n, site in enumerate(ftth, 1):
        room = rooms.get(site.region_id)
        if room is None:
            room_id = w.add(
                "equipmentRoom",
                f"{site.name} 机房",
                value=f"DEMO-ROOM-{site.region_id}",
                site_id=site.id,
                region_id=site.region_id,
                lifecycle_status="allocated",
            )
            room = {"id": room_id, "site": site, "pons": [], "olts": 0}
            rooms[site.region_id] = room
        if not room["pons"]:
            room["olts"] += 1
            tag = f"{site.region_id}-{room['olts']}"
            olt = w.add(
                "olt",
                f"OLT {tag}",
                value=f"DEMO-OLT-{tag}",
                parent_id=room["id"],
                site_id=room["site"].id,
                region_id=site.region_id,
                lifecycle_status="allocated",
                characteristics=[
                    {"name": "vendor", "valueType": "string", "value": "Huawei"},
                    {"name": "model", "valueType": "string", "value": "MA5800-X7"},
                ],
            )
            for slot in (1, 2):
                card = w.add(
                    "oltCard",
                    f"OLT {tag} card {slot}",
                    parent_id=olt,
                    site_id=room["site"].id,
                    region_id=site.region_id,
                    lifecycle_status="allocated",
                    characteristics=[{"name": "slot", "valueType": "integer", "value": slot}],
                )
                for port in range(8):
                    room["pons"].append(
                        w.add(
                            "ponPort",
                            f"OLT {tag} 0/{slot}/{port}",
                            value=f"DEMO-PON-{tag}-{slot}-{port}",
                            parent_id=card,
                            site_id=room["site"].id,
                            region_id=site.region_id,
                            lifecycle_status="allocated",
                            characteristics=[
                                {"name": "technology", "valueType": "string", "value": "GPON"}
                            ],
                        )
                    )
        pon = room["pons"].pop(0)
        legacy = _building_ftth(w, rng, site, pon, legacy, full=site.id in full)
        if n % 20 == 0:
            report("network", n, len(ftth))
    # MSTP nodes in a few covered buildings (offices, enterprise parks)
    offices = [s for s in ftth if s.code != TOUR_FTTH][:: max(1, len(ftth) // 6)][:6]
    for k, site in enumerate(offices, 1):
        room = rooms[site.region_id]
        w.add(
            "mstpNode",
            f"MSTP {site.name}",
            value=f"DEMO-MSTP-{k}",
            parent_id=room["id"],
            site_id=site.id,
            region_id=site.region_id,
            capacity=rng.choice((8, 16)),
            lifecycle_status="allocated",
        )
    written = w.flush()
    coverage = _partner_coverage(session, rng, sites, plan, tour, now)
    report("network", len(ftth), len(ftth))
    return [
        f"{written} network resources in {len(ftth)} FTTH buildings",
        f"{legacy} legacy services on splitter ports",
        f"{coverage} partner coverage rows",
        f"{len(offices)} MSTP nodes",
    ]


def _building_ftth(
    w: NetworkWriter, rng: random.Random, site: PlaceSite, pon: str, legacy: int, *, full: bool
) -> int:
    """A building's splitters and ports on ``pon``; returns the legacy service counter."""
    region = site.region_id
    kind = rng.random()
    feeding: list[tuple[str, str]] = []  # (splitter id, label)
    if kind < 0.1 and site.code != TOUR_FTTH:
        first = w.add(
            "splitter",
            f"{site.name} 1:8 L1",
            parent_id=pon,
            site_id=site.id,
            region_id=region,
            lifecycle_status="allocated",
            capacity=8,
            characteristics=[
                {"name": "ratio", "valueType": "integer", "value": 8},
                {"name": "level", "valueType": "integer", "value": 1},
            ],
        )
        for k in range(1, 4):  # three L1 ports feed L2 splitters
            port = w.add(
                "splitterPort",
                f"{site.name} L1-{k}",
                parent_id=first,
                site_id=site.id,
                region_id=region,
                lifecycle_status="allocated",
            )
            second = w.add(
                "splitter",
                f"{site.name} 1:8 L2-{k}",
                parent_id=port,
                site_id=site.id,
                region_id=region,
                lifecycle_status="allocated",
                capacity=8,
                characteristics=[
                    {"name": "ratio", "valueType": "integer", "value": 8},
                    {"name": "level", "valueType": "integer", "value": 2},
                ],
            )
            feeding.append((second, f"L2-{k}"))
        ratio = 8
    else:
        ratio = 64 if kind > 0.75 else 32
        splitter = w.add(
            "splitter",
            f"{site.name} 1:{ratio}",
            parent_id=pon,
            site_id=site.id,
            region_id=region,
            lifecycle_status="allocated",
            capacity=ratio,
            characteristics=[{"name": "ratio", "valueType": "integer", "value": ratio}],
        )
        feeding.append((splitter, "S1"))
    share = 1.0 if full else (0.4 if site.code == TOUR_FTTH else rng.uniform(0.2, 0.9))
    for splitter, label in feeding:
        for k in range(1, ratio + 1):
            used = rng.random() < share
            port = w.add(
                "splitterPort",
                f"{site.name} {label}-{k}",
                parent_id=splitter,
                site_id=site.id,
                region_id=region,
                lifecycle_status="allocated" if used else "available",
            )
            if used:
                legacy += 1
                w.add(
                    "ont",
                    f"ONT legacy-{legacy}",
                    value=f"HWTC{legacy:08X}",
                    parent_id=port,
                    site_id=site.id,
                    region_id=region,
                    lifecycle_status="allocated",
                    characteristics=[{"name": "model", "valueType": "string", "value": "HG8245"}],
                )
                w.use(port, f"legacy-{legacy}", region, rng.randrange(30, 2000))
    return legacy


def _partner_coverage(
    session: Session,
    rng: random.Random,
    sites: list[PlaceSite],
    plan: dict[str, tuple[bool, bool]],
    tour: dict[str, PlaceSite],
    now: datetime,
) -> int:
    rows = []
    exhausted_done = False
    for site in sites:
        if not plan[site.id][1]:
            continue
        capacity = rng.randrange(60, 201)
        r = rng.random()
        if site.code == TOUR_PARTNER:
            used = capacity // 3
        elif not exhausted_done and not plan[site.id][0]:
            used, exhausted_done = capacity, True
        elif r < 0.1:
            used = capacity - rng.randrange(1, 4)
        else:
            used = int(capacity * rng.uniform(0.1, 0.7))
        rows.append(
            {
                "id": new_id(),
                "site_id": site.id,
                "partner_id": CABLE_PARTNER,
                "technology": "cable",
                "coverage_type": "partnerCable",
                "capacity": capacity,
                "used": used,
                "status": "active",
                "valid_from": now - timedelta(days=365),
                "valid_to": None,
                "note": None,
                "region_id": site.region_id,
                "created_at": now,
                "updated_at": now,
            }
        )
    if rows:
        session.execute(insert(cast(Table, PartnerCoverage.__table__)), rows)
    return len(rows)


__all__ = ["NetworkWriter", "load_resource_demo"]
