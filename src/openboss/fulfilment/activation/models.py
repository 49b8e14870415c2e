"""Tables of the activation platform (eTOM 1.3.2.3 "Implement, Configure & Activate Service").

Three groups:

* the platform's own records: ``activation_request`` (one row per executed
  request, keyed by its idempotency key, holding the stored result),
  ``activation_call`` (one row per element command: the call log),
  ``activation_failure`` (failures injected into simulators);
* the simulated network elements' state: ``activation_element`` (HLR/HSS
  subscribers, OLT ONT registrations, IMS IMPUs);
* the FreeRADIUS ``rlm_sql`` tables (``radcheck``, ``radreply``,
  ``radgroupcheck``, ``radgroupreply``, ``radusergroup``, ``radacct``,
  ``radpostauth``, ``nas``, ``nasreload``) with the column names of
  FreeRADIUS' stock schema, so that a FreeRADIUS server configured by
  ``openboss radius-config`` reads and writes them in the OpenBOSS database;
* TMF640 ``activation_service`` and ``activation_monitor``.

The ``radacct`` time columns are written by FreeRADIUS itself (on SQLite as
epoch integers): OpenBOSS only ever selects ``radacctid``/``username`` from it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openboss.db.base import Base
from openboss.db.types import JSONDoc, UTCDateTime
from openboss.kit.tmf.attributes import ColumnAttr, JsonAttr, Kind
from openboss.kit.tmf.resource import TmfResource

#: The TMF640 v4 base path (the specification's ``basePath``).
BASE_PATH = "/tmf-api/ServiceActivationAndConfiguration/v4"

ELEMENTS = ("olt", "radius", "hlr", "ims")
COMMANDS = ("activate", "modify", "suspend", "resume", "deactivate")


# ---------------------------------------------------------------- platform records


class ActivationRequest(Base):
    """One executed activation request; ``key`` is its idempotency key."""

    __tablename__ = "activation_request"
    __table_args__ = (UniqueConstraint("key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), nullable=False)
    command: Mapped[str] = mapped_column(String(16), nullable=False)
    service_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    elements: Mapped[list[str]] = mapped_column(JSONDoc, nullable=False)
    result: Mapped[dict[str, Any]] = mapped_column(JSONDoc, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class ActivationCall(Base):
    """One command sent to one element (the call log). ``outcome``: ``done`` (an
    effective change), ``unchanged`` (already in that state), ``failed``,
    ``undone`` (the compensating command of a done call)."""

    __tablename__ = "activation_call"
    __table_args__ = (
        CheckConstraint("outcome IN ('done', 'unchanged', 'failed', 'undone')", name="outcome"),
        Index("ix_activation_call_service", "service_id", "seq"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    #: Monotonic within the database (UUIDv7 ids sort by time, seq breaks ties).
    seq: Mapped[int] = mapped_column(BigInteger, nullable=False)
    element: Mapped[str] = mapped_column(String(16), nullable=False)
    command: Mapped[str] = mapped_column(String(16), nullable=False)
    service_id: Mapped[str] = mapped_column(String(64), nullable=False)
    key: Mapped[str] = mapped_column(String(200), nullable=False)
    params: Mapped[dict[str, Any]] = mapped_column(JSONDoc, nullable=False)
    outcome: Mapped[str] = mapped_column(String(16), nullable=False)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class ActivationFailure(Base):
    """A failure injected into an element command: the next ``remaining`` calls fail."""

    __tablename__ = "activation_failure"
    __table_args__ = (UniqueConstraint("element", "command"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    element: Mapped[str] = mapped_column(String(16), nullable=False)
    command: Mapped[str] = mapped_column(String(16), nullable=False)
    remaining: Mapped[int] = mapped_column(Integer, nullable=False)


class ElementState(Base):
    """The state a simulated element keeps for one entry: an HLR/HSS subscriber
    (identifier = MSISDN), an ONT registration on an OLT (identifier = ONT serial),
    an IMS public identity (identifier = IMPU)."""

    __tablename__ = "activation_element"
    __table_args__ = (
        UniqueConstraint("element", "identifier"),
        CheckConstraint("status IN ('active', 'suspended')", name="status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    element: Mapped[str] = mapped_column(String(16), nullable=False)
    identifier: Mapped[str] = mapped_column(String(128), nullable=False)
    service_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSONDoc, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


# ---------------------------------------------------------------- FreeRADIUS rlm_sql


class RadCheck(Base):
    __tablename__ = "radcheck"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), nullable=False, default="", index=True)
    attribute: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    op: Mapped[str] = mapped_column(String(2), nullable=False, default="==")
    value: Mapped[str] = mapped_column(String(253), nullable=False, default="")


class RadReply(Base):
    __tablename__ = "radreply"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), nullable=False, default="", index=True)
    attribute: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    op: Mapped[str] = mapped_column(String(2), nullable=False, default="=")
    value: Mapped[str] = mapped_column(String(253), nullable=False, default="")


class RadGroupCheck(Base):
    __tablename__ = "radgroupcheck"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    groupname: Mapped[str] = mapped_column(String(64), nullable=False, default="", index=True)
    attribute: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    op: Mapped[str] = mapped_column(String(2), nullable=False, default="==")
    value: Mapped[str] = mapped_column(String(253), nullable=False, default="")


class RadGroupReply(Base):
    __tablename__ = "radgroupreply"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    groupname: Mapped[str] = mapped_column(String(64), nullable=False, default="", index=True)
    attribute: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    op: Mapped[str] = mapped_column(String(2), nullable=False, default="=")
    value: Mapped[str] = mapped_column(String(253), nullable=False, default="")


class RadUserGroup(Base):
    __tablename__ = "radusergroup"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), nullable=False, default="", index=True)
    groupname: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    priority: Mapped[int] = mapped_column(Integer, nullable=False, default=1)


class RadAcct(Base):
    """Accounting sessions, written by FreeRADIUS. Columns that the PostgreSQL
    queries fill with NULL are nullable; inet values arrive as text (``a.b.c.d/32``)."""

    __tablename__ = "radacct"
    __table_args__ = (
        UniqueConstraint("acctuniqueid"),
        Index("ix_radacct_open", "username", "acctstoptime"),
    )

    radacctid: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    acctsessionid: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    acctuniqueid: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    username: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    realm: Mapped[str | None] = mapped_column(String(64), nullable=True, default="")
    nasipaddress: Mapped[str] = mapped_column(String(45), nullable=False, default="")
    nasportid: Mapped[str | None] = mapped_column(String(32), nullable=True)
    nasporttype: Mapped[str | None] = mapped_column(String(32), nullable=True)
    acctstarttime: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    acctupdatetime: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    acctstoptime: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    acctinterval: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    acctsessiontime: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    acctauthentic: Mapped[str | None] = mapped_column(String(32), nullable=True)
    connectinfo_start: Mapped[str | None] = mapped_column(String(128), nullable=True)
    connectinfo_stop: Mapped[str | None] = mapped_column(String(128), nullable=True)
    acctinputoctets: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    acctoutputoctets: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    calledstationid: Mapped[str | None] = mapped_column(String(50), nullable=True, default="")
    callingstationid: Mapped[str | None] = mapped_column(String(50), nullable=True, default="")
    acctterminatecause: Mapped[str | None] = mapped_column(String(32), nullable=True, default="")
    servicetype: Mapped[str | None] = mapped_column(String(32), nullable=True)
    framedprotocol: Mapped[str | None] = mapped_column(String(32), nullable=True)
    framedipaddress: Mapped[str | None] = mapped_column(String(45), nullable=True, default="")
    framedipv6address: Mapped[str | None] = mapped_column(String(45), nullable=True, default="")
    framedipv6prefix: Mapped[str | None] = mapped_column(String(45), nullable=True, default="")
    framedinterfaceid: Mapped[str | None] = mapped_column(String(44), nullable=True, default="")
    delegatedipv6prefix: Mapped[str | None] = mapped_column(String(45), nullable=True, default="")
    class_: Mapped[str | None] = mapped_column("class", String(64), nullable=True)


class RadPostAuth(Base):
    __tablename__ = "radpostauth"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), nullable=False, default="", index=True)
    pass_: Mapped[str] = mapped_column("pass", String(64), nullable=False, default="")
    reply: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    calledstationid: Mapped[str | None] = mapped_column(String(50), nullable=True)
    callingstationid: Mapped[str | None] = mapped_column(String(50), nullable=True)
    authdate: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    class_: Mapped[str | None] = mapped_column("class", String(64), nullable=True)


class Nas(Base):
    """A RADIUS client (NAS/BRAS); also where CoA-Requests for its sessions go
    (``ports`` holds the CoA port, 3799 when NULL)."""

    __tablename__ = "nas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    nasname: Mapped[str] = mapped_column(String(128), nullable=False, index=True)
    shortname: Mapped[str | None] = mapped_column(String(32), nullable=True)
    type: Mapped[str | None] = mapped_column(String(30), nullable=True, default="other")
    ports: Mapped[int | None] = mapped_column(Integer, nullable=True)
    secret: Mapped[str] = mapped_column(String(60), nullable=False, default="secret")
    server: Mapped[str | None] = mapped_column(String(64), nullable=True)
    community: Mapped[str | None] = mapped_column(String(50), nullable=True)
    description: Mapped[str | None] = mapped_column(
        String(200), nullable=True, default="RADIUS Client"
    )


class NasReload(Base):
    __tablename__ = "nasreload"

    nasipaddress: Mapped[str] = mapped_column(String(45), primary_key=True)
    reloadtime: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


# ---------------------------------------------------------------- TMF640


class ActivationService(Base):
    """A service configured on its network elements through TMF640."""

    __tablename__ = "activation_service"
    __audited__ = True
    __audit_exclude__ = frozenset({"doc"})
    __table_args__ = (
        CheckConstraint(
            "state IN ('feasibilityChecked', 'designed', 'reserved', 'inactive', 'active', "
            "'terminated')",
            name="state",
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    category: Mapped[str | None] = mapped_column(String(64), nullable=True)
    service_type: Mapped[str | None] = mapped_column(String(64), nullable=True)
    state: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    specification: Mapped[dict[str, Any]] = mapped_column(JSONDoc, nullable=False)
    characteristic: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    related_party: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    elements: Mapped[list[str]] = mapped_column(JSONDoc, nullable=False)
    start_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    end_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    doc: Mapped[str] = mapped_column(Text, nullable=False)


class ActivationMonitor(Base):
    """The record of one request on a TMF640 service. Requests run synchronously:
    ``Completed``, or ``InError`` when an element failed (the request's changes
    were compensated and rolled back; the monitor is kept)."""

    __tablename__ = "activation_monitor"
    __table_args__ = (
        CheckConstraint("state IN ('InProgress', 'InError', 'Completed')", name="state"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    #: NULL for a create that failed (no service was recorded).
    service_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    source_href: Mapped[str] = mapped_column(String(512), nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    request: Mapped[dict[str, Any]] = mapped_column(JSONDoc, nullable=False)
    response: Mapped[dict[str, Any]] = mapped_column(JSONDoc, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    doc: Mapped[str] = mapped_column(Text, nullable=False)


_REF_KEYS = frozenset({"id", "href", "name", "role", "@referredType"})

_sv = ActivationService.__table__.c
SERVICE_RESOURCE = TmfResource(
    name="service",
    type_name="Service",
    base_path=BASE_PATH,
    path="/service",
    table=ActivationService.__table__,
    id_column=_sv.id,
    document_column=_sv.doc,
    attrs=(
        ColumnAttr("name", column=_sv.name),
        ColumnAttr("description", column=_sv.description, sortable=False),
        ColumnAttr("category", column=_sv.category),
        ColumnAttr("serviceType", column=_sv.service_type),
        ColumnAttr("state", column=_sv.state),
        ColumnAttr("startDate", column=_sv.start_date, kind=Kind.DATETIME),
        ColumnAttr("endDate", column=_sv.end_date, kind=Kind.DATETIME),
        ColumnAttr("serviceDate", column=_sv.created_at, kind=Kind.DATETIME, read_only=True),
        JsonAttr(
            "serviceSpecification",
            column=_sv.specification,
            keys=frozenset({"id", "href", "name", "version", "@referredType"}),
        ),
        JsonAttr(
            "serviceCharacteristic",
            column=_sv.characteristic,
            keys=frozenset({"id", "name", "valueType", "value"}),
        ),
        JsonAttr("relatedParty", column=_sv.related_party, keys=_REF_KEYS),
        # ---- OpenBOSS extension: the elements the service is configured on
        JsonAttr("networkElement", column=_sv.elements, keys=None, read_only=True),
    ),
    default_sort=("-serviceDate",),
)
SERVICE_RESOURCE.keep_document(ActivationService)

_mo = ActivationMonitor.__table__.c
MONITOR_RESOURCE = TmfResource(
    name="monitor",
    type_name="Monitor",
    base_path=BASE_PATH,
    path="/monitor",
    table=ActivationMonitor.__table__,
    id_column=_mo.id,
    document_column=_mo.doc,
    attrs=(
        ColumnAttr("sourceHref", column=_mo.source_href, read_only=True),
        ColumnAttr("state", column=_mo.state, read_only=True),
        JsonAttr(
            "request",
            column=_mo.request,
            keys=frozenset({"body", "method", "to", "header"}),
            read_only=True,
        ),
        JsonAttr(
            "response",
            column=_mo.response,
            keys=frozenset({"body", "statusCode", "header"}),
            read_only=True,
        ),
        ColumnAttr("creationDate", column=_mo.created_at, kind=Kind.DATETIME, read_only=True),
    ),
    default_sort=("-creationDate",),
)
MONITOR_RESOURCE.keep_document(ActivationMonitor)
