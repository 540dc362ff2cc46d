"""The public library API. It never prints, never exits and never configures logging.

Everything here is safe to call from several threads at once (evaluations are
serialised inside the engine adapter) and from forked or spawned processes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from .case import Case
from .errors import CaseError, UsageError
from .evaluation import evaluate_case
from .loading import load_case
from .pack import RulePack, default_pack, load_pack
from .report import Report

CaseSource = Case | str | Path | Mapping[str, Any]
"""A case, or anything :func:`load_case` reads: a path, YAML/JSON text or a mapping."""


def evaluate(case: Case, pack: RulePack | None = None, *, today: dt.date | None = None) -> Report:
    """Check one case against a pack (the default pack when ``pack`` is None).

    ``today`` is the date waiver expiry is judged on (default: the local date).
    Thread-safe: evaluations are serialised inside the engine adapter.
    """
    return evaluate_case(case, pack if pack is not None else default_pack(), today=today)


def evaluate_many(
    cases: Iterable[CaseSource],
    pack: RulePack | None = None,
    *,
    jobs: int = 1,
    today: dt.date | None = None,
) -> Iterator[Report | CaseError]:
    """Evaluate cases lazily, in order: one :class:`Report`, or the :class:`CaseError`, each.

    A case that cannot be loaded (or whose waivers are wrong) yields its error
    instead of stopping the batch; any other error propagates.

    This version runs in the calling process; ``jobs`` is accepted for the
    process-pool version (``partnerfit.batch``) and must be at least 1.
    """
    if jobs < 1:
        raise UsageError(f"jobs must be at least 1, got {jobs}")
    chosen = pack if pack is not None else default_pack()
    for source in cases:
        try:
            case = source if isinstance(source, Case) else load_case(source)
            yield evaluate_case(case, chosen, today=today)
        except CaseError as exc:
            yield exc


__all__ = [
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
