"""The command line. The only module that knows click, stdout and exit codes."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import importlib
import io
import json
import os
import signal
import sys
import traceback
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from enum import IntEnum
from functools import wraps
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO, TypeVar, cast, overload

import click

from partnerfit.errors import CaseError, Location, PartnerfitError, UsageError
from partnerfit.limits import MAX_DOCUMENT_BYTES

if TYPE_CHECKING:
    from partnerfit.case import Case
    from partnerfit.pack import RulePack
    from partnerfit.report import Report

# The command line imports what a command needs when it runs: ``--version``, ``--help``
# and a command's ``--help`` do not pay for the case models, the rule engine or the report
# formats. Commands defined in sub-modules are imported on first use (see ``_LazyGroup``).


class ExitCode(IntEnum):
    """Exit codes, named once."""

    OK = 0
    """No red flag at or above ``--fail-on``; or the command did its job."""
    RED_FLAGS = 1
    """Red flags at or above ``--fail-on`` (or failing rule examples)."""
    ERROR = 2
    """The tool could not do its job: bad case file, bad pack, bad usage."""


F = TypeVar("F", bound=Callable[..., Any])


class _LazyChoices(Sequence[str]):
    """Choices for a ``click.Choice``, computed when first needed (when the option is
    parsed or its help shown), not when the command line is imported."""

    def __init__(self, compute: Callable[[], Sequence[str]]) -> None:
        self._compute = compute
        self._values: tuple[str, ...] | None = None

    def _all(self) -> tuple[str, ...]:
        if self._values is None:
            self._values = tuple(self._compute())
        return self._values

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())

    def __repr__(self) -> str:
        return repr(list(self._all()))


class _LazyChoice(click.Choice[str]):
    """A ``click.Choice`` whose choices are read from ``source`` only when needed."""

    def __init__(self, source: Sequence[str]) -> None:
        self._source = source
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(self._source)

    @choices.setter
    def choices(self, value: Sequence[str]) -> None:
        pass  # the choices are always ``source``'s


def _fail_on_choices() -> list[str]:
    from partnerfit.case import Severity

    return [s.value for s in Severity] + ["never"]


def _format_choices() -> list[str]:
    from partnerfit.formats import Format

    return [f.value for f in Format]


FAIL_ON_CHOICES: Sequence[str] = _LazyChoices(_fail_on_choices)
"""Every severity, then ``never`` (computed on first use)."""


def _fail(message: str | Sequence[str]) -> None:
    """Print the error (one line, or a heading and one line per problem) and exit 2."""
    from partnerfit.text import printable

    lines = [message] if isinstance(message, str) else list(message)
    # The message holds file names and values from files: never let them reach the terminal
    # raw; each line is made safe on its own.
    with contextlib.suppress(OSError):  # stderr itself may be gone
        for n, line in enumerate(lines):
            click.echo(("partnerfit: error: " if n == 0 else "") + printable(line), err=True)
    sys.exit(ExitCode.ERROR)


class OutputError(PartnerfitError):
    """The output cannot be written: a closed or broken stdout, a missing or read-only
    folder, a full disk. partnerfit could not do its job: exit 2, never 1 (red flags)."""


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived. Raised like Ctrl-C's KeyboardInterrupt, so that partial
    output is removed and worker processes are ended on the way out."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


@contextlib.contextmanager
def stops_on_signals() -> Iterator[None]:
    """Within this block, SIGTERM and SIGHUP raise :class:`Terminated` (then exit 128 + signal)."""

    def stop(signum: int, frame: FrameType | None) -> None:
        # Once: a second signal must not interrupt the clean-up the first one starts.
        for other in _STOP_SIGNALS:
            signal.signal(other, signal.SIG_IGN)
        raise Terminated(signum)

    try:
        previous = {signum: signal.signal(signum, stop) for signum in _STOP_SIGNALS}
    except ValueError:  # not the main thread (an embedding program): leave signals alone
        yield
        return
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


TRACEBACK_VARIABLE = "PARTNERFIT_TRACEBACK"
"""Set to 1 in the environment to see the traceback of an internal error."""


def _internal_error(exc: Exception) -> None:
    """A bug: one line on stderr (the traceback too with PARTNERFIT_TRACEBACK=1), exit 2.

    Never exit 1, which means red flags to CI; never a bare traceback."""
    with contextlib.suppress(OSError, ValueError):  # stderr itself may be gone
        if os.environ.get(TRACEBACK_VARIABLE, "") not in ("", "0"):
            traceback.print_exception(exc, file=sys.stderr)
        from partnerfit.text import printable

        message = printable(f"{type(exc).__name__}: {_describe(exc)}")
        click.echo(
            f"partnerfit: internal error: {message} (this is a bug in partnerfit; "
            f"set {TRACEBACK_VARIABLE}=1 to see the traceback)",
            err=True,
        )
    sys.exit(ExitCode.ERROR)


def _describe(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:  # an exception whose text cannot be made
        return "(no message)"


def handles_errors(func: F) -> F:
    """Turn every refusal into one clear line on stderr and exit code 2; never a traceback.

    Ctrl-C exits 130; SIGTERM and SIGHUP (see :func:`stops_on_signals`) 128 + the
    signal. Output that cannot be written (a closed or broken stdout, a full disk)
    is a refusal too: exit 2, not click's exit 1, which would read as red flags.
    Any other exception is a bug in partnerfit: one ``internal error`` line and exit
    2 as well (see :func:`_internal_error`).
    """

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            try:
                return func(*args, **kwargs)
            except BrokenPipeError as exc:  # a click.echo to stdout whose reader is gone
                raise _stdout_error(exc) from None
            finally:
                # What is still buffered for stdout is written now, while a failure can
                # still be reported, rather than by the interpreter on its way out.
                flush_stdout()
        except PartnerfitError as exc:
            _fail(exc.lines())
        except (KeyboardInterrupt, click.exceptions.Abort):
            # click turns Ctrl-C and Ctrl-D at a prompt into Abort, which it would report
            # with exit 1, the code for red flags.
            with contextlib.suppress(OSError):
                click.echo("partnerfit: interrupted", err=True)
            sys.exit(130)
        except Terminated as exc:
            with contextlib.suppress(OSError):
                click.echo(f"partnerfit: terminated by {signal.Signals(exc.signum).name}", err=True)
            sys.exit(128 + exc.signum)
        except (click.exceptions.ClickException, click.exceptions.Exit):
            raise  # click's own usage errors and exits: click reports them as it should
        except Exception as exc:  # a bug: not exit 1 (red flags), not a traceback
            _internal_error(exc)

    return wrapper  # type: ignore[return-value]


class GuardedOutput:
    """A text stream whose write failures are :class:`OutputError` (one line, exit 2).

    ``where`` names the output in the message (a path, or ``standard output``).
    """

    def __init__(self, stream: TextIO, where: str) -> None:
        self._stream = stream
        self._where = where

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as exc:
            raise self._error(exc) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            raise self._error(exc) from None

    def _error(self, exc: OSError) -> OutputError:
        if self._stream is sys.stdout:
            return _stdout_error(exc)
        return OutputError(f"cannot write {self._where}: {exc.strerror or exc}")


def stdout_stream() -> TextIO:
    """Standard output for a command's result, guarded: a closed stdout is an OutputError.

    (With ``>&-`` the interpreter has no ``sys.stdout`` at all, and ``click.echo``
    would silently write nothing.) Characters the encoding cannot hold, such as the
    lone surrogates of an undecodable file name, are written as ``\\udcff`` escapes.
    """
    out = sys.stdout
    if out is None:
        raise OutputError("cannot write to standard output: it is closed")
    if isinstance(out, io.TextIOWrapper) and out.errors in ("strict", "surrogateescape"):
        with contextlib.suppress(OSError, ValueError):
            out.reconfigure(errors="backslashreplace")
    return cast(TextIO, GuardedOutput(out, "standard output"))


def write_stdout(text: str) -> None:
    """Write a command's result to standard output, and flush it (see :func:`stdout_stream`)."""
    out = stdout_stream()
    out.write(text)
    out.flush()


