"""Facts about how the alliance is to be run."""

from __future__ import annotations

from typing import Any

from partnerfit.case import Case

from .builder import _Builder, _stated


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
