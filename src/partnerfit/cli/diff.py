"""`partnerfit diff`: what changed between two versions of a case.

Exit codes: 0 when the new version introduces no red flag at or above
``--fail-on`` (default ``high``); 1 when it does; 2 when the tool could not do
its job (a bad case file, report or pack).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from pydantic import ValidationError

from partnerfit.case import Severity
from partnerfit.diff import ReportDiff, compare
from partnerfit.documents import read_document
from partnerfit.errors import CaseError, Location
from partnerfit.evaluation import evaluate_case
from partnerfit.formats import markdown, table
from partnerfit.loading import case_from_document
from partnerfit.pack import RulePack
from partnerfit.report import REPORT_SCHEMA_VERSION, Report
from partnerfit.validation import located_error

from . import (
    ExitCode,
    _pack,
    as_date,
    fail_on_option,
    format_option,
    handles_errors,
    main,
    rules_option,
    today_option,
    write_stdout,
)

_FORMATS = ("table", "json", "markdown")


@main.command()
@click.argument("old", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("new", type=click.Path(path_type=Path, dir_okay=False))
@rules_option
@format_option(_FORMATS, "table")
@fail_on_option("Exit 1 when the new version introduces a red flag at or above this severity.")
@today_option
@handles_errors
def diff(
    old: Path,
    new: Path,
    rules: tuple[Path, ...],
    fmt: str,
    fail_on: str,
    today: dt.datetime | None,
) -> None:
    """Show the findings NEW resolves, introduces and keeps, compared with OLD.

    OLD and NEW are case files, or JSON reports saved with `check --format json`.
    Findings are matched by rule id and evidence paths, not by position.
    Exits 1 when NEW introduces a red flag at or above --fail-on, else 0; 2 on errors.
    """
    pack = _pack(rules)
    on = as_date(today)
    result = compare(_report(old, pack, on), _report(new, pack, on))
    write_stdout(_render(result, fmt))
    failing = fail_on != "never" and bool(result.introduced_flags(Severity(fail_on)))
    sys.exit(ExitCode.RED_FLAGS if failing else ExitCode.OK)


def _report(path: Path, pack: RulePack, today: dt.date | None) -> Report:
    """A case file is evaluated; a saved JSON report is read back as it is."""
    doc = read_document(path, CaseError)
    if isinstance(doc.data, dict) and "schema_version" in doc.data:
        version = doc.data["schema_version"]
        if version != REPORT_SCHEMA_VERSION:
            raise CaseError(
                f"a saved report of schema {version!r}; this partnerfit reads "
                f"{REPORT_SCHEMA_VERSION!r}. Re-run `partnerfit check --format json`",
                location=Location(file=str(path), field="schema_version"),
            )
        try:
            return Report.model_validate(doc.data)
        except ValidationError as exc:
            # The first problem, with its line and field, not pydantic's multi-line dump.
            problem = located_error(exc, doc, Report, CaseError)
            raise CaseError(
                f"not a valid partnerfit report: {problem.message}", location=problem.location
            ) from None
    return evaluate_case(case_from_document(doc), pack, today=today)


def _render(result: ReportDiff, fmt: str) -> str:
    if fmt == "json":
        return result.to_json() + "\n"
    if fmt == "markdown":
        return markdown.render_diff(result)
    return table.render_diff(result)
