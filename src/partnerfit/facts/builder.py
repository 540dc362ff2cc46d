"""The fact builder, and the normalisation of values on their way into facts."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from partnerfit.limits import MAX_NUMBER, NUMBER_DECIMALS

from .keys import CaseKeys
from .vocabulary import Fact


@dataclass
class _Builder:
    names: Mapping[str, str]
    keys: CaseKeys
    facts: list[Fact] = field(default_factory=list)

    def add(self, t: str, path: str, value: Any, party: str | None = None, **fields: Any) -> Fact:
        # The hot path of extraction (about a hundred facts a case): a plain string, the
        # most common value, is taken as it is; anything else as _display and _normalise
        # say.
        facts = self.facts
        fact: Fact = {
            "t": t,
            "id": f"f{len(facts) + 1}",
            "path": path,
            "one": 1.0,
            "value": value if type(value) is str else "" if value is None else _display(value),
        }
        if party is not None:
            fact["party"] = party
            fact["party_name"] = self.names.get(party, party)
        for name, v in fields.items():
            if v is not None:
                kind = type(v)
                fact[name] = v if kind is str or kind is bool else _normalise(v)
        facts.append(fact)
        return fact

    def unknown(self, generic: str, path: str, party: str | None = None) -> None:
        """An ``unknown`` fact: the case leaves ``generic`` open at ``path``. The same fact
        as ``add("unknown", path, None, party, field=generic)``, made without the keyword
        arguments (a third of a case's facts are these)."""
        facts = self.facts
        fact: Fact = {"t": "unknown", "id": f"f{len(facts) + 1}", "path": path, "one": 1.0}
        fact["value"] = ""
        if party is not None:
            fact["party"] = party
            fact["party_name"] = self.names.get(party, party)
        if generic is not None:
            fact["field"] = generic if type(generic) is str else _normalise(generic)
        facts.append(fact)


def _normalise(value: Any) -> str | float | bool:
    """Fact values have well-defined types: the engine compares loosely."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return engine_number(value)
    return str(value)


def engine_number(value: float) -> float:
    """A number as the rule engine can read it: finite, within ±:data:`MAX_NUMBER`,
    rounded to :data:`NUMBER_DECIMALS` places.

    The engine's JSON number parser reads only plain decimals: Python writes floats
    below 1e-4 or from 1e16 in exponent form (``1e-05``), which crashes it. A rounded
    number within the range is never written so. Computed figures (ratios) beyond the
    range are clamped to it; a case's own numbers are refused at load before that.
    """
    if -MAX_NUMBER <= value <= MAX_NUMBER:
        number = float(value)
    elif value != value:  # NaN: every comparison is false
        raise ValueError("NaN cannot reach the rule engine")
    else:
        number = MAX_NUMBER if value > 0 else -MAX_NUMBER
    return round(number, NUMBER_DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        return "; ".join(_display(v) for v in value)
    return str(value)


def _stated(value: object) -> bool | None:
    """Whether a field that takes a value or ``false`` is in place: None when unknown."""
    return None if value is None else value is not False


def _market_items(market: Any) -> Iterator[tuple[str, list[str]]]:
    if market is None:
        return
    if market.segments is not None:
        yield "segment", market.segments
    if market.regions is not None:
        yield "region", market.regions
