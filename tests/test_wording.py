"""Findings in a reader's words: no enumerated value, field path or bare count in prose."""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from partnerfit import load_case, load_pack
from partnerfit.case import Case
from partnerfit.evaluation import evaluate_case
from partnerfit.facts import VOCABULARY
from partnerfit.pack import RulePack
from partnerfit.report import Finding, FindingKind, Report
from partnerfit.wording import (
    YES_NO,
    block_words,
    choice_words,
    field_words,
    fields_words,
    scalar_words,
    yes_no_words,
)

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "cases"
EXAMPLES = sorted(CASES.rglob("*.yaml"))

# Every enumerated value the vocabulary knows that is not a plain word.
ENUM_WORDS = sorted(
    {
        choice
        for ftype in VOCABULARY.values()
        for spec in ftype.all_fields().values()
        for choice in spec.choices or ()
        if "_" in choice
    }
)


@pytest.fixture(scope="module")
def pack() -> RulePack:
    return load_pack()


@pytest.fixture(scope="module")
def reports(pack: RulePack) -> list[tuple[Path, Case, Report]]:
    out = []
    for path in EXAMPLES:
        case = load_case(path)
        out.append((path, case, evaluate_case(case, pack)))
    return out


def _all(report: Report) -> list[Finding]:
    return [*report.findings, *(w.finding for w in report.waived)]


def _finding(report: Report, rule_id: str) -> Finding:
    [found] = [f for f in _all(report) if f.rule_id == rule_id]
    return found


def _by_stem(reports: list[tuple[Path, Case, Report]], stem: str) -> Report:
    return next(r for p, _, r in reports if p.stem == stem)


def test_choice_words() -> None:
    assert choice_words("part_time") == "part-time"
    assert choice_words("co_founding") == "co-founding"
    assert choice_words("top_down") == "top-down"
    assert choice_words("loosely_related") == "loosely related"
    assert choice_words("joint_venture") == "joint venture"
    assert choice_words("three_year_goal") == "three-year goal"
    assert choice_words("core") == "core"


def test_no_message_shows_an_enumerated_value(reports: list[tuple[Path, Case, Report]]) -> None:
    """Once "The co_founding has no agreed exit", "will give the alliance part_time", "is
    loosely_related to" (the last through a derived fact that copies the value)."""
    assert "part_time" in ENUM_WORDS
    assert "loosely_related" in ENUM_WORDS
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, ENUM_WORDS)) + r")\b")
    shown = 0
    for path, _, report in reports:
        for f in _all(report):
            shown += 1
            assert not pattern.search(f.message), (path.stem, f.rule_id, f.message)
    assert shown > 500


def test_enumerated_values_read_as_words(reports: list[tuple[Path, Case, Report]]) -> None:
    split = _by_stem(reports, "co-founding-split-loyalties")
    commitment = _finding(split, "PF-PA-003")
    assert commitment.message == (
        "Oskar Pettersson of Pettersson Logistik AB will give the alliance part-time, but the "
        "other side expects full-time."
    )
    # The evidence keeps the word the file uses.
    assert [e.value for e in commitment.evidence] == ["part_time", "full_time"]
    assert _finding(split, "PF-EX-002").message.startswith("The co-founding has no agreed exit")
    failed = _by_stem(reports, "failed-professional-partnership")
    drift = [f.message for f in failed.red_flags() if f.rule_id == "PF-SC-001"]
    assert drift[0] == (
        'The planned project "Boutique hotel interior fit-outs" is loosely related to the '
        "joint business model."
    )


def test_no_message_shows_a_score_or_a_doubled_full_stop(
    reports: list[tuple[Path, Case, Report]],
) -> None:
    """ "keyword overlap 0.067" was an internal score; "Yahoo! Inc.." a name's full stop
    followed by the sentence's."""
    for path, _, report in reports:
        for f in _all(report):
            assert "overlap 0" not in f.message, (path.stem, f.rule_id)
            assert not re.search(r"(?<!\.)\.\.(?!\.)", f.message), (path.stem, f.message)
    yahoo = _by_stem(reports, "f8-yahoo-microsoft")
    flags = [f.message for f in yahoo.red_flags() if f.rule_id == "PF-FOE-002"]
    assert flags[0].endswith("belongs to its partner Yahoo! Inc.")


