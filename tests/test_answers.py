"""The parties' own answers side by side, with what the check found (``Report.answers``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from htmldom import parse
from partnerfit import evaluate, load_case, load_pack
from partnerfit.answers import TOPICS, found_words
from partnerfit.case import Case
from partnerfit.formats import html, markdown, table
from partnerfit.report import AnswerFound, Report

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted((ROOT / "cases").rglob("*.yaml"))
CORE = ROOT / "tests" / "packs" / "core"
FAILED = ROOT / "cases" / "failed-professional-partnership.yaml"
GOOD = ROOT / "cases" / "good-fit-scanners-and-service.yaml"


def _found(report: Report) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {t.topic: (t.found.value, t.rules) for t in report.answers}


def test_answers_the_rules_found_far_apart_are_different() -> None:
    report = evaluate(load_case(FAILED))
    assert _found(report) == {
        "vision": ("different", ("PF-AL-001",)),
        "mission": ("different", ("PF-AL-001",)),
        "values": ("different", ("PF-AL-002",)),
        "positioning": ("missing", ()),
        "three_year_goal": ("missing", ()),
        "horizon_years": ("different", ("PF-HZ-001",)),
        "target_customer": ("missing", ()),
    }
    horizon = next(t for t in report.answers if t.topic == "horizon_years")
    assert [(a.party, a.name, a.answer) for a in horizon.answers] == [
        ("halden", "Halden Architects LLP", "3 years"),
        ("marrow", "Marrow & Finch Engineers Ltd", "10 years"),
    ]


def test_answers_a_strength_cites_are_the_same_and_the_rest_close() -> None:
    report = evaluate(load_case(GOOD))
    found = _found(report)
    assert found["vision"] == ("same", ("PF-AL-010",))
    assert found["values"] == ("close", ())
    assert found_words(report.answers[2]) == "close: no rule found them far apart"


def _two_parties(**answers: Any) -> dict[str, Any]:
    case = yaml.safe_load(GOOD.read_text("utf-8"))
    for party, own in zip(case["parties"], answers.values(), strict=True):
        party["answers"] = own
    return case


def test_a_party_that_has_not_answered_is_missing_never_different() -> None:
    case = _two_parties(a={"vision": "Every dentist books online"}, b={})
    report = evaluate(Case.model_validate(case))
    vision = report.answers[0]
    assert vision.found == AnswerFound.missing
    beta = vision.answers[1].name
    assert found_words(vision) == f"missing: ask {beta}"
    cited = [e.path for f in report.red_flags() for e in f.evidence]
    assert not [p for p in cited if ".answers." in p]  # unknown is never a disagreement


def test_answers_that_read_the_same_are_the_same_whatever_the_case_and_spacing() -> None:
    case = _two_parties(
        a={"positioning": "The only  fitter with same-day service."},
        b={"positioning": "the only fitter with same-day service"},
    )
    report = evaluate(Case.model_validate(case))
    assert _found(report)["positioning"] == ("same", ())


def test_a_pack_that_compares_no_topic_does_not_claim_a_comparison() -> None:
    report = evaluate(load_case(FAILED), load_pack(CORE))
    found = _found(report)
    assert found["vision"] == ("not_compared", ())
    assert found["positioning"] == ("missing", ())


_ANSWER_PATH = re.compile(r"^parties\[\d+\]\.answers\.([a-z_]+)")


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_every_bundled_case_judges_each_topic_from_its_findings(path: Path) -> None:
    case = load_case(path)
    report = evaluate(case)
    assert [t.topic for t in report.answers] == [t for t, _ in TOPICS]
    for t in report.answers:
        said = [getattr(p.answers, t.topic, None) if p.answers else None for p in case.parties]
        flagged = {
            f.rule_id
            for f in report.red_flags()
            for e in f.evidence
            if (m := _ANSWER_PATH.match(e.path)) and m.group(1) == t.topic
        }
        assert [a.party for a in t.answers] == [p.id for p in case.parties]
        assert (t.found == AnswerFound.missing) == (None in said)
        if None not in said:
            assert (t.found == AnswerFound.different) == bool(flagged), t.topic
        assert flagged <= set(t.rules)


def test_every_report_format_shows_the_answers_side_by_side() -> None:
    case = load_case(FAILED)
    report = evaluate(case)
    text = table.render(report)
    assert "  Vision: different (PF-AL-001)" in text
    assert "    Halden Architects LLP:        '3 years'" in text
    md = markdown.render(report)
    assert "| Horizon | 3 years | 10 years | different (PF-HZ-001) |" in md
    page = parse(html.render(report))  # no case needed: the report holds the answers
    rows = page.find("table", "answers").find("tbody").find_all("tr")
    first = rows[0].text()
    assert "Vision" in first
    assert "Different" in first
    assert "Red flag:" in first


def test_a_saved_report_with_ragged_answers_still_renders_everywhere() -> None:
    report = evaluate(load_case(FAILED))
    ragged = list(report.answers)
    ragged[0] = ragged[0].model_copy(update={"answers": ()})
    ragged[1] = ragged[1].model_copy(update={"answers": ragged[1].answers[:1]})
    saved = Report.from_json(report.model_copy(update={"answers": tuple(ragged)}).to_json())
    assert "Mission: different (PF-AL-001)" in table.render(saved)
    assert "| Mission |" in markdown.render(saved)
    assert "Mission" in parse(html.render(saved)).find("table", "answers").text()
