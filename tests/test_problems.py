"""Validation problems in plain words: never pydantic's own phrasing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pydantic import TypeAdapter, ValidationError

from partnerfit import load_case
from partnerfit.case import Alliance, AllianceKind, Case, Market, Party
from partnerfit.cli import ExitCode, main
from partnerfit.errors import CaseError
from partnerfit.problems import plain_problem


def _problems(annotation: Any, value: object) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(annotation).validate_python(value)
    return [plain_problem(e) for e in caught.value.errors(include_url=False)]


def _field(model: Any, name: str) -> Any:
    return model.model_fields[name].rebuild_annotation()


@pytest.mark.parametrize(
    ("annotation", "value", "expected"),
    [
        (
            _field(Market, "segments"),
            "dentists",
            "expected a list of items (in YAML: [first, second]); got 'dentists'",
        ),
        (_field(Market, "segments"), ["x" * 201], "too long: at most 200 characters"),
        (_field(Market, "segments"), [""], "an answer is needed here (it is empty)"),
        (_field(Party, "name"), 12, "expected words; got 12"),
        (_field(Alliance, "term_years"), "five", "expected a number; got 'five'"),
        (_field(Alliance, "term_years"), -1, "must be at least 0; got -1"),
        (_field(Alliance, "term_years"), 101, "must be at most 100; got 101"),
        (
            AllianceKind,
            "jv",
            "'jv' is not one of: joint_venture, distribution, licensing, "
            "co_marketing, professional_partnership, co_founding, technology, supply, reseller "
            "or other",
        ),
        (
            _field(Case, "id"),
            "my deal",
            "an id is letters, digits, '_', '.' or '-', starting "
            "with a letter or digit; got 'my deal'",
        ),
        (Alliance, "x", "expected a block of fields; got 'x'"),
    ],
)
def test_each_kind_of_problem_reads_in_plain_words(
    annotation: Any, value: object, expected: str
) -> None:
    assert _problems(annotation, value) == [expected]


def test_an_unknown_field_and_a_missing_one() -> None:
    assert sorted(_problems(Party, {"id": "a", "nmae": "A"})) == [
        "not a field partnerfit knows",
        "this is needed",
    ]


HAND_EDITED = """\
id: deal
title: A test
parties:
  - id: a
    name: Alpha
    markets:
      segments: dentists
    principals:
      - name: Ann
        commitment: halftime
  - id: b
    name: Beta
    stake:
      equity_percent: 150
alliance:
  kind: jointventure
  term_years: -3
"""


def test_a_hand_edited_case_names_every_problem_at_once_in_file_order(tmp_path: Path) -> None:
    path = tmp_path / "deal.yaml"
    path.write_text(HAND_EDITED, encoding="utf-8")
    with pytest.raises(CaseError) as caught:
        load_case(path)
    err = caught.value
    assert [(p.location.line, p.location.field, p.message) for p in err.problems] == [
        (
            7,
            "parties[0].markets.segments",
            "expected a list of items (in YAML: [first, second]); got 'dentists'",
        ),
        (
            10,
            "parties[0].principals[0].commitment",
            "'halftime' is not one of: full_time, part_time or advisory",
        ),
        (14, "parties[1].stake.equity_percent", "must be at most 100; got 150"),
        (
            16,
            "alliance.kind",
            "'jointventure' is not one of: joint_venture, distribution, licensing, "
            "co_marketing, professional_partnership, co_founding, technology, supply, "
            "reseller or other; did you mean 'joint_venture'?",
        ),
        (17, "alliance.term_years", "must be at least 0; got -3"),
    ]
    assert all(p.location.file == str(path) for p in err.problems)
    assert err.message.endswith("(and 4 more problems)")  # str() stays one line
    assert "Input should" not in str(err)

    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == ExitCode.ERROR
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"partnerfit: error: {path}: 5 problems:",
        *(f"  {p}" for p in err.problems),
    ]


def test_one_problem_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "deal.yaml"
    path.write_text(HAND_EDITED.split("  - id: b")[0] + "  - {id: b, name: Beta}\n")
    with pytest.raises(CaseError) as caught:
        load_case(path)
    assert len(caught.value.problems) == 2
    path.write_text(
        HAND_EDITED.split("  - id: b")[0]
        .replace("segments: dentists", "segments: [dentists]")
        .replace("halftime", "part_time")
        + "  - {id: b, name: Beta}\n"
    )
    load_case(path)
    path.write_text(path.read_text().replace("part_time", "halftime"))
    with pytest.raises(CaseError) as caught:
        load_case(path)
    assert caught.value.problems == ()
    assert caught.value.lines() == [str(caught.value)]
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.stderr == f"partnerfit: error: {caught.value}\n"


def test_batch_json_carries_every_problem_across_the_worker(tmp_path: Path) -> None:
    folder = tmp_path / "deals"
    folder.mkdir()
    (folder / "deal.yaml").write_text(HAND_EDITED, encoding="utf-8")
    with pytest.raises(CaseError) as caught:
        load_case(folder / "deal.yaml")
    expected = [
        {"message": p.message, "line": p.location.line, "field": p.location.field}
        for p in caught.value.problems
    ]
    assert caught.value.location.line == 7  # the first in the file is the one named
    for jobs in ("1", "2"):
        result = CliRunner().invoke(main, ["batch", str(folder), "--format", "json", "-j", jobs])
        error = json.loads(result.stdout)["results"][0]["error"]
        assert error["problems"] == expected
        assert (error["line"], error["field"]) == (7, "parties[0].markets.segments")
        assert error["message"].endswith("(and 4 more problems)")
