"""``openboss roster …`` (to be written)."""

from __future__ import annotations

import typer

roster_app = typer.Typer(help="Rosters (排班): generate, check, publish.", no_args_is_help=True)
