"""`partnerfit batch`: screen folders of case files in parallel."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from partnerfit.batch import (
    BatchItem,
    Summary,
    check_timeout,
    default_jobs,
    discover,
    path_text,
    run_batch,
)
from partnerfit.errors import UsageError
from partnerfit.formats import BatchFormat, FolderFormat, batch_writer, html
from partnerfit.formats.csvout import FindingsCsvWriter
from partnerfit.formats.jsonout import FindingsJsonlWriter
from partnerfit.formats.stream import BatchWriter, error_text, item_error
from partnerfit.limits import FILE_TIMEOUT_SECONDS
from partnerfit.text import printable

from . import (
    ExitCode,
    _pack,
    as_date,
    fail_on_option,
    fails,
    format_option,
    handles_errors,
    main,
    rules_option,
    stdout_stream,
    stops_on_signals,
    today_option,
)
from .folder import INDEX, folder_output
from .output import atomic_output as atomic_output  # also imported from here (questionnaire)


def _same_terminal() -> bool:
    """Whether standard output and standard error are one and the same terminal."""
    try:
        out, err = sys.stdout, sys.stderr
        return (
            out is not None
            and err is not None
            and out.isatty()
            and err.isatty()
            and os.path.samestat(os.fstat(out.fileno()), os.fstat(err.fileno()))
        )
    except (AttributeError, OSError, ValueError):  # no file behind a stream (tests)
        return False


class _OnePage(BatchWriter):
    """``batch ONE.yaml --format html`` without --output: the case's page on standard
    output, as ``check --format html`` writes it (the index, when the file could not be
    checked)."""

    def start(self) -> None:
        self._failed: BatchItem | None = None

    def add(self, item: BatchItem) -> None:
        if item.report is None:
            self._failed = item
            return
        self.out.write(html.render(item.report, html.case_at(item.path, item.report)))

    def finish(self, summary: Summary) -> None:
        if self._failed is not None:
            error = error_text(item_error(self._failed))
            row = html.index_row(path_text(self._failed.file), None, None, error)
            self.out.write(html.index_head(1) + row + "\n" + html.index_foot(summary.line(), []))


_PER_FINDING: dict[str, type[BatchWriter]] = {
    BatchFormat.csv.value: FindingsCsvWriter,
    BatchFormat.jsonl.value: FindingsJsonlWriter,
}


def _progress(items: Iterator[BatchItem], length: int, show: bool) -> Iterator[BatchItem]:
    if not show:
        yield from items
        return
    with click.progressbar(
        items, length=length, label="checking", file=sys.stderr, show_pos=True
    ) as bar:
        yield from bar


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes. Default: the number of CPUs.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=FILE_TIMEOUT_SECONDS,
    show_default=True,
    metavar="SECONDS",
    help="Stop checking a file after this long and give it an error row; 0: no limit.",
)
@format_option([f.value for f in (*BatchFormat, *FolderFormat)], BatchFormat.table.value)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, writable=True),
    default=None,
    help="Write here instead of stdout; a regular file, replaced when the batch completes "
    "(html: a folder, given one page per case and an index.html).",
)
@fail_on_option("Exit 1 when any case has a red flag at or above this severity.")
@rules_option
@today_option
@click.option(
    "--per-finding",
    is_flag=True,
    help="csv and jsonl: one row per finding (for pandas) instead of one per case.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary line.")
@handles_errors
def batch(
    paths: tuple[str, ...],
    jobs: int | None,
    timeout: float,
    fmt: str,
    output: Path | None,
    fail_on: str,
    rules: tuple[Path, ...],
    today: dt.datetime | None,
    per_finding: bool,
    quiet: bool,
) -> None:
    """Check every case file in PATHS (files, folders searched recursively, or globs).

    Every input appears once in the output, as a report or as an error row; a bad
    file, even one that crashes or hangs the rule engine (see --timeout), never stops
    the batch. Exit 2 if
    any file could not be checked, else 1 if a case has a red flag at or above
    --fail-on, else 0. Interrupted: 130 (Ctrl-C), 143 (SIGTERM) or 129 (SIGHUP),
    with no partial --output left behind.
    """
    limit = check_timeout(timeout)
    if per_finding and fmt not in _PER_FINDING:
        raise UsageError(f"--per-finding works with --format csv or jsonl, not {fmt}")
    with stops_on_signals():
        if output is None:
            stdout_stream()  # a closed stdout is refused before any work
        files = discover(paths)
        if not files:
            raise UsageError("no case files found in " + ", ".join(map(path_text, paths)))
        pack = _pack(rules)
        n_jobs = jobs or default_jobs()
        summary = Summary()
        failed = False
        # The bar is redrawn in place on its line: never on the terminal the results are
        # printed to, where the rows would be glued to it (they show progress themselves).
        show_progress = (
            not quiet
            and sys.stderr is not None
            and sys.stderr.isatty()
            and not (output is None and _same_terminal())
        )
        # A table or Markdown document printed to the terminal ends with the summary itself.
        in_document = fmt in (BatchFormat.table, BatchFormat.markdown) and output is None
        folder = fmt in [f.value for f in FolderFormat]
        one_page = folder and output is None and len(files) == 1
        opened = folder_output(output) if folder and not one_page else atomic_output(output)
        with opened as out:
            items = run_batch(
                files, rules, min(n_jobs, len(files)), today=as_date(today), timeout=limit
            )
            # Closed on the way out, whatever the way: its worker processes end with it.
            with contextlib.closing(items):
                if one_page:
                    writer: BatchWriter = _OnePage(out, pack=pack, fail_on=fail_on, files=files)
                elif per_finding:
                    writer = _PER_FINDING[fmt](out, pack=pack, fail_on=fail_on, files=files)
                else:
                    writer = batch_writer(fmt, out, pack=pack, fail_on=fail_on, files=files)
                writer.start()
                for item in _progress(items, len(files), show_progress):
                    writer.add(item)
                    summary.add(item)
                    failed = failed or (item.report is not None and fails(item.report, fail_on))
                writer.finish(summary)
    if not quiet and not in_document:
        click.echo(summary.line(), err=True)
    if not quiet and folder and not one_page and output is not None:
        pages = summary.cases - summary.errors
        index = printable(path_text(str(output / INDEX)))
        click.echo(f"{pages} page{'' if pages == 1 else 's'} written; open {index}", err=True)
    if summary.errors:
        sys.exit(ExitCode.ERROR)
    sys.exit(ExitCode.RED_FLAGS if failed else ExitCode.OK)
