"""Conversation prompts: loaded from a pack's prompts.yaml, chosen by alliance kind, carried
by the report and shown under "Talk it through"."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from htmldom import parse
from partnerfit import PackError, Report, evaluate, load_case, load_pack
from partnerfit.case import AllianceKind
from partnerfit.formats import html, markdown
from partnerfit.prompts import prompts_for, prompts_for_kind
from partnerfit.report import Ask, ConversationPrompt

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"

GENERAL = [
    "motivation",
    "trust",
    "stress-and-setbacks",
    "conflict-style",
    "communication",
    "biggest-worry",
    "if-it-ends",
    "past-alliances",
    "keeping-promises",
]
FOUNDERS = ["personal-runway", "work-and-life", "strengths-and-gaps", "stepping-back"]
COMPANIES = ["the-people-doing-the-work", "joint-plan", "open-books"]
EXPECTED = {
    AllianceKind.co_founding: [*GENERAL, *FOUNDERS, "changing-course", "growth-plan"],
    AllianceKind.professional_partnership: [*GENERAL, *FOUNDERS],
    AllianceKind.joint_venture: [*GENERAL, "growth-plan", *COMPANIES, "outside-money"],
    AllianceKind.distribution: [*GENERAL, *COMPANIES],
    AllianceKind.licensing: [*GENERAL, *COMPANIES],
    AllianceKind.co_marketing: [*GENERAL, *COMPANIES],
    AllianceKind.technology: [*GENERAL, *COMPANIES],
    AllianceKind.supply: [*GENERAL, *COMPANIES],
    AllianceKind.reseller: [*GENERAL, *COMPANIES],
    AllianceKind.other: GENERAL,
}


def _ids(prompts: tuple[ConversationPrompt, ...]) -> list[str]:
    return [p.id for p in prompts]


def _case(kind: str | None = None) -> dict[str, Any]:
    case: dict[str, Any] = {
        "id": "deal",
        "parties": [{"id": "a", "name": "Alpha"}, {"id": "b", "name": "Beta"}],
    }
    if kind is not None:
        case["alliance"] = {"kind": kind}
    return case


def _pack(folder: Path, prompts: Any | None = None, name: str = "api-test") -> Path:
    """A copy of the small test pack, with ``prompts`` written as its prompts.yaml."""
    shutil.copytree(DATA / "pack", folder)
    if name != "api-test":
        (folder / "pack.yaml").write_text(f"name: {name}\nversion: 1.0.0\n", encoding="utf-8")
        (folder / "rules.yaml").unlink()
    if prompts is not None:
        text = prompts if isinstance(prompts, str) else yaml.safe_dump({"prompts": prompts})
        (folder / "prompts.yaml").write_text(text, encoding="utf-8")
    return folder


def _prompt(pid: str, **more: Any) -> dict[str, Any]:
    return {
        "id": pid,
        "topic": pid.title(),
        "text": f"What about {pid}?",
        "ask": "each_party",
        **more,
    }


# --- the default pack ---------------------------------------------------------------------


def test_the_default_pack_has_every_prompt_once_in_plain_words() -> None:
    prompts = load_pack().prompts
    assert len(prompts) == 19
    assert len({p.id for p in prompts}) == 19
    for p in prompts:
        # Plain words: no field paths, enum names or markup; whole sentences.
        assert not re.search(r"[_`\[\]{}<>]|\w\.\w", p.text), p.id
        assert p.text[0].isupper(), p.id
        assert p.text[-1] in "?.", p.id
        assert p.topic[0].isupper(), p.id
        assert "_" not in p.topic, p.id


@pytest.mark.parametrize("kind", list(AllianceKind), ids=lambda k: k.value)
def test_prompts_are_chosen_by_alliance_kind(kind: AllianceKind) -> None:
    chosen = prompts_for(load_case(_case(kind.value)), load_pack())
    assert _ids(chosen) == EXPECTED[kind]


def test_a_case_of_unknown_kind_gets_only_the_general_prompts() -> None:
    pack = load_pack()
    assert _ids(prompts_for(load_case(_case()), pack)) == GENERAL
    no_kind = {**_case(), "alliance": {"purpose": "Sell together."}}
    assert _ids(prompts_for(load_case(no_kind), pack)) == GENERAL
    assert _ids(prompts_for_kind(None, pack)) == GENERAL


def test_each_prompt_names_whom_to_ask() -> None:
    chosen = {p.id: p for p in prompts_for_kind(AllianceKind.co_founding, load_pack())}
    assert chosen["trust"].ask == Ask.each_party
    assert chosen["trust"].ask.label == "ask each party on its own"
    assert chosen["conflict-style"].ask == Ask.both_together
    assert chosen["conflict-style"].ask.label == "ask the parties together"
    assert chosen["personal-runway"].topic == "Personal finances and runway"


def test_the_report_carries_the_prompts_for_its_case() -> None:
    report = evaluate(load_case(ROOT / "cases" / "co-founding-split-loyalties.yaml"))
    assert _ids(report.prompts) == EXPECTED[AllianceKind.co_founding]
    data = json.loads(report.to_json())
    first = load_pack().prompts[0]
    assert data["prompts"][0] == {
        "id": "motivation",
        "topic": "Why this alliance",
        "text": first.text,
        "ask": "each_party",
    }
    assert Report.from_json(report.to_json()) == report


def test_a_report_from_before_prompts_reads_back_with_none() -> None:
    report = evaluate(load_case(_case("joint_venture")))
    data = report.to_dict()
    del data["prompts"]
    data["schema_version"] = "1.2"
    old = Report.from_json(json.dumps(data))
    assert old.prompts == ()
    assert old.findings == report.findings


# --- packs of one's own -------------------------------------------------------------------


def test_a_pack_without_prompts_yaml_has_none(tmp_path: Path) -> None:
    pack = load_pack(_pack(tmp_path / "p"))
    assert pack.prompts == ()
    assert evaluate(load_case(_case("co_founding")), pack).prompts == ()


def test_prompts_yaml_is_not_read_as_a_rule_file(tmp_path: Path) -> None:
    plain = load_pack(DATA / "pack")
    pack = load_pack(_pack(tmp_path / "p", [_prompt("money", kinds=["co_founding"])]))
    assert [lr.rule.id for lr in pack.rules] == [lr.rule.id for lr in plain.rules]
    assert [(p.id, p.kinds) for p in pack.prompts] == [("money", [AllianceKind.co_founding])]


def test_a_later_layer_adds_prompts_after_the_earlier_ones(tmp_path: Path) -> None:
    base = _pack(tmp_path / "base", [_prompt("trust"), _prompt("money", kinds=["co_founding"])])
    overlay = _pack(
        tmp_path / "overlay",
        [_prompt("culture"), _prompt("plant", kinds=["joint_venture"])],
        name="overlay",
    )
    pack = load_pack(base, overlay)
    assert [p.id for p in pack.prompts] == ["trust", "money", "culture", "plant"]
    founders = evaluate(load_case(_case("co_founding")), pack)
    assert _ids(founders.prompts) == ["trust", "money", "culture"]
    venture = evaluate(load_case(_case("joint_venture")), pack)
    assert _ids(venture.prompts) == ["trust", "culture", "plant"]
    assert _ids(evaluate(load_case(_case()), pack).prompts) == ["trust", "culture"]
    # Each layer on its own keeps only its prompts.
    assert [p.id for p in load_pack(overlay).prompts] == ["culture", "plant"]


def test_an_id_used_by_an_earlier_layer_is_refused(tmp_path: Path) -> None:
    base = _pack(tmp_path / "base", [_prompt("trust")])
    overlay = _pack(tmp_path / "overlay", [_prompt("culture"), _prompt("trust")], name="o")
    with pytest.raises(PackError) as caught:
        load_pack(base, overlay)
    err = caught.value
    assert err.location is not None
    assert err.location.file == str(overlay / "prompts.yaml")
    assert err.location.line == 6
    assert f"duplicate prompt 'trust', first defined at {base / 'prompts.yaml'}:2" in str(err)


def test_an_id_used_twice_in_one_file_is_refused(tmp_path: Path) -> None:
    folder = _pack(tmp_path / "p", [_prompt("trust"), _prompt("trust")])
    with pytest.raises(PackError, match="duplicate prompt 'trust'"):
        load_pack(folder)


@pytest.mark.parametrize(
    ("prompts", "field", "line", "words"),
    [
        (
            "prompts:\n  - id: money\n    topic: Money\n    text: How long?\n"
            "    ask: each_party\n    kinds: [cofounding]\n",
            "prompts[0].kinds[0]",
            6,
            "co_founding",
        ),
        (
            "prompts:\n  - id: money\n    topic: Money\n    text: How long?\n    ask: everyone\n",
            "prompts[0].ask",
            5,
            "each_party",
        ),
        (
            "prompts:\n  - id: money\n    topic: Money\n    text: How long?\n"
            "    ask: each_party\n    who: founders\n",
            "prompts[0].who",
            6,
            "",
        ),
        (
            "prompts:\n  - id: Money Talk\n    topic: Money\n    text: How long?\n"
            "    ask: each_party\n",
            "prompts[0].id",
            2,
            "",
        ),
        (
            "prompts:\n  - id: money\n    topic: Money\n    ask: each_party\n",
            "prompts[0].text",
            2,
            "",
        ),
        ("prompts_: []\n", "prompts_", 1, ""),
    ],
    ids=["unknown kind", "unknown ask", "unknown key", "bad id", "no text", "no prompts"],
)
def test_a_bad_prompt_is_refused_with_its_file_line_and_field(
    tmp_path: Path, prompts: str, field: str, line: int | None, words: str
) -> None:
    folder = _pack(tmp_path / "p", prompts)
    with pytest.raises(PackError) as caught:
        load_pack(folder)
    err = caught.value
    assert err.location is not None
    assert err.location.file == str(folder / "prompts.yaml")
    assert err.location.field == field
    if line is not None:
        assert err.location.line == line
    assert words in str(err)


# --- how reports show them ----------------------------------------------------------------

HOSTILE = "<script>alert(1)</script> \x1b[31m|red|"


def _shown(prompts: list[ConversationPrompt]) -> Report:
    report = evaluate(load_case(_case("co_founding")), load_pack(DATA / "pack"))
    return report.model_copy(update={"prompts": tuple(prompts)})


PROMPTS = [
    ConversationPrompt(id="trust", topic="Trust", text="How far do you trust?", ask="each_party"),
    ConversationPrompt(id="rows", topic="A | B", text=HOSTILE, ask="both_together"),
]


def test_markdown_lists_the_prompts_under_talk_it_through() -> None:
    text = markdown.render(_shown(PROMPTS))
    start = text.index("## Talk it through (2)")
    assert text[start:].splitlines()[:6] == [
        "## Talk it through (2)",
        "",
        "What no rule can judge from the case file: questions for the parties to talk through.",
        "",
        "- **Trust** (ask each party on its own): How far do you trust?",
        "- **A \\| B** (ask the parties together): <script>alert(1)</script> \\x1b[31m\\|red\\|",
    ]
    assert "Talk it through" not in markdown.render(_shown([]))


def test_html_shows_the_prompts_as_text_naming_whom_to_ask() -> None:
    page = parse(html.render(_shown(PROMPTS), load_case(_case("co_founding"))))
    section = page.find("section", None, **{"aria-labelledby": "talk"})
    assert section.find("h2").text() == "Talk it through"
    assert [li.text() for li in section.find_all("li")] == [
        "Trust · ask each party on its own How far do you trust?",
        "A | B · ask the parties together <script>alert(1)</script> \\x1b[31m|red|",
    ]
    assert [li.attrs["id"] for li in section.find_all("li")] == ["prompt-trust", "prompt-rows"]
    assert page.find_all("script") == []
    assert "Talk it through" not in html.render(_shown([]), load_case(_case("co_founding")))
