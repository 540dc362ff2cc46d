"""`partnerfit rules …`: inspect and test rule packs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from partnerfit.examples import run_examples

from . import ExitCode, _pack, handles_errors, main


@main.group()
def rules() -> None:
    """Inspect and test rule packs."""


@rules.command("test")
@click.argument("dirs", nargs=-1, type=click.Path(path_type=Path, file_okay=False))
@click.option("-v", "--verbose", is_flag=True, help="Show passing examples too.")
@handles_errors
def rules_test(dirs: tuple[Path, ...], verbose: bool) -> None:
    """Run every rule's embedded examples and check the exact expected findings."""
    pack = _pack(dirs)
    passed = failed = 0
    for result in run_examples(pack):
        if result.passed:
            passed += 1
            if verbose:
                click.echo(result.explain())
        else:
            failed += 1
            click.echo(result.explain())
    click.echo(f"rule examples: {passed} passed, {failed} failed")
    sys.exit(ExitCode.RED_FLAGS if failed else ExitCode.OK)
