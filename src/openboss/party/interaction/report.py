"""The contact report of customer interface management (eTOM 1.1.1.2): how
many contacts came in per period, channel, reason and outcome.

Counted in SQL on both databases. Periods are local days, weeks (starting
Monday) or months in :data:`REPORT_TIMEZONE` (Asia/Shanghai, the console's
time zone): PostgreSQL converts with ``AT TIME ZONE 'Asia/Shanghai'``;
SQLite, which has no time zone database, adds the zone's UTC offset — the
same thing, because China has kept UTC+8 without daylight saving since 1991.
A contact counts in the period its ``interactionDate.startDateTime`` falls in;
an open contact has no outcome (``None``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, String, cast, func, literal_column, select
from sqlalchemy.orm import Session

from openboss.kit.errors import ValidationFailed
from openboss.kit.scope import Scope, apply_scope
from openboss.party.interaction.models import PartyInteraction

REPORT_TIMEZONE: Final = "Asia/Shanghai"
PERIODS: Final[tuple[str, ...]] = ("day", "week", "month")
Period = Literal["day", "week", "month"]

_t = PartyInteraction.__table__.c


@dataclass(frozen=True, slots=True)
class ReportRow:
    """Contacts in one period (its first local day, ``YYYY-MM-DD``) for one
    channel, reason and outcome."""

    period: str
    channel: str
    reason: str
    outcome: str | None
    count: int


def _bucket(dialect: str, period: str, at: datetime) -> ColumnElement[Any]:
    """The first local day of the period of ``start_at``, as ``YYYY-MM-DD`` text."""
    if dialect == "postgresql":
        local = func.timezone(literal_column(f"'{REPORT_TIMEZONE}'"), _t.start_at)
        truncated = func.date_trunc(literal_column(f"'{period}'"), local)
        return func.to_char(truncated, literal_column("'YYYY-MM-DD'"))
    offset = ZoneInfo(REPORT_TIMEZONE).utcoffset(at.replace(tzinfo=None))
    hours = int(offset.total_seconds() // 3600) if offset is not None else 0
    shift: ColumnElement[str] = literal_column(f"'{hours:+d} hours'")
    if period == "day":
        return func.strftime(literal_column("'%Y-%m-%d'"), _t.start_at, shift)
    if period == "week":
        # to the coming Sunday (or today), then back six days: the Monday
        return func.date(
            _t.start_at, shift, literal_column("'weekday 0'"), literal_column("'-6 days'")
        )
    return func.strftime(literal_column("'%Y-%m-01'"), _t.start_at, shift)


def contact_report(
    session: Session,
    scope: Scope,
    *,
    period: str,
    start: datetime,
    end: datetime,
) -> list[ReportRow]:
    """Contacts that started in ``[start, end)`` by period, channel, reason and
    outcome, in the caller's scope, ordered by those keys."""
    if period not in PERIODS:
        raise ValidationFailed(f"period must be one of {', '.join(PERIODS)}", field="period")
    if start.tzinfo is None or end.tzinfo is None:
        raise ValidationFailed("start and end need a time zone", field="start")
    if end <= start:
        raise ValidationFailed("end must be after start", field="end")
    dialect = session.get_bind().dialect.name
    bucket = cast(_bucket(dialect, period, start.astimezone(UTC)), String).label("period")
    count = func.count().label("count")
    stmt = (
        select(bucket, _t.channel, _t.reason_code, _t.outcome, count)
        .where(_t.start_at >= start, _t.start_at < end)
        .group_by(bucket, _t.channel, _t.reason_code, _t.outcome)
    )
    stmt = apply_scope(stmt, _t, scope)
    rows = session.execute(stmt).all()
    out = [ReportRow(str(p), c, r, o, int(n)) for p, c, r, o, n in rows]
    out.sort(key=lambda r: (r.period, r.channel, r.reason, r.outcome or ""))
    return out


def report_csv(
    rows: Sequence[ReportRow],
    *,
    reason_label: Any = None,
    headers: Sequence[str] = ("period", "channel", "reason", "outcome", "count"),
) -> str:
    """The report as CSV text (UTF-8 with a BOM when opened by spreadsheet tools
    is the caller's business)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        reason = reason_label(row.reason) if reason_label else row.reason
        writer.writerow([row.period, row.channel, reason, row.outcome or "", row.count])
    return buffer.getvalue()
