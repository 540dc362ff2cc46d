"""The durable_rules adapter: the only module that imports ``durable``.

durable_rules is a fast Rete engine with sharp edges (see ``shared/durable-rules.md``).
Each is handled here, and each is pinned by a test in ``tests/test_engine_traps.py``.

The adapter drives durable's C core (``durable_rules_engine``) directly: it asserts a
stratum's facts, then takes each pending result, runs its action in Python and completes
it, until none is left. durable's Python host (``durable.engine.Host``) does the same with
a closure, a promise, a JSON dump of the session state and an ``update_state`` call for
every firing; none of that is needed here, because our actions never touch the session
state, and its global dispatch threads are never started. The C calls and their order are
those the host makes.

1. *Crashing joins*: the pack compiler ends every join on an equality
   (:func:`partnerfit.pack._compile_where`); this adapter re-checks it.
2. *Global state and threads*: one private C ruleset per compiled pack and process,
   registered once under a process-unique name and never with durable's Python host
   (whose timer threads never stop and whose dispatcher steals firings); evaluations
   are serialised by a lock (re-created in a forked child).
3. *Sessions*: every evaluation runs in its own session, named by a short
   counter, and the session is deleted afterwards, even on error. Deleting a
   session crashes the C core until some action has run in the ruleset, so each
   engine fires an internal rule once when it is built.
4. *Exceptions that are not errors*: a sink rule accepts every fact, so a fact no
   rule matches cannot drop a batch's firings; every fact carries a unique ``id``, so
   an identical fact is never "already observed". Either result code is an
   :class:`~partnerfit.errors.EngineError`, never silently ignored.
5. *Swallowed action errors*: durable's host would store an action's exception in the
   session state; here an action runs in the adapter's own loop, and its error stops
   the evaluation as an :class:`~partnerfit.errors.EngineError`.
6. *Loose types*: facts are normalised when extracted and pack literals are
   type-checked when loaded; this adapter refuses a fact that is not flat JSON.
7. *Negation does not retract*: facts are asserted stratum by stratum
   (:attr:`partnerfit.pack.Compiled.levels`).
8. *No trace API*: every firing is recorded with the facts it matched.
9. *Runaway rules*: an evaluation stops at :data:`~partnerfit.limits.MAX_FIRINGS`
   firings; the pending result is abandoned so that the session can be deleted.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import durable_rules_engine as _rules_engine

from .errors import EngineError
from .facts import Fact
from .limits import MAX_FIRINGS, MAX_NUMBER, NUMBER_DECIMALS
from .pack import ENGINE_ID, SINK, Compiled, DeriveSpec, render

__all__ = ["Engine", "Firing", "engine_for"]


@dataclass(frozen=True, slots=True)
class Firing:
    """One rule firing: which engine rule, and the facts bound to its slots."""

    rule: str
    """Engine rule name: a rule id, or ``ask$<field>`` for an open-question rule."""
    slots: tuple[tuple[str, Fact], ...]
    """(slot name, matched fact), in the rule's slot order."""
    derived: Fact | None = None
    """The fact this firing derived, for derive rules."""


@dataclass(frozen=True)
class _Action:
    """What the adapter does when an engine rule fires."""

    rule: str
    """The rule id the firing is reported under (a rule's alternatives are the rule)."""
    slots: tuple[str, ...]
    derive: DeriveSpec | None
    marks: tuple[tuple[str, str, int], ...]
    """(slot, the text that opens the slot's fact in a result message, its length): see
    :func:`_read`."""


def _action(rule: str, slots: tuple[str, ...], derive: DeriveSpec | None) -> _Action:
    marks = [f'{json.dumps(slot, ensure_ascii=False)}:{{"{ENGINE_ID}": "' for slot in slots]
    return _Action(rule, slots, derive, tuple(zip(slots, marks, map(len, marks), strict=True)))


class _Run:
    """What one evaluation collects while its facts are asserted."""

    def __init__(self, sid: str, facts: dict[str, Fact]) -> None:
        self.sid = sid
        self.firings: list[Firing] = []
        self.derived = 0
        self.facts = facts
        """Every fact of the evaluation by id, derived ones included."""


_ruleset_names = itertools.count(1)
_WARM = "partnerfit$warm"
# durable_rules_engine result codes (src/rules/rules.h)
_OK, _NOT_HANDLED, _OBSERVED = 0, 1, 2

_lock = threading.RLock()


def _reset_lock_in_child() -> None:
    # A fork taken while another thread held the lock would leave the child deadlocked.
    global _lock
    _lock = threading.RLock()