def flush_stdout() -> None:
    """Flush standard output, if there is one; a failure is an :class:`OutputError`."""
    if sys.stdout is None:
        return
    try:
        sys.stdout.flush()
    except OSError as exc:
        raise _stdout_error(exc) from None


def _stdout_error(exc: OSError) -> OutputError:
    _silence_stdout()
    return OutputError(f"cannot write to standard output: {exc.strerror or exc}")


def _silence_stdout() -> None:
    """After stdout failed: send what is still buffered for it to the null device, so that
    the interpreter's last flush does not fail again (and print a traceback)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # no stdout, or not a file (tests)
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, fd)
    finally:
        os.close(null)


def _pack(rules: Sequence[Path]) -> RulePack:
    from partnerfit.pack import load_pack

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
        type=_LazyChoice(choices),
        default=default,
        show_default=True,
        help="Output format.",
    )


def fail_on_option(help_text: str) -> Callable[[F], F]:
    """``--fail-on``: a severity, or ``never``."""
    return click.option(
        "--fail-on",
        type=_LazyChoice(FAIL_ON_CHOICES),
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
    from partnerfit.case import Severity
    from partnerfit.report import FindingKind

    if fail_on == "never":
        return False
    threshold = Severity(fail_on).rank
    return any(
        f.kind == FindingKind.red_flag and f.severity.rank >= threshold for f in report.findings
    )


_LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "batch": (
        "batch",
        "Check every case file in PATHS (files, folders searched recursively, or globs).",
    ),
    "diff": ("diff", "Show the findings NEW resolves, introduces and keeps, compared with OLD."),
    "explain": (
        "rules",
        "Explain one rule (by id or name): what it checks, why, the remedy and its examples.",
    ),
    "merge": (
        "questionnaire",
        "Bring answered questionnaires (ANSWERS) back into the case file CASE.",
    ),
    "new": (
        "new",
        "Write a new case file: a commented template, or your answers to a few questions.",
    ),
    "questionnaire": (
        "questionnaire",
        "Write one party's own questions, to send to that party alone.",
    ),
    "rules": ("rules", "Inspect and test rule packs."),
}
"""Each command defined in a sub-module of this package: the module, and the first
paragraph of the command's help (what ``partnerfit --help`` lists, without importing the
module; a test checks that it is the command's own)."""


