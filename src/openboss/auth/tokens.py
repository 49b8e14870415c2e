"""JWT access tokens (HS256), carrying roles and row scope."""

from __future__ import annotations

import time
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
    """The principal of a valid token; raises :class:`Unauthorized` otherwise.

    A verified token is remembered (by its exact text and key) until it
    expires, so a client's repeated requests skip the signature check — a
    measurable share of a fast request. Expiry is still checked every time.
    """
    cached = _verified.get((token, key))
    if cached is not None:
        principal, expires = cached
        if time.time() < expires:
            return principal
        _verified.pop((token, key), None)
    principal, expires = _decode(token, key)
    if len(_verified) >= _CACHE_SIZE:
        _verified.clear()
    _verified[(token, key)] = (principal, expires)
    return principal


#: Verified tokens → (principal, expiry as Unix time). Bounded; cleared when full.
_verified: dict[tuple[str, str], tuple[Principal, float]] = {}
_CACHE_SIZE = 10_000


def _decode(token: str, key: str) -> tuple[Principal, float]:
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
    principal = Principal(
        subject=str(claims["sub"]),
        name=str(claims.get("name", claims["sub"])),
        roles=frozenset(claims.get("roles", [])),
        kind=str(claims.get("kind", "user")),
        regions=frozenset(regions) if regions is not None else None,
        partner_id=claims.get("partner"),
        locale=claims.get("locale"),
    )
    return principal, float(claims["exp"])
