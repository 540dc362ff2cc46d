"""The fact vocabulary, and the extraction of facts from a case.

A case becomes a flat list of facts, each a small mapping with a type ``t``,
a unique ``id``, the case-file ``path`` it came from and a display ``value``,
so that every finding can point back to its evidence. Rules match and join
these facts in the engine.

Set overlaps between two parties (shared markets, competitors, offering
categories) and the similarity of their independent answers are computed here,
once, as ``overlap`` and ``comparison`` facts: Rete is poor at set algebra,
but the rules still join those facts with the parties' own facts.

Unknown data produces no field and no fact, only an ``unknown`` fact naming the
missing field, so a rule can never mistake "not known" for "no".
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from .case import (
    AllianceKind,
    Case,
    Commitment,
    EvidenceKind,
    Importance,
    OfferingCategory,
    Party,
    References,
    Relation,
)
from .limits import MAX_NUMBER, NUMBER_DECIMALS
from .text import compare_lists, compare_texts, jargon_in, name_key, phrase_key

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
            },
        ),
        FactType(
            "market",
            "One segment or region a party sells in.",
            {
                "dimension": _t("Segment or region.", ("segment", "region")),
                "key": _t("Normalised key."),
                "name": _t("As written."),
            },
        ),
        FactType(
            "target",
            "One segment or region the alliance targets.",
            {
                "dimension": _t("Segment or region.", ("segment", "region")),
                "key": _t("Normalised key."),
                "name": _t("As written."),
            },
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
            {"key": _t("Normalised company name."), "name": _t("As written.")},
        ),
        FactType(
            "alias",
            "A name a party trades under (its name and its brands).",
            {"key": _t("Normalised name."), "name": _t("As written.")},
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
                "shared": _t("The shared keywords, comma-separated."),
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
                "key": _t("Normalised shared key."),
                "name": _t("As written by the first party."),
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
            },
        ),
        FactType(
            "venture",
            "A principal's other venture or board seat.",
            {
                "principal": _t("The principal's name."),
                "name": _t("The venture's name."),
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
    },
    "principal": {
        "commitment": "commitment",
        "expected_commitment": "expected_commitment",
        "under_committed": "commitment",
        "venture_count": "other_ventures",
        "has_goals": "personal_goals",
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
}

ANSWER_TEXT_TOPICS = ("vision", "mission", "positioning", "three_year_goal", "target_customer")
_STRONG_EVIDENCE = {EvidenceKind.letter_of_intent, EvidenceKind.pilot, EvidenceKind.purchase_order}
_COMMITMENT_RANK = {Commitment.advisory: 0, Commitment.part_time: 1, Commitment.full_time: 2}
_AGAINST_CUSTOMER = (
    "handle time",
    "handling time",
    "call time",
    "call speed",
    "calls per",
    "tickets closed",
    "tickets per",
    "time per call",
    "volume",
    "units shipped",
    "upsell",
)


@dataclass
class _Builder:
    names: Mapping[str, str]
    facts: list[Fact] = field(default_factory=list)

    def add(self, t: str, path: str, value: Any, party: str | None = None, **fields: Any) -> Fact:
        fact: Fact = {"t": t, "id": f"f{len(self.facts) + 1}", "path": path, "one": 1.0}
        fact["value"] = _display(value)
        if party is not None:
            fact["party"] = party
            fact["party_name"] = self.names.get(party, party)
        for name, v in fields.items():
            if v is not None:
                fact[name] = _normalise(v)
        self.facts.append(fact)
        return fact

    def unknown(self, generic: str, path: str, party: str | None = None) -> None:
        self.add("unknown", path, None, party, field=generic)


def _normalise(value: Any) -> str | float | bool:
    """Fact values have well-defined types: the engine compares loosely."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return engine_number(value)
    return str(value)


