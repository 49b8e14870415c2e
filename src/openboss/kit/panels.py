"""Panels of the customer 360 view that domains contribute.

The party domain shows a customer's profile, accounts, addresses and
contacts; products, orders, tickets and bills live in other domains, which
may not import the party domain (domains are independent). So each of them
registers, at import time, a :class:`CustomerPanel` here — in the kit, which
every layer may use — and the 360 view (API and console) shows every
registered panel the reader's roles allow::

    register_customer_panel(CustomerPanel(
        key="orders", title=N_("Orders"), order=30, roles=frozenset({"csr"}),
        columns=(PanelColumn("id", N_("Order")), PanelColumn("state", N_("State"))),
        load=lambda session, scope, customer_id: PanelData(rows=[...], total=n),
    ))

``title`` and column labels are gettext message ids (the console translates
them); a loader returns at most a screenful of rows and the total, and is
called with the caller's row scope, so it applies region and partner scope
like any other query.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from openboss.kit.scope import Scope


@dataclass(frozen=True, slots=True)
class PanelColumn:
    """A column of a panel's table: the row key and its label (a message id)."""

    key: str
    label: str


@dataclass(frozen=True, slots=True)
class PanelData:
    """What a panel shows for one customer."""

    rows: Sequence[Mapping[str, Any]]
    total: int
    #: Where the full list lives (a console URL), when there is more than a screenful.
    more_url: str | None = None


PanelLoader = Callable[[Session, Scope, str], PanelData]


@dataclass(frozen=True, slots=True)
class CustomerPanel:
    """A section of the customer 360 view contributed by a domain."""

    key: str
    title: str
    columns: tuple[PanelColumn, ...]
    load: PanelLoader
    order: int = 100
    #: Roles that may see the panel (admin always may); empty = everyone who sees the 360 view.
    roles: frozenset[str] = field(default_factory=frozenset)

    def allows(self, roles: frozenset[str]) -> bool:
        return not self.roles or "admin" in roles or bool(self.roles & roles)


_lock = threading.Lock()
_panels: dict[str, CustomerPanel] = {}


def register_customer_panel(panel: CustomerPanel) -> CustomerPanel:
    """Add (or replace, keyed by ``panel.key``) a panel of the 360 view."""
    if not panel.key or not panel.title:
        raise ValueError("a panel needs a key and a title")
    with _lock:
        _panels[panel.key] = panel
    return panel


def unregister_customer_panel(key: str) -> None:
    with _lock:
        _panels.pop(key, None)


def customer_panels(roles: frozenset[str] | None = None) -> list[CustomerPanel]:
    """Registered panels in display order (only those ``roles`` may see, when given)."""
    with _lock:
        panels = sorted(_panels.values(), key=lambda p: (p.order, p.key))
    if roles is None:
        return panels
    return [p for p in panels if p.allows(roles)]
