"""Choices in words: every value explained, a person's own words read back, nothing guessed."""

from __future__ import annotations

import pytest

from partnerfit.case import AllianceKind, OfferingCategory, Party
from partnerfit.choices import (
    ALLIANCE_KINDS,
    OFFERING_CATEGORIES,
    ChoiceError,
    Picked,
    menu_lines,
    read_choice,
    read_choices,
)
from partnerfit.errors import UsageError
from partnerfit.template import check_value, template_from


def test_every_value_has_a_word_and_a_one_line_meaning() -> None:
    for menu, enum in ((OFFERING_CATEGORIES, OfferingCategory), (ALLIANCE_KINDS, AllianceKind)):
        assert [o.value for o in menu.options] == [m.value for m in enum]
        for option in menu.options:
            assert option.meaning
            assert "\n" not in option.meaning
            assert "_" not in option.word  # never an identifier shown as a word
    assert menu_lines(OFFERING_CATEGORIES)[3] == (
        " 4. services: does work for clients: installation, repair, care, design, agency work"
    )
    assert menu_lines(ALLIANCE_KINDS)[5] == (
        " 6. co-founding: people start a new company together as its founders"
    )


@pytest.mark.parametrize(
    ("given", "value", "mapped"),
    [
        ("services", "services", False),
        ("4", "services", False),
        ("Services", "services", False),
        ("  SERVICE ", "services", True),  # singular of the value: a usual word for it
        ("design", "services", True),  # the word: a design studio does work for clients
        ("Design studios", "services", True),
        ("SaaS", "software", True),
        ("consultancies", "consulting", True),
        ("trainings", "training", False),
        ("R&D", "research", True),
        ("e-commerce", "retail", True),
        ("wholesalers", "distribution", True),
        # A few words of the person's own: one option named among them, or by its meaning.
        ("a software company", "software", True),
        ("booking software", "software", True),
        ("dental care", "services", True),  # "care" is a usual word for services
        ("tax advice", "consulting", True),
        ("online shop", "retail", True),
    ],
)
def test_own_words_are_read_as_a_category(given: str, value: str, mapped: bool) -> None:
    assert read_choice(OFFERING_CATEGORIES, given) == Picked(value, given.strip(), mapped)


@pytest.mark.parametrize(
    ("given", "value"),
    [
        ("co-founding", "co_founding"),
        ("Co Founding", "co_founding"),
        ("co_founding", "co_founding"),
        ("JV", "joint_venture"),
        ("joint-venture", "joint_venture"),
        ("licence", "licensing"),
        ("10", "other"),
    ],
)
def test_own_words_are_read_as_a_kind(given: str, value: str) -> None:
    assert read_choice(ALLIANCE_KINDS, given).value == value


def test_a_word_that_could_mean_several_is_explained_not_guessed() -> None:
    with pytest.raises(ChoiceError) as caught:
        read_choice(OFFERING_CATEGORIES, "Products")
    assert caught.value.message == (
        "'Products' could mean more than one category; say which: manufacturing (makes "
        "physical goods, in its own plants or by contract); hardware (sells devices and "
        "equipment: machines, electronics, scanners, tools); retail (sells goods to consumers, "
        "in shops or online)"
    )


@pytest.mark.parametrize(
    "given",
    [
        "families",  # one word: only the options' names count
        "small businesses",  # names no option, and no option means it
        "software hardware",  # names two: the person picks
        "coffee subscriptions",  # an option's meaning is not searched
    ],
)
def test_words_that_point_nowhere_or_to_several_are_not_guessed(given: str) -> None:
    with pytest.raises(ChoiceError):
        read_choice(OFFERING_CATEGORIES, given)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("sofware", "'sofware' is not a category partnerfit knows; did you mean software?"),
        ("17", "'17': there is no category number 17"),
        ("0", "'0': there is no category number 0"),
        ("", "name a category"),
        (
            "zzz",
            "'zzz' is not a category partnerfit knows; pick one of: manufacturing, hardware, "
            "software, services, consulting, distribution, retail, content, brand, data, "
            "platform, logistics, financing, research, training, marketing",
        ),
    ],
)
def test_words_that_name_no_category_are_refused_in_words(given: str, message: str) -> None:
    with pytest.raises(ChoiceError) as caught:
        read_choice(OFFERING_CATEGORIES, given)
    assert caught.value.message == message


def test_every_bad_item_of_a_list_is_named_at_once_and_good_ones_kept_once() -> None:
    assert [p.value for p in read_choices(OFFERING_CATEGORIES, ["design", "4", "SaaS"])] == [
        "services",
        "software",
    ]
    with pytest.raises(ChoiceError) as caught:
        read_choices(OFFERING_CATEGORIES, ["design", "sofware", "zz1", "tech"])
    lines = caught.value.message.splitlines()
    assert [line.split(" ")[0] for line in lines] == ["'sofware'", "'zz1'", "'tech'"]


def test_the_list_of_choices_is_shown_once_for_several_unknown_words() -> None:
    with pytest.raises(ChoiceError) as caught:
        read_choices(OFFERING_CATEGORIES, ["coffee subscriptions", "cafes"])
    assert caught.value.message == (
        "'coffee subscriptions' is not a category partnerfit knows\n"
        "'cafes' is not a category partnerfit knows\n"
        "the choices: manufacturing, hardware, software, services, consulting, "
        "distribution, retail, content, brand, data, platform, logistics, financing, research, "
        "training, marketing"
    )


def test_a_value_refused_by_the_model_is_told_in_plain_words() -> None:
    # pydantic's own words were shown: "Input should be a valid list; got 'dentists'".
    with pytest.raises(UsageError) as caught:
        check_value(Party, "competitors", "Gamma")
    assert (
        caught.value.message == "expected a list of items (in YAML: [first, second]); got 'Gamma'"
    )


def test_an_invalid_case_names_every_problem_in_plain_words() -> None:
    data = {
        "id": "my deal",
        "parties": [
            {"id": "a", "name": "A", "offerings": [{"category": "design", "segments": "dentists"}]},
            {"id": "b", "name": "B", "markets": {"segments": ["x" * 201]}},
        ],
    }
    with pytest.raises(UsageError) as caught:
        template_from(data)
    assert caught.value.message == (
        "4 problems:\n"
        "  id: an id is letters, digits, '_', '.' or '-', starting with a letter or digit; "
        "got 'my deal'\n"
        "  parties[0].offerings[0].category: 'design' is not one of: manufacturing, hardware, "
        "software, services, consulting, distribution, retail, content, brand, data, platform, "
        "logistics, financing, research, training or marketing\n"
        "  parties[0].offerings[0].segments: expected a list of items (in YAML: [first, second]); "
        "got 'dentists'\n"
        "  parties[1].markets.segments[0]: too long: at most 200 characters"
    )
