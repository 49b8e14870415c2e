"""Pieces of the shell without a server: page header macro, redirects, assets, paging."""

from __future__ import annotations

from pathlib import Path

import pytest

from openboss.web import shell
from openboss.web.admin import Pager, preview_fields


def test_page_header_shows_an_etom_badge_when_a_screen_implements_a_process() -> None:
    env = shell.environment("zh_CN")
    source = (
        '{% import "macros.html" as m %}'
        '{{ m.page_header("订单处理", etom="1.1.1.5", etom_name="Order Handling") }}'
    )
    html = env.from_string(source).render()
    assert 'class="ob-etom"' in html
    assert "eTOM 1.1.1.5" in html
    assert 'title="eTOM 流程 1.1.1.5: Order Handling"' in html
    plain = env.from_string('{% import "macros.html" as m %}{{ m.page_header("用户") }}').render()
    assert "ob-etom" not in plain


def test_templates_escape_what_people_typed() -> None:
    env = shell.environment("en")
    html = env.from_string('{{ _("Welcome, %(name)s.", name=who) }}').render(who="<b>x</b>")
    assert html == "Welcome, &lt;b&gt;x&lt;/b&gt;."


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/console/admin/users?page=2", "/console/admin/users?page=2"),
        ("/console", "/console"),
        (None, "/console"),
        ("", "/console"),
        ("console", "/console"),
        ("//evil.example", "/console"),
        ("/\\evil.example", "/console"),
        ("https://evil.example/console", "/console"),
        ("/console\r\nSet-Cookie: x=1", "/console"),
        ("/" + "a" * 3000, "/console"),
    ],
)
def test_safe_next_only_allows_paths_on_this_site(value: str | None, expected: str) -> None:
    assert shell.safe_next(value) == expected


def test_asset_urls_change_when_the_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shell, "STATIC_DIR", tmp_path)
    (tmp_path / "dist").mkdir()
    bundle = tmp_path / "dist" / "app.js"
    bundle.write_text("console.log(1)")
    first = shell.asset_url("dist/app.js")
    assert first.startswith("/static/dist/app.js?v=")
    assert shell.asset_url("dist/app.js") == first
    bundle.write_text("console.log(22)")
    assert shell.asset_url("dist/app.js") != first
    assert shell.asset_url("dist/missing.css") == "/static/dist/missing.css"


def test_pager_numbers() -> None:
    pager = Pager(page=6, size=25, total=500)
    assert (pager.pages, pager.offset, pager.first_row, pager.last_row) == (20, 125, 126, 150)
    assert pager.window() == [1, None, 4, 5, 6, 7, 8, None, 20]
    assert Pager(1, 25, 0).window() == [1]
    assert (Pager(1, 25, 0).first_row, Pager(1, 25, 0).last_row) == (0, 0)
    assert Pager(2, 25, 30).last_row == 30
    assert not Pager(2, 25, 30).has_next and Pager(2, 25, 30).has_prev
    assert Pager(3, 25, 200).window() == [1, 2, 3, 4, 5, None, 8]


def test_audit_preview_prefers_identifying_fields() -> None:
    data = {
        "id": "1",
        "created_at": "t",
        "demo_password": False,
        "username": "u",
        "roles": ["csr"],
        "display_name": "U",
    }
    assert [k for k, _ in preview_fields(data)] == ["username", "display_name", "roles"]
    assert preview_fields({"id": "1"}) == []
