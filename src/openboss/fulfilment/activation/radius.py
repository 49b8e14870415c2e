"""The RADIUS adapter: subscriber accounts in the FreeRADIUS rlm_sql tables
(eTOM 1.3.2.3 service activation, 1.4 resource provisioning of the AAA).

A FreeRADIUS server configured by ``openboss radius-config`` reads ``radcheck``
and ``radreply`` from the OpenBOSS database, so a committed activation is live
at the next Access-Request. Per account:

* ``radcheck``: the password hash (``SSHA2-256-Password`` from
  :func:`password_hash`, so PAP works without clear text) and, while
  suspended, ``Auth-Type := Reject``;
* ``radreply``: ``WISPr-Bandwidth-Max-Down`` / ``-Up`` in bit/s and, for a
  static IP, ``Framed-IP-Address``.

``modify`` of the bandwidth on an account with an open session (an open
``radacct`` row) sends a CoA-Request with the new attributes to the NAS of the
session (``nas`` table: ``nasname`` = its IP, ``secret``, ``ports`` = CoA port,
3799 when NULL) with FreeRADIUS' ``radclient``; ``suspend`` and ``deactivate``
send a Disconnect-Request to end the session.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import os
import shutil
import subprocess
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from openboss.fulfilment.activation.contract import Command, Effect, ElementError
from openboss.fulfilment.activation.models import Nas, RadAcct, RadCheck, RadReply
from openboss.kit.errors import ValidationFailed

DOWN = "WISPr-Bandwidth-Max-Down"
UP = "WISPr-Bandwidth-Max-Up"
IP = "Framed-IP-Address"
REJECT = ("Auth-Type", "Reject")
COA_PORT = 3799

#: Hash header (as produced by :func:`password_hash`) → FreeRADIUS control attribute.
HASH_ATTRIBUTES = {
    "{ssha256}": "SSHA2-256-Password",
    "{ssha512}": "SSHA2-512-Password",
    "{ssha}": "SSHA-Password",
}
_HEADER_OF = {attr: header for header, attr in HASH_ATTRIBUTES.items()}


def password_hash(password: str) -> str:
    """``{ssha256}`` + base64(SHA-256(password + salt) + salt): the value kept for
    the account (radcheck ``SSHA2-256-Password``, which rlm_pap checks for PAP)."""
    salt = os.urandom(8)
    digest = hashlib.sha256(password.encode() + salt).digest()
    return "{ssha256}" + base64.b64encode(digest + salt).decode()


def session_up(session: Session, account: str) -> bool:
    """An open accounting session (``radacct`` row without stop time) exists."""
    stmt = (
        select(RadAcct.radacctid)
        .where(RadAcct.username == account, RadAcct.acctstoptime.is_(None))
        .limit(1)
    )
    return session.execute(stmt).first() is not None


def _bits(mbps: Any) -> str:
    return str(round(float(mbps) * 1_000_000))


def _mbps(bits: str) -> float | int:
    value = int(bits) / 1_000_000
    return int(value) if value == int(value) else value


def _split_hash(value: str, field_name: str) -> tuple[str, str]:
    for header, attribute in HASH_ATTRIBUTES.items():
        if value.startswith(header) and len(value) > len(header):
            return attribute, value[len(header) :]
    raise ValidationFailed(
        "passwordHash must be a '{ssha256}…' value from password_hash() (or '{ssha}', '{ssha512}')",
        field=field_name,
    )


def _positive(params: Mapping[str, Any], name: str) -> None:
    value = params.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 100_000:
        raise ValidationFailed(
            f"{name} must be a number of Mbit/s in (0, 100000]", field=f"params.{name}"
        )


class RadiusAdapter:
    """Accounts in ``radcheck``/``radreply`` (see the module docstring)."""

    name = "radius"

    def __init__(self, *, radclient: str = "radclient", coa_timeout: float = 2.0) -> None:
        self.radclient = radclient
        self.coa_timeout = coa_timeout

    # -- validation ------------------------------------------------------------

    def check(self, command: Command, params: Mapping[str, Any]) -> None:
        account = params.get("account")
        if not isinstance(account, str) or not 0 < len(account) <= 64 or '"' in account:
            raise ValidationFailed(
                "account must be a user name of 1 to 64 characters", field="params.account"
            )
        if command == "activate":
            if not isinstance(params.get("passwordHash"), str):
                raise ValidationFailed("passwordHash is required", field="params.passwordHash")
            _positive(params, "bandwidthDownMbps")
            _positive(params, "bandwidthUpMbps")
        if isinstance(params.get("passwordHash"), str):
            _split_hash(params["passwordHash"], "params.passwordHash")
        elif params.get("passwordHash") is not None:
            raise ValidationFailed("passwordHash must be a string", field="params.passwordHash")
        if command == "modify":
            for name in ("bandwidthDownMbps", "bandwidthUpMbps"):
                if params.get(name) is not None:
                    _positive(params, name)
        static_ip = params.get("staticIp")
        if static_ip is not None and not (command == "modify" and static_ip == ""):
            try:
                ipaddress.IPv4Address(static_ip)
            except (ValueError, TypeError):
                raise ValidationFailed(
                    "staticIp must be an IPv4 address", field="params.staticIp"
                ) from None

    # -- state -----------------------------------------------------------------

    def snapshot(self, session: Session, account: str) -> dict[str, Any] | None:
        checks = session.scalars(select(RadCheck).where(RadCheck.username == account)).all()
        replies = session.scalars(select(RadReply).where(RadReply.username == account)).all()
        if not checks and not replies:
            return None
        snap: dict[str, Any] = {"account": account, "suspended": False}
        for row in checks:
            if row.attribute in _HEADER_OF:
                snap["passwordHash"] = _HEADER_OF[row.attribute] + row.value
            elif (row.attribute, row.value) == REJECT:
                snap["suspended"] = True
        for reply in replies:
            if reply.attribute == DOWN:
                snap["bandwidthDownMbps"] = _mbps(reply.value)
            elif reply.attribute == UP:
                snap["bandwidthUpMbps"] = _mbps(reply.value)
            elif reply.attribute == IP:
                snap["staticIp"] = reply.value
        return snap

    @staticmethod
    def _public(snap: dict[str, Any] | None) -> dict[str, Any]:
        if snap is None:
            return {"status": "absent"}
        state = {k: v for k, v in snap.items() if k not in ("passwordHash", "suspended")}
        state["status"] = "suspended" if snap.get("suspended") else "active"
        return state

    def _write(self, session: Session, account: str, config: Mapping[str, Any]) -> None:
        """Replace the account's password and reply rows (keeps a suspension)."""
        hash_attrs = list(HASH_ATTRIBUTES.values())
        session.execute(
            delete(RadCheck).where(RadCheck.username == account, RadCheck.attribute.in_(hash_attrs))
        )
        session.execute(delete(RadReply).where(RadReply.username == account))
        attribute, value = _split_hash(config["passwordHash"], "params.passwordHash")
        session.add(RadCheck(username=account, attribute=attribute, op=":=", value=value))
        session.add(
            RadReply(
                username=account, attribute=DOWN, op=":=", value=_bits(config["bandwidthDownMbps"])
            )
        )
        session.add(
            RadReply(
                username=account, attribute=UP, op=":=", value=_bits(config["bandwidthUpMbps"])
            )
        )
        if config.get("staticIp"):
            session.add(RadReply(username=account, attribute=IP, op=":=", value=config["staticIp"]))
        session.flush()

    @staticmethod
    def _config(snap: Mapping[str, Any]) -> dict[str, Any]:
        keys = ("passwordHash", "bandwidthDownMbps", "bandwidthUpMbps", "staticIp")
        return {k: snap[k] for k in keys if snap.get(k) not in (None, "")}

    # -- commands --------------------------------------------------------------

    def activate(self, session: Session, service_id: str, params: Mapping[str, Any]) -> Effect:
        account = params["account"]
        before = self.snapshot(session, account)
        wanted = self._config(params)
        if before is not None:
            if self._config(before) == wanted:
                return Effect(False, self._public(before), before)
            raise ElementError(
                f"account '{account}' already exists with other settings; use modify"
            )
        self._write(session, account, wanted)
        return Effect(True, self._public(self.snapshot(session, account)), None)

    def modify(self, session: Session, service_id: str, params: Mapping[str, Any]) -> Effect:
        account = params["account"]
        before = self.snapshot(session, account)
        if before is None:
            raise ElementError(f"account '{account}' does not exist")
        current = self._config(before)
        wanted = {**current, **self._config(params)}
        if params.get("staticIp") == "":  # "" removes the static IP; None keeps it
            wanted.pop("staticIp", None)
        if wanted == current:
            return Effect(False, self._public(before), before)
        self._write(session, account, wanted)
        after = self.snapshot(session, account)
        effect = Effect(True, self._public(after), before)
        bandwidth = ("bandwidthDownMbps", "bandwidthUpMbps", "staticIp")
        if any(wanted.get(k) != current.get(k) for k in bandwidth) and session_up(session, account):
            effect.extra["coa"] = self.send_coa(session, account, wanted)
        return effect

    def suspend(self, session: Session, service_id: str, params: Mapping[str, Any]) -> Effect:
        account = params["account"]
        before = self.snapshot(session, account)
        if before is None:
            raise ElementError(f"account '{account}' does not exist")
        if before["suspended"]:
            return Effect(False, self._public(before), before)
        session.add(RadCheck(username=account, attribute=REJECT[0], op=":=", value=REJECT[1]))
        session.flush()
        effect = Effect(True, self._public(self.snapshot(session, account)), before)
        if session_up(session, account):
            effect.extra["disconnect"] = self.disconnect(session, account)
        return effect

    def resume(self, session: Session, service_id: str, params: Mapping[str, Any]) -> Effect:
        account = params["account"]
        before = self.snapshot(session, account)
        if before is None:
            raise ElementError(f"account '{account}' does not exist")
        if not before["suspended"]:
            return Effect(False, self._public(before), before)
        session.execute(
            delete(RadCheck).where(
                RadCheck.username == account,
                RadCheck.attribute == REJECT[0],
                RadCheck.value == REJECT[1],
            )
        )
        session.flush()
        return Effect(True, self._public(self.snapshot(session, account)), before)

    def deactivate(self, session: Session, service_id: str, params: Mapping[str, Any]) -> Effect:
        account = params["account"]
        before = self.snapshot(session, account)
        if before is None:
            return Effect(False, self._public(None), None)
        session.execute(delete(RadCheck).where(RadCheck.username == account))
        session.execute(delete(RadReply).where(RadReply.username == account))
        session.flush()
        effect = Effect(True, self._public(None), before)
        if session_up(session, account):
            effect.extra["disconnect"] = self.disconnect(session, account)
        return effect

    # -- change of authorisation ---------------------------------------------

    def _sessions(self, session: Session, account: str) -> list[tuple[str, str, str, Nas | None]]:
        """Open sessions of ``account``: (NAS ip, session id, framed ip, its ``nas`` row)."""
        rows = session.execute(
            select(RadAcct.nasipaddress, RadAcct.acctsessionid, RadAcct.framedipaddress).where(
                RadAcct.username == account, RadAcct.acctstoptime.is_(None)
            )
        ).all()
        out: list[tuple[str, str, str, Nas | None]] = []
        for nas_value, session_id, framed_value in rows:
            # PostgreSQL's queries cast to inet: the text reads "a.b.c.d/32"
            nas_ip = (nas_value or "").split("/")[0]
            framed_ip = (framed_value or "").split("/")[0]
            nas = session.scalars(select(Nas).where(Nas.nasname == nas_ip)).first()
            out.append((nas_ip, session_id, framed_ip, nas))
        return out

    def send_coa(self, session: Session, account: str, config: Mapping[str, Any]) -> dict[str, Any]:
        """Send a CoA-Request with the new reply attributes for each open session of
        ``account`` to its NAS. Best effort: the outcome is reported, a NAK or a
        timeout does not fail the modify (the new profile applies at the next login)."""
        results: list[dict[str, Any]] = []
        for nas_ip, session_id, framed_ip, nas in self._sessions(session, account):
            if nas is None:
                results.append({"nas": nas_ip, "sent": False, "reason": "no nas entry"})
                continue
            attrs = [
                f'User-Name = "{account}"',
                f'Acct-Session-Id = "{session_id}"',
                f"{DOWN} = {_bits(config['bandwidthDownMbps'])}",
                f"{UP} = {_bits(config['bandwidthUpMbps'])}",
            ]
            if framed_ip:
                attrs.append(f"{IP} = {framed_ip}")
            results.append(self._radclient("coa", nas_ip, nas.ports or COA_PORT, nas.secret, attrs))
        return {"sessions": results}

    def disconnect(self, session: Session, account: str) -> dict[str, Any]:
        """Send a Disconnect-Request (RFC 5176) for each open session of ``account``
        (on suspend and deactivate). Best effort, like :meth:`send_coa`."""
        results: list[dict[str, Any]] = []
        for nas_ip, session_id, _framed_ip, nas in self._sessions(session, account):
            if nas is None:
                results.append({"nas": nas_ip, "sent": False, "reason": "no nas entry"})
                continue
            attrs = [f'User-Name = "{account}"', f'Acct-Session-Id = "{session_id}"']
            results.append(
                self._radclient("disconnect", nas_ip, nas.ports or COA_PORT, nas.secret, attrs)
            )
        return {"sessions": results}

    def _radclient(
        self, kind: str, host: str, port: int, secret: str, attrs: list[str]
    ) -> dict[str, Any]:
        ack, nak = ("CoA-ACK", "CoA-NAK") if kind == "coa" else ("Disconnect-ACK", "Disconnect-NAK")
        binary = shutil.which(self.radclient)
        target = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        if binary is None:
            return {"nas": target, "sent": False, "reason": "radclient not installed"}
        try:
            done = subprocess.run(  # noqa: S603 - fixed binary, no shell
                [binary, "-r", "1", "-t", str(self.coa_timeout), "-x", target, kind, secret],
                input="\n".join(attrs) + "\n",
                capture_output=True,
                text=True,
                timeout=self.coa_timeout * 2 + 5,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return {"nas": target, "sent": True, "acked": False, "reason": "timeout"}
        output = done.stdout + done.stderr
        acked = ack in output
        result: dict[str, Any] = {"nas": target, "sent": True, "acked": acked}
        if not acked:
            result["reason"] = nak if nak in output else "no answer"
        return result