os.register_at_fork(after_in_child=_reset_lock_in_child)


class Engine:
    """A pack compiled into a durable_rules ruleset, ready to evaluate fact lists."""

    def __init__(self, compiled: Compiled) -> None:
        _check_joins(compiled.ruleset)
        self._compiled = compiled
        self._name = f"pf{os.getpid()}x{next(_ruleset_names)}"
        self._sessions = itertools.count(1)
        self._actions = {
            name: _action(
                compiled.rule_of.get(name, name),
                compiled.slots.get(name, ()),
                compiled.derive.get(name),
            )
            for name in compiled.ruleset
            if name != SINK  # the sink never completes: it waits for a fact never asserted
        }
        # The C core takes the rules without their Python action names.
        definition = {
            name: {key: value for key, value in rule.items() if key != "run"}
            for name, rule in compiled.ruleset.items()
        }
        definition[_WARM] = {"all": [{"w": {"t": _WARM}}]}
        text = json.dumps(definition, ensure_ascii=False)
        # The C core's table of rulesets is global and unguarded: build under the lock.
        with _lock:
            try:
                self._handle: int = _rules_engine.create_ruleset(self._name, text)
            except Exception as exc:  # the pack checks should have refused it: a bug
                raise EngineError(f"the rule engine refused the compiled pack: {exc}") from None
            # Deleting a session crashes the C core (segfault) until some action has run
            # in the ruleset: fire one internal rule in a throw-away session first.
            warm = json.dumps([{"t": _WARM, "id": _WARM, "sid": "0"}])
            _, state = _rules_engine.assert_facts(self._handle, warm)
            if _rules_engine.start_action_for_state(self._handle, state) is None:
                raise EngineError("the rule engine did not fire its warm-up rule")  # a bug
            while _rules_engine.complete_and_start_action(self._handle, state) is not None:
                pass  # pragma: no cover - the warm-up fact matches one rule once
            _rules_engine.delete_state(self._handle, "0")

    def evaluate(self, facts: Sequence[Fact]) -> list[Firing]:
        """Assert a case's facts in a fresh session; return every firing, in order."""
        levels = self._compiled.levels
        strata: dict[int, list[Fact]] = {}
        by_id: dict[str, Fact] = {}
        sid = str(next(self._sessions))  # a short counter: session ids are 32-bit hashes
        for fact in facts:
            _check_fact(fact)
            by_id[fact["id"]] = fact
            copy = _engine_copy(fact, sid)
            level = levels.get(fact["t"], 0)
            stratum = strata.get(level)
            if stratum is None:
                strata[level] = [copy]
            else:
                stratum.append(copy)
        with _lock:
            run = _Run(sid, by_id)
            try:
                for level in sorted(strata):
                    self._assert_and_fire(run, strata[level])
                return run.firings
            finally:
                # Every result was taken, or the pending one abandoned: deleting is safe.
                with contextlib.suppress(Exception):
                    _rules_engine.delete_state(self._handle, sid)

    def _assert_and_fire(self, run: _Run, batch: list[Fact]) -> None:
        """Assert one stratum's facts, then run every firing they cause, in the engine's
        order, until no result is pending (facts derived on the way included)."""
        handle = self._handle
        actions = self._actions
        facts = run.facts
        firings = run.firings
        try:
            code, state = _rules_engine.assert_facts(handle, json.dumps(batch, ensure_ascii=False))
            _check_code(code, batch)
            result = _rules_engine.start_action_for_state(handle, state)
            message = None if result is None else result[1]
            while message is not None:
                try:
                    if len(firings) >= MAX_FIRINGS:
                        raise _over_budget(run)
                    # The result message, ``{"rule name":{"slot":{fact},...}}``: matched
                    # facts are read by id (the evidence is the fact as extracted, not the
                    # engine's copy of it).
                    action = actions.get(message[2 : message.find('"', 2)])
                    bound = None if action is None else _read(message, action.marks, facts)
                    if action is None or bound is None or action.derive is not None:
                        self._fire(run, message, action, bound)
                    else:
                        firings.append(Firing(action.rule, bound))
                except BaseException:
                    # The result stays pending; abandoning it unlocks the session so that
                    # it can be deleted.
                    _rules_engine.abandon_action(handle, state)
                    raise
                message = _rules_engine.complete_and_start_action(handle, state)
        except EngineError:
            raise
        except Exception as exc:  # durable's own errors: a gap the pack compiler missed
            raise EngineError(f"the rule engine failed: {type(exc).__name__}: {exc}") from None

    def _fire(
        self,
        run: _Run,
        message: str,
        action: _Action | None,
        bound: tuple[tuple[str, Fact], ...] | None,
    ) -> None:
        """The action of a firing that derives a fact, or whose message :func:`_read`
        could not read (then it is parsed)."""
        facts = run.facts
        try:
            if action is None or bound is None:
                ((name, matched),) = json.loads(message).items()
                action = self._actions.get(name)
                if action is None:  # the warm-up rule: its fact is never asserted in a case
                    return
                bound = tuple((slot, facts[matched[slot]["id"]]) for slot in action.slots)
            derived = None
            spec = action.derive
            if spec is not None:
                run.derived += 1
                derived = _derive(spec, bound, run.derived)
                facts[derived["id"]] = derived
        except Exception as exc:
            raise EngineError(f"a rule action failed: {type(exc).__name__}: {exc}") from None
        run.firings.append(Firing(action.rule, bound, derived))
        if derived is not None:
            copy = _engine_copy(derived, run.sid)
            code, _ = _rules_engine.assert_fact(self._handle, json.dumps(copy, ensure_ascii=False))
            _check_code(code, copy)

    def floor(self, strata: Sequence[Sequence[Fact]]) -> tuple[int, float]:
        """Benchmark hook: durable's own floor for facts this engine has evaluated.

        Each batch of ``strata`` (the facts of one assertion stratum, derived facts
        included, as :meth:`evaluate` met them) is written as JSON and asserted in a
        fresh session of this engine's ruleset with one ``assert_facts`` call of the C
        core; every pending result is then taken and completed inside the C core, without
        any Python action, message parsing or check, and the session is deleted. Returns
        the number of results taken (it equals the number of firings of
        :meth:`evaluate`) and the seconds spent in encoding and ``assert_facts``.
        """
        handle = self._handle
        taken = 0
        asserted = 0.0
        with _lock:
            sid = str(next(self._sessions))
            try:
                for batch in strata:
                    start = time.perf_counter()
                    text = json.dumps([_engine_copy(f, sid) for f in batch], ensure_ascii=False)
                    _, state = _rules_engine.assert_facts(handle, text)
                    asserted += time.perf_counter() - start
                    if _rules_engine.start_action_for_state(handle, state) is not None:
                        taken += 1
                        while _rules_engine.complete_and_start_action(handle, state) is not None:
                            taken += 1
            finally:
                _rules_engine.delete_state(handle, sid)
        return taken, asserted


