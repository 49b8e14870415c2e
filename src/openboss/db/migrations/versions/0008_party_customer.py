"""party: customer tables

Parties (individual, organization), their identification and contact keys,
customers, customer addresses, blacklist.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import openboss.db.types
from openboss.kit.tmf.counts import drop_version_trigger, install_version_trigger

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_TS = openboss.db.types.UTCDateTime


def _gin(batch_op: object, table: str, column: str) -> None:
    # GIN (jsonb_path_ops) on PostgreSQL for jsonpath filters; a plain index on SQLite
    batch_op.create_index(  # type: ignore[attr-defined]
        f"ix_{table}_{column}_gin",
        [column],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={column: "jsonb_path_ops"},
    )


def upgrade() -> None:
    op.create_table(
        "individual",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("given_name", sa.String(length=128), nullable=False),
        sa.Column("family_name", sa.String(length=128), nullable=False),
        sa.Column("middle_name", sa.String(length=128), nullable=True),
        sa.Column("full_name", sa.String(length=256), nullable=False),
        sa.Column("formatted_name", sa.String(length=256), nullable=False),
        sa.Column("legal_name", sa.String(length=256), nullable=True),
        sa.Column("title", sa.String(length=64), nullable=True),
        sa.Column("search_name", sa.String(length=256), nullable=False),
        sa.Column("gender", sa.String(length=16), nullable=True),
        sa.Column("birth_date", sa.String(length=10), nullable=True),
        sa.Column("nationality", sa.String(length=64), nullable=True),
        sa.Column("marital_status", sa.String(length=32), nullable=True),
        sa.Column("contact_medium", _JSON, nullable=True),
        sa.Column("individual_identification", _JSON, nullable=True),
        sa.Column("external_reference", _JSON, nullable=True),
        sa.Column("party_characteristic", _JSON, nullable=True),
        sa.Column("related_party", _JSON, nullable=True),
        sa.Column("created_at", _TS(timezone=True), nullable=False),
        sa.Column("updated_at", _TS(timezone=True), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_individual")),
    )
    with op.batch_alter_table("individual", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_individual_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_individual_status"), ["status"], unique=False)
        batch_op.create_index("ix_individual_search_name_id", ["search_name", "id"], unique=False)
        _gin(batch_op, "individual", "external_reference")

    op.create_table(
        "organization",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("trading_name", sa.String(length=256), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=True),
        sa.Column("name_type", sa.String(length=64), nullable=True),
        sa.Column("organization_type", sa.String(length=64), nullable=True),
        sa.Column("is_legal_entity", sa.Boolean(), nullable=True),
        sa.Column("is_head_office", sa.Boolean(), nullable=True),
        sa.Column("search_name", sa.String(length=256), nullable=False),
        sa.Column("contact_medium", _JSON, nullable=True),
        sa.Column("organization_identification", _JSON, nullable=True),
        sa.Column("external_reference", _JSON, nullable=True),
        sa.Column("party_characteristic", _JSON, nullable=True),
        sa.Column("related_party", _JSON, nullable=True),
        sa.Column("created_at", _TS(timezone=True), nullable=False),
        sa.Column("updated_at", _TS(timezone=True), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization")),
    )
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organization_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_organization_status"), ["status"], unique=False)
        batch_op.create_index("ix_organization_search_name_id", ["search_name", "id"], unique=False)
        _gin(batch_op, "organization", "external_reference")

    op.create_table(
        "party_identification_key",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("id_type", sa.String(length=64), nullable=False),
        sa.Column("id_number", sa.String(length=128), nullable=False),
        sa.Column("party_id", sa.String(length=36), nullable=False),
        sa.Column("party_kind", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_identification_key")),
        sa.UniqueConstraint(
            "id_type", "id_number", name=op.f("uq_party_identification_key_id_type_id_number")
        ),
    )
    with op.batch_alter_table("party_identification_key", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_party_identification_key_id_number"), ["id_number"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_party_identification_key_party_id"), ["party_id"], unique=False
        )

    op.create_table(
        "party_contact_key",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.Column("party_id", sa.String(length=36), nullable=False),
        sa.Column("party_kind", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_contact_key")),
    )
    with op.batch_alter_table("party_contact_key", schema=None) as batch_op:
        batch_op.create_index("ix_party_contact_key_kind_value", ["kind", "value"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_party_contact_key_party_id"), ["party_id"], unique=False
        )

    op.create_table(
        "customer",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column(
            "search_name",
            sa.String(length=256).with_variant(sa.String(length=256, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("status_reason", sa.String(length=512), nullable=True),
        sa.Column("customer_type", sa.String(length=32), nullable=False),
        sa.Column("grade", sa.String(length=32), nullable=True),
        sa.Column("segment", sa.String(length=64), nullable=True),
        sa.Column("engaged_party_id", sa.String(length=36), nullable=False),
        sa.Column("engaged_party_type", sa.String(length=16), nullable=False),
        sa.Column("engaged_party_name", sa.String(length=256), nullable=True),
        sa.Column("contact_medium", _JSON, nullable=True),
        sa.Column("related_party", _JSON, nullable=True),
        sa.Column("characteristic", _JSON, nullable=True),
        sa.Column("account", _JSON, nullable=True),
        sa.Column("place", _JSON, nullable=True),
        sa.Column("valid_from", _TS(timezone=True), nullable=True),
        sa.Column("valid_to", _TS(timezone=True), nullable=True),
        sa.Column("created_at", _TS(timezone=True), nullable=False),
        sa.Column("updated_at", _TS(timezone=True), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer")),
    )
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_customer_customer_type"), ["customer_type"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_customer_engaged_party_id"), ["engaged_party_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_customer_grade"), ["grade"], unique=False)
        batch_op.create_index(batch_op.f("ix_customer_region_id"), ["region_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_customer_segment"), ["segment"], unique=False)
        batch_op.create_index("ix_customer_status_created", ["status", "created_at"], unique=False)
        # name prefix search: search_name has the "C" collation on PostgreSQL,
        # so these serve LIKE 'x%' and ORDER BY search_name alike
        batch_op.create_index("ix_customer_search_name_id", ["search_name", "id"], unique=False)
        batch_op.create_index(
            "ix_customer_region_search_name", ["region_id", "search_name"], unique=False
        )
        _gin(batch_op, "customer", "related_party")
        _gin(batch_op, "customer", "characteristic")

    op.create_table(
        "customer_address",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("address_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_customer_address_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_address")),
        sa.UniqueConstraint(
            "customer_id",
            "address_id",
            "role",
            name=op.f("uq_customer_address_customer_id_address_id_role"),
        ),
    )
    with op.batch_alter_table("customer_address", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_address_address_id"), ["address_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_customer_address_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "party_blacklist",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("party_id", sa.String(length=36), nullable=True),
        sa.Column("party_kind", sa.String(length=16), nullable=True),
        sa.Column("document_type", sa.String(length=64), nullable=True),
        sa.Column("document_number", sa.String(length=128), nullable=True),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("listed_by", sa.String(length=128), nullable=False),
        sa.Column("listed_at", _TS(timezone=True), nullable=False),
        sa.Column("lifted_at", _TS(timezone=True), nullable=True),
        sa.Column("lifted_by", sa.String(length=128), nullable=True),
        sa.Column("lift_reason", sa.String(length=1000), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_blacklist")),
    )
    with op.batch_alter_table("party_blacklist", schema=None) as batch_op:
        batch_op.create_index(
            "ix_party_blacklist_document", ["document_type", "document_number"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_party_blacklist_listed_at"), ["listed_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_party_blacklist_party_id"), ["party_id"], unique=False)

    for table in ("individual", "organization", "customer"):
        install_version_trigger(op, table)


def downgrade() -> None:
    for table in ("customer", "organization", "individual"):
        drop_version_trigger(op, table)
    op.drop_table("party_blacklist")
    op.drop_table("customer_address")
    op.drop_table("customer")
    op.drop_table("party_contact_key")
    op.drop_table("party_identification_key")
    op.drop_table("organization")
    op.drop_table("individual")
