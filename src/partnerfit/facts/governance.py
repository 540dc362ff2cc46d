"""Facts about how the alliance is to be run."""

from __future__ import annotations

from typing import Any

from partnerfit.case import Case

from .builder import _Builder, _stated


def _governance(case: Case, b: _Builder, *, owned: bool) -> None:
    """``owned``: the alliance kind shares ownership (or is unknown), so options are asked."""
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
    fields["presented_as_equals"] = g.presented_as_equals
    if g.presented_as_equals is None and owned:
        b.unknown("governance.presented_as_equals", "governance.presented_as_equals")
    ex = g.exit_terms
    if ex is not None:
        fields.update(
            exit_defined=ex.defined,
            buy_sell=ex.buy_sell,
            notice_months=ex.notice_months,
            has_exit_penalty=None if ex.penalty is None else ex.penalty is not False,
            has_change_of_control=(
                None if ex.change_of_control is None else ex.change_of_control is not False
            ),
            option_count=len(ex.options) if ex.options is not None else None,
        )
        unknown = ["notice_months", "change_of_control", "penalty"]
        unknown += ["options", "buy_sell"] if owned else []
        for name in unknown:
            if getattr(ex, name) is None:
                b.unknown(f"governance.exit_terms.{name}", f"governance.exit_terms.{name}")
        for k, option in enumerate(ex.options or []):
            b.add(
                "option",
                f"governance.exit_terms.options[{k}]",
                f"{option.kind.value} held by {option.holder}",
                option.holder,
                kind=option.kind.value,
                holder=option.holder,
                price_basis=option.price_basis.value if option.price_basis else None,
                trigger=option.trigger,
            )
    else:
        b.unknown("governance.exit_terms", "governance.exit_terms")
    summary = f"{fields['structure_elements']} of 5 structure elements"
    b.add("governance", "governance", summary, **fields)
