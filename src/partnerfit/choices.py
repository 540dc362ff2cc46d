"""The choices a person picks from when writing a case, each with a one-line meaning.

The case model keeps identifiers (``co_founding``, ``services``); a founder thinks in
words ("design", "we are starting a company together"). This module is the one home of
those words: for the alliance kinds and offering categories (``partnerfit new``) and for
a party's own answers about itself and its people (commitment, relation, decision style,
pace, risk tolerance, financial condition; ``partnerfit questionnaire``) it holds the
word shown for each value, what it means in one line, and the usual words people use
for it. The kinds and categories are also read back from a person's own words
(:func:`read_choice`, :func:`read_choices`):

* case does not matter, nor hyphens, underscores or extra spaces (``Co-Marketing``);
* a plural reads as its singular (``trainings``, ``consultancies``);
* a word that names one choice clearly maps to it (``design`` → services, ``SaaS`` →
  software), and the caller is told which value it was read as;
* a word that could mean several choices (``products``) is refused with those choices
  explained; a misspelling is refused with the nearest choice suggested. Nothing is
  guessed.

The library never prints: refusals are :class:`ChoiceError` with the message in words.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from .case import (
    AllianceKind,
    Commitment,
    DecisionStyle,
    FinancialCondition,
    OfferingCategory,
    Pace,
    Relation,
    RiskTolerance,
)
from .errors import UsageError

__all__ = [
    "ALLIANCE_KINDS",
    "OFFERING_CATEGORIES",
    "ChoiceError",
    "Menu",
    "Option",
    "Picked",
    "menu_lines",
    "read_choice",
    "read_choices",
    "word_of",
]


class ChoiceError(UsageError):
    """Words that name no choice, or more than one."""


@dataclass(frozen=True)
class Option:
    """One allowed value: what the case file keeps, the word shown, what it means."""

    value: str
    word: str
    meaning: str
    aliases: tuple[str, ...] = ()
    """Other words people use for it; each names this option and no other."""


@dataclass(frozen=True)
class Menu:
    """All the options for one field, and the words that could mean several of them."""

    noun: str
    """What one option is called, in an error message (``category``)."""
    options: tuple[Option, ...]
    ambiguous: dict[str, tuple[str, ...]]
    """A word that could mean several options → their values."""


@dataclass(frozen=True)
class Picked:
    """A value read from a person's words, and the words it was read from."""

    value: str
    given: str
    mapped: bool
    """``True`` when the words were not the option's own word or value (``design`` →
    services): worth telling the person how they were read."""


def _menu(
    enum: type[Enum],
    noun: str,
    rows: Sequence[tuple[str, str, str, tuple[str, ...]]],
    ambiguous: dict[str, tuple[str, ...]],
) -> Menu:
    options = tuple(Option(value, word, meaning, aliases) for value, word, meaning, aliases in rows)
    if [o.value for o in options] != [str(m.value) for m in enum]:  # pragma: no cover
        raise AssertionError(f"the options of {enum.__name__} are not all explained, in order")
    return Menu(noun, options, ambiguous)


