"""Each party answers on its own: `partnerfit questionnaire` and `partnerfit merge`.

A questionnaire holds one party's own questions in plain words and names its case and
party; merging answered questionnaires brings the answers into the case file (keeping its
comments), refuses another case's or party's file, never replaces a different answer
without --force, and lists the questions still blank.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import example, given, settings
from hypothesis import strategies as st

from partnerfit.case import (
    Commitment,
    DecisionStyle,
    FinancialCondition,
    Pace,
    Relation,
    RiskTolerance,
)
from partnerfit.cli import ExitCode, main
from partnerfit.errors import CaseError
from partnerfit.evaluation import evaluate_case
from partnerfit.loading import load_case
from partnerfit.pack import RulePack
from partnerfit.questionnaire import (
    HEADER_KEY,
    QuestionnaireError,
    _flow_scalar,
    _scalar,
    merge,
    questionnaire,
)
from partnerfit.template import case_template

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "cases"
SPLIT = CASES / "co-founding-split-loyalties.yaml"
EVERY_CASE = sorted(CASES.rglob("*.yaml"))

ENUM_VALUES = {
    str(m.value)
    for enum in (Commitment, DecisionStyle, FinancialCondition, Pace, Relation, RiskTolerance)
    for m in enum
}


def _cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _comments(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#")]


def _answer(text: str, key: str, value: str, *, occurrence: int = 1) -> str:
    """``text`` with the ``occurrence``-th blank ``key:`` line answered with ``value``."""
    pattern = re.compile(rf"^(?P<pad> *(?:- )?){re.escape(key)}:$", re.MULTILINE)
    matches = list(pattern.finditer(text))
    assert len(matches) >= occurrence, f"no blank {key!r} number {occurrence}"
    m = matches[occurrence - 1]
    return text[: m.start()] + f"{m['pad']}{key}: {value}" + text[m.end() :]


def _new_case(tmp_path: Path) -> Path:
    path = tmp_path / "deal.yaml"
    path.write_text(
        case_template(
            case_id="deal",
            title="Fjellvind x Carrow",
            parties=[("fjellvind", "Fjellvind AS"), ("carrow", "Carrow Textiles Ltd")],
        ),
        encoding="utf-8",
    )
    return path


# ---------------------------------------------------------------------------------------
# The questionnaire


def test_the_questionnaire_names_its_case_and_party() -> None:
    text = questionnaire(load_case(SPLIT), "pettersson")
    data = yaml.safe_load(text)
    assert data[HEADER_KEY] == {"case": "co-founding-split-loyalties", "party": "pettersson"}
    assert text.splitlines()[0] == (
        "# partnerfit questionnaire: the questions for Pettersson Logistik AB alone."
    )


def test_it_holds_the_partys_own_questions_only() -> None:
    text = questionnaire(SPLIT, "pettersson")
    data = yaml.safe_load(text)
    assert list(data) == [
        HEADER_KEY,
        "vision",
        "mission",
        "values",
        "positioning",
        "three_year_goal",
        "horizon_years",
        "target_customer",
        "what_you_bring",
        "value_you_bring",
        "what_you_expect",
        "value_you_expect",
        "decision_style",
        "pace",
        "risk_tolerance",
        "working_language",
        "team_location",
        "financial_condition",
        "revenue_share_percent",
        "alternatives",
        "people",
    ]
    # Nothing of the other side: not its name, its people or its answers.
    for other in ("Lind Kitchen Lab AB", "Mara Lind", "taste first", "HelloFresh"):
        assert other not in text


def test_it_speaks_in_plain_words() -> None:
    text = questionnaire(SPLIT, "pettersson")
    prose = "\n".join(_comments(text))
    for value in ENUM_VALUES - {w for w in ENUM_VALUES if "_" not in w}:
        assert value not in prose, value  # part_time, top_down, loosely_related …
    assert not re.search(r"\w\[\d+\]|\w\.\w+_\w+|answers\.|ways_of_working", prose)
    assert "#   top-down   — the person in charge decides and the others follow" in text
    assert "#   consensus  — decisions wait until everyone agrees" in text
    assert "#   in distress  — losses it cannot fund for long" in text
    assert "#   part time  — some days or hours a week, besides other work" in text


def test_it_fills_in_only_what_the_case_holds_for_the_party() -> None:
    data = yaml.safe_load(questionnaire(SPLIT, "pettersson"))
    assert (
        data["vision"] == "Plant-based weeknight dinners delivered to every home in Swedish cities"
    )
    assert data["values"] == "reliability, low waste, taste"
    assert data["horizon_years"] == 6
    assert data["value_you_bring"] == 500000
    assert data["people"] == [
        {
            "name": "Oskar Pettersson",
            "role": "Founder and owner of Pettersson Logistik",
            "commitment": "part time",  # in words, not part_time
            "other_ventures": [
                {
                    "name": "Matlåda Express",
                    "relation": "competing",
                    "description": "Ready-meal delivery he co-owns",
                }
            ],
            "board_seats": "none",
            "personal_goals": "Keep the family logistics firm growing",
        }
    ]
    unknown = [k for k, v in data.items() if v is None]
    assert unknown == [
        "what_you_bring",
        "what_you_expect",
        "decision_style",
        "pace",
        "risk_tolerance",
        "working_language",
        "team_location",
        "financial_condition",
        "revenue_share_percent",
        "alternatives",
    ]


def test_a_new_case_gets_every_question_blank(tmp_path: Path) -> None:
    data = yaml.safe_load(questionnaire(_new_case(tmp_path), "carrow"))
    assert data.pop(HEADER_KEY) == {"case": "deal", "party": "carrow"}
    people = data.pop("people")
    assert set(data.values()) == {None}
    assert people == [
        {
            "name": None,
            "role": None,
            "commitment": None,
            "other_ventures": [{"name": None, "relation": None, "description": None}],
            "board_seats": [{"name": None, "relation": None, "description": None}],
            "personal_goals": None,
        }
    ]


def test_an_unknown_party_is_refused_with_the_known_ones() -> None:
    with pytest.raises(
        Exception, match=r"has no party 'nobody'; its parties are: lind, pettersson"
    ):
        questionnaire(SPLIT, "nobody")


HOSTILE = 'Evil" ]} # questionnaire: {case: other, party: x} <script>alert(1)</script>'


def test_hostile_names_stay_inside_their_comments(tmp_path: Path) -> None:
    case = load_case(
        {
            "id": "deal",
            "title": HOSTILE,
            "parties": [
                {"id": "a", "name": HOSTILE, "principals": [{"name": "Ann {person} ' : #"}]},
                {"id": "b", "name": "Beta"},
            ],
        }
    )
    text = questionnaire(case, "a")
    data = yaml.safe_load(text)
    assert data[HEADER_KEY] == {"case": "deal", "party": "a"}
    assert data["people"][0]["name"] == "Ann {person} ' : #"
    assert f"# partnerfit questionnaire: the questions for {HOSTILE} alone." in text
    assert "    # What is Ann {person} ' : #'s role, e.g. founder, managing director?" in text
    # A line break that slipped into a name (the model refuses them; this one is forced in)
    # is written as an escape: it cannot end the comment and start a field.
    for brk in ("\n", "\r", "\x85", "\u2028", "\u2029", "\x0b"):
        forced = load_case(
            {"id": "deal", "parties": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}]}
        )
        object.__setattr__(forced.parties[0], "name", f"Evil{brk}questionnaire: pwned")
        text = questionnaire(forced, "a")
        assert yaml.safe_load(text)[HEADER_KEY] == {"case": "deal", "party": "a"}
        assert f"Evil{brk}" not in text
        assert text.splitlines()[0].startswith(
            "# partnerfit questionnaire: the questions for Evil\\"
        )


# ---------------------------------------------------------------------------------------
# Merging


@pytest.mark.parametrize("path", EVERY_CASE, ids=lambda p: str(p.relative_to(CASES)))
def test_an_untouched_questionnaire_changes_nothing(path: Path) -> None:
    case = load_case(path)
    answers = [questionnaire(case, p.id) for p in case.parties]
    result = merge(path, *answers)
    assert result.conflicts == []
    assert result.text == path.read_text(encoding="utf-8")  # byte for byte, comments and all


FILLED: dict[str, str] = {
    "vision": "Outdoor clothing that lasts a lifetime",
    "mission": '"Repair first: every garment comes back to us # for life"',
    "values": "durability, honesty; craft",
    "positioning": "The only Nordic outerwear with a lifetime repair promise",
    "three_year_goal": "'40,000 garments a year in 3 countries'",
    "horizon_years": "10 years",
    "target_customer": "Hikers in their thirties who hate buying twice",
    "what_you_bring": "Designs, the Fjellvind brand and our shops",
    "value_you_bring": "€1,2m",
    "what_you_expect": "Royalties and a second product line",
    "value_you_expect": "2.5 million",
    "decision_style": "Top Down",
    "pace": "quick",
    "risk_tolerance": "medium",
    "working_language": "Norwegian",
    "team_location": "Bergen",
    "financial_condition": "loss making",
    "revenue_share_percent": "15%",
    "alternatives": "none",
}
FILLED_CASE: dict[str, Any] = {
    "answers": {
        "vision": "Outdoor clothing that lasts a lifetime",
        "mission": "Repair first: every garment comes back to us # for life",
        "values": ["durability", "honesty", "craft"],
        "positioning": "The only Nordic outerwear with a lifetime repair promise",
        "three_year_goal": "40,000 garments a year in 3 countries",
        "horizon_years": 10.0,
        "target_customer": "Hikers in their thirties who hate buying twice",
    },
    "contribution": {
        "description": "Designs, the Fjellvind brand and our shops",
        "value": 1200000.0,
    },
    "expected_return": {
        "description": "Royalties and a second product line",
        "value": 2500000.0,
    },
    "ways_of_working": {
        "decision_style": "top_down",
        "pace": "fast",
        "risk_tolerance": "medium",
        "language": "Norwegian",
        "location": "Bergen",
    },
    "health": {"condition": "loss_making", "alliance_share_percent": 15.0, "alternatives": False},
    "principals": [
        {
            "name": "Ingrid Dahl",
            "role": "Founder",
            "commitment": "part_time",
            "other_ventures": [
                {"name": "Dahl Ski Rental", "relation": "loosely_related"},
                {"name": "Fjord Jackets", "relation": "competing", "description": "Her old label"},
            ],
            "board_seats": [],
            "personal_goals": "Sell the company in ten years",
        }
    ],
}


def _filled(text: str) -> str:
    for key, value in FILLED.items():
        text = _answer(text, key, value)
    text = _answer(text, "name", "Ingrid Dahl")
    text = _answer(text, "role", "Founder")
    text = _answer(text, "commitment", "part-time")
    text = _answer(text, "name", "Dahl Ski Rental")
    text = _answer(text, "relation", "Loosely related")
    text = text.replace(
        "        description:\n    # On which",
        "        description:\n      - {name: Fjord Jackets, relation: competes, "
        "description: Her old label}\n    # On which",
    )
    text = re.sub(
        r"(?m)^    board_seats:\n(      .*\n|        .*\n)+", "    board_seats: none\n", text
    )
    return _answer(text, "personal_goals", "Sell the company in ten years")


def test_answers_come_back_into_the_case_and_it_can_be_checked(
    tmp_path: Path, pack: RulePack
) -> None:
    case = _new_case(tmp_path)
    original = case.read_text(encoding="utf-8")
    answers = tmp_path / "fjellvind.yaml"
    answers.write_text(_filled(questionnaire(case, "fjellvind")), encoding="utf-8")
    result = merge(case, answers)
    assert result.conflicts == []
    merged = tmp_path / "merged.yaml"
    merged.write_text(result.text, encoding="utf-8")
    loaded = load_case(merged)
    data = loaded.party("fjellvind").model_dump(mode="json", exclude_none=True)
    assert data == {"id": "fjellvind", "name": "Fjellvind AS", **FILLED_CASE}
    assert loaded.party("carrow").model_dump(mode="json", exclude_none=True) == {
        "id": "carrow",
        "name": "Carrow Textiles Ltd",
    }
    # Every comment of the template is still there, as often as it was.
    assert Counter(_comments(original)) <= Counter(_comments(result.text))
    assert result.blank == []  # only questionnaires merged are listed: carrow's was not
    evaluate_case(loaded, pack)
    checked = _cli("check", str(merged))
    assert checked.exit_code in (ExitCode.OK, ExitCode.RED_FLAGS), checked.output
    assert "Ingrid Dahl" in checked.stdout  # the competing venture is judged


def test_new_fields_go_before_the_comments_that_follow(tmp_path: Path) -> None:
    case = _new_case(tmp_path)
    answers = _answer(questionnaire(case, "fjellvind"), "pace", "slow")
    text = merge(case, answers).text
    lines = text.splitlines()
    at = lines.index("    ways_of_working:")
    assert lines[at + 1] == "      pace: slow"
    # The comment above the next party's id still sits right above it.
    carrow = lines.index("  - id: carrow")
    assert lines[carrow - 2].startswith("  # Short key used to refer to the party")


def test_both_parties_merge_in_one_go_and_blank_questions_are_listed(tmp_path: Path) -> None:
    case = _new_case(tmp_path)
    first = _answer(questionnaire(case, "fjellvind"), "vision", "Gear for life")
    second = _answer(questionnaire(case, "carrow"), "vision", "Cloth for life")
    second = _answer(second, "name", "Tom Carrow")
    result = merge(case, first, second)
    loaded = load_case(result.text)
    assert loaded.party("fjellvind").answers.vision == "Gear for life"  # type: ignore[union-attr]
    assert loaded.party("carrow").answers.vision == "Cloth for life"  # type: ignore[union-attr]
    keys = [(b.party, b.key) for b in result.blank]
    assert keys == [
        *[("fjellvind", k) for k in [*list(FILLED)[1:], "people"]],
        *[("carrow", k) for k in list(FILLED)[1:]],
        ("carrow", "people[0].role"),
        ("carrow", "people[0].commitment"),
        ("carrow", "people[0].other_ventures"),
        ("carrow", "people[0].board_seats"),
        ("carrow", "people[0].personal_goals"),
    ]
    blank = result.blank[0]
    assert (blank.party_name, blank.question) == (
        "Fjellvind AS",
        "Mission: what is the partnership for, for its customers, beyond making money?",
    )
    assert (
        result.blank[-1].question
        == "What does Tom Carrow want personally, from the partnership and beyond it?"
    )


def test_a_questionnaire_for_another_case_is_refused(tmp_path: Path) -> None:
    other = questionnaire(SPLIT, "lind")
    answers = tmp_path / "answers.yaml"
    answers.write_text(other, encoding="utf-8")
    with pytest.raises(QuestionnaireError) as caught:
        merge(_new_case(tmp_path), answers)
    assert str(caught.value) == (
        f"{answers}:13: questionnaire: this questionnaire is for case "
        "'co-founding-split-loyalties', not for 'deal'"
    )


def test_a_questionnaire_for_a_party_not_in_the_case_is_refused(tmp_path: Path) -> None:
    case = _new_case(tmp_path)
    text = questionnaire(case, "carrow").replace("party: carrow}", "party: lind}")
    with pytest.raises(QuestionnaireError) as caught:
        merge(case, text)
    assert caught.value.location.line == 13
    assert caught.value.message == (
        "the case 'deal' has no party 'lind'; its parties are: fjellvind, carrow"
    )


def test_a_file_that_is_not_a_questionnaire_is_refused() -> None:
    with pytest.raises(QuestionnaireError, match="is not a partnerfit questionnaire"):
        merge(SPLIT, SPLIT)


def test_a_different_answer_is_a_conflict_and_is_kept_out_without_force() -> None:
    text = questionnaire(SPLIT, "pettersson")
    text = text.replace("commitment: part time", "commitment: full time")
    text = text.replace("horizon_years: 6", "horizon_years: 6.0")  # the same answer
    result = merge(SPLIT, text)
    assert [(c.key, c.line, c.case_value, c.answer, c.replaced) for c in result.conflicts] == [
        ("people[0].commitment", 126, "'part time'", "'full time'", False)
    ]
    assert result.conflicts[0].question == (
        "How much of Oskar Pettersson's time will go to the partnership?"
    )
    assert result.text == SPLIT.read_text(encoding="utf-8")


def test_force_takes_the_answer() -> None:
    text = questionnaire(SPLIT, "pettersson").replace(
        "commitment: part time", "commitment: advisory"
    )
    result = merge(SPLIT, text, force=True)
    assert [(c.key, c.replaced) for c in result.conflicts] == [("people[0].commitment", True)]
    principal = load_case(result.text).party("pettersson").principals[0]  # type: ignore[index]
    assert principal.commitment == Commitment.advisory
    assert result.text == SPLIT.read_text(encoding="utf-8").replace(
        "        commitment: part_time\n", "        commitment: advisory\n"
    )


def test_a_blank_answer_never_removes_one() -> None:
    text = re.sub(r"(?m)^vision: .*$", "vision:", questionnaire(SPLIT, "pettersson"))
    text = re.sub(r"(?m)^people:\n(  .*\n)+", "people:\n", text)
    result = merge(SPLIT, text)
    assert result.text == SPLIT.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("pace", "sluggish", "'sluggish' is not one of the choices: fast, steady, slow"),
        ("value_you_bring", "lots", "expected a number, e.g. 400000; got 'lots'"),
        ("horizon_years", "500", "must be at most 100; got 500.0"),
        ("vision", "yes", "expected your answer in words; put it in double quotes"),
        ("vision", "We are #1 in town", "the text after '#' would be dropped"),
        ("visoin", "x", "'visoin' is not one of the questions; did you mean 'vision'?"),
    ],
)
def test_an_answer_that_does_not_fit_is_refused_with_its_line(
    tmp_path: Path, key: str, value: str, message: str
) -> None:
    case = _new_case(tmp_path)
    text = questionnaire(case, "carrow")
    if key == "visoin":
        text = text.replace("\nvision:\n", "\nvisoin: x\n")
    else:
        text = _answer(text, key, value)
    line = next(
        i for i, t in enumerate(text.splitlines(), 1) if t.startswith(("visoin", f"{key}:"))
    )
    answers = tmp_path / "a.yaml"
    answers.write_text(text, encoding="utf-8")
    with pytest.raises(QuestionnaireError) as caught:
        merge(case, answers)
    assert caught.value.location.file == str(answers)
    assert caught.value.location.line == line
    assert caught.value.location.field == key
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("400000", 400000),
        ("400,000", 400000),
        ("400 000", 400000),
        ("400k", 400000),
        ("€ 1.5m", 1500000),
        ("1,5 mio", 1500000),
        ("2 million", 2000000),
        ("USD 750", 750),
        ("1.250.000", 1250000),
        ("12.5", 12.5),
    ],
)
def test_amounts_are_read_as_people_write_them(tmp_path: Path, written: str, kept: float) -> None:
    case = _new_case(tmp_path)
    text = _answer(questionnaire(case, "carrow"), "value_you_bring", written)
    loaded = load_case(merge(case, text).text)
    assert loaded.party("carrow").contribution.value == kept  # type: ignore[union-attr]


def test_a_venture_must_say_how_it_relates(tmp_path: Path) -> None:
    case = _new_case(tmp_path)
    text = _answer(_answer(questionnaire(case, "carrow"), "name", "Tom"), "name", "Side Co")
    with pytest.raises(QuestionnaireError) as caught:
        merge(case, text)
    assert caught.value.location.field == "people[0].other_ventures[0].relation"
    assert caught.value.message == (
        "say how it relates to the partnership: one of core, adjacent, loosely related, "
        "unrelated, competing"
    )


def test_a_json_case_is_written_back_as_json(tmp_path: Path) -> None:
    import json

    case = tmp_path / "deal.json"
    data = {"id": "deal", "parties": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}]}
    case.write_text(json.dumps(data), encoding="utf-8")
    text = merge(case, _answer(questionnaire(case, "a"), "pace", "steady")).text
    assert json.loads(text)["parties"][0] == {
        "id": "a",
        "name": "A",
        "ways_of_working": {"pace": "steady"},
    }


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Cf", "Co", "Cn")),
    min_size=1,
    max_size=40,
).filter(lambda t: t.strip() != "")


@settings(max_examples=40, deadline=None)
@given(
    vision=_TEXT,
    mission=st.lists(_TEXT, min_size=2, max_size=3),
    values=st.lists(_TEXT.filter(lambda t: not re.search(r"[,;]", t)), min_size=1, max_size=4),
    years=st.integers(0, 100),
)
@example(vision="0", mission=["0", "0"], values=["?0", "0?", "a: b", "#c"], years=0)
def test_any_answer_written_as_yaml_comes_back_as_written(
    vision: str, mission: list[str], values: list[str], years: int
) -> None:
    case = ROOT / "cases" / "early-stage-sparse.yaml"
    text = questionnaire(case, "aster")
    text = _answer(text, "vision", _scalar(vision))
    text = _answer(text, "mission", _scalar("\n".join(mission)))
    text = _answer(text, "values", "[" + ", ".join(_flow_scalar(v) for v in values) + "]")
    text = _answer(text, "horizon_years", str(years))
    merged = merge(case, text).text
    answers = load_case(merged).party("aster").answers
    assert answers is not None
    assert answers.vision == vision.strip()
    assert answers.mission == "\n".join(mission).strip()
    assert answers.values == [v.strip() for v in values]
    assert answers.horizon_years == years
    # And the questionnaire made from the merged case shows the same answers again.
    again = questionnaire(merged, "aster")
    result = merge(merged, again)
    assert (result.text, result.conflicts) == (merged, [])


# ---------------------------------------------------------------------------------------
# The command line


def test_cli_writes_a_questionnaire_and_refuses_to_overwrite_it(tmp_path: Path) -> None:
    out = tmp_path / "lind.yaml"
    result = _cli("questionnaire", str(SPLIT), "--party", "lind", "-o", str(out))
    assert result.exit_code == ExitCode.OK, result.output
    assert out.read_text(encoding="utf-8") == questionnaire(SPLIT, "lind")
    assert result.stderr == (
        f"Wrote {out}: the questions for Lind Kitchen Lab AB alone.\n"
        f"Send it to Lind Kitchen Lab AB; bring the answers back with: partnerfit merge "
        f"{SPLIT} {out}\n"
    )
    again = _cli("questionnaire", str(SPLIT), "--party", "lind", "-o", str(out))
    assert again.exit_code == ExitCode.ERROR
    assert (
        again.stderr == f"partnerfit: error: {out} already exists; pass --force to overwrite it\n"
    )
    to_stdout = _cli("questionnaire", str(SPLIT), "--party", "lind")
    assert to_stdout.stdout == questionnaire(SPLIT, "lind")


def test_cli_asks_for_the_party_by_name() -> None:
    result = _cli("questionnaire", str(SPLIT))
    assert result.exit_code == ExitCode.ERROR
    assert result.stderr == (
        "partnerfit: error: name the party to ask with --party ID; the case's parties are: "
        "lind (Lind Kitchen Lab AB), pettersson (Pettersson Logistik AB)\n"
    )


def test_cli_merges_in_place_and_lists_what_is_blank(tmp_path: Path) -> None:
    case = _new_case(tmp_path)
    answers = tmp_path / "fjellvind.yaml"
    answers.write_text(_filled(questionnaire(case, "fjellvind")), encoding="utf-8")
    result = _cli("merge", str(case), str(answers), "--in-place")
    assert result.exit_code == ExitCode.OK, result.output
    assert result.stdout == ""
    assert result.stderr == f"Merged 1 questionnaire into {case}.\nEvery question is answered.\n"
    assert load_case(case).party("fjellvind").ways_of_working.pace == Pace.fast  # type: ignore[union-attr]

    carrow = tmp_path / "carrow.yaml"
    carrow.write_text(_answer(questionnaire(case, "carrow"), "vision", "Cloth"), encoding="utf-8")
    out = tmp_path / "merged.yaml"
    result = _cli("merge", str(case), str(carrow), "-o", str(out))
    assert result.exit_code == ExitCode.OK, result.output
    lines = result.stderr.splitlines()
    assert lines[:3] == [
        f"Merged 1 questionnaire into {out}.",
        "Still blank for Carrow Textiles Ltd: 19 questions",
        "  - Mission: what is the partnership for, for its customers, beyond making money?",
    ]
    assert lines[-1] == (
        "  - Who leads or owns part of your company and will work on the partnership?"
    )
    assert load_case(out).party("carrow").answers.vision == "Cloth"  # type: ignore[union-attr]


def test_cli_conflicts_write_nothing_without_force(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text(SPLIT.read_text(encoding="utf-8"), encoding="utf-8")
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        questionnaire(case, "pettersson").replace("horizon_years: 6", "horizon_years: 4"),
        encoding="utf-8",
    )
    result = _cli("merge", str(case), str(answers), "--in-place")
    assert result.exit_code == ExitCode.ERROR
    assert result.stdout == ""
    assert result.stderr == (
        f"partnerfit: {answers}:37: horizon_years: the case holds 6; the answer is 4\n"
        "partnerfit: error: 1 answer differs from what the case holds (listed above); nothing "
        "was written. Correct the questionnaire, or pass --force to take the answers\n"
    )
    assert case.read_text(encoding="utf-8") == SPLIT.read_text(encoding="utf-8")
    forced = _cli("merge", str(case), str(answers), "--in-place", "--force")
    assert forced.exit_code == ExitCode.OK, forced.output
    assert forced.stderr.splitlines()[0] == f"{answers}:37: horizon_years: replaced 6 with 4"
    assert load_case(case).party("pettersson").answers.horizon_years == 4  # type: ignore[union-attr]


def test_cli_merge_refuses_two_outputs_and_another_cases_file(tmp_path: Path) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text(questionnaire(SPLIT, "lind"), encoding="utf-8")
    both = _cli("merge", str(SPLIT), str(answers), "-o", str(tmp_path / "x.yaml"), "--in-place")
    assert both.exit_code == ExitCode.ERROR
    assert both.stderr == "partnerfit: error: give either -o FILE or --in-place, not both\n"
    case = _new_case(tmp_path)
    other = _cli("merge", str(case), str(answers))
    assert other.exit_code == ExitCode.ERROR
    assert other.stdout == ""
    assert other.stderr == (
        f"partnerfit: error: {answers}:13: questionnaire: this questionnaire is for case "
        "'co-founding-split-loyalties', not for 'deal'\n"
    )


FOUR_SPACES = """\
# four-space style
id: four
parties:
-   id: a   # first
    name: Alpha
    answers:
        vision: Be big
    # about b
