"""The default rule pack: every rule's own examples, and the pack's coverage of the catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest

from partnerfit.case import Severity
from partnerfit.examples import run_rule_examples
from partnerfit.pack import Area, LoadedRule, RuleKind, RulePack, load_pack

# Parametrisation happens at collection, before fixtures exist: load the same pack here.
_PACK = load_pack(Path(__file__).resolve().parents[1] / "rules")


def _rule_ids() -> list[str]:
    return [lr.rule.id for lr in _PACK.active()]


@pytest.mark.parametrize(
    ("rule_id", "example"),
    [(lr.rule.id, ex.name) for lr in _PACK.active() for ex in lr.rule.examples],
)
def test_rule_example(pack: RulePack, rule_id: str, example: str) -> None:
    """Each example gives exactly the findings (evidence paths) it declares."""
    lr = pack.rule(rule_id)
    (result,) = [r for r in run_rule_examples(pack, lr) if r.example == example]
    assert result.error is None, result.explain()
    assert result.actual == result.expected, result.explain()


def test_at_least_24_rules(pack: RulePack) -> None:
    assert len(pack.active()) >= 24


def test_every_area_is_covered(pack: RulePack) -> None:
    covered = {lr.rule.area for lr in pack.active()}
    assert sorted(set(Area) - covered) == []


@pytest.mark.parametrize("rule_id", _rule_ids())
def test_examples_fire_and_do_not_fire(pack: RulePack, rule_id: str) -> None:
    lr = pack.rule(rule_id)
    firing = [ex.name for ex in lr.rule.examples if ex.expect]
    silent = [ex.name for ex in lr.rule.examples if not ex.expect]
    wanted = 1 if lr.rule.kind == RuleKind.derived else 2
    assert len(firing) >= wanted, f"{rule_id} fires in {firing}"
    assert len(silent) >= wanted, f"{rule_id} stays silent in {silent}"


@pytest.mark.parametrize("rule_id", _rule_ids())
def test_rule_is_documented(pack: RulePack, rule_id: str) -> None:
    rule = pack.rule(rule_id).rule
    if rule.kind == RuleKind.derived:
        return
    assert (rule.why or "").strip()
    assert (rule.remedy or "").strip()
    assert (rule.source or "").strip()


@pytest.mark.parametrize("rule_id", _rule_ids())
def test_red_flags_ask_when_data_is_missing(pack: RulePack, rule_id: str) -> None:
    rule = pack.rule(rule_id).rule
    if rule.kind != RuleKind.red_flag:
        return
    assert rule.requires, f"{rule_id} names no data it needs"
    assert rule.question, f"{rule_id} has no question for missing data"


def _by_severity(pack: RulePack, severity: Severity) -> list[str]:
    return sorted(
        lr.rule.id
        for lr in pack.active()
        if lr.rule.kind == RuleKind.red_flag and lr.severity == severity
    )


def test_only_knock_outs_are_critical(pack: RulePack) -> None:
    assert _by_severity(pack, Severity.critical) == ["PF-BM-003", "PF-EXC-003"]


def test_strengths_cover_the_seeds_good_fit(pack: RulePack) -> None:
    strengths = {lr.rule.area for lr in pack.active() if lr.rule.kind == RuleKind.strength}
    assert {Area.business_model, Area.common_market, Area.common_foe} <= strengths


def test_scope_drift_is_chained(pack: RulePack) -> None:
    """The drift rule consumes the fact the derived rule produces (and the strength negates it)."""
    derived: LoadedRule = pack.rule("PF-SC-100")
    assert derived.rule.derive is not None
    fact = derived.rule.derive.fact
    consumers = sorted(
        lr.rule.id
        for lr in pack.active()
        if lr.rule.id != "PF-SC-100"
        and any(
            (getattr(item, "fact", None) or getattr(getattr(item, "not_", None), "fact", None))
            == fact
            for item in lr.rule.when
        )
    )
    assert consumers == ["PF-SC-001", "PF-SC-010"]


def test_rule_texts_are_not_cut_by_a_yaml_comment(pack: RulePack) -> None:
    # An unquoted `#` after a space starts a YAML comment: "(the #2 cause)" once loaded
    # as "(the". Unbalanced parentheses or quotes are the trace it leaves.
    for lr in pack.rules:
        rule = lr.rule
        for field in ("title", "message", "why", "source", "remedy", "question"):
            text = getattr(rule, field) or ""
            assert text.count("(") == text.count(")"), (rule.id, field, text)
            assert text.count('"') % 2 == 0, (rule.id, field, text)
