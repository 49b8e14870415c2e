"""TMF630 list queries: ``fields=``, attribute filters, ``sort=``, ``offset``/``limit``.

:func:`parse_list_query` turns the query string of ``GET {basePath}/{resource}``
into a :class:`ListQuery`, checking every name against the resource's
declared attributes. Every problem is a 400 naming the query parameter.

* ``fields=name,state,validFor.startDateTime`` — projection; ``id``, ``href``
  and ``@type`` are always kept.
* ``state=active`` — equality; ``state=active,suspended`` — any of them.
* ``quantity.gt=5`` (``gte``, ``lt``, ``lte``, ``ne``, ``eq``) — operators;
  with alternatives ``ne`` means "none of them", the others "any of them".
* ``relatedParty.role=customer`` — dotted paths into structured attributes;
  an array on the way matches when any element matches.
* ``sort=-creationDate,name`` — ``-`` for descending; ties are broken by ``id``
  so that pages never overlap or skip rows.
* ``offset`` (0 … :data:`MAX_OFFSET`) and ``limit`` (0 … :data:`MAX_LIMIT`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from openboss.kit.errors import ValidationFailed
from openboss.kit.tmf.attributes import OPERATORS, Attr, ConstAttr
from openboss.kit.tmf.resource import MANDATORY_FIELDS, TmfResource

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
#: OFFSET is a 32-bit integer parameter in the SQL both databases receive.
MAX_OFFSET = 2**31 - 1
RESERVED = frozenset({"fields", "sort", "offset", "limit"})


@dataclass(frozen=True)
class Filter:
    """One ``key=value`` condition: attribute, path inside it, operator, values."""

    key: str
    attr: Attr
    sub: str
    op: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class SortKey:
    key: str
    attr: Attr
    sub: str
    descending: bool


@dataclass(frozen=True)
class ListQuery:
    filters: tuple[Filter, ...] = ()
    sort: tuple[SortKey, ...] = ()
    #: ``fields=`` as a tree ``{"validFor": {"startDateTime": {}}, "name": {}}``;
    #: ``None`` when every attribute is wanted.
    projection: dict[str, Any] | None = None
    offset: int = 0
    limit: int = DEFAULT_LIMIT
    extra: dict[str, str] = field(default_factory=dict)


def _int_param(name: str, raw: str, low: int, high: int | None) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed(f"{name} must be an integer, got '{raw}'", field=name) from None
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ValidationFailed(f"{name} must be {bound}, got {value}", field=name)
    return value


def split_operator(key: str) -> tuple[str, str]:
    """``quantity.gt`` → (``quantity``, ``gt``); ``state`` → (``state``, ``eq``)."""
    head, dot, last = key.rpartition(".")
    if dot and last in OPERATORS and head:
        return head, last
    return key, "eq"


def parse_fields(resource: TmfResource, raw: str) -> dict[str, Any]:
    """``fields=name,validFor.startDateTime`` as a projection tree."""
    names = [n.strip() for n in raw.split(",") if n.strip()]
    if not names:
        raise ValidationFailed("fields must name at least one attribute", field="fields")
    tree: dict[str, Any] = {}
    for name in names:
        if name in MANDATORY_FIELDS or name == "href":
            continue
        if not resource.has_top(name):
            resource.resolve(name, "fields")  # 400 for unknown attributes
        _insert(tree, name.split("."))
    return tree


def _insert(tree: dict[str, Any], parts: list[str]) -> None:
    """Add a path to a projection tree; an empty node means "all of it"."""
    node = tree
    for i, part in enumerate(parts):
        if part in node and not node[part]:
            return  # the whole of it is wanted already
        if i == len(parts) - 1:
            node[part] = {}
            return
        node = node.setdefault(part, {})


def parse_sort(resource: TmfResource, raw: str) -> tuple[SortKey, ...]:
    keys: list[SortKey] = []
    seen: set[str] = set()
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        descending = item.startswith("-")
        name = item.lstrip("+-").strip()
        if not name:
            raise ValidationFailed(f"sort: '{item}' names no attribute", field="sort")
        attr, sub = resource.resolve(name, "sort")
        if isinstance(attr, ConstAttr) or name in seen:
            continue  # the same for every row / already sorted by it
        seen.add(name)
        attr.sort_key(sub, "sort")  # raises for attributes that cannot be sorted
        keys.append(SortKey(name, attr, sub, descending))
    if not keys and raw.strip():
        raise ValidationFailed("sort names no attribute", field="sort")
    return tuple(keys)


def parse_list_query(
    resource: TmfResource,
    params: Iterable[tuple[str, str]],
    *,
    max_limit: int = MAX_LIMIT,
    default_limit: int = DEFAULT_LIMIT,
    extra_params: frozenset[str] = frozenset(),
) -> ListQuery:
    """Parse and check a list query against ``resource``.

    ``params`` are the raw ``(key, value)`` pairs in order (repeated keys are
    separate conditions, all of which must hold). ``extra_params`` are further
    names the endpoint handles itself; they are returned in ``extra``.
    """
    filters: list[Filter] = []
    sort: tuple[SortKey, ...] = ()
    projection: dict[str, Any] | None = None
    offset = 0
    limit = default_limit
    extra: dict[str, str] = {}
    for key, raw in params:
        if "\x00" in key or "\x00" in raw:
            raise ValidationFailed("query parameters must not contain NUL characters", field=key)
        if key == "fields":
            projection = parse_fields(resource, raw)
        elif key == "sort":
            sort = parse_sort(resource, raw)
        elif key == "offset":
            offset = _int_param("offset", raw, 0, MAX_OFFSET)
        elif key == "limit":
            limit = _int_param("limit", raw, 0, max_limit)
        elif key in extra_params:
            extra[key] = raw
        else:
            filters.append(parse_filter(resource, key, raw))
    if not sort:
        sort = parse_sort(resource, ",".join(resource.default_sort))
    return ListQuery(tuple(filters), sort, projection, offset, limit, extra)


def parse_filter(resource: TmfResource, key: str, raw: str) -> Filter:
    """``key=raw`` as a :class:`Filter` (400 naming ``key`` when it is wrong)."""
    path, op = split_operator(key)
    if not path:
        raise ValidationFailed(f"empty query parameter name '{key}'", field=key)
    attr, sub = resource.resolve(path, key)
    attr.check_operator(sub, op, key)
    alternatives = raw.split(",")
    if any(a == "" for a in alternatives) and len(alternatives) > 1:
        raise ValidationFailed(f"{key}: empty alternative in '{raw}'", field=key)
    values = tuple(attr.parse(sub, a, key) for a in alternatives)
    return Filter(key, attr, sub, op, values)
