"""JWT access tokens (HS256), carrying roles and row scope."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jwt

from openboss.auth.principal import Principal
from openboss.kit.clock import utcnow
from openboss.kit.errors import Unauthorized
from openboss.kit.ids import new_id

ISSUER = "openboss"
ALGORITHM = "HS256"


def issue_token(principal: Principal, key: str, ttl_seconds: int) -> str:
    now = utcnow()
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "sub": principal.subject,
        "name": principal.name,
        "kind": principal.kind,
        "roles": sorted(principal.roles),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=ttl_seconds)).timestamp()),
        "jti": new_id(),
    }
    if principal.regions is not None:
        claims["regions"] = sorted(principal.regions)
    if principal.partner_id is not None:
        claims["partner"] = principal.partner_id
    if principal.locale:
        claims["locale"] = principal.locale
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def decode_token(token: str, key: str) -> Principal:
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "iss"], "verify_iat": False},
            leeway=5,
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("access token expired", code="TOKEN_EXPIRED") from None
    except jwt.PyJWTError as exc:
        raise Unauthorized(f"invalid access token: {exc}", code="INVALID_TOKEN") from None
    regions = claims.get("regions")
    return Principal(
        subject=str(claims["sub"]),
        name=str(claims.get("name", claims["sub"])),
        roles=frozenset(claims.get("roles", [])),
        kind=str(claims.get("kind", "user")),
        regions=frozenset(regions) if regions is not None else None,
        partner_id=claims.get("partner"),
        locale=claims.get("locale"),
    )