class _LazyGroup(click.Group):
    """A group whose commands in ``lazy`` are imported when first used.

    Running, or asking the help of, one command imports only its module; the group's
    own ``--help`` lists every command from ``lazy`` without importing any. Reading
    ``commands`` (as a program inspecting the command line would) imports them all.
    """

    def __init__(self, *args: Any, lazy: dict[str, tuple[str, str]], **kwargs: Any) -> None:
        self._lazy = lazy
        self._loaded: dict[str, click.Command] = {}
        super().__init__(*args, **kwargs)

    @property
    def commands(self) -> MutableMapping[str, click.Command]:
        for name in self._lazy:
            self._load(name)
        return self._loaded

    @commands.setter
    def commands(self, value: MutableMapping[str, click.Command]) -> None:
        self._loaded = dict(value)

    def _load(self, name: str) -> click.Command | None:
        if name not in self._loaded and name in self._lazy:
            # Importing the module attaches its commands to this group (add_command).
            importlib.import_module(f"{__name__}.{self._lazy[name][0]}")
        return self._loaded.get(name)

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        name = name or cmd.name
        if name is None:
            raise TypeError("Command has no name.")
        self._loaded[name] = cmd

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._load(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self._loaded) | set(self._lazy))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # As click's own, but a command not imported yet is listed by the help in ``lazy``.
        commands: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            cmd = self._loaded.get(name)
            if cmd is None:
                cmd = click.Command(name, help=self._lazy[name][1])
            if not cmd.hidden:
                commands.append((name, cmd))
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _ in commands)
            rows = [(name, cmd.get_short_help_str(limit)) for name, cmd in commands]
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _show_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from partnerfit import __version__

    click.echo(f"partnerfit, version {__version__}")
    ctx.exit()


