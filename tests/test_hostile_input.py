"""Hostile input: every class of file that once crashed, hung or escaped as a traceback.

Each test names the class it pins. Anything that once crashed the process runs in a
child process, so that a regression fails the test instead of killing pytest.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from partnerfit import engine
from partnerfit.engine import Engine
from partnerfit.errors import CaseError, EngineError, PackError
from partnerfit.evaluation import evaluate_case
from partnerfit.facts import VOCABULARY, engine_number, extract
from partnerfit.limits import (
    MAX_ALIASES,
    MAX_DEPTH,
    MAX_DOCUMENT_BYTES,
    MAX_FACTS,
    MAX_IN_ITEMS,
    MAX_ITEMS,
    MAX_NODES,
    MAX_PATTERNS,
    MAX_PATTERNS_PER_FACT,
    MAX_TESTS_PER_FACT,
)
from partnerfit.loading import load_case
from partnerfit.pack import RulePack, load_pack

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "cases"
RULES = ROOT / "rules"

EXAMPLE = CASES / "licensing-outdoor-brand.yaml"
MINIMAL = "id: demo\nparties:\n  - {id: a, name: Alpha}\n  - {id: b, name: Beta}\n"


def _child(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _case_error(path: Path) -> CaseError:
    with pytest.raises(CaseError) as info:
        load_case(path)
    return info.value


# Numbers the engine's JSON parser cannot read -------------------------------------------

NUMBER_PROBE = """
import sys
from partnerfit import evaluate, load_case
text = open(sys.argv[1]).read().replace("    years: 7\\n", f"    years: {sys.argv[2]}\\n")
report = evaluate(load_case(text))
print(report.verdict.value)
"""


@pytest.mark.parametrize("years", ["0.00001", "1.0e-7", "0.000049", "99.99999999", "1e1"])
def test_numbers_in_exponent_form_reach_the_engine_without_crashing(years: str) -> None:
    done = _child(NUMBER_PROBE, str(EXAMPLE), years)
    assert done.returncode == 0, done.stderr  # was -11 (segfault) for 0.00001
    assert done.stdout.strip() in {"proceed", "proceed_with_conditions", "reconsider"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.00001, 0.0),
        (0.00005, 0.0001),
        (-0.00001, 0.0),
        (1e20, 1e15),
        (-(10**30), -1e15),
        (12.345678, 12.3457),
        (7, 7.0),
    ],
)
def test_engine_numbers_are_plain_decimals(value: float, expected: float) -> None:
    number = engine_number(value)
    assert number == expected
    assert "e" not in repr(number)
    assert "inf" not in repr(number)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("term_years", "1e16", "must be at most 100; got"),
        ("term_years", ".inf", "finite number"),
        ("term_years", ".nan", "finite number"),
        ("term_years", "-1", "must be at least 0; got -1"),
    ],
)
def test_out_of_range_numbers_are_refused_with_their_line(
    tmp_path: Path, field: str, value: str, message: str
) -> None:
    text = MINIMAL + f"alliance:\n  {field}: {value}\n"
    path = tmp_path / "case.yaml"
    path.write_text(text)
    err = _case_error(path)
    assert message in err.message
    assert err.location.field == f"alliance.{field}"
    assert err.location.line == 6


def test_money_beyond_the_range_is_refused(tmp_path: Path) -> None:
    text = MINIMAL.replace("name: Beta}", "name: Beta, contribution: {value: 1e16}}")
    path = tmp_path / "case.yaml"
    path.write_text(text)
    err = _case_error(path)
    assert err.location.field == "parties[1].contribution.value"
    assert "must be at most 1000000000000000" in err.message


def test_an_integer_of_thousands_of_digits_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(MINIMAL + "alliance:\n  term_years: " + "9" * 5000 + "\n")
    err = _case_error(path)
    assert err.location.line == 6
    assert "a number with 5,000 digits is too large" in err.message


@pytest.mark.parametrize(
    ("date", "why"),
    [("2026-02-30", "day is out of range for month"), ("0000-01-01", "year 0 is out of range")],
)
def test_impossible_dates_are_refused_with_their_line(tmp_path: Path, date: str, why: str) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(
        MINIMAL + f"waivers:\n  - {{rule: PF-BM-001, justification: ok, expires: {date}}}\n"
    )
    err = _case_error(path)
    assert err.location.line == 6
    assert err.message == f"not valid YAML/JSON: {date!r} is not a valid date: {why}"


def test_pack_number_literals_must_be_plain_decimals(tmp_path: Path) -> None:
    _pack_with(tmp_path, "when:\n  - {fact: party, where: {return_ratio: {gt: 0.00001}}}")
    with pytest.raises(PackError, match="at most 4 decimal places; got 1e-05") as info:
        load_pack(tmp_path)
    assert info.value.location.field == "when[0].where.return_ratio.gt"


def test_pack_number_literals_beyond_the_range_are_refused(tmp_path: Path) -> None:
    _pack_with(tmp_path, "when:\n  - {fact: party, where: {return_ratio: {lt: 1.0e+16}}}")
    with pytest.raises(PackError, match="lie within"):
        load_pack(tmp_path)


def test_the_adapter_refuses_numbers_the_engine_cannot_read(pack: RulePack) -> None:
    facts = extract(load_case(EXAMPLE))
    bad = dict(facts[0], ratio=1e-05)
    with pytest.raises(EngineError, match="cannot reach the engine"):
        engine.engine_for(pack.compiled).evaluate([bad])


# Files that are not files -----------------------------------------------------------------


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "case.yaml"
    os.mkfifo(fifo)
    err = _case_error(fifo)
    assert err.message == "is not a regular file (it is a pipe); expected a YAML or JSON file"


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/urandom"])
def test_devices_and_links_to_them_are_refused(tmp_path: Path, target: str) -> None:
    link = tmp_path / "case.yaml"
    link.symlink_to(target)
    for path in (Path(target), link):
        err = _case_error(path)
        assert err.message == "is not a regular file (it is a device); expected a YAML or JSON file"


def test_a_file_that_grows_past_the_limit_is_not_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_bytes(b"#" * (MAX_DOCUMENT_BYTES + 1))
    err = _case_error(path)
    assert "the limit is 1,048,576 bytes" in err.message


# Documents built to exhaust memory or the stack -------------------------------------------


def _bomb(levels: int) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_before_it_is_expanded(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(_bomb(10))  # 9**10 values once expanded, from 400 bytes
    err = _case_error(path)
    assert err.message == f"more than {MAX_ALIASES} aliases (*name)"
    assert err.location.line is not None


def test_an_expansion_past_the_value_limit_is_refused(tmp_path: Path) -> None:
    wide = ", ".join(["x"] * 2000)
    uses = "\n".join(f"u{i}: *w" for i in range(60))
    path = tmp_path / "case.yaml"
    path.write_text(f"w: &w [{wide}]\n{uses}\n")
    err = _case_error(path)
    assert err.message.startswith(f"the document holds more than {MAX_NODES:,} values")


def test_a_recursive_alias_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text("a: &a [*a]\n")
    err = _case_error(path)
    assert err.message == f"nested too deeply; the limit is {MAX_DEPTH} levels"


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 900, 5000, 200_000])
def test_deep_nesting_is_refused(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "case.yaml"
    path.write_text("[" * depth + "]" * depth)
    err = _case_error(path)
    assert err.message == f"nested too deeply; the limit is {MAX_DEPTH} levels"


def test_nesting_within_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text("[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1))
    err = _case_error(path)
    assert err.message.startswith("expected a mapping of case fields at the top")


def test_long_lists_are_refused_with_their_field(tmp_path: Path) -> None:
    competitors = ", ".join(f"c{i}" for i in range(MAX_ITEMS + 1))
    text = MINIMAL.replace("name: Beta}", f"name: Beta, competitors: [{competitors}]}}")
    path = tmp_path / "case.yaml"
    path.write_text(text)
    err = _case_error(path)
    assert err.location.field == "parties[1].competitors"
    assert f"too many: at most {MAX_ITEMS} items" in err.message


def test_a_key_that_is_a_collection_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text("? [a, b]\n: 1\n")
    err = _case_error(path)
    assert err.message == "a key must be plain text, not a list or mapping"


# Rule packs -------------------------------------------------------------------------------


def _pack_with(folder: Path, body: str, *, derived: str = "") -> None:
    (folder / "pack.yaml").write_text("name: hostile\nversion: '1'\n")
    rule = textwrap.indent(body, "    ")
    (folder / "r.yaml").write_text(
        "rules:\n"
        "  - id: PF-HX-001\n"
        "    name: hostile\n"
        "    area: scope\n"
        "    kind: red_flag\n"
        "    severity: low\n"
        "    title: t\n"
        "    message: m\n"
        f"{rule}\n{derived}"
    )


def _rules(prefix: str, whens: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """One low red flag per condition, with ids PF-<prefix>-000, -001 …"""
    return [
        {
            "id": f"PF-{prefix}-{n:03d}",
            "name": f"{prefix.lower()}-{n}",
            "area": "scope",
            "kind": "red_flag",
            "severity": "low",
            "title": "t",
            "message": "m",
            "when": when,
        }
        for n, when in enumerate(whens)
    ]


def _json_pack(folder: Path, rules: list[dict[str, Any]]) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "pack.yaml").write_text("name: generated\nversion: '1'\n")
    (folder / "r.yaml").write_text(json.dumps({"rules": rules}))
    return folder


def _derived(rid: str, name: str, consumes: str, produces: str) -> str:
    return (
        f"  - id: {rid}\n"
        f"    name: {name}\n"
        "    area: scope\n"
        "    kind: derived\n"
        "    title: t\n"
        "    message: m\n"
        f"    when: [{{fact: {consumes}}}]\n"
        f"    derive: {{fact: {produces}, fields: {{x: \"'1'\"}}}}\n"
    )


def test_a_rule_deriving_its_own_input_is_refused(tmp_path: Path) -> None:
    loop = _derived("PF-HX-002", "loop", "party", "echo") + _derived(
        "PF-HX-003", "self", "echo", "echo"
    )
    _pack_with(tmp_path, "when: [{fact: party}]", derived=loop)
    with pytest.raises(PackError) as info:
        load_pack(tmp_path)
    assert info.value.message == (
        "rule PF-HX-003: derived rules form a cycle that never ends: "
        "PF-HX-003 (echo) → PF-HX-003 (echo); a rule may not consume, directly or through "
        "other rules, what it derives"
    )
    assert info.value.location.field == "derive"


def test_two_rules_deriving_each_other_are_refused(tmp_path: Path) -> None:
    loop = (
        _derived("PF-HX-002", "seed", "party", "ping")
        + _derived("PF-HX-003", "ping", "ping", "pong")
        + _derived("PF-HX-004", "pong", "pong", "ping")
    )
    _pack_with(tmp_path, "when: [{fact: party}]", derived=loop)
    with pytest.raises(PackError, match=r"PF-HX-003 \(pong\) → PF-HX-004 \(ping\) → PF-HX-003"):
        load_pack(tmp_path)


def test_long_in_lists_are_refused_with_the_limit(tmp_path: Path) -> None:
    values = ", ".join(f"s{i}" for i in range(MAX_IN_ITEMS + 1))
    _pack_with(tmp_path, f"when:\n  - {{fact: market, where: {{key: {{in: [{values}]}}}}}}")
    with pytest.raises(PackError, match=f"lists {MAX_IN_ITEMS + 1} values; the limit is 100"):
        load_pack(tmp_path)


def test_in_lists_at_the_limit_compile_and_match(tmp_path: Path) -> None:
    case = load_case(
        MINIMAL.replace("name: Alpha}", "name: Alpha, markets: {segments: [Dentists]}}")
    )
    [key] = [f["key"] for f in extract(case) if f["t"] == "market"]
    values = ", ".join([*(f"s{i}" for i in range(MAX_IN_ITEMS - 1)), json.dumps(key)])
    _pack_with(tmp_path, f"when:\n  - {{fact: market, where: {{key: {{in: [{values}]}}}}}}")
    report = evaluate_case(case, load_pack(tmp_path))
    assert [f.rule_id for f in report.red_flags()] == ["PF-HX-001"]


def test_more_tests_of_one_fact_than_the_engine_holds_are_refused(tmp_path: Path) -> None:
    # Five rules of 100 values each: no list is too long, but together they would fill
    # the engine's table of tests after `market` and hang ruleset creation.
    values = [[f"k{n}-{i}" for i in range(100)] for n in range(5)]
    whens = [[{"fact": "market", "where": {"key": {"in": v}}}] for v in values]
    _json_pack(tmp_path, _rules("WD", whens))
    with pytest.raises(PackError) as info:
        load_pack(tmp_path)
    assert info.value.message == (
        "rule PF-WD-004: the pack makes 500 different tests of fact 'market'; the engine holds "
        f"at most {MAX_TESTS_PER_FACT} (shorten `in:` lists, or derive a fact that groups the values)"
    )


def test_more_identical_patterns_than_the_engine_holds_are_refused(tmp_path: Path) -> None:
    whens = [[{"fact": "party"}] for _ in range(MAX_PATTERNS_PER_FACT + 1)]
    _json_pack(tmp_path, _rules("SM", whens))
    with pytest.raises(PackError, match="201 patterns of the pack test fact 'party' the same way"):
        load_pack(tmp_path)


def test_too_many_patterns_are_refused(tmp_path: Path) -> None:
    when = "\n".join(f"  - {{fact: party, as: p{i}}}" for i in range(MAX_PATTERNS + 1))
    _pack_with(tmp_path, f"when:\n{when}")
    with pytest.raises(PackError, match=f"9 patterns; the limit is {MAX_PATTERNS}"):
        load_pack(tmp_path)


def test_a_pack_file_linking_out_of_the_pack_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    pack = tmp_path / "pack"
    pack.mkdir()
    _pack_with(pack, "when: [{fact: party}]")
    (pack / "zz.yaml").symlink_to(secret)
    with pytest.raises(PackError) as info:
        load_pack(pack)
    assert "/bin/bash" not in str(info.value)
    assert info.value.message == (
        "is a link that leads out of the rule pack folder; copy the file into the pack"
    )


def test_a_runaway_evaluation_stops_at_the_firing_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Three unjoined patterns over the same facts: every combination fires.
    _pack_with(tmp_path, "when: [{fact: party}, {fact: party, as: b}, {fact: party, as: c}]")
    compiled = load_pack(tmp_path).compiled
    monkeypatch.setattr(engine, "MAX_FIRINGS", 50)
    eng = Engine(compiled)
    parties = [{"id": f"p{i}", "name": f"P{i}"} for i in range(12)]
    facts = extract(load_case({"id": "c", "parties": parties}))
    with pytest.raises(EngineError, match="evaluation stopped: the rules fired 50 times"):
        eng.evaluate(facts)
    # The engine is still usable afterwards, and a small case runs to the end.
    small = extract(load_case({"id": "c", "parties": parties[:3]}))
    assert len([f for f in eng.evaluate(small) if f.rule == "PF-HX-001"]) == 6  # 3 × 2 × 1


@pytest.mark.slow
def test_the_biggest_pack_within_the_limit_loads(tmp_path: Path) -> None:
    types = sorted(VOCABULARY)  # spread over the fact types, within MAX_TESTS_PER_FACT
    whens = [[{"fact": types[i % len(types)], "where": {"value": f"v{i}"}}] for i in range(1000)]
    rules = _rules("BIG", whens)
    pack = load_pack(_json_pack(tmp_path / "big", rules))
    assert len(pack.rules) == 1000
    report = evaluate_case(load_case(EXAMPLE), pack)  # the engine builds it, and runs
    assert report.red_flags() == ()
    rules.append({**rules[0], "id": "PF-BIH-000", "name": "one-too-many"})
    over = _json_pack(tmp_path / "over", rules)
    with pytest.raises(PackError, match="more than 1,000 rules"):
        load_pack(over)


def test_the_default_pack_is_within_every_pack_limit() -> None:
    pack = load_pack(RULES)
    assert len(pack.rules) <= 1000
    assert all(len(lr.rule.when) <= MAX_PATTERNS for lr in pack.rules)


def _repetitive(offerings: int, segments: int) -> dict[str, Any]:
    def party(pid: str) -> dict[str, Any]:
        offering = {"category": "services", "segments": ["dentists"] * segments}
        return {"id": pid, "name": pid.upper(), "offerings": [offering] * offerings}

    return {"id": "x", "parties": [party("a"), party("b")]}


def test_a_case_of_thousands_of_repeated_items_is_refused_before_the_engine() -> None:
    # 2 × 60 × 60 identical offerings once took 30 s and 5 GB: every pair joins.
    case = load_case(_repetitive(60, 60))
    with pytest.raises(CaseError) as info:
        extract(case)
    assert info.value.location.field == "parties[0].offerings"
    assert info.value.message.startswith(
        f"the case makes 7,360 facts for the rules to check; the limit is {MAX_FACTS:,} "
        "(3,662 come from parties[0].offerings"
    )


def test_repeated_items_within_the_fact_limit_stop_at_the_firing_budget(pack: RulePack) -> None:
    case = load_case(_repetitive(20, 20))
    with pytest.raises(EngineError, match="the case repeats the same items many times"):
        evaluate_case(case, pack)


def test_the_largest_real_cases_are_far_below_the_fact_limit() -> None:
    largest = max(len(extract(load_case(p))) for p in CASES.rglob("*.yaml"))
    assert largest * 5 < MAX_FACTS
