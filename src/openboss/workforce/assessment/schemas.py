"""Request bodies of the assessment API (camelCase, unknown attributes refused)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class _Body(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class TemplateIndicator(_Body):
    indicator: str = Field(min_length=1, max_length=32)
    weight: float = Field(gt=0, le=100)
    target: float | None = Field(default=None, ge=0)


Scenario = Literal["homeInstall", "repair", "enterprise"]


class TemplateCreate(_Body):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = Field(min_length=1, max_length=128)
    scenario: Scenario
    kinds: list[str] = Field(default_factory=list)
    indicators: list[TemplateIndicator] = Field(min_length=1)
    status: Literal["active", "inactive"] = "active"


class TemplateUpdate(_Body):
    name: str | None = Field(default=None, min_length=1, max_length=128)
    kinds: list[str] | None = None
    indicators: list[TemplateIndicator] | None = Field(default=None, min_length=1)
    status: Literal["active", "inactive"] | None = None


class Period(_Body):
    start_date: date
    end_date: date


class RunScope(_Body):
    type: Literal["own", "partner", "all"] = "own"
    partner_id: str | None = Field(default=None, max_length=64)


class RunCreate(_Body):
    template: str = Field(min_length=1, max_length=64)
    period: Period
    scope: RunScope = Field(default_factory=RunScope)
    subject_type: Literal["technician", "team", "partner"] = "technician"


class AssessorScore(_Body):
    #: Points added to the computed score (−20 … +20), the assessor's component.
    manual_score: float = Field(ge=-20, le=20)
    comment: str | None = Field(default=None, max_length=1024)


class AppealCreate(_Body):
    reason: str = Field(min_length=1, max_length=1024)


class AppealDecision(_Body):
    decision: Literal["accept", "reject"]
    adjusted_score: float | None = Field(default=None, ge=0, le=100)
    reason: str | None = Field(default=None, max_length=1024)


class RatingSubmit(_Body):
    stars: int
    comment: str | None = None
