"""`partnerfit batch`: screen folders of case files in parallel."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import secrets
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO, cast

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
from partnerfit.formats import BatchFormat, FolderFormat, batch_writer
from partnerfit.limits import FILE_TIMEOUT_SECONDS
from partnerfit.text import printable

from . import (
    ExitCode,
    GuardedOutput,
    OutputError,
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

_KINDS = {
    stat.S_IFLNK: "a symbolic link",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


@contextlib.contextmanager
def atomic_output(path: Path | None) -> Iterator[TextIO]:
    """Stdout, or a new file that replaces ``path`` only when the batch completes.

    On any failure, Ctrl-C, SIGTERM and SIGHUP included, the new file is removed and
    ``path`` is left as it was: never half written. ``path`` must be a regular file
    if it exists (a device, a link or a pipe is refused, never replaced). The new
    file gets the mode of the file it replaces, or the umask's mode when there is
    none, like any file the user creates. Every failure to write is an
    :class:`OutputError`: one line, exit 2.
    """
    if path is None:
        out = stdout_stream()
        yield out
        out.flush()
        return
    shown = path_text(str(path))
    mode = _replaced_mode(path, shown)
    folder = str(path.parent) if str(path.parent) else "."
    fd, temp = _create(folder, path.name, shown)
    raw: TextIO | None = None
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        raw = os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace", newline="")
        guarded = GuardedOutput(raw, shown)
        yield cast(TextIO, guarded)
        guarded.flush()
        try:
            os.fsync(raw.fileno())
            temp = _name(raw.fileno(), folder, path.name, temp)
            os.replace(temp, path)
        except OSError as exc:
            raise OutputError(f"cannot write {shown}: {exc.strerror or exc}") from None
        temp = None
    finally:
        if raw is None:
            os.close(fd)
        else:
            # After a failed write, closing tries to write the rest again, and fails again.
            with contextlib.suppress(OSError):
                raw.close()
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)


def _replaced_mode(path: Path, shown: str) -> int | None:
    """The permission bits of the regular file at ``path``; None if there is none."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(f"cannot write {shown}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        kind = _KINDS.get(stat.S_IFMT(st.st_mode), "not a regular file")
        raise UsageError(f"--output {shown} is {kind}, not a regular file: refusing to replace it")
    return stat.S_IMODE(st.st_mode)


def _create(folder: str, name: str, shown: str) -> tuple[int, str | None]:
    """A new file in ``folder`` for the output, and its temporary name.

    Where the system allows it the file has no name at all until it is complete
    (``O_TMPFILE``), so that nothing is left behind even if the process is killed
    outright; otherwise it is a hidden ``.NAME.XXXXXXXX.tmp`` beside the target.
    Created with mode 0666 less the umask, as the user's other files are.
    """
    flags = os.O_WRONLY | os.O_CLOEXEC
    try:
        if hasattr(os, "O_TMPFILE") and os.path.isdir("/proc/self/fd"):
            try:
                return os.open(folder, flags | os.O_TMPFILE, 0o666), None
            except OSError as exc:
                if exc.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
                    raise
        while True:
            temp = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
            try:
                return os.open(temp, flags | os.O_CREAT | os.O_EXCL, 0o666), temp
            except FileExistsError:
                continue
    except OSError as exc:
        if exc.errno == errno.ENOENT and not os.path.isdir(folder):
            reason = f"the folder {path_text(folder)} does not exist"
        else:
            reason = exc.strerror or str(exc)
        raise OutputError(f"cannot write {shown}: {reason}") from None


def _name(fd: int, folder: str, name: str, temp: str | None) -> str:
    """Give a nameless output file (see :func:`_create`) a temporary name beside the target."""
    if temp is not None:
        return temp
    folder_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        while True:
            candidate = f".{name}.{secrets.token_hex(4)}.tmp"
            try:
                # linkat(AT_SYMLINK_FOLLOW) on the /proc link names the open file itself.
                os.link(
                    f"/proc/self/fd/{fd}", candidate, dst_dir_fd=folder_fd, follow_symlinks=True
                )
            except FileExistsError:
                continue
            return os.path.join(folder, candidate)
    finally:
        os.close(folder_fd)


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
        show_progress = not quiet and sys.stderr is not None and sys.stderr.isatty()
        # A table or Markdown document printed to the terminal ends with the summary itself.
        in_document = fmt in (BatchFormat.table, BatchFormat.markdown) and output is None
        folder = fmt in [f.value for f in FolderFormat]
        opened = folder_output(output) if folder else atomic_output(output)
        with opened as out:
            items = run_batch(
                files, rules, min(n_jobs, len(files)), today=as_date(today), timeout=limit
            )
            # Closed on the way out, whatever the way: its worker processes end with it.
            with contextlib.closing(items):
                writer = batch_writer(fmt, out, pack=pack, fail_on=fail_on, files=files)
                writer.start()
                for item in _progress(items, len(files), show_progress):
                    writer.add(item)
                    summary.add(item)
                    failed = failed or (item.report is not None and fails(item.report, fail_on))
                writer.finish(summary)
    if not quiet and not in_document:
        click.echo(summary.line(), err=True)
    if not quiet and folder and output is not None:
        pages = summary.cases - summary.errors
        index = printable(path_text(str(output / INDEX)))
        click.echo(f"{pages} page{'' if pages == 1 else 's'} written; open {index}", err=True)
    if summary.errors:
        sys.exit(ExitCode.ERROR)
    sys.exit(ExitCode.RED_FLAGS if failed else ExitCode.OK)
