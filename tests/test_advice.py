"""Advice on red flags: the single changes to a case that clear each flag, found by
re-running the rules on candidate edits (partnerfit.advice), never written per rule."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from partnerfit import advice
from partnerfit.api import evaluate
from partnerfit.case import Case
from partnerfit.cli import main
from partnerfit.errors import UsageError
from partnerfit.evaluation import evaluate_case, red_flags_of
from partnerfit.loading import load_case
from partnerfit.pack import RulePack, default_pack, load_pack
from partnerfit.report import Change, ChangeAction, Finding, Report

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted((ROOT / "cases").glob("*.yaml"))
TODAY = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def pack() -> RulePack:
    return default_pack()


def _advised(name: str, pack: RulePack) -> Report:
    return evaluate_case(load_case(ROOT / "cases" / name), pack, today=TODAY, advise=True)


def _words(report: Report) -> list[tuple[str, tuple[str, ...] | None, bool]]:
    return [
        (
            f.rule_id,
            None if f.clears_if is None else tuple(c.words for c in f.clears_if),
            f.no_single_change,
        )
        for f in report.red_flags()
    ]


def test_exact_advice_for_a_co_founding_with_split_loyalties(pack: RulePack) -> None:
    report = _advised("co-founding-split-loyalties.yaml", pack)
    assert _words(report) == [
        ("PF-EX-002", ("clears if exit terms are defined (now no)",), False),
        (
            "PF-PA-001",
            (
                'clears if "Matlåda Express" is dropped from Oskar Pettersson\'s other ventures',
                'clears if the relation of "Matlåda Express" becomes core (now competing)',
            ),
            False,
        ),
        (
            "PF-PA-003",
            (
                "clears if Oskar Pettersson's time commitment becomes full-time (now part-time)",
                "clears if Oskar Pettersson's expected commitment becomes part-time "
                "(now full-time)",
            ),
            False,
        ),
    ]
    first = report.red_flags()[0].clears_if
    assert first == (
        Change(
            words="clears if exit terms are defined (now no)",
            action=ChangeAction.set,
            path="governance.exit_terms.defined",
            value=True,
        ),
    )
    assert report.red_flags()[0].advice == "Clears if exit terms are defined (now no)."


def test_no_common_segment_clears_when_one_party_lists_the_other_s(pack: RulePack) -> None:
    """A rule that fires because something is absent (no overlap of segments): the change
    adds it, copying one party's item into the other's list."""
    report = _advised("early-stage-sparse.yaml", pack)
    assert _words(report) == [
        (
            "PF-MKT-001",
            (
                'clears if both parties list segments in common (e.g. "supermarket chains" '
                "added to Quillon Robotics BV's segments)",
            ),
            False,
        )
    ]
    (change,) = report.red_flags()[0].clears_if or ()
    assert (change.action, change.path, change.value) == (
        ChangeAction.add,
        "parties[0].markets.segments",
        "supermarket chains",
    )


def test_thresholds_false_fields_and_flags_no_single_change_clears(pack: RulePack) -> None:
    report = _advised("distribution-integrity-concerns.yaml", pack)
    assert _words(report) == [
        (
            "PF-EXC-001",
            (
                # Yes/no fields as clauses (wording.YES_NO).
                "clears if the deal is not exclusive (now yes)",
                "clears if the exclusivity lapses when agreed targets are missed (now no)",
                # The rule's own test (years >= 3), crossed by one step.
                "clears if how many years the exclusivity runs becomes 2 (now 5)",
            ),
            False,
        ),
        (
            "PF-IG-002",
            (
                "clears if Castellan Trade SA's references from earlier partners becomes "
                "provided (now refused)",
            ),
            False,
        ),
        (
            "PF-IN-002",
            ("clears if nobody is paid more for selling around the alliance (now yes)",),
            False,
        ),
        (
            "PF-EXC-002",
            ('clears if "lumora" is dropped from the parties bound by the exclusivity',),
            False,
        ),
        # Two past disputes: dropping either leaves the other.
        ("PF-IG-001", (), True),
    ]
    ig = report.red_flags()[-1]
    assert ig.advice == "No single change to the case clears this flag."


def test_a_field_that_may_be_false_is_advised_stated_and_list_items_shift(
    pack: RulePack,
) -> None:
    """``mechanism: false`` may be text or false, never true: the advice states it. Dropping
    the first of two disagreements clears the first flag, although the second then sits at
    index 0: the paths of the edited case are read in the original's terms."""
    report = _advised("failed-professional-partnership.yaml", pack)
    by_rule: dict[str, list[Finding]] = {}
    for f in report.red_flags():
        by_rule.setdefault(f.rule_id, []).append(f)
    assert [c.words for c in by_rule["PF-DL-001"][0].clears_if or ()] == [
        "clears if how a deadlock is broken is stated (now none)",
        "clears if how disputes are resolved is stated (now none)",
    ]
    assert by_rule["PF-DL-001"][0].clears_if[0].value == advice.STATED  # type: ignore[index]
    assert [[c.words for c in f.clears_if or ()] for f in by_rule["PF-EC-001"]] == [
        [
            'clears if "whose name comes first on proposals" is resolved (now no)',
            'clears if "whose name comes first on proposals" is dropped from disagreements so '
            "far in the talks",
        ],
        [
            'clears if "split of fees on shared projects" is resolved (now no)',
            'clears if "split of fees on shared projects" is dropped from disagreements so far '
            "in the talks",
        ],
    ]
    # Two parties with horizons 3 and 10 years: either takes the other's.
    assert [c.words for c in by_rule["PF-HZ-001"][0].clears_if or ()] == [
        "clears if Halden Architects LLP's horizon in years becomes 10, as Marrow & Finch "
        "Engineers Ltd's is (now 3)",
        "clears if Marrow & Finch Engineers Ltd's horizon in years becomes 3, as Halden "
        "Architects LLP's is (now 10)",
    ]
    # Mission and vision both differ: no one change makes the parties agree.
    assert by_rule["PF-AL-001"][0].clears_if == ()
    assert by_rule["PF-AL-001"][0].no_single_change
    # Joint KPIs: the only change that clears raises a lesser flag, and says so.
    (kpi,) = by_rule["PF-MT-001"][0].clears_if or ()
    assert kpi.raises == ("PF-MT-002",)
    assert by_rule["PF-MT-001"][0].advice == (
        "Clears if the joint KPIs list at least one item (raises PF-MT-002 instead, less severe)."
    )


