"""Every setting is documented in docs/configuration.md, with its variable name."""

from __future__ import annotations

from pathlib import Path

from openboss.config import Settings

DOC = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def test_every_setting_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [
        f"OPENBOSS_{name.upper()}"
        for name in Settings.model_fields
        if f"OPENBOSS_{name.upper()}" not in text
    ]
    assert missing == [], f"undocumented settings in docs/configuration.md: {missing}"


def test_every_field_has_a_description() -> None:
    assert [n for n, f in Settings.model_fields.items() if not f.description] == []
