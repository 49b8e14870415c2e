"""Number pools: mobile MSISDNs and fixed numbers, graded, searched and reserved.

eTOM 1.5.1 resource management (number inventory) and 1.5.2 resource
provisioning (reserve a number for an order).

A pool is a ``numberPool`` resource; every number is materialised as a
``number`` row (``value`` = the digits, ``grade`` and a ``gradeFee``
characteristic) contained in it, loaded with Core inserts in chunks (the
stored TMF document rendered per row), so 10,000 numbers take a second or
two. Numbers carry the ``number`` spec, whose 90-day quarantine makes the
inventory's generic release rest a released number before reuse.

* MSISDN: 11 digits, ``1`` then ``3``–``9`` (13757100000).
* Fixed: ``0``, an area code and the subscriber number, 10–12 digits
  (057188000000).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from openboss.kit.errors import Conflict, ValidationFailed
from openboss.kit.scope import Scope, apply_scope
from openboss.resource.inventory.lifecycle import claim_free, claim_ids, now
from openboss.resource.inventory.models import LIFECYCLE_STATUSES, Resource, ResourceReservation
from openboss.resource.pools import common, grades
from openboss.resource.pools.specs import NUMBER, NUMBER_POOL

KINDS = ("msisdn", "fixed")
_PATTERNS = {"msisdn": re.compile(r"^1[3-9]\d{9}$"), "fixed": re.compile(r"^0\d{9,11}$")}
_SEARCH = re.compile(r"^[0-9*?]{1,16}$")
#: Numbers one pool load may add through the API (the CLI loads more in several runs).
MAX_LOAD = 100_000
CHUNK = 2_000


def check_number(kind: str, number: str, field: str = "number") -> str:
    text = number.strip()
    if not _PATTERNS[kind].match(text):
        what = "an 11-digit mobile number (1[3-9]…)" if kind == "msisdn" else "a fixed number"
        raise ValidationFailed(f"'{number}' is not {what}", field=field)
    return text


def number_range(kind: str, first: str, last: str) -> list[str]:
    """Every number from ``first`` to ``last`` inclusive (400 when malformed or too long)."""
    a, b = check_number(kind, first, "rangeStart"), check_number(kind, last, "rangeEnd")
    if len(a) != len(b) or int(b) < int(a):
        raise ValidationFailed(f"range {a}-{b} is empty or mixes lengths", field="rangeEnd")
    count = int(b) - int(a) + 1
    if count > MAX_LOAD:
        raise ValidationFailed(
            f"range {a}-{b} holds {count} numbers; at most {MAX_LOAD}", field="rangeEnd"
        )
    width = len(a)
    return [str(n).zfill(width) for n in range(int(a), int(b) + 1)]


def parse_range(text: str, kind: str) -> list[str]:
    """``13757100000-13757109999`` → its numbers."""
    first, sep, last = text.partition("-")
    if not sep:
        raise ValidationFailed(f"'{text}' is not a range A-B", field="range")
    return number_range(kind, first, last)


def create_pool(
    session: Session,
    scope: Scope,
    *,
    name: str,
    kind: str,
    region_id: str | None = None,
    partner_id: str | None = None,
    range_start: str | None = None,
    range_end: str | None = None,
    grade_fees: dict[str, int] | None = None,
    lucky_digits: str | None = None,
) -> Resource:
    """A new pool, loaded with the numbers of ``range_start``…``range_end`` if given."""
    if kind not in KINDS:
        raise ValidationFailed(
            f"numberKind must be msisdn or fixed, not '{kind}'", field="numberKind"
        )
    if grade_fees is not None:
        for grade, fee in grade_fees.items():
            if grade not in grades.GRADES or not isinstance(fee, int) or fee < 0:
                raise ValidationFailed(
                    f"gradeFees: '{grade}' must be one of {', '.join(grades.GRADES)}"
                    " with a fee ≥ 0",
                    field="gradeFees",
                )
    if lucky_digits is not None and not re.fullmatch(r"[0-9]{1,10}", lucky_digits):
        raise ValidationFailed("luckyDigits is a string of digits", field="luckyDigits")
    numbers: list[str] = []
    if (range_start is None) != (range_end is None):
        raise ValidationFailed("give both rangeStart and rangeEnd", field="rangeEnd")
    if range_start is not None and range_end is not None:
        numbers = number_range(kind, range_start, range_end)
    existing = session.scalar(
        select(Resource.id).where(Resource.spec_id == NUMBER_POOL, Resource.name == name)
    )
    if existing is not None:
        raise Conflict(f"a number pool named '{name}' exists already ('{existing}')")
    pool = common.new_resource(
        common.spec(session, NUMBER_POOL),
        name=name,
        value=None,
        region_id=region_id,
        partner_id=partner_id,
        capacity=0,
        characteristics=common.chars(
            numberKind=kind, gradeFees=grade_fees, luckyDigits=lucky_digits
        ),
    )
    session.add(pool)
    common.publish_create(session, pool)
    if numbers:
        add_numbers(session, pool, numbers)
    return pool


def get_pool(session: Session, scope: Scope, pool_id: str) -> Resource:
    return common.get_resource(session, scope, pool_id, NUMBER_POOL, "number pool")


def list_pools(session: Session, scope: Scope) -> list[Resource]:
    stmt = apply_scope(select(Resource).where(Resource.spec_id == NUMBER_POOL), Resource, scope)
    return list(session.scalars(stmt.order_by(Resource.name)))


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def add_numbers(
    session: Session,
    pool: Resource,
    numbers: Iterable[str],
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Add ``numbers`` to ``pool`` as available, graded ``number`` rows.

    All or nothing: a malformed number → 400, a number already in any pool
    (or twice in the list) → 409 naming it, and nothing is written.
    ``progress(n)`` is called after each chunk with the numbers written so far.
    """
    kind = common.char(pool, "numberKind", "msisdn")
    lucky = common.char(pool, "luckyDigits") or grades.DEFAULT_LUCKY
    fees = common.char(pool, "gradeFees")
    seen: set[str] = set()
    checked: list[str] = []
    for raw in numbers:
        number = check_number(kind, raw)
        if number in seen:
            raise Conflict(f"number {number} is listed twice")
        seen.add(number)
        checked.append(number)
    for chunk in _chunks(checked, 1000):
        dup = session.scalar(
            select(Resource.value).where(Resource.spec_id == NUMBER, Resource.value.in_(chunk))
        )
        if dup is not None:
            raise Conflict(f"number {dup} exists already")
    number_spec = common.spec(session, NUMBER)
    at = now()
    written = 0
    for chunk in _chunks(checked, CHUNK):
        rows: list[dict[str, Any]] = []
        for number in chunk:
            grade = grades.grade_of(number, lucky)
            row = common.new_resource(
                number_spec,
                name=number,
                value=number,
                parent_id=pool.id,
                region_id=pool.region_id,
                partner_id=pool.partner_id,
                grade=grade,
                characteristics=common.chars(gradeFee=grades.fee_of(grade, fees)),
                at=at,
            )
            rows.append(common.row_values(row))
        session.execute(insert(Resource), rows)
        written += len(rows)
        if progress is not None:
            progress(written)
    pool.capacity = (pool.capacity or 0) + written
    pool.updated_at = at
    session.flush()
    return written


