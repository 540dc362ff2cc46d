"""The entry point: all facts of a case, area by area, in a fixed order."""

from __future__ import annotations

import re
from collections import Counter

from partnerfit.case import Case
from partnerfit.errors import CaseError, Location
from partnerfit.limits import MAX_FACTS

from .alliance import _alliance
from .builder import _Builder
from .governance import _governance
from .history import _history
from .keys import case_keys
from .pairs import _pairs
from .parties import _party
from .vocabulary import Fact


def extract(case: Case) -> list[Fact]:
    """All facts of a case, in a stable order (ids are assigned in that order)."""
    b = _Builder({p.id: p.name for p in case.parties}, case_keys(case))
    _alliance(case, b)
    _governance(case, b)
    for i, party in enumerate(case.parties):
        _party(i, party, b)
    _pairs(case, b)
    _history(case, b)
    if len(b.facts) > MAX_FACTS:
        raise _too_many(case, b.facts)
    return b.facts


def _too_many(case: Case, facts: list[Fact]) -> CaseError:
    """Rules that join facts match pairs of them: a case built of thousands of repeated
    items would take minutes and gigabytes. Name the list most of them come from."""
    counts = Counter(_list_of(fact["path"]) for fact in facts)
    path, most = counts.most_common(1)[0]
    where = Location(file=case.source_file, line=case.line_of(path), field=path or None)
    return CaseError(
        f"the case makes {len(facts):,} facts for the rules to check; the limit is "
        f"{MAX_FACTS:,} ({most:,} come from {path or 'the case as a whole'}; a real deal "
        "makes a few hundred at most)",
        location=where,
    )


def _list_of(path: str) -> str:
    """The list of the case a fact comes from: ``parties[0].offerings[3].segments[1]`` →
    ``parties[0].offerings``; ``alliance.target_market.segments[2]`` →
    ``alliance.target_market.segments``."""
    match = _PARTY_LIST.match(path) or _LIST.match(path)
    return match.group(1) if match else path


_PARTY_LIST = re.compile(r"^(parties\[\d+\](?:\.[a-z_]+)?)")
_LIST = re.compile(r"^([^\[]*)")
