"""Findings in a reader's words: enumerated values, field names and blocks of a case.

Rules and facts speak in identifiers (``part_time``, ``parties[0].answers.three_year_goal``);
a report is read by people. This module turns the first into the second, in one place:

* :func:`choice_words`: an enumerated value as words (``part_time`` → ``part-time``,
  ``loosely_related`` → ``loosely related``). Messages use it for every field the fact
  vocabulary lists ``choices`` for; evidence keeps the file's own word.
* :func:`field_words`: a case-file path as what it asks for (``Alpha's three-year goal``),
  naming the party, the principal, the offering or the asset it belongs to.
* :func:`block_words`: a block or a list of blocks of the case file, cited in the file's
  own words (``2 projects: Reusable crate return loop; Shared cold store``), never as a
  bare count.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

# Words that are hyphenated, or read differently, when written out.
_CHOICE_WORDS = {
    "part_time": "part-time",
    "full_time": "full-time",
    "co_founding": "co-founding",
    "co_marketing": "co-marketing",
    "top_down": "top-down",
    "break_even": "break-even",
    "loss_making": "loss-making",
    "three_year_goal": "three-year goal",
    "horizon_years": "horizon in years",
}


def choice_words(value: str) -> str:
    """An enumerated value as words: ``part_time`` → ``part-time``, ``joint_venture`` →
    ``joint venture``; other text is returned as it is."""
    return _CHOICE_WORDS.get(value) or value.replace("_", " ")


# --- field names ------------------------------------------------------------------------
#
# Keyed by the generic field (``party.answers.vision``, the keys of ``ASKABLE``). A phrase
# with ``{owner}`` is filled with the party, principal or item the path names; a phrase
# without it follows "<owner>'s " for fields of a party or a principal.
_FIELDS: dict[str, str] = {
    "alliance": "what the alliance is (its kind, scope, target market and term)",
    "alliance.kind": "the kind of alliance",
    "alliance.agreement": "how far the deal is written down",
    "alliance.purpose": "the alliance's purpose",
    "alliance.carve_outs": "the carve-outs (where each party may keep selling alone)",
    "alliance.customer_avatar": "the joint target customer (the customer avatar)",
    "alliance.customer_evidence": "the evidence from customers",
    "alliance.economics": "the economics of the deal",
    "alliance.economics.contributions_shift": "whether what each party puts in will change",
    "alliance.economics.loss_funding": "who funds losses",
    "alliance.economics.revisable": "whether the split is reviewed when contributions change",
    "alliance.economics.split_basis": "what the split of revenue or profit follows",
    "alliance.exclusivity": "the exclusivity terms",
    "alliance.exclusivity.territory": "where the exclusivity applies",
    "alliance.exclusivity.bound_parties": "the parties bound by the exclusivity",
    "alliance.exclusivity.years": "how many years the exclusivity runs",
    "alliance.incentives.staff_metrics": "what staff are measured and paid on",
    "alliance.target_market.segments": "the alliance's target segments",
    "alliance.target_market.regions": "the alliance's target regions",
    "alliance.customer_avatar.trigger": "what prompts the joint target customer to buy",
    "alliance.customer_avatar.budget": "the joint target customer's budget",
    "alliance.incentives": "how sales staff are paid and credited on joint deals",
    "alliance.ip": "who owns what the alliance creates and uses",
    "alliance.ip.created_owner": "who owns what the alliance creates",
    "alliance.ip.derivative_rights": "who may build on the alliance's work",
    "alliance.ip.key_assets": "the brands, patents or technology the alliance depends on",
    "alliance.ip.key_assets.access": "how the alliance gets {owner}",
    "alliance.joint_kpis": "the joint KPIs",
    "alliance.projects": "the planned joint projects",
    "alliance.scope_in": "the offering categories the alliance sells",
    "alliance.scope_out": "what is outside the alliance",
    "alliance.target_market": "the alliance's target segments and regions",
    "alliance.term_years": "how many years the alliance is to run",
    "alliance.value_proposition": "the value the alliance creates for customers",
    "governance": "how the alliance is governed",
    "governance.alliance_manager": "who manages the alliance day to day",
    "governance.deadlock": "how a deadlock is broken",
    "governance.deadlock.mechanism": "how a deadlock is broken",
    "governance.decision_rights": "who decides what",
    "governance.dispute_resolution": "how disputes are resolved",
    "governance.exit_terms": "how a party leaves the alliance",
    "governance.exit_terms.buy_sell": "whether one party can buy the other out",
    "governance.exit_terms.change_of_control": "what happens if a party is bought",
    "governance.exit_terms.notice_months": "the notice a party must give to leave",
    "governance.exit_terms.options": "put or call options on the stakes",
    "governance.exit_terms.penalty": "what a party pays or loses by leaving early",
    "governance.presented_as_equals": "whether the deal is presented as between equals",
    "governance.review_cadence": "how often the parties review the alliance together",
    "governance.roles": "who holds which role on each side",
    "governance.steering_committee": "whether there is a steering committee",
    "history.disagreements": "disagreements so far in the talks",
    "party.affiliates": "parent, sister and affiliated companies",
    "party.affiliates.bound": "whether {owner} is bound by the exclusivity",
    "party.affiliates.sells": "what {owner} sells",
    "party.answers": "own answers (vision, mission, values, goals)",
    "party.answers.horizon_years": "horizon in years",
    "party.answers.mission": "mission",
    "party.answers.positioning": "positioning",
    "party.answers.target_customer": "target customer",
    "party.answers.three_year_goal": "three-year goal",
    "party.answers.values": "values",
    "party.answers.vision": "vision",
    "party.competitors": "competitors",
    "party.contribution": "contribution",
    "party.executive_sponsor": "executive sponsor",
    "party.expected_return": "expected return",
    "party.expected_return.value": "expected return",
    "party.contribution.value": "contribution",
    "party.keeps_selling": "categories sold outside the alliance",
    "party.brands": "brands",
    "party.markets.segments": "segments",
    "party.markets.regions": "regions",
    "party.health": "financial health",
    "party.health.alliance_share_percent": "share of revenue or profit the alliance will be",
    "party.health.alternatives": "alternatives to the alliance",
    "party.health.condition": "financial condition",
    "party.history": "history with earlier partners",
    "party.history.references": "references from earlier partners",
    "party.importance": "view of the alliance's importance",
    "party.markets": "segments and regions",
    "party.offerings": "offerings and their customers",
    "party.offerings.segments": "the segments {owner} is sold to",
    "party.principals": "principals",
    "party.sells_third_party": "sales of other companies' goods in the alliance's categories",
    "party.stake": "stake and control",
    "party.stake.appoints_ceo": "right to appoint the chief executive",
    "party.stake.equity_percent": "share of the joint entity",
    "party.stake.runs_operations": "running of day-to-day operations",
    "party.ways_of_working": "ways of working",
    "party.ways_of_working.decision_style": "decision style",
    "party.ways_of_working.pace": "pace",
    "party.ways_of_working.risk_tolerance": "risk tolerance",
    "principal.board_seats": "board seats",
    "principal.commitment": "time commitment",
    "principal.other_ventures": "other ventures",
    "principal.personal_goals": "personal goals",
    "principal.role": "role in the alliance",
}

# Each yes/no field as a clause, (when true, when false), for advice such as "clears if
# exit terms are defined (now no)". ``{owner}`` is filled as in ``_FIELDS``.
YES_NO: dict[str, tuple[str, str]] = {
    "alliance.exclusivity.exclusive": ("the deal is exclusive", "the deal is not exclusive"),
    "alliance.exclusivity.performance_conditions": (
        "the exclusivity lapses when agreed targets are missed",
        "the exclusivity holds even when targets are missed",
    ),
    "alliance.incentives.joint_deal_credit": (
        "sales staff on both sides get credit for joint deals",
        "sales staff get no credit for joint deals",
    ),
    "alliance.incentives.channel_conflict_pay": (
        "someone is paid more for selling around the alliance",
        "nobody is paid more for selling around the alliance",
    ),
    "alliance.staged": ("commitment is staged (a pilot first)", "commitment is not staged"),
    "alliance.economics.revisable": (
        "the split is reviewed when contributions change",
        "the split is fixed at signing",
    ),
    "alliance.economics.contributions_shift": (
        "what each party puts in will change markedly",
        "what each party puts in stays much the same",
    ),
    "governance.steering_committee": (
        "there is a steering committee",
        "there is no steering committee",
    ),
    "governance.deadlock.terminates_alliance": (
        "an unresolved deadlock ends the alliance",
        "an unresolved deadlock does not end the alliance",
    ),
    "governance.exit_terms.defined": ("exit terms are defined", "no exit terms are defined"),
    "governance.exit_terms.buy_sell": (
        "a buy-sell clause lets one party buy the other out",
        "there is no buy-sell clause",
    ),
    "governance.presented_as_equals": (
        "the deal is presented as between equals",
        "the deal is not presented as between equals",
    ),
    "party.offerings.core": ("{owner} is core business", "{owner} is not core business"),
    "party.offerings.contributed": (
        "{owner} goes wholly into the joint entity",
        "{owner} stays outside the joint entity",
    ),
    "party.offerings.replaced_by_alliance": (
        "the alliance's product replaces {owner}",
        "the alliance's product does not replace {owner}",
    ),
    "party.affiliates.bound": (
        "{owner} is bound by the exclusivity",
        "{owner} is not bound by the exclusivity",
    ),
    "party.stake.appoints_ceo": (
        "{owner} appoints the chief executive",
        "{owner} does not appoint the chief executive",
    ),
    "party.stake.runs_operations": (
        "{owner}'s people run day-to-day operations",
        "{owner}'s people do not run day-to-day operations",
    ),
    "party.stake.home": (
        "the joint entity takes {owner}'s country, law or headquarters",
        "the joint entity does not take {owner}'s country, law or headquarters",
    ),
    "history.disagreements.resolved": ("{owner} is resolved", "{owner} is still open"),
}


def yes_no_words(path: str, value_at: Callable[[str], Any], value: bool) -> str | None:
    """The yes/no field at ``path`` as a clause for ``value``: ``exit terms are defined``,
    ``the alliance's product does not replace Nokia's offering "Ovi Store"``; None for a
    field without one."""
    pair = YES_NO.get(generic_field(path))
    if pair is None:
        return None
    owner, clause = _field_parts(path, value_at, None, pair[0] if value else pair[1])
    return f"{possessive(owner)} {clause}" if owner is not None else clause


_STEP = re.compile(r"([a-z_]+)(?:\[(\d+)\])?")


def _steps(path: str) -> list[tuple[str, int | None]]:
    return [
        (m.group(1), int(m.group(2)) if m.group(2) is not None else None)
        for m in (_STEP.fullmatch(part) for part in path.split("."))
        if m is not None
    ]


def generic_field(path: str) -> str:
    """``parties[0].principals[1].role`` → ``principal.role``; ``parties[0].stake`` →
    ``party.stake``; ``alliance.ip.key_assets[2].access`` → ``alliance.ip.key_assets.access``."""
    names = [name for name, _ in _steps(path)]
    if names[:1] == ["parties"]:
        if len(names) >= 3 and names[1] == "principals":
            return ".".join(["principal", *names[2:]])
        return ".".join(["party", *names[1:]])
    return ".".join(names)


def possessive(name: str) -> str:
    """``Alpha Care's``, ``Hafen Roasters'``."""
    return f"{name}'" if name.endswith("s") and not name.endswith("ss") else f"{name}'s"


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def field_words(path: str, value_at: Callable[[str], Any], field: str | None = None) -> str:
    """What the case-file ``path`` asks for, in words: ``Alpha's three-year goal``,
    ``Clare Halden's personal goals``, ``the segments Nokia's offering "Ovi Store" is sold
    to``, ``who manages the alliance day to day``.

    ``value_at`` gives the value the case holds at a path (party and principal names, an
    offering's description …: :meth:`~partnerfit.case.Case.value_at`); ``field`` is the
    generic field (``party.answers.vision``) when known, else it is read from ``path``.
    """
    owner, phrase = _field_parts(path, value_at, field)
    return f"{possessive(owner)} {phrase}" if owner is not None else phrase


def fields_words(paths: Sequence[tuple[str, str | None]], value_at: Callable[[str], Any]) -> str:
    """Several fields (``(path, generic field)`` pairs), in words and in the order given; a
    field asked of several parties or principals is named once for all of them: ``Alpha's
    and Beta's three-year goal``. Items are separated by ``; `` when one has a comma or an
    ``and`` of its own."""
    groups: dict[str, list[str | None]] = {}
    for path, field in paths:
        owner, phrase = _field_parts(path, value_at, field)
        owners = groups.setdefault(phrase, [])
        if owner not in owners:
            owners.append(owner)
    items = []
    for phrase, owners in groups.items():
        named = [possessive(o) for o in owners if o is not None]
        if named:
            items.append(f"{and_list(named)} {phrase}")
        if None in owners:
            items.append(phrase)
    if any("," in item or " and " in item for item in items):
        return "; ".join(items)
    return and_list(items)


def _field_parts(
    path: str, value_at: Callable[[str], Any], field: str | None, phrase: str | None = None
) -> tuple[str | None, str]:
    """(whose field it is, what it asks for): (``Alpha``, ``three-year goal``); (None,
    ``who manages the alliance day to day``) when the phrase names its own subject.
    ``phrase`` replaces the field's own phrase (a yes/no clause, say)."""
    key = field or generic_field(path)
    steps = _steps(path)
    owner: str | None = None
    item: str | None = None
    if steps and steps[0][0] == "parties" and steps[0][1] is not None:
        party_path = f"parties[{steps[0][1]}]"
        owner = _text(value_at(f"{party_path}.name")) or f"party {steps[0][1] + 1}"
        sub, index = steps[1] if len(steps) >= 2 else ("", None)
        if index is not None:
            base = f"{party_path}.{sub}[{index}]"
            if sub == "principals":
                owner = _text(value_at(f"{base}.name")) or (
                    f"{possessive(owner)} principal {index + 1}"
                )
            elif sub == "offerings":
                label = _text(value_at(f"{base}.description")) or _text(
                    value_at(f"{base}.category")
                )
                item = f'{possessive(owner)} offering "{label}"' if label else None
                item = item or f"{possessive(owner)} offering {index + 1}"
            elif sub == "affiliates":
                name = _text(value_at(f"{base}.name"))
                item = f"{possessive(owner)} affiliate " + (name or str(index + 1))
    elif len(steps) >= 3 and [s for s, _ in steps[:3]] == ["alliance", "ip", "key_assets"]:
        asset = steps[2][1]
        if asset is not None:
            name = _text(value_at(f"alliance.ip.key_assets[{asset}].name"))
            item = name or f"key asset {asset + 1}"
    elif len(steps) >= 2 and steps[-2][1] is not None:  # a field of one block in a list
        block = value_at(path[: path.rfind(".")])
        if isinstance(block, Mapping):
            item = f'"{_label(block)}"'
    phrase = phrase if phrase is not None else _FIELDS.get(key)
    if phrase is None:
        phrase = " ".join(choice_words(name) for name, _ in steps[-1:]) or path
    if "{owner}" in phrase:
        return None, phrase.replace("{owner}", item or owner or "it")
    if item is not None:
        return None, f"{phrase} of {item}"
    if owner is not None and key.split(".")[0] in ("party", "principal"):
        return owner, phrase
    return None, phrase


def and_list(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


# --- blocks -----------------------------------------------------------------------------

_SHOWN_ITEMS = 3
_LABELS = ("name", "topic", "description", "who")
_NOUNS = {
    "customer_evidence": ("piece of customer evidence", "pieces of customer evidence"),
    "joint_kpis": ("joint KPI", "joint KPIs"),
    "other_ventures": ("other venture", "other ventures"),
    "board_seats": ("board seat", "board seats"),
    "key_assets": ("key asset", "key assets"),
    "options": ("option", "options"),
}


def scalar_words(value: Any) -> str | None:
    """A single value as the file writes it: ``true``, ``4800000``, ``part_time``; a list
    of such values joined with ``; ``. None for anything else."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float | str):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str | int | float | bool) for v in value):
        return "; ".join(w for v in value if (w := scalar_words(v)) is not None)
    return None


def _noun(name: str, n: int) -> str:
    one, many = _NOUNS.get(name) or (
        (choice_words(name)[:-1], choice_words(name))
        if name.endswith("s")
        else (choice_words(name), choice_words(name))
    )
    return one if n == 1 else many


def _label(item: Mapping[str, Any]) -> str:
    """One block of a list, in a few words: its name (or topic, description …), else its
    fields; ``kind: count`` for a count of a kind."""
    for key in _LABELS:
        text = _text(item.get(key))
        if text is not None:
            return text
    if "kind" in item and "count" in item:
        return f"{scalar_words(item['kind'])}: {scalar_words(item['count'])}"
    if "category" in item and set(item) <= {"category", "segments"}:
        segments = scalar_words(item.get("segments"))
        return f"{item['category']} for {segments}" if segments else str(item["category"])
    return _fields(item)


def _fields(block: Mapping[str, Any]) -> str:
    parts = []
    for key, value in block.items():
        shown = scalar_words(value)
        if shown is None:
            if isinstance(value, list):
                shown = f"{len(value)} {_noun(key, len(value))}"
                if value and all(isinstance(v, Mapping) for v in value):
                    shown += ": " + _items(value)
            elif isinstance(value, Mapping):
                shown = "(" + _fields(value) + ")"
            else:
                continue
        elif isinstance(value, list) and not value:
            shown = "[]"
        parts.append(f"{key}: {shown}")
    return ", ".join(parts)


def _items(items: Sequence[Mapping[str, Any]]) -> str:
    shown = [_label(item) for item in items[:_SHOWN_ITEMS]]
    return "; ".join(shown) + ("; …" if len(items) > _SHOWN_ITEMS else "")


def block_words(path: str, value: Any) -> str | None:
    """A block of the case file (a mapping) or a list of blocks, in the file's own words:
    ``2 projects: Reusable crate return loop; Shared cold store``, ``who: dentists, role:
    owner``; a party by its name. None for a single value (see :func:`scalar_words`) or
    anything else."""
    if isinstance(value, Mapping):
        if "id" in value and _text(value.get("name")):  # a party: its name says which
            return str(value["name"])
        return _fields(value) or "{}"
    if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        steps = _steps(path)
        name = steps[-1][0] if steps else "items"
        return f"{len(value)} {_noun(name, len(value))}: {_items(value)}"
    return None
