"""What every browser test needs: a migrated SQLite file with the console's
assets built, the console served by uvicorn from a thread on a free loopback
port, and Debian's Chromium (the ``browser`` fixture lives in
``tests/conftest.py``)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from openboss.app import create_app
from openboss.config import Settings
from openboss.db.migrate import upgrade
from openboss.web import build

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def console_database(tmp: Path, name: str = "console.db") -> str:
    """The URL of a freshly migrated SQLite file under ``tmp`` (console assets
    built first when missing, as ``make demo`` does)."""
    if not build.bundle_present():
        build.build_assets()
    url = f"sqlite:///{tmp / name}"
    upgrade(url)
    return url


@contextmanager
def serve_console(url: str, tmp: Path) -> Iterator[str]:
    """Serve the app over ``url`` on a free loopback port; yields its base URL."""
    settings = Settings(
        database_url=url,
        var_dir=tmp,
        secret_key="browser-test-secret-key-0123456789abcdef",
        log_format="console",
        log_level="WARNING",
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    uv = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning", lifespan="on"))
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(200):  # bounded wait for startup
        if uv.started:
            break
        time.sleep(0.05)
    assert uv.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
        sock.close()
