"""The public library API. It never prints, never exits and never configures logging.

Everything here is safe to call from several threads at once (evaluations are
serialised inside the engine adapter) and from forked or spawned processes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from .batch import evaluate_many as _batch_evaluate_many
from .case import Case
from .errors import PartnerfitError
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
) -> Iterator[Report | PartnerfitError]:
    """Evaluate cases lazily and in input order: one :class:`Report` or one error each.

    A case that cannot be loaded yields its :class:`~partnerfit.errors.CaseError`
    (with file, line and field) instead of stopping the run; a crashed worker
    yields an :class:`~partnerfit.errors.EngineError`. ``jobs=1`` runs in this
    process; more runs that many worker processes (see :mod:`partnerfit.batch`),
    which rebuild ``pack`` from its layer folders. Waiver expiry is judged on
    ``today`` (default: the local date).
    """
    chosen = pack if pack is not None else default_pack()
    dirs = [layer.path for layer in chosen.layers]
    return _batch_evaluate_many(cases, dirs, jobs=jobs, today=today)


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
