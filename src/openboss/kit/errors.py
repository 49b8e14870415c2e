"""One error hierarchy for the whole system.

Every expected failure is an :class:`AppError` with an HTTP status, a stable
machine code and a message naming the problem. The API layer renders it as
the TMF630 ``Error`` object; nothing raised for client input becomes a 500.
Each domain subclasses these (``OrderError(AppError)``).
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """Base of every expected error."""

    status: int = 400
    code: str = "BAD_REQUEST"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        field: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        self.field = field
        self.details = details or {}

    @property
    def reason(self) -> str:
        return _REASONS.get(self.status, "Error")


class ValidationFailed(AppError):
    """400: the input is malformed or breaks a rule; ``field`` names the culprit."""

    status = 400
    code = "INVALID_FIELD"


class NotFound(AppError):
    status = 404
    code = "NOT_FOUND"


class Conflict(AppError):
    """409: the resource is in a state that forbids the request, or a duplicate."""

    status = 409
    code = "CONFLICT"


class IllegalTransition(Conflict):
    code = "ILLEGAL_STATE_TRANSITION"


class Unauthorized(AppError):
    status = 401
    code = "UNAUTHORIZED"


class Forbidden(AppError):
    status = 403
    code = "FORBIDDEN"


_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def reason_for(status: int) -> str:
    return _REASONS.get(status, "Error")