_PATH = re.compile(r"\w\[\d+\]|\b(parties|alliance|governance)\.\w|_")


def test_open_questions_name_fields_in_words(reports: list[tuple[Path, Case, Report]]) -> None:
    """ "Fill in: parties[0].answers.three_year_goal" named a path; the paths stay in the
    evidence."""
    asked = 0
    for path, case, report in reports:
        for f in report.findings:
            if f.kind != FindingKind.open_question:
                continue
            asked += 1
            fill_in = f.message[f.message.index("Fill in: ") :]
            assert not _PATH.search(fill_in), (path.stem, f.rule_id, fill_in)
            assert all(e.value is None and case.line_of(e.path) == e.line for e in f.evidence)
    assert asked > 300
    failed = _by_stem(reports, "failed-professional-partnership")
    horizon = _finding(failed, "PF-HZ-002")
    assert horizon.message.endswith(
        "Fill in: Halden Architects LLP's and Marrow & Finch Engineers Ltd's three-year goal."
    )
    assert [e.path for e in horizon.evidence] == [
        "parties[0].answers.three_year_goal",
        "parties[1].answers.three_year_goal",
    ]
    personal = [
        f for f in failed.findings if f.rule_id == "PF-PA-002" and f.kind.value == "open_question"
    ]
    assert personal[0].message.endswith(
        "Fill in: Clare Halden's, Rupert Shaw's and Owen Marrow's personal goals."
    )


def test_field_words_name_the_owner() -> None:
    case = load_case(
        {
            "id": "words",
            "parties": [
                {
                    "id": "a",
                    "name": "Alpha Ops",
                    "offerings": [
                        {"category": "software", "description": "Route planner"},
                        {"category": "hardware"},
                    ],
                    "principals": [{"name": "Ana Alves"}],
                    "affiliates": [{"name": "Alpha Parent", "relation": "parent"}],
                },
                {"id": "b", "name": "Beta"},
            ],
            "alliance": {
                "ip": {"key_assets": [{"name": "RouteCore", "kind": "patent", "owner": "a"}]}
            },
        }
    )
    at = case.value_at
    assert field_words("parties[0].answers.three_year_goal", at) == "Alpha Ops' three-year goal"
    assert field_words("parties[1].answers.vision", at) == "Beta's vision"
    assert field_words("parties[0].principals[0].personal_goals", at) == "Ana Alves' personal goals"
    assert field_words("parties[0].offerings[0].segments", at) == (
        'the segments Alpha Ops\' offering "Route planner" is sold to'
    )
    assert field_words("parties[0].offerings[1].segments", at) == (
        'the segments Alpha Ops\' offering "hardware" is sold to'
    )
    assert field_words("parties[0].affiliates[0].sells", at) == (
        "what Alpha Ops' affiliate Alpha Parent sells"
    )
    assert field_words("alliance.ip.key_assets[0].access", at) == "how the alliance gets RouteCore"
    assert field_words("governance.alliance_manager", at) == "who manages the alliance day to day"
    # A field the table does not know is still named in words, never as a path.
    assert field_words("parties[1].brand_new_field", at) == "Beta's brand new field"
    assert fields_words(
        [("parties[0].answers.vision", None), ("parties[1].answers.vision", None)], at
    ) == ("Alpha Ops' and Beta's vision")
    assert fields_words(
        [("governance.alliance_manager", None), ("parties[1].answers.vision", None)], at
    ) == ("who manages the alliance day to day and Beta's vision")


