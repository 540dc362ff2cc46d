"""Waivers: red flags the parties have looked at and accepted, in writing.

A case lists them under ``waivers``; each names a rule (by id or name), a
justification, who accepted it and, optionally, an ``expires`` date.

* A waived red flag leaves ``Report.findings`` for ``Report.waived`` and no
  longer counts toward the verdict; ``counts.waived`` says how many there are.
* An expired waiver (``expires`` before the evaluation date) waives nothing:
  its flags count again and say that the waiver expired.
* A waiver whose rule raised nothing is reported as unused, so stale waivers
  do not pile up unseen.
* **A critical red flag cannot be waived.** A critical flag is a knock-out the
  pack says no partnership should proceed with; a waiver that names one is
  reported as refused, the flag stays in the findings, keeps the verdict at
  ``reconsider``, and the verdict's reason says the waiver was not honoured.
  To accept such a risk, lower the rule's severity in a pack layer of your
  own, where it is visible to every reviewer and stamped on every report.

A waiver that names a rule the pack does not know, a rule that is not a red
flag, or a rule already waived earlier in the case, is refused loudly as a
:class:`~partnerfit.errors.CaseError` pointing at the waiver's line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from .case import Case, Severity
from .errors import CaseError, Location, PackError
from .pack import RuleKind, RulePack
from .report import Finding, FindingKind, WaivedFinding, WaiverOutcome, WaiverStatus


@dataclass(frozen=True)
class Waived:
    """Findings after waivers: what still counts, what was waived, what each waiver did."""

    findings: tuple[Finding, ...]
    waived: tuple[WaivedFinding, ...]
    waivers: tuple[WaiverOutcome, ...]


def apply_waivers(
    case: Case, pack: RulePack, findings: Sequence[Finding], today: dt.date
) -> Waived:
    """Split ``findings`` by the case's waivers, judged on ``today``."""
    outcomes: list[WaiverOutcome] = []
    kept: dict[int, Finding] = dict(enumerate(findings))
    waived: list[WaivedFinding] = []
    seen: dict[str, str] = {}
    for index, waiver in enumerate(case.waivers or []):
        path = f"waivers[{index}]"
        rule_id = _resolve(case, pack, waiver.rule, path)
        if rule_id in seen:
            raise CaseError(
                f"a second waiver for {rule_id}; the first is {seen[rule_id]}. "
                "Keep one waiver per rule",
                location=_where(case, path),
            )
        seen[rule_id] = path
        matches = [
            i for i, f in kept.items() if f.rule_id == rule_id and f.kind == FindingKind.red_flag
        ]
        if waiver.expires is not None and waiver.expires < today:
            status = WaiverStatus.expired
        elif not matches:
            status = WaiverStatus.unused
        elif any(kept[i].severity == Severity.critical for i in matches):
            status = WaiverStatus.refused
        else:
            status = WaiverStatus.applied
        outcome = WaiverOutcome(
            rule=waiver.rule,
            rule_id=rule_id,
            justification=waiver.justification,
            accepted_by=waiver.accepted_by,
            expires=waiver.expires,
            path=path,
            file=case.source_file,
            line=case.line_of(path),
            status=status,
            matched=len(matches),
        )
        outcomes.append(outcome)
        note = _note(outcome)
        for i in matches:
            if status == WaiverStatus.applied:
                waived.append(WaivedFinding(finding=kept.pop(i), waiver=outcome))
            elif note is not None:
                kept[i] = kept[i].model_copy(update={"notes": (*kept[i].notes, note)})
    return Waived(
        findings=tuple(kept[i] for i in sorted(kept)),
        waived=tuple(waived),
        waivers=tuple(outcomes),
    )


def _note(outcome: WaiverOutcome) -> str | None:
    if outcome.status == WaiverStatus.expired:
        return (
            f"The waiver at {outcome.where} expired on {outcome.expires}; this flag counts again."
        )
    if outcome.status == WaiverStatus.refused:
        return (
            f"The waiver at {outcome.where} was not honoured: a critical red flag cannot be waived."
        )
    return None


def _resolve(case: Case, pack: RulePack, key: str, path: str) -> str:
    try:
        lr = pack.rule(key)
    except PackError as exc:
        raise CaseError(
            f"waiver names an unknown rule: {exc.message}",
            location=_where(case, f"{path}.rule"),
        ) from None
    if lr.rule.kind != RuleKind.red_flag:
        raise CaseError(
            f"waiver names {lr.rule.id}, a {lr.rule.kind.value} rule; only red flags can be waived",
            location=_where(case, f"{path}.rule"),
        )
    return lr.rule.id


def _where(case: Case, path: str) -> Location:
    return Location(file=case.source_file, line=case.line_of(path), field=path)


def waiver_summary(waivers: Sequence[WaiverOutcome]) -> list[str]:
    """Phrases for the verdict's reason about waivers, in a fixed order."""
    out: list[str] = []
    by_status = {s: sorted({w.rule_id for w in waivers if w.status == s}) for s in WaiverStatus}
    applied = [w for w in waivers if w.status == WaiverStatus.applied]
    if applied:
        n = sum(w.matched for w in applied)
        out.append(
            f"{n} red flag{'s' if n != 1 else ''} waived "
            f"({', '.join(by_status[WaiverStatus.applied])})"
        )
    if by_status[WaiverStatus.refused]:
        out.append(
            f"waiver not honoured for {', '.join(by_status[WaiverStatus.refused])}: "
            "a critical red flag cannot be waived"
        )
    if by_status[WaiverStatus.expired]:
        out.append(f"expired waiver for {', '.join(by_status[WaiverStatus.expired])}")
    if by_status[WaiverStatus.unused]:
        out.append(f"unused waiver for {', '.join(by_status[WaiverStatus.unused])}")
    return out