@dataclass(frozen=True)
class SearchPage:
    items: list[Resource]
    total: int


def like_pattern(pattern: str) -> str:
    """``*8888`` → ends with, ``138*`` → starts with, ``*88*`` or ``88`` → contains;
    ``?`` is any one digit."""
    if not _SEARCH.match(pattern):
        raise ValidationFailed(
            "pattern is digits with * (any digits) and ? (one digit), at most 16 characters",
            field="pattern",
        )
    body = pattern.replace("*", "%").replace("?", "_")
    return body if "*" in pattern else f"%{body}%"


def search(
    session: Session,
    scope: Scope,
    pool_id: str,
    *,
    pattern: str | None = None,
    grade: str | None = None,
    status: str | None = "available",
    offset: int = 0,
    limit: int = 50,
) -> SearchPage:
    """Numbers of a pool by pattern, grade and lifecycle status, paged (by number)."""
    pool = get_pool(session, scope, pool_id)
    if grade is not None and grade not in grades.GRADES:
        raise ValidationFailed(f"grade must be one of {', '.join(grades.GRADES)}", field="grade")
    if status is not None and status not in LIFECYCLE_STATUSES:
        raise ValidationFailed(f"'{status}' is not a lifecycle status", field="status")
    stmt = select(Resource).where(Resource.parent_id == pool.id, Resource.spec_id == NUMBER)
    if pattern:
        stmt = stmt.where(Resource.value.like(like_pattern(pattern)))
    if grade is not None:
        stmt = stmt.where(Resource.grade == grade)
    if status is not None:
        stmt = stmt.where(Resource.lifecycle_status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Resource.value).offset(offset).limit(limit))
    return SearchPage(list(rows), int(total))


