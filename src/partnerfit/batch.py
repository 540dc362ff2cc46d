"""Checking many cases at once: discovery, worker processes, ordered streaming results.

The engine is not thread-safe but processes are (see ``shared/durable-rules.md``),
so the work runs in worker processes, even for one job. Each worker loads the rule
pack once, receives *paths* (or plain JSON-able data) and sends back JSON text,
never pickled model objects. Results come back lazily and in input order, whatever
the number of workers, so every output format is byte-identical for ``jobs=1`` and
``jobs=8``.

Every input gives exactly one result: a report, or an error naming the file, the
line and the field. A worker that crashes on a file (a segfault in the C engine,
an out-of-memory kill) turns into an error for that file and is replaced; the
batch goes on. So does a worker that checks one file for longer than the time
limit (``timeout``, default :data:`~partnerfit.limits.FILE_TIMEOUT_SECONDS`): it
is killed, that file gets an error, and the batch goes on. Workers end with the batch: when it is done, abandoned, or when the
process that runs it dies, even by SIGKILL.

File names that are not valid UTF-8 are shown with their undecodable bytes
escaped (:func:`path_text`) in every report and error, so that every output can
hold them.

Nothing here prints or exits.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import gc
import glob
import json
import math
import multiprocessing
import multiprocessing.context
import multiprocessing.process
import os
import re
import signal
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import Any, NamedTuple

from .case import Case, Severity
from .documents import Document, parse_document
from .errors import (
    CaseError,
    EngineError,
    Location,
    PackError,
    PartnerfitError,
    Problem,
    UsageError,
)
from .evaluation import evaluate_case
from .limits import FILE_TIMEOUT_SECONDS
from .loading import CASE_SUFFIXES, case_from_document, load_case
from .pack import RulePack, load_pack
from .report import Finding, FindingKind, Report, Verdict
from .text import path_text

__all__ = [
    "BatchItem",
    "Summary",
    "check_timeout",
    "discover",
    "evaluate_many",
    "flags_at_or_above",
    "path_text",
    "run_batch",
]

_GLOB_MAGIC = frozenset("*?[")
CRASH_MESSAGE = "the worker process crashed while checking this file"


def timeout_message(limit: float) -> str:
    """The error of a file whose check took longer than ``limit`` seconds."""
    return (
        f"checking this file took longer than {limit:g} second{'' if limit == 1 else 's'}; "
        "its worker process was stopped"
    )


# --------------------------------------------------------------------------- discovery


def discover(paths: Iterable[str | Path]) -> list[str]:
    """Every case file named by ``paths``, in a deterministic order, each once.

    A file is taken as given, whatever its suffix. A folder is searched
    recursively for ``.yaml``, ``.yml`` and ``.json`` entries, in natural order
    (``deal-2`` before ``deal-10``: :func:`natural_key`); hidden entries (names
    starting with ``.``) are skipped. A pattern with ``*``, ``?`` or ``[`` that is
    not an existing path is expanded as a recursive glob (``**`` allowed), in natural
    order. A path that does not exist, or a pattern that
    matches nothing, is kept as it is, so that it is reported as an error rather
    than silently dropped. A file named twice is listed once, at its first place.

    Paths are returned as plain strings: for 100,000 files a list of ``Path``
    objects and its de-duplication set weigh about 65 MB, strings about 12 MB.
    """
    given = [str(raw) for raw in paths]
    found: list[str] = []
    # One folder cannot name a file twice: de-duplicate only across arguments.
    seen: set[str] | None = set() if len(given) > 1 else None

    def add(p: str) -> None:
        if seen is not None:
            key = os.path.normcase(os.path.abspath(p))
            if key in seen:
                return
            seen.add(key)
        found.append(p)

    for raw in given:
        p = Path(raw)
        if p.is_dir():
            for item in _walk(p):
                add(item)
        elif not p.exists() and _GLOB_MAGIC & set(raw):
            matches = sorted(glob.glob(raw, recursive=True), key=natural_key)
            if not matches:
                add(raw)
            for m in matches:
                if Path(m).is_dir():
                    for item in _walk(Path(m)):
                        add(item)
                else:
                    add(m)
        else:
            add(raw)
    return found


_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[tuple[str | int, ...], str]:
    """Sort key for file names as people count: ``deal-2`` before ``deal-10``. Runs of
    digits compare as numbers (``007`` as 7, then by the name as written, so that the order
    is total); everything else as text."""
    parts = _DIGITS.split(name)
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts)), name


def _walk(folder: Path) -> Iterator[str]:
    """Case files under ``folder``, ordered by path components, without a global sort."""
    stack = [_entries(str(folder))]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        name = entry.name
        if name.startswith("."):
            continue
        # A folder named like a case file (``x.yaml/``) is listed too, and then
        # reported as an error: it is far more likely a mistake than intended.
        if name.lower().endswith(CASE_SUFFIXES):
            yield entry.path
        if entry.is_dir(follow_symlinks=False):
            stack.append(_entries(entry.path))


def _entries(folder: str) -> Iterator[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: natural_key(e.name))
    except OSError:
        return iter(())
    return iter(entries)


def _is_unmatched_pattern(path: str) -> bool:
    return bool(_GLOB_MAGIC & set(path)) and not os.path.lexists(path)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, kw_only=True)
class BatchItem:
    """The outcome for one input of a batch: a report or an error, never both."""

    index: int
    """0-based position of the input in the batch."""
    path: Path
    """The input as discovered (relative paths stay relative)."""
    report: Report | None = None
    """The report, when the case could be loaded and checked."""
    error: PartnerfitError | None = None
    """Why there is no report: a :class:`CaseError` for a bad file, an
    :class:`EngineError` for an engine failure or a crashed worker."""
    report_json: str | None = field(default=None, repr=False, compare=False)
    """The report as compact JSON text (``report.to_json(indent=None)``), as the worker
    wrote it, when it is at hand: output formats reuse it instead of writing it again."""

    @property
    def file(self) -> str:
        """The input as discovered, as text (undecodable bytes as lone surrogates: see
        :func:`path_text` for a form that any output can hold)."""
        return str(self.path)


def flags_at_or_above(report: Report, fail_on: str) -> tuple[Finding, ...]:
    """The report's red flags at or above severity ``fail_on`` (``never``: none)."""
    if fail_on == "never":
        return ()
    threshold = Severity(fail_on).rank
    return tuple(
        f
        for f in report.findings
        if f.kind == FindingKind.red_flag and f.severity.rank >= threshold
    )


@dataclass
class Summary:
    """Running totals over a batch; feed it every item with :meth:`add`."""

    cases: int = 0
    errors: int = 0
    verdicts: Counter[Verdict] = field(default_factory=Counter)
    flag_cases: Counter[str] = field(default_factory=Counter)
    """Rule id → number of cases in which it raised at least one red flag."""
    flag_titles: dict[str, str] = field(default_factory=dict)
    flag_severity: dict[str, Severity] = field(default_factory=dict)

    def add(self, item: BatchItem) -> None:
        self.cases += 1
        if item.report is None:
            self.errors += 1
            return
        self.verdicts[item.report.verdict] += 1
        for f in item.report.red_flags():
            if f.rule_id not in self.flag_titles:
                self.flag_titles[f.rule_id] = f.title
                self.flag_severity[f.rule_id] = f.severity
        self.flag_cases.update({f.rule_id for f in item.report.red_flags()})

    def top_flags(self, n: int = 10) -> list[tuple[str, int]]:
        """The most frequent red flags: (rule id, cases), most frequent first, then by id."""
        return sorted(self.flag_cases.items(), key=lambda kv: (-kv[1], kv[0]))[:n]

    def line(self) -> str:
        """``412 cases: 170 proceed, 180 proceed with conditions, 57 reconsider, 5 errors``."""
        parts = [f"{self.verdicts[v]} {v.label}" for v in Verdict]
        parts.append(f"{self.errors} error{'' if self.errors == 1 else 's'}")
        return f"{self.cases} case{'' if self.cases == 1 else 's'}: {', '.join(parts)}"


# --------------------------------------------------------------------------- work units

# A task is JSON-able: (index, kind, payload). Kinds: "path" (a file to read),
# "text" (YAML/JSON text), "data" (a parsed mapping with its file and line marks).
_Task = tuple[int, str, Any]
# A result from a worker is JSON-able too: (index, report JSON or None, error dict or None).
_Result = tuple[int, str | None, dict[str, Any] | None]


class _Setup(NamedTuple):
    """What every worker needs: the pack's folders and the date waivers are judged on."""

    rule_dirs: tuple[str, ...]
    today: dt.date | None


_ERROR_KINDS: dict[str, type[PartnerfitError]] = {
    "CaseError": CaseError,
    "EngineError": EngineError,
    "PackError": PackError,
    "UsageError": UsageError,
}


def _check(task: _Task, pack: RulePack, today: dt.date | None) -> _Result:
    index, kind, payload = task
    try:
        case = _case_of(kind, payload)
        report = evaluate_case(case, pack, today=today)
        return index, report.to_json(indent=None), None
    except PartnerfitError as exc:
        return index, None, _error_dict(exc)
    except Exception as exc:  # one bad file must never stop the batch
        wrapped = EngineError(
            f"unexpected {type(exc).__name__}: {exc}",
            location=Location(file=payload if kind == "path" else None),
        )
        return index, None, _error_dict(wrapped)


def _case_of(kind: str, payload: Any) -> Case:
    if kind == "path":
        if _is_unmatched_pattern(payload):
            raise CaseError("no file matches this pattern", location=Location(file=payload))
        # The case names its file in the form every output can hold (see load_case).
        return load_case(Path(payload))
    if kind == "text":
        return case_from_document(parse_document(payload, error=CaseError))
    data, file, lines = payload
    return case_from_document(Document(data=data, file=file, lines=lines))


def _error_dict(exc: PartnerfitError) -> dict[str, Any]:
    loc = exc.location
    return {
        "kind": type(exc).__name__,
        "message": path_text(exc.message),
        "file": path_text(loc.file) if loc.file is not None else None,
        "line": loc.line,
        "field": loc.field,
        "problems": [
            {"message": path_text(p.message), "line": p.location.line, "field": p.location.field}
            for p in exc.problems
        ],
    }


def _error_from(data: Mapping[str, Any]) -> PartnerfitError:
    cls = _ERROR_KINDS.get(str(data["kind"]), EngineError)
    file = data["file"]
    return cls(
        str(data["message"]),
        location=Location(file=file, line=data["line"], field=data["field"]),
        problems=tuple(
            Problem(
                message=str(p["message"]),
                location=Location(file=file, line=p["line"], field=p["field"]),
            )
            for p in data.get("problems", ())
        ),
    )


def _report(data: str | None) -> Report | None:
    return None if data is None else Report.model_validate_json(data)


def _crash(task: _Task, exitcode: int | None) -> _Result:
    index, kind, payload = task
    file = payload if kind == "path" else None
    error = EngineError(CRASH_MESSAGE + _how(exitcode), location=Location(file=file))
    return index, None, _error_dict(error)


def _timed_out(task: _Task, limit: float) -> _Result:
    index, kind, payload = task
    file = payload if kind == "path" else None
    error = EngineError(timeout_message(limit), location=Location(file=file))
    return index, None, _error_dict(error)


def _how(exitcode: int | None) -> str:
    """`` (killed by SIGSEGV)``, `` (exit code 3)``: how a worker process ended."""
    if exitcode is None:
        return ""
    if exitcode >= 0:
        return f" (exit code {exitcode})"
    try:
        return f" (killed by {signal.Signals(-exitcode).name})"
    except ValueError:
        return f" (killed by signal {-exitcode})"


# --------------------------------------------------------------------------- worker processes

# Chunks bigger than this (pickled) are sent only to an idle worker: a worker that is
# still sending results could otherwise block on a full pipe while the parent blocks
# sending to it. Smaller chunks always fit in the pipe's buffer.
_SMALL_CHUNK = 16 * 1024
_PR_SET_PDEATHSIG = 1
_STOPPING = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


def _worker_main(
    conn: Connection,
    setup: _Setup,
    parent: int,
    deathsig: bool,
    inherited: Sequence[Connection],
) -> None:
    """A worker process: load the pack once, then check chunks of tasks until told to stop.

    Results go back one per task, in task order, so that when the process dies the
    parent knows exactly which file it was checking.
    """
    for other in inherited:  # other workers' pipes, inherited through fork
        other.close()
    _die_with_parent(parent, deathsig)
    # Ctrl-C is the parent's to handle: it stops the workers and removes partial output.
    # SIGTERM and SIGHUP end a worker at once, whatever handlers the parent installed
    # (they were blocked from before the fork until now, so none of those ran here).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPPING)
    _detach_stdio(keep=conn.fileno())
    pack = load_pack(*setup.rule_dirs)
    # Everything inherited from a forked parent (its list of inputs, the pack) is moved
    # out of the collector's reach, so that collections never touch, and so never copy,
    # those shared pages.
    gc.freeze()
    while True:
        try:
            chunk = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        if chunk is None:
            return
        for task in chunk:
            result = _check(task, pack, setup.today)
            try:
                conn.send(result)
            except OSError:
                return


def _die_with_parent(parent: int, deathsig: bool) -> None:
    """Make sure this worker does not outlive the batch, even if the parent is SIGKILLed.

    On Linux the kernel kills the worker when the thread that started it ends
    (``PR_SET_PDEATHSIG``). Elsewhere, or when the worker was started from a thread
    other than the main one (whose end would kill it too early), a worker notices
    the end of its parent when its pipe closes.
    """
    if deathsig and sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            kill = ctypes.c_ulong(signal.SIGKILL)
            zero = ctypes.c_ulong(0)
            libc.prctl(_PR_SET_PDEATHSIG, kill, zero, zero, zero)
        except (OSError, AttributeError):  # pragma: no cover - no usable libc
            pass
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(0)


def _detach_stdio(keep: int) -> None:
    """Nothing a worker prints reaches the batch's output; its stderr stays for crash reports.

    The streams a forked worker inherits may hold the parent's unwritten output;
    fresh ones replace them, so that it is never written twice. (``keep`` is the
    worker's pipe, which is descriptor 1 when the batch was started with stdout
    closed.)
    """
    if keep != 1:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
        finally:
            os.close(devnull)
    sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the worker
    with contextlib.suppress(OSError, ValueError):
        sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115


class _Worker:
    """One worker process, the parent's end of its pipe, and the tasks it holds, in order."""

    def __init__(
        self, ctx: multiprocessing.context.BaseContext, setup: _Setup, others: list[_Worker]
    ) -> None:
        parent_end, child_end = ctx.Pipe(duplex=True)
        forked = ctx.get_start_method() == "fork"
        deathsig = threading.current_thread() is threading.main_thread()
        inherited = [w.conn for w in others] + [parent_end] if forked else []
        self.process: multiprocessing.process.BaseProcess = ctx.Process(  # type: ignore[attr-defined]
            target=_worker_main,
            args=(child_end, setup, os.getpid(), deathsig, inherited),
            name="partnerfit-worker",
            daemon=True,
        )
        # Signals that stop a batch are held back until the new worker has set its own
        # handlers: it must never run this process's.
        masked = hasattr(signal, "pthread_sigmask")
        before = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPPING) if masked else set()
        try:
            self.process.start()
        except OSError as exc:
            parent_end.close()
            child_end.close()
            raise EngineError(f"cannot start a worker process: {exc.strerror or exc}") from None
        finally:
            if masked:
                signal.pthread_sigmask(signal.SIG_SETMASK, before)
        child_end.close()
        self.conn: Connection = parent_end
        self.pending: deque[tuple[int, _Task]] = deque()
        """(sequence number, task) of every task sent and not answered yet, in order."""
        self.since = 0.0
        """When the worker started on its first pending task (``time.monotonic()``): when
        the task was sent to it idle, or when the answer to the task before arrived."""

    def exitcode(self) -> int | None:
        """Reap the ended process; its exit code (negative: the signal that killed it)."""
        self.process.join(timeout=5)
        if self.process.is_alive():  # it closed its pipe but lives on: end it
            self.process.kill()
            self.process.join()
        return self.process.exitcode

    def stop(self, *, kill: bool) -> None:
        if kill:
            # SIGKILL, not SIGTERM: a worker that has not yet reset its signal handlers
            # would run the parent's.
            with contextlib.suppress(OSError):
                self.process.kill()
        else:
            with contextlib.suppress(OSError):
                self.conn.send(None)

    def reap(self) -> None:
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class _Pool:
    """Long-lived worker processes; a worker that dies is replaced.

    Results come back in input order. A worker's death is pinned on the task it was
    checking, which gets an :class:`EngineError` result; the tasks it held after that
    one go to a fresh worker. A worker that has been checking one task for longer than
    ``timeout`` seconds (None: no limit) is killed and replaced the same way, and that
    task's result says it took too long. At most ``window`` tasks are between the input
    and the consumer, so memory does not grow with the batch.

    A worker's time on a task is counted from when the task reached it idle, or from
    when its answer to the task before arrived; the answers a worker has sent are read
    before its time is judged, so a consumer that is slow to take results never makes
    a worker look slow.
    """

    def __init__(self, setup: _Setup, timeout: float | None = None) -> None:
        self._ctx = _context()
        self._setup = setup
        self._timeout = timeout
        self._workers: list[_Worker] = []
        self._idle_deaths = 0

    def start(self, jobs: int) -> None:
        for _ in range(jobs):
            self._workers.append(_Worker(self._ctx, self._setup, self._workers))

    def run(self, tasks: Iterable[_Task], size: int, window: int) -> Iterator[_Result]:
        source = iter(tasks)
        exhausted = False
        redo: deque[tuple[int, _Task]] = deque()  # tasks of a dead worker, to send again
        staged: list[tuple[int, _Task]] = []  # a chunk taken but not sent yet
        staged_data = b""
        results: dict[int, _Result] = {}
        next_out = next_seq = 0
        while True:
            while next_out in results:
                yield results.pop(next_out)
                next_out += 1
            # Feed every worker that has less than a chunk left to do.
            for slot in range(len(self._workers)):
                while True:
                    worker = self._workers[slot]
                    if not staged:
                        staged = [redo.popleft() for _ in range(min(size, len(redo)))]
                        while not exhausted and len(staged) < size and next_seq - next_out < window:
                            task = next(source, None)
                            if task is None:
                                exhausted = True
                                break
                            staged.append((next_seq, task))
                            next_seq += 1
                        if not staged:
                            break
                        staged_data = bytes(ForkingPickler.dumps([t for _, t in staged]))
                    if worker.pending and (
                        len(worker.pending) >= size or len(staged_data) > _SMALL_CHUNK
                    ):
                        break
                    try:
                        worker.conn.send_bytes(staged_data)
                    except OSError:  # it died: its current task is pinned, then retry
                        self._replace(slot, results, redo)
                        continue
                    if not worker.pending:
                        worker.since = time.monotonic()
                    worker.pending.extend(staged)
                    staged = []
            busy = [w for w in self._workers if w.pending]
            if not busy:
                if exhausted and not staged and not redo and next_out == next_seq:
                    return
                continue
            ready = wait([w.conn for w in busy], timeout=self._wait_time(busy))
            for conn in ready:
                slot = next(i for i, w in enumerate(self._workers) if w.conn is conn)
                self._receive(slot, results, redo)
            if self._timeout is not None:
                self._stop_overdue(results, redo)

    def _wait_time(self, busy: Sequence[_Worker]) -> float | None:
        """How long to wait for answers before a busy worker's time is up (None: no limit)."""
        if self._timeout is None:
            return None
        now = time.monotonic()
        left = min(w.since + self._timeout - now for w in busy)
        # Woken now and then even under a huge limit: a wait cannot be arbitrarily long.
        return min(max(left, 0.0), 3600.0)

    def _stop_overdue(self, results: dict[int, _Result], redo: deque[tuple[int, _Task]]) -> None:
        """Kill every worker that has spent more than the time limit on one task."""
        assert self._timeout is not None
        now = time.monotonic()
        for slot, worker in enumerate(self._workers):
            if not worker.pending or now - worker.since < self._timeout:
                continue
            if worker.conn.poll():  # an answer arrived just now: read it first
                self._receive(slot, results, redo)
                continue
            with contextlib.suppress(OSError):
                worker.process.kill()
            self._replace(slot, results, redo, overdue=True)

    def _receive(
        self, slot: int, results: dict[int, _Result], redo: deque[tuple[int, _Task]]
    ) -> None:
        """Every result the worker has ready; its death if it has died."""
        worker = self._workers[slot]
        while worker.pending:
            try:
                result: _Result = worker.conn.recv()
            except (EOFError, OSError):
                self._replace(slot, results, redo)
                return
            seq, task = worker.pending.popleft()
            assert result[0] == task[0], "a worker answered out of order"
            results[seq] = result
            self._idle_deaths = 0
            worker.since = time.monotonic()  # it has gone on to its next task, if any
            if not worker.conn.poll():
                return

    def _replace(
        self,
        slot: int,
        results: dict[int, _Result],
        redo: deque[tuple[int, _Task]],
        *,
        overdue: bool = False,
    ) -> None:
        """A worker died: its current task's result is a crash (or, when it was killed for
        being ``overdue``, a time-out), its other tasks go back."""
        worker = self._workers[slot]
        code = worker.exitcode()
        worker.conn.close()
        if worker.pending:
            seq, task = worker.pending.popleft()
            if overdue and self._timeout is not None:
                results[seq] = _timed_out(task, self._timeout)
            else:
                results[seq] = _crash(task, code)
            redo.extendleft(reversed(worker.pending))
            worker.pending.clear()
        else:
            # Died holding no task: no file's fault. Give up if it keeps happening.
            self._idle_deaths += 1
            if self._idle_deaths > 3:
                raise EngineError(f"worker processes keep ending on their own{_how(code)}")
        others = [w for w in self._workers if w is not worker]
        self._workers[slot] = _Worker(self._ctx, self._setup, others)

    def close(self, *, kill: bool) -> None:
        """Stop every worker: politely when the work is done, at once when abandoned."""
        workers, self._workers = self._workers, []
        for worker in workers:
            worker.stop(kill=kill)
        for worker in workers:
            worker.reap()