@click.group(
    cls=_LazyGroup,
    lazy=_LAZY_COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help="Show the version and exit.",
)
def main() -> None:
    """Check a proposed partnership against core-alignment criteria, and explain every red flag."""


STDIN = "<stdin>"
"""The file name a case read from standard input (``check -``) has in reports and errors."""


def read_stdin_case() -> Case:
    """The case on standard input: at most the size limit (plus one byte) is read."""
    from partnerfit.documents import parse_document
    from partnerfit.loading import case_from_document

    stream = sys.stdin
    if stream is None:
        raise UsageError("cannot read the case from standard input: it is closed")
    if stream.isatty():
        with contextlib.suppress(OSError):
            click.echo(
                "partnerfit: reading the case from standard input (end with Ctrl-D)", err=True
            )
    where = Location(file=STDIN)
    try:
        buffer = getattr(stream, "buffer", None)
        raw = (
            buffer.read(MAX_DOCUMENT_BYTES + 1)
            if buffer is not None
            else stream.read(MAX_DOCUMENT_BYTES + 1).encode("utf-8", "surrogatepass")
        )
    except OSError as exc:
        raise CaseError(f"cannot be read: {exc.strerror or exc}", location=where) from None
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise CaseError(f"document is larger than {MAX_DOCUMENT_BYTES:,} bytes", location=where)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CaseError(f"is not UTF-8 text (byte {exc.start})", location=where) from None
    return case_from_document(parse_document(text, file=STDIN, error=CaseError))


_ADVISED_FORMATS = frozenset({"table", "markdown", "html"})
"""Formats a person reads: ``check`` advises on red flags by default."""


@main.command()
@click.argument("case", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@rules_option
@format_option(_LazyChoices(_format_choices), "table")
@fail_on_option("Exit 1 when a red flag is at or above this severity.")
@today_option
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the report here instead of standard output; a regular file, replaced only "
    "when the report is complete.",
)
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Print nothing but errors: the exit code tells (with -o the report is still written).",
)
@click.option(
    "--advise/--no-advise",
    default=None,
    help="Say for each red flag which single change to the case clears it (the rules run "
    "again on each candidate change). Default: on for table, markdown and html, off for the "
    "machine formats.",
)
@handles_errors
def check(
    case: Path,
    rules: tuple[Path, ...],
    fmt: str,
    fail_on: str,
    today: dt.datetime | None,
    output: Path | None,
    quiet: bool,
    advise: bool | None,
) -> None:
    """Check one case file (- reads it from standard input) and print the findings and
    the verdict."""
    from partnerfit.evaluation import evaluate_case
    from partnerfit.formats import render
    from partnerfit.loading import load_case
    from partnerfit.text import path_text, printable

    from .output import atomic_output

    pack = _pack(rules)
    loaded = read_stdin_case() if str(case) == "-" else load_case(case)
    # One case, then the process ends: what is loaded by now (modules, the pack) lives to
    # the end, so the garbage collector need not scan it again (one full collection of it
    # costs about 25 ms, a twentieth of the command).
    gc.freeze()
    if advise is None:
        advise = fmt in _ADVISED_FORMATS and not (quiet and output is None)
    report = evaluate_case(loaded, pack, today=as_date(today), advise=advise)
    text = render(report, fmt, case=loaded)
    if output is not None:
        with stops_on_signals(), atomic_output(output) as out:
            out.write(text)
        if not quiet:
            shown = printable(path_text(str(output)))
            click.echo(f"Verdict: {report.verdict.label}. Report written to {shown}", err=True)
    elif not quiet:
        write_stdout(text)
    failed = fails(report, fail_on)
    note = exit_note(report, fail_on) if failed else None
    if note is not None and not quiet and _stderr_is_a_terminal():
        click.echo(printable(note), err=True)
    sys.exit(ExitCode.RED_FLAGS if failed else ExitCode.OK)


