"""`partnerfit rules list`, `partnerfit explain` and `partnerfit rules test`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml
from click.testing import CliRunner

from partnerfit.cli import ExitCode, main
from partnerfit.pack import RulePack

RULES = Path(__file__).resolve().parents[1] / "rules"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_list_table_shows_every_rule(pack: RulePack) -> None:
    code, out, _ = _run("rules", "list", "--rules", str(RULES))
    assert code == ExitCode.OK
    header = out.splitlines()[0].split()
    assert header == ["id", "name", "area", "kind", "severity"]
    critical = next(line for line in out.splitlines() if line.startswith("PF-BM-003 "))
    assert critical.split() == [
        "PF-BM-003",
        "sells-alliance-offering-into-target",
        "business-model",
        "red_flag",
        "critical",
    ]
    strength = next(line for line in out.splitlines() if line.startswith("PF-FOE-010 "))
    assert strength.split() == ["PF-FOE-010", "shared-competitor", "common-foe", "strength"]
    assert out.rstrip().endswith(f"{len(pack.active())} rules in partnerfit-default 0.1.0")


def test_list_json(pack: RulePack) -> None:
    code, out, _ = _run("rules", "list", "--format", "json", "--rules", str(RULES))
    assert code == ExitCode.OK
    data = json.loads(out)
    assert data["pack"] == "partnerfit-default"
    assert [r["id"] for r in data["rules"]] == [lr.rule.id for lr in pack.active()]
    by_id = {r["id"]: r for r in data["rules"]}
    assert by_id["PF-EXC-003"] == {
        "id": "PF-EXC-003",
        "name": "exclusivity-cannot-be-honoured",
        "area": "exclusivity",
        "kind": "red_flag",
        "severity": "critical",
    }
    assert by_id["PF-SC-100"]["severity"] == ""


def test_list_refuses_unknown_format() -> None:
    code, _, err = _run("rules", "list", "--format", "xml")
    assert code == ExitCode.ERROR
    assert "xml" in err


def test_explain_by_id() -> None:
    code, out, _ = _run("explain", "PF-BM-003", "--rules", str(RULES))
    assert code == ExitCode.OK
    assert out.startswith("PF-BM-003 sells-alliance-offering-into-target\n")
    assert "red flag, severity critical" in out
    assert "Why: The alliance would compete head-on" in out
    assert "Source: Brouthers et al." in out
    assert "Remedy: Before signing" in out
    assert "Requires: alliance.scope_in, alliance.carve_outs" in out
    assert '  target as t where {"dimension": "segment", "key": {"ref": "o.segment"}}' in out
    assert "  no firing: near miss, a carve-out was agreed" in out
    assert "rules/business-model.yaml" in out


def test_explain_by_name_shows_negation_and_examples() -> None:
    code, out, _ = _run("explain", "no-shared-segment", "--rules", str(RULES))
    assert code == ExitCode.OK
    assert out.startswith("PF-MKT-001 no-shared-segment\n")
    assert '  no overlap where {"pair": {"ref": "p.id"}, "dimension": "segment"}' in out
    assert (
        "  fires:     dentists and veterinarians -> "
        "parties[0].markets.segments, parties[1].markets.segments"
    ) in out
    assert "Asks when unknown: Which customer segments does each party sell to today?" in out


def test_explain_derived_rule() -> None:
    code, out, _ = _run("explain", "PF-SC-100", "--rules", str(RULES))
    assert code == ExitCode.OK
    assert "Derives: a `drift` fact (name=pj.name, relation=pj.relation, owner=pj.owner)" in out


def test_explain_unknown_rule_suggests() -> None:
    code, out, err = _run("explain", "no-sharde-segment", "--rules", str(RULES))
    assert code == ExitCode.ERROR
    assert out == ""
    assert err == (
        "partnerfit: error: no rule 'no-sharde-segment' in pack partnerfit-default; "
        "did you mean 'no-shared-segment'?\n"
    )


def test_explain_unknown_rule_without_suggestion() -> None:
    code, _, err = _run("explain", "PF-ZZZ-999", "--rules", str(RULES))
    assert code == ExitCode.ERROR
    assert "no rule 'PF-ZZZ-999'" in err
    assert "did you mean" not in err


def test_rules_test_passes_on_default_pack() -> None:
    code, out, _ = _run("rules", "test", str(RULES))
    assert code == ExitCode.OK
    assert out.endswith(" failed\n")
    assert out.rstrip().endswith("passed, 0 failed")


def test_rules_test_reports_a_wrong_expectation(tmp_path: Path) -> None:
    pack_dir = tmp_path / "pack"
    pack_dir.mkdir()
    shutil.copy(RULES / "pack.yaml", pack_dir / "pack.yaml")
    data = yaml.safe_load((RULES / "people.yaml").read_text(encoding="utf-8"))
    rule = next(r for r in data["rules"] if r["id"] == "PF-EC-001")
    rule["examples"][2]["expect"] = [["history.disagreements[0]"]]
    (pack_dir / "people.yaml").write_text(yaml.safe_dump({"rules": [rule]}), encoding="utf-8")
    code, out, _ = _run("rules", "test", str(pack_dir))
    assert code == ExitCode.RED_FLAGS
    assert "PF-EC-001 / near miss, resolved: expected [['history.disagreements[0]']], got []" in out
    assert out.rstrip().endswith("rule examples: 3 passed, 1 failed")


def test_rules_test_refuses_a_missing_folder(tmp_path: Path) -> None:
    code, _, err = _run("rules", "test", str(tmp_path / "nowhere"))
    assert code == ExitCode.ERROR
    assert "rule pack folder not found" in err
