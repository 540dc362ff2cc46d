"""The public library API: loading, evaluating, errors, layering, and good manners."""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import partnerfit
from partnerfit import (
    Case,
    CaseError,
    PackError,
    PartnerfitError,
    Report,
    RulePack,
    Severity,
    UsageError,
    Verdict,
    evaluate,
    evaluate_many,
    load_case,
    load_pack,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
TODAY = dt.date(2026, 6, 1)

OVERLAP = (
    "PF-TST-001",
    ("parties[0].offerings[0].segments[0]", "parties[1].offerings[0].segments[0]"),
)


def _case_dict(case_id: str = "deal", **party_a: Any) -> dict[str, Any]:
    return {
        "id": case_id,
        "parties": [
            {
                "id": "a",
                "name": "Alpha",
                "offerings": [{"category": "services", "segments": ["clinics"]}],
                **party_a,
            },
            {
                "id": "b",
                "name": "Beta",
                "offerings": [{"category": "services", "segments": ["Clinics"]}],
            },
        ],
    }


@pytest.fixture(scope="module")
def tpack() -> RulePack:
    return load_pack(DATA / "pack")


def test_public_names() -> None:
    assert set(partnerfit.__all__) >= {
        "load_case",
        "load_pack",
        "default_pack",
        "evaluate",
        "evaluate_many",
        "compare",
        "ReportDiff",
        "Report",
        "Finding",
        "PartnerfitError",
        "CaseError",
        "PackError",
        "EngineError",
        "UsageError",
        "WaivedFinding",
        "WaiverOutcome",
    }
    for name in partnerfit.__all__:
        assert hasattr(partnerfit, name), name


def test_load_case_from_path_text_and_mapping_agree(tmp_path: Path) -> None:
    text = textwrap.dedent(
        """\
        id: deal
        parties:
          - {id: a, name: Alpha, offerings: [{category: services, segments: [clinics]}]}
          - {id: b, name: Beta, offerings: [{category: services, segments: [Clinics]}]}
        """
    )
    path = tmp_path / "deal.yaml"
    path.write_text(text, encoding="utf-8")
    from_path = load_case(path)
    from_str_path = load_case(str(path))
    from_text = load_case(text)
    from_mapping = load_case(_case_dict())
    # Equal data; the file and line marks (private attributes) differ by source.
    dumps = [c.model_dump() for c in (from_path, from_str_path, from_text, from_mapping)]
    assert dumps[0] == dumps[1] == dumps[2] == dumps[3]
    assert from_path.line_of("parties[1].offerings") == 4
    assert isinstance(from_path, Case)
    assert from_path.source_file == str(path)
    assert from_text.source_file is None


def test_evaluate_exact_findings_with_lines(tmp_path: Path, tpack: RulePack) -> None:
    path = tmp_path / "deal.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            id: deal
            title: Alpha and Beta
            parties:
              - id: a
                name: Alpha
                importance: core
                offerings:
                  - category: services
                    segments: [clinics]
              - id: b
                name: Beta
                offerings:
                  - category: services
                    segments: [Clinics]
            """
        ),
        encoding="utf-8",
    )
    report = evaluate(load_case(path), tpack)
    assert [(f.rule_id, f.kind.value, f.severity) for f in report.findings] == [
        ("PF-TST-001", "red_flag", Severity.high),
        ("PF-TST-010", "strength", Severity.info),
    ]
    flag = report.findings[0]
    assert flag.key == OVERLAP
    assert [(e.path, e.value, e.party, e.line) for e in flag.evidence] == [
        ("parties[0].offerings[0].segments[0]", "clinics", "a", 9),
        ("parties[1].offerings[0].segments[0]", "Clinics", "b", 14),
    ]
    assert flag.message == "Alpha and Beta both sell services to clinics."
    assert report.findings[1].evidence[0].path == "parties[0].importance"
    assert report.verdict == Verdict.proceed_with_conditions
    assert report.file == str(path)
    assert (report.pack.name, report.pack.version) == ("api-test", "1.0.0")
    assert [(p.name, p.version) for p in report.layers] == [("api-test", "1.0.0")]
    assert report.findings[0].severity_overridden_by is None


def test_a_report_lists_its_findings_by_kind(tpack: RulePack) -> None:
    """red_flags(), strengths() and open_questions(): each kind in report order."""
    report = evaluate(load_case(_case_dict(importance="core")), tpack)
    assert [f.rule_id for f in report.red_flags()] == ["PF-TST-001"]
    assert [f.rule_id for f in report.strengths()] == ["PF-TST-010"]
    assert report.open_questions() == ()
    sparse = evaluate(load_case(ROOT / "cases" / "early-stage-sparse.yaml"))
    kinds = (sparse.red_flags(), sparse.open_questions(), sparse.strengths())
    assert [f.kind.value for group in kinds for f in group] == [
        f.kind.value for f in sparse.findings
    ]
    assert len(sparse.open_questions()) == sparse.counts.open_questions > 0
    assert all(f.message.count("Fill in: ") == 1 for f in sparse.open_questions())


def test_default_pack_is_used_when_none_is_given() -> None:
    report = evaluate(load_case(_case_dict()))
    assert report.pack.name == partnerfit.default_pack().name
    # PF-BM-001 is the default pack's oldest rule; other default rules may fire too.
    assert (
        "PF-BM-001",
        ("parties[0].offerings[0].segments[0]", "parties[1].offerings[0].segments[0]"),
    ) in [f.key for f in report.findings]


def test_severity_override_is_visible_and_layers_are_stamped(tpack: RulePack) -> None:
    layered = load_pack(DATA / "pack", DATA / "overlay")
    case = load_case(_case_dict(history={"past_partner_disputes": ["2019 arbitration"]}))

    plain = evaluate(case, tpack)
    over = evaluate(case, layered)

    [plain_flag] = [f for f in plain.findings if f.rule_id == "PF-TST-003"]
    [over_flag] = [f for f in over.findings if f.rule_id == "PF-TST-003"]
    assert (plain_flag.severity, plain_flag.severity_overridden_by, plain_flag.rule_severity) == (
        Severity.medium,
        None,
        None,
    )
    assert (over_flag.severity, over_flag.severity_overridden_by, over_flag.rule_severity) == (
        Severity.high,
        "api-overlay",
        Severity.medium,
    )
    assert over_flag.evidence[0].path == "parties[0].history.past_partner_disputes"
    assert [(p.name, p.version) for p in over.layers] == [
        ("api-test", "1.0.0"),
        ("api-overlay", "2.0.0"),
    ]
    assert (over.pack.name, over.pack.version) == ("api-test+api-overlay", "1.0.0+2.0.0")
    assert (over.counts.high, over.counts.medium) == (2, 0)
    assert (plain.counts.high, plain.counts.medium) == (1, 1)
    # Rules the overlay does not touch say nothing about overrides.
    [overlap] = [f for f in over.findings if f.rule_id == "PF-TST-001"]
    assert overlap.severity_overridden_by is None


# --- errors -------------------------------------------------------------------------------


def test_one_error_hierarchy_with_locations(tmp_path: Path) -> None:
    for cls in (CaseError, PackError, UsageError, partnerfit.EngineError):
        assert issubclass(cls, PartnerfitError)
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: deal\nparties:\n  - {id: a, name: Alpha, colour: red}\n", encoding="utf-8")
    with pytest.raises(CaseError) as info:
        load_case(bad)
    loc = info.value.location
    assert (loc.file, loc.line, loc.field) == (str(bad), 3, "parties[0].colour")

    with pytest.raises(PackError) as pinfo:
        load_pack(tmp_path / "no-such-pack")
    assert pinfo.value.location.file == str(tmp_path / "no-such-pack")


# --- evaluate_many --------------------------------------------------------------------------


def test_evaluate_many_is_lazy_ordered_and_yields_case_errors(tpack: RulePack) -> None:
    pulled: list[int] = []

    def sources() -> Iterator[dict[str, Any]]:
        for i in range(4):
            pulled.append(i)
            data = _case_dict(f"deal-{i}")
            if i == 2:
                data["parties"][0]["colour"] = "red"
            yield data

    results = evaluate_many(sources(), tpack)
    assert pulled == []
    first = next(results)
    assert pulled == [0]
    rest = list(results)
    assert pulled == [0, 1, 2, 3]
    assert isinstance(first, Report)
    assert [r.case_id if isinstance(r, Report) else "error" for r in [first, *rest]] == [
        "deal-0",
        "deal-1",
        "error",
        "deal-3",
    ]
    error = rest[1]
    assert isinstance(error, CaseError)
    assert error.location.field == "parties[0].colour"
    assert [f.key for f in first.findings] == [OVERLAP]


def test_evaluate_many_accepts_cases_and_paths(tmp_path: Path, tpack: RulePack) -> None:
    path = tmp_path / "deal.yaml"
    path.write_text("id: from-file\nparties: [{id: a, name: A}, {id: b, name: B}]\n")
    results = list(evaluate_many([load_case(_case_dict("obj")), path], tpack))
    assert [r.case_id for r in results if isinstance(r, Report)] == ["obj", "from-file"]


def test_evaluate_many_refuses_bad_jobs(tpack: RulePack) -> None:
    with pytest.raises(UsageError):
        list(evaluate_many([_case_dict()], tpack, jobs=0))


# --- manners: no printing, no logging config, typed -----------------------------------------


def test_evaluating_writes_nothing_and_adds_no_handlers(
    capfd: pytest.CaptureFixture[str], tpack: RulePack
) -> None:
    root_before = list(logging.getLogger().handlers)
    named_before = {
        name: list(logger.handlers)
        for name, logger in logging.Logger.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    report = evaluate(load_case(_case_dict()), tpack)
    list(evaluate_many([_case_dict("x"), {"id": "bad"}], tpack))
    report.to_json()
    assert logging.getLogger().handlers == root_before
    for name, logger in logging.Logger.manager.loggerDict.items():
        if isinstance(logger, logging.Logger):
            assert logger.handlers == named_before.get(name, []), name
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def test_a_fresh_import_is_silent_and_configures_no_logging() -> None:
    script = textwrap.dedent(
        f"""
        import logging
        import partnerfit
        pack = partnerfit.load_pack({str(DATA / "pack")!r})
        case = partnerfit.load_case({_case_dict()!r})
        partnerfit.evaluate(case, pack).to_json()
        loggers = [logging.getLogger()] + [
            lg for lg in logging.Logger.manager.loggerDict.values()
            if isinstance(lg, logging.Logger)
        ]
        assert all(not lg.handlers for lg in loggers), [lg.name for lg in loggers if lg.handlers]
        assert logging.getLogger().level == logging.WARNING
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=120
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_first_case_of_a_fresh_engine_may_have_no_findings() -> None:
    script = textwrap.dedent(
        f"""
        import partnerfit
        pack = partnerfit.load_pack({str(DATA / "pack")!r})
        case = partnerfit.load_case({{"id": "quiet", "parties": [
            {{"id": "a", "name": "A"}}, {{"id": "b", "name": "B"}}]}})
        assert partnerfit.evaluate(case, pack).findings == ()
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr[-500:]


def test_the_library_never_imports_click() -> None:
    script = (
        "import sys, partnerfit, partnerfit.diff, partnerfit.formats; print('click' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout == "False\n"


def test_wheel_ships_py_typed_and_the_default_pack(tmp_path: Path) -> None:
    from hatchling.builders.wheel import WheelBuilder

    builder = WheelBuilder(str(ROOT))
    [wheel] = list(builder.build(directory=str(tmp_path), versions=["standard"]))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "partnerfit/py.typed" in names
    assert "partnerfit/api.py" in names
    assert "partnerfit/default_rules/pack.yaml" in names


def test_a_pack_no_longer_used_is_freed_after_evaluating_with_it() -> None:
    """A host that loads packs over time (a pack per customer, reloaded on edit) must not
    keep each one alive: what evaluation derives from a pack lives with the pack."""
    import dataclasses
    import gc
    import weakref

    # load_pack keeps what it loaded by path; a copy stands for a pack loaded afresh.
    pack = dataclasses.replace(load_pack(ROOT / "rules"))
    case = load_case(ROOT / "cases" / "failed-professional-partnership.yaml")
    evaluate(case, pack, advise=True)
    assert pack.derived("active", lambda p: None) is not None  # derived and kept with it
    gone = weakref.ref(pack)
    del pack
    gc.collect()
    assert gone() is None
