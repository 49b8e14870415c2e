"""Errors rendered as the TMF630 ``Error`` object.

``{"code", "reason", "message", "status", "@type": "Error"}``. Payload
validation failures answer 400 and name the field; unknown paths 404; a
wrong method 405; an :class:`AppError` its own status; anything unexpected
500 with the request id (logged with its traceback), never details.
"""

from __future__ import annotations

from typing import Any

import orjson
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from openboss.kit.errors import AppError, reason_for

log = structlog.get_logger("openboss.errors")


def error_body(
    status: int, code: str, message: str, *, field: str | None = None, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": code,
        "reason": reason_for(status),
        "message": message,
        "status": str(status),
        "@type": "Error",
    }
    if field:
        body["field"] = field
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def error_response(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Response:
    return Response(
        orjson.dumps(body), status_code=status, media_type="application/json", headers=headers
    )


def _loc_to_field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form"):
        parts = parts[1:]
    return ".".join(parts) if parts else "body"


def validation_message(errors: list[Any]) -> tuple[str, str]:
    """The first problem as ``(field, message)``; all problems in the message."""
    msgs = []
    first_field = "body"
    for i, err in enumerate(errors):
        field = _loc_to_field(err.get("loc", ()))
        msg = str(err.get("msg", "invalid"))
        if err.get("type") == "json_invalid":  # loc is ("body", <character position>)
            detail = (err.get("ctx") or {}).get("error")
            field = "body"
            msg = f"the request body is not valid JSON ({detail or msg})"
        if i == 0:
            first_field = field
        msgs.append(f"{field}: {msg}" if field else msg)
    return first_field, "; ".join(msgs)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def app_error(_request: Request, exc: AppError) -> Response:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return error_response(
            exc.status,
            error_body(
                exc.status, exc.code, exc.message, field=exc.field, details=exc.details or None
            ),
            headers,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> Response:
        field, message = validation_message(list(exc.errors()))
        return error_response(400, error_body(400, "INVALID_FIELD", message, field=field))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> Response:
        status = exc.status_code
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 401: "UNAUTHORIZED"}.get(
            status, "HTTP_ERROR"
        )
        message = str(exc.detail) if exc.detail else reason_for(status)
        return error_response(
            status, error_body(status, code, message), getattr(exc, "headers", None)
        )

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> Response:
        request_id = structlog.contextvars.get_contextvars().get("request_id")
        log.exception("unhandled_error", error=repr(exc))
        return error_response(
            500,
            error_body(
                500,
                "INTERNAL_ERROR",
                "an internal error occurred; quote the request id to support",
                requestId=request_id,
            ),
        )
