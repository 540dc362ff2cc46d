"""How much of what a rule pack asks a case answers.

A pack *asks* for the case fields its rules name in ``requires:``. A question is one
such field for one party (fields under ``party.`` and the entities a party lists, such
as ``principal.``) or for the case as a whole (``alliance.``, ``governance.``, …). Only
the most specific fields count: a required block with a required field inside it
(``party.answers`` with ``party.answers.vision``) is answered through its fields, so
it is not a question of its own.

A question is *open* when the case leaves that field unknown, or a block holding it:
the fact extractor then emits an ``unknown`` fact naming the field (or the block) and
the party, the same fact that raises the open question in the report. Everything else
is *answered*: a field stated as a value, or as ``false``/``none``/``[]``, and a field
the extractor does not ask about on this case (a question that does not apply).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from .facts import ASKABLE, Fact
from .pack import RuleKind, RulePack

_PARTY_ROOT = "party"


@dataclass(frozen=True)
class Question:
    """One field a pack asks of a case: the generic field and the party it is asked of."""

    field: str
    party: str | None


@dataclass(frozen=True)
class Answered:
    """The questions a pack asks of one case, and those the case leaves open."""

    asked: tuple[Question, ...]
    open: tuple[Question, ...]

    @property
    def answered(self) -> int:
        return len(self.asked) - len(self.open)

    @property
    def ratio(self) -> float:
        """Answered share of the questions; 1.0 when the pack asks nothing."""
        return round(self.answered / len(self.asked), 4) if self.asked else 1.0


def asked_fields(pack: RulePack) -> tuple[str, ...]:
    """The most specific fields the active rules require, sorted."""
    return tuple(generic for generic, _, _ in _plan(pack))


def _plan(pack: RulePack) -> tuple[tuple[str, tuple[str, ...], bool], ...]:
    """Per pack, worked out once: (field, the field and the blocks that hold it, asked of
    each party)."""
    return pack.derived("coverage plan", _make_plan)


def _make_plan(pack: RulePack) -> tuple[tuple[str, tuple[str, ...], bool], ...]:
    required = {
        generic
        for lr in pack.active()
        if lr.rule.kind != RuleKind.derived
        for generic in lr.rule.requires
    }
    holders = {block for generic in required for block in _ancestors(generic)}
    return tuple(
        (generic, (generic, *_ancestors(generic)), _per_party(generic))
        for generic in sorted(required - holders)
    )


def answered(pack: RulePack, facts: Sequence[Fact], parties: Sequence[str]) -> Answered:
    """Which of the pack's questions ``facts`` (one case's) leave open."""
    unknown = {(str(f["field"]), _party(f)) for f in facts if f["t"] == "unknown"}
    asked: list[Question] = []
    missing: list[Question] = []
    for generic, chain, per_party in _plan(pack):
        for party in parties if per_party else (None,):
            question = Question(generic, party)
            asked.append(question)
            if any((g, party) in unknown for g in chain):
                missing.append(question)
    return Answered(tuple(asked), tuple(missing))


def _party(fact: Fact) -> str | None:
    party = fact.get("party")
    return str(party) if party is not None else None


@cache
def _ancestors(generic: str) -> tuple[str, ...]:
    """The blocks that hold a field, nearest first: ``governance.deadlock.mechanism`` →
    ``governance.deadlock``, ``governance``. An entity a party lists (``principal.x``)
    sits in the party block of the same name in the plural (``party.principals``)."""
    out: list[str] = []
    parts = generic.split(".")
    while len(parts) > 1:
        parts = parts[:-1]
        out.append(".".join(parts))
    root = parts[0]
    if root != _PARTY_ROOT and root not in ASKABLE:
        holder = _holder(root)
        if holder is not None:
            out.extend((holder, *_ancestors(holder)))
    return tuple(out)


@cache
def _holder(entity: str) -> str | None:
    """The askable block that lists an entity: ``principal`` → ``party.principals``."""
    found = [g for g in ASKABLE if g.rsplit(".", 1)[-1] == f"{entity}s"]
    return found[0] if len(found) == 1 else None


def _per_party(generic: str) -> bool:
    return (generic, *_ancestors(generic))[-1].split(".")[0] == _PARTY_ROOT
