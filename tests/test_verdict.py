"""The verdict: how much of what the pack asks a case answers, the ``incomplete`` verdict
below the pack's ``incomplete_below``, and one finding per cause with three or more
parties. The pack in ``tests/data/verdict`` asks 9 questions: 2 of the case and 7 of each
party."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import random
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from partnerfit import evaluate, load_case, load_pack
from partnerfit.batch import BatchItem
from partnerfit.case import Case, Severity
from partnerfit.cli import main
from partnerfit.coverage import asked_fields
from partnerfit.errors import PackError
from partnerfit.evaluation import decide, evaluate_case, risk_score, trace
from partnerfit.formats import render, render_batch
from partnerfit.pack import RuleKind, RulePack, VerdictPolicy
from partnerfit.report import Coverage, Finding, FindingKind, Report, Verdict

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
VERDICT_PACK = DATA / "verdict"
NAMES = ("Alpha", "Beta", "Gamma", "Delta", "Epsilon")


@pytest.fixture(scope="module")
def pack() -> RulePack:
    return load_pack(VERDICT_PACK)


def _party(n: int, **fields: Any) -> dict[str, Any]:
    """A party that answers every question of the verdict pack; ``None`` leaves one out."""
    party: dict[str, Any] = {
        "id": NAMES[n].lower(),
        "name": NAMES[n],
        "offerings": [{"category": "software", "segments": [f"segment {n}"]}],
        "markets": {"segments": [f"segment {n}"], "regions": ["DACH"]},
        "competitors": ["Globex"],
        "executive_sponsor": f"Sponsor {n}",
        "history": {"past_partner_disputes": [], "references": "provided"},
        "principals": [{"name": f"Principal {n}", "commitment": "full_time"}],
        "answers": {"vision": "Every clinic digital"},
    }
    party.update(fields)
    return {k: v for k, v in party.items() if v is not None}


def _case(*parties: dict[str, Any], **alliance: Any) -> dict[str, Any]:
    return {
        "id": "deal",
        "alliance": {"kind": "distribution", "target_market": {"regions": ["DACH"]}, **alliance},
        "governance": {"alliance_manager": "Ines Koller"},
        "parties": list(parties),
    }


def _check(case: dict[str, Any], pack: RulePack | None = None) -> Report:
    return evaluate(load_case(case), pack or load_pack(VERDICT_PACK))


# --- answered coverage --------------------------------------------------------------------


def test_the_questions_are_the_most_specific_fields_the_rules_require(pack: RulePack) -> None:
    # party.offerings, party.answers and party.principals are blocks with a required field
    # inside; the derived rule's requires raise no open question and are not asked.
    assert asked_fields(pack) == (
        "alliance.target_market",
        "governance.alliance_manager",
        "party.answers.vision",
        "party.competitors",
        "party.executive_sponsor",
        "party.history",
        "party.markets",
        "party.offerings.segments",
        "principal.commitment",
    )


def test_a_case_that_answers_everything(pack: RulePack) -> None:
    report = _check(_case(_party(0), _party(1)), pack)
    assert report.coverage == Coverage(asked=16, answered=16, ratio=1.0)
    assert report.verdict == Verdict.proceed


def test_each_party_is_asked_its_own_fields(pack: RulePack) -> None:
    report = _check(_case(_party(0), _party(1), _party(2)), pack)
    assert report.coverage == Coverage(asked=23, answered=23, ratio=1.0)


def test_an_unknown_block_leaves_every_question_inside_it_open(pack: RulePack) -> None:
    alpha = _party(
        0,
        offerings=[
            {"category": "software", "segments": ["segment 0"]},
            {"category": "services"},  # one offering without segments: the question is open
        ],
        principals=None,  # principal.commitment cannot be answered either
    )
    beta = _party(1, answers=None, competitors=None, history=None)
    report = _check(_case(alpha, beta), pack)
    # Open: alpha's segments and principal commitment; beta's vision, competitors, history.
    assert report.coverage == Coverage(asked=16, answered=11, ratio=0.6875)


def test_false_none_and_empty_lists_are_answers(pack: RulePack) -> None:
    alpha = _party(0, executive_sponsor=False, competitors=[], principals=[])
    report = _check(_case(alpha, _party(1)), pack)
    assert report.coverage == Coverage(asked=16, answered=16, ratio=1.0)
    assert [f.rule_id for f in report.red_flags()] == ["PF-VT-003", "PF-VT-005"]


def test_a_case_level_question_is_asked_once(pack: RulePack) -> None:
    case = _case(_party(0), _party(1))
    del case["governance"]
    del case["alliance"]["target_market"]
    report = _check(case, pack)
    assert report.coverage == Coverage(asked=16, answered=14, ratio=0.875)


def test_a_pack_that_asks_nothing_is_fully_answered() -> None:
    report = _check(_case(_party(0), _party(1)), load_pack(DATA / "pack"))
    assert report.coverage == Coverage(asked=0, answered=0, ratio=1.0)
    assert report.verdict == Verdict.proceed


def test_coverage_is_in_the_json_report(pack: RulePack) -> None:
    report = _check({"id": "names-only", "parties": [_bare(0), _bare(1)]}, pack)
    data = json.loads(report.to_json())
    assert data["coverage"] == {"asked": 16, "answered": 0, "ratio": 0.0}
    assert data["verdict"] == "incomplete"
    assert Report.from_json(report.to_json()) == report


def test_a_report_from_before_coverage_still_reads(pack: RulePack) -> None:
    data = json.loads(_check(_case(_party(0), _party(1)), pack).to_json())
    del data["coverage"]
    data["schema_version"] = "1.1"
    old = Report.from_json(json.dumps(data))
    assert (old.coverage, old.verdict) == (None, Verdict.proceed)
    assert "Answered" not in render(old, "table")


def _bare(n: int) -> dict[str, Any]:
    return {"id": NAMES[n].lower(), "name": NAMES[n]}


# --- the incomplete verdict ---------------------------------------------------------------


def _flag(severity: Severity, rule: str = "PF-X-001") -> Finding:
    return Finding(
        rule_id=rule,
        name="x",
        kind=FindingKind.red_flag,
        severity=severity,
        title=f"A {severity.value} flag",
        message="m",
        evidence=(),
        area="structure",
    )


def _coverage(answered: int, asked: int) -> Coverage:
    return Coverage(asked=asked, answered=answered, ratio=round(answered / asked, 4))


POLICY = VerdictPolicy(incomplete_below=0.5)


def test_too_little_answered_is_incomplete_not_proceed_with_conditions() -> None:
    """The issue's case: 1 high red flag and most questions open."""
    findings = [_flag(Severity.high)]
    assert decide(findings, POLICY, _coverage(4, 55)) == (
        Verdict.incomplete,
        "answered 4 of 55 questions the pack asks (7%), below the 50% the pack needs to "
        "judge; 1 high red flag: PF-X-001 (A high flag)",
    )
    # Without the threshold, the same findings read as before.
    assert decide(findings, VerdictPolicy(), _coverage(4, 55))[0] == (
        Verdict.proceed_with_conditions
    )


