"""Case files: bad input is refused with file, line, field and what was expected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnerfit import documents
from partnerfit.documents import MAX_DOCUMENT_BYTES
from partnerfit.errors import CaseError
from partnerfit.facts import extract
from partnerfit.loading import load_case

MINIMAL = """\
id: demo
parties:
  - id: a
    name: Alpha
  - id: b
    name: Beta
"""


def _write(tmp_path: Path, text: str, name: str = "case.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _error(source: str | Path) -> CaseError:
    with pytest.raises(CaseError) as info:
        load_case(source)
    return info.value


def test_a_minimal_case_loads_and_remembers_its_file(tmp_path: Path) -> None:
    path = _write(tmp_path, MINIMAL)
    case = load_case(path)
    assert case.id == "demo"
    assert [p.name for p in case.parties] == ["Alpha", "Beta"]
    assert case.source_file == str(path)
    assert case.line_of("parties[1].name") == 6
    assert case.line_of("parties[1].competitors") == 5  # nearest known ancestor


def test_unknown_key_names_file_line_field_and_suggests(tmp_path: Path) -> None:
    path = _write(tmp_path, MINIMAL + "    competitor: [Gamma]\n")
    err = _error(path)
    assert err.location.file == str(path)
    assert err.location.line == 7
    assert err.location.field == "parties[1].competitor"
    assert "unknown field 'competitor'; did you mean 'competitors'?" in err.message
    assert str(err).startswith(f"{path}:7: parties[1].competitor: ")


def test_a_misspelt_choice_is_suggested(tmp_path: Path) -> None:
    text = MINIMAL + "    offerings:\n      - category: servics\n"
    err = _error(_write(tmp_path, text))
    assert err.location.line == 8
    assert err.location.field == "parties[1].offerings[0].category"
    assert "did you mean 'services'?" in err.message


def test_a_wrong_type_says_what_was_given(tmp_path: Path) -> None:
    text = MINIMAL.replace("id: demo", "id: demo\nalliance:\n  term_years: ten")
    err = _error(_write(tmp_path, text))
    assert err.location.field == "alliance.term_years"
    assert err.location.line == 3
    assert "got 'ten'" in err.message


def test_a_missing_required_field_points_at_its_parent(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, MINIMAL.replace("    name: Beta\n", "")))
    assert err.location.field == "parties[1].name"
    assert err.location.line == 5
    assert "required field 'name' is missing" in err.message


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, MINIMAL + "id: again\n"))
    assert err.location.line == 7
    assert "duplicate key 'id' (first given on line 1)" in err.message


def test_duplicate_party_ids_are_refused(tmp_path: Path) -> None:
    text = MINIMAL.replace("id: b", "id: a")
    err = _error(_write(tmp_path, text))
    assert err.message == "party ids must be unique; 'a' is also parties[0].id"
    assert err.location.field == "parties[1].id"
    assert err.location.line == text.splitlines().index("  - id: a", 4) + 1


def test_references_to_unknown_parties_are_refused(tmp_path: Path) -> None:
    text = MINIMAL + "governance:\n  roles:\n    - {title: Alliance lead, party: c}\n"
    err = _error(_write(tmp_path, text))
    assert err.message == "names party 'c', which is not in the case; known: a, b"
    assert err.location.field == "governance.roles[0].party"
    assert err.location.line == len(text.splitlines())


def test_invalid_yaml_gives_the_line(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, "id: demo\nparties: [\n  - a\n"))
    assert err.location.line is not None
    assert "not valid YAML/JSON" in err.message


def test_unsafe_yaml_tags_are_refused(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, "id: !!python/object/apply:os.system ['true']\n"))
    assert "not valid YAML/JSON" in err.message


def test_json_cases_carry_lines_too(tmp_path: Path) -> None:
    data = {"id": "j", "parties": [{"id": "a", "name": "A"}, {"id": "b", "nme": "B"}]}
    path = _write(tmp_path, json.dumps(data, indent=2), "case.json")
    err = _error(path)
    assert err.location.field == "parties[1].nme"
    assert err.location.line == 10
    assert "did you mean 'name'?" in err.message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "document is empty"),
        (b"- a\n- b\n", "expected a mapping of case fields at the top, got a list"),
        (b"\xff\xfe\x00x", "is not UTF-8 text"),
    ],
)
def test_empty_lists_and_binary_are_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "case.yaml"
    path.write_bytes(content)
    assert message in _error(path).message


def test_oversized_files_are_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (MAX_DOCUMENT_BYTES + 1))
    assert "the limit is 1,048,576 bytes" in _error(path).message


def test_missing_files_and_folders(tmp_path: Path) -> None:
    assert _error(tmp_path / "nope.yaml").message == "no such file"
    folder = tmp_path / "dir.yaml"
    folder.mkdir()
    assert "is a folder" in _error(folder).message


def test_unknown_is_not_false() -> None:
    """A field left out gives an `unknown` fact; an explicit empty list gives none."""
    unknown = load_case(MINIMAL)
    explicit = load_case(MINIMAL.replace("name: Beta", "name: Beta\n    competitors: []"))
    missing = {(f["field"], f["path"]) for f in extract(unknown) if f["t"] == "unknown"}
    assert ("party.competitors", "parties[1].competitors") in missing
    missing = {(f["field"], f["path"]) for f in extract(explicit) if f["t"] == "unknown"}
    assert ("party.competitors", "parties[1].competitors") not in missing
    profiles = [f for f in extract(explicit) if f["t"] == "profile"]
    assert [(p["party"], p["dimension"], p["size"]) for p in profiles] == [
        ("b", "competitors", 0.0)
    ]


_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)
)
_json = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(data=_json)
def test_any_json_document_loads_or_is_refused_with_a_case_error(data: object) -> None:
    try:
        load_case(json.dumps(data) + "\n")
    except CaseError as err:  # the only acceptable failure, and it must explain itself
        message = err.message
        assert message, "a CaseError without a message"


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200))
def test_any_text_loads_or_is_refused_with_a_case_error(text: str) -> None:
    try:
        load_case(text + "\n")
    except CaseError as err:  # the only acceptable failure, and it must explain itself
        message = err.message
        assert message, "a CaseError without a message"


def test_libyaml_reads_case_files_when_pyyaml_has_it() -> None:
    """The C parser was once looked up where PyYAML does not export it, so every file went
    through the pure-Python parser (about 7 times slower)."""
    if yaml.__with_libyaml__:
        assert documents._FastLoader is not None
        assert documents._FastLoader.__mro__[1].__name__ == "CParser"


def test_libyaml_and_the_pure_parser_give_the_same_data_and_lines() -> None:
    if documents._FastLoader is None:
        pytest.skip("PyYAML has no libyaml here")
    root = Path(__file__).resolve().parent.parent / "cases"
    for path in sorted(root.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        fast = documents._parse(text, str(path), CaseError, documents._FastLoader, explain=True)
        pure = documents._parse(text, str(path), CaseError, documents._PureLoader, explain=True)
        assert (fast.data, fast.lines) == (pure.data, pure.lines), path.name
