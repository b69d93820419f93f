"""The import graph keeps its shape: the contracts in pyproject.toml hold (no circles, layers,
pure writers, pages on top), and the graph they are checked on includes function-level
imports, so an import tucked inside a function cannot hide a circle."""

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]


def test_the_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_imports_inside_functions_are_part_of_the_graph():
    graph = grimp.build_graph("inspect_app", cache_dir=None)
    # create_app registers the blueprints with imports inside _register_blueprints
    assert graph.direct_import_exists(
        importer="inspect_app", imported="inspect_app.problems.review_routes"
    )
    # `flask create-user` imports the account services inside the command
    assert graph.direct_import_exists(
        importer="inspect_app.cli", imported="inspect_app.auth.services"
    )
