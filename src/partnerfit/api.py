"""The public library API. It never prints, never exits and never configures logging."""

from __future__ import annotations

from .case import Case
from .evaluation import evaluate_case
from .loading import load_case
from .pack import RulePack, default_pack, load_pack
from .report import Report


def evaluate(case: Case, pack: RulePack | None = None) -> Report:
    """Check one case against a pack (the default pack when ``pack`` is None).

    Thread-safe: evaluations are serialised inside the engine adapter.
    """
    return evaluate_case(case, pack if pack is not None else default_pack())


__all__ = ["Case", "Report", "RulePack", "default_pack", "evaluate", "load_case", "load_pack"]
