"""Validation problems in plain words: never pydantic's own phrasing."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from partnerfit.case import Alliance, AllianceKind, Case, Market, Party
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
