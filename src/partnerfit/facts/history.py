"""Facts about the talks so far: disagreements already seen."""

from __future__ import annotations

from partnerfit.case import Case

from .builder import _Builder


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
