"""The keys that make two parties' phrases meet: one :class:`~partnerfit.text.Matcher`
per kind of phrase, built over everything the case says of that kind.

Segments (the parties' markets, their offerings' segments and the alliance's target),
regions, company names (party names, brands and competitors, so that a competitor can
meet a partner's brand) and values each get their own matcher, so that sameness found
by spelling or by a company name followed by "agencies" can see every phrase of its
kind in the case. The same case always gives the same keys.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from partnerfit.case import Case
from partnerfit.text import Matcher


@dataclass(frozen=True)
class CaseKeys:
    segment: Matcher
    region: Matcher
    name: Matcher
    value: Matcher

    def market(self, dimension: str) -> Matcher:
        """The matcher of a market dimension (``segment`` or ``region``)."""
        return self.segment if dimension == "segment" else self.region


def case_keys(case: Case) -> CaseKeys:
    return CaseKeys(
        segment=Matcher("phrase", _markets(case, "segments")),
        region=Matcher("phrase", _markets(case, "regions")),
        name=Matcher("name", _names(case)),
        value=Matcher("phrase", _values(case)),
    )


def _markets(case: Case, attr: str) -> Iterator[str]:
    target = case.alliance.target_market if case.alliance is not None else None
    markets = [target] + [p.markets for p in case.parties]
    for market in markets:
        if market is not None:
            yield from getattr(market, attr) or []
    if attr == "segments":
        for p in case.parties:
            for off in p.offerings or []:
                yield from off.segments or []


def _names(case: Case) -> Iterator[str]:
    for p in case.parties:
        yield p.name
        yield from p.brands or []
        yield from p.competitors or []


def _values(case: Case) -> Iterator[str]:
    for p in case.parties:
        if p.answers is not None:
            yield from p.answers.values or []
