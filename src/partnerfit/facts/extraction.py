"""The entry point: all facts of a case, area by area, in a fixed order."""

from __future__ import annotations

from partnerfit.case import Case

from .alliance import _alliance
from .builder import _Builder
from .governance import _governance
from .history import _history
from .pairs import _pairs
from .parties import _party
from .vocabulary import Fact


def extract(case: Case) -> list[Fact]:
    """All facts of a case, in a stable order (ids are assigned in that order)."""
    b = _Builder({p.id: p.name for p in case.parties})
    _alliance(case, b)
    _governance(case, b)
    for i, party in enumerate(case.parties):
        _party(i, party, b)
    _pairs(case, b)
    _history(case, b)
    return b.facts