def status(session: Session, scope: Scope, pool_id: str) -> dict[str, Any]:
    """Counts of a pool's numbers by lifecycle status and by grade × status."""
    pool = get_pool(session, scope, pool_id)
    by_status: dict[str, int] = dict.fromkeys(LIFECYCLE_STATUSES, 0)
    by_grade: dict[str, dict[str, int]] = {g: {} for g in grades.GRADES}
    for grade, lifecycle, count in session.execute(
        select(Resource.grade, Resource.lifecycle_status, func.count())
        .where(Resource.parent_id == pool.id, Resource.spec_id == NUMBER)
        .group_by(Resource.grade, Resource.lifecycle_status)
    ):
        by_status[lifecycle] += count
        by_grade.setdefault(grade or "normal", {})[lifecycle] = count
    return {
        "id": pool.id,
        "name": pool.name,
        "total": sum(by_status.values()),
        "byStatus": by_status,
        "byGrade": by_grade,
    }


def get_number(session: Session, scope: Scope, number_id: str) -> Resource:
    return common.get_resource(session, scope, number_id, NUMBER, "number")


def reserve_number(
    session: Session,
    scope: Scope,
    number_id: str,
    *,
    hold_minutes: int | None = None,
    purpose: str | None = None,
    customer_id: str | None = None,
    actor: str | None = None,
) -> tuple[ResourceReservation, list[Resource]]:
    """Reserve this very number (a picked golden number); 409 when it is not available."""
    number = get_number(session, scope, number_id)
    reservation = common.new_reservation(
        session,
        hold=common.hold_for(hold_minutes),
        purpose=purpose,
        customer_id=customer_id,
        actor=actor,
        region_id=number.region_id,
    )
    return reservation, claim_ids(session, reservation, [number.id])


def reserve_next(
    session: Session,
    scope: Scope,
    pool_id: str,
    *,
    grade: str | None = None,
    count: int = 1,
    hold_minutes: int | None = None,
    purpose: str | None = None,
    customer_id: str | None = None,
    actor: str | None = None,
) -> tuple[ResourceReservation, list[Resource]]:
    """Reserve the next ``count`` free numbers of a pool (of ``grade``, if given)."""
    pool = get_pool(session, scope, pool_id)
    if grade is not None and grade not in grades.GRADES:
        raise ValidationFailed(f"grade must be one of {', '.join(grades.GRADES)}", field="grade")
    if not 1 <= count <= 100:
        raise ValidationFailed("count must be between 1 and 100", field="count")
    reservation = common.new_reservation(
        session,
        hold=common.hold_for(hold_minutes),
        purpose=purpose,
        customer_id=customer_id,
        actor=actor,
        region_id=pool.region_id,
    )
    rows = claim_free(
        session, reservation, spec_id=NUMBER, count=count, parent_id=pool.id, grade=grade
    )
    return reservation, rows