def _apply(data: dict[str, Any], change: Change) -> dict[str, Any]:
    """The change made to a copy of the case's data, independently of partnerfit.advice."""
    out: dict[str, Any] = json.loads(json.dumps(data))
    *parents, last = change.path.replace("[", ".[").split(".")
    node: Any = out
    for part in parents:
        node = node[int(part[1:-1])] if part.startswith("[") else node[part]
    key: Any = int(last[1:-1]) if last.startswith("[") else last
    if change.action == ChangeAction.remove:
        del node[key]
    elif change.action == ChangeAction.add:
        node[key].append(change.value)
    else:
        node[key] = change.value
    return out


def _in_old_terms(flag: Finding, change: Change) -> tuple[str, tuple[str, ...]]:
    """A flag's key with its paths as the case before ``change`` has them: after item ``i``
    of a list is dropped, item ``j >= i`` was item ``j + 1``."""
    if change.action != ChangeAction.remove:
        return flag.key
    prefix, _, index = change.path.rpartition("[")
    dropped = int(index.rstrip("]"))

    def old(path: str) -> str:
        head = prefix + "["
        if not path.startswith(head):
            return path
        number, _, rest = path[len(head) :].partition("]")
        if not number.isdigit():
            return path
        j = int(number)
        return f"{head}{j + 1 if j >= dropped else j}]{rest}"

    return flag.rule_id, tuple(sorted(old(e.path) for e in flag.evidence))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_every_proposed_change_is_a_valid_case_that_clears_its_flag(
    path: Path, pack: RulePack
) -> None:
    """Never a change the case model refuses; and each change, made by hand, does clear its
    flag (no finding of that rule on the same evidence remains) with no new red flag as
    severe."""
    case = load_case(path)
    report = evaluate_case(case, pack, today=TODAY, advise=True)
    data = case.model_dump(mode="json", by_alias=True, exclude_none=True)
    before = {f.key for f in report.red_flags()}
    for flag in report.red_flags():
        assert flag.clears_if is not None, flag.rule_id
        assert bool(flag.clears_if) != flag.no_single_change
        for change in flag.clears_if:
            edited = load_case(_apply(data, change))  # raises CaseError if refused
            after = evaluate_case(edited, pack, today=TODAY)
            keys = {_in_old_terms(f, change) for f in after.red_flags()}
            assert flag.key not in keys, change.words
            new = [f for f in after.red_flags() if _in_old_terms(f, change) not in before]
            assert not [f for f in new if f.severity.rank >= flag.severity.rank], change.words


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_the_lean_evaluation_gives_the_report_s_red_flags(path: Path, pack: RulePack) -> None:
    case = load_case(path)
    assert red_flags_of(case, pack, TODAY) == evaluate_case(case, pack, today=TODAY).red_flags()


