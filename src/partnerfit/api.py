"""The public library API. It never prints, never exits and never configures logging.

Everything here is safe to call from several threads at once (evaluations are
serialised inside the engine adapter) and from forked or spawned processes.

Every function checks its arguments first: a call it cannot use raises
:class:`~partnerfit.errors.UsageError` (a wrong type or value), a path it cannot
read raises :class:`~partnerfit.errors.CaseError` or
:class:`~partnerfit.errors.PackError`; no other exception comes out.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from . import pack as _pack
from .batch import check_timeout, default_jobs
from .batch import evaluate_many as _batch_evaluate_many
from .case import Case
from .errors import Location, PackError, PartnerfitError, UsageError
from .evaluation import evaluate_case
from .limits import FILE_TIMEOUT_SECONDS, MAX_JOBS
from .loading import check_plain_data, load_case, looks_like_path, path_argument
from .pack import RulePack
from .report import Report

CaseSource = Case | str | Path | Mapping[str, Any]
"""A case, or anything :func:`load_case` reads: a path, YAML/JSON text or a mapping."""


def evaluate(
    case: Case,
    pack: RulePack | None = None,
    *,
    today: dt.date | None = None,
    advise: bool = False,
) -> Report:
    """Check one case against a pack (the default pack when ``pack`` is None).

    ``today`` is the date waiver expiry is judged on (default: the local date).
    With ``advise``, each red flag says which single changes to the case clear it
    (:attr:`~partnerfit.report.Finding.clears_if`): the rules run again on each candidate
    change, which makes the call several times slower (see :mod:`partnerfit.advice`).
    Thread-safe: evaluations are serialised inside the engine adapter.
    """
    if not isinstance(advise, bool):
        raise UsageError(
            f"must be True or False, got {type(advise).__name__}",
            location=Location(field="advise"),
        )
    if not isinstance(case, Case):
        raise UsageError(
            f"must be a Case (see load_case), got {type(case).__name__}",
            location=Location(field="case"),
        )
    return evaluate_case(case, _check_pack(pack), today=_check_today(today), advise=advise)


def evaluate_many(
    cases: Iterable[CaseSource],
    pack: RulePack | None = None,
    *,
    jobs: int = 1,
    today: dt.date | None = None,
    timeout: float | None = FILE_TIMEOUT_SECONDS,
) -> Iterator[Report | PartnerfitError]:
    """Evaluate cases lazily and in input order: one :class:`Report` or one error each.

    A case that cannot be loaded yields its :class:`~partnerfit.errors.CaseError`
    (with file, line and field) instead of stopping the run, and an item that is
    no kind of case (a number, bytes) yields a :class:`~partnerfit.errors.UsageError`;
    a crashed worker yields an :class:`~partnerfit.errors.EngineError`. Cases are
    never checked in this process but in ``jobs`` worker processes (see
    :mod:`partnerfit.batch`), which rebuild ``pack`` from its layer folders:
    ``jobs=1`` is one worker process, checking one case at a time, so that a case
    that crashes the C rule engine ends that worker, not the caller. A case still
    being checked after ``timeout`` seconds (default
    :data:`~partnerfit.limits.FILE_TIMEOUT_SECONDS`; 0 or None: no limit) yields an
    :class:`~partnerfit.errors.EngineError` that says so, and its worker is killed
    and replaced. Waiver expiry is judged on ``today`` (default: the local date).

    The arguments themselves are checked at once: ``cases`` that is not a collection
    of cases, or a bad ``pack``, ``jobs``, ``today`` or ``timeout``, raises
    :class:`~partnerfit.errors.UsageError` before anything runs.
    """
    if isinstance(cases, str | bytes | Mapping | Case | os.PathLike):
        raise UsageError(
            f"must be a collection of cases, got one {type(cases).__name__}; put it in a list",
            location=Location(field="cases"),
        )
    try:
        items = iter(cases)
    except TypeError:
        raise UsageError(
            f"must be a collection of cases (a list, say), got {type(cases).__name__}",
            location=Location(field="cases"),
        ) from None
    chosen = _check_pack(pack)
    n_jobs = _check_jobs(jobs)
    on = _check_today(today)
    limit = check_timeout(timeout)
    # Items batch cannot take as they are are settled here; their errors are put back in
    # their place in the output.
    refused: dict[int, PartnerfitError] = {}
    sources = _sources(items, refused)
    dirs = [layer.path for layer in chosen.layers]
    results = _batch_evaluate_many(sources, dirs, jobs=n_jobs, today=on, timeout=limit)
    return _in_place(results, refused)


# A case text that batch refuses at once, standing in for an item refused here.
_PLACEHOLDER = "\n[]"


def _sources(items: Iterator[Any], refused: dict[int, PartnerfitError]) -> Iterator[CaseSource]:
    for index, item in enumerate(items):
        source = _source(index, item, refused)
        yield _PLACEHOLDER if index in refused else source


def _source(index: int, item: Any, refused: dict[int, PartnerfitError]) -> CaseSource:
    try:
        if isinstance(item, Case):
            return item
        if isinstance(item, str):
            if looks_like_path(item):
                return item  # as given: it names the file in reports and errors
            # One line of text: a final line break makes sure it is read as text, never
            # looked up as a file name (which may be too long for the file system).
            return item if "\n" in item else item + "\n"
        if isinstance(item, Path):
            return item
        if isinstance(item, os.PathLike):
            return Path(path_argument(item, f"case {index}"))
        if isinstance(item, Mapping):
            check_plain_data(item)
            try:
                # What batch does with a mapping; settled here when it cannot be done.
                json.dumps(dict(item), default=str)
            except (TypeError, ValueError):
                return load_case(item)  # the case's own error, or a Case
            return item
        raise UsageError(
            f"case {index}: expected a Case, a path, YAML/JSON text or a mapping, "
            f"got {type(item).__name__}"
        )
    except PartnerfitError as exc:
        refused[index] = exc
        return _PLACEHOLDER


def _in_place(
    results: Iterator[Report | PartnerfitError], refused: dict[int, PartnerfitError]
) -> Iterator[Report | PartnerfitError]:
    for index, result in enumerate(results):
        yield refused.pop(index, result)


def load_pack(*dirs: str | Path) -> RulePack:
    """Load one pack, or layer several: later packs add rules and override earlier ones.

    With no argument, the default pack. Loaded packs are cached per process. A folder
    that is not a readable rule pack raises :class:`~partnerfit.errors.PackError`.
    """
    folders: list[str] = []
    for index, folder in enumerate(dirs):
        if not isinstance(folder, str | os.PathLike):
            raise UsageError(
                f"must be a rule pack folder, got {type(folder).__name__}",
                location=Location(field=f"dirs[{index}]"),
            )
        name = path_argument(folder, f"dirs[{index}]")
        if "\x00" in name:
            raise PackError(
                "is not a valid folder name (it contains a NUL character)",
                location=Location(file=name),
            )
        # os.path.isdir is False, not an error, for a name too long for the file system.
        if not os.path.isdir(name):
            raise PackError("rule pack folder not found", location=Location(file=name))
        folders.append(name)
    return _pack.load_pack(*folders)


def default_pack() -> RulePack:
    """The built-in rule pack."""
    return _pack.default_pack()


def _check_pack(pack: object) -> RulePack:
    if pack is None:
        return _pack.default_pack()
    if not isinstance(pack, RulePack):
        raise UsageError(
            f"must be a RulePack (see load_pack), got {type(pack).__name__}",
            location=Location(field="pack"),
        )
    return pack


def _check_jobs(jobs: object) -> int:
    if jobs is None:
        return default_jobs()  # one per CPU
    if isinstance(jobs, bool) or not isinstance(jobs, int):
        raise UsageError(
            f"must be a whole number, got {type(jobs).__name__}",
            location=Location(field="jobs"),
        )
    if not 1 <= jobs <= MAX_JOBS:
        # A huge number is not shown: Python cannot even turn one of 4,300 digits into text.
        shown = str(jobs) if abs(jobs) < 10**18 else "a far larger number"
        raise UsageError(
            f"must be from 1 to {MAX_JOBS}, got {shown}", location=Location(field="jobs")
        )
    return jobs


def _check_today(today: object) -> dt.date | None:
    if today is None:
        return None
    if isinstance(today, dt.datetime):
        return today.date()  # a datetime cannot be compared with a waiver's date
    if not isinstance(today, dt.date):
        raise UsageError(
            f"must be a date, got {type(today).__name__}", location=Location(field="today")
        )
    return today


__all__ = [
    "MAX_JOBS",
    "Case",
    "CaseSource",
    "Report",
    "RulePack",
    "default_pack",
    "evaluate",
    "evaluate_many",
    "load_case",
    "load_pack",
]
