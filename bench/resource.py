"""Resource benchmark: address qualification and concurrent port reservation on
PostgreSQL with 100,000 buildings and 5,000,000 splitter ports.

What it does, end to end:

1. (re)creates the database ``bench_resource`` and migrates it;
2. bulk-loads with ``COPY`` ``--buildings`` buildings (``geographic_site``)
   with one flat each (``geographic_address``), and the own FTTH network
   serving them: an equipment room per 1,280 buildings, an OLT per 128, a
   card per 16, a PON port, a splitter and ``--ports-per-building`` splitter
   ports per building (30 % of them allocated). Stored representations are
   cheap fixed documents (``{"name": …}``), not the full TMF639 rendering:
   the API is not what is measured. Secondary indexes are dropped for the
   load and rebuilt after it, then ``VACUUM ANALYZE``;
3. publishes the business view with :func:`availability.refresh_all` (the
   packaging rules' SQL aggregates, 500 buildings per statement);
4. (a) times :func:`qualification.qualify` for ``--queries`` random addresses
   (every service of the catalog, as a CSR of the city would ask):
   p50/p95/p99 — target p99 ≤ 20 ms;
5. (b) for ``--seconds``, ``--threads`` threads each reserve one splitter port
   at a random building through :func:`inventory.service.reserve`, one
   transaction (and commit) per reservation — which also refreshes the
   building's availability in the same transaction — target ≥ 500/s;
   afterwards SQL checks that no port is held twice, that the reserved ports
   equal the successful reservations, and that the published free counts
   equal the real ones;
6. writes ``bench/results/resource.json`` and ``.md`` and prints them; drops
   the database unless ``--keep``.

    .venv/bin/python bench/resource.py                      # the full run
    .venv/bin/python bench/resource.py --buildings 2000     # a try (< 1 minute)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, create_engine, text

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
ADMIN_URL = os.environ.get(
    "OPENBOSS_BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
DB_NAME = "bench_resource"
TARGET_P99_MS = 20.0
TARGET_RESERVATIONS_PER_S = 500.0
DISTRICTS = ["330102", "330105", "330106", "330108", "330109", "330110"]
BATCH = 2000  # buildings per COPY round
NOW = "2026-01-01 00:00:00+00"


def ident(kind: int, i: int) -> str:
    return f"{kind:08x}-0000-7000-8000-{i:012x}"


SITE, ADDRESS, ROOM, OLT, CARD, PON, SPLITTER, PORT = range(1, 9)


def _line(values: list[Any]) -> str:
    return "\t".join("\\N" if v is None else str(v) for v in values) + "\n"


def _doc(name: str, kind: str = "PhysicalResource") -> str:
    return json.dumps({"name": name, "@type": kind, "@baseType": "Resource"})


def _resource(
    rid: str,
    spec: str,
    category: str,
    name: str,
    parent: str | None,
    site: str,
    region: str,
    status: str,
    capacity: int | None = None,
) -> str:
    tmf = {
        "available": ("available", "unlocked", "idle"),
        "allocated": ("available", "unlocked", "busy"),
    }[status]
    return _line(
        [
            rid,
            spec,
            "PhysicalResource",
            category,
            name,
            parent,
            site,
            "own",
            status,
            tmf[0],
            tmf[1],
            "enable",
            tmf[2],
            capacity,
            "[]",
            NOW,
            NOW,
            _doc(name),
            region,
        ]
    )


RESOURCE_COLUMNS = (
    "id, spec_id, base_type, category, name, parent_id, site_id, ownership_terms,"
    " lifecycle_status, resource_status, administrative_state, operational_state, usage_state,"
    " capacity, characteristics, created_at, updated_at, doc, region_id"
)
SITE_COLUMNS = (
    "id, name, status, province, city, district, road, road_number, compound, building,"
    " latitude, longitude, norm_key, search_text, created_at, updated_at, doc, region_id"
)
ADDRESS_COLUMNS = (
    "id, site_id, unit, room, province, city, district, road, road_number, compound,"
    " norm_key, search_text, created_at, updated_at, doc, region_id"
)


def generate(start: int, stop: int, ports: int) -> tuple[str, str, str]:
    """COPY text of buildings ``start`` … ``stop - 1``: sites, addresses, resources."""
    sites, addresses, resources = [], [], []
    for b in range(start, stop):
        region = DISTRICTS[b % len(DISTRICTS)]
        sid, aid = ident(SITE, b), ident(ADDRESS, b)
        compound, building = f"Compound {b // 20}", f"{b % 20 + 1}"
        name = f"{compound} {building}"
        sites.append(
            _line(
                [
                    sid,
                    name,
                    "active",
                    "浙江省",
                    "杭州市",
                    region,
                    f"Road {b // 400}",
                    f"{b % 400 + 1}",
                    compound,
                    building,
                    30.2 + (b % 1000) / 10000,
                    120.1 + (b // 1000 % 1000) / 10000,
                    f"bench|{b}",
                    name.lower(),
                    NOW,
                    NOW,
                    json.dumps({"name": name}),
                    region,
                ]
            )
        )
        addresses.append(
            _line(
                [
                    aid,
                    sid,
                    "1",
                    "101",
                    "浙江省",
                    "杭州市",
                    region,
                    f"Road {b // 400}",
                    f"{b % 400 + 1}",
                    compound,
                    f"bench|{b}|1|101",
                    name.lower() + " 1-101",
                    NOW,
                    NOW,
                    json.dumps({"name": name + " 1-101"}),
                    region,
                ]
            )
        )
        host = ident(SITE, b - b % 1280)  # the equipment room stands in a building
        if b % 1280 == 0:
            resources.append(
                _resource(
                    ident(ROOM, b // 1280),
                    "equipmentRoom",
                    "site",
                    f"Room {b // 1280}",
                    None,
                    host,
                    region,
                    "allocated",
                )
            )
        if b % 128 == 0:
            resources.append(
                _resource(
                    ident(OLT, b // 128),
                    "olt",
                    "equipment",
                    f"OLT {b // 128}",
                    ident(ROOM, b // 1280),
                    host,
                    region,
                    "allocated",
                )
            )
        if b % 16 == 0:
            resources.append(
                _resource(
                    ident(CARD, b // 16),
                    "oltCard",
                    "equipment",
                    f"Card {b // 16}",
                    ident(OLT, b // 128),
                    host,
                    region,
                    "allocated",
                )
            )
        resources.append(
            _resource(
                ident(PON, b),
                "ponPort",
                "port",
                f"PON {b}",
                ident(CARD, b // 16),
                host,
                region,
                "allocated",
            )
        )
        resources.append(
            _resource(
                ident(SPLITTER, b),
                "splitter",
                "splitter",
                f"Splitter {b}",
                ident(PON, b),
                sid,
                region,
                "allocated",
                ports,
            )
        )
        for k in range(ports):
            used = (b * 31 + k) % 10 < 3
            resources.append(
                _resource(
                    ident(PORT, b * ports + k),
                    "splitterPort",
                    "port",
                    f"B{b} port {k + 1}",
                    ident(SPLITTER, b),
                    sid,
                    region,
                    "allocated" if used else "available",
                )
            )
    return "".join(sites), "".join(addresses), "".join(resources)


def load(url: str, buildings: int, ports: int) -> dict[str, float]:
    """Migrate, COPY the buildings and the network, rebuild indexes; seconds per phase."""
    from sqlalchemy.orm import Session

    from openboss.db.migrate import upgrade
    from openboss.db.registry import import_all_models
    from openboss.party.address.models import GeographicAddress, GeographicSite
    from openboss.resource.inventory.models import Resource
    from openboss.resource.inventory.specs import ensure_builtin_specs
    from openboss.resource.publishing.rules import ensure_business_types

    import_all_models()
    upgrade(url)
    engine = create_engine(url)
    with Session(engine) as session:
        ensure_builtin_specs(session)
        ensure_business_types(session)
        session.commit()
    tables = [cast(Table, m.__table__) for m in (GeographicSite, GeographicAddress, Resource)]
    indexes = [ix for t in tables for ix in t.indexes]
    phases: dict[str, float] = {}
    with engine.begin() as conn:
        for ix in indexes:
            conn.execute(text(f"DROP INDEX IF EXISTS {ix.name}"))
        for t in tables:
            conn.execute(text(f"ALTER TABLE {t.name} DISABLE TRIGGER USER"))
    t0 = time.perf_counter()
    gen_s = 0.0
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for start in range(0, buildings, BATCH):
            stop = min(buildings, start + BATCH)
            g0 = time.perf_counter()
            s_txt, a_txt, r_txt = generate(start, stop, ports)
            gen_s += time.perf_counter() - g0
            for table, cols, data in (
                ("geographic_site", SITE_COLUMNS, s_txt),
                ("geographic_address", ADDRESS_COLUMNS, a_txt),
                ("resource", RESOURCE_COLUMNS, r_txt),
            ):
                with cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    copy.write(data.encode())
            raw.commit()
            if stop % 20_000 == 0 or stop == buildings:
                print(
                    f"  loaded {stop:,} / {buildings:,} buildings"
                    f" ({time.perf_counter() - t0:.0f} s)",
                    flush=True,
                )
    finally:
        raw.close()
    phases["generate_s"] = gen_s
    phases["copy_s"] = time.perf_counter() - t0 - gen_s
    t1 = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("SET maintenance_work_mem = '512MB'"))
        for ix in indexes:
            ix.create(conn)
        for t in tables:
            conn.execute(text(f"ALTER TABLE {t.name} ENABLE TRIGGER USER"))
    phases["index_s"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for t in tables:
            conn.execute(text(f"VACUUM ANALYZE {t.name}"))
    phases["vacuum_analyze_s"] = time.perf_counter() - t2
    engine.dispose()
    return phases


def publish(url: str) -> tuple[float, int]:
    """The business view of every building (refresh_all); seconds and rows."""
    import openboss.party.address.places  # noqa: F401 - registers the place directory
    from openboss.db import Database
    from openboss.resource.publishing import availability

    db = Database(url, pool_size=2)
    t0 = time.perf_counter()
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 10 or done == total:
            last[0] = time.perf_counter()
            print(f"  published {done:,} / {total:,} buildings", flush=True)

    with db.transaction() as s:
        rows = availability.refresh_all(s, progress)
    seconds = time.perf_counter() - t0
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("VACUUM ANALYZE resource_availability"))
    db.dispose()
    return seconds, rows


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def qualify_timings(url: str, buildings: int, count: int) -> dict[str, Any]:
    """(a) qualify() by address, every service, as a CSR of the city."""
    import openboss.party.address.places  # noqa: F401 - registers the place directory
    from openboss.db import Database
    from openboss.kit.scope import Scope
    from openboss.resource.publishing.qualification import qualify

    scope = Scope(regions=frozenset(DISTRICTS))
    rng = random.Random(5)
    db = Database(url, pool_size=2)
    times: list[float] = []
    qualified = 0
    with db.read_session() as s:
        for _ in range(50):  # warm up
            qualify(s, scope, ident(ADDRESS, rng.randrange(buildings)))
        for _ in range(count):
            address = ident(ADDRESS, rng.randrange(buildings))
            t0 = time.perf_counter()
            results = qualify(s, scope, address)
            times.append((time.perf_counter() - t0) * 1000)
            qualified += sum(1 for r in results if r.qualified)
            s.expunge_all()
    db.dispose()
    return {
        "queries": count,
        "p50_ms": round(pct(times, 50), 2),
        "p95_ms": round(pct(times, 95), 2),
        "p99_ms": round(pct(times, 99), 2),
        "max_ms": round(max(times), 2),
        "mean_ms": round(statistics.fmean(times), 2),
        "qualified_services_per_query": round(qualified / count, 2),
    }


def _reserve_worker(
    url: str, buildings: int, threads: int, seconds: float, seed: int
) -> dict[str, Any]:
    """One process: ``threads`` threads reserving until the time is up."""
    import openboss.party.address.places
    import openboss.resource.publishing  # noqa: F401 - the availability listener
    from openboss.db import Database
    from openboss.kit.errors import Conflict
    from openboss.kit.scope import SYSTEM_SCOPE
    from openboss.resource.inventory.service import reserve

    db = Database(url, pool_size=threads + 1)
    ok = [0] * threads
    refused = [0] * threads
    latencies: list[list[float]] = [[] for _ in range(threads)]
    sites: list[set[str]] = [set() for _ in range(threads)]
    errors: list[str] = []
    stop_at = time.perf_counter() + seconds

    def worker(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        while time.perf_counter() < stop_at:
            site = ident(SITE, rng.randrange(buildings))
            t0 = time.perf_counter()
            try:
                with db.transaction() as s:
                    reserve(s, SYSTEM_SCOPE, "splitterPort", 1, site_id=site, purpose="bench")
                ok[n] += 1
                sites[n].add(site)
            except Conflict:
                refused[n] += 1
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}"[:300])
                return
            latencies[n].append((time.perf_counter() - t0) * 1000)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    db.dispose()
    return {
        "elapsed": elapsed,
        "ok": sum(ok),
        "refused": sum(refused),
        "latencies": [x for lst in latencies for x in lst],
        "sites": sorted(set().union(*sites)),
        "errors": errors,
    }


def reservations(
    url: str, buildings: int, threads: int, seconds: float, processes: int = 1
) -> dict[str, Any]:
    """(b) concurrent reservations of one port at a random building, one commit
    each, from ``processes`` processes of ``threads`` threads (several processes,
    as several API workers would, so that Python's GIL is not the limit)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from openboss.db import Database

    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=processes, mp_context=ctx) as ex:
        futures = [
            ex.submit(_reserve_worker, url, buildings, threads, seconds, 100 + p)
            for p in range(processes)
        ]
        parts = [f.result() for f in futures]
    elapsed = max(p["elapsed"] for p in parts)  # process start-up not counted
    done = sum(p["ok"] for p in parts)
    refused = sum(p["refused"] for p in parts)
    errors = [e for p in parts for e in p["errors"]]
    all_lat = [x for p in parts for x in p["latencies"]]
    touched = sorted({s for p in parts for s in p["sites"]})
    db = Database(url, pool_size=1)
    with db.engine.connect() as c:
        reserved = c.execute(
            text("SELECT count(*) FROM resource WHERE lifecycle_status = 'reserved'")
        ).scalar_one()
        reservations_rows = c.execute(
            text("SELECT count(*) FROM resource_reservation WHERE state = 'active'")
        ).scalar_one()
        not_one = c.execute(
            text(
                "SELECT count(*) FROM (SELECT reservation_id FROM resource"
                " WHERE reservation_id IS NOT NULL GROUP BY reservation_id"
                " HAVING count(*) <> 1) x"
            )
        ).scalar_one()
        empty = c.execute(
            text(
                "SELECT count(*) FROM resource_reservation r WHERE r.state = 'active'"
                " AND NOT EXISTS (SELECT 1 FROM resource p WHERE p.reservation_id = r.id)"
            )
        ).scalar_one()
        stale = 0
        for i in range(0, len(touched), 1000):
            stale += c.execute(
                text(
                    "SELECT count(*) FROM resource_availability a JOIN ("
                    "  SELECT site_id,"
                    "  count(*) FILTER (WHERE lifecycle_status = 'available') AS free"
                    "  FROM resource WHERE spec_id = 'splitterPort' AND site_id = ANY(:s)"
                    "  GROUP BY site_id) p ON p.site_id = a.site_id"
                    " WHERE a.business_type_id = 'ftthAccess' AND a.capacity_free <> p.free"
                ),
                {"s": touched[i : i + 1000]},
            ).scalar_one()
    db.dispose()
    return {
        "processes": processes,
        "threads": threads,
        "seconds": round(elapsed, 1),
        "reservations": done,
        "refused_409": refused,
        "errors": errors[:5],
        "reservations_per_s": round(done / elapsed, 1),
        "p50_ms": round(pct(all_lat, 50), 2) if all_lat else None,
        "p99_ms": round(pct(all_lat, 99), 2) if all_lat else None,
        "check": {
            "reserved_ports": reserved,
            "active_reservations": reservations_rows,
            "reservations_not_holding_exactly_one_port": not_one,
            "reservations_holding_nothing": empty,
            "buildings_touched": len(touched),
            "buildings_with_stale_free_count": stale,
            "ok": reserved == done == reservations_rows
            and not_one == 0
            and empty == 0
            and stale == 0,
        },
    }


