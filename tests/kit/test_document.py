"""The stored representation follows the row through ORM inserts and updates."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import orjson
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from openboss.db import Database, UTCDateTime
from openboss.kit.clock import FrozenClock, set_clock, utcnow
from openboss.kit.money import minor_digits
from openboss.kit.tmf.attributes import ColumnAttr, Kind, MoneyAttr, minor_to_text
from openboss.kit.tmf.resource import TmfResource


class _Base(DeclarativeBase):
    metadata = MetaData()


class Widget(_Base):
    __tablename__ = "kit_test_widget"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    label: Mapped[str] = mapped_column(String(32), default="unnamed")
    size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    made: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    price_unit: Mapped[str | None] = mapped_column(String(3), nullable=True)
    price_minor: Mapped[int | None] = mapped_column(Integer, nullable=True)
    doc: Mapped[str] = mapped_column(Text)


_c = Widget.__table__.c
WIDGET = TmfResource(
    name="widget",
    type_name="Widget",
    base_path="/tmf-api/kitTest/v4",
    path="/widget",
    table=Widget.__table__,
    id_column=_c.id,
    document_column=_c.doc,
    attrs=(
        ColumnAttr("label", column=_c.label),
        ColumnAttr("size", column=_c.size, kind=Kind.INTEGER),
        ColumnAttr("madeAt", column=_c.made, kind=Kind.DATETIME),
        MoneyAttr("price", unit_column=_c.price_unit, minor_column=_c.price_minor),
    ),
)
WIDGET.keep_document(Widget)


def test_document_is_written_on_insert_and_refreshed_on_update(database: Database) -> None:
    set_clock(FrozenClock(datetime(2024, 6, 1, 12, 0, 0, 123456, tzinfo=UTC)))
    try:
        with database.session() as s:
            _Base.metadata.create_all(s.connection())
            w = Widget(id="w1", size=3)
            s.add(w)
            s.flush()
            # column defaults are applied before rendering, and stored as rendered
            assert w.label == "unnamed"
            assert orjson.loads(w.doc) == {
                "label": "unnamed", "size": 3, "madeAt": "2024-06-01T12:00:00.123Z",
                "@type": "Widget",
            }  # fmt: skip
            w.size = None
            w.price_unit, w.price_minor = "CNY", 1999
            s.flush()
            s.expire_all()
            fresh = s.get(Widget, "w1")
            assert fresh is not None
            assert orjson.loads(fresh.doc) == {
                "label": "unnamed", "madeAt": "2024-06-01T12:00:00.123Z",
                "price": {"unit": "CNY", "value": 19.99}, "@type": "Widget",
            }  # fmt: skip
            assert '"value":19.99' in fresh.doc
    finally:
        set_clock(None)


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(["CNY", "JPY", "USD"]))
def test_minor_units_render_as_the_exact_decimal(minor: int, currency: str) -> None:
    text = minor_to_text(minor, currency)
    assert Decimal(text) == Decimal(minor).scaleb(-minor_digits(currency))
    assert text.count(".") == (1 if minor_digits(currency) else 0)
