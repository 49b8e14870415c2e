"""Each indicator on hand-made work orders with known answers (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from openboss.kit.ids import new_id
from openboss.workforce.assessment import indicators as ind
from openboss.workforce.models import Team, TeamMember

MARCH = ind.Period(
    start=datetime(2026, 2, 28, 16, tzinfo=UTC), end=datetime(2026, 3, 31, 16, tzinfo=UTC)
)


def figures(session: Session, code: str, period: ind.Period = MARCH, subject: str = "technician"):
    return {
        k: (f.numerator, f.denominator)
        for k, f in ind.INDICATORS[code].compute(session, period, subject).items()
    }


def test_on_time_arrival_counts_the_grace_boundary(session: Session, march: dict[str, Any]) -> None:
    # A: o1 on site at window + 30 min (on time), o2 at + 31 min (late); B: o0 on time
    # (failed orders count: the crew arrived); r1 has no window; o4 is in April
    assert figures(session, "onTimeArrival") == {march["A"]: (1, 2), march["B"]: (1, 1)}


def test_on_time_completion_uses_requested_then_sla(
    session: Session, march: dict[str, Any]
) -> None:
    # A: o1 before its requested completion, o2 after its SLA deadline; B: o0 failed,
    # r1 has no due date -> B has no figure at all
    assert figures(session, "onTimeCompletion") == {march["A"]: (1, 2)}


def test_first_time_fix_sees_the_earlier_failed_attempt(
    session: Session, march: dict[str, Any]
) -> None:
    # o2 followed B's failed installation at the same flat; r1 (repair) had none
    assert figures(session, "firstTimeFix") == {march["A"]: (1, 2), march["B"]: (1, 1)}


def test_rework_within_30_days(session: Session, march: dict[str, Any]) -> None:
    # the repair r1 at flat 1 came 19 days after o1; nothing came after o2 or r1
    assert figures(session, "reworkRate") == {march["A"]: (1, 2), march["B"]: (0, 1)}
    rework = ind.INDICATORS["reworkRate"]
    assert not rework.higher_better
    assert rework.score(0.05, 0.05) == 100.0
    assert rework.score(0.5, 0.05) == pytest.approx(52.63, abs=0.01)
    assert rework.score(1.0, 0.05) == 0.0


def test_customer_rating_average(session: Session, march: dict[str, Any]) -> None:
    assert figures(session, "customerRating") == {march["A"]: (8, 2)}
    rating = ind.INDICATORS["customerRating"]
    assert rating.score(4.0, 4.5) == pytest.approx(88.89, abs=0.01)
    assert rating.score(5.0, 4.5) == 100.0


def test_sla_compliance_counts_failed_orders(session: Session, march: dict[str, Any]) -> None:
    assert figures(session, "slaCompliance") == {march["A"]: (1, 2), march["B"]: (0, 1)}


def test_scopes_and_subjects(session: Session, march: dict[str, Any]) -> None:
    everybody = ind.Period(MARCH.start, MARCH.end, scope_type="all")
    assert figures(session, "slaCompliance", everybody, "partner") == {
        "own": (1, 3),
        "PARTNER-1": (1, 1),
    }
    partner = ind.Period(MARCH.start, MARCH.end, scope_type="partner", partner_id="PARTNER-1")
    assert figures(session, "slaCompliance", partner) == {march["P"]: (1, 1)}
    # the partner's order at flat 1 was also followed by the repair r1
    assert figures(session, "reworkRate", partner) == {march["P"]: (1, 1)}
    repairs = ind.Period(MARCH.start, MARCH.end, kinds=("repair",))
    assert figures(session, "firstTimeFix", repairs) == {march["B"]: (1, 1)}
    april = ind.Period(datetime(2026, 3, 31, 16, tzinfo=UTC), datetime(2026, 4, 30, 16, tzinfo=UTC))
    assert figures(session, "slaCompliance", april) == {march["A"]: (1, 1)}


def test_team_subject(session: Session, march: dict[str, Any]) -> None:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    team = new_id()
    session.execute(insert(Team).values(id=team, name="Crew 1", created_at=now, updated_at=now))
    session.execute(
        insert(TeamMember),
        [
            {"team_id": team, "technician_id": march["A"]},
            {"team_id": team, "technician_id": march["B"]},
        ],
    )
    session.flush()
    assert figures(session, "onTimeArrival", subject="team") == {team: (2, 3)}
    assert ind.subject_names(session, "team", [team]) == {team: "Crew 1"}
