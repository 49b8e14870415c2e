"""Declaring a TMF resource: its representation and how it maps to one table.

A TMF API exposes resources (``productOrder``, ``troubleTicket``) whose JSON
representation is fixed by the TM Forum specification: ``id``, an absolute
``href``, ``@type`` / ``@baseType`` / ``@schemaLocation`` and camelCase
attributes. A domain declares once, as a :class:`TmfResource`, which
attribute lives in which column (see :mod:`openboss.kit.tmf.attributes`);
the kit derives list filters, sort keys, ``fields=`` projection and the
rendering from it.

**The stored representation.** Each row keeps its rendered representation
(every attribute except ``id`` and ``href``, absent ones omitted) as JSON
text in a *document column*, refreshed by :meth:`TmfResource.keep_document`
whenever the ORM flushes the row. Reads select that text and splice ``id``
and the request's ``href`` in front: no per-row rendering in the database or
in Python. Measured on 100-row pages (PostgreSQL 15, see
``docs/tmf-kit.md``): fetching typed columns and rendering them costs about
35 µs a row, building JSON in SQL about 40 µs, reading the stored text 4 µs.
Filters and sorts still run on the real columns; the document is only ever
read. Code writing rows with Core (bulk loads, bulk ``UPDATE``) bypasses the
ORM and must fill the column itself with :meth:`TmfResource.render_document`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import FromClause, event
from sqlalchemy import inspect as sa_inspect

from openboss.kit.errors import ValidationFailed
from openboss.kit.tmf.attributes import Attr, ColumnAttr, ConstAttr

#: Attributes every representation carries, whatever ``fields=`` asks for.
MANDATORY_FIELDS = ("id", "href", "@type")

#: Attributes a client never writes.
READ_ONLY_BASE = frozenset({"id", "href", "@type", "@baseType", "@schemaLocation"})


@dataclass(frozen=True)
class _Group:
    """Column attributes sharing a first segment (``validFor.*``)."""

    name: str
    members: tuple[ColumnAttr, ...]


def project(value: Any, tree: Mapping[str, Any]) -> Any:
    """Keep only the members named in ``tree`` (recursively; arrays fan out).

    An empty subtree means "all of it".
    """
    if isinstance(value, list):
        return [project(v, tree) for v in value]
    if isinstance(value, dict):
        out = {}
        for key, sub in tree.items():
            if key in value:
                out[key] = project(value[key], sub) if sub else value[key]
        return out
    return value


@dataclass(frozen=True)
class ProjectionPlan:
    """The columns a projection reads and how to render them."""

    columns: list[Any]
    keys: list[str]
    steps: list[tuple[str, tuple[Attr, ...], Mapping[str, Any], bool]]

    def render(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The projected representation without ``id`` and ``href``."""
        out: dict[str, Any] = {}
        for name, members, sub, is_group in self.steps:
            if is_group:
                inner = {m.leaf: v for m in members if (v := m.render(values)) is not None}
                if inner:
                    out[name] = inner
                continue
            value = members[0].render(values)
            if value is not None and sub:
                value = project(value, sub)
            if value is not None and value != {}:
                out[name] = value
        return out


def _freeze(tree: Mapping[str, Any] | None) -> Any:
    if tree is None:
        return None
    return tuple(sorted((k, _freeze(v) if v else None) for k, v in tree.items()))


#: Every declared resource (tests check, e.g., that versioned tables have their trigger).
RESOURCES: list[TmfResource] = []