def test_nothing_flagged_and_little_answered_is_incomplete_not_proceed() -> None:
    verdict, reason = decide([], POLICY, _coverage(1, 16))
    assert (verdict, reason) == (
        Verdict.incomplete,
        "answered 1 of 16 questions the pack asks (6%), below the 50% the pack needs to judge",
    )


def test_a_knock_out_is_a_knock_out_however_little_is_answered() -> None:
    verdict, reason = decide([_flag(Severity.critical)], POLICY, _coverage(0, 55))
    assert verdict == Verdict.reconsider
    assert reason.startswith("1 critical red flag")


# --- red flags weighed together -------------------------------------------------------------


def test_risk_adds_up_each_rule_once_at_its_worst() -> None:
    flags = [
        _flag(Severity.high, "PF-X-001"),
        _flag(Severity.high, "PF-X-001"),  # the same rule on a second segment
        _flag(Severity.medium, "PF-X-002"),
        _flag(Severity.low, "PF-X-003"),
        _flag(Severity.medium, "PF-X-004"),
        _flag(Severity.high, "PF-X-004"),  # worst severity of a rule counts
    ]
    assert risk_score(flags) == 2 + 1 + 0 + 2


@pytest.mark.parametrize(
    ("severities", "verdict"),
    [
        (["high", "high"], Verdict.reconsider),
        (["high", "medium", "medium"], Verdict.reconsider),
        (["medium"] * 4, Verdict.reconsider),
        (["high", "medium"], Verdict.proceed_with_conditions),
        (["medium"] * 3 + ["low"] * 5, Verdict.proceed_with_conditions),
    ],
)
def test_two_high_causes_or_their_weight_in_medium_ones_reconsider(
    severities: list[str], verdict: Verdict
) -> None:
    flags = [_flag(Severity(s), f"PF-X-{n:03d}") for n, s in enumerate(severities)]
    policy = VerdictPolicy(reconsider_score=4)
    chosen, reason = decide(flags, policy, _coverage(40, 50))
    assert chosen == verdict
    if verdict is Verdict.reconsider:
        assert reason.startswith("red flags weigh ")
        assert "the pack reconsiders at 4" in reason