OFFERING_CATEGORIES = _menu(
    OfferingCategory,
    "category",
    [
        (
            "manufacturing",
            "manufacturing",
            "makes physical goods, in its own plants or by contract",
            ("manufacturer", "production", "producer", "factory", "fabrication"),
        ),
        (
            "hardware",
            "hardware",
            "sells devices and equipment: machines, electronics, scanners, tools",
            ("devices", "device", "equipment", "machines", "machinery", "electronics"),
        ),
        (
            "software",
            "software",
            "sells programs or apps, as licences or subscriptions (SaaS)",
            ("saas", "app", "apps", "application", "program", "programs", "cloud software"),
        ),
        (
            "services",
            "services",
            "does work for clients: installation, repair, care, design, agency work",
            (
                "service",
                "design",
                "designer",
                "design studio",
                "agency",
                "installation",
                "maintenance",
                "repair",
                "repairs",
                "cleaning",
                "care",
                "outsourcing",
            ),
        ),
        (
            "consulting",
            "consulting",
            "sells advice and expertise: strategy, management, specialist know-how",
            ("consultancy", "consultant", "advisory", "advice", "advising"),
        ),
        (
            "distribution",
            "distribution",
            "moves other makers' goods to resellers or buyers: wholesale, import",
            ("distributor", "wholesale", "wholesaler", "import", "importer", "export"),
        ),
        (
            "retail",
            "retail",
            "sells goods to consumers, in shops or online",
            ("shop", "shops", "store", "stores", "ecommerce", "e commerce", "webshop"),
        ),
        (
            "content",
            "content",
            "makes what people read, watch or hear: publishing, video, podcasts",
            ("media", "publishing", "publisher", "video", "editorial", "music", "podcast"),
        ),
        (
            "brand",
            "brand",
            "a name customers trust, lent or licensed to others' products",
            ("branding", "trademark", "brand name", "label"),
        ),
        (
            "data",
            "data",
            "sells data sets, analytics or insights",
            ("analytics", "insights", "dataset", "data sets", "market data"),
        ),
        (
            "platform",
            "platform",
            "runs a marketplace or network where others meet and trade",
            ("marketplace", "market place", "exchange"),
        ),
        (
            "logistics",
            "logistics",
            "transports, stores and delivers goods",
            ("transport", "shipping", "delivery", "warehousing", "freight", "storage"),
        ),
        (
            "financing",
            "financing",
            "provides money: loans, leasing, payments, insurance",
            ("finance", "loans", "lending", "leasing", "payments", "insurance", "banking"),
        ),
        (
            "research",
            "research",
            "does research and development for others: labs, studies, trials",
            ("r&d", "r and d", "rnd", "lab", "laboratory", "studies", "trials"),
        ),
        (
            "training",
            "training",
            "teaches skills: courses, workshops, coaching",
            ("education", "teaching", "courses", "workshops", "coaching", "school"),
        ),
        (
            "marketing",
            "marketing",
            "finds customers for others: advertising, campaigns, lead generation",
            ("advertising", "ads", "promotion", "lead generation", "pr", "public relations"),
        ),
    ],
    {
        "products": ("manufacturing", "hardware", "retail"),
        "goods": ("manufacturing", "distribution", "retail"),
        "tech": ("software", "hardware"),
        "technology": ("software", "hardware"),
        "it": ("software", "hardware", "services"),
        "sales": ("distribution", "retail", "marketing"),
        "food": ("manufacturing", "retail", "services"),
    },
)

ALLIANCE_KINDS = _menu(
    AllianceKind,
    "kind",
    [
        (
            "joint_venture",
            "joint venture",
            "the parties set up a company they own together",
            ("jv", "joint company", "joint entity"),
        ),
        (
            "distribution",
            "distribution",
            "one party sells the other's products in its own markets",
            ("distributor", "dealer", "dealership"),
        ),
        (
            "licensing",
            "licensing",
            "one party uses the other's brand, patent or technology for a fee",
            ("licence", "license", "licensing deal", "royalty", "royalties"),
        ),
        (
            "co_marketing",
            "co-marketing",
            "they promote each other's offers, or one joint offer",
            ("joint marketing", "co promotion", "cross promotion", "comarketing"),
        ),
        (
            "professional_partnership",
            "professional partnership",
            "lawyers, doctors, accountants or consultants practise together",
            ("practice", "partnership firm", "law firm", "joint practice"),
        ),
        (
            "co_founding",
            "co-founding",
            "people start a new company together as its founders",
            ("cofounding", "co founders", "cofounders", "founders", "startup", "start up"),
        ),
        (
            "technology",
            "technology",
            "they build or connect technology together",
            ("tech", "integration", "technology partnership", "joint development"),
        ),
        (
            "supply",
            "supply",
            "one party supplies the goods or parts the other needs",
            ("supplier", "sourcing", "procurement", "supply chain"),
        ),
        (
            "reseller",
            "reseller",
            "one party resells the other's product to its own customers",
            ("resale", "resell", "reselling", "var", "value added reseller"),
        ),
        (
            "other",
            "other",
            "none of these",
            ("none of these", "something else", "different"),
        ),
    ],
    {
        "partnership": ("professional_partnership", "co_founding", "joint_venture"),
        "alliance": ("joint_venture", "co_marketing", "technology"),
        "sales": ("distribution", "reseller"),
    },
)


