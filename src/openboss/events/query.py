"""Hub listener queries: which events a TMF630 listener receives.

A listener registers ``{callback, query}``; ``query`` is written like the
filter of a TMF list request and is applied to the TMF688 envelope::

    eventType=TroubleTicketStateChangeEvent,TroubleTicketResolvedEvent
    &event.troubleTicket.severity.ne=minor
    &event.troubleTicket.priority.lte=2

* Each ``key=value`` is a condition on the dotted path ``key`` in the
  envelope (``eventType``, ``event.troubleTicket.status``); arrays on the
  way fan out, as in list filtering (:func:`openboss.kit.tmf.sqlfuncs.matches`).
* A last path segment ``.eq/.ne/.gt/.gte/.lt/.lte`` is the operator (``eq``
  when absent).
* Commas give alternatives: ``a=x,y`` matches either; ``a.ne=x,y`` matches
  neither; with ``gt``/``lt``… any alternative satisfying the comparison.
* All conditions must hold. An empty query receives every event of the API.

Query values are text; a value that reads as a number is compared as a
number with numeric fields (``priority.lte=2`` matches ``1``), ``true`` and
``false`` match JSON booleans.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl

from openboss.kit.tmf.sqlfuncs import matches

OPERATORS = frozenset({"eq", "ne", "gt", "gte", "lt", "lte"})
_ORDERING = frozenset({"gt", "gte", "lt", "lte"})


class InvalidQuery(ValueError):
    """The listener query cannot be understood; the message says why."""


def _number(text: str) -> int | float | None:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _candidates(text: str, op: str) -> tuple[Any, ...]:
    """The JSON values a query value may stand for."""
    number = _number(text.strip())
    if op in _ORDERING:
        # Order numbers as numbers; "9" < "10" must not become a string comparison.
        return (number,) if number is not None else (text,)
    out: list[Any] = [text]
    if number is not None and str(number) == text:
        # Only a number written canonically: "7" equals 7, but "07" is text.
        out.append(number)
    if text in ("true", "false"):
        out.append(text == "true")
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Condition:
    """``path op value[,value…]`` on the envelope."""

    path: str
    op: str
    values: tuple[str, ...]

    def test(self, envelope: dict[str, Any]) -> bool:
        base_op = "eq" if self.op == "ne" else self.op
        hit = any(
            matches(envelope, self.path, base_op, candidate)
            for value in self.values
            for candidate in _candidates(value, base_op)
        )
        return not hit if self.op == "ne" else hit


@dataclass(frozen=True, slots=True)
class EventFilter:
    """All conditions of one listener query."""

    conditions: tuple[Condition, ...] = ()

    def matches(self, envelope: dict[str, Any]) -> bool:
        return all(c.test(envelope) for c in self.conditions)


def _condition(key: str, raw_value: str) -> Condition:
    key = key.strip()
    if not key:
        raise InvalidQuery(f"query condition '={raw_value}' has no field name")
    segments = key.split(".")
    if any(not s for s in segments):
        raise InvalidQuery(f"query field '{key}' has an empty path segment")
    op = "eq"
    if len(segments) > 1 and segments[-1] in OPERATORS:
        op = segments[-1]
        segments = segments[:-1]
    values = tuple(raw_value.split(","))
    if op in _ORDERING and any(not v.strip() for v in values):
        raise InvalidQuery(f"query field '{key}' needs a value to compare with")
    return Condition(path=".".join(segments), op=op, values=values)


@lru_cache(maxsize=1024)
def parse_query(query: str | None) -> EventFilter:
    """Compile a listener query; raises :class:`InvalidQuery` naming the problem."""
    if query is None or not query.strip():
        return EventFilter()
    try:
        pairs = parse_qsl(query.strip(), keep_blank_values=True, strict_parsing=True)
    except ValueError as exc:
        raise InvalidQuery(f"query is not of the form field=value&…: {exc}") from exc
    return EventFilter(tuple(_condition(k, v) for k, v in pairs))