def exit_note(report: Report, fail_on: str) -> str | None:
    """Why the exit code is 1 when the verdict alone would not say so: a red flag at or
    above ``--fail-on`` under a verdict other than ``reconsider`` (a person at a terminal
    would otherwise read "proceed with conditions" and exit 1 as two different answers)."""
    from partnerfit.case import Severity
    from partnerfit.report import Verdict

    if fail_on == "never" or report.verdict == Verdict.reconsider:
        return None
    threshold = Severity(fail_on).rank
    ids = sorted({f.rule_id for f in report.red_flags() if f.severity.rank >= threshold})
    if not ids:
        return None
    return (
        f"Exit code 1: {', '.join(ids)} {'is a red flag' if len(ids) == 1 else 'are red flags'}"
        f" at or above {fail_on} (--fail-on {fail_on}); the verdict, {report.verdict.label},"
        " weighs every flag together."
    )


def _stderr_is_a_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed
        return False


@main.command()
@click.argument("what", type=click.Choice(["case", "report"]), default="case")
@handles_errors
def schema(what: str) -> None:
    """Print the JSON Schema of case files (default) or of JSON reports."""
    from partnerfit.report import report_json_schema

    data = case_json_schema() if what == "case" else report_json_schema()
    write_stdout(json.dumps(data, indent=2, sort_keys=True) + "\n")


def case_json_schema() -> dict[str, Any]:
    """The JSON Schema of case files (imported when first asked for)."""
    from partnerfit import case

    return case.case_json_schema()


@main.command()
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown")
@handles_errors
def facts(fmt: str) -> None:
    """Document the fact vocabulary that rules match on (generated from the code)."""
    from partnerfit.facts import ASKABLE, VOCABULARY

    if fmt == "json":
        data = {
            "facts": {
                name: {
                    "doc": ft.doc,
                    "fields": {
                        k: {
                            "kind": v.kind,
                            "doc": v.doc,
                            "choices": v.choices,
                            "ordered": v.ordered,
                        }
                        for k, v in ft.all_fields().items()
                    },
                }
                for name, ft in VOCABULARY.items()
            },
            "askable": ASKABLE,
        }
        write_stdout(json.dumps(data, indent=2) + "\n")
        return
    write_stdout(vocabulary_markdown())


def vocabulary_markdown() -> str:
    from partnerfit.facts import ASKABLE, VOCABULARY

    out = ["# Fact vocabulary", "", "Generated by `partnerfit facts`; do not edit by hand.", ""]
    for name, ft in VOCABULARY.items():
        out += [f"## `{name}`", "", ft.doc, "", "| field | kind | meaning |", "|---|---|---|"]
        for fname, spec in ft.all_fields().items():
            doc = spec.doc + (f" One of: {', '.join(spec.choices)}." if spec.choices else "")
            kind = "id" if spec.ordered else spec.kind  # ids may be ordered (lt, gt …)
            out.append(f"| `{fname}` | {kind} | {doc} |")
        out.append("")
    out += [
        "Kinds: `text`, `number`, `bool`, and `id`: text holding an id, the only text that",
        "`lt`/`lte`/`gt`/`gte` may compare.",
        "",
    ]
    out += ["## Fields a rule may `require`", "", "| field | question |", "|---|---|"]
    out += [f"| `{k}` | {v} |" for k, v in ASKABLE.items()]
    return "\n".join(out) + "\n"
