"""Checking many cases at once: discovery, a process pool, ordered streaming results.

The engine is not thread-safe but processes are (see ``shared/durable-rules.md``),
so parallel work runs in worker processes. Each worker loads the rule pack once,
receives *paths* (or plain JSON-able data) and sends back JSON text, never pickled
model objects. Results come back lazily and in input order, whatever the number
of workers, so every output format is byte-identical for ``jobs=1`` and ``jobs=8``.

Every input gives exactly one result: a report, or an error naming the file, the
line and the field. A worker that crashes on a file (a segfault in the C engine,
an out-of-memory kill) turns into an error for that file; the batch goes on.

Nothing here prints or exits.
"""

from __future__ import annotations

import datetime as dt
import gc
import glob
import json
import multiprocessing
import os
import signal
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from .case import Case, Severity
from .documents import Document, parse_document
from .errors import CaseError, EngineError, Location, PackError, PartnerfitError, UsageError
from .evaluation import evaluate_case
from .loading import CASE_SUFFIXES, case_from_document, load_case
from .pack import RulePack, load_pack
from .report import Finding, FindingKind, Report, Verdict

__all__ = [
    "BatchItem",
    "Summary",
    "discover",
    "evaluate_many",
    "flags_at_or_above",
    "run_batch",
]

_GLOB_MAGIC = frozenset("*?[")
CRASH_MESSAGE = "the worker process crashed while checking this file"


# --------------------------------------------------------------------------- discovery


def discover(paths: Iterable[str | Path]) -> list[str]:
    """Every case file named by ``paths``, in a deterministic order, each once.

    A file is taken as given, whatever its suffix. A folder is searched
    recursively for ``.yaml``, ``.yml`` and ``.json`` entries, sorted; hidden
    entries (names starting with ``.``) are skipped. A pattern with ``*``, ``?``
    or ``[`` that is not an existing path is expanded as a recursive glob
    (``**`` allowed), sorted. A path that does not exist, or a pattern that
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
            matches = sorted(glob.glob(raw, recursive=True))
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
            entries = sorted(it, key=lambda e: e.name)
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

    @property
    def file(self) -> str:
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
# A result from a worker is JSON-able too: (index, report JSON or None, error dict or
# None); in-process (jobs=1) the report object itself is passed on, unserialised.
_Result = tuple[int, Report | str | None, dict[str, Any] | None]


class _Setup(NamedTuple):
    """What every worker needs: the pack's folders and the date waivers are judged on."""

    rule_dirs: tuple[str, ...]
    today: dt.date | None


_worker_pack: RulePack | None = None
_worker_today: dt.date | None = None
_ERROR_KINDS: dict[str, type[PartnerfitError]] = {
    "CaseError": CaseError,
    "EngineError": EngineError,
    "PackError": PackError,
    "UsageError": UsageError,
}


def _init_worker(setup: _Setup) -> None:
    """Pool initializer: load the pack once per worker process."""
    global _worker_pack, _worker_today
    # Ctrl-C is the parent's to handle: it stops the pool and removes partial output.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_pack = load_pack(*setup.rule_dirs)
    _worker_today = setup.today
    # Everything inherited from a forked parent (its list of inputs, the pack) is moved
    # out of the collector's reach, so that collections never touch, and so never copy,
    # those shared pages.
    gc.freeze()


def _check_chunk(tasks: Sequence[_Task]) -> list[_Result]:
    assert _worker_pack is not None, "worker used before its initializer ran"
    return [_check(task, _worker_pack, _worker_today, as_json=True) for task in tasks]


def _check(task: _Task, pack: RulePack, today: dt.date | None, *, as_json: bool) -> _Result:
    index, kind, payload = task
    try:
        case = _case_of(kind, payload)
        report = evaluate_case(case, pack, today=today)
        return index, report.to_json(indent=None) if as_json else report, None
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
        return load_case(Path(payload))
    if kind == "text":
        return case_from_document(parse_document(payload, error=CaseError))
    if kind == "case":  # in-process only: a Case object is never sent to a worker
        assert isinstance(payload, Case)
        return payload
    data, file, lines = payload
    return case_from_document(Document(data=data, file=file, lines=lines))


