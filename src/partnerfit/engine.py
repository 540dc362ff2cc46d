"""The durable_rules adapter: the only module that imports ``durable``.

durable_rules is a fast Rete engine with sharp edges (see ``shared/durable-rules.md``).
Each is handled here, and each is pinned by a test in ``tests/test_engine_traps.py``:

1. *Crashing joins*: the pack compiler ends every join on an equality
   (:func:`partnerfit.pack._compile_where`); this adapter re-checks it.
2. *Global state and threads*: one private :class:`_Host` per compiled pack and
   process, with the background dispatch threads never started; the ruleset is
   registered once under a process-unique name; evaluations are serialised by a
   lock (re-created in a forked child).
3. *Sessions*: every evaluation runs in its own session, named by a short
   counter, and the session is deleted afterwards, even on error. Deleting a
   session crashes the C core until some action has run in the ruleset, so each
   engine fires an internal rule once when it is built.
4. *Exceptions that are not errors*: a sink rule accepts every fact, so
   ``MessageNotHandledException`` cannot drop a batch's firings; every fact
   carries a unique ``id``, so ``MessageObservedException`` cannot happen.
5. *Swallowed action errors*: the session state's ``exception`` is checked after
   every evaluation and raised as :class:`~partnerfit.errors.EngineError`.
6. *Loose types*: facts are normalised when extracted and pack literals are
   type-checked when loaded; this adapter refuses a fact that is not flat JSON.
7. *Negation does not retract*: facts are asserted stratum by stratum
   (:attr:`partnerfit.pack.Compiled.levels`).
8. *No trace API*: every firing is recorded with the facts it matched.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import durable_rules_engine as _rules_engine
from durable import engine as _durable

from .errors import EngineError
from .facts import Fact
from .limits import MAX_FIRINGS, MAX_NUMBER, NUMBER_DECIMALS
from .pack import ENGINE_ID, SINK, Compiled, DeriveSpec, render

__all__ = ["Engine", "Firing", "engine_for"]


@dataclass(frozen=True)
class Firing:
    """One rule firing: which engine rule, and the facts bound to its slots."""

    rule: str
    """Engine rule name: a rule id, or ``ask$<field>`` for an open-question rule."""
    slots: tuple[tuple[str, Fact], ...]
    """(slot name, matched fact), in the rule's slot order."""
    derived: Fact | None = None
    """The fact this firing derived, for derive rules."""


class _Host(_durable.Host):  # type: ignore[misc]
    """A durable Host whose timer threads are never started and whose actions are ours."""

    def __init__(self, actions: Mapping[str, Callable[[Any], None]]) -> None:
        self._partnerfit_actions = dict(actions)
        super().__init__()

    def _run(self) -> None:
        # The stock Host starts two timer threads per instance that never stop, and its
        # dispatcher steals firings from other threads (error 307). We dispatch nothing
        # in the background: every firing is run synchronously by assert_facts.
        return None

    def get_action(self, action_name: str) -> Callable[[Any], None]:
        return self._partnerfit_actions[action_name]

    def load_ruleset(self, ruleset_name: str) -> Any:
        raise EngineError(f"ruleset {ruleset_name!r} is not registered")


class _Run:
    """What one evaluation collects while its facts are asserted."""

    def __init__(self, sid: str) -> None:
        self.sid = sid
        self.firings: list[Firing] = []
        self.derived = 0
        self.over_budget = False
        """Whether the evaluation was stopped at :data:`MAX_FIRINGS` firings."""
        self.facts: dict[str, Fact] = {}
        """Every fact of the evaluation by id, derived ones included."""


_ruleset_names = itertools.count(1)
_WARM = "partnerfit$warm"


