"""A reference matcher: partnerfit's rule condition language, interpreted in plain Python.

This is a test oracle, not shipped code. It reads a pack's *declarative* rules
(:class:`partnerfit.pack.Rule`, :class:`~partnerfit.pack.Pattern`,
:class:`~partnerfit.pack.Negation`, :class:`~partnerfit.pack.Derive`, as loaded) and
never the durable_rules JSON that :func:`partnerfit.pack.compile_rules` builds from
them, so it is an independent second opinion on what the engine adapter should
compute. ``tests/test_differential.py`` runs both on the same facts and compares.

The semantics implemented here (docs/rules.md, and what the language means):

* A rule fires once for every assignment of **distinct** facts to its positive
  patterns such that every test of every pattern holds and no negated pattern
  matches any fact. Two positive slots never bind the same fact.
* Tests: ``field: v`` and ``eq`` are equality; ``ne``, ``lt``, ``lte``, ``gt``,
  ``gte`` compare numbers numerically and text by code point; ``in`` / ``not_in``
  are membership in a literal list; ``exists: true/false`` asks whether the fact has
  the field at all. ``{ref: slot.field}`` takes the other side from a fact bound
  to an earlier positive slot (a join). Several operators on one field are all
  required.
* **Unknown is not false**: a missing field fails every test except
  ``exists: false`` (so ``ne`` and ``not_in`` fail too), and so does a join whose
  referenced field is missing.
* Values are typed: text, number (``int`` or ``float``, equal when numerically
  equal) and true/false. The pack type-checks its literals and the extractor
  normalises facts, so a test should never compare values of different kinds; if
  one does, the test fails and the comparison is recorded as an *anomaly* (a
  finding about the pack or the facts, see :attr:`Outcome.anomalies`), rather than
  copying durable_rules' loose typing (``10 == "10"``, ``1 == True``).
* A negation means "there is no such fact" in the *final* set of facts, derived
  facts included. Rules are evaluated in strata computed here from the rules'
  own dependencies (a rule that negates a derived fact type runs after every rule
  that can derive it has run to a fixpoint); a cycle through negation is an
  :class:`OracleError`. Where a negation stands in ``when`` does not matter (it may
  refer only to earlier positive slots), and it may match any fact, including one
  bound to a positive slot.
* Every field is an ordinary value, ``id`` and ``one`` included: an id is text like
  any other, and ``one`` (1) equals every other number 1.
* A ``derived`` rule's firing asserts one new fact, which other rules (and
  negations) consume: ``t`` is the derived type, ``fields`` map to the bound
  facts' fields (``'quoted'`` text is a literal; a missing source field leaves the
  derived field missing), ``value`` is the rendered template (or the first slot's
  value), ``path`` is the first positive slot's path and ``party`` / ``party_name``
  are the first positive slot's party, when it has one. Each (rule, binding) fires
  once, so a derivation chain reaches a fixpoint unless the pack derives facts
  without end; :data:`FIRING_BUDGET` stops that with an :class:`OracleError`.
* Open questions: for each field (and its enclosing blocks that are askable) that
  an active, non-derived rule ``requires``, one rule ``ask$<field>`` fires on every
  ``unknown`` fact naming that field.

Derived facts get counter ids in the engine (``d1``, ``d2`` …, in firing order),
so ids are canonicalised by what made them: a derived fact's canonical id is
``RULE(slot=id,…)`` over the canonical ids of the facts it was derived from.
Firings are then (engine rule name, ((slot, canonical fact id), …)) and compare
exactly, as a multiset.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from partnerfit.facts import ASKABLE, VOCABULARY, Fact, FactType
from partnerfit.pack import LoadedRule, Negation, RuleKind, RulePack

__all__ = [
    "FIRING_BUDGET",
    "Binding",
    "Firing",
    "OracleError",
    "Outcome",
    "RulePlan",
    "compare",
    "engine_outcome",
    "match",
    "match_pack",
    "plan_pack",
    "plan_rules",
]

FIRING_BUDGET = 50_000
"""More firings than this for one case means the pack derives facts without end."""

Binding = tuple[tuple[str, str], ...]
"""(slot name, canonical fact id) for each positive slot, in the rule's order."""
Firing = tuple[str, Binding]
"""(engine rule name, binding)."""

