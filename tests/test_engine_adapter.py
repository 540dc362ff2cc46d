"""The adapter drives durable's C core itself: what that must keep exactly as it was.

``partnerfit.engine`` asserts facts, takes each result, runs its action and completes it
with the calls of ``durable_rules_engine`` that durable's Python host makes, without the
host's closure, promise and per-firing state update. These tests pin that the firings
are those durable's own host gives, in the same order, and the guards of the message
reading that replaced the host's JSON parsing. (The engine traps themselves are pinned in
tests/test_engine_traps.py.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from partnerfit.engine import Engine
from partnerfit.errors import EngineError
from partnerfit.pack import SINK, Compiled

ROOT = Path(__file__).resolve().parents[1]

_SINK_RULE = {"all": [{"m": {"$ex": {"t": 1}}}, {"n": {"t": "partnerfit$never"}}], "run": SINK}


def _engine() -> Engine:
    """One rule on `x` facts, and one joining a `y` fact to the `x` fact it names."""
    join = {"$and": [{"t": "y"}, {"of": {"a": "pf_id"}}]}
    ruleset = {
        "one": {"all": [{"a": {"t": "x"}}], "run": "one"},
        "two": {"all": [{"a": {"t": "x"}}, {"b": join}], "run": "two"},
        SINK: _SINK_RULE,
    }
    return Engine(
        Compiled(ruleset, {"x": 0, "y": 0}, {"one": ("a",), "two": ("a", "b")}, {}, {}, {})
    )


def test_ids_that_json_escapes_are_bound_to_their_own_facts() -> None:
    # The adapter reads a matched fact's id from the result message up to the next quote.
    # An id with a quote is written `q\"1` there; read naively it is `q\`, which is the id
    # of another fact here: the message must be parsed instead.
    facts = [
        {"t": "x", "id": 'q"1', "one": 1.0, "v": 'says "hi" \\ {"pf_id": "y2"}'},
        {"t": "y", "id": "q\\", "one": 1.0, "of": 'q"1'},
        {"t": "x", "id": "fé", "one": 1.0, "v": "ünïcode ×"},
        {"t": "x", "id": "line\n", "one": 1.0},
        {"t": "y", "id": "y2", "one": 1.0, "of": "fé"},
    ]
    firings = _engine().evaluate(facts)
    got = sorted((f.rule, tuple((slot, fact["id"]) for slot, fact in f.slots)) for f in firings)
    assert got == [
        ("one", (("a", "fé"),)),
        ("one", (("a", "line\n"),)),
        ("one", (("a", 'q"1'),)),
        ("two", (("a", "fé"), ("b", "y2"))),
        ("two", (("a", 'q"1'), ("b", "q\\"))),
    ]
    # the evidence is the fact as given, not the engine's copy of it
    by_id = {fact["id"]: fact for fact in facts}
    assert all(fact is by_id[fact["id"]] for f in firings for _, fact in f.slots)


def test_a_fact_carrying_the_engine_fields_is_matched_by_its_own_id() -> None:
    # `pf_id` (what joins compare) and `sid` (the session) are the adapter's: a fact's own
    # values for them are overwritten in the engine's copy, as before.
    facts = [
        {"t": "x", "id": "f1", "one": 1.0, "pf_id": "f9", "sid": "999"},
        {"t": "y", "id": "f2", "one": 1.0, "of": "f1"},
    ]
    firings = _engine().evaluate(facts)
    got = sorted((f.rule, tuple(fact["id"] for _, fact in f.slots)) for f in firings)
    assert got == [("one", ("f1",)), ("two", ("f1", "f2"))]


def test_a_fact_key_that_is_not_a_string_is_an_engine_error() -> None:
    with pytest.raises(EngineError, match="field 7 is not a flat scalar"):
        _engine().evaluate([{"t": "x", "id": "f1", "one": 1.0, 7: "seven"}])  # type: ignore[dict-item]


ORACLE = r"""
import json, sys
from pathlib import Path

sys.path.insert(0, sys.argv[1])
from casegen import make_case
import random

