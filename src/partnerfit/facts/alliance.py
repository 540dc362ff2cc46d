"""Facts about the proposed alliance: its terms, scope, targets, evidence, projects."""

from __future__ import annotations

from typing import Any

from partnerfit.case import Case, EvidenceKind
from partnerfit.text import jargon_in

from .builder import _Builder, _market_items

_STRONG_EVIDENCE = {EvidenceKind.letter_of_intent, EvidenceKind.pilot, EvidenceKind.purchase_order}
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
                key=b.keys.market(dim).key(name),
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
