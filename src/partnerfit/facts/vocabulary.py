"""The fact vocabulary: every fact type, its fields, where they come from in a case.

Rule packs are validated against :data:`VOCABULARY`; ``partnerfit facts``
documents it. :data:`ASKABLE` holds the question behind each ``unknown`` fact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from partnerfit.case import (
    AffiliateRelation,
    AgreementStage,
    AllianceKind,
    AssetAccess,
    AssetKind,
    Commitment,
    DecisionStyle,
    EvidenceKind,
    FinancialCondition,
    Importance,
    OfferingCategory,
    OptionKind,
    Pace,
    PriceBasis,
    References,
    Relation,
    RiskTolerance,
    SplitBasis,
)

Fact = dict[str, Any]
FieldKind = Literal["text", "number", "bool"]


@dataclass(frozen=True)
class FieldSpec:
    kind: FieldKind
    doc: str
    choices: tuple[str, ...] | None = None
    """For enumerated text fields: every value the field can take."""
    ordered: bool = False
    """For text fields: whether lt/lte/gt/gte may compare it (ids only)."""


@dataclass(frozen=True)
class FactType:
    name: str
    doc: str
    fields: Mapping[str, FieldSpec]
    derived: bool = False
    field_paths: Mapping[str, str] | None = None
    """For facts that gather many case fields: where each field comes from, relative to
    the fact's path. Evidence then cites the tested fields, not the whole fact."""
    evidence: bool = True
    """False for scaffolding facts (pairs, comparisons) that are never cited as evidence."""

    def field(self, name: str) -> FieldSpec | None:
        return COMMON_FIELDS.get(name) or self.fields.get(name)

    def all_fields(self) -> dict[str, FieldSpec]:
        return {**COMMON_FIELDS, **self.fields}


def _t(doc: str, choices: Iterable[str] | None = None) -> FieldSpec:
    return FieldSpec("text", doc, tuple(str(c) for c in choices) if choices is not None else None)


def _id(doc: str) -> FieldSpec:
    """A text field holding an id: ids may be ordered (to pair facts once each)."""
    return FieldSpec("text", doc, ordered=True)


def _n(doc: str) -> FieldSpec:
    return FieldSpec("number", doc)


def _b(doc: str) -> FieldSpec:
    return FieldSpec("bool", doc)


COMMON_FIELDS: dict[str, FieldSpec] = {
    "id": _id("Unique id of the fact within its case."),
    "path": _t("Case-file path the fact comes from, e.g. `parties[0].competitors[1]`."),
    "value": _t("The value shown as evidence."),
    "party": _id("Id of the party the fact belongs to, when it belongs to one."),
    "party_name": _t("Name of that party."),
    "one": _n("Always 1 (used by the compiler to keep joins safe)."),
}

OVERLAP_DIMENSIONS = ("segment", "region", "competitor", "category", "value")
ANSWER_TOPICS = (
    "vision",
    "mission",
    "values",
    "positioning",
    "three_year_goal",
    "target_customer",
)

_PLACE_FIELDS: dict[str, FieldSpec] = {
    "dimension": _t("Segment or region.", ("segment", "region")),
    "key": _t("Matching key: phrases of the case that mean the same share one (docs/matching.md)."),
    "name": _t("As written."),
}
"""The fields of a segment or region, whether a party sells there or the alliance targets it."""

