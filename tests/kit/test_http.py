"""HTTP conventions: merge patch, PATCH media types, read-only attributes,
representation splicing and projection (no database)."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, Field

from openboss.kit.errors import ValidationFailed
from openboss.kit.tmf.errors import install_error_handlers
from openboss.kit.tmf.http import merge_patch, patch_document, reject_read_only, validate
from openboss.kit.tmf.resource import TmfResource, project
from tests.kit.conftest import THING, make_things

# RFC 7386, Appendix A: (target, patch, result)
RFC7386_EXAMPLES = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize(("target", "patch", "result"), RFC7386_EXAMPLES)
def test_merge_patch_follows_rfc7386(target: Any, patch: Any, result: Any) -> None:
    before = orjson.dumps(target)
    assert merge_patch(target, patch) == result
    assert orjson.dumps(target) == before  # the target is not mutated


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=10,
)


@given(json_values, json_values)
def test_merge_patch_is_idempotent(target: Any, patch: Any) -> None:
    once = merge_patch(target, patch)
    assert merge_patch(once, patch) == once


@given(st.dictionaries(st.text(max_size=3), json_values, max_size=4))
def test_empty_patch_changes_nothing_but_nulls(target: dict[str, Any]) -> None:
    assert merge_patch(target, {}) == target


def test_read_only_attribute_is_400_naming_it() -> None:
    reject_read_only({"name": "x"}, ["id", "href"])
    with pytest.raises(ValidationFailed) as info:
        reject_read_only({"name": "x", "href": "y"}, ["id", "href"])
    assert info.value.field == "href"
    assert info.value.code == "READ_ONLY_FIELD"


class _Model(BaseModel):
    name: str = Field(min_length=2)
    size: int = 0


def test_validate_names_the_first_invalid_field() -> None:
    assert validate(_Model, {"name": "ok"}).name == "ok"
    with pytest.raises(ValidationFailed) as info:
        validate(_Model, {"name": "x", "size": "big"})
    assert info.value.field == "name"
    assert "size" in info.value.message


def _patch_app() -> TestClient:
    app = FastAPI()
    install_error_handlers(app)

    @app.patch("/thing/{id}")
    def patch_thing(
        id: str, patch: Annotated[dict[str, Any], Depends(patch_document(THING.read_only))]
    ) -> dict[str, Any]:
        return patch

    return TestClient(app)


@pytest.mark.parametrize(
    "content_type",
    ["application/merge-patch+json", "application/json", "application/json; charset=utf-8"],
)
def test_patch_accepts_merge_patch_and_json(content_type: str) -> None:
    r = _patch_app().patch(
        "/thing/1", content=b'{"name": "n", "score": null}', headers={"Content-Type": content_type}
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"name": "n", "score": None}


@pytest.mark.parametrize(
    ("content_type", "body", "status", "field"),
    [
        ("application/json-patch+json", b"[]", 415, "Content-Type"),
        ("text/plain", b"{}", 415, "Content-Type"),
        ("", b"{}", 415, "Content-Type"),
        ("application/merge-patch+json", b"{not json", 400, "body"),
        ("application/merge-patch+json", b"[1]", 400, "body"),
        ("application/merge-patch+json", b'{"@type": "X"}', 400, "@type"),
        ("application/merge-patch+json", b'{"@baseType": "X"}', 400, "@baseType"),
        ("application/merge-patch+json", b'{"id": "2"}', 400, "id"),
    ],
)
def test_patch_errors_in_tmf_shape(content_type: str, body: bytes, status: int, field: str) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    r = _patch_app().patch("/thing/1", content=body, headers=headers)
    assert r.status_code == status, r.text
    error = r.json()
    assert error["@type"] == "Error"
    assert error["status"] == str(status)
    assert error["field"] == field
    assert {"code", "reason", "message"} <= error.keys()


def test_representation_splices_id_and_href_into_the_stored_document() -> None:
    row = make_things(3)[2]
    text = THING.represent(row["id"], row["doc"], THING.href_prefix("https://bss.example/"))
    item = orjson.loads(text)
    assert list(item)[:2] == ["id", "href"]
    assert item["href"] == "https://bss.example/tmf-api/kitTest/v4/thing/" + row["id"]
    assert item["@type"] == "Thing"
    assert item["@baseType"] == "Entity"
    assert item["@schemaLocation"] == "https://example.org/Thing.schema.json"
    assert item["validFor"] == {"startDateTime": "2024-03-01T10:30:00.014Z"}
    assert item["price"] == {"unit": "CNY", "value": 18.22}
    assert item["ratio"] == 0.25
    assert "flag" not in item  # NULL: omitted
    assert item["score"] == 24
    assert orjson.loads(make_things(1)[0]["doc"])["flag"] is True
    assert None not in item.values()
    assert orjson.loads(THING.represent("x", "{}", "/p/")) == {"id": "x", "href": "/p/x"}


def test_absent_attributes_are_omitted() -> None:
    row = {c.key: None for c in THING.table.c} | {"name": "bare"}
    assert orjson.loads(THING.render_document(row)) == {"name": "bare", "@type": "Thing",
        "@baseType": "Entity", "@schemaLocation": "https://example.org/Thing.schema.json"}  # fmt: skip


def test_money_renders_exact_decimals_per_currency() -> None:
    base = {c.key: None for c in THING.table.c} | {"name": "m"}
    cny = THING.render_document(base | {"price_unit": "CNY", "price_minor": 1005})
    jpy = THING.render_document(base | {"price_unit": "JPY", "price_minor": 1005})
    assert '"price":{"unit":"CNY","value":10.05}' in cny
    assert '"price":{"unit":"JPY","value":1005}' in jpy


def test_projection_keeps_mandatory_fields_and_cuts_through_arrays() -> None:
    item = {"id": "1", "href": "h", "@type": "T", "name": "n", "score": 3,
            "relatedParty": [{"id": "p", "role": "r", "name": "x"}, {"id": "q"}],
            "validFor": {"startDateTime": "s", "endDateTime": "e"}}  # fmt: skip
    tree: dict[str, Any] = {"relatedParty": {"role": {}}, "validFor": {"endDateTime": {}}}
    assert THING.project(item, tree) == {
        "id": "1", "href": "h", "@type": "T",
        "relatedParty": [{"role": "r"}, {}], "validFor": {"endDateTime": "e"},
    }  # fmt: skip
    assert project([[{"a": 1, "b": 2}]], {"a": {}}) == [[{"a": 1}]]


def test_declaration_mistakes_are_caught_at_import_time() -> None:
    kwargs: dict[str, Any] = {
        "name": "x", "type_name": "X", "path": "/x", "table": THING.table,
        "id_column": THING.id_column, "document_column": THING.document_column, "attrs": (),
    }  # fmt: skip
    with pytest.raises(ValueError, match="trailing slash"):
        TmfResource(base_path="/tmf-api/x/v4/", **kwargs)
    with pytest.raises(ValueError, match="declared twice"):
        TmfResource(
            base_path="/tmf-api/x/v4", **{**kwargs, "attrs": (THING.attrs[0], THING.attrs[0])}
        )
