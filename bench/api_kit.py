"""API-kit benchmark: TMF list pages of the sample resource over real HTTP.

What it does, end to end:

1. creates a fresh PostgreSQL database, migrates it, and bulk-loads 10,000
   ``sample_item`` rows (one Core ``INSERT`` with many parameter sets);
2. starts the real server — uvicorn, ``--workers`` processes, on 127.0.0.1;
3. drives it with ``wrk`` (installed with apt-get when missing and we are
   root) for a bounded time per scenario, all requests ``limit=100`` pages:
   plain, column filters, operators and sort, ``fields=`` projection, a
   nested JSON filter, a deep offset, and a mix of all of them;
4. writes ``bench/results/api_kit.json`` and ``.md`` (requests/s, p50, p95,
   p99 latency, errors, settings) and prints them; drops the database.

Target on the 2-core reference machine: ≥ 1,000 requests/s with p99 ≤ 30 ms.

    .venv/bin/python bench/api_kit.py [--duration 15] [--workers 2] [--connections 8]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, insert, text

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
ADMIN_URL = os.environ.get(
    "OPENBOSS_BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SECRET = "bench-secret-key-0123456789-not-for-production"
BASE = "/tmf-api/openbossSample/v4/sampleItem"
ROWS = 10_000

SCENARIOS: dict[str, list[str]] = {
    "page": [f"{BASE}?limit=100"],
    "filter_state": [f"{BASE}?state=active&limit=100"],
    "operators_sort": [f"{BASE}?quantity.gte=100&quantity.lt=800&sort=-creationDate&limit=100"],
    "fields": [f"{BASE}?fields=name,state,price&limit=100"],
    "filter_json": [f"{BASE}?relatedParty.id=party-42&limit=100"],
    "deep_offset": [f"{BASE}?offset=5000&limit=100&sort=name"],
}
SCENARIOS["mixed"] = [u for urls in list(SCENARIOS.values()) for u in urls]
#: Not a list: the cost of the framework, the middleware and token checking
#: alone (no database) — the ceiling any endpoint on this machine runs under.
REFERENCE = {"reference_auth_me": ["/auth/me"]}

LUA = r"""
local paths = {%PATHS%}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "mean_us": %.1f, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "timeouts": %d, "non_2xx": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.timeout, e.status))
end
"""


def find_wrk() -> str:
    """``wrk`` on PATH, installed with apt-get when missing and possible."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk not found: installing the Debian package (apt-get install -y wrk)")
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, capture_output=True)
        found = shutil.which("wrk")
        if not found:
            subprocess.run(["apt-get", "update"], check=False, capture_output=True)
            subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, capture_output=True)
            found = shutil.which("wrk")
    if not found:
        sys.exit(
            "this benchmark needs the load generator wrk: install it with "
            "'apt-get install -y wrk' (Debian/Ubuntu) or put it on PATH"
        )
    return found


def _proc_cpu(pid: int) -> float:
    """User + system CPU seconds of one process (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot (/proc/stat)."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    idle = values[3] + values[4]
    return (sum(values) - idle) / ticks, sum(values) / ticks


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return [int(p) for p in out.stdout.split()]


class CpuMeter:
    """CPU spent by the server processes, by the database's backends and by
    everything else on the machine while a scenario runs: per-request costs
    that other load on a shared machine does not distort, and the share of
    the machine that other load took."""

    def __init__(self, server_pid: int, db_name: str) -> None:
        self.server_pids = [server_pid, *_children(server_pid)]
        self.db_name = db_name

    def _pg_pids(self) -> list[int]:
        engine = create_engine(ADMIN_URL)
        try:
            with engine.connect() as c:
                rows = c.execute(
                    text("SELECT pid FROM pg_stat_activity WHERE datname = :d"), {"d": self.db_name}
                )
                return [int(r[0]) for r in rows]
        finally:
            engine.dispose()

    def start(self) -> None:
        self.pg_pids = self._pg_pids()
        self.app0 = sum(_proc_cpu(p) for p in self.server_pids)
        self.pg0 = {p: _proc_cpu(p) for p in self.pg_pids}
        self.busy0, self.total0 = _machine_busy()

    def stop(self, requests: int) -> dict[str, float]:
        app = sum(_proc_cpu(p) for p in self.server_pids) - self.app0
        pg = sum(_proc_cpu(p) - before for p, before in self.pg0.items() if _proc_cpu(p))
        busy, total = _machine_busy()
        machine_busy = busy - self.busy0
        n = max(requests, 1)
        return {
            "app_cpu_ms_per_request": round(1000 * app / n, 3),
            "db_cpu_ms_per_request": round(1000 * pg / n, 3),
            "machine_busy_share": round(machine_busy / max(total - self.total0, 1e-9), 3),
            "other_load_cpu_s": round(max(machine_busy - app - pg, 0.0), 2),
        }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_rows(n: int, seed: int = 42) -> list[dict[str, Any]]:
    """Deterministic, realistic rows: states, prices, parties, characteristics."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    states = ["initialized", "active", "active", "active", "suspended", "terminated"]
    roles = ["customer", "owner", "reseller", "technician"]
    techs = ["GPON", "XGS-PON", "VDSL", "FWA"]
    rows = []
    for i in range(n):
        created = start + timedelta(minutes=7 * i, milliseconds=rng.randrange(1000))
        parties = [
            {
                "id": f"party-{rng.randrange(2000)}",
                "role": rng.choice(roles),
                "name": f"Party {rng.randrange(2000)}",
                "@referredType": rng.choice(["Individual", "Organization"]),
            }
            for _ in range(rng.randint(1, 3))
        ]
        characteristic = [
            {
                "name": "bandwidth",
                "value": rng.choice([50, 100, 300, 500, 1000]),
                "valueType": "integer",
            },
            {"name": "technology", "value": rng.choice(techs), "valueType": "string"},
        ]
        priced = rng.random() < 0.9
        rows.append(
            {
                "id": f"{i:08x}-0000-7000-8000-{rng.randrange(16**12):012x}",
                "name": f"Item {rng.randrange(100000):05d}",
                "description": "Benchmark item " + "x" * rng.randrange(10, 80),
                "state": rng.choice(states),
                "quantity": rng.randrange(1000),
                "price_unit": "CNY" if priced else None,
                "price_minor": rng.randrange(100, 100000) if priced else None,
                "valid_from": created,
                "valid_to": created + timedelta(days=365) if rng.random() < 0.5 else None,
                "related_party": parties,
                "characteristic": characteristic,
                "region_id": f"r{rng.randrange(5)}",
                "partner_id": None,
                "created_at": created,
                "updated_at": created,
            }
        )
    return rows


