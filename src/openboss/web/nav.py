"""The console's navigation: a registry every domain adds its screens to.

A domain's console module registers its menu entries at import time::

    from openboss.web.i18n import N_
    from openboss.web import nav

    nav.register(N_("Customers"), N_("Customer search"), "/console/party/customers",
                 roles=("csr", "manager"), icon="people")

Labels are gettext message ids, translated when the page is rendered in the
reader's language. The side navigation shows a person only the entries their
roles allow (an entry without roles is for every signed-in person; ``admin``
sees everything), which mirrors, and never replaces, the role check of the
screen itself.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

from openboss.auth.principal import ROLES, Principal

#: Section of entries shown above every section heading (the dashboard).
TOP: str = ""
#: Where the console lives; every navigation URL is under it.
CONSOLE_ROOT: str = "/console"


@dataclass(frozen=True)
class NavEntry:
    """One screen in the side navigation."""

    section: str  # msgid of the section heading; TOP for the unnamed first group
    label: str  # msgid of the entry
    url: str  # absolute path under /console
    roles: frozenset[str]  # any of these may see it; empty = every signed-in person
    icon: str  # Bootstrap Icons name without the "bi-" prefix
    order: int  # position within the section (ties keep registration order)

    def allows(self, principal: Principal) -> bool:
        return not self.roles or principal.has_role(*self.roles)


@dataclass(frozen=True)
class NavSection:
    """A heading and the entries a principal may see under it."""

    title: str  # msgid; TOP for the unnamed group
    entries: tuple[NavEntry, ...]


_lock = threading.Lock()
_entries: dict[str, NavEntry] = {}
_sections: list[str] = [TOP]


def register(
    section: str,
    label_msgid: str,
    url: str,
    roles: Iterable[str] = (),
    icon: str = "circle",
    *,
    order: int = 100,
) -> NavEntry:
    """Add (or replace, keyed by ``url``) a navigation entry.

    ``section`` and ``label_msgid`` are gettext message ids (mark them with
    :func:`openboss.web.i18n.N_`); ``roles`` are role names of
    :data:`openboss.auth.principal.ROLES`; ``icon`` a Bootstrap Icons name.
    Sections appear in the order they are first registered.
    """
    if url != CONSOLE_ROOT and not url.startswith(CONSOLE_ROOT + "/"):
        raise ValueError(f"console navigation URLs live under /console, got {url!r}")
    if not label_msgid:
        raise ValueError("a navigation entry needs a label")
    role_set = frozenset(roles)
    unknown = sorted(role_set - set(ROLES))
    if unknown:
        raise ValueError(f"unknown role(s) {', '.join(unknown)} for navigation entry {url}")
    entry = NavEntry(section, label_msgid, url, role_set, icon, order)
    with _lock:
        _entries[url] = entry
        if section not in _sections:
            _sections.append(section)
    return entry


def unregister(url: str) -> None:
    """Remove the entry for ``url`` (tests; a domain switched off by configuration)."""
    with _lock:
        _entries.pop(url, None)


def entries() -> list[NavEntry]:
    """Every registered entry, in display order."""
    with _lock:
        section_rank = {name: i for i, name in enumerate(_sections)}
        items = list(_entries.values())
    # dicts keep insertion order and sorted() is stable: ties keep registration order.
    return sorted(items, key=lambda e: (section_rank[e.section], e.order))


def visible_sections(principal: Principal) -> list[NavSection]:
    """The sections and entries ``principal`` may see; empty sections are left out."""
    grouped: dict[str, list[NavEntry]] = {}
    for entry in entries():
        if entry.allows(principal):
            grouped.setdefault(entry.section, []).append(entry)
    return [NavSection(title, tuple(items)) for title, items in grouped.items()]


def active_url(path: str, principal: Principal) -> str | None:
    """The entry a page at ``path`` belongs to: the longest registered URL prefixing it."""
    best: str | None = None
    for entry in entries():
        if not entry.allows(principal):
            continue
        # The console root (the dashboard) is active only on itself, not on every page.
        nested = entry.url != CONSOLE_ROOT and path.startswith(entry.url.rstrip("/") + "/")
        if (path == entry.url or nested) and (best is None or len(entry.url) > len(best)):
            best = entry.url
    return best
