"""Hub listeners cannot make the worker call into the operator's own network."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from openboss.config import Settings
from openboss.events.delivery import (
    DeliveryRequest,
    HubDeliverer,
    egress_refusal,
    parse_networks,
)
from tests.events.support import Listener


@pytest.mark.parametrize(
    "callback",
    [
        "http://127.0.0.1:9/x",
        "http://localhost/x",
        "http://10.1.2.3/x",
        "http://192.168.0.10/x",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/x",
        "http://[::ffff:127.0.0.1]/x",
        "http://0.0.0.0/x",
    ],
)
def test_internal_addresses_are_refused(callback: str) -> None:
    refusal = egress_refusal(callback, ())
    assert refusal is not None
    assert "internal address" in refusal


def test_allowed_networks_and_public_addresses_pass() -> None:
    assert egress_refusal("http://10.1.2.3/x", parse_networks(["10.0.0.0/8"])) is None
    assert egress_refusal("http://127.0.0.1/x", parse_networks(["127.0.0.1"])) is None
    assert egress_refusal("https://93.184.216.34/hook", ()) is None
    assert "does not resolve" in (egress_refusal("http://no-such-host.invalid/x", ()) or "")


def test_a_refused_listener_is_never_called(listener: Listener) -> None:
    req = DeliveryRequest("d1", listener.url, "e1", "SampleItemCreateEvent", b"{}")
    refused = HubDeliverer(timeout=2).deliver([req])[0]
    assert not refused.ok
    assert refused.status_code is None
    assert "OPENBOSS_HUB_CALLBACK_ALLOWED_NETWORKS" in (refused.error or "")
    assert listener.received == []
    allowed = HubDeliverer(timeout=2, allowed_networks=parse_networks(["127.0.0.0/8"]))
    assert allowed.deliver([req])[0].ok
    assert len(listener.received) == 1


def test_bad_networks_are_a_configuration_error() -> None:
    with pytest.raises(ValidationError, match="not a network in CIDR notation"):
        Settings(hub_callback_allowed_networks=["10.0.0.0/33"])