def test_one_rule_on_many_segments_is_one_cause_not_a_reconsider() -> None:
    flags = [_flag(Severity.high, "PF-X-001") for _ in range(2)]
    assert decide(flags, VerdictPolicy(reconsider_score=4), _coverage(40, 50))[0] == (
        Verdict.proceed_with_conditions
    )


def test_enough_high_flags_reconsider_however_little_is_answered() -> None:
    """Answers to come can add red flags, never take one away: reconsider stands."""
    highs = [_flag(Severity.high, f"PF-X-00{n}") for n in range(1, 4)]
    assert decide(highs, POLICY, _coverage(0, 55))[0] == Verdict.reconsider
    assert decide(highs[:2], POLICY, _coverage(0, 55))[0] == Verdict.incomplete


def test_the_threshold_is_strictly_below() -> None:
    assert decide([], POLICY, _coverage(8, 16))[0] == Verdict.proceed
    # 27 of 55 is 49.09%: shown rounded down, never as the 50% it falls short of.
    verdict, reason = decide([], POLICY, _coverage(27, 55))
    assert verdict == Verdict.incomplete
    assert reason.startswith("answered 27 of 55 questions the pack asks (49%), below the 50%")
    assert decide([], VerdictPolicy(incomplete_below=1.0), _coverage(54, 55))[0] == (
        Verdict.incomplete
    )


def test_no_coverage_no_incomplete() -> None:
    assert decide([], POLICY, None)[0] == Verdict.proceed


def test_end_to_end_with_the_pack(pack: RulePack) -> None:
    names_only = {"id": "names-only", "parties": [_bare(0), _bare(1)]}
    assert _check(names_only, pack).verdict == Verdict.incomplete
    refused = {
        "id": "refused",
        "parties": [{**_bare(0), "history": {"references": "refused"}}, _bare(1)],
    }
    report = _check(refused, pack)
    assert report.coverage == Coverage(asked=16, answered=1, ratio=0.0625)
    assert report.verdict == Verdict.reconsider


def _write_pack(folder: Path, verdict: str) -> Path:
    folder.mkdir()
    (folder / "pack.yaml").write_text(f"name: overlay\nversion: 1.0.0\n{verdict}", encoding="utf-8")
    return folder