# --------------------------------------------------------------------------- the pool


def default_jobs() -> int:
    """The number of CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _context() -> multiprocessing.context.BaseContext:
    # fork starts a worker in milliseconds and inherits the already loaded pack;
    # the engine adapter re-creates its lock in a forked child.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def _ordered(
    tasks: Iterable[_Task],
    setup: _Setup,
    jobs: int,
    chunksize: int,
    window: int,
    timeout: float | None,
) -> Generator[_Result, None, None]:
    """Results of ``tasks`` in task order, checked in ``jobs`` worker processes.

    Even one job runs in a worker process: the C rule engine can crash on a file
    (a segfault ends a process, it raises nothing) or hang on one, and the batch must
    lose neither that file's row nor anything else. Chunks of ``chunksize`` tasks go
    to the workers; at most ``window`` tasks are between the input and the consumer.
    A task that takes longer than ``timeout`` seconds (None: no limit) is stopped.
    """
    # Loaded here first, so that a bad pack raises PackError in this process rather
    # than failing every worker (which would look like crashes).
    load_pack(*setup.rule_dirs)
    pool = _Pool(setup, timeout)
    finished = False
    try:
        pool.start(jobs)
        yield from pool.run(tasks, chunksize, window)
        finished = True
    finally:
        # Done: let the workers end. Abandoned (an error, Ctrl-C, a signal, the consumer
        # stopped): end them at once, without waiting for work nobody will read.
        pool.close(kill=not finished)


def _auto_chunksize(total: int | None, jobs: int) -> int:
    if total is None:
        return 16
    # Small enough that every worker gets several chunks (load balance), large
    # enough that the per-chunk overhead of inter-process messages is amortised.
    return max(1, min(32, total // (jobs * 8) or 1))


def _window(jobs: int, chunksize: int) -> int:
    # Enough tasks in flight to keep every worker busy (two chunks each) while the next
    # result is awaited in order; few enough that memory does not depend on the batch.
    return jobs * 3 * chunksize


# --------------------------------------------------------------------------- public API


def _rule_dirs(dirs: Iterable[str | Path]) -> tuple[str, ...]:
    return tuple(str(d) for d in dirs)


def run_batch(
    paths: Sequence[str | Path],
    rule_dirs: Sequence[str | Path] = (),
    jobs: int | None = None,
    *,
    chunksize: int | None = None,
    today: dt.date | None = None,
    timeout: float | None = FILE_TIMEOUT_SECONDS,
) -> Generator[BatchItem, None, None]:
    """Check every case file in ``paths`` (already :func:`discover`-ed), lazily and in order.

    ``rule_dirs`` are layered rule-pack folders (none: the default pack);
    ``jobs`` is the number of worker processes (default: the CPUs available).
    Even ``jobs=1`` checks in a worker process, so that a file that crashes the
    rule engine costs only its own row. The pack is loaded before this returns,
    so a bad pack raises :class:`PackError` here rather than on the first item.
    Exactly one :class:`BatchItem` is yielded per path, in the order of ``paths``.
    Waiver expiry is judged on ``today`` (default: the local date).

    A file whose check takes longer than ``timeout`` seconds (0 or None: no limit)
    is stopped, its worker replaced, and its item gets an :class:`EngineError`.

    Stop early with the iterator's ``close()``: its workers are ended at once.
    """
    dirs = _rule_dirs(rule_dirs)
    limit = check_timeout(timeout)
    load_pack(*dirs)
    n_jobs = _jobs(jobs)
    # ``paths`` is not copied: for 100,000 files even a list of Path objects weighs.
    tasks: Iterator[_Task] = ((i, "path", str(p)) for i, p in enumerate(paths))
    setup = _Setup(dirs, today)
    size = chunksize or _auto_chunksize(len(paths), n_jobs)
    results = _ordered(tasks, setup, n_jobs, size, _window(n_jobs, size), limit)

    def items() -> Generator[BatchItem, None, None]:
        try:
            for index, report_json, error in results:
                given = paths[index]
                yield BatchItem(
                    index=index,
                    path=given if isinstance(given, Path) else Path(given),
                    report=_report(report_json),
                    error=_error_from(error) if error is not None else None,
                    report_json=report_json,
                )
        finally:
            results.close()

    return items()


def evaluate_many(
    cases: Iterable[Case | str | Path | Mapping[str, Any]],
    pack_dirs: Sequence[str | Path] = (),
    jobs: int = 1,
    *,
    today: dt.date | None = None,
    timeout: float | None = FILE_TIMEOUT_SECONDS,
) -> Iterator[Report | PartnerfitError]:
    """Check many cases; yield one report or one error per case, lazily and in order.

    Each item of ``cases`` is what :func:`~partnerfit.loading.load_case` accepts: a
    :class:`Case`, a path to a case file, YAML/JSON text, or a parsed mapping.
    ``pack_dirs`` are layered rule-pack folders (none: the default pack).

    Cases are checked in ``jobs`` worker processes (one by default), never in this
    process, so that a case that crashes the C rule engine ends a worker, not the
    caller: files are read by the workers, other inputs are sent as plain data.
    Output order is input order, and ``cases`` is consumed lazily (with ``jobs=1``,
    one case at a time), so an endless generator of cases works with flat memory.

    A case that cannot be loaded yields its :class:`~partnerfit.errors.CaseError`
    (with file, line and field); an engine failure, a crashed worker or a case that
    takes longer than ``timeout`` seconds to check (0 or None: no limit; its worker is
    killed and replaced) yields an :class:`~partnerfit.errors.EngineError`. Nothing is
    raised for a single case, but a bad pack raises
    :class:`~partnerfit.errors.PackError` on the first item. Waiver expiry is judged
    on ``today`` (default: the local date).
    """
    dirs = _rule_dirs(pack_dirs)
    n_jobs = _jobs(jobs)
    limit = check_timeout(timeout)
    tasks = (_task(i, c) for i, c in enumerate(cases))
    # One job reads no case ahead of the one being checked; more keep every worker busy.
    size = 1 if n_jobs == 1 else _auto_chunksize(None, n_jobs)
    window = 1 if n_jobs == 1 else _window(n_jobs, size)
    results = _ordered(tasks, _Setup(dirs, today), n_jobs, size, window, limit)
    try:
        for _, report_json, error in results:
            report = _report(report_json)
            if report is not None:
                yield report
            else:
                assert error is not None
                yield _error_from(error)
    finally:
        results.close()


def _task(index: int, case: Case | str | Path | Mapping[str, Any]) -> _Task:
    if isinstance(case, Case):
        data = case.model_dump(mode="json", by_alias=True, exclude_unset=True)
        lines = dict(case._lines)
        return index, "data", (data, case.source_file, lines)
    if isinstance(case, Path):
        return index, "path", str(case)
    if isinstance(case, str):
        if "\n" not in case and (case.endswith(CASE_SUFFIXES) or _exists(case)):
            return index, "path", case
        return index, "text", case
    if isinstance(case, Mapping):
        # Round-trip through JSON so that what reaches a worker is plain data.
        return index, "data", (json.loads(json.dumps(dict(case), default=str)), None, {})
    raise UsageError(
        f"case {index}: expected a Case, a path, YAML/JSON text or a mapping, "
        f"got {type(case).__name__}"
    )


def _exists(path: str) -> bool:
    try:
        return Path(path).exists()
    except (OSError, ValueError):  # a NUL byte, a name too long: not a path to a file
        return False


def _jobs(jobs: int | None) -> int:
    if jobs is None:
        return default_jobs()
    if jobs < 1:
        raise UsageError(f"jobs must be 1 or more, got {jobs}")
    return jobs


def check_timeout(timeout: object) -> float | None:
    """The per-file time limit in seconds, None for no limit (``timeout`` 0 or None).

    Anything but a finite number of seconds, 0 or more, raises :class:`UsageError`.
    """
    if timeout is None:
        return None
    where = Location(field="timeout")
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise UsageError(
            f"must be a number of seconds, got {type(timeout).__name__}", location=where
        )
    try:
        seconds = float(timeout)
    except OverflowError:  # an int far beyond any float
        seconds = math.inf
    if not (math.isfinite(seconds) and seconds >= 0):
        # A huge int is not shown: Python cannot even turn one of 4,300 digits into text.
        shown = (
            str(timeout)
            if not isinstance(timeout, int) or seconds < 1e18
            else "a far larger number"
        )
        raise UsageError(
            f"must be a number of seconds, 0 or more (0: no limit), got {shown}", location=where
        )
    return seconds or None
