"""Demo data of the field workforce (idempotent).

eTOM 1.4.2 workforce management: the demo's crews and today's jobs.

* the skills catalogue;
* partner companies ``PARTNER-1`` 杭州有线网络 (cable-TV crews) and
  ``PARTNER-2`` 浙江华信建设通信工程 (a construction contractor), five
  technicians each;
* own crews in 西湖区 (330106) and 拱墅区 (330105): 20 technicians with skills
  and home bases around Hangzhou, in two teams;
* user-name links: ``tech1`` (the demo technician user) → own technician
  HZ-T001; ``partner1`` → PARTNER-1's first technician;
* about 15 open work orders for today across states and field sub-states, at
  the demo buildings when the party domain has loaded them (the place
  directory), otherwise without a place.

Calling it again adds only what is missing.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from openboss.kit.places import place_directory
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.workforce import repository, service, staff
from openboss.workforce.assessment.service import seed_templates
from openboss.workforce.schemas import (
    PartnerCompanyCreate,
    SkillCreate,
    TeamCreate,
    TechnicianCreate,
    WorkOrderCreate,
)

XIHU, GONGSHU = "330106", "330105"
DEMO_BASE_URL = "http://127.0.0.1:8000"
ACTOR = service.Actor("demo")

SKILLS: tuple[tuple[str, str, str], ...] = (
    ("ftthInstall", "FTTH 装机", "FTTH installation"),
    ("ftthRepair", "FTTH 维修", "FTTH repair"),
    ("cableInstall", "有线电视安装", "Cable TV installation"),
    ("leasedLine", "专线开通", "Leased line"),
    ("survey", "勘察", "Site survey"),
    ("cpeRecovery", "终端回收", "CPE recovery"),
)

PARTNERS: tuple[dict[str, Any], ...] = (
    {
        "id": "PARTNER-1",
        "name": "杭州有线网络",
        "localizedName": {"en": "Hangzhou Cable Network"},
        "kind": "cableTv",
        "slaTerms": {"installHours": 48, "repairHours": 24, "penaltyPercent": 5},
    },
    {
        "id": "PARTNER-2",
        "name": "浙江华信建设通信工程",
        "localizedName": {"en": "Zhejiang Huaxin Telecom Construction"},
        "kind": "construction",
        "slaTerms": {"installHours": 72, "surveyHours": 48, "penaltyPercent": 3},
    },
)

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = (
    "建国",
    "伟",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "杰",
    "涛",
    "明",
    "超",
    "斌",
    "鹏",
    "辉",
    "波",
)

#: (kind, required skill, minutes, state path, field path) of today's demo orders.
ORDERS: tuple[tuple[str, str | None, int, tuple[str, ...], tuple[str, ...]], ...] = (
    ("installation", "ftthInstall", 90, (), ("dispatched",)),
    ("installation", "ftthInstall", 90, (), ("dispatched", "accepted")),
    ("repair", "ftthRepair", 60, (), ("dispatched", "accepted", "enRoute")),
    ("survey", "survey", 45, (), ("dispatched", "accepted", "enRoute", "onSite")),
    ("installation", "ftthInstall", 90, ("pending",), ()),
    ("installation", "ftthInstall", 90, (), ()),
    ("repair", "ftthRepair", 60, (), ("dispatched",)),
    ("remoteDialTest", None, 15, ("inProgress",), ()),
    ("completionAcceptance", "ftthInstall", 30, ("pending",), ()),
    ("cpeRecovery", "cpeRecovery", 30, (), ("dispatched",)),
    ("installation", "cableInstall", 120, (), ("dispatched",)),
    ("repair", "cableInstall", 60, ("held",), ()),
    ("installation", "ftthInstall", 90, (), ("dispatched", "accepted")),
    ("survey", "survey", 45, ("pending",), ()),
    ("installation", "leasedLine", 180, (), ()),
)


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN)


def _tech_body(
    rng: random.Random, no: str, region: str, partner: str | None, username: str | None
) -> TechnicianCreate:
    if partner == "PARTNER-1":
        skills = {"cableInstall": rng.randint(3, 5), "ftthInstall": rng.randint(2, 4)}
    elif partner == "PARTNER-2":
        skills = {"survey": rng.randint(3, 5), "leasedLine": rng.randint(2, 4)}
    else:
        skills = {"ftthInstall": rng.randint(2, 5), "ftthRepair": rng.randint(1, 5)}
        for extra in ("survey", "cpeRecovery", "leasedLine"):
            if rng.random() < 0.4:
                skills[extra] = rng.randint(1, 4)
    if username == "tech1":
        skills.update({"ftthInstall": 5, "ftthRepair": 4, "survey": 3, "cpeRecovery": 3})
    return TechnicianCreate.model_validate(
        {
            "employeeNo": no,
            "name": _name(rng),
            "phone": f"138{rng.randint(10_000_000, 99_999_999)}",
            "partnerId": partner,
            "regionId": region,
            "serviceAreas": [region],
            "homeLat": round(rng.uniform(30.25, 30.32), 5),
            "homeLon": round(rng.uniform(120.08, 120.20), 5),
            # every day in the calendar; the roster decides who works when
            "calendar": {"workDays": list(range(7)), "shiftStart": "08:30", "shiftEnd": "17:30"},
            "skills": [{"skill": k, "level": v} for k, v in sorted(skills.items())],
            "username": username,
        }
    )


def _addresses(session: Session, limit: int) -> list[str]:
    """Addresses of demo buildings (empty when no place directory is registered)."""
    try:
        directory = place_directory()
    except RuntimeError:
        return []
    out: list[str] = []
    for site in directory.iter_sites(session):
        for address in directory.site_addresses(session, SYSTEM_SCOPE, site.id)[:2]:
            out.append(address.id)
        if len(out) >= limit:
            break
    return out


def load_workforce_demo(session: Session) -> list[str]:
    """Add the missing demo staff and today's work orders; return what was added."""
    added: list[str] = []
    seeded = seed_templates(session)
    if seeded:
        added.append(f"{seeded} assessment templates")
    rng = random.Random(697)
    known = {s.id for s in repository.list_skills(session)}
    for code, zh, en in SKILLS:
        if code not in known:
            staff.create_skill(
                session, SkillCreate(id=code, name=zh, localized_name={"en": en, "zh-CN": zh})
            )
            added.append(f"skill {code}")
    for p in PARTNERS:
        if repository.partner_exists(session, p["id"]) is None:
            staff.create_partner(session, PartnerCompanyCreate.model_validate(p))
            added.append(f"partner company {p['id']}")

    crews: dict[str, list[str]] = {"xihu": [], "gongshu": []}
    people: list[tuple[str, str, str | None, str | None]] = []
    for i in range(1, 21):
        region = XIHU if i <= 10 else GONGSHU
        people.append((f"HZ-T{i:03d}", region, None, "tech1" if i == 1 else None))
    for p_index, company in enumerate(("PARTNER-1", "PARTNER-2"), start=1):
        for i in range(1, 6):
            username = "partner1" if company == "PARTNER-1" and i == 1 else None
            people.append((f"P{p_index}-T{i:03d}", XIHU, company, username))
    new_technicians = 0
    for no, region, partner, username in people:
        body = _tech_body(rng, no, region, partner, username)
        tech = repository.technician_by_employee_no(session, no)
        if tech is None:
            if username and repository.technician_by_username(session, username) is not None:
                body = body.model_copy(update={"username": None})
            tech = staff.create_technician(session, SYSTEM_SCOPE, body)
            new_technicians += 1
        if partner is None:
            crews["xihu" if region == XIHU else "gongshu"].append(tech.id)

    if new_technicians:
        added.append(f"{new_technicians} technicians")
    teams = {t.name for t in repository.list_teams(session, SYSTEM_SCOPE)}
    for name, region, key in (("西湖装维一班", XIHU, "xihu"), ("拱墅装维一班", GONGSHU, "gongshu")):
        if name not in teams and crews[key]:
            staff.create_team(
                session,
                SYSTEM_SCOPE,
                TeamCreate(
                    name=name, leader_id=crews[key][0], members=crews[key], region_id=region
                ),
            )
            added.append(f"team {name}")

    added += _orders(session, rng)
    session.flush()
    return added