VOCABULARY: dict[str, FactType] = {
    f.name: f
    for f in [
        FactType(
            "alliance",
            "The proposed alliance as a whole; exactly one per case.",
            {
                "kind": _t("Alliance kind, e.g. `distribution`, `joint_venture`.", AllianceKind),
                "term_years": _n("Intended term in years."),
                "exclusive": _b("Whether the deal is exclusive."),
                "exclusivity_years": _n("Length of the exclusivity in years."),
                "performance_conditions": _b("Whether exclusivity lapses on missed targets."),
                "bound_count": _n(
                    "How many parties the exclusivity binds (all of them when it does not say)."
                ),
                "evidence_total": _n("Customer evidence items of any kind (interviews, LOIs…)."),
                "evidence_strong": _n("Letters of intent, pilots and purchase orders."),
                "kpi_count": _n("Number of joint KPIs."),
                "carve_out_count": _n("Number of agreed carve-outs."),
                "scope_count": _n("Number of offering categories in scope."),
                "joint_deal_credit": _b("Sales staff on both sides get credit for joint deals."),
                "channel_conflict_pay": _b("Someone is paid more for selling around the alliance."),
                "avatar_fields": _n("How many of who/role/pain/trigger/budget the avatar fills."),
                "avatar_jargon": _n("How many jargon terms the avatar uses."),
                "avatar_jargon_terms": _t("The jargon terms found in the avatar."),
                "project_count": _n("Number of planned joint projects."),
                "has_purpose": _b("A purpose is stated."),
                "scope_out_count": _n("Number of things stated to be outside the alliance."),
                "has_territory": _b("An exclusive deal states where the exclusivity applies."),
                "agreement": _t("How far the deal is written down.", AgreementStage),
                "staged": _b("Commitment is staged: a pilot or first phase comes first."),
                "has_renewal": _b("The term renews (false: it ends without renewal)."),
                "created_ip_owner": _id(
                    "Who owns what the alliance creates: a party id or `joint`."
                ),
                "has_derivative_rights": _b(
                    "Rights to build on the alliance's work are agreed (false: nothing is)."
                ),
                "asset_count": _n("Number of key assets (brands, patents…) the alliance needs."),
                "split_basis": _t("What the sharing of revenue or profit follows.", SplitBasis),
                "split_revisable": _b("The split is reviewed when contributions change."),
                "contributions_shift": _b(
                    "What each party puts in is expected to change markedly over the term."
                ),
                "has_transfer_payments": _b(
                    "Fees, royalties or transfer prices flow between the parties."
                ),
                "has_loss_funding": _b("Who funds losses is agreed (false: nothing is)."),
            },
        ),
        FactType(
            "governance",
            "How the alliance is to be run; present only when the case describes governance.",
            {
                "structure_elements": _n(
                    "How many of decision rights, alliance manager, named roles, "
                    "steering committee and review cadence are in place (0–5)."
                ),
                "structure_unknown": _n("How many of those five the case leaves unknown."),
                "has_decision_rights": _b(
                    "Decision rights are written down (false: the case says nothing is agreed)."
                ),
                "has_alliance_manager": _b(
                    "An alliance manager is named (false: the case says nobody is)."
                ),
                "role_count": _n("Number of named roles."),
                "steering_committee": _b("A steering committee is set up."),
                "has_review_cadence": _b("A review cadence is agreed (false: none is)."),
                "has_dispute_resolution": _b(
                    "A dispute-resolution process is agreed (false: none is)."
                ),
                "has_deadlock_mechanism": _b(
                    "A way to break deadlocks is agreed (false: none is)."
                ),
                "unanimous_count": _n("Matters that need unanimous consent."),
                "deadlock_terminates": _b("An unresolved deadlock ends the alliance."),
                "exit_defined": _b("Exit terms are defined."),
                "buy_sell": _b("A buy-sell clause exists."),
                "presented_as_equals": _b("The deal is presented as between equals."),
                "notice_months": _n("Months of notice a party must give to leave."),
                "has_exit_penalty": _b("Leaving early costs a penalty (false: it costs nothing)."),
                "has_change_of_control": _b(
                    "A change-of-control clause exists (false: the contract says nothing)."
                ),
                "option_count": _n("Number of put and call options on the parties' stakes."),
            },
        ),
        FactType(
            "party",
            "One party to the alliance.",
            {
                "key": _id("The party's id."),
                "name": _t("The party's name."),
                "importance": _t("How important the alliance is to it.", Importance),
                "has_sponsor": _b(
                    "An executive sponsor is named (false: the case says nobody is)."
                ),
                "sponsor": _t("The executive sponsor's name."),
                "contribution_value": _n("Estimated value of what it contributes."),
                "return_value": _n("Estimated value of what it expects back."),
                "return_ratio": _n("Expected return divided by contribution."),
                "references": _t("References from earlier partners.", References),
                "dispute_count": _n("Disputes with earlier partners."),
                "keeps_selling_count": _n("In-scope categories it keeps selling alone."),
                "equity": _n("Its share of the joint entity's equity, in percent."),
                "board_seats": _n("Seats it holds on the joint board."),
                "board_share": _n(
                    "Its share of the joint board's seats (0–1), when every party states its seats."
                ),
                "appoints_ceo": _b("It appoints the chief executive."),
                "runs_operations": _b("Its people run day-to-day operations."),
                "home": _b("The joint entity takes its country, law or headquarters."),
                "veto_count": _n("Reserved matters it can veto."),
                "control_count": _n(
                    "Levers of control it holds, of: appoints the chief executive, runs "
                    "operations, is home to the joint entity, holds a board majority (0–4)."
                ),
                "condition": _t("Its financial condition.", FinancialCondition),
                "alliance_share": _n(
                    "The share of its revenue or profit the alliance is expected to be (%)."
                ),
                "has_alternatives": _b("It has options without the alliance (false: none)."),
                "decision_style": _t("How it makes decisions.", DecisionStyle),
                "pace": _t("How fast it moves.", Pace),
                "risk_tolerance": _t("How much risk it takes.", RiskTolerance),
                "language": _t("Its team's working language, lower-cased."),
                "affiliate_count": _n("Number of parent, sister and affiliated companies."),
                "puts_held": _n("Put options it holds (absent when the options are unknown)."),
                "calls_held": _n("Call options it holds (absent when the options are unknown)."),
            },
        ),
        FactType(
            "profile",
            "A party's known position on one dimension (markets, competitors, offerings); "
            "absent when unknown.",
            {
                "dimension": _t(
                    "What the profile covers (`segments` and `regions` split `markets`).",
                    ("markets", "competitors", "offerings", "segments", "regions"),
                ),
                "size": _n("Number of entries the party gave."),
            },
        ),
        FactType(
            "offering",
            "One offering category a party sells to one segment.",
            {
                "category": _t(
                    "Offering category from the business-model vocabulary.", OfferingCategory
                ),
                "segment": _t("Normalised segment key (absent when segments are unknown)."),
                "segment_name": _t("Segment as written."),
                "core": _b("It is the party's core business."),
                "contributed": _b("The party puts it wholly into the joint entity."),
                "replaced": _b("The alliance's product would replace it (cannibalisation)."),
            },
        ),
        FactType(
            "product",
            "One offering of a party, whatever its segments (the offering facts split it by "
            "segment).",
            {
                "category": _t(
                    "Offering category from the business-model vocabulary.", OfferingCategory
                ),
                "core": _b("It is the party's core business."),
                "contributed": _b("The party puts it wholly into the joint entity."),
                "replaced": _b("The alliance's product would replace it (cannibalisation)."),
            },
        ),
        FactType(
            "market",
            "One segment or region a party sells in.",
            _PLACE_FIELDS,
        ),
        FactType(
            "target",
            "One segment or region the alliance targets.",
            _PLACE_FIELDS,
        ),
        FactType(
            "scope",
            "One offering category the alliance will sell.",
            {"category": _t("Offering category.", OfferingCategory)},
        ),
        FactType(
            "keeps_selling",
            "An in-scope category a party says it will keep selling on its own.",
            {"category": _t("Offering category.", OfferingCategory)},
        ),
        FactType(
            "bound",
            "A party bound by the alliance's exclusivity (every party when the case does not "
            "say which).",
            {"name": _t("The bound party's name.")},
        ),
        FactType(
            "competitor",
            "A competitor a party names.",
            {
                "key": _t("Matching key: names of one company share one (docs/matching.md)."),
                "name": _t("As written."),
            },
        ),
        FactType(
            "alias",
            "A name a party trades under (its name and its brands).",
            {
                "key": _t("Matching key: names of one company share one (docs/matching.md)."),
                "name": _t("As written."),
            },
        ),
        FactType(
            "answer",
            "A party's own answer on one foundation topic.",
            {
                "topic": _t("The foundation topic answered.", (*ANSWER_TOPICS, "horizon_years")),
                "text": _t("The answer as written (lists joined with `; `)."),
                "years": _n("For `horizon_years`: the number of years."),
            },
        ),
        FactType(
            "comparison",
            "Two parties' answers on one topic, compared; present only when both answered.",
            {
                "topic": _t("The topic compared.", (*ANSWER_TOPICS, "horizon_years")),
                "pair": _id("Id of the pair fact."),
                "a": _id("Id of the first party."),
                "b": _id("Id of the second party."),
                "score": _n("Keyword overlap, Jaccard index 0–1 (text topics)."),
                "shared": _t(
                    "The shared words as the first party wrote them, comma-separated "
                    "(`clinics/clinic` when the second wrote the word differently)."
                ),
                "gap": _n("Absolute difference (numeric topics)."),
                "ratio": _n("Larger divided by smaller (numeric topics)."),
            },
        ),
        FactType(
            "pair",
            "Two parties, once per unordered pair (a before b in the case).",
            {
                "a": _id("Id of the first party."),
                "b": _id("Id of the second party."),
                "a_name": _t("Name of the first party."),
                "b_name": _t("Name of the second party."),
            },
        ),
        FactType(
            "overlap",
            "Something two parties share.",
            {
                "pair": _id("Id of the pair fact."),
                "dimension": _t("What is shared.", OVERLAP_DIMENSIONS),
                "key": _t("The matching key both items share (docs/matching.md)."),
                "name": _t("As written by the first party."),
                "other_name": _t("As written by the second party."),
                "why": _t(
                    "In words, why the two were judged the same (\"'SMB' and 'small "
                    "businesses' are synonyms\"); absent for offering categories."
                ),
            },
        ),
        FactType(
            "principal",
            "A person who leads or owns part of a party.",
            {
                "name": _t("Name."),
                "role": _t("Role."),
                "commitment": _t("Time given.", Commitment),
                "expected_commitment": _t("Time the other side expects.", Commitment),
                "under_committed": _b("Gives less time than is expected."),
                "venture_count": _n("Other ventures and board seats."),
                "has_goals": _b("Personal goals are stated."),
                "has_role": _b("A role is stated."),
            },
        ),
        FactType(
            "venture",
            "A principal's other venture or board seat.",
            {
                "principal": _t("The principal's name."),
                "name": _t("The venture's name."),
                "key": _t(
                    "Matching key of its name, as companies' names match (docs/matching.md)."
                ),
                "relation": _t("How it relates to the joint business.", Relation),
                "kind": _t("Venture or board seat.", ("venture", "board_seat")),
            },
        ),
        FactType(
            "project",
            "A planned joint project.",
            {
                "name": _t("Name."),
                "relation": _t("How it relates to the joint business.", Relation),
                "owner": _id("Owning party id."),
            },
        ),
        FactType(
            "third_party",
            "A category in which a party sells other companies' goods (marketplace, shelf).",
            {"category": _t("Offering category.", OfferingCategory)},
        ),
        FactType(
            "affiliate",
            "A party's parent, sister or affiliated company, once per category it sells.",
            {
                "name": _t("The company's name."),
                "relation": _t("How it is tied to the party.", AffiliateRelation),
                "category": _t(
                    "A category it sells (absent when unknown or none).", OfferingCategory
                ),
                "bound": _b("It is bound by the alliance's exclusivity and restrictions."),
            },
        ),
        FactType(
            "asset",
            "A brand, patent or technology the alliance depends on; its party is the owner.",
            {
                "name": _t("As written."),
                "kind": _t("Kind of asset.", AssetKind),
                "owner": _id("Id of the owning party."),
                "access": _t("How the alliance gets it.", AssetAccess),
            },
        ),
        FactType(
            "option",
            "A put or call option on a stake; its party is the holder.",
            {
                "kind": _t("Put or call.", OptionKind),
                "holder": _id("Id of the holding party."),
                "price_basis": _t("How the price is set.", PriceBasis),
                "trigger": _t("When it can be used, as written."),
            },
        ),
        FactType(
            "evidence",
            "One piece of customer evidence.",
            {"kind": _t("Kind of evidence.", EvidenceKind), "count": _n("How many.")},
        ),
        FactType(
            "disagreement",
            "A disagreement already seen in the talks.",
            {"topic": _t("Topic."), "resolved": _b("Whether it was resolved.")},
        ),
        FactType(
            "metric",
            "A measure applied to staff serving the joint customers.",
            {
                "name": _t("As written."),
                "against_customer": _b("Rewards speed or volume over customer outcomes."),
            },
        ),
        FactType(
            "unknown",
            "A field the case leaves unknown; rules turn these into open questions.",
            {"field": _t("Generic field name, e.g. `party.competitors`; see `ASKABLE`.")},
        ),
    ]
}

