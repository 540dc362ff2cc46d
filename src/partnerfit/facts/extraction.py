"""The entry point: all facts of a case, area by area, in a fixed order."""

from __future__ import annotations

import re
from collections import Counter

from partnerfit.case import AllianceKind, Case
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
    owned = _shares_ownership(case)
    _alliance(case, b)
    _governance(case, b, owned=owned)
    board_total = _board_total(case)
    options = _options_held(case)
    for i, party in enumerate(case.parties):
        _party(i, party, b, owned=owned, board_total=board_total, options=options)
    _pairs(case, b)
    _history(case, b)
    if len(b.facts) > MAX_FACTS:
        raise _too_many(case, b.facts)
    return b.facts


OWNERSHIP_KINDS = frozenset(
    {AllianceKind.joint_venture, AllianceKind.co_founding, AllianceKind.professional_partnership}
)
"""Alliance kinds where the parties own something together: stakes and options are asked."""


def _shares_ownership(case: Case) -> bool:
    kind = case.alliance.kind if case.alliance else None
    return kind is None or kind in OWNERSHIP_KINDS


def _board_total(case: Case) -> int | None:
    """The joint board's size, when every party states its seats."""
    seats = [p.stake.board_seats if p.stake else None for p in case.parties]
    if any(s is None for s in seats):
        return None
    return sum(s for s in seats if s is not None)


def _options_held(case: Case) -> dict[str, dict[str, int]] | None:
    """Puts and calls held by each party, when the case states its options (``[]``: none)."""
    exit_terms = case.governance.exit_terms if case.governance else None
    if exit_terms is None or exit_terms.options is None:
        return None
    held: dict[str, dict[str, int]] = {}
    for option in exit_terms.options:
        kinds = held.setdefault(option.holder, {})
        kinds[option.kind.value] = kinds.get(option.kind.value, 0) + 1
    return held


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