def engine_number(value: float) -> float:
    """A number as the rule engine can read it: finite, within ±:data:`MAX_NUMBER`,
    rounded to :data:`NUMBER_DECIMALS` places.

    The engine's JSON number parser reads only plain decimals: Python writes floats
    below 1e-4 or from 1e16 in exponent form (``1e-05``), which crashes it. A rounded
    number within the range is never written so. Computed figures (ratios) beyond the
    range are clamped to it; a case's own numbers are refused at load before that.
    """
    if isinstance(value, float) and math.isnan(value):
        raise ValueError("NaN cannot reach the rule engine")
    number = float(max(-MAX_NUMBER, min(MAX_NUMBER, value)))
    return round(number, NUMBER_DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        return "; ".join(_display(v) for v in value)
    return str(value)


def extract(case: Case) -> list[Fact]:
    """All facts of a case, in a stable order (ids are assigned in that order)."""
    b = _Builder({p.id: p.name for p in case.parties})
    _alliance(case, b)
    _governance(case, b)
    for i, party in enumerate(case.parties):
        _party(i, party, b)
    _pairs(case, b)
    _history(case, b)
    return b.facts


def _alliance(case: Case, b: _Builder) -> None:
    a = case.alliance
    if a is None:
        b.add("alliance", "alliance", case.title or case.id)
        b.unknown("alliance", "alliance")
        return
    fields: dict[str, Any] = {"kind": a.kind.value if a.kind else None, "term_years": a.term_years}
    ex = a.exclusivity
    if ex is not None:
        fields.update(
            exclusive=ex.exclusive,
            exclusivity_years=ex.years,
            performance_conditions=ex.performance_conditions,
        )
        if ex.exclusive:
            bound = ex.bound_parties
            fields["bound_count"] = len(bound) if bound is not None else len(case.parties)
    if a.customer_evidence is not None:
        fields["evidence_total"] = sum(e.count for e in a.customer_evidence)
        fields["evidence_strong"] = sum(
            e.count for e in a.customer_evidence if e.kind in _STRONG_EVIDENCE
        )
    if a.joint_kpis is not None:
        fields["kpi_count"] = len(a.joint_kpis)
    if a.carve_outs is not None:
        fields["carve_out_count"] = len(a.carve_outs)
    if a.scope_in is not None:
        fields["scope_count"] = len(a.scope_in)
    if a.incentives is not None:
        fields["joint_deal_credit"] = a.incentives.joint_deal_credit
        fields["channel_conflict_pay"] = a.incentives.channel_conflict_pay
    if a.customer_avatar is not None:
        av = a.customer_avatar
        parts = [av.who, av.role, av.pain, av.trigger, av.budget]
        jargon = jargon_in(" ".join(p for p in parts if p))
        fields.update(
            avatar_fields=sum(p is not None for p in parts),
            avatar_jargon=len(jargon),
            avatar_jargon_terms=", ".join(jargon),
        )
    if a.projects is not None:
        fields["project_count"] = len(a.projects)
    b.add("alliance", "alliance", a.purpose or case.title or case.id, **fields)

    for name in (
        "kind",
        "scope_in",
        "target_market",
        "value_proposition",
        "customer_avatar",
        "customer_evidence",
        "exclusivity",
        "term_years",
        "joint_kpis",
        "incentives",
        "projects",
    ):
        if getattr(a, name) is None:
            b.unknown(f"alliance.{name}", f"alliance.{name}")
    if a.scope_in and a.carve_outs is None:
        b.unknown("alliance.carve_outs", "alliance.carve_outs")

    if ex is not None and ex.exclusive:
        _bound(case, ex.bound_parties, b)

    for k, category in enumerate(a.scope_in or []):
        b.add("scope", f"alliance.scope_in[{k}]", category.value, category=category.value)
    for dim, items in _market_items(a.target_market):
        for k, name in enumerate(items):
            b.add(
                "target",
                f"alliance.target_market.{dim}s[{k}]",
                name,
                dimension=dim,
                key=phrase_key(name),
                name=name,
            )
    for k, ev in enumerate(a.customer_evidence or []):
        b.add(
            "evidence",
            f"alliance.customer_evidence[{k}]",
            f"{ev.count} × {ev.kind.value}",
            kind=ev.kind.value,
            count=ev.count,
        )
    for k, project in enumerate(a.projects or []):
        b.add(
            "project",
            f"alliance.projects[{k}]",
            project.name,
            project.owner,
            name=project.name,
            relation=project.relation.value,
            owner=project.owner,
        )
    if a.incentives is not None:
        for k, metric in enumerate(a.incentives.staff_metrics or []):
            folded = metric.casefold()
            b.add(
                "metric",
                f"alliance.incentives.staff_metrics[{k}]",
                metric,
                name=metric,
                against_customer=any(term in folded for term in _AGAINST_CUSTOMER),
            )


def _bound(case: Case, keys: list[str] | None, b: _Builder) -> None:
    if keys is None:
        # Unknown means every party is bound: the exclusivity clause itself is the evidence.
        for p in case.parties:
            b.add("bound", "alliance.exclusivity", p.name, p.id, name=p.name)
        return
    for k, key in enumerate(keys):
        name = case.party(key).name
        b.add("bound", f"alliance.exclusivity.bound_parties[{k}]", name, key, name=name)


def _market_items(market: Any) -> Iterator[tuple[str, list[str]]]:
    if market is None:
        return
    if market.segments is not None:
        yield "segment", market.segments
    if market.regions is not None:
        yield "region", market.regions


def _governance(case: Case, b: _Builder) -> None:
    g = case.governance
    if g is None:
        b.unknown("governance", "governance")
        return
    # Each element is in place (True), stated as absent (False) or unknown (None).
    elements = {
        "decision_rights": _stated(g.decision_rights),
        "alliance_manager": _stated(g.alliance_manager),
        "roles": None if g.roles is None else bool(g.roles),
        "steering_committee": g.steering_committee,
        "review_cadence": _stated(g.review_cadence),
    }
    for element, state in elements.items():
        if state is None:
            b.unknown(f"governance.{element}", f"governance.{element}")
    fields: dict[str, Any] = {
        "structure_elements": sum(state is True for state in elements.values()),
        "structure_unknown": sum(state is None for state in elements.values()),
        "has_decision_rights": elements["decision_rights"],
        "has_alliance_manager": elements["alliance_manager"],
        "role_count": len(g.roles) if g.roles is not None else None,
        "steering_committee": g.steering_committee,
        "has_review_cadence": elements["review_cadence"],
        "has_dispute_resolution": _stated(g.dispute_resolution),
    }
    if g.dispute_resolution is None:
        b.unknown("governance.dispute_resolution", "governance.dispute_resolution")
    if g.deadlock is not None:
        if g.deadlock.mechanism is None:
            b.unknown("governance.deadlock.mechanism", "governance.deadlock.mechanism")
        fields.update(
            has_deadlock_mechanism=_stated(g.deadlock.mechanism),
            unanimous_count=(
                len(g.deadlock.unanimous_matters)
                if g.deadlock.unanimous_matters is not None
                else None
            ),
            deadlock_terminates=g.deadlock.terminates_alliance,
        )
    else:
        b.unknown("governance.deadlock", "governance.deadlock")
    if g.exit_terms is not None:
        fields.update(exit_defined=g.exit_terms.defined, buy_sell=g.exit_terms.buy_sell)
    else:
        b.unknown("governance.exit_terms", "governance.exit_terms")
    summary = f"{fields['structure_elements']} of 5 structure elements"
    b.add("governance", "governance", summary, **fields)


def _stated(value: object) -> bool | None:
    """Whether a field that takes a value or ``false`` is in place: None when unknown."""
    return None if value is None else value is not False


def _party(i: int, p: Party, b: _Builder) -> None:
    base = f"parties[{i}]"
    key = p.id
    fields: dict[str, Any] = {
        "key": key,
        "name": p.name,
        "importance": p.importance.value if p.importance else None,
        "has_sponsor": None if p.executive_sponsor is None else p.executive_sponsor is not False,
        "sponsor": p.executive_sponsor or None,
    }
    if p.contribution is not None and p.contribution.value is not None:
        fields["contribution_value"] = p.contribution.value
    if p.expected_return is not None and p.expected_return.value is not None:
        fields["return_value"] = p.expected_return.value
        if p.contribution is not None and p.contribution.value:
            fields["return_ratio"] = round(p.expected_return.value / p.contribution.value, 3)
    if p.history is not None:
        fields["references"] = p.history.references.value if p.history.references else None
        if p.history.past_partner_disputes is not None:
            fields["dispute_count"] = len(p.history.past_partner_disputes)
    if p.keeps_selling is not None:
        fields["keeps_selling_count"] = len(p.keeps_selling)
    b.add("party", base, p.name, key, **fields)

    for name, generic in (
        ("offerings", "party.offerings"),
        ("markets", "party.markets"),
        ("competitors", "party.competitors"),
        ("executive_sponsor", "party.executive_sponsor"),
        ("importance", "party.importance"),
        ("contribution", "party.contribution"),
        ("expected_return", "party.expected_return"),
        ("answers", "party.answers"),
        ("principals", "party.principals"),
        ("history", "party.history"),
    ):
        if getattr(p, name) is None:
            b.unknown(generic, f"{base}.{name}", key)

    b.add("alias", f"{base}.name", p.name, key, key=name_key(p.name), name=p.name)
    for k, brand in enumerate(p.brands or []):
        b.add("alias", f"{base}.brands[{k}]", brand, key, key=name_key(brand), name=brand)

    if p.offerings is not None:
        b.add(
            "profile",
            f"{base}.offerings",
            _offer_summary(p),
            key,
            dimension="offerings",
            size=len(p.offerings),
        )
        for j, off in enumerate(p.offerings):
            path = f"{base}.offerings[{j}]"
            if off.segments is None:
                b.add("offering", path, off.category.value, key, category=off.category.value)
                b.unknown("party.offerings.segments", f"{path}.segments", key)
                continue
            for s, seg in enumerate(off.segments):
                b.add(
                    "offering",
                    f"{path}.segments[{s}]",
                    f"{off.category.value} to {seg}",
                    key,
                    category=off.category.value,
                    segment=phrase_key(seg),
                    segment_name=seg,
                )
    if p.markets is not None:
        items = list(_market_items(p.markets))
        b.add(
            "profile",
            f"{base}.markets",
            _display([n for _, ns in items for n in ns]),
            key,
            dimension="markets",
            size=sum(len(ns) for _, ns in items),
        )
        for dim, names in items:
            b.add(
                "profile",
                f"{base}.markets.{dim}s",
                _display(names),
                key,
                dimension=f"{dim}s",
                size=len(names),
            )
            for k, name in enumerate(names):
                b.add(
                    "market",
                    f"{base}.markets.{dim}s[{k}]",
                    name,
                    key,
                    dimension=dim,
                    key=phrase_key(name),
                    name=name,
                )
    if p.competitors is not None:
        b.add(
            "profile",
            f"{base}.competitors",
            _display(p.competitors),
            key,
            dimension="competitors",
            size=len(p.competitors),
        )
        for k, comp in enumerate(p.competitors):
            b.add(
                "competitor", f"{base}.competitors[{k}]", comp, key, key=name_key(comp), name=comp
            )
    for k, category in enumerate(p.keeps_selling or []):
        b.add(
            "keeps_selling",
            f"{base}.keeps_selling[{k}]",
            category.value,
            key,
            category=category.value,
        )

    if p.answers is not None:
        ans = p.answers
        for topic in ANSWER_TEXT_TOPICS:
            text = getattr(ans, topic)
            if text is None:
                b.unknown(f"party.answers.{topic}", f"{base}.answers.{topic}", key)
            else:
                b.add("answer", f"{base}.answers.{topic}", text, key, topic=topic, text=text)
        if ans.values is None:
            b.unknown("party.answers.values", f"{base}.answers.values", key)
        else:
            b.add(
                "answer",
                f"{base}.answers.values",
                ans.values,
                key,
                topic="values",
                text="; ".join(ans.values),
            )
        if ans.horizon_years is None:
            b.unknown("party.answers.horizon_years", f"{base}.answers.horizon_years", key)
        else:
            b.add(
                "answer",
                f"{base}.answers.horizon_years",
                ans.horizon_years,
                key,
                topic="horizon_years",
                years=ans.horizon_years,
            )

    for k, pr in enumerate(p.principals or []):
        ppath = f"{base}.principals[{k}]"
        under = None
        if pr.commitment is not None and pr.expected_commitment is not None:
            under = _COMMITMENT_RANK[pr.commitment] < _COMMITMENT_RANK[pr.expected_commitment]
        ventures = (pr.other_ventures or []) + (pr.board_seats or [])
        b.add(
            "principal",
            ppath,
            pr.name,
            key,
            name=pr.name,
            role=pr.role,
            commitment=pr.commitment.value if pr.commitment else None,
            expected_commitment=pr.expected_commitment.value if pr.expected_commitment else None,
            under_committed=under,
            venture_count=len(ventures),
            has_goals=pr.personal_goals is not None,
        )
        if pr.commitment is None:
            b.unknown("principal.commitment", f"{ppath}.commitment", key)
        for attr, kind in (("other_ventures", "venture"), ("board_seats", "board_seat")):
            items = getattr(pr, attr)
            if items is None:
                b.unknown(f"principal.{attr}", f"{ppath}.{attr}", key)
                continue
            for m, v in enumerate(items):
                b.add(
                    "venture",
                    f"{ppath}.{attr}[{m}]",
                    f"{v.name} ({v.relation.value})",
                    key,
                    principal=pr.name,
                    name=v.name,
                    relation=v.relation.value,
                    kind=kind,
                )


def _offer_summary(p: Party) -> str:
    parts = []
    for off in p.offerings or []:
        segs = ", ".join(off.segments) if off.segments else "segments unknown"
        parts.append(f"{off.category.value} ({segs})")
    return "; ".join(parts) if parts else "none"


def _pairs(case: Case, b: _Builder) -> None:
    parties = list(enumerate(case.parties))
    for (i, pa), (j, pb) in itertools.combinations(parties, 2):
        pair = b.add(
            "pair",
            f"parties[{i}]",
            f"{pa.name} and {pb.name}",
            a=pa.id,
            b=pb.id,
            a_name=pa.name,
            b_name=pb.name,
        )
        pid = pair["id"]
        # The pair's own path names the first party; a pair is evidence only through
        # the facts it is joined with.
        for dim, ka, kb in _shared_keys(i, pa, j, pb):
            for key, (path, name) in ka.items():
                if key in kb:
                    b.add("overlap", path, name, pa.id, pair=pid, dimension=dim, key=key, name=name)
        _compare_answers(i, pa, j, pb, pid, b)


def _shared_keys(
    i: int, pa: Party, j: int, pb: Party
) -> Iterator[tuple[str, dict[str, tuple[str, str]], dict[str, tuple[str, str]]]]:
    def markets(idx: int, p: Party, dim: str) -> dict[str, tuple[str, str]]:
        items = getattr(p.markets, f"{dim}s") if p.markets else None
        return {
            phrase_key(n): (f"parties[{idx}].markets.{dim}s[{k}]", n)
            for k, n in enumerate(items or [])
        }

    def competitors(idx: int, p: Party) -> dict[str, tuple[str, str]]:
        return {
            name_key(n): (f"parties[{idx}].competitors[{k}]", n)
            for k, n in enumerate(p.competitors or [])
        }

    def categories(idx: int, p: Party) -> dict[str, tuple[str, str]]:
        out: dict[str, tuple[str, str]] = {}
        for k, off in enumerate(p.offerings or []):
            out.setdefault(
                off.category.value, (f"parties[{idx}].offerings[{k}]", off.category.value)
            )
        return out

    def values(idx: int, p: Party) -> dict[str, tuple[str, str]]:
        vals = p.answers.values if p.answers else None
        return {
            phrase_key(v): (f"parties[{idx}].answers.values[{k}]", v)
            for k, v in enumerate(vals or [])
        }

    yield "segment", markets(i, pa, "segment"), markets(j, pb, "segment")
    yield "region", markets(i, pa, "region"), markets(j, pb, "region")
    yield "competitor", competitors(i, pa), competitors(j, pb)
    yield "category", categories(i, pa), categories(j, pb)
    yield "value", values(i, pa), values(j, pb)


def _compare_answers(i: int, pa: Party, j: int, pb: Party, pid: str, b: _Builder) -> None:
    a, c = pa.answers, pb.answers
    if a is None or c is None:
        return
    path = f"parties[{i}].answers"
    for topic in ANSWER_TEXT_TOPICS:
        ta, tb = getattr(a, topic), getattr(c, topic)
        if ta is not None and tb is not None:
            sim = compare_texts(ta, tb)
            b.add(
                "comparison",
                f"{path}.{topic}",
                f"{sim.score:.2f}",
                None,
                topic=topic,
                a=pa.id,
                b=pb.id,
                score=sim.score,
                shared=", ".join(sim.shared),
                pair=pid,
            )
    if a.values is not None and c.values is not None:
        sim = compare_lists(a.values, c.values)
        b.add(
            "comparison",
            f"{path}.values",
            f"{sim.score:.2f}",
            None,
            topic="values",
            a=pa.id,
            b=pb.id,
            score=sim.score,
            shared=", ".join(sim.shared),
            pair=pid,
        )
    if a.horizon_years is not None and c.horizon_years is not None:
        lo, hi = sorted((a.horizon_years, c.horizon_years))
        ratio = hi / lo if lo > 0 else 999.0
        b.add(
            "comparison",
            f"{path}.horizon_years",
            f"{lo:g} vs {hi:g} years",
            None,
            topic="horizon_years",
            a=pa.id,
            b=pb.id,
            gap=hi - lo,
            ratio=round(ratio, 3),
            pair=pid,
        )


def _history(case: Case, b: _Builder) -> None:
    h = case.history
    if h is None or h.disagreements is None:
        b.unknown("history.disagreements", "history.disagreements")
        return
    for k, d in enumerate(h.disagreements):
        b.add(
            "disagreement",
            f"history.disagreements[{k}]",
            d.topic,
            topic=d.topic,
            resolved=d.resolved,
        )
