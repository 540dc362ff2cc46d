"""Deal diffs: findings matched by identity (rule id + evidence paths), and `partnerfit diff`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from partnerfit import (
    Evidence,
    Finding,
    FindingKind,
    Report,
    RulePack,
    Severity,
    Verdict,
    compare,
    evaluate,
    load_case,
    load_pack,
)
from partnerfit.cli import main
from partnerfit.diff import diff_key
from partnerfit.report import Counts, PackInfo

DATA = Path(__file__).parent / "data"
TODAY = dt.date(2026, 6, 1)

OVERLAP = (
    "PF-TST-001",
    ("parties[0].offerings[0].segments[0]", "parties[1].offerings[0].segments[0]"),
)
OVERLAP_2 = (
    "PF-TST-001",
    ("parties[0].offerings[1].segments[0]", "parties[1].offerings[1].segments[0]"),
)
DISPUTES = ("PF-TST-003", ("parties[0].history.past_partner_disputes",))
REFUSED = ("PF-TST-002", ("parties[0].history.references",))
CORE = ("PF-TST-010", ("parties[0].importance",))


@pytest.fixture(scope="module")
def tpack() -> RulePack:
    return load_pack(DATA / "pack")


def _deal(
    offerings_a: list[dict[str, Any]], offerings_b: list[dict[str, Any]], **party_a: Any
) -> dict[str, Any]:
    return {
        "id": "deal",
        "parties": [
            {"id": "a", "name": "Alpha", "offerings": offerings_a, **party_a},
            {"id": "b", "name": "Beta", "offerings": offerings_b},
        ],
    }


SERVICES = {"category": "services", "segments": ["clinics"]}
SOFTWARE = {"category": "software", "segments": ["schools"]}


def test_compare_matches_by_identity_not_position(tpack: RulePack) -> None:
    old = evaluate(
        load_case(_deal([SERVICES], [SERVICES], history={"past_partner_disputes": ["2019"]})),
        tpack,
    )
    # The new version fixes the disputes, adds a software overlap and a strength.
    new = evaluate(
        load_case(
            _deal(
                [SERVICES, SOFTWARE],
                [SERVICES, SOFTWARE],
                importance="core",
                history={"past_partner_disputes": []},
            )
        ),
        tpack,
    )
    diff = compare(old, new)
    assert [f.key for f in diff.resolved] == [DISPUTES]
    assert [f.key for f in diff.introduced] == [OVERLAP_2, CORE]
    assert [f.key for f in diff.unchanged] == [OVERLAP]
    assert diff.waived == ()
    assert (diff.old_verdict, diff.new_verdict, diff.verdict_changed) == (
        Verdict.proceed_with_conditions,
        Verdict.proceed_with_conditions,
        False,
    )
    assert [f.key for f in diff.introduced_flags(Severity.high)] == [OVERLAP_2]
    assert diff.introduced_flags(Severity.critical) == ()


def test_moved_evidence_is_resolved_and_introduced(tpack: RulePack) -> None:
    old = evaluate(load_case(_deal([SERVICES], [SERVICES])), tpack)
    new = evaluate(load_case(_deal([SOFTWARE, SERVICES], [SERVICES])), tpack)
    diff = compare(old, new)
    assert [f.key for f in diff.resolved] == [OVERLAP]
    assert [f.key for f in diff.introduced] == [
        (
            "PF-TST-001",
            ("parties[0].offerings[1].segments[0]", "parties[1].offerings[0].segments[0]"),
        )
    ]


def test_waived_flags_are_resolved_and_marked_waived(tpack: RulePack) -> None:
    old = evaluate(
        load_case(_deal([SERVICES], [SERVICES], history={"references": "refused"})), tpack
    )
    data = _deal([SERVICES], [SERVICES], history={"references": "refused"})
    data["waivers"] = [{"rule": "PF-TST-001", "justification": "Carve-outs."}]
    new = evaluate(load_case(data), tpack, today=TODAY)
    diff = compare(old, new)
    assert [f.key for f in diff.resolved] == [OVERLAP]
    assert [f.key for f in diff.waived] == [OVERLAP]
    assert [f.key for f in diff.unchanged] == [REFUSED]
    assert diff.introduced == ()
    assert diff.verdict_changed is False


def test_compare_of_a_report_with_itself_changes_nothing(tpack: RulePack) -> None:
    report = evaluate(load_case(_deal([SERVICES], [SERVICES], importance="core")), tpack)
    diff = compare(report, report)
    assert (diff.resolved, diff.introduced) == ((), ())
    assert diff.unchanged == report.findings


def test_diff_json_is_stable(tpack: RulePack) -> None:
    old = evaluate(load_case(_deal([SERVICES], [SERVICES])), tpack)
    new = evaluate(load_case(_deal([SERVICES], [SOFTWARE], importance="core")), tpack)
    data = json.loads(compare(old, new).to_json())
    assert data["schema_version"] == "1.0"
    assert (data["old_verdict"], data["new_verdict"]) == ("proceed_with_conditions", "proceed")
    assert [f["rule_id"] for f in data["resolved"]] == ["PF-TST-001"]
    assert [f["rule_id"] for f in data["introduced"]] == ["PF-TST-010"]
    assert compare(old, new).to_json() == compare(old, new).to_json()


# --- properties ------------------------------------------------------------------------------

_PATHS = st.sampled_from([f"parties[{i}].offerings[{j}]" for i in range(2) for j in range(3)])
_finding = st.builds(
    lambda rid, kind, paths: Finding(
        rule_id=rid,
        name="r",
        kind=kind,
        severity=Severity.high if kind == FindingKind.red_flag else Severity.info,
        title="t",
        message="m",
        evidence=tuple(Evidence(path=p, value=None) for p in paths),
        area="scope",
    ),
    st.sampled_from(["PF-TST-001", "PF-TST-002", "PF-TST-003"]),
    st.sampled_from(list(FindingKind)),
    st.lists(_PATHS, min_size=1, max_size=3, unique=True),
)


def _report(findings: list[Finding], verdict: Verdict) -> Report:
    unique = list({diff_key(f): f for f in findings}.values())
    zero = dict.fromkeys(
        ("red_flags", "strengths", "open_questions", "critical", "high", "medium", "low", "info"), 0
    )
    return Report(
        case_id="deal",
        title=None,
        file=None,
        pack=PackInfo(name="p", version="1"),
        verdict=verdict,
        reason="r",
        counts=Counts(**zero),
        findings=tuple(unique),
    )


_reports = st.builds(_report, st.lists(_finding, max_size=8), st.sampled_from(list(Verdict)))


@settings(max_examples=300, deadline=None)
@given(_reports, _reports)
def test_diff_partitions_old_and_new_keys(old: Report, new: Report) -> None:
    diff = compare(old, new)
    old_keys = {diff_key(f) for f in old.findings}
    new_keys = {diff_key(f) for f in new.findings}
    resolved = {diff_key(f) for f in diff.resolved}
    introduced = {diff_key(f) for f in diff.introduced}
    unchanged = {diff_key(f) for f in diff.unchanged}
    assert resolved | unchanged == old_keys
    assert introduced | unchanged == new_keys
    assert not resolved & unchanged
    assert not introduced & unchanged
    assert not resolved & introduced
    assert diff.verdict_changed == (old.verdict != new.verdict)
    back = compare(new, old)
    assert {diff_key(f) for f in back.resolved} == introduced
    assert {diff_key(f) for f in back.introduced} == resolved


@settings(max_examples=200, deadline=None)
@given(_reports)
def test_compare_with_itself_is_empty(report: Report) -> None:
    diff = compare(report, report)
    assert (diff.resolved, diff.introduced, diff.waived) == ((), (), ())
    assert diff.unchanged == report.findings
    assert not diff.verdict_changed


# --- the CLI ---------------------------------------------------------------------------------

OLD_YAML = """\
id: deal
parties:
  - id: a
    name: Alpha
    importance: core
    offerings: [{category: services, segments: [clinics]}]
  - id: b
    name: Beta
    offerings: [{category: software, segments: [clinics]}]
