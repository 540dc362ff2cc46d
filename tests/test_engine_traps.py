"""Each durable_rules trap from shared/durable-rules.md, pinned by a test.

These tests use the small, stable pack in tests/packs/core so that they do not
move when the default pack grows.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import tomllib
from pathlib import Path
from typing import Any

import pytest

from partnerfit.engine import Engine, Firing, _check_joins, engine_for
from partnerfit.errors import EngineError, PackError
from partnerfit.evaluation import evaluate_case
from partnerfit.facts import extract
from partnerfit.loading import load_case
from partnerfit.pack import SINK, Compiled, DeriveSpec, RulePack, load_pack

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "tests" / "packs" / "core"


@pytest.fixture(scope="module")
def core() -> RulePack:
    return load_pack(CORE)


def _case(**overrides: Any) -> dict[str, Any]:
    case: dict[str, Any] = {
        "id": "trap",
        "alliance": {"term_years": 12},
        "parties": [
            {
                "id": "a",
                "name": "Alpha Inc",
                "competitors": ["Beta Ltd", "Gamma"],
                "offerings": [{"category": "services", "segments": ["clinics"]}],
            },
            {
                "id": "b",
                "name": "Beta",
                "competitors": ["Gamma"],
                "offerings": [{"category": "services", "segments": ["Clinics"]}],
            },
        ],
    }
    case.update(overrides)
    return case


def _keys(firings: list[Firing]) -> list[tuple[str, tuple[str, ...]]]:
    return sorted((f.rule, tuple(sorted(fact["path"] for _, fact in f.slots))) for f in firings)


# 1. Crashing joins -----------------------------------------------------------------------


def test_every_compiled_join_ends_on_an_equality(core: RulePack) -> None:
    rule = core.compiled.ruleset["PF-TST-001"]
    tests = rule["all"][1]["b"]["$and"]
    # constant tests first (the join's field must exist: durable raises error 311 on a
    # missing one), then the non-equality join, then equalities last
    assert tests[:2] == [{"t": "offering"}, {"$ex": {"party": 1}}]
    assert tests[2] == {"$gt": {"party": {"a": "party"}}}
    assert tests[-1] == {"segment": {"a": "segment"}}
    _check_joins(core.compiled.ruleset)  # does not raise


def test_a_join_with_only_a_non_equality_gets_a_trivially_true_equality(core: RulePack) -> None:
    rule = core.compiled.ruleset["PF-TST-002"]
    tests = rule["all"][1]["al"]["$and"]
    assert tests[-1] == {"key": {"c": "key"}}
    assert {"$neq": {"party": {"c": "party"}}} in tests


def test_the_adapter_refuses_a_join_ending_on_a_non_equality() -> None:
    ruleset = {
        "r": {
            "all": [
                {"a": {"t": "x"}},
                {"b": {"$and": [{"t": "x"}, {"$neq": {"party": {"a": "party"}}}]}},
            ]
        }
    }
    with pytest.raises(EngineError, match="must end on an equality"):
        _check_joins(ruleset)


CRASH_PROBE = """
import sys
from partnerfit.pack import load_pack
from partnerfit.loading import load_case
from partnerfit.evaluation import evaluate_case
pack = load_pack(sys.argv[1])
# Party ids chosen so the `gt` join is false for one ordering and true for the other;
# repeated, because the upstream crash is intermittent.
case = load_case({"id": "c", "parties": [
    {"id": "zed", "name": "Zed", "offerings": [{"category": "services", "segments": ["s"]}]},
    {"id": "amy", "name": "Amy", "offerings": [{"category": "services", "segments": ["s"]}]},
    {"id": "kim", "name": "Kim", "offerings": [{"category": "data", "segments": ["s"]}]},
]})
for _ in range(300):
    report = evaluate_case(case, pack)
