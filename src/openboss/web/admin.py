"""Administration screens: users and the audit log.

Users (role ``admin``) lists every account with its roles and row scope
(regions, partner) and creates new ones through
:func:`openboss.auth.service.create_user`, showing rule violations next to
the offending field. The audit log (``admin``, ``manager``) lists who changed
what, filtered by entity type, entity id, actor and action, each entry shown
as before → after. Both tables page and filter with htmx partial updates and
work as plain links and forms without JavaScript.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import Response

from openboss.audit import service as audit_service
from openboss.auth import service as auth_service
from openboss.auth.deps import DbSession
from openboss.auth.passwords import DEMO_PASSWORD, MIN_LENGTH
from openboss.auth.principal import ROLES, Principal
from openboss.kit.errors import AppError, ValidationFailed
from openboss.web import csrf, nav
from openboss.web.i18n import LOCALE_NAMES, LOCALES, N_
from openboss.web.shell import (
    ConsoleRoute,
    console_roles,
    gettext,
    htmx_target,
    redirect,
    render,
    settings_of,
    url_with,
)

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False, tags=["console"])

#: Who may manage users, and who may read the audit log.
USER_ROLES: Final[tuple[str, ...]] = ("admin",)
AUDIT_ROLES: Final[tuple[str, ...]] = ("admin", "manager")
#: Rows per page a reader can choose.
PAGE_SIZES: Final[tuple[int, ...]] = (25, 50, 100)
ADMIN_SECTION: Final = N_("Administration")
USERS_URL: Final = "/console/admin/users"
AUDIT_URL: Final = "/console/admin/audit"

nav.register(ADMIN_SECTION, N_("Users"), USERS_URL, roles=USER_ROLES, icon="people", order=10)
nav.register(
    ADMIN_SECTION, N_("Audit log"), AUDIT_URL, roles=AUDIT_ROLES, icon="journal-text", order=20
)

UserAdmin = Annotated[Principal, Depends(console_roles(*USER_ROLES))]
AuditReader = Annotated[Principal, Depends(console_roles(*AUDIT_ROLES))]
PageNumber = Annotated[int, Query(ge=1, le=1_000_000, description="Page, from 1.")]
PageSize = Annotated[int, Query(description="Rows per page: one of PAGE_SIZES.")]

#: Names of the roles as people read them (role ids stay visible as chips).
ROLE_LABELS: Final[dict[str, str]] = {
    "admin": N_("Administrator"),
    "csr": N_("Customer service"),
    "dispatcher": N_("Dispatcher"),
    "technician": N_("Technician"),
    "partner": N_("Partner"),
    "noc": N_("Network operations"),
    "billing": N_("Billing"),
    "marketing": N_("Marketing"),
    "manager": N_("Manager"),
    "customer": N_("Customer"),
}
#: How the audit actions read.
ACTION_LABELS: Final[dict[str, str]] = {
    "create": N_("Created"),
    "update": N_("Updated"),
    "state_change": N_("State changed"),
    "delete": N_("Deleted"),
}


#: Fields that identify a record best, shown first when an entry is summarised.
_IDENTIFYING: Final[tuple[str, ...]] = (
    "name",
    "username",
    "display_name",
    "title",
    "code",
    "state",
    "status",
    "roles",
)
#: Fields the summary leaves out (the id is in its own column; timestamps are noise).
_NOISE: Final = frozenset({"id", "created_at", "updated_at"})


def preview_fields(data: dict[str, Any], limit: int = 3) -> list[tuple[str, Any]]:
    """The few fields of a created or deleted record that say which record it was."""
    rank = {key: i for i, key in enumerate(_IDENTIFYING)}
    keys = sorted((k for k in data if k not in _NOISE), key=lambda k: (rank.get(k, len(rank)), k))
    return [(key, data[key]) for key in keys[:limit]]


@dataclass(frozen=True)
class Pager:
    """Where a page sits in a result: numbers for the pagination bar."""

    page: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def first_row(self) -> int:
        return 0 if self.total == 0 else min(self.offset + 1, self.total)

    @property
    def last_row(self) -> int:
        return min(self.offset + self.size, self.total)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def window(self, width: int = 2) -> list[int | None]:
        """Page numbers to show, ``None`` marking a gap: 1 … 4 5 [6] 7 8 … 20."""
        wanted = {1, self.pages, *range(self.page - width, self.page + width + 1)}
        numbers = sorted(n for n in wanted if 1 <= n <= self.pages)
        out: list[int | None] = []
        previous = 0
        for number in numbers:
            if number - previous > 1:
                out.append(None)
            out.append(number)
            previous = number
        return out


def checked_size(size: int) -> int:
    """The page size, if it is one the screens offer (anything else is a 400)."""
    if size not in PAGE_SIZES:
        raise ValidationFailed(
            f"size must be one of {', '.join(map(str, PAGE_SIZES))}", field="size"
        )
    return size


# ---- users -------------------------------------------------------------------


@dataclass
class UserForm:
    """The new-user form as typed, so it can be shown again with its errors."""

    username: str = ""
    display_name: str = ""
    roles: tuple[str, ...] = ()
    region_ids: str = ""
    partner_id: str = ""
    locale: str = ""


def _users_context(request: Request, session: DbSession, page: int, size: int) -> dict[str, Any]:
    pager = Pager(page, size, 0)
    users, total = auth_service.list_users(session, offset=pager.offset, limit=size)
    pager = Pager(page, size, total)
    return {
        "users": users,
        "pager": pager,
        "page_sizes": PAGE_SIZES,
        "role_labels": ROLE_LABELS,
        "all_roles": ROLES,
        "locale_names": LOCALE_NAMES,
        "page_url": lambda n: url_with(request, page=n if n > 1 else None),
        "size_url": lambda s: url_with(request, size=s if s != PAGE_SIZES[0] else None, page=None),
    }


@router.get(USERS_URL, name="console_users")
def users_page(
    request: Request,
    principal: UserAdmin,
    session: DbSession,
    page: PageNumber = 1,
    size: PageSize = 25,
) -> Response:
    """The user list (a fragment when htmx pages through the table)."""
    context = _users_context(request, session, page, checked_size(size))
    if htmx_target(request) == "users-table":
        return render(request, "admin/_users_table.html", context, principal=principal)
    context.update(form=UserForm(), errors={}, created=None)
    return render(request, "admin/users.html", context, principal=principal)


def _split_ids(raw: str) -> list[str]:
    """Region ids typed as ``gz, sz`` or one per line."""
    return [part for part in raw.replace(",", " ").split() if part]


def _field_error(exc: AppError, form: UserForm, password: str, _: Any) -> tuple[str, str]:
    """The form field a service error belongs to and its text in the reader's language."""
    field = exc.field or "form"
    if field == "username" and exc.status == 409:
        return field, _("This username is already taken.")
    if field == "username":
        return field, _("Use 2 to 64 letters, digits or the characters . _ @ -")
    if field == "password" and password == DEMO_PASSWORD:
        return field, _("The demo password is only allowed in demo mode.")
    if field == "password":
        return field, _("Use at least %(count)d characters.", count=MIN_LENGTH)
    if field == "roles":
        return field, _("Choose at least one role.")
    if field == "partnerId":
        return "partner_id", _("A partner user needs a partner id.")
    return "form", exc.message


