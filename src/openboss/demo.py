"""The demo operator: users of every role (password ``demo``), loaded only in demo mode.

Loading is idempotent: what exists is kept, what is missing is added, so
``openboss load-demo`` can run on every ``make demo``. Domains add their
demo data (regions, buildings, network, crews, catalog, customers) here as
they are built.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

import openboss.fulfilment.flows.handlers  # the handlers of the deployed flows
import openboss.party.address.places  # noqa: F401 - buildings for the resource and workforce demos
from openboss.auth import service as auth_service
from openboss.auth.models import ApiClient, User
from openboss.auth.passwords import DEMO_PASSWORD
from openboss.catalog import service as catalog_service
from openboss.catalog.yaml_io import load_demo_catalog
from openboss.fulfilment.engine import service as engine
from openboss.kit.errors import Conflict
from openboss.party.demo import DEFAULT_CUSTOMERS, Progress, load_party_demo
from openboss.resource.demo import load_resource_demo
from openboss.workforce.demo import load_workforce_demo

DEMO_PARTNER_ID = "PARTNER-1"
DEMO_CLIENT_SECRET = "demo-partner-system-secret"  # noqa: S105 - demo only


@dataclass(frozen=True)
class DemoUser:
    username: str
    roles: tuple[str, ...]
    display_name: str
    display_name_zh: str
    partner_id: str | None = None
    locale: str | None = None
    regions: tuple[str, ...] | None = None


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", ("admin",), "Administrator", "系统管理员"),
    # A district CSR: sees 西湖区 (and its grids) only — the region scoping of the tour.
    DemoUser("csr", ("csr",), "Customer service rep", "营业员", regions=("330106",)),
    DemoUser(
        "csr2", ("csr",), "Customer service rep (Binjiang)", "营业员（滨江）", regions=("330108",)
    ),
    DemoUser("dispatcher", ("dispatcher",), "Dispatcher", "调度员"),
    DemoUser("tech1", ("technician",), "Technician 1", "施工人员 1"),
    DemoUser("partner1", ("partner",), "Partner staff 1", "合作方 1", partner_id=DEMO_PARTNER_ID),
    DemoUser("noc", ("noc",), "NOC engineer", "网管工程师"),
    DemoUser("billing", ("billing",), "Billing clerk", "账务员"),
    DemoUser("marketing", ("marketing",), "Marketing", "市场部"),
    DemoUser("manager", ("manager",), "Manager", "经理"),
)


def load_demo(
    session: Session,
    *,
    base_url: str = "http://127.0.0.1:8000",
    customers: int = DEFAULT_CUSTOMERS,
    progress: Progress | None = None,
) -> list[str]:
    """Add the missing demo users, the demo partner system, the party domain's city,
    buildings and customers, the network over those buildings (own FTTH, partner
    cable, pools, CPE stock, published availability), the field crews and today's
    work orders, and the demo catalog; return what was added."""
    added: list[str] = []
    existing = set(session.scalars(select(User.username)))
    for u in DEMO_USERS:
        if u.username in existing:
            continue
        auth_service.create_user(
            session,
            username=u.username,
            password=DEMO_PASSWORD,
            roles=list(u.roles),
            display_name=u.display_name_zh,
            partner_id=u.partner_id,
            locale=u.locale,
            region_ids=list(u.regions) if u.regions is not None else None,
            demo_mode=True,
        )
        added.append(f"user {u.username}")
    if session.get(ApiClient, "partner1-system") is None:
        try:
            auth_service.create_api_client(
                session,
                client_id="partner1-system",
                secret=DEMO_CLIENT_SECRET,
                name="Partner 1 work-order system",
                roles=["partner"],
                partner_id=DEMO_PARTNER_ID,
            )
            added.append("api client partner1-system")
        except Conflict:
            pass
    added += _load_sample_items(session)
    added += load_party_demo(
        session, base_url, customers=customers, progress=progress or (lambda *_: None)
    )
    added += load_resource_demo(session, progress)
    added += load_workforce_demo(session)
    first_catalog = not catalog_service.service_spec_ids(session)
    load_demo_catalog(session, base_url=base_url)  # idempotent: an unchanged entry stays
    if first_catalog:
        added.append("demo catalog")
    added += load_fulfilment_demo(session)
    return added


def load_fulfilment_demo(session: Session) -> list[str]:
    """The shipped BPMN flows (``openboss.fulfilment.flows``), deployed once; an edited
    file is deployed as a new version. The tour needs nothing else from fulfilment:
    DEMO-HH-1's building has free splitter ports, 西湖仓 has ONTs, ``tech1`` installs
    FTTH in 西湖区, ``partner1`` works for PARTNER-1, whose cable serves DEMO-HH-2."""
    before = {(d.key, d.version) for d in engine.list_definitions(session)}
    deployed = engine.deploy_builtin(session)
    new = [d for d in deployed if (d.key, d.version) not in before]
    return [f"{len(new)} fulfilment flows deployed"] if new else []


def _load_sample_items(session: Session) -> list[str]:
    """A dozen items of the internal sample API, so that the README's tour of the
    TMF conventions (filters, ``fields=``, sorting, paging) has something to show."""
    from openboss.kit.scope import SYSTEM_SCOPE
    from openboss.sample import service as sample_service
    from openboss.sample.schemas import SampleItemCreate

    if sample_service.count_items(session) > 0:
        return []
    for i in range(12):
        data = SampleItemCreate.model_validate(
            {
                "name": f"Demo item {i + 1:02d}",
                "description": "Sample resource exercising the TMF kit",
                "quantity": (i * 37) % 100,
                "price": {"unit": "CNY", "value": 10 + i * 5.5},
                "relatedParty": [
                    {
                        "id": f"party-{i % 3}",
                        "role": "owner" if i % 2 else "customer",
                        "@referredType": "Individual",
                    }
                ],
                "characteristic": [{"name": "speed", "value": 100 * (1 + i % 3)}],
            }
        )
        sample_service.create_item(session, SYSTEM_SCOPE, data, "http://127.0.0.1:8000")
    return ["12 sample items"]
