"""Attributes of a TMF resource: how each is stored, filtered, sorted, rendered.

* :class:`ColumnAttr` — a scalar in a real column (indexable, sortable). A
  dotted name (``validFor.startDateTime``) nests the value in an object of
  the representation, so a TMF ``TimePeriod`` can live in two columns.
* :class:`MoneyAttr` — a TMF ``Money`` ``{unit, value}`` stored as a currency
  code and an integer number of minor units (the money rule of the system).
* :class:`JsonAttr` — a structured attribute kept as a JSON document
  (``relatedParty``, ``characteristic``); filters reach into it with dotted
  paths, and an array on the way matches when any element matches.
* :class:`ConstAttr` — the same for every row (``@type``, ``@baseType``).

Filters follow one rule on both databases, the rule of
:func:`openboss.kit.tmf.sqlfuncs.matches`: PostgreSQL evaluates a jsonpath
with the ``@?`` operator (lax mode walks arrays; a GIN ``jsonb_path_ops``
index serves equality), SQLite calls ``ob_json_match``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

import orjson
from sqlalchemy import (
    BigInteger,
    Boolean,
    ColumnElement,
    Integer,
    Text,
    and_,
    cast,
    false,
    func,
    literal,
    or_,
    true,
)
from sqlalchemy import type_coerce as _coerce
from sqlalchemy.dialects.postgresql import JSONPATH

from openboss.kit import money
from openboss.kit.errors import ValidationFailed
from openboss.kit.tmf.sqlfuncs import matches

#: Filter operators of TMF630 (``attr.gt=5``); ``eq`` is the plain ``attr=5``.
OPERATORS = ("eq", "ne", "gt", "gte", "lt", "lte")
ORDERING_OPERATORS = frozenset({"gt", "gte", "lt", "lte"})

_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")


class Kind(StrEnum):
    """The value type of a column attribute (how query values are parsed)."""

    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATETIME = "dateTime"


# --------------------------------------------------------------------------- values


def truncate_datetime(value: datetime) -> datetime:
    """UTC, millisecond precision: the precision TMF representations carry.

    Stored date-times are truncated to milliseconds so that the rendered value
    (``2024-05-01T10:00:00.123Z``) is exactly what is stored, and filtering by
    a value read from a representation finds the row again.
    """
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        value = value.astimezone(UTC)
    except OverflowError:
        raise ValueError("date-time out of range") from None
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def format_datetime(value: datetime) -> str:
    """``2024-05-01T10:00:00.123Z``."""
    return truncate_datetime(value).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_datetime(raw: str, field_name: str) -> datetime:
    """An ISO 8601 date or date-time; no offset means UTC."""
    try:
        return truncate_datetime(datetime.fromisoformat(raw.strip()))
    except ValueError:
        raise ValidationFailed(
            f"{field_name}: '{raw}' is not an ISO 8601 date-time (e.g. 2024-05-01T10:00:00Z)",
            field=field_name,
        ) from None


#: Integers the databases store and compare (signed 64 bits).
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def check_int64(value: int, field_name: str) -> int:
    if not INT64_MIN <= value <= INT64_MAX:
        raise ValidationFailed(f"{field_name}: {value} is out of range", field=field_name)
    return value


def parse_json_scalar(raw: str, field_name: str = "value") -> Any:
    """A query value compared with JSON content: a JSON number when it reads as
    one, ``true``/``false`` as booleans, anything else as a string."""
    if _NUMBER.fullmatch(raw):
        if any(c in raw for c in ".eE"):
            number = float(raw)
            if not math.isfinite(number):
                raise ValidationFailed(f"{field_name}: {raw} is out of range", field=field_name)
            return number
        return check_int64(int(raw), field_name)
    if raw == "true":
        return True
    if raw == "false":
        return False
    return raw


def strip_nulls(value: Any) -> Any:
    """Remove null members of objects, recursively (array elements are kept).

    Representations omit absent attributes, and under JSON merge patch a null
    member means "absent": stored documents carry no null members.
    """
    if isinstance(value, dict):
        return {k: strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [strip_nulls(v) for v in value]
    return value


def decimal_json(value: Decimal) -> orjson.Fragment:
    """An exact JSON number for a Decimal (``12.34``, never a float rounding)."""
    return orjson.Fragment(format(value, "f"))


# --------------------------------------------------------------------------- dialects


class Dialect:
    """How one database evaluates a filter on a JSON document."""

    name = "base"

    def json_condition(
        self, column: ColumnElement[Any], path: str, op: str, values: Sequence[Any]
    ) -> ColumnElement[bool]:
        raise NotImplementedError


_JSONPATH_OPS = {"eq": "==", "ne": "==", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def _jsonpath_literal(value: Any) -> str:
    """A JSON literal (jsonpath accepts JSON's strings and numbers)."""
    return json.dumps(value, ensure_ascii=False)


def jsonpath_for(path: str, op: str, values: Sequence[Any]) -> str | None:
    """The jsonpath that exists when any value at ``path`` satisfies ``op`` with
    any of ``values`` (``ne`` is evaluated as "not eq"); ``None`` when nothing
    can match.

    ``matches()`` compares numbers as numbers and anything else as text with
    ``str(value)``; jsonpath comparisons between different types are unknown
    (false), so a number value is tried as a number and as its text. The
    literals are inlined (not jsonpath variables) so that a GIN
    ``jsonb_path_ops`` index can serve equality.
    """
    cmp = _JSONPATH_OPS[op]
    preds: list[str] = []
    for value in values:
        if isinstance(value, bool):
            if cmp == "==":  # booleans are not ordered
                preds.append(f"@ == {_jsonpath_literal(value)}")
        elif isinstance(value, (int, float)):
            preds.append(f"@ {cmp} {_jsonpath_literal(value)}")
            preds.append(f"@ {cmp} {_jsonpath_literal(str(value))}")
        else:
            preds.append(f"@ {cmp} {_jsonpath_literal(str(value))}")
    if not preds:
        return None
    keys = [k for k in path.split(".") if k] if path else []
    return (
        "$" + "".join("." + _jsonpath_literal(k) for k in keys) + " ? (" + " || ".join(preds) + ")"
    )


class PostgresDialect(Dialect):
    """PostgreSQL: ``doc @? jsonpath`` (lax mode; GIN ``jsonb_path_ops`` capable)."""

    name = "postgresql"

    def json_condition(
        self, column: ColumnElement[Any], path: str, op: str, values: Sequence[Any]
    ) -> ColumnElement[bool]:
        jsonpath = jsonpath_for(path, op, values)
        if jsonpath is None:
            return true() if op == "ne" else false()
        exists: ColumnElement[bool] = column.op("@?", return_type=Boolean)(
            cast(literal(jsonpath, Text), JSONPATH)
        )
        if op == "ne":
            return ~func.coalesce(exists, false())
        return exists


class SqliteDialect(Dialect):
    """SQLite: ``ob_json_match`` (registered by the database layer, kit.tmf.sqlfuncs)."""

    name = "sqlite"

    def json_condition(
        self, column: ColumnElement[Any], path: str, op: str, values: Sequence[Any]
    ) -> ColumnElement[bool]:
        real_op = "eq" if op == "ne" else op
        doc = _coerce(column, Text)
        clauses = [
            func.ob_json_match(doc, path, real_op, json.dumps(v), type_=Integer) == 1
            for v in values
        ]
        if op == "ne":
            return ~or_(*clauses)
        return or_(*clauses)


DIALECTS: dict[str, Dialect] = {"postgresql": PostgresDialect(), "sqlite": SqliteDialect()}


def dialect_for(name: str) -> Dialect:
    try:
        return DIALECTS[name]
    except KeyError:
        raise ValueError(f"the TMF kit does not support the {name!r} database") from None


# --------------------------------------------------------------------------- attributes


@dataclass(frozen=True, eq=False)
class Attr:
    """One attribute of a TMF representation."""

    name: str
    read_only: bool = False

    @property
    def top(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def leaf(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    def check_path(self, sub: str, field_name: str) -> None:
        """Validate the part of a dotted path below this attribute."""
        if sub:
            raise ValidationFailed(
                f"unknown attribute '{self.name}.{sub}': '{self.name}' has no sub-attributes",
                field=field_name,
            )

    def check_operator(self, sub: str, op: str, field_name: str) -> None:
        """Refuse an operator that makes no sense for this attribute."""

    def parse(self, sub: str, raw: str, field_name: str) -> Any:
        raise NotImplementedError

    def condition(
        self, d: Dialect, sub: str, op: str, values: Sequence[Any], field_name: str
    ) -> ColumnElement[bool]:
        raise NotImplementedError

    def sort_key(self, sub: str, field_name: str) -> ColumnElement[Any]:
        raise ValidationFailed(f"cannot sort by '{self.name}'", field=field_name)

    def columns(self) -> tuple[Any, ...]:
        """The table columns this attribute is rendered from."""
        return ()

    def render(self, values: Mapping[str, Any]) -> Any:
        """The JSON value of this attribute for a row (``values`` by column key),
        or ``None`` when absent."""
        raise NotImplementedError


def _column_condition(column: Any, op: str, values: Sequence[Any]) -> ColumnElement[bool]:
    if op == "eq":
        return column == values[0] if len(values) == 1 else column.in_(values)  # type: ignore[no-any-return]
    if op == "ne":
        differs = column != values[0] if len(values) == 1 else column.not_in(values)
        return or_(column.is_(None), differs)
    method = {"gt": "__gt__", "gte": "__ge__", "lt": "__lt__", "lte": "__le__"}[op]
    return or_(*(getattr(column, method)(v) for v in values))


@dataclass(frozen=True, eq=False)
class ColumnAttr(Attr):
    """A scalar attribute held in a real column (dotted name → nested object)."""

    column: Any = None
    kind: Kind = Kind.STRING
    sortable: bool = True

    def parse(self, sub: str, raw: str, field_name: str) -> Any:
        kind = self.kind
        if kind is Kind.STRING:
            return raw
        if kind is Kind.INTEGER:
            try:
                value = int(raw)
            except ValueError:
                raise ValidationFailed(
                    f"{field_name}: '{raw}' is not an integer", field=field_name
                ) from None
            return check_int64(value, field_name)
        if kind is Kind.NUMBER:
            try:
                number = Decimal(raw)
            except InvalidOperation:
                number = Decimal("nan")
            if not number.is_finite():
                raise ValidationFailed(f"{field_name}: '{raw}' is not a number", field=field_name)
            return number
        if kind is Kind.BOOLEAN:
            if raw in ("true", "false"):
                return raw == "true"
            raise ValidationFailed(
                f"{field_name}: '{raw}' is not a boolean (true or false)", field=field_name
            )
        return parse_datetime(raw, field_name)

    def check_operator(self, sub: str, op: str, field_name: str) -> None:
        if self.kind is Kind.BOOLEAN and op in ORDERING_OPERATORS:
            raise ValidationFailed(
                f"{field_name}: operator '{op}' does not apply to the boolean '{self.name}'",
                field=field_name,
            )

    def condition(
        self, d: Dialect, sub: str, op: str, values: Sequence[Any], field_name: str
    ) -> ColumnElement[bool]:
        self.check_operator(sub, op, field_name)
        # compare integers as 64-bit whatever the column's width: a value
        # beyond a 32-bit column's range is an answer (no row), not an error
        column = _coerce(self.column, BigInteger) if self.kind is Kind.INTEGER else self.column
        return _column_condition(column, op, values)

    def sort_key(self, sub: str, field_name: str) -> ColumnElement[Any]:
        if not self.sortable:
            return super().sort_key(sub, field_name)
        return self.column  # type: ignore[no-any-return]

    def columns(self) -> tuple[Any, ...]:
        return (self.column,)

    def render(self, values: Mapping[str, Any]) -> Any:
        value = values.get(self.column.key)
        if value is None:
            return None
        if self.kind is Kind.DATETIME:
            return format_datetime(value)
        if self.kind is Kind.NUMBER and isinstance(value, Decimal):
            return decimal_json(value)
        if self.kind is Kind.BOOLEAN:
            return bool(value)
        return value


def minor_to_text(minor: int, currency: str) -> str:
    """``1234`` fen → ``"12.34"``: the exact decimal text of an amount."""
    digits = money.minor_digits(currency)
    if digits == 0:
        return str(minor)
    whole, part = divmod(abs(minor), 10**digits)
    return f"{'-' if minor < 0 else ''}{whole}.{part:0{digits}d}"


def currency_digits() -> dict[str, int]:
    """Minor-unit digits per supported currency (ISO 4217), as kit.money has them."""
    return {code: money.minor_digits(code) for code in money._MINOR_DIGITS}


@dataclass(frozen=True, eq=False)
class MoneyAttr(Attr):
    """TMF ``Money`` ``{unit, value}`` over a currency column and a minor-units column.

    ``price.value.gt=10`` compares in minor units per currency (10 CNY is
    1000 fen, 10 JPY is 10 yen), exactly and with the index; sorting by
    ``price.value`` orders by minor units (meaningful within one currency).
    """

    unit_column: Any = None
    minor_column: Any = None

    def check_path(self, sub: str, field_name: str) -> None:
        if sub not in ("", "unit", "value"):
            raise ValidationFailed(
                f"unknown attribute '{self.name}.{sub}': Money has 'unit' and 'value'",
                field=field_name,
            )

    def _need_sub(self, sub: str, field_name: str) -> None:
        if not sub:
            raise ValidationFailed(
                f"'{self.name}' is a Money object; use '{self.name}.value' or '{self.name}.unit'",
                field=field_name,
            )

    def parse(self, sub: str, raw: str, field_name: str) -> Any:
        self._need_sub(sub, field_name)
        if sub == "unit":
            return raw
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = Decimal("nan")
        if not value.is_finite():
            raise ValidationFailed(f"{field_name}: '{raw}' is not a number", field=field_name)
        return value

    def condition(
        self, d: Dialect, sub: str, op: str, values: Sequence[Any], field_name: str
    ) -> ColumnElement[bool]:
        self._need_sub(sub, field_name)
        if sub == "unit":
            return _column_condition(self.unit_column, op, values)
        if op == "ne":
            hit = self.condition(d, sub, "eq", values, field_name)
            return or_(self.minor_column.is_(None), ~hit)
        by_digits: dict[int, list[str]] = {}
        for currency, digits in currency_digits().items():
            by_digits.setdefault(digits, []).append(currency)
        clauses: list[ColumnElement[bool]] = []
        for v in values:
            if abs(Decimal(v).scaleb(max(by_digits))) > INT64_MAX:
                raise ValidationFailed(f"{field_name}: {v} is out of range", field=field_name)
        for digits, currencies in sorted(by_digits.items()):
            per_value = [
                c
                for v in values
                if (c := _minor_condition(self.minor_column, op, Decimal(v).scaleb(digits)))
                is not None
            ]
            if per_value:
                clauses.append(and_(self.unit_column.in_(currencies), or_(*per_value)))
        return or_(*clauses) if clauses else false()

    def sort_key(self, sub: str, field_name: str) -> ColumnElement[Any]:
        self._need_sub(sub, field_name)
        return self.unit_column if sub == "unit" else self.minor_column  # type: ignore[no-any-return]

    def columns(self) -> tuple[Any, ...]:
        return (self.unit_column, self.minor_column)

    def render(self, values: Mapping[str, Any]) -> Any:
        minor = values.get(self.minor_column.key)
        unit = values.get(self.unit_column.key)
        if minor is None or unit is None:
            return None
        return {"unit": unit, "value": orjson.Fragment(minor_to_text(int(minor), unit))}


def _minor_condition(column: Any, op: str, scaled: Decimal) -> ColumnElement[bool] | None:
    """``minor op scaled`` with an integer bound (exact, index-friendly)."""
    integral = scaled == scaled.to_integral_value()
    floor = int(scaled.to_integral_value(rounding="ROUND_FLOOR"))
    ceil = int(scaled.to_integral_value(rounding="ROUND_CEILING"))
    if op == "eq":
        return column == floor if integral else None
    if op == "gt":
        return column > floor  # type: ignore[no-any-return]
    if op == "gte":
        return column >= ceil  # type: ignore[no-any-return]
    if op == "lt":
        return column < ceil  # type: ignore[no-any-return]
    if op == "lte":
        return column <= floor  # type: ignore[no-any-return]
    raise ValueError(op)


@dataclass(frozen=True, eq=False)
class JsonAttr(Attr):
    """A structured attribute stored as a JSON document (an object or an array).

    ``keys`` lists the sub-attributes a client may name in filters and
    ``fields=`` (``relatedParty.role``); ``None`` leaves the document open
    (any path). Deeper levels below a known key are free
    (``characteristic.value.amount``).
    """

    column: Any = None
    keys: frozenset[str] | None = None

    def check_path(self, sub: str, field_name: str) -> None:
        if self.keys is None or not sub:
            return
        if sub.split(".", 1)[0] not in self.keys:
            raise ValidationFailed(
                f"unknown attribute '{self.name}.{sub}'; '{self.name}' has: "
                + ", ".join(sorted(self.keys)),
                field=field_name,
            )

    def parse(self, sub: str, raw: str, field_name: str) -> Any:
        if not sub and self.keys is not None:
            raise ValidationFailed(
                f"'{self.name}' is structured; filter on one of its attributes, e.g. "
                f"'{self.name}.{sorted(self.keys)[0]}'",
                field=field_name,
            )
        return parse_json_scalar(raw, field_name)

    def condition(
        self, d: Dialect, sub: str, op: str, values: Sequence[Any], field_name: str
    ) -> ColumnElement[bool]:
        return d.json_condition(self.column, sub, op, values)

    def columns(self) -> tuple[Any, ...]:
        return (self.column,)

    def render(self, values: Mapping[str, Any]) -> Any:
        value = values.get(self.column.key)
        if value is None or value == [] or value == {}:
            return None
        return strip_nulls(value)


@dataclass(frozen=True, eq=False)
class ConstAttr(Attr):
    """A value that is the same for every row (``@type``, ``@baseType``...)."""

    value: str = ""

    def parse(self, sub: str, raw: str, field_name: str) -> Any:
        return raw

    def condition(
        self, d: Dialect, sub: str, op: str, values: Sequence[Any], field_name: str
    ) -> ColumnElement[bool]:
        if op == "ne":
            hit = not any(matches(self.value, "", "eq", v) for v in values)
        else:
            hit = any(matches(self.value, "", op, v) for v in values)
        return true() if hit else false()

    def render(self, values: Mapping[str, Any]) -> Any:
        return self.value