def test_the_lean_evaluation_applies_waivers(pack: RulePack) -> None:
    data = load_case(ROOT / "cases" / "jv-battery-recycling.yaml").model_dump(
        mode="json", by_alias=True, exclude_none=True
    )
    data["waivers"] = [{"rule": "PF-HZ-001", "justification": "Agreed to differ."}]
    case = load_case(data)
    flags = red_flags_of(case, pack, TODAY)
    assert [f.rule_id for f in flags] == ["PF-DL-002", "PF-EX-002"]
    assert flags == evaluate_case(case, pack, today=TODAY).red_flags()


def test_advice_is_off_unless_asked(pack: RulePack) -> None:
    case = load_case(ROOT / "cases" / "co-founding-split-loyalties.yaml")
    plain = evaluate(case, pack, today=TODAY)
    assert [(f.clears_if, f.no_single_change, f.advice) for f in plain.red_flags()] == [
        (None, False, None)
    ] * 3
    with pytest.raises(UsageError, match="must be True or False"):
        evaluate(case, pack, advise="yes")  # type: ignore[arg-type]


def test_advice_is_deterministic_within_and_across_processes(pack: RulePack) -> None:
    name = "failed-professional-partnership.yaml"
    first = _advised(name, pack).to_json()
    assert _advised(name, pack).to_json() == first
    code = (
        "import datetime as dt, sys\n"
        "from partnerfit.evaluation import evaluate_case\n"
        "from partnerfit.loading import load_case\n"
        "from partnerfit.pack import default_pack\n"
        "r = evaluate_case(load_case(sys.argv[1]), default_pack(), today=dt.date(2026, 6, 1),"
        " advise=True)\n"
        "sys.stdout.write(r.to_json())\n"
    )
    child = subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "cases" / name)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout == first


def test_work_is_bounded_by_the_budget(pack: RulePack) -> None:
    """At most ``max_evaluations`` re-evaluations per report; flags the budget did not reach
    have no advice (null), never a false "no single change"."""
    case = load_case(ROOT / "cases" / "failed-professional-partnership.yaml")
    report = evaluate_case(case, pack, today=TODAY)
    calls: list[Case] = []

    def counting(edited: Case) -> tuple[Finding, ...]:
        calls.append(edited)
        return red_flags_of(edited, pack, TODAY)

    full = advice.advise(report, case, pack, counting).red_flags()
    assert len(calls) > 5
    calls.clear()
    advised = advice.advise(report, case, pack, counting, max_evaluations=5)
    assert len(calls) == 5
    flags = advised.red_flags()
    assert [f.rule_id for f in flags] == [f.rule_id for f in full]
    assert flags[0] == full[0]  # PF-AL-001: its candidates fit in the budget
    assert flags[-1].clears_if is None
    for got, whole in zip(flags, full, strict=True):
        # Unreached: null. Reached in part: only changes the whole search also finds
        # (a first one), and never "no single change".
        if got.clears_if is not None:
            assert got.clears_if == (whole.clears_if or ())[: len(got.clears_if)]
            assert got.no_single_change == whole.no_single_change
        else:
            assert not got.no_single_change

    calls.clear()
    none = advice.advise(report, case, pack, counting, max_evaluations=0)
    assert calls == []
    assert none.findings == report.findings

    # Wall time spent (the safety net for huge cases): nothing more is tried, and no flag
    # is said to have no single change.
    late = advice.advise(report, case, pack, counting, seconds=0)
    assert calls == []
    assert late.findings == report.findings

    calls.clear()
    one = advice.advise(report, case, pack, counting, max_candidates=1)
    assert all(len(f.clears_if or ()) <= 1 for f in one.red_flags())
    assert len(calls) <= len(flags)


