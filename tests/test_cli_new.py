"""`partnerfit new`: templates, --party parsing, no overwriting, the guided questions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from partnerfit.case import CASE_SCHEMA_ID, Case
from partnerfit.cli import ExitCode, main
from partnerfit.cli import new as new_module
from partnerfit.loading import load_case
from partnerfit.template import case_template

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "tests" / "packs" / "core"


def _new(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, ["new", *args], input=input)


def _dump(case: Case) -> dict[str, Any]:
    return case.model_dump(mode="json", by_alias=True, exclude_none=True)


def test_without_a_file_the_template_goes_to_stdout() -> None:
    result = _new()
    assert result.exit_code == ExitCode.OK
    assert result.stdout == case_template(case_id="new-case")
    assert result.stderr == "Next: save it as a .yaml file and run: partnerfit check FILE\n"
    assert _new("-").stdout == result.stdout


def test_flags_fill_the_template_written_to_file(tmp_path: Path) -> None:
    target = tmp_path / "deal.yaml"
    result = _new(
        str(target),
        "--id=fjell-carrow",
        "--title=Fjellvind x Carrow",
        "--party",
        "fjellvind=Fjellvind AS",
        "--party",
        "carrow = Carrow Textiles Ltd",
        "--kind=licensing",
    )
    assert result.exit_code == ExitCode.OK, result.output
    assert result.stdout == ""
    assert result.stderr == f"Wrote {target}. Next: partnerfit check {target}\n"
    assert _dump(load_case(target)) == {
        "schema": CASE_SCHEMA_ID,
        "id": "fjell-carrow",
        "title": "Fjellvind x Carrow",
        "alliance": {"kind": "licensing"},
        "parties": [
            {"id": "fjellvind", "name": "Fjellvind AS"},
            {"id": "carrow", "name": "Carrow Textiles Ltd"},
        ],
    }


@pytest.mark.parametrize(
    ("name", "case_id"),
    [("kestrel-brightline.yaml", "kestrel-brightline"), ("my deal.yaml", "new-case")],
)
def test_the_case_id_defaults_to_the_file_name(tmp_path: Path, name: str, case_id: str) -> None:
    assert _new(str(tmp_path / name)).exit_code == ExitCode.OK
    assert load_case(tmp_path / name).id == case_id


def test_an_existing_file_is_not_overwritten_without_force(tmp_path: Path) -> None:
    target = tmp_path / "deal.yaml"
    target.write_text("keep me\n")
    result = _new(str(target), "--id=deal")
    assert result.exit_code == ExitCode.ERROR
    assert result.stderr == (
        f"partnerfit: error: {target} already exists; pass --force to overwrite it\n"
    )
    assert target.read_text() == "keep me\n"
    # Refused before any question is asked.
    asked = _new(str(target), "--interactive", input="x\n")
    assert asked.exit_code == ExitCode.ERROR
    assert "Case id" not in asked.stderr
    assert _new(str(target), "--id=deal", "--force").exit_code == ExitCode.OK
    assert load_case(target).id == "deal"


@pytest.mark.parametrize(
    ("parties", "message"),
    [
        (
            ["acme", "b=Beta"],
            "--party 'acme': expected ID=NAME, e.g. --party acme='Acme GmbH'",
        ),
        (["=Acme", "b=Beta"], "--party '=Acme': expected ID=NAME, e.g. --party acme='Acme GmbH'"),
        (["acme=", "b=Beta"], "--party 'acme=': expected ID=NAME, e.g. --party acme='Acme GmbH'"),
        (
            ["acme corp=Acme", "b=Beta"],
            "--party 'acme corp=Acme': the id must be letters, digits, '_', '.' or '-' "
            "(no spaces): an id is letters, digits, '_', '.' or '-', starting with a letter or "
            "digit; got 'acme corp'",
        ),
        (["a=Acme", "a=Beta"], "--party 'a=Beta': party id 'a' is given twice"),
        (["a=Acme"], "--party was given once; a case needs at least two parties"),
    ],
)
def test_bad_party_options_are_refused(tmp_path: Path, parties: list[str], message: str) -> None:
    target = tmp_path / "deal.yaml"
    args = [arg for spec in parties for arg in ("--party", spec)]
    result = _new(str(target), *args)
    assert result.exit_code == ExitCode.ERROR
    assert result.stderr == f"partnerfit: error: {message}\n"
    assert not target.exists()


def test_an_invalid_case_is_never_written(tmp_path: Path) -> None:
    target = tmp_path / "deal.yaml"
    result = _new(str(target), "--id", "my deal")
    assert result.exit_code == ExitCode.ERROR
    assert result.stderr.startswith("partnerfit: error: id: an id is letters, digits")
    assert not target.exists()


# The guided questions, in order, for two parties. Empty means unknown; `none` an explicit none.
ANSWERS = [
    "clinic-deal",  # case id
    "Two service firms for the same clinics",  # title
    "distribution",  # alliance kind
    "alpha",  # party 1 id
    "Alpha Care",  # party 1 name
    "",  # party 2 id: keep the default, b
    "Beta Dental",  # party 2 name
    # Alpha Care
    "sofware",  # what it sells: refused (misspelt), asked again
    "services, software",
    "dental clinics",  # services to
    "",  # software to: unknown
    "dental clinics, dental labs",  # market segments
    "DACH",  # regions
    "Gamma",  # competitors
    "Dr. Ada Alpha",  # executive sponsor
    "Every clinic runs on one service contract",  # vision
    "",  # three-year goal: unknown
    # Beta Dental
    "services",
    "dental clinics",
    "",  # segments: unknown
    "",  # regions: unknown
    "none",  # competitors: explicitly none
    "none",  # sponsor: explicitly nobody
    "",  # vision: unknown
    "300 clinics on the joint contract",  # three-year goal
]


def test_the_guided_questions_write_exactly_the_answers(tmp_path: Path) -> None:
    target = tmp_path / "clinic.yaml"
    result = _new(str(target), "--interactive", input="\n".join(ANSWERS) + "\n")
    assert result.exit_code == ExitCode.OK, result.output
    assert result.stdout == ""
    assert "Error: Input should be 'manufacturing', 'hardware'," in result.stderr
    assert "got 'sofware'" in result.stderr
    # title, kind; seven questions a party; three offerings; the misspelt answer asked again
    assert result.stderr.count("(leave empty if unknown") == 2 + 2 * 7 + 3 + 1
    assert result.stderr.endswith(f"Wrote {target}. Next: partnerfit check {target}\n")
    assert _dump(load_case(target)) == {
        "schema": CASE_SCHEMA_ID,
        "id": "clinic-deal",
        "title": "Two service firms for the same clinics",
        "alliance": {"kind": "distribution"},
        "parties": [
            {
                "id": "alpha",
                "name": "Alpha Care",
                "offerings": [
                    {"category": "services", "segments": ["dental clinics"]},
                    {"category": "software"},
                ],
                "markets": {"segments": ["dental clinics", "dental labs"], "regions": ["DACH"]},
                "competitors": ["Gamma"],
                "executive_sponsor": "Dr. Ada Alpha",
                "answers": {"vision": "Every clinic runs on one service contract"},
            },
            {
                "id": "b",
                "name": "Beta Dental",
                "offerings": [{"category": "services", "segments": ["dental clinics"]}],
                "competitors": [],
                "executive_sponsor": False,
                "answers": {"three_year_goal": "300 clinics on the joint contract"},
            },
        ],
    }
    text = target.read_text()
    assert "\n    # brands: []  # Other names the party trades under.\n" in text
    assert "\n  #   three_year_goal:  # Where this party" not in text  # known fields are live
    assert "\n      # three_year_goal:  # Where this party expects" in text

    check = CliRunner().invoke(
        main, ["check", str(target), "--rules", str(CORE), "--format", "json"]
    )
    assert check.exit_code == ExitCode.RED_FLAGS
    findings = [(f["rule_id"], f["message"]) for f in json.loads(check.stdout)["findings"]]
    assert findings == [
        ("PF-TST-001", "Alpha Care and Beta Dental both sell services to dental clinics"),
        (
            "PF-TST-005",
            "How long is the alliance meant to run? Fill in: how many years the alliance is to run.",
        ),
        # Beta's explicit "none" is an answer, judged: neither names the other as a competitor.
        ("PF-TST-004", "Alpha Care and Beta Dental do not name each other as competitors"),
    ]


def test_empty_answers_leave_everything_unknown(tmp_path: Path) -> None:
    target = tmp_path / "deal.yaml"
    answers = ["", "", "", "", "", "", ""] + [""] * 2 * 7  # keep every default
    result = _new(str(target), "--interactive", input="\n".join(answers) + "\n")
    assert result.exit_code == ExitCode.OK, result.output
    assert target.read_text() == case_template(case_id="deal")
    check = CliRunner().invoke(main, ["check", str(target), "--rules", str(CORE)])
    assert check.exit_code == ExitCode.OK
    assert "0 red flags (0 critical, 0 high, 0 medium, 0 low, 0 info), 2 open questions" in (
        check.stdout
    )


def test_a_bad_or_repeated_party_id_is_asked_again(tmp_path: Path) -> None:
    answers = ["deal", "", "", "a", "A", "a", "b c", "b", "B"] + [""] * 2 * 7
    result = _new("--interactive", input="\n".join(answers) + "\n")
    assert result.exit_code == ExitCode.OK, result.output
    assert "Error: 'a' is already used by another party" in result.stderr
    assert "Error: an id is letters, digits, '_', '.' or '-'" in result.stderr
    assert [(p.id, p.name) for p in load_case(result.stdout).parties] == [("a", "A"), ("b", "B")]


def test_interactive_is_the_default_only_on_a_terminal_without_content_flags(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(new_module, "_stdin_is_a_terminal", lambda: True)
    asked = _new(input="\n" * 30)
    assert asked.exit_code == ExitCode.OK, asked.output
    assert "Case id [new-case]: " in asked.stderr
    assert asked.stdout == case_template(case_id="new-case")
    for flags in (["--id=x"], ["--title=T"], ["--kind=supply"], ["--party=a=A", "--party=b=B"]):
        assert "Case id" not in _new(*flags).stderr
    assert "Case id" not in _new("--no-interactive").stderr
    monkeypatch.setattr(new_module, "_stdin_is_a_terminal", lambda: False)
    assert "Case id" not in _new().stderr


def test_end_of_input_at_a_prompt_is_an_interruption_not_red_flags() -> None:
    result = _new("--interactive", input="deal\n")
    assert result.exit_code == 130
    assert result.stderr.endswith("partnerfit: interrupted\n")
