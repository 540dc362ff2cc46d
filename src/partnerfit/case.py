"""The case model: one proposed alliance, as a founder or advisor writes it.

**Unknown is not false.** Every optional field defaults to ``None``, which
means "not known yet". An explicit ``false``, ``none`` or ``[]`` is a real
answer. The difference survives all the way to the rules: unknown data raises
open questions, explicit answers are judged.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from .documents import iter_paths, nearest_line
from .limits import MAX_ITEMS, MAX_NUMBER, MAX_PARTIES
from .validation import PATTERN_HELP

# Control characters and the odd line breaks YAML honours (NEL, LS, PS) are refused: they
# are never meant in a name, and would not survive a round trip through a YAML file.
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]*$"
NAME_PATTERN = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"
KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
PATTERN_HELP.update(
    {
        TEXT_PATTERN: "text must not contain control characters",
        NAME_PATTERN: "a name is one line of printable text (no tabs, line breaks or control "
        "characters)",
        KEY_PATTERN: "an id is letters, digits, '_', '.' or '-', starting with a letter or digit",
    }
)

Text = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=4000,
        pattern=TEXT_PATTERN,
    ),
]
"""Free text: may span lines."""
Name = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=200,
        pattern=NAME_PATTERN,
    ),
]
"""A short name or phrase: one line."""
Key = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=64,
        pattern=KEY_PATTERN,
    ),
]

Years = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
"""A duration in years."""
Months = Annotated[float, Field(ge=0, le=1200, allow_inf_nan=False)]
"""A duration in months."""
Amount = Annotated[float, Field(ge=0, le=MAX_NUMBER, allow_inf_nan=False)]
"""An amount of money in the case's currency."""
Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
"""A share in percent, 0–100."""
Seats = Annotated[int, Field(ge=0, le=1000)]
"""A number of board seats."""
MAX_COUNT = 1_000_000_000
"""The largest count a case may give (people asked, orders …)."""

CASE_SCHEMA_ID = "partnerfit/case/v1"
JOINT = "joint"
"""The owner named when the parties own something together."""


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class AllianceKind(StrEnum):
    joint_venture = "joint_venture"
    distribution = "distribution"
    licensing = "licensing"
    co_marketing = "co_marketing"
    professional_partnership = "professional_partnership"
    co_founding = "co_founding"
    technology = "technology"
    supply = "supply"
    reseller = "reseller"
    other = "other"


class OfferingCategory(StrEnum):
    """What a business sells, in broad strokes: the business-model vocabulary."""

    manufacturing = "manufacturing"
    hardware = "hardware"
    software = "software"
    services = "services"
    consulting = "consulting"
    distribution = "distribution"
    retail = "retail"
    content = "content"
    brand = "brand"
    data = "data"
    platform = "platform"
    logistics = "logistics"
    financing = "financing"
    research = "research"
    training = "training"
    marketing = "marketing"


class Importance(StrEnum):
    core = "core"
    significant = "significant"
    peripheral = "peripheral"


class Commitment(StrEnum):
    full_time = "full_time"
    part_time = "part_time"
    advisory = "advisory"


class Relation(StrEnum):
    """How a principal's other venture, or a planned project, relates to the joint business."""

    core = "core"
    adjacent = "adjacent"
    loosely_related = "loosely_related"
    unrelated = "unrelated"
    competing = "competing"


class EvidenceKind(StrEnum):
    interview = "interview"
    letter_of_intent = "letter_of_intent"
    pilot = "pilot"
    purchase_order = "purchase_order"
    survey = "survey"
    waitlist = "waitlist"


class References(StrEnum):
    provided = "provided"
    partial = "partial"
    refused = "refused"
    not_asked = "not_asked"


class FinancialCondition(StrEnum):
    """A party's financial condition, as far as is known before signing."""

    profitable = "profitable"
    break_even = "break_even"
    loss_making = "loss_making"
    distressed = "distressed"
    """Losses it cannot fund for long: restructuring, covenant trouble, a rescue."""


class DecisionStyle(StrEnum):
    """How a party makes its decisions."""

    consensus = "consensus"
    top_down = "top_down"
    delegated = "delegated"


