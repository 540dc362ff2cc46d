"""What to do next: the same first steps in every report a person reads.

The Markdown and HTML reports open with the remedies of the worst red flags, then the
most decisive questions (:attr:`~partnerfit.report.Report.questions`, already ordered).
Both take them from here, so a forwarded page and a pasted memo never disagree.
"""

from __future__ import annotations

from partnerfit.report import Finding, Report

NEXT_FLAGS = 3
"""Red flags whose remedy opens "what to do next" (the worst ones)."""
NEXT_QUESTIONS = 5
"""Questions that follow them."""


def worst_flags(report: Report) -> tuple[list[tuple[Finding, str]], int]:
    """The worst red flags, each with what to do (its remedy, else its message), one per
    distinct action; and how many distinct actions are left out."""
    actions: dict[str, Finding] = {}
    for f in report.red_flags():  # most severe first
        actions.setdefault(f.remedy or f.message, f)
    chosen = [(f, action) for action, f in list(actions.items())[:NEXT_FLAGS]]
    return chosen, len(actions) - len(chosen)