def _ignore(c: Any) -> None:
    return None


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
        self._run: _Run | None = None
        self._sessions = itertools.count(1)
        actions = {name: self._action(name) for name in compiled.ruleset}
        actions[_WARM] = _ignore
        definition = {name: dict(rule) for name, rule in compiled.ruleset.items()}
        definition[_WARM] = {"all": [{"w": {"t": _WARM}}], "run": _WARM}
        self._host = _Host(actions)
        # register_rulesets mutates the definitions it is given (it pops "run").
        try:
            self._host.register_rulesets({self._name: json.loads(json.dumps(definition))})
        except Exception as exc:  # the pack checks should have refused it: a bug
            raise EngineError(f"the rule engine refused the compiled pack: {exc}") from None
        # Deleting a session crashes the C core (segfault) until some action has run in
        # the ruleset: fire one internal rule in a throw-away session first.
        self._host.assert_facts(self._name, [{"t": _WARM, "id": _WARM, "sid": "0"}])
        self._host.delete_state(self._name, "0")

    def _action(self, name: str) -> Callable[[Any], None]:
        slots = self._compiled.slots.get(name, ())
        spec = self._compiled.derive.get(name)
        rule = self._compiled.rule_of.get(name, name)  # a rule's alternatives are the rule

        def action(c: Any) -> None:
            run = self._run
            if run is None or name == SINK:  # pragma: no cover - the sink never completes
                return
            if len(run.firings) >= MAX_FIRINGS:
                # Stop durable's firing loop: it runs the next action only while this one
                # has not been marked completed. The action is abandoned so that the
                # session can be deleted, and the evaluation fails.
                run.over_budget = True
                c._completed = True
                self._stop_action(c)
                return
            # Read matched facts from the message itself (attribute access on the closure
            # would return durable's own members for slots named `s`, `m` or `host`), by
            # id: the evidence is the fact as extracted, not the engine's copy of it.
            facts = run.facts
            bound = tuple((slot, facts[c._m[slot]["id"]]) for slot in slots)
            derived = None
            if spec is not None:
                run.derived += 1
                derived = _derive(spec, bound, run.derived)
                facts[derived["id"]] = derived
            run.firings.append(Firing(rule, bound, derived))
            if derived is not None:
                c.assert_fact(_engine_copy(derived, run.sid))

        return action

    def _stop_action(self, c: Any) -> None:
        ruleset = self._host.get_ruleset(self._name)
        _rules_engine.abandon_action(ruleset._handle, c._handle)

    def evaluate(self, facts: Sequence[Fact]) -> list[Firing]:
        """Assert a case's facts in a fresh session; return every firing, in order."""
        strata: dict[int, list[Fact]] = {}
        for fact in facts:
            _check_fact(fact)
            level = self._compiled.levels.get(fact["t"], 0)
            strata.setdefault(level, []).append(fact)
        with _lock:
            sid = str(next(self._sessions))
            run = _Run(sid)
            run.facts = {fact["id"]: fact for fact in facts}
            self._run = run
            try:
                for level in sorted(strata):
                    batch = [_engine_copy(fact, sid) for fact in strata[level]]
                    self._assert(batch)
                    if run.over_budget:
                        raise _over_budget(run)
                state = self._host.get_state(self._name, sid)
                if state.get("exception"):
                    raise EngineError(f"a rule action failed: {state['exception']}")
                return run.firings
            finally:
                self._run = None
                # Deleting a session with pending firings crashes; none are left here,
                # because every firing ran synchronously inside assert_facts.
                with contextlib.suppress(Exception):
                    self._host.delete_state(self._name, sid)

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
        handle = self._handle()
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

    def _handle(self) -> int:
        handle: int = self._host.get_ruleset(self._name)._handle
        return handle

    def _assert(self, batch: list[Fact]) -> None:
        try:
            self._host.assert_facts(self._name, batch)
        except _durable.MessageNotHandledException as exc:  # pragma: no cover - sink rule
            raise EngineError(f"facts were not handled: {exc.message}") from None
        except _durable.MessageObservedException as exc:
            raise EngineError(f"a fact was asserted twice: {exc.message}") from None
        except Exception as exc:  # durable's own errors: a gap the pack compiler missed
            raise EngineError(f"the rule engine failed: {type(exc).__name__}: {exc}") from None


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
    joins can use (durable treats `id` as the fact's identity; see pack.ENGINE_ID)."""
    return {**fact, ENGINE_ID: fact["id"], "sid": sid}


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
    if "id" not in fact or "t" not in fact:
        raise EngineError(f"a fact needs `t` and `id`: {fact!r}")
    for key, value in fact.items():
        kind = type(value)
        if kind not in _SCALARS or "." in key:
            raise EngineError(f"fact {fact['id']} field {key!r} is not a flat scalar: {value!r}")
        # The engine's JSON parser reads a float written in exponent form (1e-05, 1e+16),
        # NaN or Infinity wrongly and can crash the process; an int beyond 64 bits too.
        if kind is float and not (value == 0 or _FLOAT_MIN <= abs(value) <= MAX_NUMBER):
            raise EngineError(f"fact {fact['id']} field {key!r}: {value!r} cannot reach the engine")
        if kind is int and not -_INT64 <= value <= _INT64:
            raise EngineError(f"fact {fact['id']} field {key!r}: {value!r} cannot reach the engine")


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
