"""The ``sample_item`` table and its TMF representation.

The table and the declaration of how a row is represented (:data:`RESOURCE`)
live together: the stored representation (``doc``) is refreshed from the
declaration on every flush, so the two cannot drift apart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openboss.db.base import Base
from openboss.db.types import JSONDoc, UTCDateTime
from openboss.kit.scope import PartnerScoped, RegionScoped
from openboss.kit.tmf.attributes import ColumnAttr, JsonAttr, Kind, MoneyAttr
from openboss.kit.tmf.resource import TmfResource

BASE_PATH = "/tmf-api/openbossSample/v4"
TYPE_NAME = "SampleItem"


class SampleItem(RegionScoped, PartnerScoped, Base):
    """A sample item: named, counted, priced, valid for a period, related to
    parties and described by characteristics — the attribute shapes TMF
    resources share — with a small lifecycle.

    Scalars live in columns (filters and sorts use indexes); the TMF
    ``TimePeriod`` ``validFor`` is two columns; the TMF ``Money`` ``price`` is a
    currency and integer minor units; ``relatedParty`` and ``characteristic``
    are JSON documents (JSONB with a GIN ``jsonb_path_ops`` index on
    PostgreSQL); ``doc`` is the stored representation read by the API.
    """

    __tablename__ = "sample_item"
    __audited__ = True
    __audit_exclude__ = frozenset({"doc"})
    __table_args__ = (
        Index("ix_sample_item_state_created", "state", "created_at"),
        Index("ix_sample_item_name_id", "name", "id"),
        # jsonpath filters (``@?``) use these on PostgreSQL; SQLite, which has no
        # GIN, gets a plain index (one schema for both databases and migrations)
        Index(
            "ix_sample_item_related_party_gin",
            "related_party",
            postgresql_using="gin",
            postgresql_ops={"related_party": "jsonb_path_ops"},
        ),
        Index(
            "ix_sample_item_characteristic_gin",
            "characteristic",
            postgresql_using="gin",
            postgresql_ops={"characteristic": "jsonb_path_ops"},
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    state: Mapped[str] = mapped_column(String(32), nullable=False)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    price_unit: Mapped[str | None] = mapped_column(String(3), nullable=True)
    price_minor: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), nullable=True, index=True
    )
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    related_party: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    characteristic: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    #: The stored TMF representation (without id and href), kept by RESOURCE.
    doc: Mapped[str] = mapped_column(Text, nullable=False)


_t = SampleItem.__table__.c

RESOURCE = TmfResource(
    name="sampleItem",
    type_name=TYPE_NAME,
    base_path=BASE_PATH,
    path="/sampleItem",
    table=SampleItem.__table__,
    id_column=_t.id,
    document_column=_t.doc,
    attrs=(
        ColumnAttr("name", column=_t.name),
        ColumnAttr("description", column=_t.description, sortable=False),
        ColumnAttr("state", column=_t.state),
        ColumnAttr("quantity", column=_t.quantity, kind=Kind.INTEGER),
        MoneyAttr("price", unit_column=_t.price_unit, minor_column=_t.price_minor),
        ColumnAttr("validFor.startDateTime", column=_t.valid_from, kind=Kind.DATETIME),
        ColumnAttr("validFor.endDateTime", column=_t.valid_to, kind=Kind.DATETIME),
        JsonAttr(
            "relatedParty",
            column=_t.related_party,
            keys=frozenset({"id", "href", "name", "role", "@referredType"}),
        ),
        JsonAttr(
            "characteristic",
            column=_t.characteristic,
            keys=frozenset({"id", "name", "valueType", "value"}),
        ),
        ColumnAttr("regionId", column=_t.region_id),
        ColumnAttr("partnerId", column=_t.partner_id),
        ColumnAttr("creationDate", column=_t.created_at, kind=Kind.DATETIME, read_only=True),
        ColumnAttr("lastUpdate", column=_t.updated_at, kind=Kind.DATETIME, read_only=True),
    ),
    # Row scope does not move once an item exists.
    extra_read_only=frozenset({"regionId", "partnerId"}),
    # Exact totals cached between changes (migration 0005 installs the trigger).
    versioned_count=True,
)
RESOURCE.keep_document(SampleItem)
