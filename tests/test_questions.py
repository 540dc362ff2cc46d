"""Open questions asked once per missing field (``Report.questions``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from htmldom import parse
from partnerfit import evaluate, load_case
from partnerfit.api import default_pack
from partnerfit.case import Case, Severity
from partnerfit.errors import CaseError
from partnerfit.facts import ASKABLE
from partnerfit.formats import html, markdown, table
from partnerfit.formats.steps import worst_flags
from partnerfit.questions import stake_words
from partnerfit.report import Report
from test_properties import schema_cases

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted((ROOT / "cases").rglob("*.yaml"))
SPARSE = ROOT / "cases" / "early-stage-sparse.yaml"


@pytest.fixture(scope="module")
def sparse() -> Report:
    return evaluate(load_case(SPARSE))


def _by_field(report: Report) -> dict[str, Any]:
    return {q.field: q for q in report.questions}


def test_rules_that_miss_one_field_ask_it_once(sparse: Report) -> None:
    asked = _by_field(sparse)
    agreement = asked["alliance.agreement"]
    assert agreement.rules == ("PF-AGR-001", "PF-AGR-002", "PF-AGR-003", "PF-AGR-004")
    assert [(e.path, e.value, e.line) for e in agreement.evidence] == [
        ("alliance.agreement", None, 9)
    ]
    assert agreement.question == (
        "How far is the deal written down: spoken, term sheet, draft or signed?"
    )
    assert agreement.fill_in == "how far the deal is written down"
    assert agreement.ask == "both parties together"
    assert agreement.parties == ()
    assert agreement.at_stake == Severity.high
    # Four rules, one question; the rules' own open questions stay in the findings.
    assert [f.rule_id for f in sparse.open_questions() if f.rule_id.startswith("PF-AGR")] == [
        "PF-AGR-001",
        "PF-AGR-002",
        "PF-AGR-003",
        "PF-AGR-004",
    ]
    assert (sparse.counts.open_questions, sparse.counts.questions) == (73, 29)


def test_the_same_field_of_every_party_is_one_question_addressed_to_them(
    sparse: Report,
) -> None:
    health = _by_field(sparse)["party.health"]
    assert health.parties == ("quillon", "aster")
    assert health.ask == "Quillon Robotics BV and Aster Farms"
    assert [e.path for e in health.evidence] == ["parties[0].health", "parties[1].health"]
    assert health.question.startswith("Is each party profitable")
    assert health.fill_in == "Quillon Robotics BV's and Aster Farms' financial health"
    offerings = _by_field(sparse)["party.offerings"]
    assert offerings.ask == "Aster Farms"
    assert offerings.question == "What does Aster Farms sell, and to whom?"


def test_questions_come_most_decisive_first(sparse: Report) -> None:
    ranks = [(-q.at_stake.rank, -len(q.rules)) for q in sparse.questions]
    assert ranks == sorted(ranks)
    assert sparse.questions[0].field == "alliance.exclusivity"
    assert sparse.questions[0].at_stake == Severity.critical


def _assert_each_missing_field_asked_once(report: Report) -> None:
    missing = {e.path for f in report.open_questions() for e in f.evidence}
    asked = [e.path for q in report.questions for e in q.evidence]
    assert sorted(asked) == sorted(missing)  # every unknown once, none lost, none invented
    waiting = {f.rule_id for f in report.open_questions()}
    assert {r for q in report.questions for r in q.rules} == waiting
    assert report.counts.questions == len(report.questions)
    assert len({q.field for q in report.questions}) == len(report.questions)
    for q in report.questions:
        assert q.field in ASKABLE, q.field  # a question in words, never a bare field name
        assert q.rules
        assert q.evidence


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_every_bundled_case_asks_each_missing_field_once(path: Path) -> None:
    report = evaluate(load_case(path))
    _assert_each_missing_field_asked_once(report)
    assert report.counts.questions <= report.counts.open_questions


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=schema_cases)
def test_any_case_asks_each_missing_field_once(case: dict[str, Any]) -> None:
    try:
        report = evaluate(Case.model_validate(case), pack=default_pack())
    except (ValueError, CaseError):  # not a valid case, or a waiver of no rule in the pack
        return
    _assert_each_missing_field_asked_once(report)


def test_terminal_and_markdown_ask_each_question_once(sparse: Report) -> None:
    text = table.render(sparse)
    assert text.count("How far is the deal written down") == 1
    assert "Cannot judge yet" not in text  # the rules' questions are behind the grouped ones
    assert "29 questions to answer" in text
    md = markdown.render(sparse)
    assert "## Open questions (29)" in md
    assert md.count("How far is the deal written down") == 1
    assert "2. **Ask both parties together:** Is the deal exclusive" in md


def test_a_saved_report_from_before_1_5_still_shows_its_open_questions(sparse: Report) -> None:
    old = Report.from_json(sparse.model_copy(update={"questions": ()}).to_json())
    text = table.render(old)
    assert text.count("Cannot judge yet: ") == old.counts.open_questions


def test_the_html_page_asks_each_question_once_and_every_link_lands(sparse: Report) -> None:
    page = parse(html.render(sparse, load_case(SPARSE)))
    section = page.find("section", None, **{"aria-labelledby": "open-questions"})
    assert section.find("h2").text() == "Open questions (29)"
    items = section.find_all("li")
    assert len(items) == 29
    assert [h.text() for h in section.find_all("h3")][:2] == [
        "Ask both parties together",
        "Ask Aster Farms",
    ]
    assert sum("How far is the deal written down" in li.text() for li in items) == 1
    steps = page.find("section", None, **{"aria-labelledby": "next"})
    assert "Is the deal exclusive, for whom and for how long?" in steps.text()
    ids = {e.attrs.get("id") for e in page.find_all()}
    hrefs = [a.attrs["href"] for a in page.find_all("a")]
    assert all(h is not None and h.startswith("#") and h[1:] in ids for h in hrefs)
    # Every rule's open question keeps an anchor, once.
    anchors = [i for i in ids if i and i.startswith("finding-")]
    assert len(anchors) == len(sparse.findings)


def test_a_rule_already_raised_does_not_make_a_question_more_decisive() -> None:
    report = evaluate(load_case(ROOT / "cases" / "failed-professional-partnership.yaml"))
    positioning = _by_field(report)["party.answers.positioning"]
    assert "PF-AL-002" in {f.rule_id for f in report.red_flags()}  # raised on the values
    assert positioning.rules == ("PF-AL-002",)
    assert positioning.raised == ("PF-AL-002",)
    assert positioning.at_stake == Severity.info
    assert stake_words(positioning) == "1 rule waits on it; it is already raised on other answers"
    assert report.questions[-1] in {positioning, _by_field(report)["principal.personal_goals"]}


def test_markdown_and_html_open_with_the_same_next_steps() -> None:
    case = load_case(ROOT / "cases" / "failed-professional-partnership.yaml")
    report = evaluate(case)
    flags, rest = worst_flags(report)
    # One finding per distinct remedy, most severe first; PF-EC-001 fires twice, one step.
    assert [f.rule_id for f, _ in flags] == ["PF-AL-001", "PF-DL-001", "PF-EC-001"]
    assert (len(report.red_flags()), rest) == (21, 12)
    md = markdown.render(report).split("## What to do next")[1].split("\n## ")[0]
    steps = parse(html.render(report, case)).find("section", None, **{"aria-labelledby": "next"})
    items = steps.find_all("li")
    assert len(items) == 8  # three remedies, five questions: in both
    for n, (f, _) in enumerate(flags):
        assert f"{n + 1}. **{f.severity.value}: {f.title}.**" in md
        assert f.title in items[n].text()
    for n, q in enumerate(report.questions[:5], start=4):
        assert f"{n}. **Ask {q.ask}:** {q.question}" in md
        assert q.question in items[n - 1].text()
    assert "And 12 more red flags" in steps.text()
