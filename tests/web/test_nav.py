"""The navigation registry: entries by role, sections in order, the active entry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from openboss.auth.principal import Principal
from openboss.web import nav
from openboss.web import routes as _routes  # noqa: F401 - registers the dashboard entry


def who(*roles: str) -> Principal:
    return Principal(subject="s", name="n", roles=frozenset(roles))


@pytest.fixture
def scratch_entries() -> Iterator[list[str]]:
    """URLs registered by a test, removed again afterwards."""
    urls: list[str] = []
    yield urls
    for url in urls:
        nav.unregister(url)


def test_the_shell_registers_its_screens() -> None:
    import openboss.web.routes  # noqa: F401 - registers the shell's entries

    urls = {e.url: e for e in nav.entries()}
    assert urls["/console"].roles == frozenset()
    assert urls["/console/admin/users"].roles == {"admin"}
    assert urls["/console/admin/audit"].roles == {"admin", "manager"}


def test_entries_are_filtered_by_role(scratch_entries: list[str]) -> None:
    scratch_entries += ["/console/t/tickets", "/console/t/alarms", "/console/t/all"]
    nav.register("Assurance", "Tickets", "/console/t/tickets", roles=("csr", "noc"), icon="ticket")
    nav.register("Assurance", "Alarms", "/console/t/alarms", roles=("noc",), order=5)
    nav.register("Assurance", "Everyone", "/console/t/all")

    def assurance(p: Principal) -> list[str]:
        return [e.url for s in nav.visible_sections(p) if s.title == "Assurance" for e in s.entries]

    assert assurance(who("csr")) == ["/console/t/tickets", "/console/t/all"]
    assert assurance(who("noc")) == ["/console/t/alarms", "/console/t/tickets", "/console/t/all"]
    assert assurance(who("billing")) == ["/console/t/all"]
    assert assurance(who("admin")) == ["/console/t/alarms", "/console/t/tickets", "/console/t/all"]


def test_sections_without_visible_entries_are_left_out(scratch_entries: list[str]) -> None:
    scratch_entries.append("/console/x/secret")
    nav.register("Secret", "Vault", "/console/x/secret", roles=("billing",))
    assert "Secret" not in [s.title for s in nav.visible_sections(who("csr"))]
    assert "Secret" in [s.title for s in nav.visible_sections(who("billing"))]


def test_registering_the_same_url_replaces_the_entry(scratch_entries: list[str]) -> None:
    scratch_entries.append("/console/r/x")
    nav.register("R", "Old", "/console/r/x")
    nav.register("R", "New", "/console/r/x", icon="star")
    matching = [e for e in nav.entries() if e.url == "/console/r/x"]
    assert [(e.label, e.icon) for e in matching] == [("New", "star")]


def test_bad_registrations_are_refused() -> None:
    with pytest.raises(ValueError, match="under /console"):
        nav.register("X", "Y", "/api/x")
    with pytest.raises(ValueError, match="under /console"):
        nav.register("X", "Y", "/consolex")
    with pytest.raises(ValueError, match="unknown role"):
        nav.register("X", "Y", "/console/y", roles=("wizard",))
    with pytest.raises(ValueError, match="label"):
        nav.register("X", "", "/console/y")


def test_active_entry_is_the_longest_prefix(scratch_entries: list[str]) -> None:
    scratch_entries.append("/console/admin/users/roles")
    nav.register("Administration", "Roles", "/console/admin/users/roles", roles=("admin",))
    admin = who("admin")
    assert nav.active_url("/console", admin) == "/console"
    assert nav.active_url("/console/admin/users", admin) == "/console/admin/users"
    assert nav.active_url("/console/admin/users/42", admin) == "/console/admin/users"
    assert nav.active_url("/console/admin/users/roles", admin) == "/console/admin/users/roles"
    assert nav.active_url("/console/unregistered", admin) is None  # not the dashboard
    assert nav.active_url("/console/admin/users", who("csr")) is None