def _check_code(code: int, facts: object) -> None:
    if code == _OK:
        return
    text = json.dumps(facts, ensure_ascii=False)
    if code == _NOT_HANDLED:  # pragma: no cover - the sink rule handles every fact
        raise EngineError(f"facts were not handled: {text}")
    if code == _OBSERVED:
        raise EngineError(f"a fact was asserted twice: {text}")
    raise EngineError(f"the rule engine failed: result code {code}")  # pragma: no cover


def _over_budget(run: _Run) -> EngineError:
    counts = Counter(f.rule for f in run.firings)
    top = ", ".join(f"{rule} {n:,} times" for rule, n in counts.most_common(3))
    return EngineError(
        f"evaluation stopped: the rules fired {MAX_FIRINGS:,} times for one case ({top}); "
        "a rule matches every combination of the facts it joins: either the case repeats "
        "the same items many times, or a rule's patterns need a join (`ref:`) that pairs "
        "them"
    )


def _engine_copy(fact: Fact, sid: str) -> Fact:
    """A fact as the engine gets it: in its session, with its id copied to a field that
    joins can use (durable treats `id` as the fact's identity; see pack.ENGINE_ID).

    The copy opens with that field, so that in a result message, which holds each matched
    fact as the JSON text it was asserted as, the fact of a slot opens with the slot's
    mark (:func:`_read`)."""
    copy = {ENGINE_ID: fact["id"], **fact, "sid": sid}
    if ENGINE_ID in fact:
        copy[ENGINE_ID] = fact["id"]
    return copy


