"""A kit-only table and resource, so the TMF kit is tested without any domain."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    insert,
)
from sqlalchemy.orm import Session

from openboss.db import Database, JSONDoc, UTCDateTime
from openboss.kit.tmf.attributes import ColumnAttr, JsonAttr, Kind, MoneyAttr
from openboss.kit.tmf.resource import TmfResource

metadata = MetaData()

thing = Table(
    "kit_test_thing",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("score", Integer, nullable=True),
    Column("ratio", Numeric(10, 3), nullable=True),
    Column("flag", Boolean, nullable=True),
    Column("starts", UTCDateTime(), nullable=True),
    Column("ends", UTCDateTime(), nullable=True),
    Column("price_unit", String(3), nullable=True),
    Column("price_minor", BigInteger().with_variant(Integer(), "sqlite"), nullable=True),
    Column("parties", JSONDoc, nullable=True),
    Column("tags", JSONDoc, nullable=True),
    Column("region_id", String(64), nullable=True),
    Column("doc", Text, nullable=False),
)

t = thing.c

THING = TmfResource(
    name="thing",
    type_name="Thing",
    base_path="/tmf-api/kitTest/v4",
    path="/thing",
    table=thing,
    id_column=t.id,
    document_column=t.doc,
    attrs=(
        ColumnAttr("name", column=t.name),
        ColumnAttr("score", column=t.score, kind=Kind.INTEGER),
        ColumnAttr("ratio", column=t.ratio, kind=Kind.NUMBER),
        ColumnAttr("flag", column=t.flag, kind=Kind.BOOLEAN),
        ColumnAttr("validFor.startDateTime", column=t.starts, kind=Kind.DATETIME),
        ColumnAttr("validFor.endDateTime", column=t.ends, kind=Kind.DATETIME),
        MoneyAttr("price", unit_column=t.price_unit, minor_column=t.price_minor),
        JsonAttr("relatedParty", column=t.parties, keys=frozenset({"id", "role", "name"})),
        JsonAttr("tags", column=t.tags),
        ColumnAttr("regionId", column=t.region_id),
    ),
    base_type="Entity",
    schema_location="https://example.org/Thing.schema.json",
)

BASE_URL = "http://testserver"
T0 = datetime(2024, 3, 1, 8, 30, tzinfo=UTC)
ROLES = ["customer", "owner", "payer"]
NAMES = ["alpha", "bravo", "charlie", "delta", "echo"]


def make_things(n: int = 24) -> list[dict[str, Any]]:
    """Deterministic rows covering NULLs, several currencies, nested arrays and
    JSON values of several types (numbers, numeric strings, booleans)."""
    rows = []
    for i in range(n):
        row: dict[str, Any] = {
            "id": f"{i:08x}-0000-7000-8000-000000000000",
            "name": NAMES[i % len(NAMES)] + ("" if i % 3 else "x"),
            "score": None if i % 7 == 3 else (i * 37) % 50,
            "ratio": None if i % 5 == 1 else Decimal((i * 125) % 3000) / 1000,
            "flag": None if i % 4 == 2 else i % 2 == 0,
            "starts": None if i % 6 == 5 else T0 + timedelta(hours=i, milliseconds=i * 7),
            "ends": T0 + timedelta(days=i % 4) if i % 2 else None,
            "price_unit": None if i % 8 == 7 else ("JPY" if i % 3 == 0 else "CNY"),
            "price_minor": None if i % 8 == 7 else (i * 911) % 5000,
            "parties": None
            if i % 9 == 4
            else [
                {"id": f"p{(i + k) % 6}", "role": ROLES[(i + k) % 3], "name": f"Party {i % 4}"}
                for k in range(1 + i % 3)
            ],
            "tags": [
                i % 10,
                str(i % 4),
                i % 3 == 0,
                ["nested", str(i % 2)],
                {"k": i % 5},
            ][: 1 + i % 5]
            if i % 5
            else None,
            "region_id": None if i % 4 == 0 else f"r{i % 3}",
        }
        row["doc"] = THING.render_document(row)
        rows.append(row)
    return rows


@pytest.fixture
def kit_session(database: Database) -> Iterator[Session]:
    """A session with the kit test table created (and rolled back afterwards)."""
    with database.session() as s:
        metadata.create_all(s.connection())
        yield s


@pytest.fixture
def things(kit_session: Session) -> list[dict[str, Any]]:
    rows = make_things()
    kit_session.execute(insert(thing), rows)
    return rows
