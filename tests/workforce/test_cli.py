"""``openboss dispatch solve-vrptw`` prints valid JSON (Typer's CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from openboss.cli import app
from openboss.workforce import solomon
from tests.workforce.test_solomon import DATA

runner = CliRunner()


def test_solve_vrptw_prints_json_with_feasible_routes() -> None:
    r = runner.invoke(app, ["dispatch", "solve-vrptw", str(DATA / "C201.txt"), "--seconds", "1"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert set(out) == {"vehicles", "distance", "routes"}
    inst = solomon.load(DATA / "C201.txt")
    assert out["vehicles"] == len(out["routes"])
    assert solomon.check(inst, out["routes"]) == []
    assert abs(out["distance"] - solomon.total_distance(inst, out["routes"])) < 1e-3


def test_solve_vrptw_portfolio_in_two_processes() -> None:
    r = runner.invoke(
        app,
        ["dispatch", "solve-vrptw", str(DATA / "R201.txt"), "--seconds", "1", "--workers", "2"],
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert solomon.check(solomon.load(DATA / "R201.txt"), out["routes"]) == []


def test_solve_vrptw_refuses_a_file_that_is_not_an_instance(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("not an instance\n")
    r = runner.invoke(app, ["dispatch", "solve-vrptw", str(bad), "--seconds", "0.5"])
    assert r.exit_code == 2
    assert "not a Solomon instance" in r.output


def test_solve_vrptw_refuses_an_unknown_strategy() -> None:
    r = runner.invoke(
        app,
        ["dispatch", "solve-vrptw", str(DATA / "C201.txt"), "--first-solution", "magic"],
    )
    assert r.exit_code != 0