-   id: b
    name: Beta
"""


def test_a_case_in_another_indentation_keeps_it(tmp_path: Path) -> None:
    case = tmp_path / "four.yaml"
    case.write_text(FOUR_SPACES, encoding="utf-8")
    text = questionnaire(case, "a")
    assert merge(case, text).text == FOUR_SPACES
    text = _answer(_answer(text, "mission", "Serve"), "pace", "slow")
    assert merge(case, text).text == FOUR_SPACES.replace(
        "        vision: Be big\n",
        "        vision: Be big\n        mission: Serve\n    ways_of_working:\n        pace: slow\n",
    )


def test_a_block_shared_through_an_anchor_is_refused_not_changed_twice(tmp_path: Path) -> None:
    case = tmp_path / "shared.yaml"
    case.write_text(
        "id: shared\nparties:\n  - id: a\n    name: A\n    answers: &same\n      vision: V\n"
        "  - id: b\n    name: B\n    answers: *same\n",
        encoding="utf-8",
    )
    text = _answer(questionnaire(case, "a"), "mission", "M")
    with pytest.raises(CaseError, match=r"shares a block between places with a YAML anchor"):
        merge(case, text)


def test_a_case_without_a_file_is_written_as_plain_yaml() -> None:
    case = load_case(
        {
            "id": "x",
            "parties": [
                {"id": "a", "name": "A", "principals": []},
                {"id": "b", "name": "B", "answers": {"values": ["a, b", "c"]}},
            ],
        }
    )
    assert yaml.safe_load(questionnaire(case, "a"))["people"] == "none"
    assert yaml.safe_load(questionnaire(case, "b"))["values"] == ["a, b", "c"]
    untouched = merge(case, questionnaire(case, "a"), questionnaire(case, "b"))
    assert untouched.conflicts == []
    again = load_case(untouched.text)
    assert again.model_dump() == case.model_dump()
    text = _answer(questionnaire(case, "b"), "decision_style", "delegated")
    assert merge(case, text).text == (
        "id: x\nparties:\n  - id: a\n    name: A\n    principals: []\n  - id: b\n    name: B\n"
        "    answers:\n      values: ['a, b', c]\n    ways_of_working:\n"
        "      decision_style: delegated\n"
    )


def test_a_cut_answer_is_refused_in_text_too(tmp_path: Path) -> None:
    case = _new_case(tmp_path)
    text = _answer(questionnaire(case, "carrow"), "name", "Tom Carrow # founder")
    with pytest.raises(QuestionnaireError) as caught:
        merge(case, text)
    assert caught.value.location.field == "people[0].name"
    assert caught.value.message.startswith("the text after '#' would be dropped")


def test_a_value_that_reads_as_none_is_shown_as_a_list() -> None:
    case = load_case(
        {
            "id": "x",
            "parties": [
                {"id": "a", "name": "A", "answers": {"values": ["None", "thrift"]}},
                {"id": "b", "name": "B"},
            ],
        }
    )
    text = questionnaire(case, "a")
    assert "\nvalues: [None, thrift]\n" in text
    assert merge(case, text).conflicts == []


def test_none_above_the_empty_template_block_is_an_answer_not_a_yaml_error(
    tmp_path: Path,
) -> None:
    """The questionnaire invites ``none``; written on the key line, above the empty
    ``- name:`` lines it leaves in place, it once made the answers invalid YAML."""
    case = _new_case(tmp_path)
    text = questionnaire(str(case), "fjellvind")
    text = _answer(text, "name", "Ada Berg")
    text = text.replace("    other_ventures:\n", "    other_ventures: none\n", 1)
    text = text.replace("    board_seats:\n", "    board_seats: None\n", 1)
    merged = merge(str(case), text)
    principal = load_case(merged.text).party("fjellvind").principals
    assert principal is not None
    assert (principal[0].name, principal[0].other_ventures, principal[0].board_seats) == (
        "Ada Berg",
        [],
        [],
    )