class Pace(StrEnum):
    """How fast a party moves from idea to decision."""

    fast = "fast"
    steady = "steady"
    slow = "slow"


class RiskTolerance(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


class AffiliateRelation(StrEnum):
    """How another company is tied to a party."""

    parent = "parent"
    subsidiary = "subsidiary"
    sister = "sister"
    affiliate = "affiliate"


class AgreementStage(StrEnum):
    """How far the deal is written down."""

    spoken = "spoken"
    """Only talked about; nothing on paper."""
    term_sheet = "term_sheet"
    draft = "draft"
    """A full contract or charter in draft, not yet signed."""
    signed = "signed"


class AssetKind(StrEnum):
    brand = "brand"
    patent = "patent"
    technology = "technology"
    content = "content"
    data = "data"
    customer_relationships = "customer_relationships"
    other = "other"


class AssetAccess(StrEnum):
    """How the alliance gets an asset a party owns."""

    transferred = "transferred"
    """Ownership moves to the alliance's joint entity."""
    exclusive_licence = "exclusive_licence"
    licence = "licence"
    """A licence the owner may also grant others, or end. When a source says only "licensed",
    leave ``access`` out: its terms are unknown."""
    withheld = "withheld"
    """The owner keeps it out of the alliance."""
    undecided = "undecided"


class SplitBasis(StrEnum):
    """What the sharing of revenue or profit follows."""

    fixed = "fixed"
    """A formula or percentage set at signing, whatever each party later puts in."""
    equity = "equity"
    contribution = "contribution"
    performance = "performance"


class OptionKind(StrEnum):
    put = "put"
    """The holder may force another party to buy its stake."""
    call = "call"
    """The holder may buy another party's stake."""


class PriceBasis(StrEnum):
    fair_value = "fair_value"
    book_value = "book_value"
    fixed = "fixed"
    formula = "formula"
    premium = "premium"
    """Above fair value: a price the other side pays to be let go, or to buy out."""


class Severity(StrEnum):
    info = "info"
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}


class Market(Model):
    """Where a party sells, or where the alliance will sell."""

    segments: list[Name] | None = Field(default=None, max_length=MAX_ITEMS)
    """Customer segments in plain words, e.g. ``independent dental clinics``."""
    regions: list[Name] | None = Field(default=None, max_length=MAX_ITEMS)
    """Regions or countries, e.g. ``DACH``, ``US Midwest``."""


class Offering(Model):
    """One thing a party sells, and to whom."""

    category: OfferingCategory
    """Broad category from the business-model vocabulary."""
    description: Text | None = None
    """What it is, in the party's words."""
    segments: list[Name] | None = Field(default=None, max_length=MAX_ITEMS)
    """The segments it is sold to. Unknown when left out."""
    core: bool | None = None
    """Whether this is the party's core business: most of its revenue or profit."""
    contributed: bool | None = None
    """Whether the party puts this business wholly into the alliance's joint entity and stops
    selling it on its own."""
    replaced_by_alliance: bool | None = None
    """Whether the alliance's product would replace this offering for the buyers who have it
    today (the alliance cannibalises it)."""


class Answers(Model):
    """A party's *own, independent* answers on the alliance's foundations."""

    vision: Text | None = None
    """What the alliance should become; the end state both can picture."""
    mission: Text | None = None
    """Its purpose for customers, beyond profit."""
    values: list[Name] | None = Field(default=None, max_length=MAX_ITEMS)
    """The principles that guide how the alliance does business."""
    positioning: Text | None = None
    """The lasting, true differentiation the alliance claims."""
    three_year_goal: Text | None = None
    """Where this party expects the alliance to be in about three years."""
    horizon_years: Years | None = None
    """How many years this party intends the alliance to run."""
    target_customer: Text | None = None
    """This party's own description of the joint target customer."""


class Venture(Model):
    """A principal's other business, project or commitment."""

    name: Name
    relation: Relation
    """How it relates to the joint business."""
    description: Text | None = None


