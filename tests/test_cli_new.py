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


def test_the_template_explains_each_kind_and_category_at_its_end() -> None:
    text = _new("--no-interactive").stdout
    assert "# it in. The choices are explained at the end of the file." in text
    glossary = text[text.index("# ── The choices, explained ──") :].splitlines()
    assert glossary[3] == (
        "#   joint_venture             the parties set up a company they own together"
    )
    assert glossary[-13] == (
        "#   services       does work for clients: installation, repair, care, design, agency work"
    )
    assert len(glossary) == 1 + 2 + 10 + 3 + 16
    assert all(line.startswith("#") for line in glossary)  # comments: the case is unchanged
    assert _dump(load_case(text)) == _dump(load_case(case_template(case_id="new-case")))


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
    # The next steps are commands to copy, for this case's own parties and file.
    assert result.stderr.splitlines() == [
        f"Wrote {target}. Next: partnerfit check {target}",
        "Then send each party its own questions, to answer without the other side:",
        f"  partnerfit questionnaire {target} --party fjellvind -o deal-fjellvind.yaml"
        "  # Fjellvind AS",
        f"  partnerfit questionnaire {target} --party carrow -o deal-carrow.yaml"
        "  # Carrow Textiles Ltd",
        "When the answers come back, merge them and write a report to share:",
        f"  partnerfit merge {target} deal-fjellvind.yaml deal-carrow.yaml --in-place",
        f"  partnerfit check {target} --format html -o deal.html",
    ]
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
    assert "A short id" not in asked.stderr
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
    assert result.stderr == (
        "partnerfit: error: --id: an id is letters, digits, '_', '.' or '-', starting with a "
        "letter or digit; got 'my deal'\n"
    )
    assert not target.exists()


def test_every_problem_with_the_options_is_named_at_once(tmp_path: Path) -> None:
    # It used to stop at the first ("... (and 1 more problem)"), one fix and rerun per problem.
    target = tmp_path / "deal.yaml"
    result = _new(
        str(target), "--id=my deal", "--kind=products", "--party=a b=A", "--party=c=C", "--party=c"
    )
    assert result.exit_code == ExitCode.ERROR
    assert result.stderr == (
        "partnerfit: error: 4 problems:\n"
        "  --party 'a b=A': the id must be letters, digits, '_', '.' or '-' (no spaces): an id "
        "is letters, digits, '_', '.' or '-', starting with a letter or digit; got 'a b'\n"
        "  --party 'c': expected ID=NAME, e.g. --party acme='Acme GmbH'\n"
        "  --kind: 'products' is not a kind partnerfit knows; pick one of: joint venture, "
        "distribution, licensing, co-marketing, professional partnership, co-founding, "
        "technology, supply, reseller, other\n"
        "  --id: an id is letters, digits, '_', '.' or '-', starting with a letter or digit; "
        "got 'my deal'\n"
    )
    assert not target.exists()


@pytest.mark.parametrize(
    ("given", "kind"),
    [("JV", "joint_venture"), ("co-founding", "co_founding"), ("Founders", "co_founding")],
)
def test_kind_takes_words(tmp_path: Path, given: str, kind: str) -> None:
    target = tmp_path / "deal.yaml"
    assert _new(str(target), f"--kind={given}").exit_code == ExitCode.OK
    case = load_case(target)
    assert case.alliance is not None
    assert case.alliance.kind == kind


def test_kind_help_explains_every_kind() -> None:
    help_text = " ".join(_new("--help").stdout.split())
    assert "joint venture (the parties set up a company they own together)" in help_text
    assert "other (none of these)." in help_text


# The guided questions, in order, for two parties. Empty means unknown; `none` an explicit none.
ANSWERS = [
    "clinic-deal",  # case id
    "Two service firms for the same clinics",  # title
    "distributor",  # alliance kind, in the founder's word
    "Alpha Care",  # party 1 name
    "alpha",  # party 1 id
    "Beta Dental",  # party 2 name
    "",  # party 2 id: keep the one made from the name, beta-dental
    # Alpha Care
    "sofware, products",  # what it sells: both refused at once, asked again
    "design, SaaS",  # read as services and software
    "dental clinics, dental labs",  # its customers: asked once
    "1",  # which customers buy its services: dental clinics
    "",  # which buy its software: unknown
    "DACH",  # regions
    "Gamma",  # competitors
    "Dr. Ada Alpha",  # executive sponsor
    "Every clinic runs on one service contract",  # vision
    "",  # three-year goal: unknown
    # Beta Dental: one category, so its customers are the category's; no second question
    "Services",
    "dental clinics",
    "",  # regions: unknown
    "none",  # competitors: explicitly none
    "nobody",  # sponsor: explicitly nobody
    "",  # vision: unknown
    "300 clinics on the joint contract",  # three-year goal
]