def _read(
    message: str, marks: tuple[tuple[str, str, int], ...], facts: Mapping[str, Fact]
) -> tuple[tuple[str, Fact], ...] | None:
    """The facts bound to each slot, read from a result message without parsing it, or
    None when they cannot be read so (then the message is parsed).

    A fact is asserted as JSON text opening with ``{"pf_id": "<id>"`` and the C core hands
    that text back verbatim, so the slot ``s`` holds the fact whose JSON text follows
    ``"s":{"pf_id": "``. That sequence cannot occur anywhere else in a message: inside a
    JSON string every quote is escaped, so ``{"`` is always the start of an object, and
    the only objects are the message, the rule's slots and the (flat) facts. An id is
    read up to the next quote; one that JSON escapes (a quote, a backslash, a control
    character) shows a backslash there, and is left to the parser.
    """
    bound = []
    for slot, mark, length in marks:
        start = message.find(mark)
        if start < 0:
            return None
        start += length
        text = message[start : message.find('"', start)]
        fact = facts.get(text)
        if fact is None or "\\" in text:
            return None
        bound.append((slot, fact))
    return tuple(bound)


def _derive(spec: DeriveSpec, bound: tuple[tuple[str, Fact], ...], n: int) -> Fact:
    slots = dict(bound)
    first = bound[0][1]
    fact: Fact = {"t": spec.fact, "id": f"d{n}", "path": first.get("path", ""), "one": 1.0}
    for common in ("party", "party_name"):
        if common in first:
            fact[common] = first[common]
    for fname, slot, source in spec.fields:
        value = source if slot is None else slots[slot].get(source)
        if value is not None:
            fact[fname] = value
    fact["value"] = render(spec.value, slots) if spec.value else first.get("value", "")
    return fact


_SCALARS = frozenset({str, int, float, bool})
_INT64 = 2**63 - 1


def _check_fact(fact: Fact) -> None:
    """Refuse a fact the engine cannot take as it is (see :func:`_refuse`); a quick pass
    for the facts that pass, the field-by-field one to say what is wrong."""
    if "id" not in fact or "t" not in fact:
        raise EngineError(f"a fact needs `t` and `id`: {fact!r}")
    try:
        dotted = "." in "".join(fact)
    except TypeError:  # a key that is not a string
        dotted = True
    if not dotted:
        for value in fact.values():
            kind = type(value)
            if kind is str or kind is bool:
                continue
            if kind is float:
                if value == 0 or _FLOAT_MIN <= abs(value) <= MAX_NUMBER:
                    continue
            elif kind is int and -_INT64 <= value <= _INT64:
                continue
            break
        else:
            return
    _refuse(fact)


def _refuse(fact: Fact) -> None:
    """Raise an :class:`EngineError` naming the first field of ``fact`` the engine cannot
    take: a key that is not a plain string, a value that is not a flat scalar, or a
    number its JSON parser would misread."""
    for key, value in fact.items():
        kind = type(value)
        if kind not in _SCALARS or not isinstance(key, str) or "." in key:
            raise EngineError(f"fact {fact['id']} field {key!r} is not a flat scalar: {value!r}")
        # The engine's JSON parser reads a float written in exponent form (1e-05, 1e+16),
        # NaN or Infinity wrongly and can crash the process; an int beyond 64 bits too.
        if kind is float and not (value == 0 or _FLOAT_MIN <= abs(value) <= MAX_NUMBER):
            raise EngineError(f"fact {fact['id']} field {key!r}: {value!r} cannot reach the engine")
        if kind is int and not -_INT64 <= value <= _INT64:
            raise EngineError(f"fact {fact['id']} field {key!r}: {value!r} cannot reach the engine")
    raise AssertionError(f"fact {fact['id']} was refused for no reason")  # pragma: no cover


_FLOAT_MIN = 10.0**-NUMBER_DECIMALS


def _check_joins(ruleset: Mapping[str, Any]) -> None:
    """Refuse a ruleset whose join ends on a non-equality (it can crash the C core)."""
    for name, rule in ruleset.items():
        for slot in rule.get("all", []):
            ((_, pattern),) = slot.items()
            tests = pattern.get("$and", [pattern])
            cross = [t for t in tests if _is_cross(t)]
            if cross and next(iter(cross[-1])).startswith("$"):
                raise EngineError(f"rule {name}: a join must end on an equality test")


def _is_cross(test: Mapping[str, Any]) -> bool:
    ((key, value),) = test.items()
    if key.startswith("$"):
        return isinstance(value, dict) and any(isinstance(v, dict) for v in value.values())
    return isinstance(value, dict)


_engines: dict[int, tuple[Compiled, Engine]] = {}


def engine_for(compiled: Compiled) -> Engine:
    """The engine for a compiled pack, built once per process and reused."""
    with _lock:
        entry = _engines.get(id(compiled))
        if entry is None or entry[0] is not compiled:
            entry = (compiled, Engine(compiled))
            _engines[id(compiled)] = entry
        return entry[1]