def test_advised_report_matches_the_committed_schema_and_reads_back(pack: RulePack) -> None:
    report = _advised("licensing-outdoor-brand.yaml", pack)
    schema = json.loads((ROOT / "tests" / "data" / "report.schema.json").read_text("utf-8"))
    jsonschema.validate(json.loads(report.to_json()), schema)
    assert Report.from_json(report.to_json()) == report


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        ((), True),
        (("--format", "markdown"), True),
        (("--format", "html"), True),
        (("--format", "json"), False),
        (("--no-advise",), False),
        (("--format", "json", "--advise"), True),
    ],
)
def test_check_advises_by_default_in_the_formats_people_read(
    args: tuple[str, ...], shown: bool
) -> None:
    case = str(ROOT / "cases" / "jv-battery-recycling.yaml")
    code, out = _cli("check", case, *args)
    assert code == 1
    words = "clears if an unresolved deadlock does not end the alliance"
    assert (words in out.lower()) == shown


def test_check_shows_advice_lines(tmp_path: Path) -> None:
    case = str(ROOT / "cases" / "professional-partnership-law-and-tax.yaml")
    _, table = _cli("check", case)
    assert "  Advice: Clears if the joint KPIs list at least one item.\n" in table
    _, md = _cli("check", case, "--format", "markdown")
    assert "*What would clear it:* Clears if the joint KPIs list at least one item.\n" in md
    _, page = _cli("check", case, "--format", "html")
    assert (
        '<p class="advice"><strong>What would clear it:</strong> '
        "Clears if the joint KPIs list at least one item.</p>"
    ) in page


def test_a_threshold_comes_from_the_rule_s_own_test(tmp_path: Path) -> None:
    """Nothing is written per rule: the same pack with the exclusivity rule's test at 5 years
    instead of 3 advises 4 years instead of 2."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    economics = rules / "economics.yaml"
    text = economics.read_text("utf-8")
    old = "exclusivity_years: {gte: 3}"
    assert text.count(old) == 1
    economics.write_text(text.replace(old, "exclusivity_years: {gte: 5}"), "utf-8")
    case = load_case(ROOT / "cases" / "licensing-outdoor-brand.yaml")
    for folder, years in ((ROOT / "rules", 2), (rules, 4)):
        report = evaluate_case(case, load_pack(folder), today=TODAY, advise=True)
        flag = next(f for f in report.red_flags() if f.rule_id == "PF-EXC-001")
        assert [c.words for c in flag.clears_if or ()][-1] == (
            f"clears if how many years the exclusivity runs becomes {years} (now 7)"
        )


def test_the_documented_example_is_what_check_says(pack: RulePack) -> None:
    doc = (ROOT / "docs" / "advice.md").read_text("utf-8")
    block = doc.split("```text\n", 1)[1].split("```", 1)[0]
    shown = [line for line in block.splitlines() if line.startswith("PF-")]
    report = _advised("jv-battery-recycling.yaml", pack)
    assert shown == [f"{f.rule_id} | {f.advice}" for f in report.red_flags()]


def test_an_edit_the_case_model_refuses_is_never_evaluated(pack: RulePack) -> None:
    """``mechanism`` may be text or false, never true: such an edit is refused by the
    case model and dropped before the rules run (the candidates no longer make it, too)."""
    case = load_case(ROOT / "cases" / "failed-professional-partnership.yaml")
    data = case.model_dump(mode="json", by_alias=True, exclude_none=True)
    calls: list[Case] = []

    def counting(edited: Case) -> tuple[Finding, ...]:
        calls.append(edited)
        return red_flags_of(edited, pack, TODAY)

    refused = advice._Candidate(0, ChangeAction.set, "governance.deadlock.mechanism", True, "")
    assert advice._evaluate_edit(data, refused, counting) is None
    assert calls == []
    report = evaluate_case(case, pack, today=TODAY)
    flag = next(f for f in report.red_flags() if f.rule_id == "PF-DL-001")
    assert [(c.path, c.value) for c in advice._candidates(flag, case, pack)] == [
        ("governance.deadlock.mechanism", advice.STATED),
        ("governance.dispute_resolution", advice.STATED),
    ]