print(len([f for f in report.findings if f.rule_id == "PF-TST-001"]))
"""


def _probe(script: str) -> str:
    """Run ``script`` in a child process with the core pack: a segfault there fails the
    test instead of killing pytest. Returns what the child printed."""
    done = subprocess.run(
        [sys.executable, "-c", script, str(CORE)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_false_non_equality_joins_do_not_crash_the_process() -> None:
    assert _probe(CRASH_PROBE) == "1"


# 2. Global state and threads ------------------------------------------------------------


def test_engines_start_no_threads_and_are_built_once_per_pack(core: RulePack) -> None:
    before = threading.active_count()
    engine = engine_for(core.compiled)
    assert engine_for(core.compiled) is engine
    for _ in range(20):
        evaluate_case(load_case(_case()), core)
    fresh = Engine(core.compiled)  # a second host for the same rules: a new ruleset name
    fresh.evaluate(extract(load_case(_case())))
    assert threading.active_count() == before


def test_two_packs_live_side_by_side_in_one_process(core: RulePack) -> None:
    overlay = load_pack(CORE, ROOT / "tests" / "packs" / "overlay")
    case = load_case(_case())
    a = evaluate_case(case, core)
    b = evaluate_case(case, overlay)
    assert "PF-TST-005" in {f.rule_id for f in a.findings}
    assert "PF-TST-005" not in {f.rule_id for f in b.findings}
    severities = {f.rule_id: f.severity.value for f in b.findings}
    assert severities["PF-TST-001"] == "medium"


# 3. Sessions ----------------------------------------------------------------------------


def test_sessions_are_deleted_so_thousands_of_cases_fit(core: RulePack) -> None:
    # Without deletion, the 1,025th live session raises MemoryError.
    engine = Engine(core.compiled)
    facts = extract(load_case(_case()))
    first = _keys(engine.evaluate(facts))
    for _ in range(1_100):
        last = _keys(engine.evaluate(facts))
    assert last == first
    # session ids are short counters, not case names (ids are compared by a 32-bit hash)
    assert next(engine._sessions) == 1_102


FRESH_PROBE = """
import sys
from partnerfit.pack import load_pack
from partnerfit.loading import load_case
from partnerfit.evaluation import evaluate_case
pack = load_pack(sys.argv[1])
case = load_case({"id": "q", "parties": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}]})
print(len([f for f in evaluate_case(case, pack).findings if f.kind == "red_flag"]))
"""


def test_a_fresh_engine_survives_a_first_case_that_fires_nothing() -> None:
    # durable_rules' delete_state segfaults until an action has run in the ruleset.
    assert _probe(FRESH_PROBE) == "0"


# 4. Exceptions that are not errors ------------------------------------------------------


def test_facts_that_no_rule_matches_do_not_drop_other_firings(core: RulePack) -> None:
    # `disagreement`, `evidence` and `metric` facts match no rule of the core pack: without
    # the sink rule, durable_rules raises MessageNotHandledException and drops the batch.
    case = load_case(
        _case(
            history={"disagreements": [{"topic": "pricing", "resolved": False}]},
        )
    )
    facts = extract(case)
    assert "disagreement" in {f["t"] for f in facts}
    assert SINK in core.compiled.ruleset
    report = evaluate_case(case, core)
    assert "PF-TST-001" in {f.rule_id for f in report.findings}


def test_identical_content_is_two_facts_not_a_duplicate(core: RulePack) -> None:
    case = load_case(
        _case(
            parties=[
                {"id": "a", "name": "Alpha", "competitors": ["Gamma", "Gamma"]},
                {"id": "b", "name": "Beta", "competitors": ["Gamma"]},
            ]
        )
    )
    report = evaluate_case(case, core)
    assert report.case_id == "trap"


# 5. Errors inside actions are swallowed by durable: we surface them ---------------------


def test_an_error_inside_an_action_is_raised_not_swallowed() -> None:
    ruleset = {
        "boom": {"all": [{"x": {"t": "thing"}}], "run": "boom"},
        SINK: {"all": [{"m": {"$ex": {"t": 1}}}, {"n": {"t": "never"}}], "run": SINK},
    }
    # The derive spec names a slot the rule does not have: the action raises KeyError.
    compiled = Compiled(
        ruleset=ruleset,
        levels={"thing": 0},
        slots={"boom": ("x",)},
        derive={"boom": DeriveSpec("other", (("f", "missing", "value"),), None)},
        asks={},
        cited={},
    )
    engine = Engine(compiled)
    fact = {"t": "thing", "id": "f1", "path": "p", "value": "v", "one": 1}
    with pytest.raises(EngineError, match="a rule action failed"):
        engine.evaluate([fact])
    # the engine is still usable afterwards: the failed session was deleted
    with pytest.raises(EngineError):
        engine.evaluate([fact])


# 6. Loose types ---------------------------------------------------------------------------


def test_fact_values_are_normalised_to_well_defined_types() -> None:
    facts = extract(load_case(_case()))
    alliance = next(f for f in facts if f["t"] == "alliance")
    assert alliance["term_years"] == 12.0
    assert isinstance(alliance["term_years"], float)
    for fact in facts:
        for value in fact.values():
            assert isinstance(value, str | float | bool) or value == 1


def test_the_adapter_refuses_nested_values(core: RulePack) -> None:
    engine = engine_for(core.compiled)
    with pytest.raises(EngineError, match="not a flat scalar"):
        engine.evaluate([{"t": "alliance", "id": "f1", "path": "x", "nested": {"a": 1}}])


def test_pack_literals_are_type_checked(tmp_path: Path) -> None:
    _write_pack(
        tmp_path,
        """
        when:
          - fact: alliance
            where: {term_years: {gte: "10"}}
        """,
    )
    with pytest.raises(PackError, match="expected a number, got '10'"):
        load_pack(tmp_path)


# 7. Negation does not retract: facts are asserted in strata ----------------------------


def test_negated_facts_are_asserted_before_their_positives(core: RulePack) -> None:
    levels = core.compiled.levels
    # PF-TST-004 negates `rival`, derived from competitor and alias facts
    assert levels["pair"] > levels["competitor"]
    assert levels["profile"] > levels["alias"]


@pytest.mark.parametrize("order", ["as-extracted", "reversed"])
def test_negation_over_derived_facts_is_right_in_any_fact_order(core: RulePack, order: str) -> None:
    engine = engine_for(core.compiled)
    facts = extract(load_case(_case()))
    if order == "reversed":
        facts = list(reversed(facts))
    rules = {f.rule for f in engine.evaluate(facts)}
    assert "PF-TST-003" in rules  # Alpha names Beta as a competitor
    assert "PF-TST-004" not in rules  # so "no rivalry" must not fire


def test_a_cycle_through_negation_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pack.yaml").write_text("name: cyc\nversion: '1'\n")
    (tmp_path / "r.yaml").write_text(
        """
