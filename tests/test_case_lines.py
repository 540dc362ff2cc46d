"""``Case.line_of`` and ``Case.source_file`` read pydantic's private dict directly (issue 12):
the same answers, for a loaded case and for one built in code."""

from __future__ import annotations

from pathlib import Path

from partnerfit.documents import nearest_line
from partnerfit.loading import load_case

CASE = """\
id: deal
parties:
  - id: a
    name: Alpha
    offerings:
      - {category: services, segments: [clinics]}
  - id: b
    name: Beta
    offerings: [{category: services, segments: [clinics]}]
"""


def test_lines_of_a_loaded_case(tmp_path: Path) -> None:
    path = tmp_path / "deal.yaml"
    path.write_text(CASE, encoding="utf-8")
    case = load_case(path)
    assert case.source_file == str(path)
    assert case.line_of("id") == 1
    assert case.line_of("parties[0].name") == 4
    assert case.line_of("parties[0].offerings[0].segments") == 6
    assert case.line_of("parties[1].offerings[0].category") == 9
    assert case.line_of("parties[1].nowhere.deeper") == 7  # nearest ancestor: parties[1]
    assert case.line_of("parties[1].nowhere.deeper") == 7  # and again, from the cache
    assert case.line_of("") == nearest_line(case._lines, "")
    for path_ in ("id", "parties[0]", "parties[1].offerings", "parties[9].x"):
        assert case.line_of(path_) == nearest_line(case._lines, path_)


def test_a_case_built_in_code_has_no_file_or_lines(tmp_path: Path) -> None:
    path = tmp_path / "deal.yaml"
    path.write_text(CASE, encoding="utf-8")
    built = type(load_case(path)).model_validate(load_case(path).model_dump(by_alias=True))
    assert built.source_file is None
    assert built.line_of("parties[0].name") is None
    copied = load_case(path).model_copy()
    assert copied.line_of("parties[0].name") == 4


def test_value_at_reads_the_case_in_json_terms(tmp_path: Path) -> None:
    path = tmp_path / "deal.yaml"
    path.write_text(CASE, encoding="utf-8")
    case = load_case(path)
    assert case.value_at("parties[0].name") == "Alpha"
    assert case.value_at("parties[1].offerings[0].category") == "services"
    assert case.value_at("parties[0].offerings[0].segments[0]") == "clinics"
    assert case.value_at("parties[5].name") is None
    assert case.value_at("parties[0].name") == "Alpha"  # again, from the kept values