@dataclass(eq=False)
class TmfResource:
    """A TMF resource type and its mapping to one table.

    ``name`` is the camelCase resource name used in paths and events
    (``sampleItem``); ``type_name`` its ``@type`` (``SampleItem``);
    ``base_path`` the API root exactly as the spec's ``basePath``, without the
    trailing slash (``/tmf-api/productOrderingManagement/v4``); ``path`` the
    collection path (``/sampleItem``); ``document_column`` the text column
    holding the stored representation.
    """

    name: str
    type_name: str
    base_path: str
    path: str
    table: FromClause
    id_column: Any
    document_column: Any
    attrs: Sequence[Attr]
    base_type: str | None = None
    schema_location: str | None = None
    default_sort: Sequence[str] = ("id",)
    extra_read_only: frozenset[str] = frozenset()
    #: The table carries the change-counter trigger, so exact totals may be
    #: cached between changes (:mod:`openboss.kit.tmf.counts`).
    versioned_count: bool = False
    _by_name: dict[str, Attr] = field(init=False, repr=False)
    _groups: dict[str, _Group] = field(init=False, repr=False)
    _entries: list[Attr | _Group] = field(init=False, repr=False)
    _plans: dict[Any, ProjectionPlan] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.base_path.endswith("/") or not self.base_path.startswith("/"):
            raise ValueError("base_path starts with '/' and has no trailing slash")
        if not self.path.startswith("/") or self.path.endswith("/"):
            raise ValueError("path starts with '/' and has no trailing slash")
        id_attr = ColumnAttr("id", column=self.id_column, read_only=True)
        consts: list[Attr] = [ConstAttr("@type", value=self.type_name, read_only=True)]
        if self.base_type:
            consts.append(ConstAttr("@baseType", value=self.base_type, read_only=True))
        if self.schema_location:
            consts.append(ConstAttr("@schemaLocation", value=self.schema_location, read_only=True))
        self._by_name = {}
        self._groups = {}
        self._entries = []
        for attr in [id_attr, *self.attrs, *consts]:
            if attr.name in self._by_name or attr.name == "href":
                raise ValueError(f"attribute {attr.name!r} declared twice")
            self._by_name[attr.name] = attr
            if "." not in attr.name:
                self._entries.append(attr)
                continue
            if not isinstance(attr, ColumnAttr) or attr.name.count(".") != 1:
                raise ValueError(f"only column attributes may be nested, one level: {attr.name}")
            group = self._groups.get(attr.top)
            if group is None:
                group = _Group(attr.top, (attr,))
                self._entries.append(group)
            else:
                index = self._entries.index(group)
                group = _Group(attr.top, (*group.members, attr))
                self._entries[index] = group
            self._groups[attr.top] = group
        self._plans = {}
        clash = set(self._groups) & set(self._by_name)
        if clash:
            raise ValueError(f"names used both as attribute and object: {sorted(clash)}")
        RESOURCES.append(self)

    # -- names ---------------------------------------------------------------

    @property
    def collection_path(self) -> str:
        """``/tmf-api/.../v4/sampleItem``."""
        return self.base_path + self.path

    @property
    def read_only(self) -> frozenset[str]:
        """Top-level attributes a PATCH must not contain."""
        declared = {a.top for a in self.attrs if a.read_only}
        return READ_ONLY_BASE | declared | self.extra_read_only

    def href_prefix(self, base_url: str) -> str:
        """``https://host/tmf-api/.../v4/sampleItem/`` — an href is this plus the id."""
        return base_url.rstrip("/") + self.collection_path + "/"

    def href(self, base_url: str, ident: str) -> str:
        return self.href_prefix(base_url) + ident

    def has_top(self, name: str) -> bool:
        """True for a top-level attribute or object name (``name``, ``validFor``)."""
        return name in self._groups or ("." not in name and name in self._by_name)

    def attribute_names(self) -> list[str]:
        """Every attribute a client may name, dotted names and objects included."""
        return ["href", *self._by_name, *self._groups]

    def resolve(self, path: str, field_name: str) -> tuple[Attr, str]:
        """The attribute a dotted ``path`` starts with, and the rest of the path.

        A 400 naming ``field_name`` for an unknown attribute, or for an object
        that has to be named through one of its attributes.
        """
        attr = self._by_name.get(path)
        if attr is not None:
            return attr, ""
        if path in self._groups:
            members = ", ".join(m.name for m in self._groups[path].members)
            raise ValidationFailed(
                f"'{path}' is an object; name one of its attributes: {members}",
                field=field_name,
            )
        head = path
        while "." in head:
            head = head.rpartition(".")[0]
            attr = self._by_name.get(head)
            if attr is not None:
                sub = path[len(head) + 1 :]
                attr.check_path(sub, field_name)
                return attr, sub
        if path == "href":
            raise ValidationFailed("'href' cannot be used here", field=field_name)
        raise ValidationFailed(f"unknown attribute '{path}'", field=field_name)

    # -- representation -----------------------------------------------------

    def source_columns(self) -> list[Any]:
        """The columns the stored representation is rendered from (deduplicated
        by identity: ``column in list`` would compare with ``==``, which builds a
        SQL expression per comparison — measurable on every write path)."""
        cols: list[Any] = []
        seen: set[int] = set()
        for attr in self._by_name.values():
            if attr.name == "id":
                continue
            for col in attr.columns():
                if id(col) not in seen:
                    seen.add(id(col))
                    cols.append(col)
        return cols

    def render(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The representation of a row without ``id`` and ``href`` (``values``
        by column key); absent attributes are left out."""
        out: dict[str, Any] = {}
        for entry in self._entries:
            if isinstance(entry, _Group):
                inner = {m.leaf: v for m in entry.members if (v := m.render(values)) is not None}
                if inner:
                    out[entry.name] = inner
            elif entry.name != "id":
                value = entry.render(values)
                if value is not None:
                    out[entry.name] = value
        return out

    def render_document(self, values: Mapping[str, Any]) -> str:
        """What the document column stores for a row (``values`` by column key)."""
        return orjson.dumps(self.render(values)).decode()

    def represent(self, ident: str, document: str, href_prefix: str) -> str:
        """The full representation: ``id`` and ``href`` spliced into the stored text."""
        return self.represent_many([(ident, document)], href_prefix)[0]

    def represent_many(self, rows: Iterable[tuple[str, str]], href_prefix: str) -> list[str]:
        """:meth:`represent` for many ``(id, document)`` rows."""
        out = []
        dumps = orjson.dumps
        for ident, document in rows:
            head = (
                '{"id":' + dumps(ident).decode() + ',"href":' + dumps(href_prefix + ident).decode()
            )
            out.append(head + "}" if document == "{}" else head + "," + document[1:])
        return out

    def projection_plan(self, projection: Mapping[str, Any]) -> ProjectionPlan:
        """How to render a ``fields=`` projection from a few columns, instead of
        parsing whole stored documents (cached per projection)."""
        key = _freeze(projection)
        plan = self._plans.get(key)
        if plan is not None:
            return plan
        columns: list[Any] = []
        steps: list[tuple[str, tuple[Attr, ...], Mapping[str, Any], bool]] = []
        for entry in self._entries:
            name = entry.name
            if name == "id" or (name not in projection and name not in MANDATORY_FIELDS):
                continue
            sub = projection.get(name) or {}
            if isinstance(entry, _Group):
                members: tuple[Attr, ...] = tuple(
                    m for m in entry.members if not sub or m.leaf in sub
                )
                steps.append((name, members, {}, True))
            else:
                members = (entry,)
                steps.append((name, members, sub, False))
            for member in members:
                columns.extend(c for c in member.columns() if all(c is not k for k in columns))
        plan = ProjectionPlan(columns, [c.key for c in columns], steps)
        if len(self._plans) < 256:
            self._plans[key] = plan
        return plan

    def project(self, item: dict[str, Any], projection: Mapping[str, Any]) -> dict[str, Any]:
        """``fields=``: keep ``id``, ``href``, ``@type`` and the projected attributes."""
        out: dict[str, Any] = {}
        for key, value in item.items():
            if key in MANDATORY_FIELDS:
                out[key] = value
            elif key in projection:
                sub = projection[key]
                kept = project(value, sub) if sub else value
                if kept != {}:  # an object none of whose projected members is present
                    out[key] = kept
        return out

    def keep_document(self, model: type[Any]) -> None:
        """Keep ``model`` rows' document column current on every ORM flush.

        Column defaults of rendered columns are applied first, so that the
        stored text shows the values the INSERT writes.
        """
        mapper = sa_inspect(model)
        doc_key = mapper.get_property_by_column(self.document_column).key
        sources = [
            (col, col.key, mapper.get_property_by_column(col).key) for col in self.source_columns()
        ]

        def refresh(_mapper: Any, _connection: Any, target: Any) -> None:
            values: dict[str, Any] = {}
            for col, col_key, prop_key in sources:
                value = getattr(target, prop_key)
                if value is None and col.default is not None:
                    default = col.default
                    value = default.arg(None) if default.is_callable else default.arg
                    setattr(target, prop_key, value)
                values[col_key] = value
            setattr(target, doc_key, self.render_document(values))

        event.listen(model, "before_insert", refresh)
        event.listen(model, "before_update", refresh)