def test_blocks_are_cited_in_words_never_as_a_count(
    reports: list[tuple[Path, Case, Report]],
) -> None:
    """Where the file holds a block or a list of blocks at an evidence path, the evidence
    cites it in the file's words (``governance: '0'``, ``alliance.projects: '1'`` once)."""
    cited = 0
    for path, case, report in reports:
        for f in _all(report):
            for e in f.evidence:
                held = case.value_at(e.path)
                words = block_words(e.path, held)
                if words is None:
                    continue
                cited += 1
                assert e.value == words, (path.stem, f.rule_id, e.path)
                assert not re.fullmatch(r"[\d.]+", words)
    assert cited > 40
    split = _by_stem(reports, "co-founding-split-loyalties")
    [projects] = _finding(split, "PF-SC-010").evidence
    assert projects.value == "1 project: Reusable crate return loop"
    payroll = _by_stem(reports, "co-marketing-payroll-accountants")
    [evidence] = _finding(payroll, "PF-CV-002").evidence
    assert evidence.value == "2 pieces of customer evidence: interview: 7; waitlist: 35"
    [avatar] = _finding(payroll, "PF-AV-002").evidence
    assert avatar.value == (
        "who: B2B decision makers in the SMB segment, role: Owner, pain: Payroll is a hassle"
    )


def test_block_words() -> None:
    projects = [{"name": f"P{n}", "relation": "core"} for n in range(5)]
    assert block_words("alliance.projects", projects) == "5 projects: P0; P1; P2; …"
    assert block_words("x.offerings", [{"category": "software", "segments": ["clinics"]}]) == (
        "1 offering: software for clinics"
    )
    assert block_words("governance", {"roles": [], "deadlock": {"mechanism": False}}) == (
        "roles: [], deadlock: (mechanism: false)"
    )
    assert block_words("alliance.term_years", 5) is None
    assert scalar_words(4800000.0) == "4800000"
    assert scalar_words(["a", True]) == "a; true"


def test_shared_key_words_are_the_words_as_written(
    reports: list[tuple[Path, Case, Report]],
) -> None:
    """ "the same key words (based, city, dinn, …)" once showed word stems: every word a
    PF-AL-010 message names is a word of one of the answers it cites, as written."""
    named = 0
    for path, _, report in reports:
        for f in report.strengths():
            if f.rule_id != "PF-AL-010":
                continue
            answers = " ".join(e.value or "" for e in f.evidence).lower()
            written = set(re.findall(r"\w+", answers))
            for listed in re.findall(r"key words \(([^)]*)\)", f.message):
                for word in re.split(r"[,/]\s*", listed):
                    named += 1
                    assert word.strip() in written, (path.stem, word, f.message)
    assert named > 50


def _bool_fields(model: type[BaseModel], prefix: str) -> Iterator[str]:
    """Generic names (``party.stake.home``) of every yes/no field of the case model."""
    for name, info in model.model_fields.items():
        key = info.alias or name
        args = [
            a
            for arg in typing.get_args(info.annotation) or (info.annotation,)
            for a in (typing.get_args(arg) or (arg,))
        ]
        path = f"{prefix}.{key}" if prefix else key
        path = path.replace("parties.principals", "principal").replace("parties", "party")
        if bool in args:
            yield path
        for arg in args:
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                yield from _bool_fields(arg, path)


def test_every_yes_no_field_of_the_case_has_a_clause_each_way() -> None:
    fields = set(_bool_fields(Case, ""))
    assert set(YES_NO) == fields
    for yes, no in YES_NO.values():
        assert yes != no
        assert "{owner}" in yes or "{owner}" not in no


def test_a_yes_no_clause_names_the_block_it_belongs_to() -> None:
    case = load_case(ROOT / "cases" / "history" / "f8-yahoo-microsoft.yaml")
    offering = next(
        i for i, o in enumerate(case.parties[0].offerings or []) if o.replaced_by_alliance
    )
    path = f"parties[0].offerings[{offering}].replaced_by_alliance"
    assert yes_no_words(path, case.value_at, False) == (
        "the alliance's product does not replace Yahoo! Inc.'s offering "
        '"Its own web index, algorithmic search and search-advertising platform"'
    )
    assert yes_no_words("governance.exit_terms.defined", case.value_at, True) == (
        "exit terms are defined"
    )
    assert yes_no_words("alliance.term_years", case.value_at, True) is None