# The answers a party gives about itself and its people (the questionnaire): each
# value with its word, its meaning and the other words people use for it.


def _options(enum: type[Enum], *rows: tuple[str, str, str, tuple[str, ...]]) -> tuple[Option, ...]:
    """The options of one enum, each explained; every member must be there."""
    choices = tuple(Option(value, word, meaning, aliases) for value, word, meaning, aliases in rows)
    if {c.value for c in choices} != {str(m.value) for m in enum}:  # pragma: no cover
        raise AssertionError(f"the choices of {enum.__name__} are not all explained")
    return choices


COMMITMENT = _options(
    Commitment,
    ("full_time", "full time", "the partnership is their main work", ("fulltime", "full")),
    ("part_time", "part time", "some days or hours a week, besides other work", ("parttime",)),
    (
        "advisory",
        "advisory",
        "advice and contacts, not day-to-day work",
        ("advisor", "adviser", "advising", "advice"),
    ),
)
RELATION = _options(
    Relation,
    ("core", "core", "it is the partnership's own business", ("same",)),
    (
        "adjacent",
        "adjacent",
        "next to it: the same customers or skills, but not the same offering",
        ("neighbouring", "neighboring"),
    ),
    (
        "loosely_related",
        "loosely related",
        "it shares only a little with the partnership",
        ("loose", "loosely", "slightly related"),
    ),
    ("unrelated", "unrelated", "it has nothing to do with the partnership", ("not related",)),
    (
        "competing",
        "competing",
        "it sells what the partnership's customers could buy instead",
        ("competes", "competitor", "rival", "compete"),
    ),
)
DECISIONS = _options(
    DecisionStyle,
    (
        "consensus",
        "consensus",
        "decisions wait until everyone agrees",
        ("consensual", "unanimous", "together"),
    ),
    (
        "top_down",
        "top-down",
        "the person in charge decides and the others follow",
        ("topdown", "hierarchical", "from the top"),
    ),
    (
        "delegated",
        "delegated",
        "the people closest to the matter decide",
        ("delegation", "decentralised", "decentralized"),
    ),
)
PACE = _options(
    Pace,
    ("fast", "fast", "from idea to decision in days", ("quick", "quickly", "rapid")),
    ("steady", "steady", "from idea to decision in weeks", ("moderate",)),
    ("slow", "slow", "from idea to decision in months", ("careful",)),
)
RISK = _options(
    RiskTolerance,
    ("low", "low", "prefers proven ways; avoids bets that could lose money", ("cautious",)),
    ("medium", "medium", "takes measured risks when the case is good", ("moderate",)),
    ("high", "high", "accepts big bets for big gains", ("bold",)),
)
CONDITION = _options(
    FinancialCondition,
    ("profitable", "profitable", "the company makes a profit", ("profit", "in profit")),
    ("break_even", "break-even", "it roughly covers its costs", ("breakeven",)),
    (
        "loss_making",
        "loss-making",
        "it loses money, and can fund the losses",
        ("losses", "loss"),
    ),
    (
        "distressed",
        "in distress",
        "losses it cannot fund for long: a restructuring, trouble with lenders, a rescue",
        ("distress",),
    ),
)


def menu_lines(menu: Menu) -> list[str]:
    """The options as numbered lines, each with its meaning: ``" 4. services: does …"``."""
    width = len(str(len(menu.options)))
    return [
        f"{n:>{width}}. {option.word}: {option.meaning}"
        for n, option in enumerate(menu.options, start=1)
    ]


def _normal(words: str) -> str:
    return " ".join(re.split(r"[\s_\-/]+", words.strip().lower())).strip()


def _singulars(words: str) -> list[str]:
    """``words`` and the singulars it may be the plural of (``consultancies`` →
    ``consultancy``; ``trainings`` → ``training``)."""
    forms = [words]
    if words.endswith("ies") and len(words) > 4:
        forms.append(words[:-3] + "y")
    if words.endswith("es") and len(words) > 3:
        forms.append(words[:-2])
    if words.endswith("s") and not words.endswith("ss") and len(words) > 2:
        forms.append(words[:-1])
    return forms