class Principal(Model):
    """A person who leads or owns part of a party."""

    name: Name
    role: Name | None = None
    commitment: Commitment | None = None
    """The time this person will give the alliance."""
    expected_commitment: Commitment | None = None
    """The time the other side expects of this person."""
    other_ventures: list[Venture] | None = Field(default=None, max_length=MAX_ITEMS)
    """Other ventures, clients or projects; ``[]`` means none."""
    board_seats: list[Venture] | None = Field(default=None, max_length=MAX_ITEMS)
    """Board seats held elsewhere; ``[]`` means none."""
    personal_goals: Text | None = None


class Contribution(Model):
    """What one party gives, or expects to get, in money or in kind."""

    description: Text | None = None
    value: Amount | None = None
    """Estimated value over the term, in the case's currency."""


class PartyHistory(Model):
    past_partner_disputes: list[Text] | None = Field(default=None, max_length=MAX_ITEMS)
    """Disputes or litigation with earlier partners; ``[]`` means none."""
    references: References | None = None
    """Whether this party gave references from earlier partners."""


class Stake(Model):
    """This party's ownership and control of the alliance or its joint entity."""

    equity_percent: Percent | None = None
    """Its share of the joint entity's equity, in percent."""
    board_seats: Seats | None = None
    """Seats it holds on the joint entity's board."""
    appoints_ceo: bool | None = None
    """Whether it appoints the chief executive of the joint entity or alliance."""
    runs_operations: bool | None = None
    """Whether its people run day-to-day operations."""
    vetoes: list[Name] | None = Field(default=None, max_length=MAX_ITEMS)
    """Reserved matters it can veto; ``[]`` means none."""
    home: bool | None = None
    """Whether the joint entity takes this party's country, law or headquarters."""


class Health(Model):
    """This party's financial condition and how much it depends on the alliance."""

    condition: FinancialCondition | None = None
    alliance_share_percent: Percent | None = None
    """The share of its revenue (or profit) the alliance is expected to be, in percent."""
    alternatives: Text | Literal[False] | None = None
    """What it would do without this alliance; ``false`` when it has no other option."""


class WaysOfWorking(Model):
    """How this party works, in its own answers."""

    decision_style: DecisionStyle | None = None
    pace: Pace | None = None
    risk_tolerance: RiskTolerance | None = None
    language: Name | None = None
    """The working language of its team."""
    location: Name | None = None
    """Where its team for the alliance sits."""


class Affiliate(Model):
    """A parent, subsidiary, sister company or affiliate of a party."""

    name: Name
    relation: AffiliateRelation
    sells: list[OfferingCategory] | None = Field(default=None, max_length=MAX_ITEMS)
    """Offering categories it sells; ``[]`` means none."""
    bound: bool | None = None
    """Whether it is bound by the alliance's exclusivity and restrictions."""


class Party(Model):
    """One side of the alliance."""

    id: Key
    """Short key used to refer to the party elsewhere in the case."""
    name: Name
    brands: list[Name] | None = Field(default=None, max_length=MAX_ITEMS)
    """Other names the party trades under."""
    offerings: list[Offering] | None = Field(default=None, max_length=MAX_ITEMS)
    markets: Market | None = None
    competitors: list[Name] | None = Field(default=None, max_length=MAX_ITEMS)
    """Companies this party names as its competitors; ``[]`` means none."""
    executive_sponsor: Name | Literal[False] | None = None
    """The executive who sponsors the alliance; ``false`` when nobody is named."""
    importance: Importance | None = None
    """How important this alliance is to this party."""
    contribution: Contribution | None = None
    expected_return: Contribution | None = None
    answers: Answers | None = None
    principals: list[Principal] | None = Field(default=None, max_length=MAX_ITEMS)
    history: PartyHistory | None = None
    keeps_selling: list[OfferingCategory] | None = Field(default=None, max_length=MAX_ITEMS)
    """Categories inside the alliance's scope this party will still sell on its own."""
    sells_third_party: list[OfferingCategory] | None = Field(default=None, max_length=MAX_ITEMS)
    """Categories in which it sells other companies' goods (a marketplace, platform or shop
    shelf); ``[]`` means none."""
    affiliates: list[Affiliate] | None = Field(default=None, max_length=MAX_ITEMS)
    """Parent, sister and affiliated companies; ``[]`` means none."""
    stake: Stake | None = None
    health: Health | None = None
    ways_of_working: WaysOfWorking | None = None


