"""Contracts on the shape of the code base, checked on its source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "partnerfit"
MODULES = sorted(p for p in SRC.rglob("*.py"))
# The library: everything but the command line (cli/, and __main__.py, which only runs it).
LIBRARY = [p for p in MODULES if "cli" not in p.relative_to(SRC).parts and p.name != "__main__.py"]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _calls(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in {"print", "exit", "quit"}:
                found.add(func.id)
            if isinstance(func, ast.Attribute) and func.attr in {"exit", "basicConfig"}:
                found.add(func.attr)
    return found


def test_the_source_tree_is_found() -> None:
    assert len(MODULES) > 10


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_only_the_engine_adapter_imports_durable(path: Path) -> None:
    uses = {n for n in _imports(path) if n.split(".")[0] in ("durable", "durable_rules_engine")}
    assert not uses or path.name == "engine.py"


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: str(p.relative_to(SRC)))
def test_the_core_never_imports_the_cli_or_click(path: Path) -> None:
    imports = _imports(path)
    assert not {n for n in imports if n == "click" or n.startswith("partnerfit.cli")}


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: str(p.relative_to(SRC)))
def test_the_library_never_prints_exits_or_configures_logging(path: Path) -> None:
    assert not _calls(path)


def test_main_module_only_runs_the_command_line() -> None:
    """``python -m partnerfit`` imports the CLI and nothing else of note."""
    main_module = SRC / "__main__.py"
    assert _imports(main_module) == {"__future__", "partnerfit.cli"}
