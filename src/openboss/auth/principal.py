"""Who is calling: user or partner system, roles and row scope."""

from __future__ import annotations

from dataclasses import dataclass, field

from openboss.kit.scope import Scope

#: Roles of DOMAIN.md §1. ``admin`` may do everything.
ROLES: tuple[str, ...] = (
    "admin",
    "csr",
    "dispatcher",
    "technician",
    "partner",
    "noc",
    "billing",
    "marketing",
    "manager",
    "customer",
)


@dataclass(frozen=True)
class Principal:
    subject: str  # user id or client id
    name: str  # username or client id, as written to the audit log
    roles: frozenset[str]
    kind: str = "user"  # "user" | "client" | "system"
    regions: frozenset[str] | None = None
    partner_id: str | None = None
    locale: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def scope(self) -> Scope:
        return Scope(regions=self.regions, partner_id=self.partner_id)

    def has_role(self, *roles: str) -> bool:
        return "admin" in self.roles or any(r in self.roles for r in roles)


SYSTEM = Principal(subject="system", name="system", roles=frozenset({"admin"}), kind="system")
