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
    fields.update(_term_fields(case))
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
    for name in ("purpose", "scope_out", "agreement", "ip", "economics"):
        if getattr(a, name) is None:
            b.unknown(f"alliance.{name}", f"alliance.{name}")
    if ex is not None and ex.exclusive and ex.territory is None:
        b.unknown("alliance.exclusivity.territory", "alliance.exclusivity.territory")
    if a.ip is not None:
        for name in ("created_owner", "key_assets", "derivative_rights"):
            if getattr(a.ip, name) is None:
                b.unknown(f"alliance.ip.{name}", f"alliance.ip.{name}")
        for k, asset in enumerate(a.ip.key_assets or []):
            if asset.access is None:
                path = f"alliance.ip.key_assets[{k}].access"
                b.unknown("alliance.ip.key_assets.access", path)
    if a.economics is not None:
        for name in ("split_basis", "loss_funding", "revisable", "contributions_shift"):
            if getattr(a.economics, name) is None:
                b.unknown(f"alliance.economics.{name}", f"alliance.economics.{name}")

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
    for k, asset in enumerate(a.ip.key_assets or [] if a.ip else []):
        b.add(
            "asset",
            f"alliance.ip.key_assets[{k}]",
            asset.name,
            asset.owner,
            name=asset.name,
            kind=asset.kind.value,
            owner=asset.owner,
            access=asset.access.value if asset.access else None,
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


def _term_fields(case: Case) -> dict[str, Any]:
    """The alliance's terms beyond scope: writing, staging, renewal, IP and economics."""
    a = case.alliance
    assert a is not None
    ex = a.exclusivity
    fields: dict[str, Any] = {
        "has_purpose": a.purpose is not None,
        "scope_out_count": len(a.scope_out) if a.scope_out is not None else None,
        "has_territory": ex.territory is not None if ex is not None and ex.exclusive else None,
        "agreement": a.agreement.value if a.agreement else None,
        "staged": a.staged,
        "has_renewal": None if a.renewal is None else a.renewal is not False,
    }
    if a.ip is not None:
        fields.update(
            created_ip_owner=a.ip.created_owner,
            has_derivative_rights=(
                None if a.ip.derivative_rights is None else a.ip.derivative_rights is not False
            ),
            asset_count=len(a.ip.key_assets) if a.ip.key_assets is not None else None,
        )
    if a.economics is not None:
        e = a.economics
        fields.update(
            split_basis=e.split_basis.value if e.split_basis else None,
            split_revisable=e.revisable,
            contributions_shift=e.contributions_shift,
            has_transfer_payments=(
                None if e.transfer_payments is None else e.transfer_payments is not False
            ),
            has_loss_funding=None if e.loss_funding is None else e.loss_funding is not False,
        )
    return fields


def _bound(case: Case, keys: list[str] | None, b: _Builder) -> None:
    if keys is None:
        # Unknown means every party is bound: the exclusivity clause itself is the evidence.
        for p in case.parties:
            b.add("bound", "alliance.exclusivity", p.name, p.id, name=p.name)
        return
    for k, key in enumerate(keys):
        name = case.party(key).name
        b.add("bound", f"alliance.exclusivity.bound_parties[{k}]", name, key, name=name)
