"""Commented case templates: generated from the model, loadable as they are, complete."""

from __future__ import annotations

import re
import typing
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from partnerfit.case import CASE_SCHEMA_ID, AllianceKind, Case, Party
from partnerfit.errors import UsageError
from partnerfit.loading import load_case
from partnerfit.template import case_template, case_to_template, check_value, template_from

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "cases").glob("*.yaml"))


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """Every model class named anywhere inside a type annotation."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _enums_in(annotation: Any) -> list[type[Enum]]:
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [annotation]
    return [e for arg in typing.get_args(annotation) for e in _enums_in(arg)]


def _reachable(root: type[BaseModel]) -> list[type[BaseModel]]:
    seen: list[type[BaseModel]] = []
    todo = [root]
    while todo:
        model = todo.pop()
        if model not in seen:
            seen.append(model)
            for field in model.model_fields.values():
                todo += _models_in(field.annotation)
    return seen


def _keys(model: type[BaseModel]) -> set[str]:
    return {f.alias or name for name, f in model.model_fields.items()}


def _field(model: type[BaseModel], key: str) -> Any:
    return next(f for name, f in model.model_fields.items() if (f.alias or name) == key)


def _uncomment_fields(text: str) -> str:
    """Remove the ``# `` in front of every commented-out field, as an editor would."""
    pattern = re.compile(r"^(\s*)# (\s*(?:- )?[a-z_]+:(?: |$).*)$")
    return "\n".join(pattern.sub(r"\1\2", line) for line in text.splitlines())


def _prose(text: str) -> str:
    """The template's comments as one line of words, whatever the wrapping."""
    return " ".join(text.replace("#", " ").split())


def _dump(case: Case) -> dict[str, Any]:
    return case.model_dump(mode="json", by_alias=True, exclude_none=True)


TEMPLATE = case_template(case_id="deal")


def test_the_template_loads_as_it_is_and_every_unknown_stays_unknown() -> None:
    case = load_case(TEMPLATE)
    assert _dump(case) == {
        "schema": CASE_SCHEMA_ID,
        "id": "deal",
        "parties": [{"id": "a", "name": "Party A"}, {"id": "b", "name": "Party B"}],
    }
    assert case.alliance is None
    assert case.parties[0].competitors is None  # unknown, not an empty answer


def test_given_values_are_filled_in() -> None:
    text = case_template(
        case_id="fjell-carrow",
        title="Fjellvind x Carrow",
        parties=[("fjellvind", "Fjellvind AS"), ("carrow", "Carrow Textiles Ltd")],
        kind=AllianceKind.licensing,
    )
    assert _dump(load_case(text)) == {
        "schema": CASE_SCHEMA_ID,
        "id": "fjell-carrow",
        "title": "Fjellvind x Carrow",
        "alliance": {"kind": "licensing"},
        "parties": [
            {"id": "fjellvind", "name": "Fjellvind AS"},
            {"id": "carrow", "name": "Carrow Textiles Ltd"},
        ],
    }
    assert "\nalliance:  # What the parties propose to do together.\n" in text
    assert "\n  kind: licensing\n" in text
    assert "\n  # purpose:  # Text.\n" in text


def test_optional_fields_are_commented_out_with_their_docstring() -> None:
    assert (
        "\n    # competitors: []  # Companies this party names as its competitors; "
        "`[]` means none.\n" in TEMPLATE
    )
    assert "\n# waivers:  # A red flag the parties have looked at and accepted.\n" in TEMPLATE
    assert "\n#   - rule:  # Text. Required.\n" in TEMPLATE


def test_every_field_of_every_reachable_model_is_in_the_template() -> None:
    models = _reachable(Case)
    assert len(models) > 20  # the walk found the nested models
    for model in models:
        for key in _keys(model):
            assert re.search(rf"^[ #]*(- )?{key}:", TEMPLATE, re.MULTILINE), (model, key)


def test_every_docstring_and_every_choice_is_in_the_template() -> None:
    prose = _prose(TEMPLATE)
    for model in _reachable(Case):
        for field in model.model_fields.values():
            if field.description:
                assert " ".join(field.description.replace("``", "`").split()) in prose
            for enum in _enums_in(field.annotation):
                assert "of: " + ", ".join(m.value for m in enum) + "." in prose


def test_uncommenting_every_field_gives_every_field_in_its_place() -> None:
    """Nested blocks appear with their own fields, at the indentation they need."""
    data = yaml.safe_load(_uncomment_fields(TEMPLATE))

    def walk(node: dict[str, Any], model: type[BaseModel], path: str) -> None:
        assert set(node) == _keys(model), path
        for key, value in node.items():
            inner = _models_in(_field(model, key).annotation)
            items = value if isinstance(value, list) else [value]
            for i, item in enumerate(items):
                if isinstance(item, dict):
                    walk(item, inner[0], f"{path}.{key}[{i}]")
                else:
                    assert not inner, f"{path}.{key} has no fields under it"

    walk(data, Case, "")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_case_round_trips_through_a_template(path: Path) -> None:
    case = load_case(path)
    text = case_to_template(case)
    assert _dump(load_case(text)) == _dump(case)
    assert template_from(_dump(case)) == text


def test_explicit_empty_answers_stay_answers() -> None:
    data = {
        "id": "x",
        "parties": [
            {
                "id": "a",
                "name": "A",
                "competitors": [],
                "offerings": [],
                "executive_sponsor": False,
            },
            {"id": "b", "name": "B", "answers": {}},
        ],
    }
    text = template_from(data)
    assert "\n    competitors: []  # Companies" in text
    assert "\n    offerings: []  # One thing a party sells, and to whom.\n" in text
    assert "\n    executive_sponsor: false\n" in text
    assert _dump(load_case(text)) == data


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"case_id": "my deal"}, "an id is letters, digits"),
        ({"case_id": "x", "parties": [("a", "A"), ("a", "B")]}, "party ids must be unique"),
        ({"case_id": "x", "parties": [("a", "A")]}, "List should have at least 2 items"),
    ],
)
def test_values_that_make_no_valid_case_are_refused(kwargs: Any, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        case_template(**kwargs)


def test_check_value_keeps_what_the_model_keeps() -> None:
    assert check_value(Party, "name", "  Acme  ") == "Acme"
    with pytest.raises(UsageError, match=r"an id is letters, digits, .*; got 'a b'"):
        check_value(Party, "id", "a b")


party_ids = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,20}\Z")
# Names are one line of printable text: the model refuses control characters and line breaks.
names = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=60
).filter(lambda s: bool(s.strip()))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    case_id=party_ids,
    title=st.none() | names,
    parties=st.lists(st.tuples(party_ids, names), min_size=2, max_size=4, unique_by=lambda p: p[0]),
)
def test_any_ids_and_names_round_trip(
    case_id: str, title: str | None, parties: list[tuple[str, str]]
) -> None:
    case = load_case(case_template(case_id=case_id, title=title, parties=parties))
    assert case.id == case_id
    assert case.title == (None if title is None else check_value(Case, "title", title))
    assert [(p.id, p.name) for p in case.parties] == [
        (key, check_value(Party, "name", name)) for key, name in parties
    ]
