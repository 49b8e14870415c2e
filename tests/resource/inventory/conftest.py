"""Fixtures of the inventory tests: the built-in types, a partner, and a small
FTTH network at a building (room → OLT → card → PON port → splitter → ports)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from openboss.auth.deps import SESSION_COOKIE
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.resource.inventory import resources
from openboss.resource.inventory.lifecycle import now
from openboss.resource.inventory.models import NetworkPartner
from openboss.resource.inventory.schemas import ResourceCreate
from openboss.resource.inventory.specs import ensure_builtin_specs
from tests.conftest import token_for

BASE = "http://testserver"
TMF = "/tmf-api/resourceInventoryManagement/v4"
API = "/api/resource/v1"
MERGE = {"Content-Type": "application/merge-patch+json"}

Headers = Callable[..., dict[str, str]]


@pytest.fixture
def builtin_specs(session: Session) -> None:
    ensure_builtin_specs(session)
    session.flush()


def add_partner(session: Session, ident: str = "PARTNER-1", status: str = "active") -> str:
    at = now()
    session.add(
        NetworkPartner(
            id=ident,
            name=f"{ident} cable TV",
            localized_name={"en": "Cable TV", "zh-CN": "广电"},
            kind="cableTv",
            default_terms="revenueShare",
            revenue_share_percent=30,
            status=status,
            created_at=at,
            updated_at=at,
        )
    )
    session.flush()
    return ident


def make_resource(
    session: Session,
    spec: str,
    name: str,
    *,
    parent: str | None = None,
    site: str | None = None,
    chars: list[dict[str, Any]] | None = None,
    value: str | None = None,
    owner: str | None = None,
    status: str = "available",
    **extra: Any,
) -> str:
    body: dict[str, Any] = {
        "name": name,
        "resourceSpecification": {"id": spec},
        "lifecycleStatus": status,
        **extra,
    }
    if parent:
        body["parentResource"] = {"id": parent}
    if site:
        body["place"] = {"id": site, "role": "installationSite", "@referredType": "GeographicSite"}
    if chars:
        body["resourceCharacteristic"] = chars
    if value:
        body["value"] = value
    if owner:
        body["relatedParty"] = [{"id": owner, "role": "owner", "@referredType": "Organization"}]
    written = resources.create_resource(
        session, SYSTEM_SCOPE, ResourceCreate.model_validate(body), BASE
    )
    return written.id


@dataclass
class Network:
    site: str
    room: str
    olt: str
    card: str
    pon: str
    splitter: str
    ports: list[str] = field(default_factory=list)


def build_network(session: Session, site: str, ports: int = 8, owner: str | None = None) -> Network:
    room = make_resource(session, "equipmentRoom", "Room 1", site=site, owner=owner)
    olt = make_resource(session, "olt", "OLT-1", parent=room, owner=owner)
    card = make_resource(
        session, "oltCard", "Card 1", parent=olt, chars=[{"name": "slot", "value": 1}], owner=owner
    )
    pon = make_resource(session, "ponPort", "PON 1/1", parent=card, owner=owner)
    splitter = make_resource(
        session,
        "splitter",
        "SPL-1",
        parent=pon,
        chars=[{"name": "ratio", "value": 32}],
        owner=owner,
    )
    net = Network(site, room, olt, card, pon, splitter)
    for i in range(ports):
        net.ports.append(
            make_resource(session, "splitterPort", f"SPL-1/{i + 1}", parent=splitter, owner=owner)
        )
    return net


@pytest.fixture
def network(session: Session, builtin_specs: None, make_site: Callable[..., str]) -> Network:
    net = build_network(session, make_site("3幢"))
    session.commit()
    return net


@pytest.fixture
def console_as(client: TestClient) -> Callable[..., TestClient]:
    """``console_as("noc")``: the client carries a console session for those roles."""

    def make(roles: list[str] | str = "admin", **kw: Any) -> TestClient:
        client.cookies.set(SESSION_COOKIE, token_for(roles, **kw))
        return client

    return make