def markdown(result: dict[str, Any]) -> str:
    s, q, r = result["settings"], result["qualify"], result["reserve"]
    lines = [
        "# Resource benchmark",
        "",
        f"{result['started_at']} · PostgreSQL {s['postgresql']} · {s['cpus']} CPUs ·"
        f" load average before {result['load_average']['before'][0]:.2f}",
        "",
        f"{s['buildings']:,} buildings, {s['buildings'] * s['ports_per_building']:,} splitter"
        f" ports; load: " + ", ".join(f"{k} {v}" for k, v in s["load"].items()),
        f"; availability published in {s['publish_s']} s ({s['availability_rows']:,} rows).",
        "",
        "| measure | result | target |",
        "|---|---|---|",
        f"| qualify() by address: p50 / p95 / p99 | {q['p50_ms']} / {q['p95_ms']} /"
        f" **{q['p99_ms']} ms** | p99 ≤ {TARGET_P99_MS:.0f} ms |",
        f"| reservations ({r['processes']} × {r['threads']} threads, {r['seconds']} s) |"
        f" **{r['reservations_per_s']}/s**"
        f" (p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms) | ≥ {TARGET_RESERVATIONS_PER_S:.0f}/s |",
        f"| after the run: reserved ports = reservations, none held twice, published free"
        f" counts exact | {'yes' if r['check']['ok'] else 'NO'} ({r['check']}) | yes |",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--buildings", type=int, default=100_000, help="buildings to load")
    ap.add_argument("--ports-per-building", type=int, default=50, help="splitter ports each")
    ap.add_argument("--queries", type=int, default=2000, help="qualify() calls timed")
    ap.add_argument("--processes", type=int, default=2, help="reserving processes")
    ap.add_argument("--threads", type=int, default=4, help="reserving threads per process")
    ap.add_argument("--seconds", type=float, default=20.0, help="how long to reserve")
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    ap.add_argument("--output", default="resource", help="result file name (no suffix)")
    args = ap.parse_args()
    if not 1 <= args.ports_per_building <= 64:
        ap.error("--ports-per-building is 1 … 64 (a splitter's ports)")

    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
        pg_version = c.execute(text("SHOW server_version")).scalar_one()
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME
    try:
        total = args.buildings * args.ports_per_building
        print(f"loading {args.buildings:,} buildings, {total:,} ports into {DB_NAME} ...")
        phases = load(url, args.buildings, args.ports_per_building)
        print("  " + ", ".join(f"{k} {v:.1f}" for k, v in phases.items()), flush=True)
        publish_s, rows = publish(url)
        print(f"  availability: {rows:,} rows in {publish_s:.1f} s", flush=True)
        load_avg_before = os.getloadavg()
        q = qualify_timings(url, args.buildings, args.queries)
        print(
            f"  qualify: p50 {q['p50_ms']} ms  p95 {q['p95_ms']} ms  p99 {q['p99_ms']} ms",
            flush=True,
        )
        r = reservations(url, args.buildings, args.threads, args.seconds, args.processes)
        print(f"  reserve: {r['reservations_per_s']}/s  check {r['check']}", flush=True)
        load_avg_after = os.getloadavg()
    finally:
        if not args.keep:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        admin.dispose()

    result = {
        "benchmark": "resource",
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "target": {
            "qualify_p99_ms": TARGET_P99_MS,
            "reservations_per_s": TARGET_RESERVATIONS_PER_S,
        },
        "load_average": {"before": load_avg_before, "after": load_avg_after},
        "settings": {
            "buildings": args.buildings,
            "ports_per_building": args.ports_per_building,
            "queries": args.queries,
            "processes": args.processes,
            "threads": args.threads,
            "load": {k: round(v, 1) for k, v in phases.items()},
            "publish_s": round(publish_s, 1),
            "availability_rows": rows,
            "machine": platform.machine() + " " + platform.processor(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "postgresql": pg_version,
        },
        "qualify": q,
        "reserve": r,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.output}.json").write_text(json.dumps(result, indent=2) + "\n")
    md = markdown(result)
    (RESULTS / f"{args.output}.md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
