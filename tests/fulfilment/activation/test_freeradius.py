"""A real FreeRADIUS server reading the OpenBOSS database (SQLite and PostgreSQL):
activate → Access-Accept with the bandwidth, suspend → Reject, resume → Accept,
accounting start → session_up, modify → CoA-Request to the NAS, suspend of a live
session → Disconnect-Request, deactivate → Reject."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from openboss.db import Database
from openboss.fulfilment.activation import service
from openboss.fulfilment.activation.models import Nas, RadPostAuth
from tests.fulfilment.activation.radius_support import FREERADIUS, CoaListener, freeradius

pytestmark = pytest.mark.skipif(
    shutil.which("freeradius") is None and not Path("/usr/sbin/freeradius").exists(),
    reason="FreeRADIUS is not installed (make system-deps)",
)

ACCOUNT = "alice@fttx"
PASSWORD = "Pa55-wörd"


def _params(**over: object) -> dict[str, object]:
    base: dict[str, object] = {
        "account": ACCOUNT,
        "passwordHash": service.password_hash(PASSWORD),
        "bandwidthDownMbps": 100,
        "bandwidthUpMbps": 20,
        "staticIp": "10.20.30.40",
    }
    base.update(over)
    return base


def _run(db: Database, command: service.Command, key: str, **params: object) -> dict[str, object]:
    with db.session() as s:
        result = service.execute(
            s,
            command=command,
            service_id="SVC-RADIUS-1",
            elements=["radius"],
            params=params,
            key=key,
        )
        s.commit()
        return result


def test_freeradius_end_to_end(committed_database: Database, tmp_path: Path) -> None:
    db = committed_database
    with db.session() as s:
        service.clear_failures(s)
        s.commit()
    coa = CoaListener("127.0.0.2", "nas-secret").start()
    try:
        with db.session() as s:
            s.add(Nas(nasname="127.0.0.2", shortname="bras1", ports=coa.port, secret="nas-secret"))
            s.commit()
        _run(db, "activate", "k-act", **_params())

        with freeradius(db.url, tmp_path / "raddb") as server:
            accepted = server.auth(ACCOUNT, PASSWORD)
            assert "Received Access-Accept" in accepted, accepted
            assert "WISPr-Bandwidth-Max-Down = 100000000" in accepted
            assert "WISPr-Bandwidth-Max-Up = 20000000" in accepted
            assert "Framed-IP-Address = 10.20.30.40" in accepted
            assert "Received Access-Reject" in server.auth(ACCOUNT, "wrong")

            _run(db, "suspend", "k-sus", account=ACCOUNT)
            assert "Received Access-Reject" in server.auth(ACCOUNT, PASSWORD)
            _run(db, "resume", "k-res", account=ACCOUNT)
            assert "Received Access-Accept" in server.auth(ACCOUNT, PASSWORD)

            # accounting start from the NAS → an open radacct row
            with db.session() as s:
                assert service.session_up(s, ACCOUNT) is False
            answer = server.radclient(
                "acct",
                f'User-Name = "{ACCOUNT}", Acct-Status-Type = Start, Acct-Session-Id = "S-1", '
                "NAS-IP-Address = 127.0.0.2, NAS-Port = 7, Framed-IP-Address = 10.20.30.40",
            )
            assert "Received Accounting-Response" in answer, answer
            with db.session() as s:
                assert service.session_up(s, ACCOUNT) is True

            # modify the bandwidth of a live session → CoA-Request to the NAS, ACKed
            result = _run(db, "modify", "k-mod", account=ACCOUNT, bandwidthDownMbps=300)
            radius = result["elements"][0]  # type: ignore[index]
            assert radius["outcome"] == "done"
            assert radius["coa"]["sessions"] == [
                {"nas": f"127.0.0.2:{coa.port}", "sent": True, "acked": True}
            ]
            assert len(coa.received) == 1
            packet = coa.received[0]
            assert packet["code"] == 43 and packet["authentic"] is True
            assert packet["attributes"]["User-Name"] == ACCOUNT
            assert packet["attributes"]["Acct-Session-Id"] == "S-1"
            assert packet["attributes"]["WISPr-Bandwidth-Max-Down"] == 300_000_000
            assert packet["attributes"]["WISPr-Bandwidth-Max-Up"] == 20_000_000
            assert "WISPr-Bandwidth-Max-Down = 300000000" in server.auth(ACCOUNT, PASSWORD)

            # suspend a live session → Disconnect-Request to the NAS, then Reject
            result = _run(db, "suspend", "k-sus2", account=ACCOUNT)
            radius = result["elements"][0]  # type: ignore[index]
            assert radius["disconnect"]["sessions"][0]["acked"] is True
            packet = coa.received[1]
            assert packet["code"] == 40 and packet["authentic"] is True
            assert packet["attributes"] == {"User-Name": ACCOUNT, "Acct-Session-Id": "S-1"}
            assert "Received Access-Reject" in server.auth(ACCOUNT, PASSWORD)
            _run(db, "resume", "k-res2", account=ACCOUNT)

            # accounting stop closes the session
            server.radclient(
                "acct",
                f'User-Name = "{ACCOUNT}", Acct-Status-Type = Stop, Acct-Session-Id = "S-1", '
                "NAS-IP-Address = 127.0.0.2, NAS-Port = 7, Acct-Session-Time = 60",
            )
            with db.session() as s:
                assert service.session_up(s, ACCOUNT) is False

            _run(db, "deactivate", "k-deact", account=ACCOUNT)
            assert "Received Access-Reject" in server.auth(ACCOUNT, PASSWORD)

        with db.session() as s:
            replies = [r.reply for r in s.scalars(select(RadPostAuth).order_by(RadPostAuth.id))]
            assert replies.count("Access-Accept") == 3 and "Access-Reject" in replies
            # the password typed is never kept
            assert {r.pass_ for r in s.scalars(select(RadPostAuth))} == {""}
    finally:
        coa.stop()


def test_modify_without_session_sends_no_coa(committed_database: Database) -> None:
    db = committed_database
    _run(db, "activate", "k1", **_params(staticIp=None))
    result = _run(db, "modify", "k2", account=ACCOUNT, bandwidthUpMbps=50)
    radius = result["elements"][0]  # type: ignore[index]
    assert radius["outcome"] == "done" and "coa" not in radius
    assert radius["state"]["bandwidthUpMbps"] == 50


def test_cli_writes_a_configuration_freeradius_accepts(tmp_path: Path, sqlite_url: str) -> None:
    from typer.testing import CliRunner

    from openboss.cli import app

    out = tmp_path / "raddb"
    url = sqlite_url  # a migrated database: the sql module reads `nas` at start
    result = CliRunner().invoke(
        app,
        [
            "radius-config",
            "--output",
            str(out),
            "--auth-port",
            "11812",
            "--acct-port",
            "11813",
            "--database-url",
            url,
        ],
    )
    assert result.exit_code == 0, result.output
    check = subprocess.run(
        [FREERADIUS, "-C", "-X", "-d", str(out)], capture_output=True, text=True, check=False
    )
    assert "Configuration appears to be OK" in check.stdout + check.stderr
    assert (out / "mods-enabled/sql").stat().st_mode & 0o077 == 0
    assert (
        str(Path(url.removeprefix("sqlite:///")).resolve())
        in (out / "mods-enabled/sql").read_text()
    )
    bad = CliRunner().invoke(
        app, ["radius-config", "--output", str(out), "--database-url", "mysql://x/y"]
    )
    assert bad.exit_code == 2
