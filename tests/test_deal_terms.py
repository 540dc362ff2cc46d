"""The deal-term fields: validation of their references, and unknown kept as unknown."""

from __future__ import annotations

import pytest

from partnerfit import evaluate
from partnerfit.api import load_case
from partnerfit.errors import CaseError
from partnerfit.facts import extract

TWO = "parties:\n  - {id: a, name: Alpha}\n  - {id: b, name: Beta}\n"


def _unknowns(text: str) -> set[str]:
    return {f["path"] for f in extract(load_case(text)) if f["t"] == "unknown"}


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        (
            "id: x\nalliance: {ip: {key_assets: [{name: Mark, kind: brand, owner: c}]}}\n" + TWO,
            "alliance.ip.key_assets[0].owner",
            "names party 'c', which is not in the case; known: a, b",
        ),
        (
            "id: x\ngovernance: {exit_terms: {defined: true, options: [{kind: put, holder: z}]}}\n"
            + TWO,
            "governance.exit_terms.options[0].holder",
            "names party 'z', which is not in the case; known: a, b",
        ),
        (
            "id: x\nalliance: {ip: {created_owner: venture}}\n" + TWO,
            "alliance.ip.created_owner",
            "names party 'venture', which is not in the case; known: a, b",
        ),
        (
            "id: x\nparties:\n  - {id: a, name: A, stake: {equity_percent: 70}}\n"
            "  - {id: b, name: B, stake: {equity_percent: 40}}\n",
            "parties[1].stake.equity_percent",
            "the parties' equity adds up to 110%; it can be at most 100%",
        ),
    ],
)
def test_deal_terms_that_name_a_party_or_share_equity_are_checked(
    text: str, field: str, message: str
) -> None:
    with pytest.raises(CaseError) as info:
        load_case(text)
    assert (info.value.location.field, info.value.message) == (field, message)


def test_joint_ownership_of_what_the_alliance_creates_is_not_a_party() -> None:
    facts = extract(load_case("id: x\nalliance: {ip: {created_owner: joint}}\n" + TWO))
    alliance = next(f for f in facts if f["t"] == "alliance")
    assert alliance["created_ip_owner"] == "joint"


def test_stakes_and_options_are_asked_only_where_ownership_is_shared() -> None:
    exit_terms = "governance: {exit_terms: {defined: true}}\n"
    joint = _unknowns("id: x\nalliance: {kind: joint_venture}\n" + exit_terms + TWO)
    assert {"parties[0].stake", "governance.exit_terms.options"} <= joint
    reseller = _unknowns("id: x\nalliance: {kind: reseller}\n" + exit_terms + TWO)
    assert "parties[0].stake" not in reseller
    assert "governance.exit_terms.options" not in reseller
    unknown_kind = _unknowns("id: x\n" + exit_terms + TWO)
    assert "parties[0].stake" in unknown_kind


def test_a_stated_false_is_an_answer_and_absent_is_a_question() -> None:
    stated = extract(
        load_case(
            "id: x\nalliance: {economics: {loss_funding: false}}\n"
            "parties:\n  - {id: a, name: A, health: {alternatives: false}}\n  - {id: b, name: B}\n"
        )
    )
    alliance = next(f for f in stated if f["t"] == "alliance")
    party = next(f for f in stated if f["t"] == "party" and f["key"] == "a")
    assert (alliance["has_loss_funding"], party["has_alternatives"]) == (False, False)
    absent = extract(load_case("id: x\nalliance: {economics: {}}\n" + TWO))
    alliance = next(f for f in absent if f["t"] == "alliance")
    assert "has_loss_funding" not in alliance
    assert "alliance.economics.loss_funding" in {f["path"] for f in absent if f["t"] == "unknown"}


def test_references_not_asked_are_still_an_open_question() -> None:
    paths = _unknowns(
        "id: x\nparties:\n  - {id: a, name: A, history: {references: not_asked}}\n"
        "  - {id: b, name: B, history: {references: provided}}\n"
    )
    assert "parties[0].history.references" in paths
    assert "parties[1].history.references" not in paths


def test_board_share_needs_every_partys_seats() -> None:
    def shares(text: str) -> list[object]:
        return [f.get("board_share") for f in extract(load_case(text)) if f["t"] == "party"]

    both = "parties:\n  - {id: a, name: A, stake: {board_seats: 3}}\n"
    assert shares("id: x\n" + both + "  - {id: b, name: B, stake: {board_seats: 1}}\n") == [
        0.75,
        0.25,
    ]
    assert shares("id: x\n" + both + "  - {id: b, name: B}\n") == [None, None]


def test_options_held_are_counted_per_party_only_when_the_options_are_stated() -> None:
    def held(governance: str) -> list[tuple[object, object]]:
        facts = extract(load_case("id: x\n" + governance + TWO))
        return [(f.get("puts_held"), f.get("calls_held")) for f in facts if f["t"] == "party"]

    options = "[{kind: put, holder: a}, {kind: put, holder: a}, {kind: call, holder: b}]"
    stated = f"governance: {{exit_terms: {{defined: true, options: {options}}}}}\n"
    assert held(stated) == [(2.0, 0.0), (0.0, 1.0)]
    assert held("governance: {exit_terms: {defined: true, options: []}}\n") == [
        (0.0, 0.0),
        (0.0, 0.0),
    ]
    assert held("governance: {exit_terms: {defined: true}}\n") == [(None, None), (None, None)]


def test_a_product_fact_is_one_per_offering_whatever_its_segments() -> None:
    facts = extract(
        load_case(
            "id: x\nparties:\n  - {id: a, name: A, offerings: [{category: software, "
            "segments: [banks, insurers], core: true, replaced_by_alliance: true}]}\n"
            "  - {id: b, name: B}\n"
        )
    )
    products = [f for f in facts if f["t"] == "product"]
    assert [(f["path"], f["core"], f["replaced"]) for f in products] == [
        ("parties[0].offerings[0]", True, True)
    ]
    assert sum(f["t"] == "offering" for f in facts) == 2


def test_references_not_asked_become_the_reference_question_of_the_report() -> None:
    report = evaluate(
        load_case(
            "id: x\nparties:\n  - {id: a, name: A, history: {references: not_asked}}\n"
            "  - {id: b, name: B, history: {references: provided}}\n"
        )
    )
    asked = [
        [e.path for e in f.evidence]
        for f in report.findings
        if f.rule_id == "PF-IG-002" and f.kind == "open_question"
    ]
    assert asked == [["parties[0].history.references"]]