@router.post(USERS_URL, name="console_create_user")
def create_user(
    request: Request,
    principal: UserAdmin,
    session: DbSession,
    username: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    roles: Annotated[list[str] | None, Form()] = None,
    region_ids: Annotated[str, Form()] = "",
    partner_id: Annotated[str, Form()] = "",
    locale: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Create a user; rule violations come back inline on the form (400 / 409)."""
    csrf.verify(request, csrf_token, principal.subject)
    _ = gettext(request)
    form = UserForm(
        username=username.strip(),
        display_name=display_name.strip(),
        roles=tuple(dict.fromkeys(roles or ())),
        region_ids=region_ids.strip(),
        partner_id=partner_id.strip(),
        locale=locale,
    )
    errors: dict[str, str] = {}
    unknown = [r for r in form.roles if r not in ROLES]
    if unknown:
        errors["roles"] = _("Unknown role: %(role)s", role=", ".join(unknown))
    if len(form.display_name) > 128:
        errors["display_name"] = _("Use at most %(count)d characters.", count=128)
    if len(form.partner_id) > 64:
        errors["partner_id"] = _("Use at most %(count)d characters.", count=64)
    if form.locale and form.locale not in LOCALES:
        errors["locale"] = _("Choose one of the offered languages.")
    if not password:
        errors["password"] = _("Enter an initial password.")
    status = 400
    created = None
    if not errors:
        regions = _split_ids(form.region_ids)
        try:
            user = auth_service.create_user(
                session,
                username=form.username,
                password=password,
                roles=list(form.roles),
                display_name=form.display_name,
                region_ids=regions or None,
                partner_id=form.partner_id or None,
                locale=form.locale or None,
                demo_mode=settings_of(request).demo_mode,
            )
        except AppError as exc:
            session.rollback()
            field, message = _field_error(exc, form, password, _)
            errors[field] = message
            status = exc.status if exc.status in (400, 409) else 400
        else:
            created = user.username
            status = 200
    if created is not None and htmx_target(request) is None:
        return redirect(request, USERS_URL)
    page_context = _users_context(request, session, 1, PAGE_SIZES[0])
    page_context.update(
        form=UserForm() if created else form,
        errors=errors,
        created=created,
        oob_table=htmx_target(request) is not None,
    )
    template = "admin/_user_create.html" if htmx_target(request) else "admin/users.html"
    return render(request, template, page_context, status=status, principal=principal)


# ---- audit log ----------------------------------------------------------------


@router.get(AUDIT_URL, name="console_audit")
def audit_page(
    request: Request,
    principal: AuditReader,
    session: DbSession,
    entity_type: Annotated[str, Query(max_length=64)] = "",
    entity_id: Annotated[str, Query(max_length=64)] = "",
    actor: Annotated[str, Query(max_length=64)] = "",
    action: Annotated[Literal["", "create", "update", "state_change", "delete"], Query()] = "",
    page: PageNumber = 1,
    size: PageSize = 25,
) -> Response:
    """The audit log, newest first (a fragment when htmx filters or pages)."""
    filters = {
        "entity_type": entity_type.strip(),
        "entity_id": entity_id.strip(),
        "actor": actor.strip(),
        "action": action,
    }
    size = checked_size(size)
    pager = Pager(page, size, 0)
    entries, total = audit_service.list_audit(
        session,
        entity_type=filters["entity_type"] or None,
        entity_id=filters["entity_id"] or None,
        actor=filters["actor"] or None,
        action=filters["action"] or None,
        offset=pager.offset,
        limit=size,
    )
    context: dict[str, Any] = {
        "entries": entries,
        "pager": Pager(page, size, total),
        "filters": filters,
        "filtered": any(filters.values()),
        "entity_types": audit_service.audited_entity_types(),
        "actions": audit_service.ACTIONS,
        "action_labels": ACTION_LABELS,
        "preview_fields": preview_fields,
        "page_sizes": PAGE_SIZES,
        "page_url": lambda n: url_with(request, page=n if n > 1 else None),
        "size_url": lambda s: url_with(request, size=s if s != PAGE_SIZES[0] else None, page=None),
    }
    if htmx_target(request) == "audit-table":
        return render(request, "admin/_audit_table.html", context, principal=principal)
    return render(request, "admin/audit.html", context, principal=principal)
