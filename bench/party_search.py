"""Customer search benchmark: :func:`openboss.party.customer.search.search_customers`
on 1,000,000 customers in PostgreSQL.

What it does, end to end:

1. (re)creates the database ``bench_party``, migrates it, and seeds a city
   with ten districts;
2. bulk-loads ``--customers`` individuals (Chinese names, valid resident IDs,
   mobile numbers) with their duplicate-check and contact keys and one
   customer each, with ``COPY`` (stored representations rendered with
   ``RESOURCE.render_document``); secondary indexes are dropped for the load
   and rebuilt after it, then ``VACUUM ANALYZE``;
3. checks with ``EXPLAIN`` that no search kind plans a sequential scan;
4. times ``--queries`` searches per kind — phone, document number, name
   prefix — on ``--threads`` threads, each with its own connection, as a
   CSR of the city (scope: the ten districts);
5. writes ``bench/results/party_search.json`` and ``.md`` (p50/p95/p99,
   throughput, load time, plans) and prints them; drops the database unless
   ``--keep``.

Target: p99 ≤ 50 ms per search.

    .venv/bin/python bench/party_search.py [--customers 1000000] [--queries 2000] [--threads 2]
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
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import orjson
from sqlalchemy import Table, create_engine, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
ADMIN_URL = os.environ.get(
    "OPENBOSS_BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
DB_NAME = "bench_party"
TARGET_P99_MS = 50.0
BATCH = 50_000

DISTRICTS = [
    ("330102", "上城区"),
    ("330105", "拱墅区"),
    ("330106", "西湖区"),
    ("330108", "滨江区"),
    ("330109", "萧山区"),
    ("330110", "余杭区"),
    ("330111", "富阳区"),
    ("330112", "临安区"),
    ("330113", "临平区"),
    ("330114", "钱塘区"),
]
#: Common surnames, roughly by frequency (王 and 李 ~7 % each).
SURNAMES = (
    "王" * 7
    + "李" * 7
    + "张" * 7
    + "刘" * 5
    + "陈" * 5
    + "杨" * 3
    + "赵" * 2
    + "黄" * 2
    + "周" * 2
    + "吴" * 2
    + "徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国"
    "志红文辉玉兰春梅小海波宇晨浩然子涵欣怡一诺"
)
TYPES = ["household"] * 7 + ["individual"] * 3
GRADES = ["regular"] * 8 + ["vipSilver", "vipGold"]
STATUSES = ["active"] * 17 + ["suspended", "prospect", "closed"]


def resident_id(i: int) -> str:
    """A valid, unique resident ID for customer ``i``."""
    from openboss.party.documents import resident_id_check_char

    region = DISTRICTS[i % len(DISTRICTS)][0]
    day = datetime(1950, 1, 1) + timedelta(days=(i // len(DISTRICTS)) % 20_000)
    seq = (i // (len(DISTRICTS) * 20_000)) % 1000
    body = f"{region}{day:%Y%m%d}{seq:03d}"
    return body + resident_id_check_char(body)


def phone(i: int) -> str:
    return f"+86{13_000_000_000 + i * 7 % 9_000_000_000}"


def ident(prefix: int, i: int) -> str:
    return f"{prefix:08x}-0000-7000-8000-{i:012x}"


def rows(start: int, stop: int, seed: int = 7) -> Iterator[tuple[dict[str, Any], ...]]:
    """(individual, identification key, contact key, customer) rows of customers
    ``start`` … ``stop - 1``, deterministic."""
    from openboss.party.customer.identity import fold_name
    from openboss.party.documents import validate_resident_id

    rng = random.Random(seed + start)
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    for i in range(start, stop):
        family = rng.choice(SURNAMES)
        given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
        name = family + given
        number = resident_id(i)
        facts = validate_resident_id(number)
        party_id = ident(1, i)
        customer_id = ident(2, i)
        district = DISTRICTS[rng.randrange(len(DISTRICTS))][0]
        created = t0 + timedelta(seconds=i * 30)
        e164 = phone(i)
        ctype = rng.choice(TYPES)
        grade = rng.choice(GRADES)
        individual = {
            "id": party_id,
            "status": "validated",
            "given_name": given,
            "family_name": family,
            "middle_name": None,
            "full_name": name,
            "formatted_name": name,
            "legal_name": None,
            "title": None,
            "search_name": fold_name(name),
            "gender": facts.sex,
            "birth_date": facts.birth_date.isoformat(),
            "nationality": "CHN",
            "marital_status": None,
            "contact_medium": [
                {"mediumType": "phone", "preferred": True, "characteristic": {"phoneNumber": e164}}
            ],
            "individual_identification": [
                {"identificationType": "residentIdCard", "identificationId": number}
            ],
            "external_reference": [{"externalReferenceType": "legacyCrm", "name": f"L-{i}"}],
            "party_characteristic": None,
            "related_party": None,
            "created_at": created,
            "updated_at": created,
        }
        customer = {
            "id": customer_id,
            "name": name,
            "search_name": fold_name(name),
            "status": rng.choice(STATUSES),
            "status_reason": None,
            "customer_type": ctype,
            "grade": grade,
            "segment": None,
            "engaged_party_id": party_id,
            "engaged_party_type": "Individual",
            "engaged_party_name": name,
            "contact_medium": None,
            "related_party": None,
            "characteristic": [
                {"name": "customerType", "valueType": "string", "value": ctype},
                {"name": "grade", "valueType": "string", "value": grade},
            ],
            "account": None,
            "place": None,
            "valid_from": None,
            "valid_to": None,
            "region_id": district,
            "created_at": created,
            "updated_at": created,
        }
        yield (
            individual,
            {
                "id": ident(3, i),
                "id_type": "residentIdCard",
                "id_number": number,
                "party_id": party_id,
                "party_kind": "individual",
            },
            {
                "id": ident(4, i),
                "kind": "phone",
                "value": e164,
                "party_id": party_id,
                "party_kind": "individual",
            },
            customer,
        )


def _copy(cursor: Any, table: Any, batch: list[dict[str, Any]]) -> None:
    from sqlalchemy import JSON

    columns = [c.name for c in table.columns]
    json_cols = {c.name for c in table.columns if isinstance(c.type, JSON)}
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in batch:
            copy.write_row(
                [
                    orjson.dumps(row[c]).decode()
                    if c in json_cols and row[c] is not None
                    else row[c]
                    for c in columns
                ]
            )


def load(url: str, n: int) -> dict[str, float]:
    """Migrate, seed regions and bulk-load ``n`` customers; seconds per phase."""
    from openboss.db.migrate import upgrade
    from openboss.db.registry import import_all_models
    from openboss.party.customer.models import (
        CUSTOMER,
        INDIVIDUAL,
        Customer,
        Individual,
        PartyContactKey,
        PartyIdentificationKey,
    )
    from openboss.party.region import service as regions

    import_all_models()
    upgrade(url)
    engine = create_engine(url)
    with Session(engine) as session:
        regions.create_region(session, id="330000", parent_id=None, level="province", name="浙江省")
        regions.create_region(session, id="330100", parent_id="330000", level="city", name="杭州市")
        for code, label in DISTRICTS:
            regions.create_region(
                session, id=code, parent_id="330100", level="district", name=label
            )
        session.commit()
    tables: list[Table] = [
        cast(Table, model.__table__)
        for model in (Individual, PartyIdentificationKey, PartyContactKey, Customer)
    ]
    indexes = [ix for t in tables for ix in t.indexes]
    phases: dict[str, float] = {}
    with engine.begin() as conn:
        for ix in indexes:
            conn.execute(text(f"DROP INDEX IF EXISTS {ix.name}"))
        for t in tables:  # no per-row version counting during the bulk load
            conn.execute(text(f"ALTER TABLE {t.name} DISABLE TRIGGER USER"))
    t0 = time.perf_counter()
    render_s = 0.0
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for start in range(0, n, BATCH):
            stop = min(n, start + BATCH)
            r0 = time.perf_counter()
            batch = list(rows(start, stop))
            for individual, _key, _contact, customer in batch:
                individual["doc"] = INDIVIDUAL.render_document(individual)
                customer["doc"] = CUSTOMER.render_document(customer)
            render_s += time.perf_counter() - r0
            for k, table in enumerate(tables):
                _copy(cursor, table, [b[k] for b in batch])
            raw.commit()
            print(f"  loaded {stop:,} / {n:,} ({time.perf_counter() - t0:.0f} s)", flush=True)
    finally:
        raw.close()
    phases["generate_and_render_s"] = render_s
    phases["copy_s"] = time.perf_counter() - t0 - render_s
    t1 = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("SET maintenance_work_mem = '256MB'"))
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


def queries(n_customers: int, count: int, seed: int = 11) -> dict[str, list[str]]:
    """What CSRs type: phones and document numbers of existing customers (in
    their usual spellings), and name beginnings of one or two characters."""
    rng = random.Random(seed)
    picks = [rng.randrange(n_customers) for _ in range(count)]
    phones = []
    for k, i in enumerate(picks):
        national = phone(i)[3:]
        phones.append([national, f"+86 {national[:3]} {national[3:7]} {national[7:]}"][k % 2])
    documents = [
        resident_id(i).lower() if k % 3 == 0 else resident_id(i) for k, i in enumerate(picks)
    ]
    names = []
    for k in range(count):
        family = rng.choice(SURNAMES)
        names.append(family if k % 2 else family + rng.choice(GIVEN))
    return {"phone": phones, "document": documents, "name": names}


def explain(url: str, scope: Any, samples: dict[str, str]) -> dict[str, Any]:
    """The plan of each kind of search; flags any sequential scan."""
    from openboss.party.customer import search

    builders = {
        "phone": search._phone_query,
        "document": search._document_query,
        "name": search._name_query,
    }
    engine = create_engine(url)
    out: dict[str, Any] = {}
    with engine.connect() as conn:
        for kind, value in samples.items():
            stmt = builders[kind](scope, value, 20)
            assert stmt is not None
            sql = str(stmt.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
            plan = "\n".join(r[0] for r in conn.execute(text("EXPLAIN " + sql)))
            out[kind] = {"seq_scan": "Seq Scan" in plan, "plan": plan}
    engine.dispose()
    return out


def timed(url: str, scope: Any, kind: str, texts: list[str], threads: int) -> dict[str, Any]:
    """Run the searches on ``threads`` threads (one connection each)."""
    from openboss.party.customer.search import search_customers

    engine = create_engine(url, pool_size=threads, max_overflow=0)
    latencies: list[float] = []
    hits = [0]
    lock = threading.Lock()
    chunks = [texts[k::threads] for k in range(threads)]

    def worker(chunk: list[str]) -> None:
        mine: list[float] = []
        found = 0
        with Session(engine) as session:
            for value in chunk:
                t = time.perf_counter()
                result = search_customers(session, scope, value, kind=kind)
                mine.append((time.perf_counter() - t) * 1000)
                found += len(result)
                session.rollback()
        with lock:
            latencies.extend(mine)
            hits[0] += found

    # warm-up: connections, prepared statements, caches
    warm = [threading.Thread(target=worker, args=(c[:20],)) for c in chunks]
    for th in warm:
        th.start()
    for th in warm:
        th.join()
    latencies.clear()
    hits[0] = 0
    t0 = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(c,)) for c in chunks]
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    wall = time.perf_counter() - t0
    engine.dispose()
    qs = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "queries": len(latencies),
        "threads": threads,
        "wall_s": round(wall, 3),
        "queries_per_s": round(len(latencies) / wall, 1),
        "p50_ms": round(qs[49], 2),
        "p95_ms": round(qs[94], 2),
        "p99_ms": round(qs[98], 2),
        "max_ms": round(max(latencies), 2),
        "hits_per_query": round(hits[0] / len(latencies), 2),
        "meets_target": qs[98] <= TARGET_P99_MS,
    }


def _loads(values: list[float]) -> str:
    return " / ".join(f"{v:.1f}" for v in values)


def markdown(result: dict[str, Any]) -> str:
    s = result["settings"]
    lines = [
        "# Customer search benchmark (`bench/party_search.py`)",
        "",
        f"Run {result['started_at']} on {s['machine']} ({s['cpus']} CPUs), PostgreSQL "
        f"{s['postgresql']}, {s['customers']:,} customers (one individual party each, "
        f"resident ID and mobile), scope: a city CSR (10 districts), "
        f"{s['threads']} threads × own connection, {s['queries']} searches per kind "
        "(including the masked-document and phone look-ups of the hits).",
        f"Target: p99 ≤ {result['target']['p99_ms']:.0f} ms. Machine load average "
        f"(1/5/15 min) before the searches {_loads(result['load_average']['before'])}, "
        f"after {_loads(result['load_average']['after'])} (other work running at the same "
        "time makes the figures pessimistic).",
        "",
        "Load: "
        + ", ".join(
            f"{k.removesuffix('_s').replace('_', ' ')} {v:.0f} s" for k, v in s["load"].items()
        )
        + ".",
        "",
        "| kind | searches/s | p50 ms | p95 ms | p99 ms | max ms | hits/search "
        "| seq scan | target |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for kind, r in result["kinds"].items():
        lines.append(
            f"| {kind} | {r['queries_per_s']:.0f} | {r['p50_ms']:.2f} | {r['p95_ms']:.2f} | "
            f"{r['p99_ms']:.2f} | {r['max_ms']:.2f} | {r['hits_per_query']:.2f} | "
            f"{'yes' if result['plans'][kind]['seq_scan'] else 'no'} | "
            f"{'met' if r['meets_target'] else 'missed'} |"
        )
    lines += ["", "Plans:", ""]
    for kind, p in result["plans"].items():
        lines += [f"**{kind}**", "", "```", p["plan"], "```", ""]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--customers", type=int, default=1_000_000, help="customers to load")
    ap.add_argument("--queries", type=int, default=2000, help="searches per kind")
    ap.add_argument("--threads", type=int, default=2, help="concurrent searching threads")
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    ap.add_argument("--output", default="party_search", help="result file name (no suffix)")
    args = ap.parse_args()

    from openboss.kit.scope import Scope

    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
        pg_version = c.execute(text("SHOW server_version")).scalar_one()
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME
    scope = Scope(regions=frozenset(code for code, _ in DISTRICTS))
    try:
        print(f"loading {args.customers:,} customers into {DB_NAME} ...", flush=True)
        phases = load(url, args.customers)
        print("  " + ", ".join(f"{k} {v:.1f}" for k, v in phases.items()), flush=True)
        texts = queries(args.customers, args.queries)
        load_avg_before = os.getloadavg()
        plans = explain(url, scope, {k: v[0] for k, v in texts.items()})
        kinds = {}
        for kind, values in texts.items():
            r = timed(url, scope, kind, values, args.threads)
            kinds[kind] = r
            print(
                f"  {kind:9s} {r['queries_per_s']:8.1f} /s  p50 {r['p50_ms']:6.2f} ms"
                f"  p95 {r['p95_ms']:6.2f} ms  p99 {r['p99_ms']:6.2f} ms"
                f"  hits {r['hits_per_query']:.2f}  seq scan {plans[kind]['seq_scan']}",
                flush=True,
            )
        load_avg_after = os.getloadavg()
    finally:
        if not args.keep:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        admin.dispose()

    result = {
        "benchmark": "party_search",
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "target": {"p99_ms": TARGET_P99_MS},
        # other work on the machine makes the figures pessimistic
        "load_average": {"before": load_avg_before, "after": load_avg_after},
        "settings": {
            "customers": args.customers,
            "queries": args.queries,
            "threads": args.threads,
            "load": {k: round(v, 1) for k, v in phases.items()},
            "machine": platform.machine() + " " + platform.processor(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "postgresql": pg_version,
        },
        "kinds": kinds,
        "plans": plans,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.output}.json").write_text(json.dumps(result, indent=2) + "\n")
    md = markdown(result)
    (RESULTS / f"{args.output}.md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