def test_the_guided_questions_write_exactly_the_answers(tmp_path: Path) -> None:
    target = tmp_path / "clinic.yaml"
    result = _new(str(target), "--interactive", input="\n".join(ANSWERS) + "\n")
    assert result.exit_code == ExitCode.OK, result.output
    assert result.stdout == ""
    err = result.stderr
    # Every choice is listed with its meaning, once per question.
    assert "   6. co-founding: people start a new company together as its founders\n" in err
    assert err.count("   4. services: does work for clients: installation, repair, care,") == 2
    # Both bad words at once, in plain words, with what to do about each.
    assert (
        "Error: 2 problems:\n"
        "  'sofware' is not a category partnerfit knows; did you mean software?\n"
        "  'products' could mean more than one category; say which: manufacturing (makes "
        "physical goods, in its own plants or by contract); hardware (sells devices and "
        "equipment: machines, electronics, scanners, tools); retail (sells goods to consumers, "
        "in shops or online)\n"
    ) in err
    assert "Input should" not in err
    assert "and 1 more problem" not in err
    # Words read as a choice are said back.
    assert "  (read 'distributor' as distribution)\n" in err
    assert "  (read 'design' as services)\n  (read 'SaaS' as software)\n" in err
    # Plain questions; the customers asked once a party, then only which of them buy what.
    assert "What does Alpha Care sell? Numbers or your own words" in err
    assert err.count("Who are Alpha Care's customers?") == 1
    assert err.count("Who are Beta Dental's customers?") == 1
    assert (
        "Which of Alpha Care's customers buy from its services business? 1. dental clinics, 2. dental labs."
        in (err)
    )
    assert "Which of Beta Dental's customers" not in err
    assert "A short id for Beta Dental (letters, digits, '-', no spaces) [beta-dental]: " in err
    assert f"Wrote {target}. Next: partnerfit check {target}\n" in err
    assert err.endswith(f"  partnerfit check {target} --format html -o clinic.html\n")
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
                "id": "beta-dental",
                "name": "Beta Dental",
                "offerings": [{"category": "services", "segments": ["dental clinics"]}],
                "markets": {"segments": ["dental clinics"]},
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


def test_a_list_answer_names_every_bad_item_and_is_asked_again(tmp_path: Path) -> None:
    too_long = "x" * 201
    answers = ["deal", "", "", "", "", "", ""]
    answers += ["", f"clinics, {too_long}, labs\x07", "clinics", "", "", "", "", ""]
    answers += [""] * 7
    result = _new("--interactive", input="\n".join(answers) + "\n")
    assert result.exit_code == ExitCode.OK, result.output
    assert (
        f"Error: 2 problems:\n  '{too_long}': too long: at most 200 characters\n"
        "  'labs\\x07': a name is one line of printable text (no tabs, line breaks or control "
        "characters); got 'labs\\x07'\n"
    ) in result.stderr
    party = load_case(result.stdout).parties[0]
    assert party.markets is not None
    assert party.markets.segments == ["clinics"]


def test_a_name_ending_in_s_takes_an_apostrophe_alone() -> None:
    answers = ["deal", "", "", "Hafen Roasters", "", "Boss", ""] + [""] * 2 * 7
    result = _new("--interactive", input="\n".join(answers) + "\n")
    assert result.exit_code == ExitCode.OK, result.output
    assert "Who are Hafen Roasters' customers?" in result.stderr
    assert "In Boss's own words: what should the partnership become?" in result.stderr


def test_empty_answers_leave_everything_unknown(tmp_path: Path) -> None:
    target = tmp_path / "deal.yaml"
    answers = ["", "", "", "", "", "", ""] + [""] * 2 * 7  # keep every default
    result = _new(str(target), "--interactive", input="\n".join(answers) + "\n")
    assert result.exit_code == ExitCode.OK, result.output
    assert target.read_text() == case_template(case_id="deal")
    check = CliRunner().invoke(main, ["check", str(target), "--rules", str(CORE)])
    assert check.exit_code == ExitCode.OK
    assert "0 red flags (0 critical, 0 high, 0 medium, 0 low, 0 info), 2 questions to answer" in (
        check.stdout
    )


def test_a_bad_or_repeated_party_id_is_asked_again(tmp_path: Path) -> None:
    answers = ["deal", "", "", "A", "", "B", "a", "b c", ""] + [""] * 2 * 7
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
    assert "A short id for this case (letters, digits, '-', no spaces) [new-case]: " in (
        asked.stderr
    )
    assert asked.stdout == case_template(case_id="new-case")
    for flags in (["--id=x"], ["--title=T"], ["--kind=supply"], ["--party=a=A", "--party=b=B"]):
        assert "A short id" not in _new(*flags).stderr
    assert "A short id" not in _new("--no-interactive").stderr
    monkeypatch.setattr(new_module, "_stdin_is_a_terminal", lambda: False)
    assert "A short id" not in _new().stderr


def test_end_of_input_at_a_prompt_is_an_interruption_not_red_flags() -> None:
    result = _new("--interactive", input="deal\n")
    assert result.exit_code == 130
    assert result.stderr.endswith("partnerfit: interrupted\n")