def load(url: str) -> float:
    from openboss.db.migrate import upgrade
    from openboss.db.registry import import_all_models
    from openboss.sample.models import RESOURCE, SampleItem

    import_all_models()
    upgrade(url)
    rows = make_rows(ROWS)
    for row in rows:  # Core writes fill the stored representation themselves
        row["doc"] = RESOURCE.render_document(row)
    engine = create_engine(url)
    t0 = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(insert(SampleItem), rows)
    elapsed = time.perf_counter() - t0
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE sample_item"))
    engine.dispose()
    return elapsed


def token() -> str:
    from openboss.auth.principal import Principal
    from openboss.auth.tokens import issue_token

    principal = Principal(subject="bench", name="bench", roles=frozenset({"admin"}))
    return issue_token(principal, SECRET, 3600)


def start_server(url: str, port: int, workers: int, log_dir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "OPENBOSS_DATABASE_URL": url,
        "OPENBOSS_SECRET_KEY": SECRET,
        "OPENBOSS_LOG_LEVEL": "WARNING",
        "OPENBOSS_VAR_DIR": str(log_dir),
        "OPENBOSS_DB_POOL_SIZE": "10",
    }
    cmd = [
        sys.executable, "-m", "uvicorn", "openboss.app:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--loop", "uvloop", "--http", "httptools", "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    log = (log_dir / "server.log").open("wb")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"the server exited early; see {log_dir / 'server.log'}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    sys.exit("the server did not become healthy within 30 s")


def check(port: int, bearer: str) -> dict[str, int]:
    """Every scenario answers 200 with a non-empty page before it is measured."""
    totals: dict[str, int] = {}
    for name, urls in SCENARIOS.items():
        for u in urls:
            r = httpx.get(
                f"http://127.0.0.1:{port}{u}",
                headers={"Authorization": f"Bearer {bearer}"},
                timeout=10,
            )
            body = r.json()
            if r.status_code != 200 or not body:
                sys.exit(f"scenario {name}: {u} answered {r.status_code}: {r.text[:300]}")
            totals[u] = int(r.headers["X-Total-Count"])
    return totals


def run_wrk(
    wrk: str,
    port: int,
    bearer: str,
    paths: list[str],
    duration: int,
    connections: int,
    threads: int,
) -> dict[str, Any]:
    lua = LUA.replace("%PATHS%", ", ".join(json.dumps(p) for p in paths)).replace("%%", "%")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(lua)
        script = f.name
    try:
        out = subprocess.run(
            [
                wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
                "--timeout", "5s", "-s", script, "-H", f"Authorization: Bearer {bearer}",
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True, text=True, timeout=duration + 60, check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(script)
    line = next(ln for ln in out.splitlines() if ln.startswith("RESULT "))
    raw = json.loads(line[len("RESULT ") :])
    seconds = raw["duration_us"] / 1e6
    errors = sum(
        raw[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts", "non_2xx")
    )
    return {
        "requests": raw["requests"],
        "requests_per_s": round(raw["requests"] / seconds, 1),
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "mean_ms": round(raw["mean_us"] / 1000, 3),
        "errors": errors,
        "error_detail": {
            k: raw[k]
            for k in ("connect_errors", "read_errors", "write_errors", "timeouts", "non_2xx")
        },
    }


def markdown(result: dict[str, Any]) -> str:
    s = result["settings"]
    lines = [
        "# API-kit benchmark (`bench/api_kit.py`)",
        "",
        f"Run {result['started_at']} on {s['machine']} ({s['cpus']} CPUs), "
        f"PostgreSQL {s['postgresql']}, {s['rows']} rows, uvicorn {s['workers']} workers "
        f"(uvloop, httptools), wrk {s['wrk_threads']} thread / {s['connections']} connections, "
        f"{s['duration_s']} s per scenario, log level {s['log_level']}.",
        f"Target: ≥ {result['target']['requests_per_s']} requests/s with p99 ≤ "
        f"{result['target']['p99_ms']} ms.",
        "",
        "| scenario | req/s | p50 ms | p95 ms | p99 ms | errors | matches "
        "| app CPU/req | db CPU/req | other load | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, r in result["scenarios"].items():
        ok = "met" if r["meets_target"] else "missed"
        lines.append(
            f"| {name} | {r['requests_per_s']:.0f} | {r['p50_ms']:.2f} | {r['p95_ms']:.2f} | "
            f"{r['p99_ms']:.2f} | {r['errors']} | {r['total_count']} | "
            f"{r['app_cpu_ms_per_request']:.2f} ms | {r['db_cpu_ms_per_request']:.2f} ms | "
            f"{r['other_load_cpu_s']:.1f} cpu-s | {ok} |"
        )
    lines += [
        "",
        "CPU per request is measured from /proc for the server processes and the "
        "database's backends; *other load* is the CPU time other processes took on the "
        "machine during the scenario (non-zero means the figures above are pessimistic).",
    ]
    lines += ["", "Requests (the list scenarios ask for `limit=100` pages):", ""]
    for name, urls in result["urls"].items():
        lines.append(f"- **{name}**: " + ", ".join(f"`{u}`" for u in urls))
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--duration", type=int, default=15, help="seconds per scenario (5-60)")
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    ap.add_argument("--connections", type=int, default=8, help="concurrent wrk connections")
    ap.add_argument("--threads", type=int, default=1, help="wrk threads")
    ap.add_argument("--only", nargs="*", help="run only these scenarios")
    args = ap.parse_args()
    duration = max(5, min(60, args.duration))
    wrk = find_wrk()
    load_before = os.getloadavg()

    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"openboss_bench_{os.getpid()}"
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
        pg_version = c.execute(text("SHOW server_version")).scalar_one()
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    proc: subprocess.Popen[bytes] | None = None
    try:
        print(f"loading {ROWS} rows into {name} ...", flush=True)
        load_s = load(url)
        print(f"  bulk insert: {load_s:.2f} s ({ROWS / load_s:,.0f} rows/s)")
        port = free_port()
        with tempfile.TemporaryDirectory() as tmp:
            proc = start_server(url, port, args.workers, Path(tmp))
            bearer = token()
            totals = check(port, bearer)
            # warm-up: prepared statements, caches, connection pools of every worker
            run_wrk(wrk, port, bearer, SCENARIOS["mixed"], 3, args.connections, args.threads)
            scenarios = {}
            meter = CpuMeter(proc.pid, name)
            for sname, urls in {**SCENARIOS, **REFERENCE}.items():
                if args.only and sname not in args.only:
                    continue
                meter.start()
                r = run_wrk(wrk, port, bearer, urls, duration, args.connections, args.threads)
                r.update(meter.stop(r["requests"]))
                r["total_count"] = totals.get(urls[0], "-") if len(urls) == 1 else "various"
                r["meets_target"] = r["requests_per_s"] >= 1000 and r["p99_ms"] <= 30
                scenarios[sname] = r
                print(
                    f"  {sname:15s} {r['requests_per_s']:8.1f} req/s  p50 {r['p50_ms']:6.2f} ms"
                    f"  p95 {r['p95_ms']:6.2f} ms  p99 {r['p99_ms']:6.2f} ms  errors {r['errors']}"
                    f"  cpu/req app {r['app_cpu_ms_per_request']:.2f} ms"
                    f" db {r['db_cpu_ms_per_request']:.2f} ms"
                    f"  other load {r['other_load_cpu_s']:.1f} cpu-s",
                    flush=True,
                )
            proc.terminate()
            proc.wait(timeout=20)
            proc = None
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    result = {
        "benchmark": "api_kit",
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average_before": load_before,
        "target": {"requests_per_s": 1000, "p99_ms": 30},
        "settings": {
            "rows": ROWS,
            "bulk_insert_s": round(load_s, 3),
            "workers": args.workers,
            "connections": args.connections,
            "wrk_threads": args.threads,
            "duration_s": duration,
            "log_level": "WARNING",
            "server": "uvicorn --loop uvloop --http httptools --no-access-log",
            "machine": platform.machine() + " " + platform.processor(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "postgresql": pg_version,
            "load_generator": subprocess.run(
                [wrk, "--version"], capture_output=True, text=True, check=False
            ).stdout.splitlines()[0],
        },
        "urls": {
            k: v for k, v in {**SCENARIOS, **REFERENCE}.items() if not args.only or k in args.only
        },
        "scenarios": scenarios,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "api_kit.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "api_kit.md").write_text(markdown(result))
    print()
    print(markdown(result))


if __name__ == "__main__":
    main()
