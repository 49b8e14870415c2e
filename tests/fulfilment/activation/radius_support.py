"""Helpers for the real FreeRADIUS tests: a server on free loopback ports,
radclient, and a tiny NAS that answers CoA-Requests with CoA-ACK."""

from __future__ import annotations

import hashlib
import shutil
import socket
import struct
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openboss.fulfilment.activation.radius_config import RadiusConfig, write_config

SECRET = "testing123"
FREERADIUS = shutil.which("freeradius") or "/usr/sbin/freeradius"
RADCLIENT = shutil.which("radclient") or "/usr/bin/radclient"


def free_udp_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    auth_port: int
    acct_port: int
    log: Path

    def radclient(self, kind: str, attrs: str) -> str:
        port = self.auth_port if kind == "auth" else self.acct_port
        done = subprocess.run(
            [RADCLIENT, "-x", "-r", "1", "-t", "5", f"127.0.0.1:{port}", kind, SECRET],
            input=attrs + "\n",
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        return done.stdout + done.stderr

    def auth(self, user: str, password: str) -> str:
        return self.radclient("auth", f'User-Name = "{user}", User-Password = "{password}"')


@contextmanager
def freeradius(database_url: str, directory: Path) -> Iterator[Server]:
    """Write the configuration and run ``freeradius -X -f -d DIR``; killed at the end."""
    auth_port, acct_port = free_udp_port(), free_udp_port()
    while acct_port == auth_port:
        acct_port = free_udp_port()
    write_config(
        RadiusConfig(
            output=directory,
            database_url=database_url,
            auth_port=auth_port,
            acct_port=acct_port,
            client_secret=SECRET,
            reject_delay=0,
        )
    )
    log = directory / "freeradius.out"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [FREERADIUS, "-X", "-f", "-d", str(directory)], stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 30
        while "Ready to process requests" not in log.read_text():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("freeradius did not start:\n" + log.read_text()[-4000:])
            time.sleep(0.1)
        yield Server(auth_port, acct_port, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


COA_REQUEST, COA_ACK = 43, 44
DISCONNECT_REQUEST, DISCONNECT_ACK = 40, 41
ACKS = {COA_REQUEST: COA_ACK, DISCONNECT_REQUEST: DISCONNECT_ACK}
VENDOR_WISPR = 14122
WISPR = {7: "WISPr-Bandwidth-Max-Up", 8: "WISPr-Bandwidth-Max-Down"}
STANDARD = {1: "User-Name", 8: "Framed-IP-Address", 44: "Acct-Session-Id"}


@dataclass
class CoaListener:
    """A NAS stand-in: records each CoA- or Disconnect-Request (checking its
    authenticator) and answers CoA-ACK / Disconnect-ACK."""

    host: str
    secret: str
    sock: socket.socket = field(init=False)
    port: int = field(init=False)
    received: list[dict[str, Any]] = field(default_factory=list)
    _thread: threading.Thread | None = None

    def __post_init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((self.host, 0))
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self._stop = threading.Event()

    def start(self) -> CoaListener:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.sock.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            code, ident, length = struct.unpack("!BBH", data[:4])
            attrs_raw = data[20:length]
            expected = hashlib.md5(  # noqa: S324 - RADIUS
                data[:4] + b"\0" * 16 + attrs_raw + self.secret.encode()
            ).digest()
            self.received.append(
                {
                    "code": code,
                    "authentic": expected == data[4:20],
                    "attributes": _parse(attrs_raw),
                }
            )
            if code not in ACKS:
                continue
            header = struct.pack("!BBH", ACKS[code], ident, 20)
            auth = hashlib.md5(  # noqa: S324 - RADIUS
                header + data[4:20] + self.secret.encode()
            ).digest()
            self.sock.sendto(header + auth, peer)


def _parse(raw: bytes) -> dict[str, Any]:
    out: dict[str, Any] = {}
    i = 0
    while i + 2 <= len(raw):
        typ, length = raw[i], raw[i + 1]
        value = raw[i + 2 : i + length]
        i += length
        if typ == 26 and len(value) >= 6:
            vendor = struct.unpack("!I", value[:4])[0]
            vtype, vlen = value[4], value[5]
            if vendor == VENDOR_WISPR and vtype in WISPR:
                out[WISPR[vtype]] = struct.unpack("!I", value[6 : 4 + vlen])[0]
        elif typ in (1, 44):
            out[STANDARD[typ]] = value.decode()
        elif typ == 8:
            out[STANDARD[typ]] = socket.inet_ntoa(value)
    return out