from durable import engine as durable_host
from partnerfit.engine import Engine, _check_joins, _derive, _engine_copy
from partnerfit.errors import PartnerfitError
from partnerfit.facts import extract
from partnerfit.loading import load_case
from partnerfit.pack import SINK, load_pack

pack = load_pack(*sys.argv[2:])
compiled = pack.compiled


class Host(durable_host.Host):
    # durable's own Python host, its timer threads not started
    def __init__(self, actions):
        self.actions = actions
        super().__init__()

    def _run(self):
        pass

    def get_action(self, name):
        return self.actions[name]


class Oracle:
    # the firings as durable's Python host runs them: one closure per firing
    def __init__(self):
        self.run = None
        actions = {name: self.action(name) for name in compiled.ruleset}
        actions["warm"] = lambda c: None
        definition = json.loads(json.dumps(compiled.ruleset))
        definition["warm"] = {"all": [{"w": {"t": "warm"}}], "run": "warm"}
        self.host = Host(actions)
        self.host.register_rulesets({"oracle": definition})
        self.host.assert_facts("oracle", [{"t": "warm", "id": "warm", "sid": "0"}])
        self.host.delete_state("oracle", "0")
        self.sessions = 0

    def action(self, name):
        slots = compiled.slots.get(name, ())
        spec = compiled.derive.get(name)

        def run(c):
            if name == SINK:
                return
            facts, fired, sid, derived_count = self.run
            bound = tuple((slot, facts[c._m[slot]["id"]]) for slot in slots)
            derived = None
            if spec is not None:
                derived_count[0] += 1
                derived = _derive(spec, bound, derived_count[0])
                facts[derived["id"]] = derived
            fired.append((compiled.rule_of.get(name, name), [(s, f["id"]) for s, f in bound], derived))
            if derived is not None:
                c.assert_fact(_engine_copy(derived, sid))

        return run

    def evaluate(self, facts):
        self.sessions += 1
        sid = str(self.sessions)
        self.run = ({f["id"]: f for f in facts}, [], sid, [0])
        strata = {}
        for f in facts:
            strata.setdefault(compiled.levels.get(f["t"], 0), []).append(f)
        for level in sorted(strata):
            self.host.assert_facts("oracle", [_engine_copy(f, sid) for f in strata[level]])
        state = self.host.get_state("oracle", sid)
        assert not state.get("exception"), state["exception"]
        self.host.delete_state("oracle", sid)
        return self.run[1]


oracle = Oracle()
engine = Engine(compiled)
cases = [load_case(p) for p in sorted(Path("cases").glob("*.yaml"))]
rng = random.Random(20260512)
for n in range(150):
    try:
        cases.append(load_case(make_case(rng, n)))
    except PartnerfitError:
        pass
compared = firings = 0
for case in cases:
    facts = extract(case)
    mine = [
        (f.rule, [(s, fact["id"]) for s, fact in f.slots], f.derived) for f in engine.evaluate(facts)
    ]
    theirs = oracle.evaluate(facts)
    if mine != theirs:
        print(json.dumps({"case": case.id, "adapter": mine[:5], "durable host": theirs[:5]}))
        sys.exit(1)
    compared += 1
    firings += len(mine)
print(json.dumps({"cases": compared, "firings": firings}))
"""


@pytest.mark.parametrize(
    "packs", [["rules"], ["tests/packs/core"], ["tests/data/differential/kitchen"]]
)
def test_firings_are_those_of_durables_own_host_in_the_same_order(packs: list[str]) -> None:
    # In a child process: durable's Python host starts threads, and an engine crash must
    # fail the test, not pytest.
    done = subprocess.run(
        [sys.executable, "-c", ORACLE, str(ROOT / "benchmarks"), *(str(ROOT / p) for p in packs)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["cases"] > 150
    assert result["firings"] > 0


def test_importing_the_adapter_leaves_durables_python_host_out() -> None:
    # The host's module starts nothing by itself, but it costs ~20 ms of imports on every
    # command; the adapter needs only the C core.
    script = (
        "import sys, partnerfit.engine; print(sorted(m for m in sys.modules if 'durable' in m))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "['durable_rules_engine']"
