"""Facts about each party: the party, its names, offerings, markets, competitors,
answers, principals and their ventures."""

from __future__ import annotations

from typing import Any

from partnerfit.case import Commitment, Party, Stake

from .builder import _Builder, _display, _market_items
from .vocabulary import ANSWER_TEXT_TOPICS

_COMMITMENT_RANK = {Commitment.advisory: 0, Commitment.part_time: 1, Commitment.full_time: 2}


def _party(
    i: int,
    p: Party,
    b: _Builder,
    *,
    owned: bool,
    board_total: int | None,
    options: dict[str, dict[str, int]] | None,
) -> None:
    """``owned``: the alliance kind shares ownership (or is unknown), so stakes are asked.
    ``board_total``: the joint board's seats, when every party states its own.
    ``options``: puts and calls held, by party id, when the case states its options."""
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
    if p.stake is not None:
        fields.update(_stake_fields(p.stake, board_total))
    if p.health is not None:
        h = p.health
        fields.update(
            condition=h.condition.value if h.condition else None,
            alliance_share=h.alliance_share_percent,
            has_alternatives=None if h.alternatives is None else h.alternatives is not False,
        )
    if p.ways_of_working is not None:
        w = p.ways_of_working
        fields.update(
            decision_style=w.decision_style.value if w.decision_style else None,
            pace=w.pace.value if w.pace else None,
            risk_tolerance=w.risk_tolerance.value if w.risk_tolerance else None,
            language=w.language.casefold() if w.language else None,
        )
    if p.affiliates is not None:
        fields["affiliate_count"] = len(p.affiliates)
    if options is not None:
        held = options.get(key, {})
        fields.update(puts_held=held.get("put", 0), calls_held=held.get("call", 0))
    b.add("party", base, p.name, key, **fields)
    _party_terms(base, p, b, owned=owned)

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

    b.add("alias", f"{base}.name", p.name, key, key=b.keys.name.key(p.name), name=p.name)
    for k, brand in enumerate(p.brands or []):
        b.add("alias", f"{base}.brands[{k}]", brand, key, key=b.keys.name.key(brand), name=brand)

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
            flags = {
                "core": off.core,
                "contributed": off.contributed,
                "replaced": off.replaced_by_alliance,
            }
            b.add(
                "product",
                path,
                off.description or off.category.value,
                key,
                category=off.category.value,
                **flags,
            )
            if off.segments is None:
                b.add(
                    "offering", path, off.category.value, key, category=off.category.value, **flags
                )
                b.unknown("party.offerings.segments", f"{path}.segments", key)
                continue
            for s, seg in enumerate(off.segments):
                b.add(
                    "offering",
                    f"{path}.segments[{s}]",
                    f"{off.category.value} to {seg}",
                    key,
                    category=off.category.value,
                    segment=b.keys.segment.key(seg),
                    segment_name=seg,
                    **flags,
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
                    key=b.keys.market(dim).key(name),
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
                "competitor",
                f"{base}.competitors[{k}]",
                comp,
                key,
                key=b.keys.name.key(comp),
                name=comp,
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
            has_role=pr.role is not None,
        )
        if pr.commitment is None:
            b.unknown("principal.commitment", f"{ppath}.commitment", key)
        # A principal's role and own goals matter where the parties own the business together.
        if pr.role is None and owned:
            b.unknown("principal.role", f"{ppath}.role", key)
        if pr.personal_goals is None and owned:
            b.unknown("principal.personal_goals", f"{ppath}.personal_goals", key)
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
                    key=b.keys.name.key(v.name),
                    relation=v.relation.value,
                    kind=kind,
                )


def _stake_fields(stake: Stake, board_total: int | None) -> dict[str, Any]:
    board_share = None
    if stake.board_seats is not None and board_total:
        board_share = round(stake.board_seats / board_total, 4)
    points = [
        stake.appoints_ceo,
        stake.runs_operations,
        stake.home,
        None if board_share is None else board_share > 0.5,
    ]
    return {
        "equity": stake.equity_percent,
        "board_seats": stake.board_seats,
        "board_share": board_share,
        "appoints_ceo": stake.appoints_ceo,
        "runs_operations": stake.runs_operations,
        "home": stake.home,
        "veto_count": len(stake.vetoes) if stake.vetoes is not None else None,
        "control_count": sum(point is True for point in points),
    }


def _party_terms(base: str, p: Party, b: _Builder, *, owned: bool) -> None:
    """The party's stake, health, ways of working, affiliates and third-party sales."""
    key = p.id
    if p.stake is None:
        if owned:
            b.unknown("party.stake", f"{base}.stake", key)
    else:
        for name in ("equity_percent", "runs_operations", "appoints_ceo"):
            if getattr(p.stake, name) is None and owned:
                b.unknown(f"party.stake.{name}", f"{base}.stake.{name}", key)
    if p.health is None:
        b.unknown("party.health", f"{base}.health", key)
    else:
        for name in ("condition", "alliance_share_percent", "alternatives"):
            if getattr(p.health, name) is None:
                b.unknown(f"party.health.{name}", f"{base}.health.{name}", key)
    if p.ways_of_working is None:
        b.unknown("party.ways_of_working", f"{base}.ways_of_working", key)
    else:
        for name in ("decision_style", "pace", "risk_tolerance"):
            if getattr(p.ways_of_working, name) is None:
                b.unknown(f"party.ways_of_working.{name}", f"{base}.ways_of_working.{name}", key)
    for name in ("affiliates", "sells_third_party"):
        if getattr(p, name) is None:
            b.unknown(f"party.{name}", f"{base}.{name}", key)
    if p.history is not None and p.history.references is None:
        b.unknown("party.history.references", f"{base}.history.references", key)
    elif p.history is not None and p.history.references == "not_asked":
        # Not asked is not known: the question is still open.
        b.unknown("party.history.references", f"{base}.history.references", key)
    for k, category in enumerate(p.sells_third_party or []):
        b.add(
            "third_party",
            f"{base}.sells_third_party[{k}]",
            category.value,
            key,
            category=category.value,
        )
    for k, aff in enumerate(p.affiliates or []):
        apath = f"{base}.affiliates[{k}]"
        common = {"name": aff.name, "relation": aff.relation.value, "bound": aff.bound}
        if aff.bound is None:
            b.unknown("party.affiliates.bound", f"{apath}.bound", key)
        if aff.sells is None:
            b.add("affiliate", apath, aff.name, key, **common)
            b.unknown("party.affiliates.sells", f"{apath}.sells", key)
            continue
        for m, category in enumerate(aff.sells):
            b.add(
                "affiliate",
                f"{apath}.sells[{m}]",
                f"{aff.name} ({aff.relation.value}) sells {category.value}",
                key,
                category=category.value,
                **common,
            )


def _offer_summary(p: Party) -> str:
    parts = []
    for off in p.offerings or []:
        segs = ", ".join(off.segments) if off.segments else "segments unknown"
        parts.append(f"{off.category.value} ({segs})")
    return "; ".join(parts) if parts else "none"
