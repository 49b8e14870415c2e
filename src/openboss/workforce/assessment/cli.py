"""``openboss assessment …`` (to be written)."""

from __future__ import annotations

import typer

assessment_app = typer.Typer(help="Construction assessment (施工考核) runs.", no_args_is_help=True)
