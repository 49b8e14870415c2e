"""``openboss resource …``: the batch jobs of the resource domain in one group.

Each area keeps its commands in its own ``cli.py``; this module puts them
under one name (``openboss resource import FILE``, ``… reconcile FILE``,
``… load-numbers``, ``… receive-stock``, ``… seed-specs``, ``… expire``,
``… refresh``). The CLI layer (``openboss.cli``) registers the party domain's
place directory before any of them runs (building codes, addresses).
"""

from __future__ import annotations

import typer

from openboss.resource.inventory import cli as inventory_cli
from openboss.resource.operations import cli as operations_cli
from openboss.resource.pools import cli as pools_cli
from openboss.resource.publishing import cli as publishing_cli

resource_app = typer.Typer(
    help="Resource inventory: specs, pools and stock, availability, import, reconciliation.",
    no_args_is_help=True,
)

for _area in (inventory_cli, pools_cli, publishing_cli, operations_cli):
    for _command in _area.app.registered_commands:
        resource_app.registered_commands.append(_command)
