"""party: address tables (geographic_site, geographic_address, geographic_address_validation)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import openboss.db.types
from openboss.kit.tmf.counts import drop_version_trigger, install_version_trigger

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _utc() -> openboss.db.types.UTCDateTime:
    return openboss.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "geographic_site",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("province", sa.String(length=64), nullable=False),
        sa.Column("city", sa.String(length=64), nullable=False),
        sa.Column("district", sa.String(length=64), nullable=False),
        sa.Column("street", sa.String(length=64), nullable=True),
        sa.Column("road", sa.String(length=128), nullable=True),
        sa.Column("road_number", sa.String(length=32), nullable=True),
        sa.Column("compound", sa.String(length=128), nullable=True),
        sa.Column("building", sa.String(length=64), nullable=True),
        sa.Column("postcode", sa.String(length=16), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("place", _JSON, nullable=True),
        sa.Column("norm_key", sa.String(length=512), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "status IN ('planned', 'active', 'retired')", name=op.f("ck_geographic_site_status")
        ),
        sa.CheckConstraint(
            "latitude IS NULL OR (latitude >= -90 AND latitude <= 90)",
            name=op.f("ck_geographic_site_lat"),
        ),
        sa.CheckConstraint(
            "longitude IS NULL OR (longitude >= -180 AND longitude <= 180)",
            name=op.f("ck_geographic_site_lon"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_geographic_site")),
        sa.UniqueConstraint("norm_key", name=op.f("uq_geographic_site_norm_key")),
    )
    with op.batch_alter_table("geographic_site", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_geographic_site_code"), ["code"], unique=False)
        batch_op.create_index("ix_geographic_site_name_id", ["name", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_geographic_site_region_id"), ["region_id"], unique=False
        )

    op.create_table(
        "geographic_address",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=True),
        sa.Column("unit", sa.String(length=32), nullable=True),
        sa.Column("floor", sa.String(length=16), nullable=True),
        sa.Column("room", sa.String(length=32), nullable=True),
        sa.Column("province", sa.String(length=64), nullable=False),
        sa.Column("city", sa.String(length=64), nullable=False),
        sa.Column("district", sa.String(length=64), nullable=False),
        sa.Column("street", sa.String(length=64), nullable=True),
        sa.Column("road", sa.String(length=128), nullable=True),
        sa.Column("road_number", sa.String(length=32), nullable=True),
        sa.Column("compound", sa.String(length=128), nullable=True),
        sa.Column("postcode", sa.String(length=16), nullable=True),
        sa.Column("location", _JSON, nullable=True),
        sa.Column("sub_address", _JSON, nullable=True),
        sa.Column("norm_key", sa.String(length=600), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["geographic_site.id"],
            name=op.f("fk_geographic_address_site_id_geographic_site"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_geographic_address")),
        sa.UniqueConstraint("norm_key", name=op.f("uq_geographic_address_norm_key")),
    )
    with op.batch_alter_table("geographic_address", schema=None) as batch_op:
        batch_op.create_index(
            "ix_geographic_address_city_locality", ["city", "district"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_geographic_address_name"), ["name"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_geographic_address_region_id"), ["region_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_geographic_address_site_id"), ["site_id"], unique=False
        )

    op.create_table(
        "geographic_address_validation",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("provide_alternative", sa.Boolean(), nullable=False),
        sa.Column("validation_date", _utc(), nullable=False),
        sa.Column("validation_result", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("submitted", _JSON, nullable=False),
        sa.Column("valid", _JSON, nullable=True),
        sa.Column("alternates", _JSON, nullable=True),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_geographic_address_validation")),
    )
    with op.batch_alter_table("geographic_address_validation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_geographic_address_validation_region_id"), ["region_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_geographic_address_validation_validation_date"),
            ["validation_date"],
            unique=False,
        )

    install_version_trigger(op, "geographic_site")
    install_version_trigger(op, "geographic_address")


def downgrade() -> None:
    drop_version_trigger(op, "geographic_address")
    drop_version_trigger(op, "geographic_site")
    with op.batch_alter_table("geographic_address_validation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_geographic_address_validation_validation_date"))
        batch_op.drop_index(batch_op.f("ix_geographic_address_validation_region_id"))
    op.drop_table("geographic_address_validation")
    with op.batch_alter_table("geographic_address", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_geographic_address_site_id"))
        batch_op.drop_index(batch_op.f("ix_geographic_address_region_id"))
        batch_op.drop_index(batch_op.f("ix_geographic_address_name"))
        batch_op.drop_index("ix_geographic_address_city_locality")
    op.drop_table("geographic_address")
    with op.batch_alter_table("geographic_site", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_geographic_site_region_id"))
        batch_op.drop_index("ix_geographic_site_name_id")
        batch_op.drop_index(batch_op.f("ix_geographic_site_code"))
    op.drop_table("geographic_site")
