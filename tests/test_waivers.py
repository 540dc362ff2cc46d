"""Waivers: accepted red flags leave the verdict, stay visible, expire and go stale loudly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from partnerfit import (
    CaseError,
    RulePack,
    Verdict,
    WaiverStatus,
    evaluate,
    load_case,
    load_pack,
)
from partnerfit.formats import markdown, table

DATA = Path(__file__).parent / "data"
TODAY = dt.date(2026, 6, 1)

CASE_YAML = """\
id: deal
title: Alpha and Beta
parties:
  - id: a
    name: Alpha
    importance: peripheral
    offerings: [{category: services, segments: [clinics]}]
  - id: b
    name: Beta
    offerings: [{category: services, segments: [clinics]}]
waivers:
  - rule: same-offering-same-segment
    justification: Carve-outs agreed in the term sheet.
    accepted_by: CFO
    expires: 2026-06-01
"""

OVERLAP = (
    "PF-TST-001",
    ("parties[0].offerings[0].segments[0]", "parties[1].offerings[0].segments[0]"),
)
PERIPHERAL = ("PF-TST-004", ("parties[0].importance",))


@pytest.fixture(scope="module")
def tpack() -> RulePack:
    return load_pack(DATA / "pack")


def _case(tmp_path: Path, text: str = CASE_YAML) -> Path:
    path = tmp_path / "deal.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _parties(**extra: Any) -> list[dict[str, Any]]:
    a: dict[str, Any] = {
        "id": "a",
        "name": "Alpha",
        "offerings": [{"category": "services", "segments": ["clinics"]}],
        **extra,
    }
    b = {
        "id": "b",
        "name": "Beta",
        "offerings": [{"category": "services", "segments": ["clinics"]}],
    }
    return [a, b]


def test_waived_flag_leaves_the_verdict_and_names_the_waiver(
    tmp_path: Path, tpack: RulePack
) -> None:
    path = _case(tmp_path)
    report = evaluate(load_case(path), tpack, today=TODAY)

    assert [f.key for f in report.findings] == [PERIPHERAL]
    assert [w.finding.key for w in report.waived] == [OVERLAP]
    waiver = report.waived[0].waiver
    assert (waiver.rule, waiver.rule_id, waiver.path, waiver.file, waiver.line) == (
        "same-offering-same-segment",
        "PF-TST-001",
        "waivers[0]",
        str(path),
        12,
    )
    assert waiver.accepted_by == "CFO"
    assert waiver.justification == "Carve-outs agreed in the term sheet."
    assert waiver.status == WaiverStatus.applied
    assert waiver.where == f"{path}:12 (waivers[0])"
    assert report.waivers == (waiver,)
    assert (report.counts.red_flags, report.counts.high, report.counts.waived) == (1, 0, 1)
    assert report.verdict == Verdict.proceed
    assert report.reason == (
        "no red flag at medium or above; 1 minor flag, 0 strengths; 1 red flag waived (PF-TST-001)"
    )
    # The result depends on the date only because a waiver has an expiry.
    assert report.evaluated_on == TODAY


def test_without_the_waiver_the_same_flag_drives_the_verdict(tpack: RulePack) -> None:
    report = evaluate(load_case({"id": "deal", "parties": _parties()}), tpack, today=TODAY)
    assert [f.key for f in report.findings] == [OVERLAP]
    assert report.verdict == Verdict.proceed_with_conditions
    assert report.waived == ()
    assert report.waivers == ()
    assert report.evaluated_on is None


def test_expired_waiver_lets_the_flag_fire_again(tmp_path: Path, tpack: RulePack) -> None:
    path = _case(tmp_path)
    report = evaluate(load_case(path), tpack, today=TODAY + dt.timedelta(days=1))

    assert [f.key for f in report.findings] == [OVERLAP, PERIPHERAL]
    assert report.waived == ()
    (expired,) = report.expired_waivers
    assert (expired.rule_id, expired.status, expired.matched, expired.line) == (
        "PF-TST-001",
        WaiverStatus.expired,
        1,
        12,
    )
    assert report.findings[0].notes == (
        f"The waiver at {path}:12 (waivers[0]) expired on 2026-06-01; this flag counts again.",
    )
    assert report.verdict == Verdict.proceed_with_conditions
    assert report.reason.endswith("; expired waiver for PF-TST-001")
    assert report.counts.waived == 0


def test_waiver_is_still_valid_on_its_expiry_date(tmp_path: Path, tpack: RulePack) -> None:
    report = evaluate(load_case(_case(tmp_path)), tpack, today=dt.date(2026, 6, 1))
    assert [w.waiver.status for w in report.waived] == [WaiverStatus.applied]


def test_default_date_is_today(tmp_path: Path, tpack: RulePack) -> None:
    report = evaluate(load_case(_case(tmp_path)), tpack)
    assert report.evaluated_on == dt.date.today()


def test_unused_waiver_is_reported(tpack: RulePack) -> None:
    case = load_case(
        {
            "id": "deal",
            "parties": _parties(),
            "waivers": [{"rule": "PF-TST-003", "justification": "Settled in 2019."}],
        }
    )
    report = evaluate(case, tpack, today=TODAY)
    assert [f.key for f in report.findings] == [OVERLAP]
    (unused,) = report.unused_waivers
    assert (unused.rule_id, unused.path, unused.file, unused.line, unused.matched) == (
        "PF-TST-003",
        "waivers[0]",
        None,
        None,
        0,
    )
    assert report.reason.endswith("; unused waiver for PF-TST-003")


def test_waiver_of_a_disabled_rule_is_unused(tmp_path: Path) -> None:
    layer = tmp_path / "off"
    layer.mkdir()
    (layer / "pack.yaml").write_text(
        "name: disabler\nversion: '1'\noverrides:\n  disable: [PF-TST-001]\n", encoding="utf-8"
    )
    pack = load_pack(DATA / "pack", layer)
    # importance: peripheral makes some rule fire in this first session of a fresh engine;
    # see test_api.py::test_first_case_of_a_fresh_engine_may_have_no_findings.
    case = load_case(
        {
            "id": "deal",
            "parties": _parties(importance="peripheral"),
            "waivers": [{"rule": "PF-TST-001", "justification": "Carve-outs."}],
        }
    )
    report = evaluate(case, pack, today=TODAY)
    assert [f.key for f in report.findings] == [PERIPHERAL]
    assert [w.status for w in report.waivers] == [WaiverStatus.unused]


def test_a_critical_flag_cannot_be_waived(tpack: RulePack) -> None:
    case = load_case(
        {
            "id": "deal",
            "parties": _parties(history={"references": "refused"}),
            "waivers": [
                {"rule": "PF-TST-002", "justification": "We know them well."},
                {"rule": "PF-TST-001", "justification": "Carve-outs."},
            ],
        }
    )
    report = evaluate(case, tpack, today=TODAY)

    assert [f.key for f in report.findings] == [("PF-TST-002", ("parties[0].history.references",))]
    assert report.findings[0].notes == (
        "The waiver at case (waivers[0]) was not honoured: a critical red flag cannot be waived.",
    )
    assert [w.finding.key for w in report.waived] == [OVERLAP]
    assert [(w.rule_id, w.status) for w in report.waivers] == [
        ("PF-TST-002", WaiverStatus.refused),
        ("PF-TST-001", WaiverStatus.applied),
    ]
    assert report.refused_waivers == report.waivers[:1]
    assert report.verdict == Verdict.reconsider
    assert report.counts.critical == 1
    assert report.reason == (
        "1 critical red flag: PF-TST-002 (A party refused to give references from earlier "
        "partners); 1 red flag waived (PF-TST-001); waiver not honoured for PF-TST-002: "
        "a critical red flag cannot be waived"
    )


def test_a_waiver_covers_every_flag_of_its_rule(tpack: RulePack) -> None:
    parties = _parties()
    parties[0]["offerings"].append({"category": "software", "segments": ["schools"]})
    parties[1]["offerings"].append({"category": "software", "segments": ["schools"]})
    case = load_case(
        {
            "id": "deal",
            "parties": parties,
            "waivers": [{"rule": "PF-TST-001", "justification": "Carve-outs."}],
        }
    )
    report = evaluate(case, tpack, today=TODAY)
    assert report.findings == ()
    assert [w.finding.key for w in report.waived] == [
        OVERLAP,
        (
            "PF-TST-001",
            ("parties[0].offerings[1].segments[0]", "parties[1].offerings[1].segments[0]"),
        ),
    ]
    assert report.counts.waived == 2
    assert report.waivers[0].matched == 2
    assert report.reason.endswith("; 2 red flags waived (PF-TST-001)")


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            "same-offering-same-segmnt",
            "waiver names an unknown rule: no rule 'same-offering-same-segmnt' in pack api-test; "
            "did you mean 'same-offering-same-segment'?",
        ),
        (
            "core-importance",
            "waiver names PF-TST-010, a strength rule; only red flags can be waived",
        ),
    ],
)
def test_a_waiver_for_an_unknown_or_non_flag_rule_is_refused(
    tmp_path: Path, tpack: RulePack, rule: str, message: str
) -> None:
    path = _case(tmp_path, CASE_YAML.replace("same-offering-same-segment", rule))
    with pytest.raises(CaseError) as info:
        evaluate(load_case(path), tpack, today=TODAY)
    assert info.value.message == message
    assert (info.value.location.file, info.value.location.line, info.value.location.field) == (
        str(path),
        12,
        "waivers[0].rule",
    )


def test_two_waivers_for_one_rule_are_refused(tmp_path: Path, tpack: RulePack) -> None:
    text = CASE_YAML + "  - rule: PF-TST-001\n    justification: Again.\n"
    path = _case(tmp_path, text)
    with pytest.raises(CaseError) as info:
        evaluate(load_case(path), tpack, today=TODAY)
    assert str(info.value) == (
        f"{path}:16: waivers[1]: a second waiver for PF-TST-001; the first is waivers[0]. "
        "Keep one waiver per rule"
    )


def test_formats_show_waived_expired_and_unused(tmp_path: Path, tpack: RulePack) -> None:
    text = CASE_YAML + (
        "  - rule: PF-TST-004\n    justification: Old news.\n    expires: 2020-01-01\n"
        "  - rule: PF-TST-003\n    justification: Settled.\n"
    )
    path = _case(tmp_path, text)
    report = evaluate(load_case(path), tpack, today=TODAY)
    assert [w.status for w in report.waivers] == [
        WaiverStatus.applied,
        WaiverStatus.expired,
        WaiverStatus.unused,
    ]

    text_out = table.render(report)
    assert "Waived red flags (not counted toward the verdict)" in text_out
    assert f"    waiver {path}:12 (waivers[0]) (accepted by CFO); expires 2026-06-01" in text_out
    assert "Expired waivers (their flags count again)\n  PF-TST-004 (1 matching red flag)" in (
        text_out
    )
    assert "Unused waivers (their rule raised nothing)\n  PF-TST-003 (0 matching red flags)" in (
        text_out
    )
    assert text_out.rstrip().endswith("0 open questions, 0 strengths, 1 waived")

    md = markdown.render(report)
    assert "## Waived red flags (1)" in md
    assert (
        f"waiver at `{path}:12 (waivers[0])`, accepted by CFO, expires 2026-06-01: "
        "Carve-outs agreed in the term sheet." in md
    )
    assert (
        f"- **PF-TST-004**: waiver at `{path}:16 (waivers[1])`, expires 2020-01-01: Old news." in md
    )
    assert f"- **PF-TST-003**: waiver at `{path}:19 (waivers[2])`: Settled." in md


def test_waived_report_round_trips_through_json(tmp_path: Path, tpack: RulePack) -> None:
    from partnerfit import Report

    report = evaluate(load_case(_case(tmp_path)), tpack, today=TODAY)
    assert Report.from_json(report.to_json()) == report