"""


def _files(tmp_path: Path, new_yaml: str) -> tuple[str, str]:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(OLD_YAML, encoding="utf-8")
    new.write_text(new_yaml, encoding="utf-8")
    return str(old), str(new)


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_diff_exit_1_on_a_new_high_flag(tmp_path: Path) -> None:
    old, new = _files(tmp_path, OLD_YAML.replace("category: software", "category: services"))
    code, out, err = _run("diff", old, new, "--rules", str(DATA / "pack"))
    assert (code, err) == (1, "")
    assert "Verdict   proceed -> proceed with conditions" in out
    assert (
        "introduced  PF-TST-001  red flag  high        "
        "parties[0].offerings[0].segments[0], parties[1].offerings[0].segments[0]"
    ) in out
    assert out.rstrip().endswith("1 introduced, 0 resolved (0 by waiver), 1 unchanged")


def test_cli_diff_fail_on_threshold(tmp_path: Path) -> None:
    old, new = _files(tmp_path, OLD_YAML.replace("category: software", "category: services"))
    rules = ("--rules", str(DATA / "pack"))
    assert _run("diff", old, new, *rules, "--fail-on", "critical")[0] == 0
    assert _run("diff", old, new, *rules, "--fail-on", "never")[0] == 0
    assert _run("diff", new, old, *rules)[0] == 0  # resolving a flag never fails


def test_cli_diff_json_and_markdown(tmp_path: Path) -> None:
    old, new = _files(tmp_path, OLD_YAML.replace("importance: core", "importance: significant"))
    rules = ("--rules", str(DATA / "pack"))
    code, out, _ = _run("diff", old, new, *rules, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [f["rule_id"] for f in data["resolved"]] == ["PF-TST-010"]
    assert data["introduced"] == data["unchanged"] == []
    code, out, _ = _run("diff", old, new, *rules, "--format", "markdown")
    assert code == 0
    assert "## Resolved (1)\n\n- **PF-TST-010** The alliance is core to a party: " in out


def test_cli_diff_reads_a_saved_report(tmp_path: Path, tpack: RulePack) -> None:
    old, new = _files(tmp_path, OLD_YAML.replace("category: software", "category: services"))
    saved = tmp_path / "old.json"
    saved.write_text(evaluate(load_case(old), tpack).to_json(), encoding="utf-8")
    code, out, _ = _run("diff", str(saved), new, "--rules", str(DATA / "pack"), "--format", "json")
    assert code == 1
    assert [f["rule_id"] for f in json.loads(out)["introduced"]] == ["PF-TST-001"]


def test_cli_diff_errors_exit_2_with_location(tmp_path: Path) -> None:
    old, new = _files(tmp_path, OLD_YAML.replace("importance: core", "importance: kore"))
    code, out, err = _run("diff", old, new, "--rules", str(DATA / "pack"))
    assert (code, out) == (2, "")
    assert err.startswith(f"partnerfit: error: {new}:5: parties[0].importance: ")

    stale = tmp_path / "stale.json"
    stale.write_text('{"schema_version": "0.9", "findings": []}', encoding="utf-8")
    code, _, err = _run("diff", str(stale), new, "--rules", str(DATA / "pack"))
    assert code == 2
    assert "a saved report of schema '0.9'" in err


def test_cli_diff_on_two_versions_of_an_example_case(tmp_path: Path) -> None:
    """The licensing deal, renegotiated: performance conditions on a shorter exclusivity,
    but the joint KPIs dropped. Exactly those two flags change."""
    original = Path(__file__).resolve().parents[1] / "cases" / "licensing-outdoor-brand.yaml"
    text = original.read_text(encoding="utf-8")
    for old, new in [
        ("    years: 7\n", "    years: 3\n"),
        ("    performance_conditions: false\n", "    performance_conditions: true\n"),
        ("  joint_kpis: [units sold, return rate, royalty paid]\n", "  joint_kpis: []\n"),
    ]:
        assert old in text
        text = text.replace(old, new)
    revised = tmp_path / "licensing-v2.yaml"
    revised.write_text(text, encoding="utf-8")
    args = ["diff", str(original), str(revised), "--format", "json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output  # the new flag is medium; --fail-on high
    data = json.loads(result.stdout)

    def keys(findings: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
        return [
            (f["rule_id"], sorted(e["path"] for e in f["evidence"]))
            for f in findings
            if f["kind"] == "red_flag"
        ]

    assert keys(data["resolved"]) == [
        (
            "PF-EXC-001",
            [
                "alliance.exclusivity.exclusive",
                "alliance.exclusivity.performance_conditions",
                "alliance.exclusivity.years",
            ],
        )
    ]
    assert keys(data["introduced"]) == [("PF-MT-001", ["alliance.joint_kpis"])]
    assert [k for k, _ in keys(data["unchanged"])] == ["PF-EXC-002", "PF-GG-002"]
    assert CliRunner().invoke(main, [*args, "--fail-on", "medium"]).exit_code == 1