# Where the fields of the gathering facts come from, relative to the fact's path.
_FIELD_PATHS: dict[str, dict[str, str]] = {
    "alliance": {
        "kind": "kind",
        "term_years": "term_years",
        "exclusive": "exclusivity.exclusive",
        "exclusivity_years": "exclusivity.years",
        "performance_conditions": "exclusivity.performance_conditions",
        "bound_count": "exclusivity.bound_parties",
        "evidence_total": "customer_evidence",
        "evidence_strong": "customer_evidence",
        "kpi_count": "joint_kpis",
        "carve_out_count": "carve_outs",
        "scope_count": "scope_in",
        "joint_deal_credit": "incentives.joint_deal_credit",
        "channel_conflict_pay": "incentives.channel_conflict_pay",
        "avatar_fields": "customer_avatar",
        "avatar_jargon": "customer_avatar",
        "avatar_jargon_terms": "customer_avatar",
        "project_count": "projects",
        "has_purpose": "purpose",
        "scope_out_count": "scope_out",
        "has_territory": "exclusivity.territory",
        "agreement": "agreement",
        "staged": "staged",
        "has_renewal": "renewal",
        "created_ip_owner": "ip.created_owner",
        "has_derivative_rights": "ip.derivative_rights",
        "asset_count": "ip.key_assets",
        "split_basis": "economics.split_basis",
        "split_revisable": "economics.revisable",
        "contributions_shift": "economics.contributions_shift",
        "has_transfer_payments": "economics.transfer_payments",
        "has_loss_funding": "economics.loss_funding",
    },
    "governance": {
        "structure_elements": "",
        "structure_unknown": "",
        "has_decision_rights": "decision_rights",
        "has_alliance_manager": "alliance_manager",
        "role_count": "roles",
        "steering_committee": "steering_committee",
        "has_review_cadence": "review_cadence",
        "has_dispute_resolution": "dispute_resolution",
        "has_deadlock_mechanism": "deadlock.mechanism",
        "unanimous_count": "deadlock.unanimous_matters",
        "deadlock_terminates": "deadlock.terminates_alliance",
        "exit_defined": "exit_terms.defined",
        "buy_sell": "exit_terms.buy_sell",
        "presented_as_equals": "presented_as_equals",
        "notice_months": "exit_terms.notice_months",
        "has_exit_penalty": "exit_terms.penalty",
        "has_change_of_control": "exit_terms.change_of_control",
        "option_count": "exit_terms.options",
    },
    "party": {
        "name": "name",
        "importance": "importance",
        "has_sponsor": "executive_sponsor",
        "sponsor": "executive_sponsor",
        "contribution_value": "contribution.value",
        "return_value": "expected_return.value",
        "return_ratio": "expected_return.value",
        "references": "history.references",
        "dispute_count": "history.past_partner_disputes",
        "keeps_selling_count": "keeps_selling",
        "equity": "stake.equity_percent",
        "board_seats": "stake.board_seats",
        "board_share": "stake.board_seats",
        "appoints_ceo": "stake.appoints_ceo",
        "runs_operations": "stake.runs_operations",
        "home": "stake.home",
        "veto_count": "stake.vetoes",
        "control_count": "stake",
        "condition": "health.condition",
        "alliance_share": "health.alliance_share_percent",
        "has_alternatives": "health.alternatives",
        "decision_style": "ways_of_working.decision_style",
        "pace": "ways_of_working.pace",
        "risk_tolerance": "ways_of_working.risk_tolerance",
        "language": "ways_of_working.language",
        "affiliate_count": "affiliates",
        "puts_held": "",
        "calls_held": "",
    },
    "principal": {
        "commitment": "commitment",
        "expected_commitment": "expected_commitment",
        "under_committed": "commitment",
        "venture_count": "other_ventures",
        "has_goals": "personal_goals",
        "has_role": "role",
    },
}
for _name, _paths in _FIELD_PATHS.items():
    VOCABULARY[_name] = replace(VOCABULARY[_name], field_paths=_paths)