@pytest.mark.parametrize("value", ["'0.5'", "true", "0", "1.5", "-0.2"])
def test_a_bad_threshold_is_refused_at_its_line(tmp_path: Path, value: str) -> None:
    folder = _write_pack(tmp_path / "bad", f"verdict:\n  incomplete_below: {value}\n")
    with pytest.raises(PackError) as caught:
        load_pack(folder)
    loc = caught.value.location
    assert (Path(str(loc.file)).name, loc.line, loc.field) == (
        "pack.yaml",
        4,
        "verdict.incomplete_below",
    )


def test_a_later_verdict_block_without_the_key_turns_incomplete_off(tmp_path: Path) -> None:
    names_only = load_case({"id": "names-only", "parties": [_bare(0), _bare(1)]})
    silent = _write_pack(tmp_path / "silent", "description: no verdict block\n")
    assert evaluate(names_only, load_pack(VERDICT_PACK, silent)).verdict == Verdict.incomplete
    off = _write_pack(tmp_path / "off", "verdict:\n  reconsider_high: 2\n")
    report = evaluate(names_only, load_pack(VERDICT_PACK, off))
    assert report.verdict == Verdict.proceed_with_conditions
    assert report.coverage == Coverage(asked=16, answered=0, ratio=0.0)


def test_the_default_pack_sets_a_threshold() -> None:
    assert load_pack().verdict.incomplete_below == 0.25
    assert load_pack().verdict.reconsider_score == 4


# --- every format shows it ----------------------------------------------------------------


@pytest.fixture(scope="module")
def incomplete_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("incomplete") / "names-only.yaml"
    case = {"id": "names-only", "parties": [_bare(0), {**_bare(1), "executive_sponsor": False}]}
    path.write_text(yaml.safe_dump(case), encoding="utf-8")
    return path


def test_table_and_markdown_show_the_verdict_and_what_was_answered(
    incomplete_case: Path, pack: RulePack
) -> None:
    report = evaluate_case(load_case(incomplete_case), pack)
    table = render(report, "table").splitlines()
    assert table[3:5] == [
        "Verdict   incomplete: answered 1 of 16 questions the pack asks (6%), below the 50% "
        "the pack needs to judge",
        "Answered  1 of 16 questions the pack asks (6%)",
    ]
    markdown = render(report, "markdown").splitlines()
    assert markdown[2:5] == [
        "**Verdict: incomplete**. answered 1 of 16 questions the pack asks (6%), below the "
        "50% the pack needs to judge",
        "",
        "The case answers 1 of 16 questions the pack asks (6%).",
    ]
    assert json.loads(render(report, "json"))["verdict"] == "incomplete"


def test_batch_formats_show_the_label(incomplete_case: Path, pack: RulePack) -> None:
    report = evaluate_case(load_case(incomplete_case), pack)
    items = [BatchItem(index=0, path=incomplete_case, report=report)]
    summary = "1 case: 0 proceed, 0 proceed with conditions, 0 reconsider, 1 incomplete, 0 errors"
    table = render_batch(items, "table", pack=pack).splitlines()
    assert table[2].split()[1:3] == ["names-only", "incomplete"]
    assert table[-1] == summary
    rows = list(csv.reader(io.StringIO(render_batch(items, "csv", pack=pack))))
    assert rows[1][:4] == [str(incomplete_case), "names-only", "ok", "incomplete"]
    doc = json.loads(render_batch(items, "json", pack=pack))
    assert doc["summary"]["verdicts"] == {
        "proceed": 0,
        "proceed_with_conditions": 0,
        "reconsider": 0,
        "incomplete": 1,
    }
    assert doc["results"][0]["report"]["coverage"] == {"asked": 16, "answered": 1, "ratio": 0.0625}
    markdown = render_batch(items, "markdown", pack=pack)
    # 9 questions: the missing fields the pack's 8 unjudged rules wait on, each asked once.
    assert (report.counts.open_questions, report.counts.questions) == (8, 9)
    assert "| names-only | incomplete | 0 | 0 | 0 | 1 | 9 | PF-VT-005 |" in markdown
    assert f"**{summary}**" in markdown
    assert f'<property name="summary" value="{summary}"/>' in render_batch(
        items, "junit", pack=pack
    )
    sarif = json.loads(render_batch(items, "sarif", pack=pack))
    assert sarif["runs"][0]["invocations"][0]["properties"]["summary"] == summary


