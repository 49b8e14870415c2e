"""Fuzzing the site and address APIs (schemathesis, as ``tests/test_api_fuzz.py``
does for every API): whatever the input, never a server error — with regions
present, so that valid creations get through to the database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from sqlalchemy.orm import Session

from openboss.party.region.service import create_region

EXAMPLES = 30


@pytest.fixture(autouse=True)
def regions(session: Session) -> None:
    create_region(session, id="330000", parent_id=None, level="province", name="浙江省")
    create_region(session, id="330100", parent_id="330000", level="city", name="杭州市")
    create_region(session, id="330106", parent_id="330100", level="district", name="西湖区")
    session.commit()


def test_no_input_makes_a_server_error(
    app: FastAPI, auth_headers: Callable[..., dict[str, str]]
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = auth_headers("admin")
    operations = [
        op
        for op in (result.ok() for result in schema.get_all_operations())  # type: ignore[union-attr]
        if "/geographic" in op.path and "/hub" not in op.path
    ]
    assert len(operations) == 13
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def fuzz(case: Any) -> None:
                case.call_and_validate(headers=headers, checks=[not_a_server_error])

            try:
                fuzz()
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE, operation.label
