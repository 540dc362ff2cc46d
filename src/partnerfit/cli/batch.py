"""`partnerfit batch`: screen folders of case files in parallel."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import click

from partnerfit.batch import BatchItem, Summary, default_jobs, discover, run_batch
from partnerfit.errors import UsageError
from partnerfit.formats import BatchFormat, batch_writer

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
    today_option,
)


@contextlib.contextmanager
def atomic_output(path: Path | None) -> Iterator[TextIO]:
    """Stdout, or a temporary file beside ``path`` that replaces it only on success.

    On any failure, Ctrl-C included, the temporary file is removed and ``path``
    is left as it was: never half written.
    """
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


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
@format_option([f.value for f in BatchFormat], BatchFormat.table.value)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False, writable=True),
    default=None,
    help="Write here instead of stdout; replaced atomically when the batch completes.",
)
@fail_on_option("Exit 1 when any case has a red flag at or above this severity.")
@rules_option
@today_option
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary line.")
@handles_errors
def batch(
    paths: tuple[str, ...],
    jobs: int | None,
    fmt: str,
    output: Path | None,
    fail_on: str,
    rules: tuple[Path, ...],
    today: dt.datetime | None,
    quiet: bool,
) -> None:
    """Check every case file in PATHS (files, folders searched recursively, or globs).

    Every input appears once in the output, as a report or as an error row; a bad
    file never stops the batch. Exit 2 if any file could not be checked, else 1 if
    a case has a red flag at or above --fail-on, else 0.
    """
    files = discover(paths)
    if not files:
        raise UsageError("no case files found in " + ", ".join(paths))
    pack = _pack(rules)
    n_jobs = jobs or default_jobs()
    items = run_batch(files, rules, min(n_jobs, len(files)), today=as_date(today))
    summary = Summary()
    failed = False
    show_progress = not quiet and sys.stderr.isatty()
    # A table or Markdown document printed to the terminal ends with the summary itself.
    in_document = fmt in (BatchFormat.table, BatchFormat.markdown) and output is None
    with atomic_output(output) as out:
        writer = batch_writer(fmt, out, pack=pack, fail_on=fail_on, files=files)
        writer.start()
        for item in _progress(items, len(files), show_progress):
            writer.add(item)
            summary.add(item)
            failed = failed or (item.report is not None and fails(item.report, fail_on))
        writer.finish(summary)
    if not quiet and not in_document:
        click.echo(summary.line(), err=True)
    if summary.errors:
        sys.exit(ExitCode.ERROR)
    sys.exit(ExitCode.RED_FLAGS if failed else ExitCode.OK)