def test_the_exit_code_follows_red_flags_not_the_verdict(incomplete_case: Path) -> None:
    """incomplete is a verdict, not a red flag: --fail-on decides the exit code."""
    args = ["check", str(incomplete_case), "--rules", str(VERDICT_PACK)]
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 0, done.output
    assert "Verdict   incomplete" in done.output
    done = CliRunner().invoke(main, [*args, "--fail-on", "low"])
    assert done.exit_code == 1  # the low no-sponsor flag


# --- one finding per cause ----------------------------------------------------------------


def _five(**alliance: Any) -> dict[str, Any]:
    """Five parties that all sell software and hardware to clinics in DACH, each with its
    own competitor; the alliance targets the Nordics."""
    parties = [
        _party(
            n,
            offerings=[
                {"category": "software", "segments": ["dental clinics"]},
                {"category": "hardware", "segments": ["dental clinics"]},
            ],
            markets={"segments": ["dental clinics"], "regions": ["DACH"]},
            competitors=[f"Rival {n}"],
            executive_sponsor=False if n < 2 else f"Sponsor {n}",
        )
        for n in range(5)
    ]
    return _case(*parties, target_market={"regions": ["Nordics"]}, **alliance)


PAIRS = (
    "This holds for 10 pairs among Alpha, Beta, Gamma, Delta and Epsilon: Alpha–Beta, "
    "Alpha–Gamma, Alpha–Delta, Alpha–Epsilon, Beta–Gamma, Beta–Delta, Beta–Epsilon, "
    "Gamma–Delta, Gamma–Epsilon, Delta–Epsilon."
)


def test_five_parties_get_one_finding_per_cause(pack: RulePack) -> None:
    case = load_case(_five())
    flagging = {lr.rule.id for lr in pack.active() if lr.rule.kind == RuleKind.red_flag}
    fired = Counter(t.rule for t in trace(case, pack) if t.rule in flagging)
    assert fired == {"PF-VT-001": 20, "PF-VT-003": 10, "PF-VT-004": 10, "PF-VT-005": 2}
    report = evaluate_case(case, pack)
    flags = [(f.rule_id, f.message) for f in report.red_flags()]
    assert flags == [
        ("PF-VT-001", f"Alpha and Beta both sell software to dental clinics. {PAIRS}"),
        ("PF-VT-001", f"Alpha and Beta both sell hardware to dental clinics. {PAIRS}"),
        ("PF-VT-003", f"Alpha competes with Rival 0; Beta with Rival 1. {PAIRS}"),
        ("PF-VT-004", f"The alliance targets Nordics; Alpha sells in DACH, Beta in DACH. {PAIRS}"),
        # One party each: not a pairwise cause, one finding per party as ever.
        ("PF-VT-005", "Alpha has no executive sponsor."),
        ("PF-VT-005", "Beta has no executive sponsor."),
    ]
    software = report.red_flags()[0]
    assert [(e.path, e.party) for e in software.evidence] == [
        (f"parties[{n}].offerings[0].segments[0]", NAMES[n].lower()) for n in range(5)
    ]
    region = report.red_flags()[3]
    assert [e.path for e in region.evidence] == [
        "alliance.target_market.regions[0]",
        *(f"parties[{n}].markets.regions" for n in range(5)),
    ]
    # Two high flags (two shared offerings), not twenty; for the verdict they are one rule,
    # one kind of problem, below the pack's two.
    assert report.counts.high == 2
    assert report.verdict == Verdict.proceed_with_conditions


