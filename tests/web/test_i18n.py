"""Catalogs are complete in both languages; locale negotiation; local time and numbers."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from babel.support import Translations

from openboss.web import i18n

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def extracted_msgids(tmp_path: Path) -> set[str]:
    """Run ``pybabel extract`` with the project's babel.cfg, as a maintainer would."""
    out = tmp_path / "extracted.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-o",
            str(out),
            "--no-location",
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with out.open("rb") as f:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}


def test_every_console_text_is_in_the_template_and_translated(tmp_path: Path) -> None:
    extracted = extracted_msgids(tmp_path)
    assert "Sign in" in extracted and "Dashboard" in extracted  # templates and Python both seen
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as f:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    missing = sorted(extracted - template)
    assert not missing, f"run pybabel extract (see babel.cfg): {missing}"
    stale = sorted(template - extracted)
    assert not stale, f"messages.pot has texts no longer used: {stale}"
    for locale in i18n.LOCALES:
        assert i18n.untranslated(locale, extracted) == [], f"{locale} lacks translations"


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_translations_keep_their_placeholders(locale: str) -> None:
    for msgid, msgstr in i18n.catalog_msgids(locale).items():
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(msgstr)), msgid


def test_chinese_catalog_is_actually_chinese() -> None:
    zh = i18n.catalog_msgids("zh_CN")
    untranslated_copies = [m for m, s in zh.items() if m == s]
    assert not untranslated_copies
    assert zh["Sign in"] == "登录"
    assert all(re.search(r"[\u4e00-\u9fff]", s) for s in zh.values())


def test_compile_catalogs_writes_loadable_mo_files(tmp_path: Path) -> None:
    shutil.copytree(i18n.LOCALE_DIR, tmp_path / "locale", ignore=shutil.ignore_patterns("*.mo"))
    written = i18n.compile_catalogs(tmp_path / "locale")
    assert sorted(p.parent.parent.name for p in written) == sorted(i18n.LOCALES)
    zh = Translations.load(str(tmp_path / "locale"), ["zh_CN"], i18n.DOMAIN)
    assert zh.gettext("Sign out") == "退出登录"
    # nothing to do when the .mo files are current
    assert i18n.compile_catalogs(tmp_path / "locale", force=False) == []


def test_gettext_interpolates_after_translating() -> None:
    _ = i18n.gettext_for("zh_CN")
    assert _("Welcome, %(name)s.", name="李雷") == "欢迎，李雷。"
    assert i18n.gettext_for("en")("Welcome, %(name)s.", name="Li") == "Welcome, Li."


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("zh-CN", "zh_CN"),
        ("zh_cn", "zh_CN"),
        ("zh", "zh_CN"),
        ("zh-Hans-CN", "zh_CN"),
        ("zh-TW", "zh_CN"),
        ("en", "en"),
        ("en-GB", "en"),
        ("EN_us", "en"),
        ("fr", None),
        ("", None),
        (None, None),
        ("--", None),
    ],
)
def test_normalise_locale(value: str | None, expected: str | None) -> None:
    assert i18n.normalise_locale(value) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en-US,en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh_CN"),
        ("fr-FR,fr;q=0.9,en;q=0.5,zh;q=0.7", "zh_CN"),
        ("de, en;q=0", None),
        ("*", None),
        ("en;q=abc, zh", "zh_CN"),
        ("", None),
    ],
)
def test_accept_language(header: str, expected: str | None) -> None:
    assert i18n.locale_from_accept_language(header) == expected


def test_choose_locale_precedence() -> None:
    args = {
        "requested": None,
        "cookie": None,
        "user_locale": None,
        "accept_language": None,
        "default": "zh_CN",
    }
    assert i18n.choose_locale(**args) == "zh_CN"
    assert i18n.choose_locale(**{**args, "accept_language": "en"}) == "en"
    assert (
        i18n.choose_locale(**{**args, "accept_language": "en", "user_locale": "zh_CN"}) == "zh_CN"
    )
    assert i18n.choose_locale(**{**args, "user_locale": "zh_CN", "cookie": "en"}) == "en"
    assert i18n.choose_locale(**{**args, "cookie": "en", "requested": "zh-CN"}) == "zh_CN"
    assert i18n.choose_locale(**{**args, "requested": "xx", "cookie": "en"}) == "en"


def test_times_are_local_and_formatted_per_language() -> None:
    at = datetime(2024, 1, 1, 16, 30, tzinfo=UTC)  # 00:30 on 2 January in Shanghai
    assert i18n.format_datetime(at, "zh_CN") == "2024年1月2日 00:30:00"
    assert i18n.format_datetime(at, "en").startswith("Jan 2, 2024, 12:30:00")
    assert i18n.format_datetime(at, "en", "UTC").startswith("Jan 1, 2024, 4:30:00")
    assert i18n.format_date(at, "zh_CN") == "2024年1月2日"
    assert i18n.format_datetime(None, "en") == ""
    assert i18n.format_number(1234567, "en") == "1,234,567"
    assert i18n.format_number(1234567.5, "zh_CN") == "1,234,567.5"


def test_local_day_start_is_local_midnight_in_utc() -> None:
    assert i18n.local_day_start(datetime(2024, 1, 1, 16, 30, tzinfo=UTC)) == datetime(
        2024, 1, 1, 16, 0, tzinfo=UTC
    )
    assert i18n.local_day_start(datetime(2024, 1, 1, 15, 59, tzinfo=UTC)) == datetime(
        2023, 12, 31, 16, 0, tzinfo=UTC
    )


def test_missing_mo_files_are_compiled_on_first_use(tmp_path: Path) -> None:
    locale_dir = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale_dir, ignore=shutil.ignore_patterns("*.mo"))
    zh = i18n.load_translations("zh_CN", locale_dir)
    assert zh.gettext("Dashboard") == "工作台"
    assert (locale_dir / "zh_CN" / "LC_MESSAGES" / "messages.mo").exists()


def test_a_read_only_installation_compiles_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locale_dir = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale_dir, ignore=shutil.ignore_patterns("*.mo"))

    def read_only(*_args: object, **_kw: object) -> list[Path]:
        raise PermissionError("read-only file system")

    monkeypatch.setattr(i18n, "compile_catalogs", read_only)
    zh = i18n.load_translations("zh_CN", locale_dir)
    assert zh.gettext("Sign out") == "退出登录"
    assert not (locale_dir / "zh_CN" / "LC_MESSAGES" / "messages.mo").exists()
    with pytest.raises(ValueError, match="unsupported"):
        i18n.load_translations("fr", locale_dir)
