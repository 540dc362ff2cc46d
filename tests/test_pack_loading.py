"""Rule packs: every mistake in a pack is a load error naming file, line and rule."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from partnerfit.errors import PackError
from partnerfit.evaluation import evaluate_case
from partnerfit.loading import load_case
from partnerfit.pack import load_pack, render

ROOT = Path(__file__).resolve().parents[1]

GOOD_RULE = """\
  - id: PF-TT-001
    name: long-term
    area: horizon
    kind: red_flag
    severity: low
    title: A long term
    when:
      - fact: alliance
        where: {term_years: {gte: 10}}
    message: "a term of {alliance.term_years} years"
"""


def _pack(tmp_path: Path, rules: str, manifest: str = "name: t\nversion: '1'\n") -> Path:
    (tmp_path / "pack.yaml").write_text(manifest)
    (tmp_path / "rules.yaml").write_text("rules:\n" + textwrap.dedent(rules))
    return tmp_path


def _error(path: Path, *more: Path) -> PackError:
    with pytest.raises(PackError) as info:
        load_pack(path, *more)
    return info.value


def _rule(**changes: str) -> str:
    rule = GOOD_RULE
    for old, new in changes.items():
        rule = rule.replace(old, new)
    return rule


def test_a_good_rule_loads_and_fires(tmp_path: Path) -> None:
    pack = load_pack(_pack(tmp_path, GOOD_RULE))
    assert (pack.name, pack.version) == ("t", "1")
    report = evaluate_case(
        load_case(
            {
                "id": "c",
                "alliance": {"term_years": 12},
                "parties": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
            }
        ),
        pack,
    )
    assert [(f.rule_id, [e.path for e in f.evidence], f.message) for f in report.findings] == [
        ("PF-TT-001", ["alliance.term_years"], "a term of 12 years")
    ]


def test_duplicate_ids_name_both_places(tmp_path: Path) -> None:
    rules = GOOD_RULE + _rule(**{"name: long-term": "name: other"})
    err = _error(_pack(tmp_path, rules))
    assert "duplicate rule 'PF-TT-001', first defined at " in err.message
    assert err.message.endswith("rules.yaml:2")
    assert err.location.line == 12
    assert str(err.location.file).endswith("rules.yaml")


def test_unknown_rule_key_is_suggested(tmp_path: Path) -> None:
    err = _error(_pack(tmp_path, _rule(**{"    message:": "    mesage:"})))
    assert "unknown field 'mesage'; did you mean 'message'?" in err.message
    assert err.location.line == 11
    assert err.location.field == "rules[0].mesage"


def test_bad_severity_is_refused_with_its_line(tmp_path: Path) -> None:
    err = _error(_pack(tmp_path, _rule(**{"severity: low": "severity: severe"})))
    assert err.location.field == "rules[0].severity"
    assert err.location.line == 6
    assert "'severe' is not one of: info, low, medium, high or critical" in err.message


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "fact: alliance",
            "fact: aliance",
            "unknown fact type 'aliance'; did you mean 'alliance'?",
        ),
        ("term_years:", "term_year:", "has no field 'term_year'; did you mean 'term_years'?"),
        ("{gte: 10}", "{gtee: 10}", "unknown operator 'gtee'; did you mean 'gte'?"),
        ("{gte: 10}", "{gte: true}", "expected a number, got True"),
        ("{term_years: {gte: 10}}", "{kind: licencing}", "did you mean 'licensing'?"),
        ("{term_years: {gte: 10}}", "{exclusive: {gt: true}}", "does not apply to a true/false"),
        ("{term_years: {gte: 10}}", "{term_years: {in: []}}", "takes a non-empty list"),
        ("{term_years: {gte: 10}}", "{term_years: {ref: x.term_years}}", "names no earlier"),
        ("{alliance.term_years} years", "{alliance.years}", "has no such field"),
        ("{alliance.term_years} years", "{al.term_years}", "no positive pattern is 'al'"),
        ("{alliance.term_years} years", "{alliance.__class__}", "has no such field"),
        ("{alliance.term_years} years", "{0.__class__}", "only use `{slot.field}`"),
    ],
)
def test_conditions_and_templates_are_checked_against_the_vocabulary(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    err = _error(_pack(tmp_path, _rule(**{old: new})))
    assert message in err.message
    assert err.message.startswith("rule PF-TT-001: ")
    assert err.location.line == 2


def test_requires_must_name_an_askable_field(tmp_path: Path) -> None:
    rule = GOOD_RULE + "    requires: [alliance.term]\n"
    err = _error(_pack(tmp_path, rule))
    assert "requires unknown field 'alliance.term'; did you mean 'alliance.term_years'?" in (
        err.message
    )


def test_a_join_must_compare_like_with_like(tmp_path: Path) -> None:
    rule = _rule(
        **{
            "      - fact: alliance\n        where: {term_years: {gte: 10}}": (
                "      - fact: alliance\n"
                "      - fact: party\n"
                "        where: {name: {ref: alliance.term_years}}"
            )
        }
    )
    err = _error(_pack(tmp_path, rule))
    assert "compares name (text) with alliance.term_years (number)" in err.message


def _layers(tmp_path: Path, overrides: str) -> tuple[Path, Path]:
    """A base pack with GOOD_RULE and an overlay whose manifest has ``overrides``."""
    base = tmp_path / "base"
    base.mkdir()
    _pack(base, GOOD_RULE)
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "pack.yaml").write_text(f"name: o\nversion: '2'\noverrides:\n  {overrides}\n")
    return base, overlay


def test_overrides_must_name_known_rules(tmp_path: Path) -> None:
    err = _error(*_layers(tmp_path, "disable: [PF-TT-002]"))
    assert "override names unknown rule 'PF-TT-002'; did you mean 'PF-TT-001'?" in err.message
    assert err.location.line == 3


def test_layered_packs_override_severity(tmp_path: Path) -> None:
    pack = load_pack(*_layers(tmp_path, "severity: {PF-TT-001: high}"))
    assert (pack.name, pack.version) == ("t+o", "1+2")
    lr = pack.rule("long-term")
    assert (lr.severity.value, lr.overridden_by) == ("high", "o")


def test_layered_packs_disable(tmp_path: Path) -> None:
    pack = load_pack(*_layers(tmp_path, "disable: [PF-TT-001]"))
    assert pack.disabled == ("PF-TT-001",)
    assert pack.active() == ()
    assert "PF-TT-001" not in pack.compiled.ruleset


def test_a_missing_pack_folder_is_a_clear_error(tmp_path: Path) -> None:
    err = _error(tmp_path / "nowhere")
    assert err.message == "rule pack folder not found"


def test_a_rule_testing_only_joining_fields_still_cites_its_facts(tmp_path: Path) -> None:
    rule = _rule(
        **{
            "      - fact: alliance\n        where: {term_years: {gte: 10}}": (
                "      - fact: party\n        where: {key: b}"
            ),
            "a term of {alliance.term_years} years": "{party.name} is here",
        }
    )
    pack = load_pack(_pack(tmp_path, rule))
    case = load_case({"id": "c", "parties": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}]})
    (finding,) = evaluate_case(case, pack).findings
    assert finding.message == "B is here"
    assert [(e.path, e.value, e.party) for e in finding.evidence] == [("parties[1]", "B", "b")]


def test_a_folder_without_a_manifest_is_not_a_pack(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text("rules:\n" + GOOD_RULE)
    err = _error(tmp_path)
    assert err.message == "not a rule pack: the folder has no pack.yaml manifest (name, version)"
    assert err.location.file == str(tmp_path)


def test_rule_lookup_suggests(tmp_path: Path) -> None:
    pack = load_pack(_pack(tmp_path, GOOD_RULE))
    with pytest.raises(PackError, match="did you mean 'long-term'"):
        pack.rule("long-terms")


def test_templates_render_values_only() -> None:
    fact = {"term_years": 12.0, "exclusive": True, "name": "Acme"}
    assert render("{a.term_years} {a.exclusive} {a.name} {a.kind}", {"a": fact}) == (
        "12 yes Acme unknown"
    )


def test_the_default_pack_loads_and_ships() -> None:
    pack = load_pack(ROOT / "rules")
    assert pack.name == "partnerfit-default"
    assert pack.rules