def test_five_parties_with_the_default_pack() -> None:
    """The issue's five-member alliance: 20 pairwise same-offering flags and 10 region
    flags were one finding per pair; now one per shared offering and one per region."""
    case = load_case(_five())
    pack = load_pack()
    report = evaluate_case(case, pack)
    per_pair = {(t.rule, tuple(sorted(t.paths))) for t in trace(case, pack)}
    before = Counter(rule for rule, _ in per_pair)
    after = Counter(f.rule_id for f in report.red_flags())
    assert (before["PF-BM-001"], before["PF-MKT-003"]) == (20, 10)
    assert (after["PF-BM-001"], after["PF-MKT-003"]) == (2, 1)
    aggregated = [f for f in report.red_flags() if f.rule_id in ("PF-BM-001", "PF-MKT-003")]
    assert all(
        "This holds for 10 pairs among Alpha, Beta, Gamma, Delta and Epsilon: " in f.message
        for f in aggregated
    )


def test_different_values_are_different_causes(pack: RulePack) -> None:
    """A, B and C sell software to clinics; B and C also sell hardware to schools."""
    segs = [{"category": "software", "segments": ["clinics"]}]
    extra = [{"category": "hardware", "segments": ["schools"]}]
    case = _case(
        _party(0, offerings=segs),
        _party(1, offerings=segs + extra),
        _party(2, offerings=segs + extra),
    )
    flags = [f for f in _check(case, pack).red_flags() if f.rule_id == "PF-VT-001"]
    assert [f.message for f in flags] == [
        "Alpha and Beta both sell software to clinics. This holds for 3 pairs among Alpha, "
        "Beta and Gamma: Alpha–Beta, Alpha–Gamma, Beta–Gamma.",
        # Only Beta and Gamma sell hardware to schools: one pair, the firing's own message.
        "Beta and Gamma both sell hardware to schools.",
    ]


def test_a_cause_on_one_pair_stays_one_finding_per_firing(pack: RulePack) -> None:
    """Three parties; only Alpha and Beta overlap, on two offerings: two findings, as with
    two parties."""
    both = [
        {"category": "software", "segments": ["clinics"]},
        {"category": "hardware", "segments": ["clinics"]},
    ]
    case = _case(_party(0, offerings=both), _party(1, offerings=both), _party(2))
    flags = [f for f in _check(case, pack).red_flags() if f.rule_id == "PF-VT-001"]
    assert [f.message for f in flags] == [
        "Alpha and Beta both sell software to clinics.",
        "Alpha and Beta both sell hardware to clinics.",
    ]


def _firings(case: Case, pack: RulePack) -> set[tuple[str, frozenset[str]]]:
    """Each firing of a rule that makes findings: its rule and the paths it cites."""
    kinds = {lr.rule.id: lr.rule.kind for lr in pack.active()}
    return {
        (t.rule, frozenset(t.paths))
        for t in trace(case, pack)
        if t.rule in kinds and kinds[t.rule] != RuleKind.derived
    }


def _firings_in(finding: Finding, fired: set[tuple[str, frozenset[str]]]) -> list[frozenset[str]]:
    cited = {e.path for e in finding.evidence}
    return [paths for rule, paths in fired if rule == finding.rule_id and paths <= cited]


# Two-party example cases whose findings gather several firings of one cause, and how many.
ONE_CAUSE_MANY_FIRINGS = {
    # The same key words in the vision and in the mission: one strength, both cited.
    **{
        (case, "PF-AL-010"): 2
        for case in (
            "co-founding-split-loyalties",
            "co-marketing-payroll-accountants",
            "good-fit-scanners-and-service",
            "jv-battery-recycling",
            "licensing-outdoor-brand",
            "professional-partnership-law-and-tax",
            "technology-partner-is-rival",
        )
    },
    # Vision and mission both diverge: one red flag.
    ("failed-professional-partnership", "PF-AL-001"): 2,
    # One competitor that is the partner, found under its name and under one of its brands.
    ("f1-vw-suzuki", "PF-FOE-002"): 2,
    ("f8-yahoo-microsoft", "PF-FOE-002"): 2,
}


