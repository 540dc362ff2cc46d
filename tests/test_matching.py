"""Matching in the user's words: segments, regions and company names that mean the same
meet, whatever their spelling, language or phrasing, and the evidence says why in words.

The paraphrase set (tests/data/paraphrases.yaml) is the measure: 0 pairs that mean the
same may be judged "nothing in common", and 0 pairs that do not may be judged the same.
Each pair is judged as the fact extraction judges it, in a two-party case.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from partnerfit.case import Case
from partnerfit.evaluation import evaluate_case
from partnerfit.facts import extract
from partnerfit.pack import RulePack
from partnerfit.text import (
    FUZZY_THRESHOLD,
    MAX_FUZZY_ITEMS,
    Matcher,
    Vocabulary,
    VocabularyError,
    compare_texts,
    stem,
    vocabulary,
)

PARAPHRASES = yaml.safe_load(
    (Path(__file__).parent / "data" / "paraphrases.yaml").read_text(encoding="utf-8")
)


def _case(kind: str, a: str, b: str) -> Case:
    def party(pid: str, name: str, item: str) -> dict[str, Any]:
        if kind == "segment":
            return {"id": pid, "name": name, "markets": {"segments": [item]}}
        if kind == "region":
            return {"id": pid, "name": name, "markets": {"regions": [item]}}
        return {"id": pid, "name": name, "competitors": [item]}

    return Case.model_validate(
        {"id": "paraphrase", "parties": [party("a", "Alpha", a), party("b", "Beta", b)]}
    )


def _overlaps(kind: str, a: str, b: str) -> list[dict[str, Any]]:
    facts = extract(_case(kind, a, b))
    return [f for f in facts if f["t"] == "overlap" and f["dimension"] == _DIMENSION[kind]]


_DIMENSION = {"segment": "segment", "region": "region", "name": "competitor"}


def _pairs(section: str) -> list[Any]:
    return [pytest.param(p, id=f"{p['kind']}: {p['a']} ~ {p['b']}") for p in PARAPHRASES[section]]


def test_the_paraphrase_set_is_large_enough_and_balanced() -> None:
    same, different = PARAPHRASES["same"], PARAPHRASES["different"]
    assert len(same) + len(different) >= 40
    assert len(same) >= 20
    assert len(different) >= 20
    assert (
        {p["kind"] for p in same}
        == {p["kind"] for p in different}
        == {
            "segment",
            "region",
            "name",
        }
    )


def test_no_false_nothing_in_common_and_no_false_same() -> None:
    """The measure, in one figure each: both must be 0."""
    false_nothing = [p for p in PARAPHRASES["same"] if not _overlaps(p["kind"], p["a"], p["b"])]
    false_same = [p for p in PARAPHRASES["different"] if _overlaps(p["kind"], p["a"], p["b"])]
    assert false_nothing == []
    assert false_same == []


@pytest.mark.parametrize("pair", _pairs("same"))
def test_a_pair_that_means_the_same_meets_and_says_why(pair: dict[str, str]) -> None:
    [overlap] = _overlaps(pair["kind"], pair["a"], pair["b"])
    assert overlap["name"] == pair["a"]
    assert overlap["other_name"] == pair["b"]
    why = overlap["why"]
    # In words, naming what was written, never a stem or a key.
    assert f"'{pair['a']}'" in why or f"'{pair['b']}'" in why
    assert "=" not in why


@pytest.mark.parametrize("pair", _pairs("different"))
def test_a_pair_that_does_not_mean_the_same_stays_apart(pair: dict[str, str]) -> None:
    assert _overlaps(pair["kind"], pair["a"], pair["b"]) == []


def test_the_new_users_case_has_a_segment_and_a_foe_in_common(pack: RulePack) -> None:
    """The issue's report: "small businesses" against "SMB", "Wix agencies" against "Wix"
    raised a high "no segment in common" flag and "no common foe"."""
    case = Case.model_validate(
        {
            "id": "new-user",
            "parties": [
                {
                    "id": "a",
                    "name": "Alpha",
                    "markets": {"segments": ["small businesses"]},
                    "competitors": ["Wix agencies"],
                },
                {
                    "id": "b",
                    "name": "Beta",
                    "markets": {"segments": ["SMB"]},
                    "competitors": ["Wix"],
                },
            ],
        }
    )
    report = evaluate_case(case, pack)
    rules = {f.rule_id for f in report.findings}
    assert "PF-MKT-001" not in rules
    assert "PF-FOE-001" not in rules
    assert {"PF-MKT-010", "PF-FOE-010"} <= rules
    whys = {f["why"] for f in extract(case) if f["t"] == "overlap"}
    assert whys == {"'SMB' and 'small businesses' are synonyms", "'Wix agencies' names Wix"}


def test_a_brand_the_case_gives_names_its_owner_as_a_rival(pack: RulePack) -> None:
    # Who owns which brand is evidence in the case file: no list of famous companies
    # ships with partnerfit, so the same brand is judged the same for every deal.
    def case(brands: list[str] | None) -> Case:
        owner: dict[str, Any] = {"id": "b", "name": "Meta Platforms, Inc."}
        if brands is not None:
            owner["brands"] = brands
        return Case.model_validate(
            {
                "id": "brand",
                "parties": [{"id": "a", "name": "Alpha", "competitors": ["Instagram"]}, owner],
            }
        )

    def rivals(c: Case) -> list[str]:
        return [f.rule_id for f in evaluate_case(c, pack).red_flags() if f.rule_id == "PF-FOE-002"]

    assert rivals(case(["Instagram", "WhatsApp"])) == ["PF-FOE-002"]
    assert rivals(case(None)) == []


def test_a_target_written_in_german_is_served() -> None:
    case = Case.model_validate(
        {
            "id": "de",
            "alliance": {"target_market": {"regions": ["München"], "segments": ["KMU"]}},
            "parties": [
                {"id": "a", "name": "A", "markets": {"regions": ["Munich"], "segments": ["SMEs"]}},
                {"id": "b", "name": "B", "markets": {"regions": ["Bavaria"]}},
            ],
        }
    )
    facts = extract(case)
    target = {f["name"]: f["key"] for f in facts if f["t"] == "target"}
    market = {f["name"]: f["key"] for f in facts if f["t"] == "market"}
    assert target["München"] == market["Munich"]
    assert target["KMU"] == market["SMEs"]
    assert market["Bavaria"] != market["Munich"]


def test_shared_words_of_answers_are_words_as_written_never_stems() -> None:
    """The old stemmer showed "dinn" for "dinners" in a report."""
    sim = compare_texts(
        "Plant-based dinners for busy families", "Busy families get plant based dinner"
    )
    assert sim.shared == ("based", "busy", "dinners/dinner", "families", "plant")
    assert sim.score == 0.833  # "get" is the one word not shared
    assert stem("dinners") == "dinner"


def test_answers_in_german_share_their_words() -> None:
    sim = compare_texts("Unabhängige Kliniken", "Unabhängigen Klinik")
    assert sim.shared == ("kliniken/klinik", "unabhangige/unabhangigen")


def test_keys_do_not_depend_on_the_order_of_the_phrases() -> None:
    texts = ["Planmeca", "Plameca", "Planmeca Oy", "Wix", "Wix agencies", "Gamma"]
    one, two = Matcher("name", texts), Matcher("name", texts[::-1])
    assert [one.key(t) for t in texts] == [two.key(t) for t in texts]
    assert one.key("Plameca") == one.key("Planmeca Oy")
    assert one.key("Gamma") != one.key("Wix")


def test_a_chain_of_reasons_is_said_step_by_step() -> None:
    m = Matcher("phrase", ["dental clinics", "denatl clinics", "Zahnarztpraxen"])
    assert m.why("denatl clinics", "Zahnarztpraxen") == (
        "'denatl clinics' and 'dental clinics' differ only in spelling "
        f"(similarity 93 of 100, threshold {FUZZY_THRESHOLD}); "
        "'Zahnarztpraxen' and 'dental clinics' are synonyms"
    )
    assert m.why("dental clinics", "veterinary practices") is None


def test_a_descriptor_alone_does_not_make_a_company() -> None:
    m = Matcher("name", ["marketing agencies", "digital agencies"])
    assert not m.same("marketing agencies", "digital agencies")


def test_the_shipped_vocabulary_loads() -> None:
    vocab = vocabulary()
    assert vocab.phrases
    assert vocab.names == {}  # brands belong in the case file, not in a shipped list
    assert "agencies" in vocab.descriptors


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "the vocabulary is not a mapping"),
        ({"segments": [[]]}, "segments[0]: a group is a non-empty list of phrases"),
        (
            {"segments": [["SMB", "small businesses"], ["small business", "start-ups"]]},
            "segments[1]: 'small business' is also in the group of 'SMB'",
        ),
        ({"companies": [{"names": ["X"]}]}, "companies[0]: a company has an owner"),
        (
            {"companies": [{"owner": "A", "brands": ["Z"]}, {"owner": "B", "brands": ["Z"]}]},
            "companies[1]: 'Z' is also a name of A",
        ),
        ({"descriptors": "agencies"}, "descriptors: a list of words"),
    ],
)
def test_a_malformed_vocabulary_is_refused_with_where(data: Any, message: str) -> None:
    with pytest.raises(
        VocabularyError, match="^" + message.replace("[", r"\[").replace("]", r"\]")
    ):
        Vocabulary.from_data(data)


def test_spelling_is_not_compared_in_a_case_too_large_to_be_judged() -> None:
    """A case of thousands of phrases is refused for its facts (MAX_FACTS); comparing every
    spelling with every other first would take seconds. Below the bound it is compared."""
    fillers = [f"company{n:04d} {'x' * (n % 7)}" for n in range(MAX_FUZZY_ITEMS - 1)]
    small = Matcher("name", ["Planmeca", "Plameca", *fillers[:-1]])
    large = Matcher("name", ["Planmeca", "Plameca", *fillers])
    assert small.same("Planmeca", "Plameca")
    assert not large.same("Planmeca", "Plameca")
