"""The party domain's demo data (eTOM 1.1.1.2): Hangzhou's regions, ~200 buildings,
~1,000 customers with their accounts and some contacts, and the README tour's
fixed records.

Everything goes through the party services, so the demo passes the same
validation as what an operator types. Loading is idempotent: when the demo
city and its tour customer exist, nothing is added.

Tour records (found without knowing ids; see the README):

* ``DEMO-HH-1`` — household at 翠苑一区 1幢 (site code ``DEMO-B-FTTH``), the
  building the resource domain covers with own FTTH;
* ``DEMO-HH-2`` — household at 古荡新村 1幢 (``DEMO-B-PARTNER``), covered only by
  a partner's cable network;
* ``DEMO-HH-3`` — household at 府苑新村 1幢 (``DEMO-B-NONE``), no coverage;
* ``DEMO-ENT-1`` — enterprise with a parent account paying for two child accounts.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy.orm import Session

from openboss.kit.scope import SYSTEM_SCOPE
from openboss.party import demodata
from openboss.party.account import service as account_service
from openboss.party.account.schemas import BillingAccountCreate
from openboss.party.address import service as address_service
from openboss.party.address.schemas import GeographicAddressCreate, GeographicSiteCreate
from openboss.party.customer import party_service, search
from openboss.party.customer import service as customer_service
from openboss.party.customer.schemas import CustomerCreate, IndividualCreate, OrganizationCreate
from openboss.party.interaction import service as interaction_service
from openboss.party.interaction.schemas import PartyInteractionCreate
from openboss.party.interaction.taxonomy import CHANNELS
from openboss.party.region import service as region_service

#: Customers the demo creates besides the tour records.
DEFAULT_CUSTOMERS: Final = 1000
#: Buildings the demo registers.
DEFAULT_BUILDINGS: Final = 200

#: The tour's households and the building each lives in: (compound, building, site code).
TOUR_HOUSEHOLDS: Final[dict[str, tuple[str, str, str]]] = {
    "DEMO-HH-1": ("翠苑一区", "1幢", "DEMO-B-FTTH"),
    "DEMO-HH-2": ("古荡新村", "1幢", "DEMO-B-PARTNER"),
    "DEMO-HH-3": ("府苑新村", "1幢", "DEMO-B-NONE"),
}
TOUR_ENTERPRISE: Final = "DEMO-ENT-1"

_REASONS: Final = (
    "order.new",
    "order.change",
    "fault.noService",
    "fault.slow",
    "complaint.installation",
    "billing.balance",
    "billing.invoice",
    "info.product",
    "info.coverage",
    "retention.churnRisk",
)
_OUTCOMES: Final = {
    "order": "orderCreated",
    "fault": "faultReported",
    "complaint": "complaintRaised",
    "billing": "enquiryRaised",
    "info": "informationGiven",
    "retention": "retained",
}

Progress = Callable[[str, int, int], None]


def _quiet(_stage: str, _done: int, _total: int) -> None:
    return None


def _is_loaded(session: Session) -> bool:
    found = search.search_customers(
        session, SYSTEM_SCOPE, "DEMO-HH-1", kind="externalReference", limit=1
    )
    return bool(found)


def load_party_demo(
    session: Session,
    base_url: str,
    *,
    customers: int = DEFAULT_CUSTOMERS,
    buildings: int = DEFAULT_BUILDINGS,
    progress: Progress = _quiet,
) -> list[str]:
    """Add the demo city, buildings, customers, accounts and contacts (once)."""
    added: list[str] = []
    added += _regions(session)
    interaction_service.seed_default_reasons(session)
    if _is_loaded(session):
        return added
    sites = _buildings(session, base_url, buildings, progress)
    added.append(f"{len(sites)} buildings")
    tour = _tour(session, base_url, sites)
    added.append("tour customers DEMO-HH-1..3, DEMO-ENT-1")
    made = _customers(session, base_url, sites, customers, progress)
    added.append(f"{len(made)} customers with accounts")
    contacts = _contacts(session, base_url, tour + made[:400], progress)
    added.append(f"{contacts} contacts")
    return added


def _regions(session: Session) -> list[str]:
    existing = {r.id for r in region_service.list_regions(session, include_retired=True)}
    count = 0
    for ident, parent, level, name, name_en in demodata.regions():
        if ident not in existing:
            region_service.create_region(
                session, id=ident, parent_id=parent, level=level, name=name, name_en=name_en
            )
            count += 1
    return [f"{count} regions"] if count else []


def _buildings(
    session: Session, base_url: str, count: int, progress: Progress
) -> dict[tuple[str, str], tuple[str, str]]:
    """``(compound, building) -> (site id, grid id)``."""
    codes = {(c, b): code for c, b, code in TOUR_HOUSEHOLDS.values()}
    out: dict[tuple[str, str], tuple[str, str]] = {}
    all_buildings = demodata.buildings(count)
    for n, b in enumerate(all_buildings, 1):
        body: dict[str, Any] = {
            "street": b.district.name + "街道",
            "streetName": b.road,
            "streetNr": b.road_number,
            "compound": b.compound,
            "buildingName": b.building,
            "latitude": b.latitude,
            "longitude": b.longitude,
            "regionId": b.grid_id,
        }
        code = codes.get((b.compound, b.building))
        if code:
            body["code"] = code
        written = address_service.create_site(
            session, SYSTEM_SCOPE, GeographicSiteCreate.model_validate(body), base_url
        )
        out[(b.compound, b.building)] = (written.id, b.grid_id)
        progress("buildings", n, len(all_buildings))
    return out


def _address(
    session: Session, base_url: str, site_id: str, unit: int, room: str, name: str | None
) -> str:
    body: dict[str, Any] = {
        "siteId": site_id,
        "geographicSubAddress": [{"subUnitNumber": str(unit), "roomNumber": room}],
    }
    if name:
        body["name"] = name
    return address_service.create_address(
        session, SYSTEM_SCOPE, GeographicAddressCreate.model_validate(body), base_url
    ).id


def _person_body(p: demodata.DemoPerson, external: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "familyName": p.family_name,
        "givenName": p.given_name,
        "individualIdentification": [
            {"identificationType": "residentIdCard", "identificationId": p.resident_id}
        ],
        "contactMedium": [
            {"mediumType": "phone", "preferred": True, "characteristic": {"phoneNumber": p.mobile}}
        ],
    }
    if external:
        body["externalReference"] = [{"externalReferenceType": "demo", "name": external}]
    return body


def _household(
    session: Session,
    base_url: str,
    p: demodata.DemoPerson,
    *,
    site: tuple[str, str],
    unit: int,
    room: str,
    grade: str,
    external: str | None = None,
    customer_type: str = "household",
) -> str:
    party = party_service.create_party(
        session, "individual", IndividualCreate.model_validate(_person_body(p, external)), base_url
    )
    address_id = _address(session, base_url, site[0], unit, room, external)
    customer = customer_service.create_customer(
        session,
        SYSTEM_SCOPE,
        CustomerCreate.model_validate(
            {
                "name": p.family_name + p.given_name,
                "engagedParty": {"id": party.party.id, "@referredType": "Individual"},
                "status": "active",
                "customerType": customer_type,
                "grade": grade,
                "regionId": site[1],
                "place": [{"id": address_id, "role": "installation"}],
            }
        ),
        base_url,
    )
    cid = customer.customer.id
    _account(session, base_url, cid, "家庭账户" if customer_type == "household" else "个人账户")
    return cid


def _account(
    session: Session,
    base_url: str,
    customer_id: str,
    name: str,
    *,
    parent: str | None = None,
    limit_minor: int | None = 50_000,
    cycle_shift: int = 0,
) -> str:
    body: dict[str, Any] = {
        "name": name,
        "relatedParty": [{"id": customer_id, "role": "customer"}],
        "defaultPaymentMethod": {"id": "alipay"},
        "billStructure": {"cycleSpecification": {"billingDateShift": cycle_shift}},
    }
    if limit_minor is not None:
        body["creditLimit"] = {"unit": "CNY", "value": limit_minor / 100}
    if parent:
        body["accountRelationship"] = [{"relationshipType": "parent", "account": {"id": parent}}]
        body["paidByParent"] = True
    written = account_service.create_account(
        session, SYSTEM_SCOPE, BillingAccountCreate.model_validate(body), base_url
    )
    account_service.change_state(session, SYSTEM_SCOPE, written.account.id, "active", base_url)
    return written.account.id


def _tour(
    session: Session, base_url: str, sites: dict[tuple[str, str], tuple[str, str]]
) -> list[str]:
    rng = random.Random(demodata.SEED + 7)
    ids = []
    for n, (external, (compound, building, _code)) in enumerate(TOUR_HOUSEHOLDS.items()):
        p = demodata.person(rng, "330106")
        ids.append(
            _household(
                session,
                base_url,
                p,
                site=sites[(compound, building)],
                unit=1,
                room=f"{n + 1}01",
                grade="vipGold" if n == 0 else "regular",
                external=external,
            )
        )
    ids.append(_enterprise(session, base_url, sites, rng))
    return ids


def _enterprise(
    session: Session,
    base_url: str,
    sites: dict[tuple[str, str], tuple[str, str]],
    rng: random.Random,
) -> str:
    org = demodata.enterprises(1, seed=demodata.SEED + 9)[0]
    party = party_service.create_party(
        session,
        "organization",
        OrganizationCreate.model_validate(
            {
                "tradingName": "杭州西湖数智科技有限公司",
                "organizationType": "company",
                "isLegalEntity": True,
                "organizationIdentification": [
                    {
                        "identificationType": "unifiedSocialCreditCode",
                        "identificationId": org.credit_code,
                    }
                ],
                "contactMedium": [
                    {"mediumType": "phone", "characteristic": {"phoneNumber": "0571-88886666"}}
                ],
                "externalReference": [{"externalReferenceType": "demo", "name": TOUR_ENTERPRISE}],
            }
        ),
        base_url,
    )
    contact = party_service.create_party(
        session,
        "individual",
        IndividualCreate.model_validate(_person_body(demodata.person(rng, "330106"))),
        base_url,
    )
    site = sites[("文鼎苑", "1幢")]
    address_id = _address(session, base_url, site[0], 1, "1801", TOUR_ENTERPRISE)
    customer = customer_service.create_customer(
        session,
        SYSTEM_SCOPE,
        CustomerCreate.model_validate(
            {
                "name": "杭州西湖数智科技有限公司",
                "engagedParty": {"id": party.party.id, "@referredType": "Organization"},
                "status": "active",
                "customerType": "enterprise",
                "grade": "vipGold",
                "segment": "SME",
                "regionId": site[1],
                "place": [{"id": address_id, "role": "installation"}],
                "relatedParty": [
                    {
                        "id": contact.party.id,
                        "role": "technicalContact",
                        "@referredType": "Individual",
                    }
                ],
            }
        ),
        base_url,
    )
    cid = customer.customer.id
    parent = _account(session, base_url, cid, "集团总账户", limit_minor=5_000_000)
    _account(session, base_url, cid, "研发中心", parent=parent, limit_minor=None)
    _account(session, base_url, cid, "销售分部", parent=parent, limit_minor=None)
    return cid


def _customers(
    session: Session,
    base_url: str,
    sites: dict[tuple[str, str], tuple[str, str]],
    count: int,
    progress: Progress,
) -> list[str]:
    rng = random.Random(demodata.SEED + 11)
    people = demodata.people(count)
    tour_buildings = {(c, b) for c, b, _ in TOUR_HOUSEHOLDS.values()}
    site_list = [v for k, v in sites.items() if k not in tour_buildings]
    used: set[tuple[str, int, str]] = set()
    made: list[str] = []
    for n, p in enumerate(people, 1):
        while True:
            site = rng.choice(site_list)
            unit = rng.randrange(1, 5)
            room = f"{rng.randrange(2, 19)}{rng.randrange(1, 5):02d}"
            if (site[0], unit, room) not in used:
                used.add((site[0], unit, room))
                break
        made.append(
            _household(
                session,
                base_url,
                p,
                site=site,
                unit=unit,
                room=room,
                grade=rng.choices(("regular", "vipSilver", "vipGold"), (85, 12, 3))[0],
                customer_type="household" if rng.random() < 0.85 else "individual",
            )
        )
        progress("customers", n, len(people))
    return made


def _contacts(session: Session, base_url: str, customer_ids: list[str], progress: Progress) -> int:
    rng = random.Random(demodata.SEED + 13)
    channels = list(CHANNELS)
    now = datetime.now(UTC).replace(microsecond=0)
    total = min(len(customer_ids), 300)
    for n in range(total):
        customer_id = customer_ids[n] if n < 4 else rng.choice(customer_ids)
        reason = rng.choice(_REASONS)
        start = now - timedelta(hours=rng.randrange(1, 24 * 60))
        written = interaction_service.create_interaction(
            session,
            SYSTEM_SCOPE,
            PartyInteractionCreate.model_validate(
                {
                    "direction": "inbound",
                    "reason": reason,
                    "status": "open",
                    "channel": [{"id": rng.choice(channels)}],
                    "interactionDate": {"startDateTime": start.isoformat()},
                    "description": "演示接触记录",
                    "relatedParty": [
                        {"id": customer_id, "role": "customer", "@referredType": "Customer"}
                    ],
                }
            ),
            base_url,
            actor="demo",
        )
        if rng.random() < 0.7:
            interaction_service.close_interaction(
                session,
                SYSTEM_SCOPE,
                written.interaction.id,
                outcome=_OUTCOMES[reason.split(".", 1)[0]],
                actor="demo",
                base_url=base_url,
            )
        progress("contacts", n + 1, total)
    return total
