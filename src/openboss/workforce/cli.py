"""``openboss dispatch …`` — the dispatch engine from the command line.

eTOM Workforce Management (Resource Management & Operations): dispatch optimisation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from openboss.workforce import solomon, vrptw

dispatch_app = typer.Typer(help="Dispatch optimisation.", no_args_is_help=True)


@dispatch_app.command("solve-vrptw")
def solve_vrptw(
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, readable=True, help="Solomon-format file"),
    ],
    seconds: Annotated[float, typer.Option(min=0.1, help="Search time limit")] = 10.0,
    first_solution: Annotated[
        str,
        typer.Option(
            help="A strategy or a comma-separated portfolio of: " + ", ".join(vrptw.FIRST_SOLUTION)
        ),
    ] = "parallel_cheapest_insertion,savings",
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Processes for a portfolio (1: strategies one after another sharing the time)",
        ),
    ] = 1,
    search: Annotated[str, typer.Option(help=f"One of {', '.join(vrptw.SEARCHES)}")] = "gls",
    check: Annotated[
        bool, typer.Option(help="Verify the routes independently; exit 1 when infeasible")
    ] = True,
) -> None:
    """Solve a VRPTW instance (total distance only) and print JSON:
    ``{"vehicles": n, "distance": d, "routes": [[customer ids…], …]}``."""
    for strategy in first_solution.split(","):
        if strategy.strip() not in vrptw.FIRST_SOLUTION:
            raise typer.BadParameter(
                f"unknown strategy {strategy!r}", param_hint="--first-solution"
            )
    if search not in vrptw.SEARCHES:
        raise typer.BadParameter(f"unknown search {search!r}", param_hint="--search")
    try:
        instance = solomon.load(file)
    except (solomon.SolomonFormatError, UnicodeDecodeError, ValueError) as exc:
        typer.echo(f"error: {file} is not a Solomon instance: {exc}", err=True)
        raise typer.Exit(2) from exc
    try:
        solution = vrptw.solve_solomon(
            instance,
            seconds=seconds,
            first_solution=first_solution,
            search=search,
            workers=workers,
        )
    except vrptw.RoutingFailed as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(json.dumps(solution.as_json()))
    if check:
        problems = solomon.check(instance, solution.routes)
        if problems:
            for p in problems:
                typer.echo(f"infeasible: {p.kind}: {p.detail}", err=True)
            raise typer.Exit(1)