class Avatar(Model):
    """The joint target customer, described as a person you would meet for lunch."""

    who: Text | None = None
    role: Text | None = None
    pain: Text | None = None
    trigger: Text | None = None
    budget: Text | None = None


class CustomerEvidence(Model):
    kind: EvidenceKind
    count: int = Field(default=1, ge=0, le=MAX_COUNT)
    description: Text | None = None


class Exclusivity(Model):
    exclusive: bool
    """Whether any party is bound to deal only with the other."""
    bound_parties: list[Key] | None = Field(default=None, max_length=MAX_ITEMS)
    """Party ids bound by the exclusivity; unknown means all."""
    years: Years | None = None
    territory: Text | None = None
    performance_conditions: bool | None = None
    """Whether exclusivity lapses when agreed targets are missed."""


class Incentives(Model):
    joint_deal_credit: bool | None = None
    """Whether sales staff on both sides get credit for joint deals."""
    channel_conflict_pay: bool | None = None
    """Whether anyone is paid more for selling around the alliance."""
    staff_metrics: list[Name] | None = Field(default=None, max_length=MAX_ITEMS)
    """How staff serving the joint customers are measured."""


class KeyAsset(Model):
    """A brand, patent, technology or other asset the alliance depends on."""

    name: Name
    kind: AssetKind
    owner: Key
    """Id of the party that owns it."""
    access: AssetAccess | None = None
    """How the alliance gets it."""


class IntellectualProperty(Model):
    """Who owns what the alliance creates and uses."""

    created_owner: Key | None = None
    """Who owns what the alliance creates: a party id, or ``joint``."""
    brand: Name | None = None
    """The brand the alliance sells under."""
    key_assets: list[KeyAsset] | None = Field(default=None, max_length=MAX_ITEMS)
    """Brands, patents and technology the alliance depends on; ``[]`` means none."""
    derivative_rights: Text | Literal[False] | None = None
    """Who may build on the alliance's work (derivatives, sequels, next generations);
    ``false`` when nothing is agreed."""


class Economics(Model):
    """How the money is shared."""

    split_basis: SplitBasis | None = None
    split: Text | None = None
    """The split in words, e.g. ``60/40 of net profit``."""
    revisable: bool | None = None
    """Whether the split is reviewed when what the parties put in changes."""
    contributions_shift: bool | None = None
    """Whether what each party puts in is expected to change markedly over the term."""
    transfer_payments: Text | Literal[False] | None = None
    """Fees, royalties or transfer prices between the parties; ``false`` when none."""
    loss_funding: Text | Literal[False] | None = None
    """Who funds losses and capital calls; ``false`` when nothing is agreed."""


class Project(Model):
    """A joint project planned for the alliance."""

    name: Name
    relation: Relation
    """How it relates to the joint business model."""
    owner: Key | None = None


class Alliance(Model):
    """What the parties propose to do together."""

    kind: AllianceKind | None = None
    purpose: Text | None = None
    scope_in: list[OfferingCategory] | None = Field(default=None, max_length=MAX_ITEMS)
    """Offering categories the alliance will sell."""
    scope_out: list[Name] | None = Field(default=None, max_length=MAX_ITEMS)
    """What is explicitly outside the alliance."""
    carve_outs: list[Text] | None = Field(default=None, max_length=MAX_ITEMS)
    """Agreed exceptions where a party may keep selling alone."""
    target_market: Market | None = None
    value_proposition: Text | None = None
    """The value the alliance creates for customers, in their terms."""
    customer_avatar: Avatar | None = None
    customer_evidence: list[CustomerEvidence] | None = Field(default=None, max_length=MAX_ITEMS)
    """Evidence that customers want this; ``[]`` means none gathered."""
    exclusivity: Exclusivity | None = None
    term_years: Years | None = None
    joint_kpis: list[Name] | None = Field(default=None, max_length=MAX_ITEMS)
    incentives: Incentives | None = None
    projects: list[Project] | None = Field(default=None, max_length=MAX_ITEMS)
    renewal: Text | Literal[False] | None = None
    """How the term renews; ``false`` when it ends without renewal."""
    staged: bool | None = None
    """Whether commitment is staged: a pilot or first phase before exclusivity, equity or the
    full term."""
    agreement: AgreementStage | None = None
    """How far the deal is written down."""
    ip: IntellectualProperty | None = None
    economics: Economics | None = None


