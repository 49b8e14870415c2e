"""HTTP conventions of TMF630 shared by every TMF API.

* Responses are built from JSON bytes the database rendered (see
  :mod:`openboss.kit.tmf.listing`), never re-validated per row.
* ``GET`` list: 200 with ``X-Total-Count`` and ``X-Result-Count``.
* ``POST`` create: 201 with ``Location`` (the new resource's href).
* ``PATCH``: ``application/merge-patch+json`` (RFC 7386, ``null`` removes) and
  ``application/json`` (treated the same); other media types are 415; the
  body must be an object; read-only attributes are 400 naming the attribute.
* ``DELETE``: 204.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Mapping
from typing import Any, TypeVar

import orjson
from fastapi import Request
from pydantic import BaseModel, ValidationError
from starlette.responses import Response

from openboss.kit.errors import AppError, ValidationFailed
from openboss.kit.tmf.errors import validation_message
from openboss.kit.tmf.listing import Page

MERGE_PATCH_JSON = "application/merge-patch+json"
JSON = "application/json"
PATCH_MEDIA_TYPES = (MERGE_PATCH_JSON, JSON)

M = TypeVar("M", bound=BaseModel)


class UnsupportedMediaType(AppError):
    status = 415
    code = "UNSUPPORTED_MEDIA_TYPE"


def base_url(request: Request) -> str:
    """Scheme, host and root path of the request: the start of every href."""
    return str(request.base_url).rstrip("/")


def json_response(
    body: bytes, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(body, status_code=status, media_type=JSON, headers=dict(headers or {}))


def list_response(page: Page) -> Response:
    """200 with the page and the TMF630 count headers."""
    return Response(
        page.body,
        status_code=200,
        media_type=JSON,
        headers={"X-Total-Count": str(page.total), "X-Result-Count": str(page.count)},
    )


def created_response(
    body: bytes, location: str, headers: Mapping[str, str] | None = None
) -> Response:
    """201 Created with ``Location`` pointing at the new resource."""
    return Response(
        body,
        status_code=201,
        media_type=JSON,
        headers={"Location": location, **(headers or {})},
    )


def no_content() -> Response:
    return Response(status_code=204)


async def patch_body(request: Request) -> dict[str, Any]:
    """The PATCH document (merge patch or plain JSON object) of the request.

    415 (TMF Error shape) for another media type — JSON Patch (RFC 6902) is not
    offered — and 400 for a body that is not a JSON object.
    """
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media not in PATCH_MEDIA_TYPES:
        raise UnsupportedMediaType(
            f"PATCH accepts {MERGE_PATCH_JSON} or {JSON}, not '{media or 'none'}'",
            field="Content-Type",
        )
    raw = await request.body()
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ValidationFailed("the request body is not valid JSON", field="body") from None
    if not isinstance(data, dict):
        raise ValidationFailed("a PATCH body must be a JSON object", field="body")
    return data


def patch_document(
    read_only: Iterable[str],
) -> Callable[[Request], Coroutine[Any, Any, dict[str, Any]]]:
    """FastAPI dependency factory: the checked PATCH document of a resource.

    It runs before the body is validated against the endpoint's update model,
    so a wrong media type is a 415 and a read-only attribute a 400 that says
    so (rather than a generic "extra input"). The returned dict is the merge
    patch as sent: a ``null`` member means "remove".
    """
    names = tuple(sorted(read_only))

    async def dependency(request: Request) -> dict[str, Any]:
        data = await patch_body(request)
        reject_read_only(data, names)
        return data

    return dependency


def reject_read_only(patch: Mapping[str, Any], read_only: Iterable[str]) -> None:
    """400 naming the first read-only attribute present in ``patch``."""
    for name in read_only:
        if name in patch:
            raise ValidationFailed(
                f"'{name}' is read-only and cannot be changed", field=name, code="READ_ONLY_FIELD"
            )


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch: objects merge recursively, ``null`` removes a
    member, anything else (arrays included) replaces. Inputs are not mutated."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def validate(model: type[M], data: Any) -> M:
    """Validate ``data`` against a Pydantic model; failures are a 400 naming the
    first invalid field (as request validation is)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        field, message = validation_message(list(exc.errors()))
        raise ValidationFailed(message, field=field) from None
