"""The command line. The only module that knows click, stdout and exit codes."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from enum import IntEnum
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from partnerfit import __version__
from partnerfit.case import Severity, case_json_schema
from partnerfit.errors import PartnerfitError
from partnerfit.evaluation import evaluate_case
from partnerfit.facts import ASKABLE, VOCABULARY
from partnerfit.formats import Format, render
from partnerfit.loading import load_case
from partnerfit.pack import RulePack, load_pack
from partnerfit.report import FindingKind, Report, report_json_schema
from partnerfit.text import printable


class ExitCode(IntEnum):
    """Exit codes, named once."""

    OK = 0
    """No red flag at or above ``--fail-on``; or the command did its job."""
    RED_FLAGS = 1
    """Red flags at or above ``--fail-on`` (or failing rule examples)."""
    ERROR = 2
    """The tool could not do its job: bad case file, bad pack, bad usage."""


F = TypeVar("F", bound=Callable[..., Any])

FAIL_ON_CHOICES = [s.value for s in Severity] + ["never"]


def _fail(message: str) -> None:
    # The message holds file names and values from files: never let them reach the terminal raw.
    click.echo(f"partnerfit: error: {printable(message)}", err=True)
    sys.exit(ExitCode.ERROR)


def handles_errors(func: F) -> F:
    """Turn every refusal into one clear line on stderr and exit code 2; never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PartnerfitError as exc:
            _fail(str(exc))
        except (KeyboardInterrupt, click.exceptions.Abort):
            # click turns Ctrl-C and Ctrl-D at a prompt into Abort, which it would report
            # with exit 1, the code for red flags.
            click.echo("partnerfit: interrupted", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


def _pack(rules: Sequence[Path]) -> RulePack:
    return load_pack(*rules)


rules_option = click.option(
    "--rules",
    "rules",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Rule pack folder; repeat to layer packs (later ones override). Default: built-in pack.",
)


def format_option(choices: Sequence[str], default: str) -> Callable[[F], F]:
    """``--format``, one of ``choices``; the value arrives as ``fmt``."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=default,
        show_default=True,
        help="Output format.",
    )


def fail_on_option(help_text: str) -> Callable[[F], F]:
    """``--fail-on``: a severity, or ``never``."""
    return click.option(
        "--fail-on",
        type=click.Choice(FAIL_ON_CHOICES),
        default="high",
        show_default=True,
        help=help_text,
    )


today_option = click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Judge waiver expiry on this date (YYYY-MM-DD). Default: today.",
)


def as_date(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value is not None else None


def fails(report: Report, fail_on: str) -> bool:
    if fail_on == "never":
        return False
    threshold = Severity(fail_on).rank
    return any(
        f.kind == FindingKind.red_flag and f.severity.rank >= threshold for f in report.findings
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="partnerfit")
def main() -> None:
    """Check a proposed partnership against core-alignment criteria, and explain every red flag."""


@main.command()
@click.argument("case", type=click.Path(path_type=Path, dir_okay=False))
@rules_option
@format_option([f.value for f in Format], Format.table.value)
@fail_on_option("Exit 1 when a red flag is at or above this severity.")
@today_option
@handles_errors
def check(
    case: Path, rules: tuple[Path, ...], fmt: str, fail_on: str, today: dt.datetime | None
) -> None:
    """Check one case file and print the findings and the verdict."""
    pack = _pack(rules)
    report = evaluate_case(load_case(case), pack, today=as_date(today))
    click.echo(render(report, fmt), nl=False)
    sys.exit(ExitCode.RED_FLAGS if fails(report, fail_on) else ExitCode.OK)


@main.command()
@click.argument("what", type=click.Choice(["case", "report"]), default="case")
def schema(what: str) -> None:
    """Print the JSON Schema of case files (default) or of JSON reports."""
    data = case_json_schema() if what == "case" else report_json_schema()
    click.echo(json.dumps(data, indent=2, sort_keys=True))


@main.command()
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown")
def facts(fmt: str) -> None:
    """Document the fact vocabulary that rules match on (generated from the code)."""
    if fmt == "json":
        data = {
            "facts": {
                name: {
                    "doc": ft.doc,
                    "fields": {
                        k: {"kind": v.kind, "doc": v.doc, "choices": v.choices}
                        for k, v in ft.all_fields().items()
                    },
                }
                for name, ft in VOCABULARY.items()
            },
            "askable": ASKABLE,
        }
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(vocabulary_markdown(), nl=False)


def vocabulary_markdown() -> str:
    out = ["# Fact vocabulary", "", "Generated by `partnerfit facts`; do not edit by hand.", ""]
    for name, ft in VOCABULARY.items():
        out += [f"## `{name}`", "", ft.doc, "", "| field | kind | meaning |", "|---|---|---|"]
        for fname, spec in ft.all_fields().items():
            doc = spec.doc + (f" One of: {', '.join(spec.choices)}." if spec.choices else "")
            out.append(f"| `{fname}` | {spec.kind} | {doc} |")
        out.append("")
    out += ["## Fields a rule may `require`", "", "| field | question |", "|---|---|"]
    out += [f"| `{k}` | {v} |" for k, v in ASKABLE.items()]
    return "\n".join(out) + "\n"


def _register() -> None:
    # Sub-command modules attach themselves to ``main``; imported here so that
    # ``partnerfit.cli:main`` sees every command.
    from partnerfit.cli import batch, diff, new, rules  # noqa: F401


_register()