_OPS = frozenset({"eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "exists"})
_TEMPLATE = re.compile(r"\{([a-z][a-z0-9_]*)\.([a-z_][a-z0-9_]*)\}")


class OracleError(Exception):
    """The oracle cannot interpret this pack or these facts."""


# --- plans: the declarative rules, restated ------------------------------------------------


@dataclass(frozen=True)
class Test:
    field: str
    op: str
    value: Any = None
    """The literal (a tuple for ``in``/``not_in``, a bool for ``exists``)."""
    ref: tuple[str, str] | None = None
    """(slot, field) of an earlier positive slot, for a join."""


@dataclass(frozen=True)
class Pat:
    slot: str
    fact: str
    negated: bool
    tests: tuple[Test, ...]


@dataclass(frozen=True)
class DerivePlan:
    fact: str
    fields: tuple[tuple[str, str | None, str], ...]
    """(field, slot or None for a literal, source field or the literal text)."""
    value: str | None


@dataclass(frozen=True)
class RulePlan:
    name: str
    """Engine rule name: the rule id, or ``ask$<field>``."""
    positives: tuple[Pat, ...]
    negations: tuple[Pat, ...]
    derive: DerivePlan | None = None


def _tests(where: Mapping[str, Any], rule: str) -> tuple[Test, ...]:
    out: list[Test] = []
    for fname, spec in where.items():
        if isinstance(spec, dict) and set(spec) != {"ref"}:
            if "ref" in spec:
                raise OracleError(f"{rule}: {fname}: a ref mixed with operators: {spec!r}")
            ops: Mapping[str, Any] = spec
        else:
            ops = {"eq": spec}
        if not ops:
            raise OracleError(f"{rule}: {fname}: empty test")
        for op, value in ops.items():
            if op not in _OPS:
                raise OracleError(f"{rule}: {fname}: unknown operator {op!r}")
            if isinstance(value, dict):
                if set(value) != {"ref"} or op not in {"eq", "ne", "lt", "lte", "gt", "gte"}:
                    raise OracleError(f"{rule}: {fname}.{op}: bad ref {value!r}")
                ref = value["ref"]
                if not isinstance(ref, str) or ref.count(".") != 1:
                    raise OracleError(f"{rule}: {fname}.{op}: bad ref {ref!r}")
                slot, rfield = ref.split(".")
                out.append(Test(fname, op, ref=(slot, rfield)))
            elif op in ("in", "not_in"):
                if not isinstance(value, list) or not value:
                    raise OracleError(f"{rule}: {fname}.{op} needs a non-empty list")
                out.append(Test(fname, op, tuple(value)))
            elif op == "exists":
                if not isinstance(value, bool):
                    raise OracleError(f"{rule}: {fname}.exists needs true or false")
                out.append(Test(fname, op, value))
            else:
                out.append(Test(fname, op, value))
    return tuple(out)


def plan_rule(lr: LoadedRule) -> RulePlan:
    """One declarative rule, restated as patterns and tests."""
    rule = lr.rule
    positives: list[Pat] = []
    negations: list[Pat] = []
    for item in rule.when:
        if isinstance(item, Negation):
            p = item.not_
            pat = Pat(p.as_ or f"not{len(negations) + 1}", p.fact, True, _tests(p.where, rule.id))
            negations.append(pat)
        else:
            pat = Pat(item.as_ or item.fact, item.fact, False, _tests(item.where, rule.id))
            positives.append(pat)
        earlier = {q.slot for q in positives if q is not pat}
        for test in pat.tests:
            if test.ref is not None and test.ref[0] not in earlier:
                raise OracleError(f"{rule.id}: ref {test.ref} names no earlier positive slot")
    if not positives:
        raise OracleError(f"{rule.id}: no positive pattern")
    derive = None
    if rule.derive is not None:
        if rule.kind != RuleKind.derived:
            raise OracleError(f"{rule.id}: derive on a {rule.kind.value} rule")
        fields: list[tuple[str, str | None, str]] = []
        for fname, ref in rule.derive.fields.items():
            if len(ref) >= 2 and ref.startswith("'") and ref.endswith("'"):
                fields.append((fname, None, ref[1:-1]))
            else:
                slot, src = ref.split(".")
                fields.append((fname, slot, src))
        derive = DerivePlan(rule.derive.fact, tuple(fields), rule.derive.value)
    return RulePlan(rule.id, tuple(positives), tuple(negations), derive)


def _asked(rules: Iterable[LoadedRule]) -> list[str]:
    """Every askable field a non-derived rule requires, with its askable enclosing blocks."""
    fields: set[str] = set()
    for lr in rules:
        if lr.rule.kind == RuleKind.derived:
            continue
        for generic in lr.rule.requires:
            parts = generic.split(".")
            for n in range(1, len(parts) + 1):
                prefix = ".".join(parts[:n])
                if prefix in ASKABLE:
                    fields.add(prefix)
    return sorted(fields)


def plan_rules(rules: Sequence[LoadedRule]) -> list[RulePlan]:
    """The plans of some active rules, plus their open-question rules."""
    plans = [plan_rule(lr) for lr in rules]
    for generic in _asked(rules):
        test = Test("field", "eq", generic)
        plans.append(RulePlan(f"ask${generic}", (Pat("u", "unknown", False, (test,)),), ()))
    return plans


def plan_pack(pack: RulePack) -> list[RulePlan]:
    """The plans of a pack's active rules (disabled rules do not exist for matching)."""
    return plan_rules(pack.active())


# --- strata ---------------------------------------------------------------------------------


def strata(plans: Sequence[RulePlan]) -> list[list[RulePlan]]:
    """Group rules so that every rule runs after all rules deriving a type it negates."""
    level: dict[str, int] = {}  # derived type -> stratum
    rule_level: dict[str, int] = {}
    for _ in range(len(plans) + 2):
        changed = False
        for p in plans:
            pos = [level.get(q.fact, 0) for q in p.positives]
            neg = [level.get(q.fact, 0) + 1 for q in p.negations if q.fact in level]
            # a negated base type is complete from the start: no ordering needed
            value = max([0, *pos, *neg])
            if rule_level.get(p.name) != value:
                rule_level[p.name] = value
                changed = True
            if p.derive is not None:
                d = p.derive.fact
                if level.get(d, -1) < value:
                    level[d] = value
                    changed = True
        if not changed:
            break
    else:
        raise OracleError("the rules' negations form a cycle: the pack is not stratifiable")
    # A check of the fixpoint: each rule runs after every producer of a type it negates.
    derived = {p.derive.fact for p in plans if p.derive is not None}
    for p in plans:
        for q in p.negations:
            if q.fact in derived and rule_level[p.name] <= level[q.fact]:
                raise OracleError(f"{p.name}: cannot order the negation of {q.fact}")
    out: dict[int, list[RulePlan]] = {}
    for p in plans:
        out.setdefault(rule_level[p.name], []).append(p)
    return [out[k] for k in sorted(out)]


# --- matching -------------------------------------------------------------------------------


_KINDS: dict[type, str] = {bool: "bool", int: "number", float: "number", str: "text"}


def _kind(value: Any) -> str | None:
    """text, number or bool; None for anything else (subclasses included)."""
    return _KINDS.get(type(value))


@dataclass
class _State:
    facts: dict[str, Fact]
    by_type: dict[str, list[str]]
    anomalies: list[str] = field(default_factory=list)

    def note(self, message: str) -> None:
        if message not in self.anomalies:
            self.anomalies.append(message)


def _compare(op: str, actual: Any, expected: Any, where: str, state: _State) -> bool:
    ka, ke = _kind(actual), _kind(expected)
    if ka is None or ke is None or ka != ke:
        state.note(f"{where}: compares {actual!r} ({ka}) with {expected!r} ({ke})")
        return False
    if op == "eq":
        return bool(actual == expected)
    if op == "ne":
        return bool(actual != expected)
    if ka == "bool":
        state.note(f"{where}: orders true/false values ({op})")
        return False
    if op == "lt":
        return bool(actual < expected)
    if op == "lte":
        return bool(actual <= expected)
    if op == "gt":
        return bool(actual > expected)
    if op == "gte":
        return bool(actual >= expected)
    raise OracleError(f"{where}: unknown comparison {op!r}")


def _holds(test: Test, fact: Fact, bound: Mapping[str, Fact], where: str, state: _State) -> bool:
    here = f"{where}.{test.field}.{test.op}"
    present = test.field in fact
    if test.op == "exists":
        return present is test.value
    if not present:
        return False  # unknown is not false: a missing field fails every other test
    actual = fact[test.field]
    if test.ref is not None:
        slot, rfield = test.ref
        other = bound[slot]
        if rfield not in other:
            return False  # a join on an unknown value fails
        return _compare(test.op, actual, other[rfield], here, state)
    if test.op == "in":
        return any(_compare("eq", actual, v, here, state) for v in test.value)
    if test.op == "not_in":
        return all(_compare("ne", actual, v, here, state) for v in test.value)
    return _compare(test.op, actual, test.value, here, state)


def _bindings(plan: RulePlan, state: _State) -> Iterator[tuple[tuple[str, str], ...]]:
    """Every assignment of distinct facts to the positive slots that passes every test."""
    pats = plan.positives
    # Tests on the fact alone are judged once per fact; joins once per partial binding.
    candidates: list[list[tuple[str, Fact]]] = []
    joins: list[tuple[Test, ...]] = []
    for pat in pats:
        alone = [t for t in pat.tests if t.ref is None]
        where = f"{plan.name}:{pat.slot}"
        candidates.append(
            [
                (fid, state.facts[fid])
                for fid in state.by_type.get(pat.fact, ())
                if all(_holds(t, state.facts[fid], {}, where, state) for t in alone)
            ]
        )
        joins.append(tuple(t for t in pat.tests if t.ref is not None))

    def walk(i: int, bound: dict[str, Fact], ids: list[str]) -> Iterator[tuple[str, ...]]:
        if i == len(pats):
            if not any(_negated(q, bound, plan.name, state) for q in plan.negations):
                yield tuple(ids)
            return
        slot, where = pats[i].slot, f"{plan.name}:{pats[i].slot}"
        for fid, fact in candidates[i]:
            if fid in ids:
                continue  # two slots never bind the same fact
            if all(_holds(t, fact, bound, where, state) for t in joins[i]):
                bound[slot] = fact
                ids.append(fid)
                yield from walk(i + 1, bound, ids)
                ids.pop()
                del bound[slot]

    for ids in walk(0, {}, []):
        yield tuple(zip((p.slot for p in pats), ids, strict=True))


def _negated(pat: Pat, bound: Mapping[str, Fact], rule: str, state: _State) -> bool:
    """Whether some fact matches the negated pattern (so the rule must not fire)."""
    where = f"{rule}:{pat.slot}"
    return any(
        all(_holds(t, state.facts[fid], bound, where, state) for t in pat.tests)
        for fid in state.by_type.get(pat.fact, ())
    )


def _show(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def render(template: str, bound: Mapping[str, Fact]) -> str:
    """``{slot.field}`` replaced by the bound fact's field; unknown shows as ``unknown``."""
    return _TEMPLATE.sub(
        lambda m: _show(bound.get(m.group(1), {}).get(m.group(2))),
        template,
    )


def _derive(spec: DerivePlan, plan: RulePlan, bound: Mapping[str, Fact]) -> Fact:
    first = bound[plan.positives[0].slot]
    fact: Fact = {"t": spec.fact, "path": first.get("path", ""), "one": 1}
    for common in ("party", "party_name"):
        if common in first:
            fact[common] = first[common]
    for fname, slot, source in spec.fields:
        value = source if slot is None else bound[slot].get(source)
        if value is not None:
            fact[fname] = value
    fact["value"] = render(spec.value, bound) if spec.value else first.get("value", "")
    return fact


def canonical(rule: str, binding: Binding) -> str:
    """The canonical id of the fact a derived rule's firing asserts."""
    return f"{rule}(" + ",".join(f"{s}={i}" for s, i in binding) + ")"


# --- outcomes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What matching a case's facts gives: firings and derived facts, ids canonical."""

    firings: Counter[Firing]
    derived: dict[str, Fact]
    """Canonical id → derived fact content (without ``id``)."""
    anomalies: tuple[str, ...] = ()
    """Comparisons between values of different kinds, facts off the vocabulary, or facts
    the engine handed back changed: findings, never expected."""

    def names(self) -> set[str]:
        return {rule for rule, _ in self.firings}


def _check_facts(facts: Sequence[Fact], types: Mapping[str, FactType], state: _State) -> None:
    for fact in facts:
        ftype = types.get(fact["t"])
        if ftype is None:
            state.note(f"fact {fact['id']}: type {fact['t']!r} is not in the vocabulary")
            continue
        for key, value in fact.items():
            if key == "t":
                continue
            spec = ftype.field(key)
            if spec is None:
                state.note(
                    f"fact {fact['id']} ({fact['t']}): field {key!r} is not in the vocabulary"
                )
            elif _kind(value) != spec.kind:
                state.note(f"fact {fact['id']} ({fact['t']}): {key}={value!r} is not {spec.kind}")
            elif spec.choices is not None and value not in spec.choices:
                state.note(
                    f"fact {fact['id']} ({fact['t']}): {key}={value!r} is not one of its choices"
                )


def match(
    plans: Sequence[RulePlan],
    facts: Sequence[Fact],
    *,
    types: Mapping[str, FactType] | None = None,
    budget: int = FIRING_BUDGET,
) -> Outcome:
    """Match facts against rule plans: every firing, every derived fact.

    ``types`` (default: the vocabulary) is used only to report facts whose values do
    not have their declared kind.
    """
    state = _State({}, {})
    for fact in facts:
        if "id" not in fact or "t" not in fact:
            raise OracleError(f"a fact needs `t` and `id`: {fact!r}")
        if fact["id"] in state.facts:
            raise OracleError(f"two facts have the id {fact['id']!r}")
        state.facts[fact["id"]] = fact
        state.by_type.setdefault(fact["t"], []).append(fact["id"])
    _check_facts(facts, types if types is not None else VOCABULARY, state)
    fired: Counter[Firing] = Counter()
    derived: dict[str, Fact] = {}
    for stratum in strata(plans):
        while True:
            new_facts = False
            for plan in stratum:
                for binding in list(_bindings(plan, state)):
                    key = (plan.name, binding)
                    if key in fired:
                        continue
                    fired[key] = 1  # each (rule, binding) fires once
                    if len(fired) > budget:
                        raise OracleError(f"more than {budget} firings: endless derivation")
                    if plan.derive is None:
                        continue
                    bound = {slot: state.facts[fid] for slot, fid in binding}
                    content = _derive(plan.derive, plan, bound)
                    cid = canonical(plan.name, binding)
                    derived[cid] = content
                    state.facts[cid] = {**content, "id": cid}
                    state.by_type.setdefault(content["t"], []).append(cid)
                    new_facts = True
            if not new_facts:
                break
    return Outcome(fired, derived, tuple(state.anomalies))


_plans: dict[int, tuple[RulePack, list[RulePlan]]] = {}


def match_pack(pack: RulePack, facts: Sequence[Fact]) -> Outcome:
    """The oracle's outcome for a loaded pack (its plans are made once per pack)."""
    entry = _plans.get(id(pack))
    if entry is None or entry[0] is not pack:
        entry = _plans[id(pack)] = (pack, plan_pack(pack))
    return match(entry[1], facts, types=pack.fact_types)


def engine_outcome(firings: Sequence[Any], facts: Sequence[Fact]) -> Outcome:
    """The engine adapter's firings (:class:`partnerfit.engine.Firing`), ids canonicalised.

    Also checks that every fact the engine hands back to an action is the fact that was
    asserted (the same fields and values, plus the session id), and records any change
    as an anomaly.
    """
    originals = {f["id"]: f for f in facts}
    canon: dict[str, str] = {}
    asserted: dict[str, Fact] = {}
    fired: Counter[Firing] = Counter()
    derived: dict[str, Fact] = {}
    anomalies: list[str] = []
    for firing in firings:
        binding: list[tuple[str, str]] = []
        for slot, fact in firing.slots:
            fid = fact.get("id")
            cid = canon.get(fid, fid)
            binding.append((slot, cid))
            expected = originals.get(fid) or asserted.get(fid)
            seen = {k: v for k, v in fact.items() if k != "sid"}
            if expected is None:
                anomalies.append(f"{firing.rule}: slot {slot} bound unknown fact {fid!r}")
            elif not _same(seen, expected):
                anomalies.append(
                    f"{firing.rule}: fact {fid} came back as {seen!r}, not {expected!r}"
                )
        key: Firing = (firing.rule, tuple(binding))
        fired[key] += 1
        if firing.derived is not None:
            d = {k: v for k, v in firing.derived.items() if k != "sid"}
            cid = canonical(firing.rule, key[1])
            canon[d["id"]] = cid
            asserted[d["id"]] = d
            derived[cid] = {k: v for k, v in d.items() if k != "id"}
    return Outcome(fired, derived, tuple(anomalies))


def _same(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Same keys, and values equal with the same kind (``1 == True`` does not count)."""
    return a.keys() == b.keys() and all(_kind(a[k]) == _kind(b[k]) and a[k] == b[k] for k in a)


def compare(
    oracle: Outcome, engine: Outcome, *, ignore_derived_fields: frozenset[str] = frozenset()
) -> list[str]:
    """Every difference between two outcomes, in words; ``[]`` when they agree exactly."""
    out: list[str] = []
    for key in sorted(set(oracle.firings) | set(engine.firings)):
        a, b = oracle.firings[key], engine.firings[key]
        if a != b:
            out.append(f"{key[0]} {dict(key[1])}: reference fires {a}×, engine {b}×")
    for cid in sorted(set(oracle.derived) | set(engine.derived)):
        a_fact = {
            k: v for k, v in oracle.derived.get(cid, {}).items() if k not in ignore_derived_fields
        }
        b_fact = {
            k: v for k, v in engine.derived.get(cid, {}).items() if k not in ignore_derived_fields
        }
        if not _same(a_fact, b_fact):
            out.append(f"derived {cid}: reference {a_fact!r}, engine {b_fact!r}")
    out.extend(f"reference anomaly: {a}" for a in oracle.anomalies)
    out.extend(f"engine anomaly: {a}" for a in engine.anomalies)
    return out
