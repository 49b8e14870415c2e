"""fulfilment: activation platform and FreeRADIUS tables

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-22 04:20:00

The FreeRADIUS rlm_sql tables keep the column names of FreeRADIUS' stock
schema (mods-config/sql/main/{sqlite,postgresql}/schema.sql).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import openboss.db.types

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_TS = openboss.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "activation_call",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("element", sa.String(length=16), nullable=False),
        sa.Column("command", sa.String(length=16), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("params", _JSON, nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("at", _TS, nullable=False),
        sa.CheckConstraint(
            "outcome IN ('done', 'unchanged', 'failed', 'undone')",
            name=op.f("ck_activation_call_outcome"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activation_call")),
    )
    op.create_index(
        "ix_activation_call_service", "activation_call", ["service_id", "seq"], unique=False
    )
    op.create_table(
        "activation_element",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("element", sa.String(length=16), nullable=False),
        sa.Column("identifier", sa.String(length=128), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("data", _JSON, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'suspended')", name=op.f("ck_activation_element_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activation_element")),
        sa.UniqueConstraint(
            "element", "identifier", name=op.f("uq_activation_element_element_identifier")
        ),
    )
    op.create_index(
        op.f("ix_activation_element_service_id"), "activation_element", ["service_id"], unique=False
    )
    op.create_table(
        "activation_failure",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("element", sa.String(length=16), nullable=False),
        sa.Column("command", sa.String(length=16), nullable=False),
        sa.Column("remaining", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activation_failure")),
        sa.UniqueConstraint(
            "element", "command", name=op.f("uq_activation_failure_element_command")
        ),
    )
    op.create_table(
        "activation_monitor",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=True),
        sa.Column("source_href", sa.String(length=512), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("request", _JSON, nullable=False),
        sa.Column("response", _JSON, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "state IN ('InProgress', 'InError', 'Completed')",
            name=op.f("ck_activation_monitor_state"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activation_monitor")),
    )
    op.create_index(
        op.f("ix_activation_monitor_service_id"), "activation_monitor", ["service_id"], unique=False
    )
    op.create_table(
        "activation_request",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("command", sa.String(length=16), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("elements", _JSON, nullable=False),
        sa.Column("result", _JSON, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activation_request")),
        sa.UniqueConstraint("key", name=op.f("uq_activation_request_key")),
    )
    op.create_index(
        op.f("ix_activation_request_service_id"), "activation_request", ["service_id"], unique=False
    )
    op.create_table(
        "activation_service",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("service_type", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("specification", _JSON, nullable=False),
        sa.Column("characteristic", _JSON, nullable=True),
        sa.Column("related_party", _JSON, nullable=True),
        sa.Column("elements", _JSON, nullable=False),
        sa.Column("start_date", _TS, nullable=True),
        sa.Column("end_date", _TS, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "state IN ('feasibilityChecked', 'designed', 'reserved', 'inactive', 'active', 'terminated')",
            name=op.f("ck_activation_service_state"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activation_service")),
    )
    op.create_index(
        op.f("ix_activation_service_state"), "activation_service", ["state"], unique=False
    )
    op.create_table(
        "nas",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("nasname", sa.String(length=128), nullable=False),
        sa.Column("shortname", sa.String(length=32), nullable=True),
        sa.Column("type", sa.String(length=30), nullable=True),
        sa.Column("ports", sa.Integer(), nullable=True),
        sa.Column("secret", sa.String(length=60), nullable=False),
        sa.Column("server", sa.String(length=64), nullable=True),
        sa.Column("community", sa.String(length=50), nullable=True),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nas")),
    )
    op.create_index(op.f("ix_nas_nasname"), "nas", ["nasname"], unique=False)
    op.create_table(
        "nasreload",
        sa.Column("nasipaddress", sa.String(length=45), nullable=False),
        sa.Column("reloadtime", _TS, nullable=False),
        sa.PrimaryKeyConstraint("nasipaddress", name=op.f("pk_nasreload")),
    )
    op.create_table(
        "radacct",
        sa.Column("radacctid", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("acctsessionid", sa.String(length=64), nullable=False),
        sa.Column("acctuniqueid", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("realm", sa.String(length=64), nullable=True),
        sa.Column("nasipaddress", sa.String(length=45), nullable=False),
        sa.Column("nasportid", sa.String(length=32), nullable=True),
        sa.Column("nasporttype", sa.String(length=32), nullable=True),
        sa.Column("acctstarttime", _TS, nullable=True),
        sa.Column("acctupdatetime", _TS, nullable=True),
        sa.Column("acctstoptime", _TS, nullable=True),
        sa.Column("acctinterval", sa.BigInteger(), nullable=True),
        sa.Column("acctsessiontime", sa.BigInteger(), nullable=True),
        sa.Column("acctauthentic", sa.String(length=32), nullable=True),
        sa.Column("connectinfo_start", sa.String(length=128), nullable=True),
        sa.Column("connectinfo_stop", sa.String(length=128), nullable=True),
        sa.Column("acctinputoctets", sa.BigInteger(), nullable=True),
        sa.Column("acctoutputoctets", sa.BigInteger(), nullable=True),
        sa.Column("calledstationid", sa.String(length=50), nullable=True),
        sa.Column("callingstationid", sa.String(length=50), nullable=True),
        sa.Column("acctterminatecause", sa.String(length=32), nullable=True),
        sa.Column("servicetype", sa.String(length=32), nullable=True),
        sa.Column("framedprotocol", sa.String(length=32), nullable=True),
        sa.Column("framedipaddress", sa.String(length=45), nullable=True),
        sa.Column("framedipv6address", sa.String(length=45), nullable=True),
        sa.Column("framedipv6prefix", sa.String(length=45), nullable=True),
        sa.Column("framedinterfaceid", sa.String(length=44), nullable=True),
        sa.Column("delegatedipv6prefix", sa.String(length=45), nullable=True),
        sa.Column("class", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("radacctid", name=op.f("pk_radacct")),
        sa.UniqueConstraint("acctuniqueid", name=op.f("uq_radacct_acctuniqueid")),
    )
    op.create_index("ix_radacct_open", "radacct", ["username", "acctstoptime"], unique=False)
    op.create_table(
        "radcheck",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("attribute", sa.String(length=64), nullable=False),
        sa.Column("op", sa.String(length=2), nullable=False),
        sa.Column("value", sa.String(length=253), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_radcheck")),
    )
    op.create_index(op.f("ix_radcheck_username"), "radcheck", ["username"], unique=False)
    op.create_table(
        "radgroupcheck",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("groupname", sa.String(length=64), nullable=False),
        sa.Column("attribute", sa.String(length=64), nullable=False),
        sa.Column("op", sa.String(length=2), nullable=False),
        sa.Column("value", sa.String(length=253), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_radgroupcheck")),
    )
    op.create_index(
        op.f("ix_radgroupcheck_groupname"), "radgroupcheck", ["groupname"], unique=False
    )
    op.create_table(
        "radgroupreply",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("groupname", sa.String(length=64), nullable=False),
        sa.Column("attribute", sa.String(length=64), nullable=False),
        sa.Column("op", sa.String(length=2), nullable=False),
        sa.Column("value", sa.String(length=253), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_radgroupreply")),
    )
    op.create_index(
        op.f("ix_radgroupreply_groupname"), "radgroupreply", ["groupname"], unique=False
    )
    op.create_table(
        "radpostauth",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("pass", sa.String(length=64), nullable=False),
        sa.Column("reply", sa.String(length=32), nullable=False),
        sa.Column("calledstationid", sa.String(length=50), nullable=True),
        sa.Column("callingstationid", sa.String(length=50), nullable=True),
        sa.Column("authdate", sa.String(length=32), nullable=False),
        sa.Column("class", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_radpostauth")),
    )
    op.create_index(op.f("ix_radpostauth_username"), "radpostauth", ["username"], unique=False)
    op.create_table(
        "radreply",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("attribute", sa.String(length=64), nullable=False),
        sa.Column("op", sa.String(length=2), nullable=False),
        sa.Column("value", sa.String(length=253), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_radreply")),
    )
    op.create_index(op.f("ix_radreply_username"), "radreply", ["username"], unique=False)
    op.create_table(
        "radusergroup",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("groupname", sa.String(length=64), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_radusergroup")),
    )
    op.create_index(op.f("ix_radusergroup_username"), "radusergroup", ["username"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_radusergroup_username"), table_name="radusergroup")
    op.drop_table("radusergroup")
    op.drop_index(op.f("ix_radreply_username"), table_name="radreply")
    op.drop_table("radreply")
    op.drop_index(op.f("ix_radpostauth_username"), table_name="radpostauth")
    op.drop_table("radpostauth")
    op.drop_index(op.f("ix_radgroupreply_groupname"), table_name="radgroupreply")
    op.drop_table("radgroupreply")
    op.drop_index(op.f("ix_radgroupcheck_groupname"), table_name="radgroupcheck")
    op.drop_table("radgroupcheck")
    op.drop_index(op.f("ix_radcheck_username"), table_name="radcheck")
    op.drop_table("radcheck")
    op.drop_index("ix_radacct_open", table_name="radacct")
    op.drop_table("radacct")
    op.drop_table("nasreload")
    op.drop_index(op.f("ix_nas_nasname"), table_name="nas")
    op.drop_table("nas")
    op.drop_index(op.f("ix_activation_service_state"), table_name="activation_service")
    op.drop_table("activation_service")
    op.drop_index(op.f("ix_activation_request_service_id"), table_name="activation_request")
    op.drop_table("activation_request")
    op.drop_index(op.f("ix_activation_monitor_service_id"), table_name="activation_monitor")
    op.drop_table("activation_monitor")
    op.drop_table("activation_failure")
    op.drop_index(op.f("ix_activation_element_service_id"), table_name="activation_element")
    op.drop_table("activation_element")
    op.drop_index("ix_activation_call_service", table_name="activation_call")
    op.drop_table("activation_call")