def _error_dict(exc: PartnerfitError) -> dict[str, Any]:
    loc = exc.location
    return {
        "kind": type(exc).__name__,
        "message": exc.message,
        "file": loc.file,
        "line": loc.line,
        "field": loc.field,
    }


def _error_from(data: Mapping[str, Any]) -> PartnerfitError:
    cls = _ERROR_KINDS.get(str(data["kind"]), EngineError)
    return cls(
        str(data["message"]),
        location=Location(file=data["file"], line=data["line"], field=data["field"]),
    )


def _report(data: Report | str | None) -> Report | None:
    if data is None or isinstance(data, Report):
        return data
    return Report.model_validate_json(data)


def _crash(task: _Task) -> _Result:
    index, kind, payload = task
    file = payload if kind == "path" else None
    return index, None, _error_dict(EngineError(CRASH_MESSAGE, location=Location(file=file)))


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
    tasks: Iterable[_Task], setup: _Setup, jobs: int, chunksize: int | None
) -> Iterator[_Result]:
    """Results of ``tasks`` in task order.

    With ``jobs == 1`` everything runs in this process. Otherwise chunks of tasks
    go to a pool with a bounded window in flight (like ``Pool.imap`` with a
    chunksize, but with flat memory when the consumer is slow, and surviving a
    worker crash, which makes ``Pool.imap`` wait forever).
    """
    # Loaded here first, so that a bad pack raises PackError in this process rather
    # than failing every worker's initializer (which would look like crashes).
    pack = load_pack(*setup.rule_dirs)
    if jobs <= 1:
        for task in tasks:
            yield _check(task, pack, setup.today, as_json=False)
        return
    size = chunksize or 16
    # Enough chunks in flight to keep every worker busy while the next result is
    # awaited in order; few enough that memory does not depend on the batch size.
    window = jobs * 3
    source = iter(tasks)
    pending: deque[tuple[list[_Task], Future[list[_Result]]]] = deque()
    pool = _new_pool(setup, jobs)
    finished = False
    try:
        while True:
            while len(pending) < window:
                chunk = _take(source, size)
                if not chunk:
                    break
                pending.append((chunk, pool.submit(_check_chunk, chunk)))
            if not pending:
                finished = True
                return
            chunk, future = pending.popleft()
            try:
                results = future.result()
            except BrokenProcessPool:
                # Every chunk in flight is lost with the pool. Re-run them one task at a
                # time in a fresh pool, so that the crash is pinned on the right file.
                lost = [chunk] + [c for c, f in pending if not _has_result(f)]
                pool.shutdown(wait=True, cancel_futures=True)
                pool = _new_pool(setup, jobs)
                redo: dict[int, _Result] = {}
                for task in (t for c in lost for t in c):
                    redo[task[0]], pool = _isolated(task, pool, setup, jobs)
                results = [redo[t[0]] for t in chunk]
                pending = deque(
                    (c, f if _has_result(f) else _done([redo[t[0]] for t in c])) for c, f in pending
                )
            yield from results
    finally:
        # Done: reap the workers. Abandoned (an error, Ctrl-C, the consumer stopped):
        # do not wait for chunks nobody will read.
        pool.shutdown(wait=finished, cancel_futures=not finished)


def _new_pool(setup: _Setup, jobs: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=_context(),
        initializer=_init_worker,
        initargs=(setup,),
    )


def _isolated(
    task: _Task, pool: ProcessPoolExecutor, setup: _Setup, jobs: int
) -> tuple[_Result, ProcessPoolExecutor]:
    try:
        return pool.submit(_check_chunk, [task]).result()[0], pool
    except BrokenProcessPool:
        pool.shutdown(wait=True, cancel_futures=True)
        return _crash(task), _new_pool(setup, jobs)


def _has_result(future: Future[list[_Result]]) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None


def _done(results: list[_Result]) -> Future[list[_Result]]:
    future: Future[list[_Result]] = Future()
    future.set_result(results)
    return future


def _take(source: Iterator[_Task], n: int) -> list[_Task]:
    out: list[_Task] = []
    for task in source:
        out.append(task)
        if len(out) == n:
            break
    return out


