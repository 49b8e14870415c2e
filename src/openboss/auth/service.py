"""Use cases of authentication: log in, create users and API clients.

Services never commit; the caller (request or CLI command) owns the transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openboss.auth.models import ApiClient, User
from openboss.auth.passwords import (
    DEMO_PASSWORD,
    DUMMY_HASH,
    MIN_LENGTH,
    hash_password,
    verify_password,
)
from openboss.auth.principal import ROLES, Principal
from openboss.kit.clock import utcnow
from openboss.kit.errors import Conflict, NotFound, Unauthorized, ValidationFailed

_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")


class AuthError(Unauthorized):
    code = "INVALID_GRANT"


def principal_of(user: User) -> Principal:
    return Principal(
        subject=user.id,
        name=user.username,
        roles=frozenset(user.roles),
        kind="user",
        regions=frozenset(user.region_ids) if user.region_ids is not None else None,
        partner_id=user.partner_id,
        locale=user.locale,
    )


def _check_roles(roles: Iterable[str]) -> list[str]:
    roles = list(dict.fromkeys(roles))
    if not roles:
        raise ValidationFailed("at least one role is required", field="roles")
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise ValidationFailed(
            f"unknown role(s) {', '.join(unknown)}; roles are: {', '.join(ROLES)}", field="roles"
        )
    return roles


def _check_length(field: str, value: str | None, limit: int) -> None:
    if value is not None and len(value) > limit:
        raise ValidationFailed(f"{field} must have at most {limit} characters", field=field)


def _check_password(password: str, *, demo_mode: bool) -> None:
    if password == DEMO_PASSWORD:
        if not demo_mode:
            raise ValidationFailed(
                "the demo password is only allowed in demo mode", field="password"
            )
        return
    if len(password) < MIN_LENGTH:
        raise ValidationFailed(
            f"password must have at least {MIN_LENGTH} characters", field="password"
        )


def authenticate_password(session: Session, username: str, password: str) -> Principal:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        verify_password(DUMMY_HASH, password)  # same time whether or not the user exists
        raise AuthError("invalid username or password")
    if not verify_password(user.password_hash, password) or not user.is_active:
        raise AuthError("invalid username or password")
    user.last_login_at = utcnow()
    return principal_of(user)


def authenticate_client(session: Session, client_id: str, secret: str) -> Principal:
    client = session.get(ApiClient, client_id)
    if client is None:
        verify_password(DUMMY_HASH, secret)
        raise AuthError("invalid client credentials", code="INVALID_CLIENT")
    if not verify_password(client.secret_hash, secret) or not client.is_active:
        raise AuthError("invalid client credentials", code="INVALID_CLIENT")
    return Principal(
        subject=client.id,
        name=client.id,
        roles=frozenset(client.roles),
        kind="client",
        regions=frozenset(client.region_ids) if client.region_ids is not None else None,
        partner_id=client.partner_id,
    )


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    roles: Sequence[str],
    display_name: str = "",
    region_ids: Sequence[str] | None = None,
    partner_id: str | None = None,
    locale: str | None = None,
    demo_mode: bool = False,
) -> User:
    if not _USERNAME.match(username):
        raise ValidationFailed("username must be 2-64 letters, digits or . _ @ -", field="username")
    role_list = _check_roles(roles)
    _check_length("displayName", display_name, 128)
    _check_length("partnerId", partner_id, 64)
    _check_length("locale", locale, 8)
    for region in region_ids or ():
        _check_length("regionIds", region, 64)
    if "partner" in role_list and not partner_id:
        raise ValidationFailed("a partner user needs a partnerId", field="partnerId")
    _check_password(password, demo_mode=demo_mode)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"username '{username}' is already taken", field="username")
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        demo_password=password == DEMO_PASSWORD,
        roles=role_list,
        region_ids=list(region_ids) if region_ids is not None else None,
        partner_id=partner_id,
        locale=locale,
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, username: str, password: str, *, demo_mode: bool) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"user '{username}' not found")
    _check_password(password, demo_mode=demo_mode)
    user.password_hash = hash_password(password)
    user.demo_password = password == DEMO_PASSWORD
    return user


def create_api_client(
    session: Session,
    *,
    client_id: str,
    secret: str,
    name: str,
    roles: Sequence[str],
    partner_id: str | None = None,
    region_ids: Sequence[str] | None = None,
) -> ApiClient:
    if not _USERNAME.match(client_id):
        raise ValidationFailed(
            "client_id must be 2-64 letters, digits or . _ @ -", field="clientId"
        )
    _check_length("name", name, 128)
    _check_length("partnerId", partner_id, 64)
    if len(secret) < 16:
        raise ValidationFailed("client secret must have at least 16 characters", field="secret")
    role_list = _check_roles(roles)
    if session.get(ApiClient, client_id) is not None:
        raise Conflict(f"client '{client_id}' already exists", field="clientId")
    client = ApiClient(
        id=client_id,
        name=name,
        secret_hash=hash_password(secret),
        roles=role_list,
        partner_id=partner_id,
        region_ids=list(region_ids) if region_ids is not None else None,
    )
    session.add(client)
    session.flush()
    return client


def users_with_demo_password(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(User.username).where(User.demo_password.is_(True)).order_by(User.username)
        )
    )


def list_users(session: Session, offset: int = 0, limit: int = 100) -> tuple[list[User], int]:
    total = session.scalar(select(func.count()).select_from(User)) or 0
    rows = session.scalars(select(User).order_by(User.username).offset(offset).limit(limit))
    return list(rows), total