class Deadlock(Model):
    mechanism: Text | Literal[False] | None = None
    """How a deadlock is broken (escalation, chair's vote, mediator…); ``false`` when no way is
    agreed; unknown when left out."""
    unanimous_matters: list[Name] | None = Field(default=None, max_length=MAX_ITEMS)
    terminates_alliance: bool | None = None
    """Whether an unresolved deadlock ends the alliance."""


class OptionTerm(Model):
    """A put or call option on a party's stake."""

    kind: OptionKind
    holder: Key
    """Id of the party that holds the option."""
    trigger: Text | None = None
    """When it can be used (a date, a deadlock, a missed target, a change of control)."""
    price_basis: PriceBasis | None = None


class ExitTerms(Model):
    defined: bool
    buy_sell: bool | None = None
    notice_months: Months | None = None
    description: Text | None = None
    options: list[OptionTerm] | None = Field(default=None, max_length=MAX_ITEMS)
    """Put and call options on the parties' stakes; ``[]`` means none."""
    penalty: Text | Literal[False] | None = None
    """What a party pays or loses by leaving early; ``false`` when nothing."""
    change_of_control: Text | Literal[False] | None = None
    """What happens when a party is bought; ``false`` when the contract says nothing."""


class Role(Model):
    title: Name
    party: Key
    person: Name | None = None


class Governance(Model):
    """How the alliance is run."""

    decision_rights: Text | Literal[False] | None = None
    """Who decides what; ``false`` when nothing is agreed."""
    alliance_manager: Name | Literal[False] | None = None
    """Who manages the alliance day to day; ``false`` when the parties name nobody."""
    roles: list[Role] | None = Field(default=None, max_length=MAX_ITEMS)
    steering_committee: bool | None = None
    review_cadence: Name | Literal[False] | None = None
    """How often the parties review the alliance; ``false`` when no review is agreed."""
    dispute_resolution: Text | Literal[False] | None = None
    """How disputes are resolved; ``false`` when no process is agreed."""
    deadlock: Deadlock | None = None
    exit_terms: ExitTerms | None = None
    presented_as_equals: bool | None = None
    """Whether the deal is presented as between equals (a "merger of equals", a 50/50
    venture)."""


class Disagreement(Model):
    topic: Name
    parties: list[Key] | None = Field(default=None, max_length=MAX_ITEMS)
    resolved: bool
    description: Text | None = None


class History(Model):
    disagreements: list[Disagreement] | None = Field(default=None, max_length=MAX_ITEMS)
    """Disagreements already seen in the talks; ``[]`` means none."""


class Waiver(Model):
    """A red flag the parties have looked at and accepted."""

    rule: Name
    justification: Text
    accepted_by: Name | None = None
    expires: dt.date | None = None


