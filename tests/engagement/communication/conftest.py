"""Fixtures of the communication tests: a frozen clock, workers, and a real SMTP
server on loopback (aiosmtpd) that the worker delivers e-mail to."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from openboss.config import get_settings
from tests.events.support import clock, make_worker

__all__ = ["clock", "make_worker"]


class Mailbox:
    """Collects every mail the SMTP server accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            (envelope.mail_from, list(envelope.rcpt_tos), message_from_bytes(envelope.content))
        )
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    """A local SMTP sink; OPENBOSS_SMTP_* point at it for the test."""
    box = Mailbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("OPENBOSS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("OPENBOSS_SMTP_PORT", str(port))
    monkeypatch.setenv("OPENBOSS_SMTP_FROM", "service@openboss.test")
    get_settings.cache_clear()
    try:
        yield box
    finally:
        controller.stop()
        get_settings.cache_clear()


@pytest.fixture
def no_smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """OPENBOSS_SMTP_* point at a closed loopback port."""
    port = _free_port()
    monkeypatch.setenv("OPENBOSS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("OPENBOSS_SMTP_PORT", str(port))
    get_settings.cache_clear()
    try:
        yield port
    finally:
        get_settings.cache_clear()
