"""Tables of construction assessment (施工考核).

eTOM 1.4.2 workforce management (performance of the crews) and 1.5.4
resource performance management as applied to field work.

* ``assessment_template``: a scenario's indicators with weights (sum 100) and
  targets (home install, repair, enterprise).
* ``assessment_run``: one computation of a template over a period and a scope
  (own crews, one partner company, or everybody); ``partner_id`` is the
  partner company the run was made for (row scope: that partner's users see it).
* ``assessment_result``: one subject's score (technician, team or partner
  company) with the raw figures, the assessor's component and the appeal;
  ``partner_id`` is the subject's company (row scope).
* ``rating_invitation``: the customer's one-time rating link of a completed
  work order (only the sha256 of the token is stored), and the rating given.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openboss.db.base import Base
from openboss.db.types import JSONDoc, UTCDateTime
from openboss.kit.scope import PartnerScoped, RegionScoped


class AssessmentTemplate(Base):
    """Indicators (``[{indicator, weight, target}]``, weights sum to 100) of a scenario."""

    __tablename__ = "assessment_template"
    __audited__ = True
    __table_args__ = (
        CheckConstraint("scenario IN ('homeInstall', 'repair', 'enterprise')", name="scenario"),
        CheckConstraint("status IN ('active', 'inactive')", name="status"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    scenario: Mapped[str] = mapped_column(String(16), nullable=False)
    #: Work-order kinds the template assesses (empty: every kind).
    kinds: Mapped[list[str]] = mapped_column(JSONDoc, nullable=False)
    indicators: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class AssessmentRun(PartnerScoped, Base):
    """A template computed over ``[period_start, period_end]`` (days, inclusive)."""

    __tablename__ = "assessment_run"
    __audited__ = True
    __table_args__ = (
        CheckConstraint("state IN ('draft', 'published', 'cancelled')", name="state"),
        CheckConstraint("scope_type IN ('own', 'partner', 'all')", name="scope_type"),
        CheckConstraint("subject_type IN ('technician', 'team', 'partner')", name="subject_type"),
        CheckConstraint("period_end >= period_start", name="period"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    template_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("assessment_template.id"), nullable=False, index=True
    )
    #: The template as it was when the run was computed (weights and targets).
    template_snapshot: Mapped[dict[str, Any]] = mapped_column(JSONDoc, nullable=False)
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    period_end: Mapped[date] = mapped_column(Date, nullable=False)
    scope_type: Mapped[str] = mapped_column(String(16), nullable=False)
    subject_type: Mapped[str] = mapped_column(String(16), nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    created_by: Mapped[str] = mapped_column(String(128), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    published_by: Mapped[str | None] = mapped_column(String(128), nullable=True)


class AssessmentResult(PartnerScoped, Base):
    """One subject's score in a run, its raw figures, assessor component and appeal."""

    __tablename__ = "assessment_result"
    __audited__ = True
    __table_args__ = (
        CheckConstraint(
            "state IN ('draft', 'published', 'appealed', 'accepted', 'rejected')", name="state"
        ),
        CheckConstraint("computed_score >= 0 AND computed_score <= 100", name="computed"),
        CheckConstraint("final_score >= 0 AND final_score <= 100", name="final"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    run_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("assessment_run.id", ondelete="CASCADE"), nullable=False, index=True
    )
    subject_type: Mapped[str] = mapped_column(String(16), nullable=False)
    #: Technician id, team id, partner company id, or ``own`` (the operator's crews).
    subject_id: Mapped[str] = mapped_column(String(64), nullable=False)
    subject_name: Mapped[str] = mapped_column(String(128), nullable=False)
    #: {indicator: {value, numerator, denominator, target, weight, score}}
    figures: Mapped[dict[str, Any]] = mapped_column(JSONDoc, nullable=False)
    computed_score: Mapped[float] = mapped_column(Float, nullable=False)
    manual_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    assessor_comment: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    final_score: Mapped[float] = mapped_column(Float, nullable=False)
    rank: Mapped[int] = mapped_column(Integer, nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    appeal_reason: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    appealed_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    appealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class RatingInvitation(RegionScoped, PartnerScoped, Base):
    """The customer's one-time link to rate a completed work order (1–5 stars)."""

    __tablename__ = "rating_invitation"
    __audited__ = True
    __audit_exclude__ = frozenset({"token_hash"})
    __table_args__ = (
        CheckConstraint("stars IS NULL OR (stars >= 1 AND stars <= 5)", name="stars"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    work_order_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("work_order.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    #: sha256 (hex) of the token of the link; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    technician_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)
    stars: Mapped[int | None] = mapped_column(Integer, nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