class Case(Model):
    """One proposed strategic alliance."""

    schema_: Annotated[str | None, Field(alias="schema")] = None
    """Optional marker, ``partnerfit/case/v1``."""
    id: Key
    title: Name | None = None
    alliance: Alliance | None = None
    governance: Governance | None = None
    parties: list[Party] = Field(min_length=2, max_length=MAX_PARTIES)
    history: History | None = None
    waivers: list[Waiver] | None = Field(default=None, max_length=MAX_ITEMS)

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        populate_by_name=True,
    )

    _file: str | None = PrivateAttr(default=None)
    _lines: dict[str, int] = PrivateAttr(default_factory=dict)
    _line_cache: dict[str, int | None] = PrivateAttr(default_factory=dict)
    _values: dict[str, Any] | None = PrivateAttr(default=None)

    # ``source_file`` and ``line_of`` run for every finding and fact: they read the private
    # attributes straight from pydantic's private dict, rather than through its slower
    # ``__getattr__`` (every private attribute has a default, so each key is there).

    @property
    def source_file(self) -> str | None:
        """The file this case was read from, if any."""
        private = self.__pydantic_private__
        assert private is not None
        file: str | None = private["_file"]
        return file

    def line_of(self, path: str) -> int | None:
        """The line in the source file where ``path`` (or its nearest parent) starts."""
        private = self.__pydantic_private__
        assert private is not None
        cache: dict[str, int | None] = private["_line_cache"]
        try:
            return cache[path]
        except KeyError:
            line = cache[path] = nearest_line(private["_lines"], path)
            return line

    def value_at(self, path: str) -> Any:
        """The value at a field path (``parties[0].principals[1].commitment``) as the case
        file holds it in JSON terms (enums as their words, dates as text), or None."""
        private = self.__pydantic_private__
        assert private is not None
        values: dict[str, Any] | None = private["_values"]
        if values is None:
            data = self.model_dump(mode="json", by_alias=True, exclude_none=True)
            values = private["_values"] = dict(iter_paths(data))
        return values.get(path)

    @model_validator(mode="after")
    def _check_references(self) -> Case:
        problems: list[InitErrorDetails] = []

        def problem(loc: tuple[str | int, ...], value: str, message: str) -> None:
            error = PydanticCustomError("reference", message)
            problems.append(InitErrorDetails(type=error, loc=loc, input=value))

        first: dict[str, int] = {}
        for i, p in enumerate(self.parties):
            if p.id in first:
                problem(
                    ("parties", i, "id"),
                    p.id,
                    f"party ids must be unique; {p.id!r} is also parties[{first[p.id]}].id",
                )
            first.setdefault(p.id, i)
        if self.schema_ is not None and self.schema_ != CASE_SCHEMA_ID:
            problem(("schema",), self.schema_, f"schema must be {CASE_SCHEMA_ID!r}")
        refs: list[tuple[tuple[str | int, ...], str]] = []
        if self.alliance and self.alliance.exclusivity and self.alliance.exclusivity.bound_parties:
            refs += [
                (("alliance", "exclusivity", "bound_parties", i), k)
                for i, k in enumerate(self.alliance.exclusivity.bound_parties)
            ]
        if self.governance and self.governance.roles:
            refs += [
                (("governance", "roles", i, "party"), r.party)
                for i, r in enumerate(self.governance.roles)
            ]
        if self.history and self.history.disagreements:
            for i, d in enumerate(self.history.disagreements):
                refs += [
                    (("history", "disagreements", i, "parties", j), k)
                    for j, k in enumerate(d.parties or [])
                ]
        alliance = self.alliance
        if alliance and alliance.ip and alliance.ip.key_assets:
            refs += [
                (("alliance", "ip", "key_assets", i, "owner"), a.owner)
                for i, a in enumerate(alliance.ip.key_assets)
            ]
        if alliance and alliance.ip and alliance.ip.created_owner not in (None, JOINT):
            refs.append((("alliance", "ip", "created_owner"), str(alliance.ip.created_owner)))
        exit_terms = self.governance.exit_terms if self.governance else None
        if exit_terms and exit_terms.options:
            refs += [
                (("governance", "exit_terms", "options", i, "holder"), o.holder)
                for i, o in enumerate(exit_terms.options)
            ]
        equity = [(i, p.stake.equity_percent) for i, p in enumerate(self.parties) if p.stake]
        stated = [(i, e) for i, e in equity if e is not None]
        if sum(e for _, e in stated) > 100.0001:
            i = stated[-1][0]
            total = sum(e for _, e in stated)
            problem(
                ("parties", i, "stake", "equity_percent"),
                str(stated[-1][1]),
                f"the parties' equity adds up to {total:g}%; it can be at most 100%",
            )
        known = ", ".join(first)
        for loc, key in refs:
            if key not in first:
                problem(loc, key, f"names party {key!r}, which is not in the case; known: {known}")
        if problems:
            raise ValidationError.from_exception_data(type(self).__name__, problems)
        return self

    def party(self, key: str) -> Party:
        for p in self.parties:
            if p.id == key:
                return p
        raise KeyError(key)


def case_json_schema() -> dict[str, Any]:
    """The JSON Schema of case files, for editors and other tools."""
    schema = Case.model_json_schema(by_alias=True)
    schema["$id"] = CASE_SCHEMA_ID
    schema["title"] = "partnerfit case file"
    return schema