for _name in ("pair", "comparison", "unknown"):
    VOCABULARY[_name] = replace(VOCABULARY[_name], evidence=False)

IDENTITY_FIELDS = frozenset(
    {"id", "one", "party", "party_name", "key", "pair", "a", "b", "path", "value"}
)
"""Fields that only join facts together; testing them is not evidence."""

ASKABLE: dict[str, str] = {
    "alliance": "What exactly is proposed: kind, scope, target market, term?",
    "alliance.kind": "What kind of alliance is this?",
    "alliance.scope_in": "Which offering categories will the alliance sell?",
    "alliance.carve_outs": "Where may each party keep selling on its own?",
    "alliance.target_market": "Which segments and regions will the alliance target?",
    "alliance.value_proposition": "What value does the alliance create for customers?",
    "alliance.customer_avatar": "Who exactly is the joint target customer?",
    "alliance.customer_evidence": "What evidence from customers supports the alliance?",
    "alliance.exclusivity": "Is the deal exclusive, for whom and for how long?",
    "alliance.term_years": "How long is the alliance meant to run?",
    "alliance.joint_kpis": "Which joint KPIs will both sides track?",
    "alliance.incentives": "How are staff paid and credited on joint deals?",
    "alliance.projects": "Which joint projects are planned?",
    "governance": "How will the alliance be governed?",
    "governance.decision_rights": "Who decides what in the alliance?",
    "governance.alliance_manager": "Who manages the alliance day to day?",
    "governance.roles": "Who holds which role in the alliance, on each side?",
    "governance.steering_committee": "Is there a steering committee?",
    "governance.review_cadence": "How often will the parties review the alliance together?",
    "governance.dispute_resolution": "How are disputes between the parties resolved?",
    "governance.deadlock": "How is a deadlock broken?",
    "governance.deadlock.mechanism": "What breaks a deadlock between the parties?",
    "governance.exit_terms": "How does a party leave the alliance?",
    "history.disagreements": "Have disagreements already come up in the talks?",
    "party.offerings": "What does this party sell, and to whom?",
    "party.offerings.segments": "To which segments is this offering sold?",
    "party.markets": "Which segments and regions does this party sell in?",
    "party.competitors": "Whom does this party see as its competitors?",
    "party.executive_sponsor": "Who is this party's executive sponsor?",
    "party.importance": "How important is this alliance to this party?",
    "party.contribution": "What does this party contribute?",
    "party.expected_return": "What does this party expect back?",
    "party.answers": "What are this party's own answers on vision, mission and values?",
    "party.answers.vision": "What is this party's vision for the alliance?",
    "party.answers.mission": "What is this party's mission for the alliance?",
    "party.answers.values": "Which values should guide the alliance, in this party's words?",
    "party.answers.positioning": "How does this party see the alliance's positioning?",
    "party.answers.three_year_goal": "Where does this party see the alliance in three years?",
    "party.answers.horizon_years": "How many years does this party intend the alliance to run?",
    "party.answers.target_customer": "How does this party describe the target customer?",
    "party.principals": "Who are this party's principals?",
    "party.history": "Has this party had disputes with earlier partners? References?",
    "principal.commitment": "How much time will this principal give the alliance?",
    "principal.other_ventures": "What other ventures does this principal pursue?",
    "principal.board_seats": "Which board seats does this principal hold?",
    "principal.role": "What role will this principal play in the alliance?",
    "principal.personal_goals": "What does this principal personally want from the alliance?",
    "alliance.purpose": "What is the alliance for, in one sentence?",
    "alliance.scope_out": "What is explicitly outside the alliance?",
    "alliance.exclusivity.territory": "Where does the exclusivity apply?",
    "alliance.agreement": "How far is the deal written down: spoken, term sheet, draft or signed?",
    "alliance.ip": "Who owns what the alliance creates, and the brands and technology it uses?",
    "alliance.ip.created_owner": "Who owns what the alliance creates?",
    "alliance.ip.key_assets": "Which brands, patents or technology does the alliance depend on, "
    "and who owns them?",
    "alliance.economics": "How is revenue or profit shared, and who funds losses?",
    "alliance.economics.split_basis": "What does the sharing of revenue or profit follow?",
    "alliance.economics.loss_funding": "Who funds losses and capital calls?",
    "alliance.economics.revisable": "Is the split reviewed when what the parties put in changes?",
    "alliance.economics.contributions_shift": "Will what each party puts in change markedly "
    "over the term?",
    "alliance.ip.derivative_rights": "Who may build on the alliance's work (derivatives, next "
    "generations)?",
    "alliance.ip.key_assets.access": "How does the alliance get this asset: transferred, "
    "licensed exclusively, licensed (and may the owner end it), or withheld?",
    "governance.exit_terms.notice_months": "How much notice must a party give to leave?",
    "governance.exit_terms.change_of_control": "What happens if a party is bought?",
    "governance.exit_terms.options": "Are there put or call options on the parties' stakes?",
    "governance.exit_terms.buy_sell": "Is there a buy-sell clause, so one party can buy the "
    "other out?",
    "governance.exit_terms.penalty": "What does a party pay or lose by leaving early?",
    "governance.presented_as_equals": "Is the deal presented as between equals?",
    "party.stake.appoints_ceo": "Does this party appoint the chief executive?",
    "party.history.references": "Can this party give references from earlier partners?",
    "party.stake": "What does this party own and control: equity, board seats, chief "
    "executive, operations, vetoes?",
    "party.stake.equity_percent": "What share of the joint entity does this party own?",
    "party.stake.runs_operations": "Do this party's people run day-to-day operations?",
    "party.health": "Is this party profitable, loss-making or distressed, and how much of its "
    "business will the alliance be?",
    "party.health.condition": "Is this party profitable, loss-making or distressed?",
    "party.health.alliance_share_percent": "What share of this party's revenue or profit will "
    "the alliance be?",
    "party.ways_of_working": "How does this party decide, how fast does it move, and how much "
    "risk does it take?",
    "party.ways_of_working.decision_style": "How does this party make decisions?",
    "party.ways_of_working.pace": "How fast does this party move from idea to decision?",
    "party.ways_of_working.risk_tolerance": "How much risk does this party take?",
    "party.affiliates": "Which parent, sister or affiliated companies does this party have, and "
    "what do they sell?",
    "party.affiliates.sells": "What does this affiliated company sell?",
    "party.affiliates.bound": "Is this affiliated company bound by the alliance's exclusivity?",
    "party.health.alternatives": "What would this party do without the alliance?",
    "party.sells_third_party": "Does this party sell other companies' goods (a marketplace, "
    "platform or shop) in the alliance's categories?",
}

ANSWER_TEXT_TOPICS = ("vision", "mission", "positioning", "three_year_goal", "target_customer")
