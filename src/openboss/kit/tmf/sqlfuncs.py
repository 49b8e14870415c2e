"""SQL functions OpenBOSS registers on SQLite connections.

PostgreSQL filters JSON documents with ``jsonb_path_exists`` (lax mode walks
into arrays by itself). SQLite has no jsonpath, so the same semantics are
provided by ``ob_json_match(doc, path, op, value)``: follow the dotted
``path`` through objects, fan out over arrays, and answer 1 when any reached
value compares true with ``value`` (a JSON literal).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any


def _walk(node: Any, keys: list[str]) -> Iterator[Any]:
    if isinstance(node, list):
        for item in node:
            yield from _walk(item, keys)
        return
    if not keys:
        yield node
        return
    if isinstance(node, dict) and keys[0] in node:
        yield from _walk(node[keys[0]], keys[1:])


def _compare(left: Any, op: str, right: Any) -> bool:
    if left is None or isinstance(left, (dict, list)):
        return False
    numeric = (int, float)
    if isinstance(right, bool) or isinstance(left, bool):
        if op == "eq":
            return left is right or (left == right and type(left) is type(right))
        return False
    if isinstance(left, numeric) and isinstance(right, numeric):
        a: Any = left
        b: Any = right
    else:
        a, b = str(left), str(right)
    if op == "eq":
        return bool(a == b)
    if op == "gt":
        return bool(a > b)
    if op == "gte":
        return bool(a >= b)
    if op == "lt":
        return bool(a < b)
    if op == "lte":
        return bool(a <= b)
    raise ValueError(f"unknown operator {op}")


def matches(data: Any, path: str, op: str, value: Any) -> bool:
    """True when any value at dotted ``path`` in ``data`` satisfies ``op value``.

    Arrays on the way fan out (any element may match). ``op`` is one of
    eq, gt, gte, lt, lte; ``ne`` is ``not matches(..., "eq", ...)``. The same
    rule filters TMF lists (in SQL) and hub listener queries (in Python).
    """
    if op == "ne":
        return not matches(data, path, "eq", value)
    keys = [k for k in path.split(".") if k] if path else []
    return any(_compare(v, op, value) for v in _walk(data, keys))


def json_match(doc: str | bytes | None, path: str, op: str, value: str) -> int:
    """SQL function: 1 when any value at ``path`` in ``doc`` satisfies ``op value``."""
    if doc is None:
        return 0
    return int(matches(json.loads(doc), path, op, json.loads(value)))


def register_sqlite_functions(conn: sqlite3.Connection) -> None:
    conn.create_function("ob_json_match", 4, json_match, deterministic=True)