def _auto_chunksize(total: int | None, jobs: int) -> int:
    if total is None:
        return 16
    # Small enough that every worker gets several chunks (load balance), large
    # enough that the per-chunk overhead of inter-process messages is amortised.
    return max(1, min(32, total // (jobs * 8) or 1))


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
) -> Iterator[BatchItem]:
    """Check every case file in ``paths`` (already :func:`discover`-ed), lazily and in order.

    ``rule_dirs`` are layered rule-pack folders (none: the default pack);
    ``jobs`` is the number of worker processes (default: the CPUs available;
    ``1`` runs in this process). The pack is loaded before this returns, so a
    bad pack raises :class:`PackError` here rather than on the first item.
    Exactly one :class:`BatchItem` is yielded per path, in the order of ``paths``.
    Waiver expiry is judged on ``today`` (default: the local date).
    """
    dirs = _rule_dirs(rule_dirs)
    load_pack(*dirs)
    n_jobs = _jobs(jobs)
    # ``paths`` is not copied: for 100,000 files even a list of Path objects weighs.
    tasks: Iterator[_Task] = ((i, "path", str(p)) for i, p in enumerate(paths))
    setup = _Setup(dirs, today)
    results = _ordered(tasks, setup, n_jobs, chunksize or _auto_chunksize(len(paths), n_jobs))

    def items() -> Iterator[BatchItem]:
        for index, report_json, error in results:
            given = paths[index]
            yield BatchItem(
                index=index,
                path=given if isinstance(given, Path) else Path(given),
                report=_report(report_json),
                error=_error_from(error) if error is not None else None,
            )

    return items()


def evaluate_many(
    cases: Iterable[Case | str | Path | Mapping[str, Any]],
    pack_dirs: Sequence[str | Path] = (),
    jobs: int = 1,
    *,
    today: dt.date | None = None,
) -> Iterator[Report | PartnerfitError]:
    """Check many cases; yield one report or one error per case, lazily and in order.

    Each item of ``cases`` is what :func:`~partnerfit.loading.load_case` accepts: a
    :class:`Case`, a path to a case file, YAML/JSON text, or a parsed mapping.
    ``pack_dirs`` are layered rule-pack folders (none: the default pack).

    ``jobs=1`` (the default) runs in this process. With more, cases are checked in
    that many worker processes: files are read by the workers, other inputs are
    sent as plain data. Output order is input order either way, and ``cases`` is
    consumed lazily, so an endless generator of cases works with flat memory.

    A case that cannot be loaded yields its :class:`~partnerfit.errors.CaseError`
    (with file, line and field); an engine failure or a crashed worker yields an
    :class:`~partnerfit.errors.EngineError`. Nothing is raised for a single case,
    but a bad pack raises :class:`~partnerfit.errors.PackError` on the first item.
    Waiver expiry is judged on ``today`` (default: the local date).
    """
    dirs = _rule_dirs(pack_dirs)
    n_jobs = _jobs(jobs)
    tasks = (_task(i, c, in_process=n_jobs == 1) for i, c in enumerate(cases))
    for _, report_json, error in _ordered(tasks, _Setup(dirs, today), n_jobs, None):
        report = _report(report_json)
        if report is not None:
            yield report
        else:
            assert error is not None
            yield _error_from(error)


def _task(index: int, case: Case | str | Path | Mapping[str, Any], *, in_process: bool) -> _Task:
    if isinstance(case, Case) and in_process:
        return index, "case", case
    if isinstance(case, Case):
        data = case.model_dump(mode="json", by_alias=True, exclude_unset=True)
        lines = dict(case._lines)
        return index, "data", (data, case.source_file, lines)
    if isinstance(case, Path):
        return index, "path", str(case)
    if isinstance(case, str):
        if "\n" not in case and (case.endswith(CASE_SUFFIXES) or Path(case).exists()):
            return index, "path", case
        return index, "text", case
    if isinstance(case, Mapping):
        # Round-trip through JSON so that what reaches a worker is plain data.
        return index, "data", (json.loads(json.dumps(dict(case), default=str)), None, {})
    raise UsageError(
        f"case {index}: expected a Case, a path, YAML/JSON text or a mapping, "
        f"got {type(case).__name__}"
    )


def _jobs(jobs: int | None) -> int:
    if jobs is None:
        return default_jobs()
    if jobs < 1:
        raise UsageError(f"jobs must be 1 or more, got {jobs}")
    return jobs
