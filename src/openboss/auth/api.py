"""``POST /auth/token``: the OAuth2 token endpoint (RFC 6749 §4.3, §4.4).

Form-encoded. ``grant_type=password`` with ``username``/``password`` for
people; ``grant_type=client_credentials`` with ``client_id``/``client_secret``
(form fields or HTTP Basic) for partner and integration systems.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import APIRouter, Form, Request
from pydantic import BaseModel, Field

from openboss.auth import service
from openboss.auth.deps import CurrentPrincipal, DbSession
from openboss.auth.tokens import issue_token
from openboss.kit.errors import AppError, ValidationFailed

router = APIRouter(prefix="/auth", tags=["auth"])


class OAuthError(AppError):
    """RFC 6749 §5.2 errors are answered in the TMF Error shape with the OAuth code."""

    status = 400
    code = "invalid_request"


class TokenResponse(BaseModel):
    access_token: str = Field(description="JWT access token; send as 'Authorization: Bearer ...'.")
    token_type: str = Field("bearer", description="Always 'bearer'.")
    expires_in: int = Field(description="Seconds until the token expires.")


class Me(BaseModel):
    subject: str = Field(description="User or client id.")
    name: str = Field(description="Username or client id.")
    kind: str = Field(description="'user' or 'client'.")
    roles: list[str] = Field(description="Granted roles.")
    regions: list[str] | None = Field(description="Regions in scope; null means every region.")
    partnerId: str | None = Field(description="Partner the caller belongs to, if any.")


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        raw = base64.b64decode(header[6:].strip()).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise OAuthError("malformed HTTP Basic credentials", code="invalid_client") from None
    client_id, sep, secret = raw.partition(":")
    if not sep:
        raise OAuthError("malformed HTTP Basic credentials", code="invalid_client")
    return client_id, secret


@router.post("/token", response_model=TokenResponse, name="issue_token")
def issue_access_token(
    request: Request,
    session: DbSession,
    grant_type: Annotated[str, Form(description="'password' or 'client_credentials'.")],
    username: Annotated[str | None, Form()] = None,
    password: Annotated[str | None, Form()] = None,
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
    scope: Annotated[str | None, Form(description="Ignored; roles come from the account.")] = None,
) -> TokenResponse:
    settings = request.app.state.settings
    if grant_type == "password":
        if not username:
            raise ValidationFailed("username is required for grant_type=password", field="username")
        if not password:
            raise ValidationFailed("password is required for grant_type=password", field="password")
        principal = service.authenticate_password(session, username, password)
    elif grant_type == "client_credentials":
        basic = _basic_credentials(request)
        if basic:
            client_id, client_secret = basic
        if not client_id or not client_secret:
            raise ValidationFailed(
                "client_id and client_secret are required for grant_type=client_credentials",
                field="client_id",
            )
        principal = service.authenticate_client(session, client_id, client_secret)
    else:
        raise OAuthError(
            f"unsupported grant_type '{grant_type}'; use 'password' or 'client_credentials'",
            code="unsupported_grant_type",
            field="grant_type",
        )
    # The caller is now known: the audit log attributes the login (last_login_at) to them.
    session.info["principal"] = principal
    ttl = settings.access_token_ttl_seconds
    token = issue_token(principal, request.app.state.secret_key, ttl)
    return TokenResponse(access_token=token, token_type="bearer", expires_in=ttl)  # noqa: S106


@router.get("/me", response_model=Me, name="who_am_i")
def who_am_i(principal: CurrentPrincipal) -> Me:
    return Me(
        subject=principal.subject,
        name=principal.name,
        kind=principal.kind,
        roles=sorted(principal.roles),
        regions=sorted(principal.regions) if principal.regions is not None else None,
        partnerId=principal.partner_id,
    )