rules:
  - id: PF-CYC-001
    name: a-from-not-b
    area: scope
    kind: derived
    title: t
    when:
      - fact: pair
      - not: {fact: bee}
    derive: {fact: ay, fields: {x: pair.a}}
    message: m
  - id: PF-CYC-002
    name: b-from-not-a
    area: scope
    kind: derived
    title: t
    when:
      - fact: pair
      - not: {fact: ay}
    derive: {fact: bee, fields: {x: pair.a}}
    message: m
"""
    )
    with pytest.raises(PackError, match="derived rules form a cycle"):
        load_pack(tmp_path)


# 8. Audit trail and determinism ----------------------------------------------------------


def test_every_firing_is_recorded_with_its_facts(core: RulePack) -> None:
    firings = engine_for(core.compiled).evaluate(extract(load_case(_case())))
    derived = [f for f in firings if f.derived is not None]
    assert [f.rule for f in derived] == ["PF-TST-002"]
    assert derived[0].derived is not None
    assert derived[0].derived["accuser"] == "a"
    assert derived[0].derived["accused"] == "b"


def test_same_case_and_pack_give_byte_identical_json(core: RulePack) -> None:
    case = load_case(_case())
    first = evaluate_case(case, core).to_json()
    for _ in range(5):
        assert evaluate_case(case, core).to_json() == first
    assert json.loads(first)["verdict"] == "reconsider"


# 9. Supported Pythons ----------------------------------------------------------------------


def test_supported_pythons_are_stated() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert meta["project"]["requires-python"] == ">=3.11,<3.13"


def _write_pack(path: Path, when: str) -> None:
    import textwrap

    (path / "pack.yaml").write_text("name: t\nversion: '1'\n")
    body = textwrap.indent(textwrap.dedent(when).strip(), "    ")
    (path / "r.yaml").write_text(
        "rules:\n"
        "  - id: PF-TT-001\n"
        "    name: t\n"
        "    area: scope\n"
        "    kind: red_flag\n"
        "    severity: low\n"
        "    title: t\n"
        f"{body}\n"
        "    message: m\n"
    )


def test_slot_names_that_durable_uses_itself_are_safe(tmp_path: Path) -> None:
    # durable's closure has its own `s` (session state), `m` and `host` attributes.
    (tmp_path / "pack.yaml").write_text("name: slots\nversion: '1'\n")
    (tmp_path / "r.yaml").write_text(
        """
rules:
  - id: PF-SL-001
    name: slot-names
    area: common-foe
    kind: red_flag
    severity: low
    title: t
    when:
      - {fact: competitor, as: s}
      - {fact: alias, as: m, where: {party: {ne: {ref: s.party}}, key: {ref: s.key}}}
      - {fact: party, as: host, where: {key: {ref: m.party}}}
    message: "{s.party_name} names {host.name}"
"""
    )
    pack = load_pack(tmp_path)
    report = evaluate_case(load_case(_case()), pack)
    assert [(f.message, [e.path for e in f.evidence]) for f in report.findings] == [
        ("Alpha Inc names Beta", ["parties[0].competitors[0]", "parties[1].name"])
    ]


def test_an_error_raised_by_durable_itself_becomes_an_engine_error() -> None:
    # An unguarded comparison join on a field one fact lacks: durable raises its error 311
    # (the pack compiler adds `exists` guards so that a loaded pack never does this).
    join = {"$and": [{"t": "x"}, {"$gt": {"v": {"a": "v"}}}, {"one": {"a": "one"}}]}
    ruleset = {
        "r": {"all": [{"a": {"t": "x"}}, {"b": join}], "run": "r"},
        SINK: {"all": [{"m": {"$ex": {"t": 1}}}, {"n": {"t": "partnerfit$never"}}], "run": SINK},
    }
    engine = Engine(Compiled(ruleset, {"x": 0}, {"r": ("a", "b")}, {}, {}, {}))
    facts = [{"t": "x", "id": "f1", "one": 1.0, "v": 2.0}, {"t": "x", "id": "f2", "one": 1.0}]
    with pytest.raises(EngineError, match="the rule engine failed"):
        engine.evaluate(facts)
    # The engine is still usable afterwards.
    assert engine.evaluate([{"t": "x", "id": "f1", "one": 1.0, "v": 2.0}]) == []