def _orders(session: Session, rng: random.Random) -> list[str]:
    if service.search_work_orders(session, SYSTEM_SCOPE, limit=1):
        return []
    addresses = _addresses(session, len(ORDERS))
    start_of_day, _end = service.local_day_bounds()
    me = repository.technician_by_username(session, "tech1")
    own = repository.list_technicians(session, SYSTEM_SCOPE, own_only=True, status="active")
    p1 = repository.list_technicians(session, SYSTEM_SCOPE, partner_id="PARTNER-1")
    p2 = repository.list_technicians(session, SYSTEM_SCOPE, partner_id="PARTNER-2")
    skills = repository.skills_of(session, [t.id for t in [*own, *p1, *p2]])
    added: list[str] = []
    new_orders = 0
    for n, (kind, skill, minutes, state_path, field_path) in enumerate(ORDERS, start=1):
        partner = "PARTNER-1" if skill == "cableInstall" else None
        partner = "PARTNER-2" if skill == "leasedLine" or n == 14 else partner
        pool = p1 if partner == "PARTNER-1" else p2 if partner == "PARTNER-2" else own
        window = start_of_day + timedelta(hours=9 + (n % 8))  # 09:00 … 16:00 local
        body: dict[str, Any] = {
            "workOrderKind": kind,
            "externalId": f"DEMO-WO-{n:02d}",
            "description": f"demo {kind} #{n}",
            "priority": str(1 + n % 5),
            "workOrderItem": [{"id": "1", "action": "add", "description": kind}],
            "relatedEntity": [
                {"id": f"DEMO-PO-{n:03d}", "role": "productOrder", "@referredType": "ProductOrder"}
            ],
            "relatedParty": [
                {
                    "id": f"DEMO-CUST-{n:02d}",
                    "name": _name(rng),
                    "role": "customer",
                    "@referredType": "Individual",
                    "contactPhone": f"139{rng.randint(10_000_000, 99_999_999)}",
                }
            ],
            "requiredSkill": [{"skill": skill, "minLevel": 2}] if skill else [],
            "estimatedDuration": minutes,
            "timeWindow": {
                "startDateTime": window.isoformat(),
                "endDateTime": (window + timedelta(hours=2)).isoformat(),
            },
            "slaDeadline": (window + timedelta(hours=4 if kind == "repair" else 48)).isoformat(),
            "regionId": XIHU if n % 3 else GONGSHU,
            "partnerId": partner,
        }
        if addresses:
            body["place"] = {"id": addresses[(n - 1) % len(addresses)]}
            body.pop("regionId")
        order = service.create_work_order(
            session, SYSTEM_SCOPE, WorkOrderCreate.model_validate(body), DEMO_BASE_URL, ACTOR
        ).order
        if field_path:
            able = [t for t in pool if skill is None or skills.get(t.id, {}).get(skill, 0) >= 2]
            tech = me if (partner is None and me is not None and n <= 4) else None
            tech = tech or (able[n % len(able)] if able else None)
            if tech is not None:
                for step in field_path:
                    patch: dict[str, Any] = {"fieldState": step}
                    if step == "dispatched":
                        patch = {"assignee": {"id": tech.id}}
                    service.update_work_order(
                        session, SYSTEM_SCOPE, order.id, patch, DEMO_BASE_URL, ACTOR
                    )
        for state in state_path:
            service.update_work_order(
                session, SYSTEM_SCOPE, order.id, {"state": state}, DEMO_BASE_URL, ACTOR
            )
        new_orders += 1
    if new_orders:
        added.append(f"{new_orders} work orders for today")
    return added