def _table(menu: Menu) -> dict[str, str]:
    table: dict[str, str] = {}
    for option in menu.options:
        for name in (option.value, option.word, *option.aliases):
            key = _normal(name)
            if table.get(key, option.value) != option.value:  # pragma: no cover - a data bug
                raise AssertionError(f"{name!r} names two {menu.noun}s")
            table[key] = option.value
    return table


def _explain(menu: Menu, values: Sequence[str]) -> str:
    by_value = {o.value: o for o in menu.options}
    return "; ".join(f"{by_value[v].word} ({by_value[v].meaning})" for v in values)


def read_choice(menu: Menu, given: str) -> Picked:
    """The option ``given`` names: its number in :func:`menu_lines`, its value, its word
    or another usual word for it (see the module docstring).

    Raises :class:`ChoiceError` when it names none, or could mean several.
    """
    words = _normal(given)
    if not words:
        raise ChoiceError(f"name a {menu.noun}")
    options = menu.options
    if words.isdigit():
        n = int(words)
        if 1 <= n <= len(options):
            return Picked(options[n - 1].value, given.strip(), mapped=False)
        raise ChoiceError(f"{given.strip()!r}: there is no {menu.noun} number {n}")
    table = _table(menu)
    own = {_normal(n) for o in options for n in (o.value, o.word)}
    for form in _singulars(words):
        if form in table:
            return Picked(table[form], given.strip(), mapped=form not in own)
    for form in _singulars(words):
        if form in menu.ambiguous:
            raise ChoiceError(
                f"{given.strip()!r} could mean more than one {menu.noun}; say which: "
                + _explain(menu, menu.ambiguous[form])
            )
    by_word = _by_words(menu, words)
    if by_word is not None:
        return Picked(by_word, given.strip(), mapped=True)
    near = difflib.get_close_matches(words, list(table), n=1, cutoff=0.75)
    message = f"{given.strip()!r} is not a {menu.noun} partnerfit knows"
    if near:
        message += f"; did you mean {_word(menu, table[near[0]])}?"
    else:
        message += _pick_one_of(menu)
    raise ChoiceError(message)


_MINOR = frozenset(
    "a an and as at by for from in into its of on or others the their to with who what "
    "own other others".split()
)


def _by_words(menu: Menu, words: str) -> str | None:
    """The one option a few words of the person's own name it by (``dental care``: care,
    services; ``a software company``: software). None when none of the words names an
    option, or they name more than one: then the person is asked to pick. An option's
    meaning is never searched: "coffee subscriptions" is not software."""
    given = [w for w in words.split() if w not in _MINOR]
    if len(given) < 2 and words.split() == given:  # one word: read_choice looked it up
        return None
    table = _table(menu)
    named = {table[f] for w in given for f in _singulars(w) if f in table}
    return named.pop() if len(named) == 1 else None


def read_choices(menu: Menu, given: Sequence[str]) -> list[Picked]:
    """Every option the items of ``given`` name, in order, each once.

    Raises one :class:`ChoiceError` naming **every** item that names no option (one
    problem per line), not only the first.
    """
    picked: list[Picked] = []
    problems: list[str] = []
    for item in given:
        try:
            choice = read_choice(menu, item)
        except ChoiceError as exc:
            problems.append(exc.message)
            continue
        if choice.value not in {p.value for p in picked}:
            picked.append(choice)
    if len(problems) > 1:
        # The whole list of choices once, after the problems, not once per problem.
        choices = _pick_one_of(menu)
        if sum(p.endswith(choices) for p in problems) > 1:
            problems = [p.removesuffix(choices) for p in problems]
            problems.append(f"the choices: {_words(menu)}")
    if problems:
        raise ChoiceError("\n".join(problems))
    return picked


def _words(menu: Menu) -> str:
    return ", ".join(o.word for o in menu.options)


def _pick_one_of(menu: Menu) -> str:
    return f"; pick one of: {_words(menu)}"


def _word(menu: Menu, value: str) -> str:
    return next(o.word for o in menu.options if o.value == value)


def word_of(menu: Menu, value: str) -> str:
    """The word shown for ``value`` (``co_founding`` → ``co-founding``)."""
    return _word(menu, value)