def test_two_party_cases_get_one_finding_per_cause() -> None:
    """Every firing is in a finding of its rule, and every finding cites exactly what its
    firings cite; the findings that gather several firings of one cause are these."""
    pack = load_pack()
    gathered = {}
    for path in sorted((ROOT / "cases").rglob("*.yaml")):
        case = load_case(path)
        assert len(case.parties) == 2
        report = evaluate_case(case, pack)
        found = [f for f in report.findings if f.kind != FindingKind.open_question]
        found += [w.finding for w in report.waived]
        assert len(found) == len({f.key for f in found})
        fired = _firings(case, pack)
        for f in found:
            inside = _firings_in(f, fired)
            assert {e.path for e in f.evidence} == set().union(*inside), (path.stem, f.rule_id)
            if len(inside) > 1:
                gathered[(path.stem, f.rule_id)] = len(inside)
        for rule, paths in fired:
            assert any(f.rule_id == rule and paths <= {e.path for e in f.evidence} for f in found)
        assert not any("This holds for" in f.message for f in found)
    assert gathered == ONE_CAUSE_MANY_FIRINGS


def test_one_cause_on_one_pair_reads_each_firing() -> None:
    """PF-AL-010 fired on the vision and on the mission: one strength that says both."""
    report = evaluate_case(load_case(ROOT / "cases" / "licensing-outdoor-brand.yaml"), load_pack())
    [shared] = [f for f in report.findings if f.rule_id == "PF-AL-010"]
    assert shared.message == (
        "On the mission, Fjellvind AS and Carrow Textiles Ltd independently used the same key "
        "words (families, outdoors, weather). On the vision, Fjellvind AS and Carrow Textiles "
        "Ltd independently used the same key words (family, mountain, whole)."
    )
    assert report.counts.strengths == len(
        {f.key for f in report.findings if f.kind.value == "strength"}
    )


def _casegen() -> ModuleType:
    spec = importlib.util.spec_from_file_location("casegen", ROOT / "benchmarks" / "casegen.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_cases_lose_no_firing() -> None:
    """On generated deals of two and three parties, every firing's evidence is in a finding
    of its rule; with two, a finding cites what its firings cite and nothing else; with
    three, a finding that merges firings of several pairs names its pairs."""
    pack = load_pack()
    make_case = _casegen().make_case
    rng = random.Random(20260601)
    merged = 0
    for n in range(150):
        case = load_case(make_case(rng, n))
        report = evaluate_case(case, pack)
        found = [f for f in report.findings if f.kind != FindingKind.open_question]
        found += [w.finding for w in report.waived]
        fired = _firings(case, pack)
        if len(case.parties) == 2:
            for f in found:  # one finding per cause: its firings' evidence, nothing else
                inside = _firings_in(f, fired)
                assert {e.path for e in f.evidence} == set().union(*inside)
        for rule, paths in fired:
            assert any(
                f.rule_id == rule and paths <= {e.path for e in f.evidence} for f in found
            ), (case.id, rule, sorted(paths))
        for f in found:
            if "This holds for" in f.message:
                merged += 1
                assert len({e.party for e in f.evidence if e.party is not None}) >= 3
    assert merged > 0


def test_the_reason_says_how_many_rules_its_flags_come_from() -> None:
    flags = [
        _flag(Severity.high, "PF-X-001"),
        _flag(Severity.high, "PF-X-001"),
        _flag(Severity.high, "PF-X-002"),
    ]
    verdict, reason = decide(flags, VerdictPolicy(reconsider_high=2), _coverage(40, 50))
    assert (verdict, reason) == (
        Verdict.reconsider,
        "3 high red flags from 2 rules: PF-X-001 (A high flag), PF-X-002 (A high flag)",
    )
